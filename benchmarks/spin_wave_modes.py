"""Spin-wave modes and S4 (issue 15): the verification sweeps behind the fast tests, and the
CPP pillar's soft mode against the time domain. Writes benchmarks/results/spin_wave_modes.md
and .json.

    PYTHONPATH=$PWD python benchmarks/spin_wave_modes.py            # ~10 min on 2 cores

1. Exchange modes of the periodic ring (perimeter 100 nm, 8..128 cells per side) and the disc
   (R = 20 nm, h = 4..0.5 nm; Bessel zeros): relative frequency errors and rates.
2. Eq. 84 plane waves (as written and restored): frequency error in h (time error removed:
   w_h = (2/dt) tan(theta/2)) and in dt.
3. The pillar (tests/unit/test_config_modes.py: PILLAR): the lowest mode's eigenvalue against
   the coupled time-domain simulation from a 2-degree tilt (a Prony fit of <M_y>(t) over 60-300 ps,
   dt = 1 ps), and the soft-mode drive on two meshes, beside the time-domain switching of
   examples/switching_pillar.toml (j = 5 and 5.5 switch, at about 390 and 297 ps).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
from mpi4py import MPI

import fem_spin  # noqa: F401  (PETSc stack first)
from fem_spin.app.builders.geometry import build_geometry
from fem_spin.app.builders.problems import coupled_problem
from fem_spin.app.modes import soft_drive
from fem_spin.app.schema import loads
from fem_spin.geometry.disc import disc
from fem_spin.geometry.periodic import square_ring
from fem_spin.parameters.magnet import Magnet
from fem_spin.physics.spin_wave_theory import bessel_jp_zero, uniform_mode
from fem_spin.problems.mode_coupling import coupled_modes
from fem_spin.problems.modes import SpinWaveModes

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from fem_spin.physics.fluctuations import plane_wave_frequency  # noqa: E402
from tests.unit.test_config_modes import PILLAR  # noqa: E402
from tests.verification.test_fluctuations import (  # noqa: E402
    J0,
    J2,
    SIDE,
    K,
    plane_wave,
)

COMM = MPI.COMM_WORLD
MAG = Magnet(Ms=8e5, A_ex=1.3e-11)
B = 0.05


def rates(h, e):
    h, e = np.asarray(h, float), np.asarray(e, float)
    return (np.log(e[:-1] / e[1:]) / np.log(h[:-1] / h[1:])).tolist()


def ring_sweep():
    side, js = 25.0, [0, 1, 1, 2, 2, 3, 3]
    exact = np.array([uniform_mode(MAG.gamma, B, MAG.exchange_coefficient,
                                   2 * np.pi * j / (4 * side)).imag for j in js])
    cells = [8, 16, 32, 64, 128]
    err = []
    for n in cells:
        geo = square_ring(COMM, side, n)
        w = SpinWaveModes(geo.mesh, MAG, M0=(0, 0, 1), B_T=(0, 0, B)).solve(7).s.imag
        err.append(float(abs(w[-1] - exact[-1]) / exact[-1]))
    return {"case": "periodic ring, j = 3 mode", "h_nm": [side / n for n in cells],
            "error": err, "rates": rates([side / n for n in cells], err)}


def disc_sweep():
    R = 20.0
    ks = [0.0] + [bessel_jp_zero(1, 1)] * 2 + [bessel_jp_zero(2, 1)] * 2 + [bessel_jp_zero(0, 1)]
    exact = np.array([uniform_mode(MAG.gamma, B, MAG.exchange_coefficient, k / R).imag
                      for k in ks])
    hs, err = [4.0, 2.0, 1.0, 0.5], []
    for h in hs:
        geo = disc(COMM, R, h)
        w = SpinWaveModes(geo.mesh, MAG, M0=(0, 0, 1), B_T=(0, 0, B)).solve(6).s.imag
        err.append(float(np.max(np.abs(w[1:] - exact[1:]) / exact[1:])))
    return {"case": "disc R = 20 nm, modes (1,1), (2,1), (0,1): max", "h_nm": hs,
            "error": err, "rates": rates(hs, err)}


def s4_sweeps():
    out = []
    for restored in (False, True):
        exact = plane_wave_frequency(K, J0, J2, 0.3, restored)
        cells = [8, 16, 32, 64]
        semi = [plane_wave(COMM, n, restored, 0.01, 4)[1] for n in cells]
        e = [float(abs(s - exact)) for s in semi]
        out.append({"case": f"Eq. 84 {'restored' if restored else 'as written'}: omega(k) in h",
                    "exact_rad_per_ps": exact, "h_nm": [SIDE / n for n in cells],
                    "error": e, "rates": rates([SIDE / n for n in cells], e)})
        dts = [0.04, 0.02, 0.01, 0.005]
        e = [float(abs(plane_wave(COMM, 16, restored, dt, 4)[0] - semi[1])) for dt in dts]
        out.append({"case": f"Eq. 84 {'restored' if restored else 'as written'}: in dt",
                    "dt_ps": dts, "error": e, "rates": rates(dts, e)})
    return out


def pillar(h: float):
    case = loads(PILLAR, "pillar_modes.toml", [f"geometry.h_max={h}"])
    geo = build_geometry(COMM, case)
    return coupled_problem(case, geo, study=case.modes)


def lowest(pr, j: float) -> complex:
    pr.reset()
    pr.set_drive(lambda t: j)
    pr.solve_steady()
    return complex(coupled_modes(pr).solve(2).s[0])


def time_domain(pr, j: float, dt: float = 1.0, t_end: float = 300.0) -> complex:
    """From the steady state at j with the free layer tilted by 2 degrees in the plane: the
    eigenvalue of <M_y>(t) (a two-term linear prediction fitted over t > 60 ps)."""
    pr.reset()
    pr.set_drive(lambda t: j)
    pr.solve_steady()
    _, _, dofs = pr.fields[1]
    M = pr.u_n.x.array[dofs].reshape(-1, 3)
    free = pr.magnet.chi_vec.x.array[0::3] > 0.5
    th = np.deg2rad(2.0)
    M[free] = [np.cos(th), np.sin(th), 0.0]
    for f in (pr.u, pr.u_n, pr.u_nm1):
        f.x.array[dofs] = M.ravel()
    pr.dt_prev = None
    tr = pr.run(t_end, dt).trace
    t, y = np.asarray(tr["t"]), np.asarray(tr["My"])
    y = y[t > 60.0]
    a1, a2 = np.linalg.lstsq(np.column_stack([y[1:-1], y[:-2]]), y[2:], rcond=None)[0]
    z = np.roots([1.0, -a1, -a2])
    return complex(np.log(z[np.argmax(z.imag)]) / dt)


def pillar_study():
    out = {"eigen_vs_time_domain": [], "soft_drive": []}
    pr = pillar(3.0)
    for j in (2.0, 5.0):
        s_e, s_t = lowest(pr, j), time_domain(pr, j)
        out["eigen_vs_time_domain"].append({
            "h_nm": 3.0, "drive": j, "eigen_s": [s_e.real, s_e.imag],
            "time_domain_s": [s_t.real, s_t.imag],
            "relative_difference": abs(s_t - s_e) / abs(s_e)})
        print(out["eigen_vs_time_domain"][-1], flush=True)
    pr.close()
    for h in (3.0, 2.0, 1.5):
        pr = pillar(h)
        drives = [3.5, 4.0, 4.5]
        s = [lowest(pr, j) for j in drives]
        g = [-z.real * 1e3 for z in s]
        out["soft_drive"].append({"h_nm": h, "drives": drives, "decay_rate_per_ns": g,
                                  "frequency_GHz": [z.imag * 1e3 / (2 * np.pi) for z in s],
                                  "soft_drive": soft_drive(drives, g),
                                  "dofs": pr.u.function_space.dofmap.index_map.size_global})
        print(out["soft_drive"][-1], flush=True)
        pr.close()
    return out


def main():
    t0 = time.perf_counter()
    results = {"ring": ring_sweep(), "disc": disc_sweep()}
    print(results, flush=True)
    results["s4"] = s4_sweeps()
    print(results["s4"], flush=True)
    results["pillar"] = pillar_study()
    results["seconds"] = time.perf_counter() - t0
    results["mpi_ranks"] = COMM.size
    if COMM.rank == 0:
        out = ROOT / "benchmarks" / "results"
        (out / "spin_wave_modes.json").write_text(json.dumps(results, indent=1))
        lines = ["# Spin-wave modes and S4: verification sweeps (benchmarks/spin_wave_modes.py)",
                 "", f"{COMM.size} rank(s), {results['seconds']:.0f} s.", "",
                 "| case | h or dt | error | rates |", "|---|---|---|---|"]
        for r in [results["ring"], results["disc"], *results["s4"]]:
            steps = r.get("h_nm", r.get("dt_ps"))
            lines.append(f"| {r['case']} | {', '.join(f'{x:g}' for x in steps)} | "
                         f"{', '.join(f'{x:.3g}' for x in r['error'])} | "
                         f"{', '.join(f'{x:.2f}' for x in r['rates'])} |")
        lines += ["", "## The pillar's lowest mode: eigenvalue against the time domain", "",
                  "| h (nm) | drive j | eigen s (1/ps) | time-domain s (1/ps) | rel. diff. |",
                  "|---|---|---|---|---|"]
        for r in results["pillar"]["eigen_vs_time_domain"]:
            lines.append(f"| {r['h_nm']:g} | {r['drive']:g} | {r['eigen_s'][0]:.6g} "
                         f"{r['eigen_s'][1]:+.6g}i | {r['time_domain_s'][0]:.6g} "
                         f"{r['time_domain_s'][1]:+.6g}i | {r['relative_difference']:.2g} |")
        lines += ["", "## The soft-mode drive (decay rate of the lowest mode = 0)", "",
                  "| h (nm) | dofs | decay rates at j = 3.5, 4, 4.5 (1/ns) | soft j | P J_c "
                  "(A/m^2) |", "|---|---|---|---|---|"]
        for r in results["pillar"]["soft_drive"]:
            lines.append(f"| {r['h_nm']:g} | {r['dofs']} | "
                         f"{', '.join(f'{x:.4g}' for x in r['decay_rate_per_ns'])} | "
                         f"{r['soft_drive']:.4f} | {r['soft_drive'] * 8.637992748819967e11:.3e} |")
        (out / "spin_wave_modes.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
