"""S1's phases in CPU seconds, each timed on its own: the Jacobian (and, on the BAIJ path, the
Galerkin operators), the residual, the preconditioner set-up and the Krylov solve, for the
iterative variants of ``s1_benchmark.py`` (aij, baij, cell) beside the Poisson phases, on the
benchmark's device. On a loaded machine the wall split of ``s1_benchmark.py`` scaled by one
CPU/wall ratio is approximate; this script calls each phase separately and reads the process
CPU clock around it (serial only).

    python benchmarks/s1_phases.py --level 3 --a 10 100     # writes results/s1_phases_l3.md
    python benchmarks/s1_phases.py --level 4 --a 100 --variants baij \
        --sets "" "ksp_type=fgmres,mg_coarse_pc_precision=single"  # option sets side by side
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--level", type=int, default=3)
    ap.add_argument("--a", type=float, nargs="+", default=[10.0, 100.0])
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--variants", nargs="+", default=["aij", "pointwise", "ffcx", "baij", "cell"],
                    choices=["aij", "pointwise", "ffcx", "baij", "baij-aijlevels", "cell"],
                    help="as in s1_benchmark.py")
    ap.add_argument("--name", default="", help="suffix of the results files")
    ap.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                    help="PETSc option for S1 (without prefix), e.g. mg_levels_ksp_max_it=2")
    ap.add_argument("--sets", nargs="+", default=[""], metavar="K=V,K=V",
                    help="option sets (comma-separated KEY=VALUE, on top of --option), each "
                         "measured as its own row in the same process; \"\" is none")
    args = ap.parse_args()

    import fem_spin as fs  # noqa: I001 (first: before dolfinx / petsc4py)
    import dolfinx.fem as fem
    import dolfinx.fem.petsc as fp
    import dolfinx.mesh as dm
    import numpy as np
    import ufl
    from mpi4py import MPI
    from petsc4py import PETSc

    import s1_benchmark as sb
    from fem_spin.core import linear_solvers as ls
    from fem_spin.core.fields import jit_options
    from fem_spin.problems import steady
    from fem_spin.textures import magnetization, vortex

    comm = MPI.COMM_SELF
    coarse = dm.create_box(comm, [[0, 0, 0], [sb.L, sb.L, sb.THICKNESS]], list(sb.BASE_CELLS),
                           dm.CellType.tetrahedron)
    coarse.topology.create_connectivity(2, 3)
    left = np.sort(dm.locate_entities_boundary(coarse, 2, lambda x: np.isclose(x[0], 0.0)))
    ft = dm.meshtags(coarse, 2, left.astype(np.int32), np.full(len(left), 1, np.int32))
    hierarchy = ls.refine_hierarchy(coarse, args.level, facet_tags=ft)
    mesh = hierarchy.mesh

    def cpu(f):
        best = None
        for _ in range(args.reps):
            c0 = time.process_time()
            f()
            c = time.process_time() - c0
            best = c if best is None else min(best, c)
        return best

    # Poisson: matrix (re-assembly into the created matrix), GAMG set-up, CG solve
    V = fem.functionspace(mesh, ("Lagrange", 1))
    u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
    mesh.topology.create_connectivity(2, 3)
    bc = fem.dirichletbc(0.0, fem.locate_dofs_topological(
        V, 2, dm.exterior_facet_indices(mesh.topology)), V)
    a_form = fem.form(ufl.inner(ufl.grad(u), ufl.grad(v)) * ufl.dx, jit_options=jit_options())
    L_form = fem.form(fem.Constant(mesh, 1.0) * v * ufl.dx, jit_options=jit_options())
    c0 = time.process_time()
    A = fp.assemble_matrix(a_form, bcs=[bc])
    A.assemble()
    create = time.process_time() - c0

    def poisson_matrix():
        A.zeroEntries()
        fp.assemble_matrix(A, a_form, bcs=[bc])
        A.assemble()

    b = fp.assemble_vector(L_form)
    fp.apply_lifting(b, [a_form], [[bc]])
    b.ghostUpdate(PETSc.InsertMode.ADD, PETSc.ScatterMode.REVERSE)
    fp.set_bc(b, [bc])
    x = A.createVecRight()
    ksps = []

    def gamg_setup():
        ksp = PETSc.KSP().create(comm)
        ksp.setOperators(A)
        ksp.setType("cg")
        ksp.getPC().setType("gamg")
        ksp.setTolerances(rtol=sb.RTOL)
        ksp.setUp()
        ksps.append(ksp)

    poisson = {"create_and_assemble_s": create, "matrix_s": cpu(poisson_matrix),
               "setup_s": cpu(gamg_setup)}
    poisson["solve_s"] = cpu(lambda: (x.set(0.0), ksps[-1].solve(b, x)))
    for ksp in ksps:
        ksp.destroy()

    rows = []
    M = magnetization(mesh, vortex(core_radius=sb.CORE, center=(sb.L / 2, sb.L / 2, 0.0)))
    runs = [(variant, opts) for variant in args.variants for opts in args.sets]
    for a in args.a:
        mat = fs.Material(D=sb.D, tau=sb.TAU, lam=a / sb.TAU, m0=sb.M0)
        for variant, opts in runs:
            ls.BLOCKED_JACOBIAN = variant != "aij"
            ls.BLOCKED_LEVELS = variant != "baij-aijlevels"
            ls.INTERMEDIATE_SMOOTHING = 1 if variant == "baij-aijlevels" else 2
            steady.AVERAGE_TENSOR = steady.LINEAR_RESIDUAL = variant not in ("aij", "pointwise")
            steady.DIFFUSION_KERNEL = variant != "ffcx"
            p = fs.SteadySpinDiffusion(
                mesh, mat, facet_tags=hierarchy.facet_tags, M=M,
                dirichlet=[fs.Dirichlet(1, (0.0, 0.0, 1.0))], quadrature_degree=2,
                solver="iterative", hierarchy=hierarchy,
                tensor="cell" if variant == "cell" else "quadrature",
                petsc_options={"ksp_rtol": sb.RTOL,
                               **dict(o.split("=", 1) for o in args.option),
                               **dict(o.split("=", 1) for o in opts.split(",") if o)})
            p.solve()  # everything created once (symbolic products, coarse LU, JIT)
            snes = p._solver.snes
            skp = snes.getKSP()
            X = snes.getSolution().duplicate()
            X.set(0.0)
            F = snes.getFunction()[0].duplicate()
            J, P = snes.getJacobian()[:2]
            # the per-cell tensor (refreshed by solve()) counts with the Jacobian; with the
            # linear residual (F = A m - b) the Jacobian phase assembles A and b, the residual
            # phase is the product

            def tensor():
                if p._Dt_cell is not None:
                    p._Dt_cell.update()
                if p._linear is not None:
                    p._linear.refresh()

            row = {"a": a, "variant": variant, "options": opts,
                   "tensor_s": cpu(tensor),
                   "jacobian_s": cpu(lambda: (tensor(), snes.computeJacobian(X, J, P))),
                   "residual_s": cpu(lambda: snes.computeFunction(X, F))}
            skp.setOperators(J, P)

            def setup():
                J.assemble()  # a new matrix state: the preconditioner is set up again
                skp.setOperators(J, P)
                skp.setUp()

            row["setup_s"] = cpu(setup)
            Y = X.duplicate()
            row["solve_s"] = cpu(lambda: (Y.set(0.0), skp.solve(F, Y)))
            row["iterations"] = skp.getIterationNumber()
            R = F.duplicate()
            J.mult(Y, R)
            R.axpy(-1.0, F)  # the true residual: the tolerance is met, not only estimated
            row["true_relres"] = R.norm() / F.norm()
            R.destroy()
            rows.append(row)
            print(json.dumps(row), flush=True)
            p.close()

    lines = [f"# S1 phases in CPU seconds (level {args.level}, serial)", "",
             "Each phase called on its own, min over "
             f"{args.reps}; load average {' '.join(Path('/proc/loadavg').read_text().split()[:3])}"
             " at the end. Poisson: matrix created and assembled "
             f"{poisson['create_and_assemble_s']:.3f} s, re-assembled {poisson['matrix_s']:.3f} s,"
             f" GAMG set-up {poisson['setup_s']:.3f} s, CG solve {poisson['solve_s']:.3f} s. "
             "S1 assembly = Jacobian (with the per-cell tensor's refresh, in brackets, and, "
             "BAIJ, the AIJ copy and the Galerkin products) + residual; time to solution against "
             "Poisson's (created + assembled, set-up, solve). Options: "
             f"{' '.join(args.option) or 'none'}.",
             "", "| a | variant | its | true residual | Jacobian | residual | set-up | solve "
             "| asm / Poisson asm | solve / Poisson solve | time to solution / Poisson's |",
             "|" + "---|" * 11]
    pt = poisson["create_and_assemble_s"] + poisson["setup_s"] + poisson["solve_s"]
    for r in rows:
        asm = r["jacobian_s"] + r["residual_s"]
        name = r["variant"] + (f" + {r['options']}" if r.get("options") else "")
        lines.append(f"| {r['a']:g} | {name} | {r['iterations']} | {r['true_relres']:.1e} | "
                     f"{r['jacobian_s']:.3f} "
                     f"({r.get('tensor_s', 0.0):.3f}) | {r['residual_s']:.3f} | "
                     f"{r['setup_s']:.3f} | {r['solve_s']:.3f} | "
                     f"{asm / poisson['create_and_assemble_s']:.1f} | "
                     f"{r['solve_s'] / poisson['solve_s']:.1f} | "
                     f"{(asm + r['setup_s'] + r['solve_s']) / pt:.1f} |")
    out = HERE / "results" / f"s1_phases_l{args.level}{args.name}"
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    out.with_suffix(".json").write_text(json.dumps({"poisson": poisson, "rows": rows}, indent=1))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
