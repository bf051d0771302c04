"""A Newton solver with a fallback: an iterative solver whose failed solves are repeated by
a more robust one (MUMPS, or another fallback chain), which then takes the following solves
for a while."""

from __future__ import annotations

import logging
from collections.abc import Callable

from fem_spin.core.newton import NewtonSolver, SolveInfo
from fem_spin.errors import SolverError

__all__ = ["FallbackSolver"]

log = logging.getLogger(__name__)

#: The longest run of solves by the fallback before the primary solver is tried again.
MAX_RUN = 256


class FallbackSolver:
    """``primary`` (e.g. the block solver of the coupled step) with ``make_direct()`` (a
    NewtonSolver of the same residual and unknown by MUMPS, made at the first failure).

    A solve the primary fails (its own retry with fresh preconditioners included) is repeated
    by the direct solver from the same initial guess, and so are the next 3, 7, 15, ...
    solves (the run doubles while the primary keeps failing, as after a switching, where the
    field split stops converging); then the primary is tried again. A success resets the run.
    """

    def __init__(self, primary: NewtonSolver | FallbackSolver,
                 make_direct: Callable[[], NewtonSolver | FallbackSolver]):
        self.primary, self._make_direct = primary, make_direct
        self.direct: NewtonSolver | FallbackSolver | None = None
        self._run = self._left = 0
        self.name = primary.name
        self.u = primary.u if isinstance(primary, FallbackSolver) else primary._problem.u

    def _direct(self) -> NewtonSolver:
        if self.direct is None:
            self.direct = self._make_direct()
        return self.direct

    def solve(self) -> SolveInfo:
        if self._left > 0:
            self._left -= 1
            return self._direct().solve()
        u = self.u
        start = u.x.array.copy()
        try:
            info = self.primary.solve()
        except SolverError as e:
            self._run = min(2 * self._run, MAX_RUN) if self._run else 4
            self._left = self._run - 1
            direct = self._direct()
            log.warning("%s failed (%s); this solve and the next %d by %s", self.name,
                        str(e).split(";")[0], self._left, direct.name)
            u.x.array[:] = start
            return direct.solve()
        self._run = 0
        return info

    def close(self) -> None:
        """Free both solvers (collective)."""
        for s in (self.primary, self.direct):
            if s is not None:
                s.close()
        self.direct = None
