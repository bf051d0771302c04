"""PETSc SNES (Newton) solve of fem_spin's residuals, with defaults that work and clear failures."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import dolfinx.fem.petsc
import numpy as np
from petsc4py import PETSc

from fem_spin.errors import SolverError

__all__ = ["OPTIONS_PREFIX", "DEFAULT_PETSC_OPTIONS", "SolveInfo", "NewtonSolver"]

log = logging.getLogger(__name__)

OPTIONS_PREFIX = "fem_spin_"

# Newton with a full step (a linear problem converges in one step: the residual drops to
# round-off; if it stalls there, the step-size test `snes_stol` ends the iteration).
# Direct MUMPS LU is the robust default for small and medium problems.
DEFAULT_PETSC_OPTIONS: dict[str, object] = {
    "snes_type": "newtonls",
    "snes_linesearch_type": "basic",
    "snes_rtol": 1e-10,
    "snes_atol": 1e-14,
    "snes_stol": 1e-12,
    "snes_max_it": 25,
    "ksp_type": "preonly",
    "pc_type": "lu",
    "pc_factor_mat_solver_type": "mumps",
}


@dataclass(frozen=True)
class SolveInfo:
    """What a solve did: SNES reason, Newton and total linear iterations, residual norms, time."""

    reason: str
    newton_iterations: int
    linear_iterations: int
    residual_norms: tuple[float, ...]
    seconds: float


def _reason_name(enum, value: int) -> str:
    for name in dir(enum):
        if not name.startswith("_") and getattr(enum, name) == value:
            return name
    return str(value)


class NewtonSolver:
    """One SNES for one residual; reused across solves (MUMPS under MPI leaks per new KSP).

    Args:
        F: UFL residual form in ``u``.
        u: the unknown Function (holds the initial guess, receives the solution).
        bcs: Dirichlet conditions.
        petsc_options: user options merged on top of :data:`DEFAULT_PETSC_OPTIONS`, without
            prefix (e.g. ``{"ksp_type": "gmres"}``); set under the prefix ``fem_spin_``.
        jit_options: FFCx/CFFI JIT options.
        name: what is solved (used in messages).
    """

    def __init__(self, F, u, bcs, *, petsc_options=None, jit_options=None, name="S1"):
        options = dict(DEFAULT_PETSC_OPTIONS)
        options.update(petsc_options or {})
        self.options = options
        self.name = name
        self._problem = dolfinx.fem.petsc.NonlinearProblem(
            F,
            u,
            bcs=bcs,
            petsc_options_prefix=OPTIONS_PREFIX,
            petsc_options=options,
            jit_options=jit_options,
        )
        self._problem.solver.setConvergenceHistory()

    @property
    def snes(self) -> PETSc.SNES:
        return self._problem.solver

    def solve(self) -> SolveInfo:
        """Solve; raise :class:`SolverError` naming the reason if SNES or its KSP fails."""
        snes = self.snes
        t0 = time.perf_counter()
        try:
            self._problem.solve()
        except PETSc.Error as e:
            raise SolverError(
                f"{self.name}: PETSc failed inside the solve ({e}). With the default direct solver "
                "this usually means a singular matrix: check that the problem is well posed "
                "(positive tau, boundary data on tagged facets) and that the mesh is valid."
            ) from None
        seconds = time.perf_counter() - t0
        reason = snes.getConvergedReason()
        history = tuple(float(r) for r in np.asarray(snes.getConvergenceHistory()[0]))
        info = SolveInfo(
            reason=_reason_name(PETSc.SNES.ConvergedReason, reason),
            newton_iterations=snes.getIterationNumber(),
            linear_iterations=snes.getLinearSolveIterations(),
            residual_norms=history,
            seconds=seconds,
        )
        if reason <= 0:
            ksp = snes.getKSP()
            ksp_reason = _reason_name(PETSc.KSP.ConvergedReason, ksp.getConvergedReason())
            last = ", ".join(f"{r:.3e}" for r in history[-3:]) or "none"
            raise SolverError(
                f"{self.name} did not converge: SNES reason {info.reason} after "
                f"{info.newton_iterations} Newton iterations ({info.linear_iterations} linear "
                f"iterations, last KSP reason {ksp_reason}); last residual norms: {last}. "
                "Try the direct solver (petsc_options={'ksp_type': 'preonly', 'pc_type': 'lu', "
                "'pc_factor_mat_solver_type': 'mumps'}), a finer mesh, or a larger snes_max_it."
            )
        log.info(
            "%s solved: %s, %d Newton / %d linear iterations, |F| %s, %.2f s",
            self.name,
            info.reason,
            info.newton_iterations,
            info.linear_iterations,
            " -> ".join(f"{r:.2e}" for r in history),
            seconds,
        )
        return info
