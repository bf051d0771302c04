# # Vortex and onion states of a permalloy ring, with magnetostatics
#
# A flat ring (annulus) of permalloy holds two remanent states: the **vortex**, M circulating
# around the hole (no magnetic charges, only exchange energy), and the **onion**, M along one
# in-plane direction and bending around the hole (two head-to-head / tail-to-tail walls that
# carry charges). Which one wins is decided by the magnetostatic energy, so a ring is the
# simplest texture that needs the demagnetizing field: the thin-film term of the paper's Eq.
# 12 only penalizes M out of the plane and does not know the ring's edges.
#
# ## The equation
#
# The LLG of `fem_spin.LLG` (`docs/llg-mapping.md`) with the effective field
#
# $$
# B_\mathrm{eff} = \frac{2A}{M_s}\nabla^2 M + B_d, \qquad B_d = -\mu_0 \nabla u, \qquad
# \nabla\cdot(\nabla u - M_s M) = 0 \text{ in all space},
# $$
#
# the potential $u$ solved on a mesh of the ring and a ball of air around it with the
# asymptotic (dipole) condition $\partial_r u = -2u/r$ on the ball's sphere
# (`fem_spin.Magnetostatics`, `docs/magnetostatics.md`). The field is implicit in the
# midpoint rule, so the damped dynamics decreases the energy
# $E = \int A|\nabla M|^2 + \frac{\mu_0}{2}\int M_s M\cdot\nabla u$ monotonically: each state
# relaxes to the nearest minimum.
#
# ## What the demo produces
#
# Both states relaxed from their ideal forms with strong damping; for each, the energy trace
# (`traces.csv`), the final energy, <M> and the circulation
# $c = \langle (x M_y - y M_x)/r \rangle$ (1 for the vortex, 0 for the onion) in
# `summary.json`, and `states.png` (M on the ring's top face). The vortex has (almost) no
# charges: its energy is the exchange energy $2\pi A t \ln(R_o/R_i)$ of the ideal vortex
# (0.283 aJ for the default ring) up to the discretization.
#
#   python demos/ring_magnetostatics.py                   # ~2 min on one core
#   mpiexec -n 2 python demos/ring_magnetostatics.py

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from mpi4py import MPI

import fem_spin as fs
from fem_spin.geometry.air import magnet_in_air
from fem_spin.output import write_csv

MS, A_EX, ALPHA = 8e5, 1.3e-11, 0.5  # permalloy, A/m and J/m; strong damping to relax


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Vortex and onion states of a ring, with "
                                            "magnetostatics.")
    p.add_argument("--outer", type=float, default=40.0, help="outer radius (nm)")
    p.add_argument("--inner", type=float, default=20.0, help="inner radius (nm)")
    p.add_argument("--thickness", type=float, default=5.0, help="thickness (nm)")
    p.add_argument("--h", type=float, default=3.0, help="mesh size in the ring (nm)")
    p.add_argument("--degree", type=int, default=1, help="degree of the potential (1, 2)")
    p.add_argument("--t-end", type=float, default=300.0, help="relaxation time (ps)")
    p.add_argument("--dt", type=float, default=5.0, help="time step (ps)")
    p.add_argument("--out", type=Path, default=Path("output/ring_magnetostatics"))
    return p.parse_args(argv)


# ## The two initial states
#
# The ideal vortex $M = (-y, x, 0)/r$ and the ideal onion's starting point, the uniform
# $M = (1, 0, 0)$, which bends into the onion as it relaxes.

INITIAL = {
    "vortex": lambda x: np.stack([-x[1], x[0], 0.0 * x[0]]),
    "onion": lambda x: np.stack([1.0 + 0.0 * x[0], 0.0 * x[0], 0.0 * x[0]]),
}


def circulation(M: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``(x M_y - y M_x) / r`` at the nodes."""
    r = np.hypot(x[:, 0], x[:, 1])
    return (x[:, 0] * M[:, 1] - x[:, 1] * M[:, 0]) / r


# ## Relaxing a state
#
# One `Magnetostatics` (one factorized potential) serves both states; each LLG lives on its
# submesh (the ring), stepped with the midpoint rule until `t_end`.


def relax(demag, M0, args, comm):
    magnet = fs.Magnet(Ms=MS, A_ex=A_EX, alpha=ALPHA)
    with fs.LLG(demag.submesh, magnet, M0=M0, demag=demag) as p:
        trace = {"t_ps": [0.0], "energy_aJ": [p.energy()]}
        while p.t < args.t_end - 1e-9:
            p.step(min(args.dt, args.t_end - p.t))
            trace["t_ps"].append(p.t)
            trace["energy_aJ"].append(p.energy())
        M = p.M
        x = M.function_space.tabulate_dof_coordinates()
        n = M.function_space.dofmap.index_map.size_local
        values = M.x.array.reshape(-1, 3)[:n]
        c = comm.allreduce(float(np.sum(circulation(values, x[:n]))), op=MPI.SUM)
        count = comm.allreduce(n, op=MPI.SUM)
        result = {"energy_aJ": trace["energy_aJ"][-1], "average_M": p.average_M().tolist(),
                  "circulation": c / count, "norm_drift": p.norm_drift(),
                  "energy_decreasing": bool(np.all(np.diff(trace["energy_aJ"]) <= 1e-12))}
        nodes = (comm.gather(x[:n], root=0), comm.gather(values, root=0))
    return result, trace, nodes


def picture(nodes: dict, path: Path, args) -> None:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 5), layout="constrained")
    for ax, (name, (x, M)) in zip(axes, nodes.items(), strict=True):
        x, M = np.concatenate(x), np.concatenate(M)
        mid = x[:, 2] > 0.5 * args.thickness - 1e-6  # the nodes of the top face
        q = ax.quiver(x[mid, 0], x[mid, 1], M[mid, 0], M[mid, 1], M[mid, 0], cmap="coolwarm",
                      clim=(-1, 1), scale=30)
        ax.set_aspect("equal")
        ax.set_title(f"{name} state (top face)")
        ax.set_xlabel("x (nm)")
        ax.set_ylabel("y (nm)")
    fig.colorbar(q, ax=axes, label="M_x")
    fig.suptitle(f"Permalloy ring {2 * args.outer:g}/{2 * args.inner:g} nm across, "
                 f"{args.thickness:g} nm thick, relaxed with magnetostatics")
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ## The run


def main(argv=None) -> dict:
    args = parse_args(argv)
    comm = MPI.COMM_WORLD
    dims = {"outer_radius": args.outer, "inner_radius": args.inner,
            "thickness": args.thickness}
    extent = float(np.hypot(args.outer, args.thickness / 2))
    geo = magnet_in_air(comm, "ring", dims, air_radius=2.0 * extent, h_magnet=args.h)
    demag = fs.Magnetostatics(geo.mesh, geo.cell_tags, geo.facet_tags,
                              magnet_tags=[geo.tag("magnet")], degree=args.degree)
    results, traces, nodes = {}, {}, {}
    for name, M0 in INITIAL.items():
        results[name], traces[name], nodes[name] = relax(demag, M0, args, comm)
    demag.close()
    lower = min(results, key=lambda k: results[k]["energy_aJ"])
    summary = {"ring_nm": dims, "h_nm": args.h, "potential_degree": args.degree,
               "cells": int(geo.stats["cells"]), "t_end_ps": args.t_end, "dt_ps": args.dt,
               "states": results, "lower_energy_state": lower}
    if comm.rank == 0:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
        picture(nodes, args.out / "states.png", args)
    columns = {"t_ps": np.asarray(traces["vortex"]["t_ps"])}
    for name in INITIAL:
        columns[f"energy_{name}_aJ"] = np.asarray(traces[name]["energy_aJ"])
    write_csv(comm, args.out / "traces.csv", columns)
    if comm.rank == 0:
        for name, r in results.items():
            print(f"{name}: E = {r['energy_aJ']:.4f} aJ, <M> = {np.round(r['average_M'], 3)}, "
                  f"circulation {r['circulation']:.3f}")
        print(f"lower energy: {lower}")
    return summary


if __name__ == "__main__":
    main()
