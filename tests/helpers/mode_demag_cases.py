"""The Kittel cases of the spin-wave modes with magnetostatics, shared by
tests/verification/test_mode_demag.py and benchmarks/spin_wave_demag.py: a uniformly
magnetized spheroid (sphere, prolate a/b = 2, oblate a/c = 3 of tests/helpers/demag_cases.py)
in a field along a symmetry axis, relaxed with the FEM demagnetizing field, and its uniform
mode against Kittel with the exact (Osborn) factors:
``omega = gamma sqrt((B + (N_1 - N_0) mu0 Ms)(B + (N_2 - N_0) mu0 Ms))`` (``N_0`` along M)."""

from __future__ import annotations

import time

import numpy as np

from fem_spin import LLG, Magnet
from fem_spin.physics.magnetostatics import MU0
from fem_spin.physics.spin_wave_theory import kittel
from fem_spin.problems.mode_demag import DemagModeCoupling
from fem_spin.problems.modes import GHZ, SpinWaveModes
from tests.helpers.demag_cases import CASES, demag_problem

MS, A_EX, B = 8e5, 1.3e-11, 0.1  # A/m, J/m, T
AXIS = {"sphere": 2, "prolate": 0, "oblate": 0}  # M0 || B along this axis


def kittel_reference(case: str, alpha: float = 0.0) -> complex:
    """The exact ``s = -Gamma + i omega`` (rad/ps) of the case's uniform mode."""
    N, k = np.array(CASES[case][2]), AXIS[case]
    o = [i for i in range(3) if i != k]
    gamma = Magnet(Ms=MS, A_ex=A_EX).gamma
    return kittel(gamma, B + (N[o[0]] - N[k]) * MU0 * MS, B + (N[o[1]] - N[k]) * MU0 * MS,
                  alpha)


def kittel_case(comm, case: str, h: float, *, degree: int = 2, alpha: float = 0.0,
                n: int = 3) -> dict:
    """The FEM modes of a case at mesh size ``h`` (nm): the lowest frequencies (GHz), the
    relative error of the lowest complex eigenvalue against Kittel, sizes and seconds."""
    t0 = time.perf_counter()
    geo, demag = demag_problem(comm, case, h, air_factor=2.0, degree=degree)
    mag = Magnet(Ms=MS, A_ex=A_EX, alpha=alpha)
    e = np.eye(3)[AXIS[case]]
    llg = LLG(demag.submesh, mag, M0=tuple(e), B_T=tuple(B * e), demag=demag)
    llg.solve_steady()
    t1 = time.perf_counter()
    modes = SpinWaveModes(demag.submesh, mag, M0=llg.M, B_T=tuple(B * e),
                          coupling=DemagModeCoupling(demag))
    res = modes.solve(n)
    t2 = time.perf_counter()
    ref = kittel_reference(case, alpha)
    out = {"case": case, "h_nm": h, "degree": degree, "magnet_vertices": modes.tangent.size,
           "potential_dofs": demag.V.dofmap.index_map.size_global,
           "f_GHz": [float(f) for f in res.frequency_GHz], "s": res.s,
           "f_kittel_GHz": ref.imag * GHZ, "error": float(abs(res.s[0] - ref) / abs(ref)),
           "relax_s": t1 - t0, "modes_s": t2 - t1}
    llg.close()
    demag.close()
    return out


__all__ = ["AXIS", "B", "MS", "kittel_case", "kittel_reference"]
