"""Advice for a failed solve that fits the solver in use (a direct factorization or an
iterative solver) and the kind of run."""

from __future__ import annotations

from fem_spin.app.schema import Case

__all__ = ["solver_advice", "uses_direct_solver"]


def uses_direct_solver(case: Case) -> bool:
    """Whether the case's linear solves are factorizations (the default of a small dynamics or
    steady run, or pc_type = lu/cholesky in [solver.petsc_options]; linear_solver =
    "iterative" is the multigrid, or the block solver of a dynamics run)."""
    opts = case.petsc_options
    if "pc_type" in opts:
        return str(opts["pc_type"]) in ("lu", "cholesky")
    return case.linear_solver != "iterative"


def solver_advice(case: Case) -> str:
    """One sentence of advice appended to a solver failure."""
    if case.dynamics is not None:
        base = (" Advice: the time step may be too long for this drive: lower dynamics.dt, or "
                "give dynamics.tol (step control)")
        if not uses_direct_solver(case):
            base += (", or set solver.linear_solver = 'direct' and remove the iterative "
                     "options of [solver.petsc_options] (the direct solver is MUMPS)")
        # not "then resume": --resume continues the same case only (a changed dt or tol
        # changes the case's hash), and a failed step leaves no new checkpoint
        return base + ", and run the case again (--resume continues an unchanged case only)."
    if uses_direct_solver(case):
        return (" Advice: the direct solver was in use, so the matrix itself is singular or "
                "badly scaled: check the boundary data (at least one Dirichlet or flux "
                "boundary), the materials (positive tau, D) and the mesh.")
    return (" Advice: the iterative solver did not converge: try solver.linear_solver = "
            "'direct', or refine the coarse mesh of the multigrid.")
