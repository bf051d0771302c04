"""When to assemble a kept (lagged) Jacobian afresh: the ski-rental rule.

A chord iteration (the Jacobian and its preconditioner kept across Newton iterations and
solves) pays for an ageing Jacobian with more Newton iterations, each a residual and a
preconditioned linear solve; a refresh costs one Jacobian assembly and one preconditioner
set-up. :class:`RefreshPolicy` refreshes once the extra iterations paid since the last
refresh (beyond the count of the first solve after it) have cost as much as that refresh did:
the ski-rental rule, never worse than twice the best policy in hindsight. Both costs are
measured, so the rule adapts to the problem, its size and the machine: at 200k dofs of the
coupled step a Jacobian costs about ten Newton iterations; at 4k dofs, about one.
"""

from __future__ import annotations

__all__ = ["RefreshPolicy"]


class RefreshPolicy:
    """Decide after each solve with a kept Jacobian whether the next one refreshes it.

    Args:
        max_iterations: Newton iterations of one solve above which the next refreshes anyway.

    Give :meth:`record` the same numbers on every rank (e.g. seconds maxed over ranks):
    every rank must take the same decision.
    """

    def __init__(self, max_iterations: int):
        self.max_iterations = max_iterations
        self.pending = True  # the next (first) solve assembles the Jacobian
        self._fresh_its = 1
        self._fresh_seconds = 0.0
        self._refresh_cost: float | None = None
        self._extra = 0.0

    def refresh(self) -> None:
        """The next solve assembles afresh (e.g. after a failed or slow linear solve)."""
        self.pending = True

    def record(self, seconds: float, iterations: int) -> bool:
        """A solve took ``seconds`` and ``iterations`` Newton iterations; returns whether the
        next solve should refresh the Jacobian (then :attr:`pending` is set)."""
        its = max(int(iterations), 1)
        if self.pending:  # this solve assembled and set up afresh
            self.pending = False
            self._fresh_its, self._fresh_seconds = its, float(seconds)
            self._refresh_cost, self._extra = None, 0.0
        else:
            per_iteration = seconds / its
            if self._refresh_cost is None:  # the fresh solve's time less its iterations
                self._refresh_cost = max(self._fresh_seconds - self._fresh_its * per_iteration,
                                         0.0)
            self._extra += max(its - self._fresh_its, 0) * per_iteration
            if self._extra > self._refresh_cost:
                self.pending = True
        if its > self.max_iterations:
            self.pending = True
        return self.pending
