"""Why the coupled step's chord takes about ten Newton iterations per step: the contraction
of the chord iteration with a Jacobian kept from an earlier step, and which of its blocks
sets it.

The chord solves ``F(u) = 0`` with ``u <- u - J_kept^{-1} F(u)``; near the solution its
error contracts by the spectral radius of ``E = I - J_kept^{-1} J``, ``J`` the Jacobian at the
solution. On the switching pillar (``examples/switching_pillar.toml``, drive 5.5, unrefined:
4,347 dofs, so that the matrices are dense-sized) this script steps to ``--step``, takes
``J_kept`` at that step's solution and ``J`` at the solution ``--lag`` steps later, and
prints the spectral radius of ``E`` for ``J_kept`` with some of its blocks replaced by
``J``'s: the (M, W) rows, the accumulation's rows, ``A_mm`` (m's rows and columns),
``A_mm``'s precession term alone, ``A_mM``. It also prints the error of the step's initial
guess (the linear extrapolation of the last two states) relative to each field's size.

    python benchmarks/chord_contraction.py            # writes results/chord_contraction.md
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--step", type=int, nargs="+", default=[20, 40])
    ap.add_argument("--lag", type=int, default=3)
    args = ap.parse_args()

    import fem_spin  # noqa: F401, I001 (first: before dolfinx / petsc4py)
    import dolfinx.fem as fem
    import dolfinx.fem.petsc as fp
    import numpy as np
    import ufl
    from mpi4py import MPI

    from fem_spin.app.builders.geometry import mesh_step
    from fem_spin.app.builders.problems import coupled_problem
    from fem_spin.app.results import Results
    from fem_spin.app.schema import load_case

    comm = MPI.COMM_SELF
    case = load_case(str(HERE.parent / "examples" / "switching_pillar.toml"),
                     ["dynamics.drives=[5.5]"])
    case = dataclasses.replace(case, linear_solver="direct")
    geometry, hierarchy = mesh_step(comm, case, Results())
    p = coupled_problem(case, geometry, hierarchy=hierarchy)
    p.set_drive(case.dynamics.drive(5.5))

    # the step's Jacobian, and that of A_mm's precession term int (H(M) x m_theta) . v alone
    m, M, _ = p._parts(p.u)
    m_n, M_n, _ = p._parts(p.u_n)
    v = p._parts(ufl.TestFunction(p.u.function_space))[0]
    th = p.tc.theta
    H, _ = p._field_and_equilibrium(th * M + (1 - th) * M_n)
    precession = ufl.inner(ufl.cross(H, th * m + (1 - th) * m_n), v) * p.dx
    forms = {"J": fem.form(ufl.derivative(p.residual, p.u)),
             "P": fem.form(ufl.derivative(precession, p.u))}

    history = [p.u_n.x.array.copy()]
    guess_errors = []
    for _ in range(max(args.step) + args.lag):
        guess = (2 * history[-1] - history[-2]) if len(history) > 1 else history[-1]
        p.step(case.dynamics.dt)
        history.append(p.u_n.x.array.copy())
        if len(history) > 2:
            u = history[-1]
            guess_errors.append({name: float(np.linalg.norm((guess - u)[d])
                                             / np.linalg.norm(u[d]))
                                 for name, _, d in p.fields})

    def dense(name: str, k: int) -> np.ndarray:
        """The form's matrix at the solution of step k (its history: steps k-1, k-2)."""
        p.u.x.array[:], p.u_n.x.array[:], p.u_nm1.x.array[:] = (
            history[k], history[k - 1], history[k - 2])
        A = fp.assemble_matrix(forms[name], bcs=p.boundary.bcs if name == "J" else [])
        A.assemble()
        out = A.convert("dense").getDenseArray().copy()
        A.destroy()
        return out

    dofs = {name: d for name, _, d in p.fields}
    rows = []
    for k in args.step:
        kept, J = dense("J", k), dense("J", k + args.lag)
        dP = dense("P", k + args.lag) - dense("P", k)
        mm = np.ix_(dofs["m"], dofs["m"])
        mM = np.ix_(dofs["m"], dofs["M"])
        MW = np.concatenate([dofs["M"], dofs["W"]])

        def with_fresh(*parts):
            A = kept.copy()
            for part in parts:
                A[part] = J[part]
            return A

        precession_fresh = kept.copy()
        precession_fresh[mm] += dP[mm]
        variants = {"kept": kept, "(M, W) rows fresh": with_fresh(MW),
                    "m rows fresh": with_fresh(dofs["m"]), "A_mm fresh": with_fresh(mm),
                    "A_mm's precession fresh": precession_fresh, "A_mM fresh": with_fresh(mM)}
        n = len(kept)
        for label, A in variants.items():
            rho = float(np.max(np.abs(np.linalg.eigvals(np.eye(n) - np.linalg.solve(A, J)))))
            rows.append({"step": k, "lag": args.lag, "kept Jacobian": label, "rho": rho})
            print(json.dumps(rows[-1]), flush=True)

    mean = {name: float(np.mean([e[name] for e in guess_errors])) for name in dofs}
    lines = ["# The chord's contraction on the switching pillar (drive 5.5, 4,347 dofs)", "",
             f"Spectral radius of `I - J_kept^-1 J`: `J_kept` at step k's solution with the "
             f"named blocks from `J`, the Jacobian {args.lag} steps later (dt = "
             f"{case.dynamics.dt:g} ps). A chord iteration multiplies the error by about rho.",
             "", "| step k | kept Jacobian | rho |", "|---|---|---|"]
    lines += [f"| {r['step']} | {r['kept Jacobian']} | {r['rho']:.3g} |" for r in rows]
    lines += ["", "The initial guess (linear extrapolation of the last two states): its error "
              "relative to the solution, l2 norm per field, mean over "
              f"{len(guess_errors)} steps: "
              + ", ".join(f"{k} {v:.2g}" for k, v in mean.items()) + "."]
    out = HERE / "results" / "chord_contraction"
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    out.with_suffix(".json").write_text(json.dumps({"rows": rows, "guess_error": mean},
                                                   indent=1))
    print("\n".join(lines))
    p.close()


if __name__ == "__main__":
    main()
