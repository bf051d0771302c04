"""The iterative eigen path (fem_spin.problems.mode_iterative: shift-and-invert at 0 by CG +
GAMG on the symmetric Hessian ``H_eff``; with the potential, MINRES on the symmetric
saddle-point system of ``H`` and the potential) against
the direct one (MUMPS on the whole pencil): the same eigenvalues to the solver tolerance,
with magnetostatics and damping, and the Newton equilibrium by the same inner solve. The
large-mesh comparison (time, memory) is benchmarks/modes_iterative.py."""

from types import SimpleNamespace

import dolfinx.mesh
import numpy as np
import pytest

from fem_spin import Magnet
from fem_spin.errors import InputError, SolverError
from fem_spin.problems.equilibrium import tangent_newton
from fem_spin.problems.mode_demag import DemagModeCoupling
from fem_spin.problems.mode_iterative import iterative_applies
from fem_spin.problems.modes import SpinWaveModes
from tests.helpers.demag_cases import demag_problem
from tests.helpers.mode_demag_cases import A_EX, MS, B


def _box(comm):
    return dolfinx.mesh.create_box(comm, [[0, 0, 0], [20, 10, 4]], [8, 4, 2])


def test_iterative_equals_direct_without_magnetostatics(comm):
    """A box in a field along z with damping: the modes of both paths agree to 1e-9 and the
    uniform one is the exact ``s = gamma B (-alpha + i) / (1 + alpha^2)``."""
    mag = Magnet(Ms=MS, A_ex=A_EX, alpha=0.05)
    modes = SpinWaveModes(_box(comm), mag, M0=(0.0, 0.0, 1.0), B_T=(0.0, 0.0, B))
    d = modes.solve(4, solver="direct")
    i = modes.solve(4, solver="iterative")
    assert np.max(np.abs(i.s - d.s) / np.abs(d.s)) < 1e-9, (i.s, d.s)
    exact = mag.gamma * B * (-0.05 + 1j) / (1 + 0.05**2)
    assert abs(i.s[0] - exact) < 1e-9 * abs(exact), (i.s[0], exact)
    assert np.max(np.abs(i.profiles[0][0] - d.profiles[0][0])) < 1e-6
    # "auto" takes the direct path on a pencil this small, and the same modes
    assert np.allclose(modes.solve(4, solver="auto").s, d.s, rtol=1e-12)


def test_iterative_equals_direct_with_magnetostatics(comm):
    """The prolate spheroid (M along its long axis, B = 0.1 T, alpha = 0.05) relaxed by
    Newton with the iterative Hessian solve from 17 degrees off: the torque falls below 1e-9;
    the three lowest modes by both paths agree to 1e-8 (9.55 GHz, Kittel's within 1 %)."""
    geo, demag = demag_problem(comm, "prolate", 4.0, air_factor=2.0, degree=2)
    mag = Magnet(Ms=MS, A_ex=A_EX, alpha=0.05)
    M, history = tangent_newton(demag.submesh, mag, M0=(1.0, 0.3, 0.0), B_T=(B, 0.0, 0.0),
                                solver="iterative",
                                coupling_factory=lambda: DemagModeCoupling(demag))
    assert history[0] > 0.1 and history[-1] < 1e-9 and len(history) < 12, history
    modes = SpinWaveModes(demag.submesh, mag, M0=M, B_T=(B, 0.0, 0.0),
                          coupling=DemagModeCoupling(demag))
    d = modes.solve(3, solver="direct")
    i = modes.solve(3, solver="iterative")
    assert np.max(np.abs(i.s - d.s) / np.abs(d.s)) < 1e-8, (i.s, d.s)
    assert abs(i.frequency_GHz[0] - 9.5544) < 0.01 * 9.5544
    demag.close()


def test_where_the_iterative_path_does_not_apply(comm):
    """A shift other than 0, an unknown solver: InputError naming the way out; the unstable
    state (M against the field: the Hessian negative definite at the longest waves): a
    SolverError that says so and names the direct solver, which finds the growing mode."""
    mag = Magnet(Ms=MS, A_ex=A_EX, alpha=0.05)
    modes = SpinWaveModes(_box(comm), mag, M0=(0.0, 0.0, 1.0), B_T=(0.0, 0.0, B))
    with pytest.raises(InputError, match="sigma = 0 only.*solver='direct'"):
        modes.solve(2, sigma=0.1, solver="iterative")
    with pytest.raises(InputError, match="'direct', 'iterative' or 'auto'"):
        modes.solve(2, solver="mumps")
    # a coupled spin accumulation (dm has a mass: dynamic) is refused by name
    accumulation = type("AccumulationCoupling", (), {"dynamic": True})()
    reason = iterative_applies(SimpleNamespace(coupling=accumulation), 0.0)
    assert "AccumulationCoupling" in reason and "dynamics of its own" in reason
    flipped = SpinWaveModes(_box(comm), mag, M0=(0.0, 0.0, -1.0), B_T=(0.0, 0.0, B))
    with pytest.raises(SolverError, match="not positive definite.*solver='direct'"):
        flipped.solve(2, solver="iterative")
    grow = flipped.solve(1, solver="direct").s[0]  # s = gamma B (alpha + i) / (1 + alpha^2)
    exact = mag.gamma * B * (0.05 + 1j) / (1 + 0.05**2)
    assert abs(grow - exact) < 1e-9 * abs(exact), (grow, exact)
