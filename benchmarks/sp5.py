"""muMAG standard problem #5 with magnetostatics and the closed-form Zhang-Li torque.

Permalloy 100 x 100 x 10 nm (Ms = 8e5 A/m, A = 1.3e-11 J/m), the vortex m ~ (-y, x, R), R = 10
nm, relaxed without current (alpha = 1 while relaxing), then alpha = 0.1 and a current of
1e12 A/m^2 along +x (P = 1, xi = 0.05): the Zhang-Li torque with
u = -P J mu_B / (e Ms (1 + xi^2)) (72.17 m/s along -x, the mumax3 / magnum.np convention,
fem_spin.physics.magnetization.zhang_li_velocity) for 5 ns. The magnetostatic field by the
scalar potential on the magnet in an air ball (Robin exterior), implicit in the midpoint rule.
gamma = 2.211e5 m/(A s) = 0.17595 rad/(ps T) (the SP5 value).

Writes <out>/sp5_trace_zhang_li.csv (t_ns, mx, my, mz), <out>/sp5_zhang_li.json (parameters,
mesh, cost, the deviation from the reference curve) and <out>/sp5_zhang_li.png. The reference
is magnum.np's curve (benchmarks/results/sp5_reference_magnumnp.csv, source in its header).

Usage: .venv/bin/python benchmarks/sp5.py [--h 5] [--out benchmarks/results]   (~20 min, 1 core)
       mpiexec -n 2 .venv/bin/python benchmarks/sp5.py ...
"""

# ruff: noqa: I001  (fem_spin is imported before mpi4py on purpose)
import argparse
import json
import sys
import time
from pathlib import Path

import fem_spin  # noqa: F401  (before dolfinx)
import numpy as np
from mpi4py import MPI

from fem_spin import LLG, Magnet, Magnetostatics
from fem_spin.geometry.air import magnet_extent, magnet_in_air
from fem_spin.physics.magnetization import zhang_li_velocity

MS, A_EX, XI, J, P = 8e5, 1.3e-11, 0.05, 1e12, 1.0
GAMMA = 2.211e5 / 1.25663706212e-6 * 1e-12  # rad/(ps T): gamma0 / mu0
REFERENCE = Path(__file__).resolve().parent / "results" / "sp5_reference_magnumnp.csv"


def vortex(x):
    """m ~ (-y, x, R) with R = 10 nm (the SP5 specification), normalised by the LLG."""
    return np.stack([-x[1], x[0], 10.0 + 0.0 * x[0]])


def read_reference() -> np.ndarray:
    return np.loadtxt(REFERENCE, delimiter=",", comments="#", skiprows=5)


def run(h: float, degree: int, air: float, dt: float, t_end: float, relax_t: float,
        relax_dt: float, out: Path, relax_tol: float = 1e-8, comm=MPI.COMM_WORLD) -> dict:
    t0 = time.perf_counter()
    dims = {"lx": 100.0, "ly": 100.0, "lz": 10.0}
    geo = magnet_in_air(comm, "box", dims, air_radius=air * magnet_extent("box", dims),
                        h_magnet=h)
    demag = Magnetostatics(geo.mesh, geo.cell_tags, geo.facet_tags,
                           magnet_tags=[geo.tag("magnet")], degree=degree)
    sub = demag.submesh
    vertices = sub.topology.index_map(0).size_global
    # relax (alpha = 1) until the energy changes by less than relax_tol relative per step
    relax = LLG(sub, Magnet(Ms=MS, A_ex=A_EX, alpha=1.0, gamma=GAMMA), M0=vortex, demag=demag)
    E = relax.energy()
    while relax.t < relax_t - 1e-9:
        relax.step(relax_dt)
        E_new = relax.energy()
        if abs(E_new - E) < relax_tol * abs(E):
            break
        E = E_new
    M_relaxed = relax.M
    E_relaxed, t_relax, M_avg0 = relax.energy(), relax.t, relax.average_M()
    relax.close()
    t1 = time.perf_counter()
    u = zhang_li_velocity((J, 0.0, 0.0), P, MS, XI)
    rows = []
    with LLG(sub, Magnet(Ms=MS, A_ex=A_EX, alpha=0.1, gamma=GAMMA), M0=M_relaxed,
             demag=demag, zhang_li=(u, XI)) as p:
        rows.append((0.0, *p.average_M()))
        newton = 0
        while p.t < t_end - 1e-9:
            info = p.step(min(dt, t_end - p.t))
            newton += info.newton_iterations
            rows.append((p.t * 1e-3, *p.average_M()))
        drift = p.norm_drift()
    t2 = time.perf_counter()
    demag.close()
    trace = np.array(rows)
    ref = read_reference()
    summary = {
        "problem": "muMAG SP5 with the closed-form Zhang-Li torque",
        "parameters": {"Ms_A_per_m": MS, "A_ex_J_per_m": A_EX, "alpha": 0.1,
                       "alpha_relax": 1.0, "gamma_rad_per_ps_T": GAMMA, "xi": XI,
                       "J_A_per_m2": [J, 0.0, 0.0], "P": P,
                       "u_m_per_s": (np.asarray(u) * 1e3).tolist(),
                       "vortex_init": "m ~ (-y, x, 10 nm)"},
        "mesh": {"h_magnet_nm": h, "magnet_vertices": int(vertices),
                 "cells_total": int(geo.stats["cells"]),
                 "air_radius_nm": air * magnet_extent("box", dims),
                 "potential_degree": degree, "potential_dofs":
                 demag.V.dofmap.index_map.size_global, "exterior": "robin"},
        "time": {"dt_ps": dt, "t_end_ps": t_end, "relax_ps": t_relax,
                 "relax_dt_ps": relax_dt, "relax_tol": relax_tol, "steps": len(rows) - 1,
                 "newton_per_step": newton / max(len(rows) - 1, 1)},
        "relaxed": {"energy_aJ": E_relaxed, "M": list(M_avg0)},
        "norm_drift": drift, "ranks": comm.size,
        "seconds": {"relax": t1 - t0, "run": t2 - t1},
    }
    if t_end >= 5000 - 1e-6:
        for k, name in ((1, "mx"), (2, "my")):
            ours = np.interp(ref[:, 0], trace[:, 0], trace[:, k])
            dev = ours - ref[:, k]
            summary[f"max_abs_deviation_{name}"] = float(np.max(np.abs(dev)))
            summary[f"rms_deviation_{name}"] = float(np.sqrt(np.mean(dev**2)))
        summary["reference"] = ("magnum.np demos/sp5/ref/m.dat "
                                "(benchmarks/results/sp5_reference_magnumnp.csv)")
    if comm.rank == 0:
        out.mkdir(parents=True, exist_ok=True)
        np.savetxt(out / "sp5_trace_zhang_li.csv", trace, delimiter=",", fmt="%.8g",
                   header="t_ns,mx,my,mz", comments="")
        (out / "sp5_zhang_li.json").write_text(json.dumps(summary, indent=1) + "\n")
        plot(trace, ref, summary, out / "sp5_zhang_li.png")
    return summary


def plot(trace, ref, summary, path) -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    for k, name, color in ((1, "<m_x>", "C0"), (2, "<m_y>", "C1")):
        ax.plot(trace[:, 0], trace[:, k], color=color, label=f"{name} fem_spin")
        ax.plot(ref[:, 0], ref[:, k], "--", color=color, label=f"{name} magnum.np")
    mesh = summary["mesh"]
    ax.set_xlabel("t (ns)")
    ax.set_ylabel("average reduced magnetization")
    ax.set_title(f"muMAG SP5, Zhang-Li (u = 72.17 m/s, xi = 0.05); FEM h = "
                 f"{mesh['h_magnet_nm']} nm, P{mesh['potential_degree']} potential")
    ax.legend(ncol=2)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--h", type=float, default=5.0, help="mesh size in the magnet (nm)")
    parser.add_argument("--degree", type=int, default=1, help="degree of the potential")
    parser.add_argument("--air", type=float, default=1.5, help="air radius / magnet extent")
    parser.add_argument("--dt", type=float, default=5.0, help="time step (ps)")
    parser.add_argument("--t-end", type=float, default=5000.0, help="current on for (ps)")
    parser.add_argument("--relax", type=float, default=1500.0, help="longest relaxation (ps)")
    parser.add_argument("--relax-dt", type=float, default=5.0, help="relaxation step (ps)")
    parser.add_argument("--relax-tol", type=float, default=1e-8,
                        help="relaxation ends when the energy changes less per step")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "results"))
    args = parser.parse_args(argv)
    summary = run(args.h, args.degree, args.air, args.dt, args.t_end, args.relax,
                  args.relax_dt, Path(args.out), args.relax_tol)
    if MPI.COMM_WORLD.rank == 0:
        print(json.dumps(summary, indent=1))
    return summary


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
