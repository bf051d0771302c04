"""Kittel with the FEM demagnetizing field: the uniform mode of a sphere and of prolate and
oblate spheroids (tests/helpers/mode_demag_cases.py) against
``omega = gamma sqrt((B + (N_1 - N_0) mu0 Ms)(B + (N_2 - N_0) mu0 Ms))`` with the exact
factors, on three meshes each (P2 potential, Robin exterior at twice the extent, B = 0.1 T
along the axis of M; permalloy Ms = 8e5 A/m).

Usage: ``python benchmarks/spin_wave_demag.py`` (writes benchmarks/results/spin_wave_demag.json
and .md; ~2 min serial).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from mpi4py import MPI

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.helpers.exact import rates  # noqa: E402
from tests.helpers.mode_demag_cases import kittel_case  # noqa: E402

SWEEPS = {"sphere": (4.0, 2.8, 2.0), "prolate": (4.0, 2.8, 2.0), "oblate": (3.0, 2.5, 2.0)}
SHAPES = {"sphere": "sphere R = 10 nm, M || z", "prolate": "prolate 20 x 10 x 10 nm, M || a",
          "oblate": "oblate 30 x 30 x 10 nm, M in plane"}


def main() -> None:
    comm = MPI.COMM_WORLD
    out = {}
    for case, hs in SWEEPS.items():
        runs = [kittel_case(comm, case, h) for h in hs]
        for r in runs:
            r.pop("s")
        out[case] = {"runs": runs, "rates": rates(hs, [r["error"] for r in runs]).tolist()}
    if comm.rank == 0:
        here = Path(__file__).resolve().parent / "results"
        (here / "spin_wave_demag.json").write_text(json.dumps(out, indent=1))
        lines = ["# Kittel with the FEM demagnetizing field (benchmarks/spin_wave_demag.py)", "",
                 f"{comm.size} rank(s); P2 potential, Robin exterior at 2x the extent, "
                 "B = 0.1 T along M, Ms = 8e5 A/m, A = 13 pJ/m; the equilibrium relaxed with "
                 "the FEM field (LLG.solve_steady). Error: |s - s_Kittel| / |s_Kittel| of the "
                 "lowest mode; rate: between consecutive meshes.", "",
                 "| case | h (nm) | magnet vertices | f (GHz) | Kittel (GHz) | error | rate |",
                 "|---|---|---|---|---|---|---|"]
        for case, d in out.items():
            for i, r in enumerate(d["runs"]):
                rate = "" if i == 0 else f"{d['rates'][i - 1]:.2f}"
                lines.append(f"| {SHAPES[case]} | {r['h_nm']:g} | {r['magnet_vertices']} | "
                             f"{r['f_GHz'][0]:.4f} | {r['f_kittel_GHz']:.4f} | "
                             f"{r['error']:.2e} | {rate} |")
        lines += ["", "The sphere's frequency is gamma B / 2 pi whatever its (isotropic) N: "
                  "its error is the discrete field's anisotropy, which does not fall "
                  "monotonically (the meshes are not nested)."]
        (here / "spin_wave_demag.md").write_text("\n".join(lines) + "\n")
        print("\n".join(lines))


if __name__ == "__main__":
    main()
