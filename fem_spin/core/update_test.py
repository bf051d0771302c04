"""A Newton convergence test that measures the update of each field in its own scale.

PETSc's update test (``snes_stol``) compares the 2-norm of the whole update with the whole
solution's: with fields in different units (the accumulation m in A/m, about 1e3-1e5, beside
the unit vector M) it tests m alone, and M's update is allowed ``stol |m| / |M|`` of M.
:class:`FieldUpdateTest` keeps PETSc's other tests (``snes_atol``, ``snes_rtol``,
``snes_max_it``, a NaN residual) and replaces that one: converged when, for every field ``f``,

    max |y_f| <= stol * max |x_f|     (max norms over all ranks),

``y`` the last Newton update before the line search (its direction, from the line search's
pre-check), ``x`` the new iterate, and only if that update's linear solve converged. The step
the line search took is not tested: one it shortened, or one a failed linear solve left, may
be small far from the solution (seen: the block solver's kept Jacobian at 200k dofs, ``|F|``
1.7e3 -> 7.3e2 -> 6.8e2 -> 6.8e2 taken for converged by a test of the step, M then off by
6.5e-6 after 30 steps), while at the residual's round-off floor a backtracking line search
shortens a negligible update.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from mpi4py import MPI
from petsc4py import PETSc

from fem_spin.core.solver_diagnosis import count_line_search

__all__ = ["PER_FIELD", "FieldUpdateTest", "owned_entries"]

_R = PETSc.SNES.ConvergedReason

#: Solvers given fields test each (:class:`FieldUpdateTest`); False: PETSc's test of the whole
#: vector (for comparisons).
PER_FIELD = True


class FieldUpdateTest:
    """``SNESSetConvergenceTest`` callback (module docstring).

    Args:
        fields: the owned entries of each field in the solution vector's local array.
        stol: the relative update per field (replaces ``snes_stol``).
    """

    def __init__(self, fields: Sequence[np.ndarray], stol: float):
        self.fields = [np.asarray(f, dtype=np.int64) for f in fields]
        self.stol = float(stol)
        self._direction: np.ndarray | None = None
        self._ttol = 0.0

    def precheck(self, x: PETSc.Vec, y: PETSc.Vec, counter: list) -> None:
        """The line search's pre-check: keeps the direction ``y`` (the update is ``-lambda
        y``) and counts the line searches (:func:`fem_spin.core.solver_diagnosis.
        count_line_search`)."""
        self._direction = y.getArray(readonly=True).copy()
        count_line_search(x, y, counter)

    def __call__(self, snes: PETSc.SNES, its: int, norms) -> int:
        _, _, fnorm = norms
        rtol, atol, _, max_it = snes.getTolerances()
        if its == 0:
            self._ttol = max(atol, rtol * fnorm)
            self._direction = None
        if not math.isfinite(fnorm):
            return _R.DIVERGED_FNORM_NAN
        if fnorm < atol:
            return _R.CONVERGED_FNORM_ABS
        if its > 0 and fnorm <= self._ttol:
            return _R.CONVERGED_FNORM_RELATIVE
        if (its > 0 and self._direction is not None
                and snes.getKSP().getConvergedReason() > 0 and self._small(snes)):
            return _R.CONVERGED_SNORM_RELATIVE
        if its >= max_it:
            return _R.DIVERGED_MAX_IT
        return _R.ITERATING

    def _small(self, snes: PETSc.SNES) -> bool:
        """Whether each field's Newton update is within ``stol`` of its scale."""
        local = np.zeros(2 * len(self.fields))
        x, y = snes.getSolution().getArray(readonly=True), self._direction
        for i, f in enumerate(self.fields):
            if len(f):
                local[2 * i] = np.max(np.abs(y[f]))
                local[2 * i + 1] = np.max(np.abs(x[f]))
        snes.comm.tompi4py().Allreduce(MPI.IN_PLACE, local, op=MPI.MAX)
        return bool(np.all(local[0::2] <= self.stol * local[1::2]))


def owned_entries(u, dofs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """The entries of each field's ``dofs`` (local, ghosts included) that ``u``'s rank owns:
    the indices of :class:`FieldUpdateTest`'s ``fields`` in the PETSc vector's local array."""
    n = u.function_space.dofmap.index_map.size_local * u.function_space.dofmap.index_map_bs
    return [np.asarray(d)[np.asarray(d) < n] for d in dofs]
