"""The switching pillar's critical drive with the thin-film term and with full magnetostatics.

The pillar, materials, free layer and drive of demos/switching_pillar.py (examples/
switching_pillar.toml); two models of the free layer's shape anisotropy:

- thin film: the paper's Eq. 12 term, K_d = mu0 Ms^2 along z (an infinite film: N_zz - N_xx = 1);
- magnetostatics: no K_d; the pillar in an air ball and the full demagnetizing field of the
  free layer (fem_spin.Magnetostatics; for this disc N_zz - N_xx = 0.356).

For each, the critical drive j_c (the spin current at the bottom electrode in units of
J_1 = 8.638e11 A/m^2 at P = 1) is bracketed by bisection: the smallest drive whose free layer
reverses (<M>.p < 0) within t_end. A macrospin estimate (Sun, PRB 62 (2000) 570: the
instability of the parallel state, j_c ~ alpha (B_K + B_D / 2)) gives their ratio
(B_K + dN mu0 Ms / 2) / (B_K + mu0 Ms / 2), printed beside the result.

Usage: .venv/bin/python benchmarks/switching_critical_current.py [--out benchmarks/results]
       (about 20-30 min on one core at the default --h-max 3, --t-end 500)
"""

# ruff: noqa: I001  (fem_spin is imported before mpi4py on purpose)
import argparse
import json
import sys
import time
from pathlib import Path

import fem_spin as fs
import numpy as np
from mpi4py import MPI

from fem_spin.geometry.pillar import ELECTRODE_BOTTOM, ELECTRODE_TOP, OUTER, nanopillar
from fem_spin.observables.switching import switching_time
from fem_spin.physics.scales import MU0, spin_current

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "demos"))
import switching_pillar as demo  # noqa: E402  (the demo's parameters)


def problem(comm, model: str, h_max: float, air_radius: float, tilt_deg: float = 10.0):
    geo = nanopillar(comm, list(demo.LAYERS), rx=6.0, h_max=h_max,
                     air_radius=air_radius if model == "magnetostatics" else None)
    fm = fs.Material(D=demo.D, tau=demo.TAU, lam=demo.LAMBDA)
    nm = fs.Material(D=demo.D, tau=demo.TAU)
    materials = {geo.tag(n): (fm if n in ("fixed", "free") else nm) for n, _ in demo.LAYERS}
    common = dict(Ms=demo.MS, A_ex=demo.A_EX, alpha=demo.ALPHA, K_u=demo.K_U,
                  easy_axis=tuple(demo.P))
    mesh, cells, facets, demag = geo.mesh, geo.cell_tags, geo.facet_tags, None
    if model == "thin_film":
        free = fs.Magnet(**common, K_d=fs.thin_film_anisotropy(demo.MS), normal=(0, 0, 1))
    else:
        free = fs.Magnet(**common)
        height = sum(t for _, t in demo.LAYERS)
        demag = fs.Magnetostatics(mesh, cells, facets,
                                  magnet_tags=[geo.tag(n) for n, _ in demo.LAYERS],
                                  outer_tag=geo.tag(OUTER), center=(0.0, 0.0, height / 2))
        mesh, cells, facets = demag.submesh, demag.sub_cell_tags, demag.sub_facet_tags
    p = fs.CoupledSpinDynamics(
        mesh, materials, {geo.tag("free"): free}, cell_tags=cells, facet_tags=facets,
        M0=demo.initial_magnetization(tilt_deg),
        flux=[fs.Flux(geo.tag(ELECTRODE_BOTTOM), spin_current(demo.J_1, demo.P))],
        dirichlet=[fs.Dirichlet(geo.tag(ELECTRODE_TOP), (0.0, 0.0, 0.0))], demag=demag)
    return p, demag, int(geo.stats["cells"])


def switches(p, j: float, t_end: float, dt: float) -> tuple[bool, float | None]:
    p.reset()
    p.set_drive(demo.drive(j))
    run = p.run(t_end, dt, progress_seconds=1e9)
    t = switching_time(run.trace, tuple(demo.P))
    return t is not None, t


def critical(p, lo: float, hi: float, t_end: float, dt: float, iterations: int, log):
    """Bisection between a drive that does not switch (lo) and one that does (hi); hi is
    lowered by 0.8x until it switches (above j_c the free layer may precess instead)."""
    runs = []
    ok, t = switches(p, hi, t_end, dt)
    runs.append((hi, ok, t))
    while not ok and hi > lo:
        hi *= 0.8
        ok, t = switches(p, hi, t_end, dt)
        runs.append((hi, ok, t))
        log(runs[-1])
    ok_lo, t_lo = switches(p, lo, t_end, dt)
    runs.append((lo, ok_lo, t_lo))
    log(runs[-1])
    if ok_lo or not ok:
        return None, runs
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        ok, t = switches(p, mid, t_end, dt)
        runs.append((mid, ok, t))
        log(runs[-1])
        lo, hi = (lo, mid) if ok else (mid, hi)
    return (lo, hi), runs


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--h-max", type=float, default=3.0)
    ap.add_argument("--air-radius", type=float, default=30.0)
    ap.add_argument("--t-end", type=float, default=500.0)
    ap.add_argument("--dt", type=float, default=4.0)
    ap.add_argument("--iterations", type=int, default=3)
    ap.add_argument("--models", default="thin_film,magnetostatics")
    ap.add_argument("--bracket-thin-film", type=float, nargs=2, default=(2.0, 5.0))
    ap.add_argument("--bracket-magnetostatics", type=float, nargs=2, default=(1.0, 4.0))
    ap.add_argument("--name", default="switching_critical_current", help="result file name")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "results"))
    args = ap.parse_args(argv)
    comm = MPI.COMM_WORLD

    def log(row):
        if comm.rank == 0:
            print("  drive %.4g: %s" % (row[0], f"switched at {row[2]:.0f} ps" if row[1]
                                        else "not switched"), flush=True)

    brackets = {"thin_film": tuple(args.bracket_thin_film),
                "magnetostatics": tuple(args.bracket_magnetostatics)}
    out = {"t_end_ps": args.t_end, "dt_ps": args.dt, "h_max_nm": args.h_max,
           "air_radius_nm": args.air_radius, "J_1_A_per_m2": demo.J_1, "models": {}}
    for model in args.models.split(","):
        t0 = time.perf_counter()
        p, demag, cells = problem(comm, model, args.h_max, args.air_radius)
        N = None if demag is None else p._demag_term.N.tolist()
        if comm.rank == 0:
            print(f"{model}: {cells} cells" + ("" if N is None else f", N = {np.diag(N)}"),
                  flush=True)
        bracket, runs = critical(p, *brackets[model], args.t_end, args.dt, args.iterations,
                                 log)
        p.close()
        if demag is not None:
            demag.close()
        out["models"][model] = {
            "critical_drive_bracket": bracket,
            "critical_PJ_A_per_m2": None if bracket is None else
            [b * demo.J_1 for b in bracket],
            "runs": [{"drive": j, "switched": s, "switching_time_ps": t} for j, s, t in runs],
            "demag_tensor": N, "cells": cells, "seconds": time.perf_counter() - t0}
    B_K, B_D = 2 * demo.K_U / demo.MS, MU0 * demo.MS
    N = out["models"].get("magnetostatics", {}).get("demag_tensor")
    if N is not None:
        dN = N[2][2] - N[0][0]
        out["macrospin_ratio"] = (B_K + dN * B_D / 2) / (B_K + B_D / 2)
    if comm.rank == 0:
        path = Path(args.out) / f"{args.name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(out, indent=1) + "\n")
        print(json.dumps(out, indent=1))
    return out


if __name__ == "__main__":
    main()
