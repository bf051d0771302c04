"""Why a Newton (SNES) solve failed, in words: its state and what to try next."""

from __future__ import annotations

import numpy as np
from petsc4py import PETSc

from fem_spin.core.refresh_policy import predicts_failure

__all__ = ["count_line_search", "hint", "line_search_failed", "reason_name", "state",
           "watch_kept_jacobian"]


def reason_name(enum, value: int) -> str:
    """The name of a PETSc converged-reason value."""
    for name in dir(enum):
        if not name.startswith("_") and getattr(enum, name) == value:
            return name
    return str(value)


def state(snes: PETSc.SNES, history: tuple[float, ...]) -> str:
    """The SNES and KSP reasons and iteration counts, and the last residual norms."""
    ksp = snes.getKSP()
    snes_reason = reason_name(PETSc.SNES.ConvergedReason, snes.getConvergedReason())
    ksp_reason = reason_name(PETSc.KSP.ConvergedReason, ksp.getConvergedReason())
    last = ", ".join(f"{r:.3e}" for r in history[-3:])
    last = f"; last residual norms: {last}" if last else ""
    ksp_history = np.asarray(ksp.getConvergenceHistory())
    ksp_last = ""
    if ksp.getType() != PETSc.KSP.Type.PREONLY and len(ksp_history):
        rel = ksp_history[-3:] / (ksp_history[0] if ksp_history[0] > 0 else 1.0)
        ksp_last = ("; the last linear residual norms " + ", ".join(f"{r:.3e}" for r in
                    ksp_history[-3:]) + " (relative " + ", ".join(f"{r:.2e}" for r in rel)
                    + f", ksp_rtol {ksp.getTolerances()[0]:.1e})")
    return (
        f"SNES reason {snes_reason} after {snes.getIterationNumber()} Newton iterations "
        f"({snes.getLinearSolveIterations()} linear iterations in total); the last linear "
        f"solve (ksp_type {ksp.getType()}, pc_type {ksp.getPC().getType()}) ended with KSP "
        f"reason {ksp_reason} after {ksp.getIterationNumber()} iterations{last}{ksp_last}"
    )


def hint(snes: PETSc.SNES) -> str:
    """What to try after a failed solve, from the reasons SNES and its KSP give."""
    direct = (
        "petsc_options={'ksp_type': 'preonly', 'pc_type': 'lu', "
        "'pc_factor_mat_solver_type': 'mumps'}"
    )
    singular = (
        "this usually means a singular matrix: check that the problem is well posed "
        "(positive tau, boundary data on tagged facets) and that the mesh is valid."
    )
    snes_reason = snes.getConvergedReason()
    ksp_reason = snes.getKSP().getConvergedReason()
    if ksp_reason == PETSc.KSP.ConvergedReason.DIVERGED_PCSETUP_FAILED:
        return f"The preconditioner (factorization) failed: {singular}"
    direct_in_use = snes.getKSP().getPC().getType() in ("lu", "cholesky")
    if direct_in_use and snes_reason != PETSc.SNES.ConvergedReason.DIVERGED_MAX_IT:
        return ("The direct solver was in use, so the linear solves are exact: Newton "
                "itself failed (in a time step: the step is too long for the dynamics, "
                "lower dt or give a tolerance for step control), or " + singular)
    if snes_reason == PETSc.SNES.ConvergedReason.DIVERGED_LINEAR_SOLVE or ksp_reason < 0:
        return (
            f"The linear solver failed: use the direct solver ({direct}), or, for a large "
            "problem at strong coupling (a = tau |H| >= 10), the geometric multigrid "
            "solver (build the mesh with fem_spin.core.linear_solvers.refine_hierarchy and "
            "pass hierarchy=...), a finer multigrid coarse level (a smaller "
            "fem_spin.core.linear_solvers.COARSE_KH), or a larger ksp_max_it."
        )
    if snes_reason == PETSc.SNES.ConvergedReason.DIVERGED_MAX_IT:
        return (
            f"Newton stopped at snes_max_it = {snes.getTolerances()[3]}: raise it, or "
            f"check that the linear solves are accurate ({direct})."
        )
    if snes_reason == 0:
        return f"With the direct solver {singular}"
    return f"Try the direct solver ({direct}) or a finer mesh."


def count_line_search(x, y, counter: list) -> None:
    """Line-search pre-check hook: counts the line searches (Newton updates) of a solve."""
    counter[0] += 1


def watch_kept_jacobian(snes: PETSc.SNES, its: int, fnorm: float, watch: dict) -> None:
    """SNES monitor: while ``watch["on"]``, ends a solve that
    :func:`~fem_spin.core.refresh_policy.predicts_failure` on the residual norms SNES has
    recorded (its convergence history, reset at each solve), as DIVERGED_MAX_IT: it would
    reach ``snes_max_it`` (and sets ``watch["stopped"]``). PETSc records the norm, tests
    convergence, then calls monitors and checks the reason, so a solve that converged at this
    iteration is left alone."""
    if watch["on"] and snes.getConvergedReason() == 0:
        rtol, _, _, max_it = snes.getTolerances()
        if predicts_failure(snes.getConvergenceHistory()[0][:its + 1], rtol, max_it):
            snes.setConvergedReason(PETSc.SNES.ConvergedReason.DIVERGED_MAX_IT)
            watch["stopped"] = True


def line_search_failed(reason: str, line_searches: int, newton_iterations: int) -> bool:
    """Whether SNES stopped on a failed line search whose tiny step it took for converged
    (newtonls: a line search failure with ``|lambda y| < stol |x|`` ends the solve as
    CONVERGED_SNORM_RELATIVE, with one more line search than Newton iterations). At the
    round-off floor of a true Newton step that is convergence; along a kept Jacobian's
    update, or before any step was taken, it is not."""
    return reason == "CONVERGED_SNORM_RELATIVE" and line_searches > newton_iterations
