"""The PETSc options of fem_spin's Newton solves (:class:`fem_spin.core.newton.NewtonSolver`):
the default, the lagged LU and the chord, and how a user's options are merged with them."""

from __future__ import annotations

from collections.abc import Mapping

from fem_spin.errors import InputError

__all__ = ["CHORD_OPTIONS", "DEFAULT_PETSC_OPTIONS", "LAGGED_LU_OPTIONS", "merged_options",
           "option_names"]

# Newton with a full step (a linear problem converges in one step: the residual drops to
# round-off; if it stalls there, the step-size test `snes_stol` ends the iteration).
# Direct MUMPS LU is the robust default for small and medium problems.
# Failures are read from the converged reasons, not raised inside PETSc, so that the
# SolverError can name them: PETSc must not raise on a non-converged KSP/SNES, and SNES stops
# at the first failed linear solve with reason DIVERGED_LINEAR_SOLVE.
DEFAULT_PETSC_OPTIONS: dict[str, object] = {
    "snes_type": "newtonls",
    "snes_linesearch_type": "basic",
    "snes_rtol": 1e-10,
    "snes_atol": 1e-14,
    "snes_stol": 1e-12,
    "snes_max_it": 25,
    "snes_max_linear_solve_fail": 1,
    "snes_error_if_not_converged": False,
    "ksp_error_if_not_converged": False,
    "ksp_type": "preonly",
    "pc_type": "lu",
    "pc_factor_mat_solver_type": "mumps",
}

#: Reuse of one LU factorization across Newton iterations and solves (e.g. time steps):
#: GMRES on the current Jacobian, preconditioned by the last MUMPS LU, which is refreshed
#: (refactored) for the next solve when a solve needed more than :data:`LAG_REFRESH_ITS`
#: GMRES iterations per Newton iteration, and at once (the solve repeated from its initial
#: guess) when a linear solve fails. The Jacobian is assembled at every Newton iteration; only
#: the factorization is saved. The solution is the same to the Newton tolerance.
LAGGED_LU_OPTIONS: dict[str, object] = {
    "ksp_type": "gmres",
    "ksp_rtol": 1e-9,
    "ksp_max_it": 40,
    "ksp_gmres_restart": 40,
    "snes_lag_preconditioner": -2,  # build once, then keep (-1 is refused as an option)
    "snes_lag_preconditioner_persists": True,
}

#: The chord variant of :data:`LAGGED_LU_OPTIONS`: the Jacobian, too, is kept (assembled and
#: factored when refreshed), each Newton iteration costs one residual and one LU solve; the
#: convergence is linear, the kept matrices are refreshed when the extra Newton iterations
#: since the last refresh cost as much as the refresh did (:class:`~fem_spin.core.
#: refresh_policy.RefreshPolicy`), or a solve failed (then it is repeated fresh).
CHORD_OPTIONS: dict[str, object] = {
    **LAGGED_LU_OPTIONS,
    "ksp_type": "preonly",
    "snes_lag_jacobian": -2,
    "snes_lag_jacobian_persists": True,
}

_FACTOR_PCS = {"lu", "cholesky"}  # the factorizations MUMPS does
_MATRIX_FREE = {"snes_mf", "snes_mf_operator"}  # PETSc's finite-difference Jacobian products


def option_names(petsc_options: Mapping[str, object] | None) -> set[str]:
    """The names of a user's PETSc options as :func:`merged_options` reads them (a leading
    ``-`` dropped)."""
    return {k.lstrip("-") for k in (petsc_options or {})}


def merged_options(petsc_options: Mapping[str, object] | None,
                   base: Mapping[str, object] | None = None) -> dict[str, object]:
    """:data:`DEFAULT_PETSC_OPTIONS`, updated with ``base`` (a solver configuration of
    :mod:`fem_spin.core.linear_solvers`), then with the user's options (names without prefix;
    a leading ``-`` is dropped): the user's win. A user ``pc_type`` other than LU or Cholesky
    drops the default ``pc_factor_mat_solver_type`` (MUMPS: unused by most PCs, and it has no
    ILU); a user LU or Cholesky gets MUMPS unless they name another package."""
    if petsc_options is None:
        petsc_options = {}
    if not isinstance(petsc_options, Mapping) or not all(
        isinstance(k, str) and k.lstrip("-") for k in petsc_options
    ):
        raise InputError(
            "petsc_options must be a dict of PETSc option names (without the prefix, e.g. "
            f"'ksp_type') to values, got {petsc_options!r}"
        )
    user = {k.lstrip("-"): v for k, v in petsc_options.items()}
    matrix_free = sorted(_MATRIX_FREE & set(user))
    if matrix_free:
        raise InputError(
            f"petsc_options {matrix_free} are not supported: fem_spin assembles the Jacobian "
            "into the Krylov operator, which these options replace by finite differences of "
            "residuals (and it did not pay: benchmarks/results/issue16.md, eighth session); "
            "leave them out")
    options = dict(DEFAULT_PETSC_OPTIONS)
    options.update(base or {})
    pc_type = str(user.get("pc_type", options.get("pc_type", "lu")))
    if "pc_factor_mat_solver_type" not in user:
        if pc_type not in _FACTOR_PCS:
            options.pop("pc_factor_mat_solver_type", None)
        else:
            options["pc_factor_mat_solver_type"] = "mumps"
    options.update(user)
    return options
