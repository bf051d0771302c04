"""The switching pillar's soft-mode drive, with the thin-film term and with full
magnetostatics, beside the time-domain critical drive of the same two models.

The pillar, materials, free layer and drive of demos/switching_pillar.py on the mesh of
benchmarks/switching_critical_current.py (h_max = 3 nm; air ball of 30 nm, Robin, P2 for the
magnetostatic model). At each drive j (constant), the coupled steady state with the free layer
along p (the P state; with ``demag=`` the steady solve includes the field) and its spin-wave
modes with the accumulation's dynamic response and, for the magnetostatic model, the
demagnetizing field in the same pencil (fem_spin.problems.mode_coupling.coupled_modes). The
soft drive is where the lowest mode's decay rate crosses zero (linear interpolation): the
linear instability of the P state. The time-domain critical drives (switching within 400 ps
from 10 degrees off p) are read from switching_critical_current_refined.json.

Usage: mpiexec -n 2 .venv/bin/python benchmarks/soft_mode_magnetostatics.py
       [--drives 0 1 2 3 4 5 6] [--out benchmarks/results]   (a few minutes)
"""

# ruff: noqa: I001  (fem_spin is imported before mpi4py on purpose)
import argparse
import json
import time
from pathlib import Path

import fem_spin  # noqa: F401
from mpi4py import MPI

from fem_spin.app.modes import soft_drive
from fem_spin.problems.mode_coupling import coupled_modes
from switching_critical_current import demo, problem

RESULTS = Path(__file__).resolve().parent / "results"


def lowest_modes(comm, model: str, drives, h_max: float, air_radius: float) -> list[dict]:
    p, demag, cells = problem(comm, model, h_max, air_radius, tilt_deg=0.0)
    rows = []
    p.reset()
    for j in drives:  # each steady state from the previous drive's (continuation)
        t0 = time.perf_counter()
        p.set_drive(lambda t, j=j: j)
        info = p.solve_steady()
        modes = coupled_modes(p, dynamic=True).solve(2)
        row = {"drive": j, **modes.as_rows()[0], "steady_newton": info.newton_iterations,
               "cells": cells, "seconds": time.perf_counter() - t0}
        rows.append(row)
        if comm.rank == 0:
            print(f"{model} j = {j:g}: f = {row['frequency_GHz']:.4f} GHz, decay "
                  f"{row['decay_rate_per_ns']:+.4f} /ns ({row['seconds']:.1f} s)", flush=True)
    p.close()
    if demag is not None:
        demag.close()
    return rows


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--drives", type=float, nargs="+", default=[0, 1, 2, 3, 4, 5, 6])
    ap.add_argument("--h-max", type=float, default=3.0)
    ap.add_argument("--air-radius", type=float, default=30.0)
    ap.add_argument("--out", default=str(RESULTS))
    args = ap.parse_args(argv)
    comm = MPI.COMM_WORLD
    td = json.loads((RESULTS / "switching_critical_current_refined.json").read_text())
    out = {"h_max_nm": args.h_max, "air_radius_nm": args.air_radius, "J_1_A_per_m2": demo.J_1,
           "models": {}}
    for model in ("thin_film", "magnetostatics"):
        rows = lowest_modes(comm, model, args.drives, args.h_max, args.air_radius)
        out["models"][model] = {
            "lowest_mode": rows,
            "soft_drive": soft_drive([r["drive"] for r in rows],
                                     [r["decay_rate_per_ns"] for r in rows]),
            "time_domain_bracket": td["models"][model]["critical_drive_bracket"]}
    if comm.rank == 0:
        Path(args.out).mkdir(parents=True, exist_ok=True)
        (Path(args.out) / "soft_mode_magnetostatics.json").write_text(
            json.dumps(out, indent=1) + "\n")
        for model, r in out["models"].items():
            print(f"{model}: soft drive {r['soft_drive']}, time domain "
                  f"{r['time_domain_bracket']}")
    return out


if __name__ == "__main__":
    main()
