"""Benchmark: what the coupled step's Jacobian costs to insert, by the layout of its unknown.

The monolithic coupled step (:class:`fem_spin.CoupledSpinDynamics`) solves for (m, M, W) on
a mixed space of three P1 vectors: 36 x 36 values per tetrahedron, inserted into an AIJ
matrix one by one. On the switching pillar of ``examples/switching_pillar.toml`` refined
``--level`` times, after two time steps of drive 5.5, this times in one process:

* the step's Jacobian as the package assembles it (its form into AIJ);
* a form with the same 36 x 36 element tensor and a trivial kernel (the 9-component mixed
  mass with one quadrature point): the insertion alone;
* the same tensor for other layouts of the unknown: one blocked P1 element of 9 components
  into AIJ and into BAIJ (block size 9), and one field pair (3 x 3 components, 12 x 12
  values per cell) into BAIJ (block size 3), times 7: the non-zero field pairs of the
  Jacobian (m-m, m-M, M-m, M-M, M-W, W-M, W-W) as separate blocks;
* the AIJ copy of the BAIJ(9) matrix that a field split would need (PETSc extracts whole
  blocks of a BAIJ matrix; the split takes m, 3 of the 9 components);
* a product with each matrix (mixed AIJ, BAIJ(9), a nest of 7 BAIJ(3) blocks).

Times are CPU seconds, the best of 3; ratios are against the package's Jacobian. The script
writes ``benchmarks/results/<name>.json`` and ``.md``.

Usage (from the repository root, the venv's python)::

    python benchmarks/jacobian_layout.py --level 2
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASE = HERE.parent / "examples" / "switching_pillar.toml"
FIELD_PAIRS = 7  # m-m, m-M, M-m, M-M, M-W, W-M, W-W


def best_cpu(run, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        c0 = time.process_time()
        run()
        best = min(best, time.process_time() - c0)
    return best


def measure(level: int) -> dict:
    import fem_spin  # noqa: F401, I001 (first: before dolfinx / petsc4py)

    import basix.ufl
    import dolfinx.fem as fem
    import dolfinx.fem.petsc as fp
    import ufl
    from mpi4py import MPI
    from petsc4py import PETSc

    from fem_spin.app.builders.geometry import mesh_step
    from fem_spin.app.builders.problems import coupled_problem
    from fem_spin.app.results import Results
    from fem_spin.app.schema import load_case
    from fem_spin.core.fields import jit_options

    case = load_case(CASE, [f"solver.refinements={level}", "dynamics.drives=[5.5]"])
    case = dataclasses.replace(case, linear_solver="direct")
    geometry, _ = mesh_step(MPI.COMM_SELF, case, Results())
    mesh = geometry.mesh
    problem = coupled_problem(case, geometry)
    problem.set_drive(case.dynamics.drive(5.5))
    for _ in range(2):
        problem.step(case.dynamics.dt)

    def assembly(a, kind=None):
        form = fem.form(a, jit_options=jit_options())
        A = fp.create_matrix(form, kind=kind)

        def run():
            A.zeroEntries()
            fp.assemble_matrix(A, form)
            A.assemble()
        return best_cpu(run), A

    def product(A) -> float:
        x, y = A.createVecs()
        x.set(1.0)
        return best_cpu(lambda: [A.mult(x, y) for _ in range(20)]) / 20

    dx = ufl.dx(domain=mesh, metadata={"quadrature_degree": 1})
    cell = mesh.basix_cell()
    vector3 = basix.ufl.element("Lagrange", cell, 1, shape=(3,))
    spaces = {"mixed": fem.functionspace(mesh, basix.ufl.mixed_element([vector3] * 3)),
              "blocked9": fem.functionspace(mesh, basix.ufl.element("Lagrange", cell, 1,
                                                                    shape=(9,))),
              "pair": fem.functionspace(mesh, vector3)}

    def mass(V):
        return ufl.inner(ufl.TrialFunction(V), ufl.TestFunction(V)) * dx

    u = problem.u
    t_jacobian, _ = assembly(ufl.derivative(problem.residual, u))
    t_mixed, A_mixed = assembly(mass(spaces["mixed"]))
    t_b9_aij, _ = assembly(mass(spaces["blocked9"]))
    t_b9_baij, A_b9 = assembly(mass(spaces["blocked9"]), kind="baij")
    t_pair, A_pair = assembly(mass(spaces["pair"]), kind="baij")
    aij = PETSc.Mat()  # a field split of BAIJ(9) needs an AIJ copy (sub-blocks of blocks)
    A_b9.convert(PETSc.Mat.Type.AIJ, out=aij)
    t_convert = best_cpu(lambda: A_b9.convert(PETSc.Mat.Type.AIJ, out=aij))
    zero = {(0, 2), (2, 0)}  # m-W and W-m
    # distinct copies: one matrix read seven times would stay in the cache
    nest = PETSc.Mat().createNest([[None if (i, j) in zero else A_pair.duplicate(copy=True)
                                    for j in range(3)] for i in range(3)])
    out = {
        "level": level, "cells": mesh.topology.index_map(3).size_global,
        "dofs": (u.function_space.dofmap.index_map.size_global
                 * u.function_space.dofmap.index_map_bs),
        "jacobian_s": t_jacobian, "mixed_aij_s": t_mixed, "blocked9_aij_s": t_b9_aij,
        "blocked9_baij_s": t_b9_baij, "baij9_to_aij_s": t_convert,
        "pairs_baij3_s": FIELD_PAIRS * t_pair,
        "product_mixed_aij_ms": 1e3 * product(A_mixed),
        "product_baij9_ms": 1e3 * product(A_b9),
        "product_nest_baij3_ms": 1e3 * product(nest),
    }
    problem.close()
    return out


def markdown(d: dict) -> str:
    J = d["jacobian_s"]
    rows = [("the step's Jacobian (its form, mixed space, AIJ): the package", J),
            ("36 x 36 trivial tensor, mixed space, AIJ (insertion)", d["mixed_aij_s"]),
            ("36 x 36 trivial tensor, blocked 9-component P1, AIJ", d["blocked9_aij_s"]),
            ("36 x 36 trivial tensor, blocked 9-component P1, BAIJ(9)", d["blocked9_baij_s"]),
            ("its AIJ copy (MatConvert, refilled), for a field split", d["baij9_to_aij_s"]),
            (f"{FIELD_PAIRS} field pairs, 12 x 12 each, BAIJ(3)", d["pairs_baij3_s"])]
    lines = ["# The coupled Jacobian's insertion by the layout of the unknown", "",
             f"Switching pillar refined {d['level']} times: {d['cells']:,} cells, "
             f"{d['dofs']:,} dofs (m, M, W). CPU seconds, best of 3, one process "
             "(`benchmarks/jacobian_layout.py`).", "",
             "| assembly | s | us / cell | / the package's Jacobian |", "|---|---|---|---|"]
    lines += [f"| {name} | {t:.3f} | {1e6 * t / d['cells']:.1f} | {t / J:.2f} |"
              for name, t in rows]
    lines += ["", "| product with | ms |", "|---|---|",
              f"| the mixed space's AIJ matrix | {d['product_mixed_aij_ms']:.2f} |",
              f"| BAIJ(9) | {d['product_baij9_ms']:.2f} |",
              f"| a nest of {FIELD_PAIRS} BAIJ(3) blocks | {d['product_nest_baij3_ms']:.2f} |"]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--level", type=int, default=2)
    ap.add_argument("--name", default="jacobian_layout")
    args = ap.parse_args()
    data = measure(args.level)
    results = HERE / "results"
    (results / f"{args.name}.json").write_text(json.dumps(data, indent=1) + "\n")
    (results / f"{args.name}.md").write_text(markdown(data))
    print(markdown(data))


if __name__ == "__main__":
    main()
