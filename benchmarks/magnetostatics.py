"""Magnetostatics verification sweep: the demagnetizing factors of a sphere, a prolate and an
oblate spheroid (Osborn 1945), a disc (the cylinder's magnetometric factor) and a cube (1/3)
on refined meshes with P1 and P2 potentials; the exterior treatments (Robin, Dirichlet,
shell transformation) against the air-ball radius; the cost (cells, dofs, set-up, LU, one
solve). The same cases as tests/verification/test_magnetostatics.py (tests.helpers).

Usage: .venv/bin/python benchmarks/magnetostatics.py [--out benchmarks/results/magnetostatics.md]
Runs serially (about 10 min on one core).
"""

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests package

import fem_spin  # noqa: F401, I001  (before dolfinx)
import numpy as np
from mpi4py import MPI

from fem_spin.problems.magnetostatics import demagnetizing_tensor
from tests.helpers.demag_cases import CASES, demag_problem

SWEEP = {  # case: mesh sizes h (nm) of the magnet
    "sphere": (4.0, 2.0, 1.4),
    "prolate": (4.0, 2.8, 2.0),
    "oblate": (3.0, 2.0, 1.4),
    "disc": (2.0, 1.4, 1.0),
    "cube": (2.5, 1.8, 1.25),
}


def measure(comm, case, h, degree, **kw):
    t0 = time.perf_counter()
    geo, demag = demag_problem(comm, case, h, degree=degree, **kw)
    t1 = time.perf_counter()
    N = np.diag(demagnetizing_tensor(demag))  # the first solve factorizes
    t2 = time.perf_counter()
    M = np.zeros((len(demag._M_map), 3))
    M[:, 2] = 1.0
    demag.solve(M.ravel())
    t3 = time.perf_counter()
    exact = np.array(CASES[case][2])
    row = {"case": case, "degree": degree, "h": h, **{k: v for k, v in kw.items()},
           "cells": int(geo.stats["cells"]), "dofs": demag.V.dofmap.index_map.size_global,
           "N": N.tolist(), "exact": exact.tolist(),
           "rel_error": float(np.max(np.abs(N - exact) / exact)),
           "setup_s": t1 - t0, "three_solves_s": t2 - t1, "one_solve_s": t3 - t2}
    demag.close()
    print(json.dumps(row), flush=True)
    return row


def rates(rows):
    out = []
    for a, b in zip(rows[:-1], rows[1:], strict=True):
        out.append(np.log(a["rel_error"] / b["rel_error"]) / np.log(a["h"] / b["h"]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="benchmarks/results/magnetostatics.md")
    args = parser.parse_args()
    comm = MPI.COMM_SELF
    lines = ["# Magnetostatics: verification and cost", "",
             "`benchmarks/magnetostatics.py` (serial, one core). N: the volume-averaged "
             "demagnetizing factors (diagonal, x y z); error: the largest relative error of "
             "the three; rate: between successive meshes. Air ball 3x the magnet's extent, "
             "Robin (dipole) condition, cells growing with the distance from the magnet.", "",
             "## Demagnetizing factors", "",
             "| case | degree | h (nm) | cells | dofs | N (computed) | N (exact) | error | rate "
             "| set-up s | LU + 3 solves s | one solve s |", "|" + "---|" * 12]
    results = []
    for case, hs in SWEEP.items():
        for degree in (1, 2):
            rows = [measure(comm, case, h, degree) for h in hs]
            results += rows
            for row, rate in zip(rows, [None] + rates(rows), strict=True):
                lines.append(
                    f"| {case} | P{degree} | {row['h']} | {row['cells']} | {row['dofs']} | "
                    + ", ".join(f"{v:.5f}" for v in row["N"]) + " | "
                    + ", ".join(f"{v:.5f}" for v in row["exact"])
                    + f" | {row['rel_error']:.2e} | {'' if rate is None else f'{rate:.2f}'} | "
                    f"{row['setup_s']:.2f} | {row['three_solves_s']:.2f} | "
                    f"{row['one_solve_s']:.3f} |")
    lines += ["", "## The exterior: truncation against the air-ball radius (cube, P2, h = 1.8 nm)",
              "", "| exterior | R1 / extent | cells | dofs | N_zz | error | LU + 3 solves s |",
              "|---|---|---|---|---|---|---|"]
    for exterior in ("robin", "dirichlet", "shell"):
        for air in (1.5, 2.0, 3.0, 4.0):
            row = measure(comm, "cube", 1.8, 2, air_factor=air, exterior=exterior)
            results.append(row)
            lines.append(f"| {exterior} | {air} | {row['cells']} | {row['dofs']} | "
                         f"{row['N'][2]:.5f} | {row['rel_error']:.2e} | "
                         f"{row['three_solves_s']:.2f} |")
    Path(args.out).write_text("\n".join(lines) + "\n")
    Path(args.out).with_suffix(".json").write_text(json.dumps(results, indent=1) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
