"""When to assemble a kept (lagged) Jacobian afresh: the ski-rental rule, and when to give up
on it within a solve.

A chord iteration (the Jacobian and its preconditioner kept across Newton iterations and
solves) pays for an ageing Jacobian with more Newton iterations, each a residual and a
preconditioned linear solve; a refresh costs one Jacobian assembly and one preconditioner
set-up. :class:`RefreshPolicy` refreshes once the extra iterations paid since the last
refresh (beyond the count of the first solve after it) have cost as much as that refresh did:
the ski-rental rule, never worse than twice the best policy in hindsight. Both costs are
measured, so the rule adapts to the problem, its size and the machine: at 200k dofs of the
coupled step a Jacobian costs about ten Newton iterations; at 4k dofs, about one.

A kept Jacobian can also age past use within one step: the chord then stagnates or diverges.
:func:`predicts_failure` stops such a solve early (:class:`fem_spin.core.newton.NewtonSolver`
watches the first attempt of each solve with a kept Jacobian; the attempt is then repeated
with fresh matrices, as any failed one is) instead of running it to ``snes_max_it``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["GO_ON", "MIN_WATCHED_ITERATIONS", "RefreshPolicy", "predicts_failure"]

#: A solve stopped by :func:`predicts_failure` that lowered the residual is repeated with fresh
#: matrices from its last iterate (its iterations are not lost); False: from the solve's
#: initial guess (before issue 16's seventeenth session).
GO_ON = True

#: Newton iterations before :func:`predicts_failure` judges a solve (the rate is read from
#: the last two).
MIN_WATCHED_ITERATIONS = 3


def predicts_failure(norms: Sequence[float], rtol: float, max_iterations: int) -> bool:
    """Whether a solve with residual norms ``norms`` (``|F_0|, |F_1|, ...``) so far will not
    reach ``rtol |F_0|`` within ``max_iterations`` at its present rate: the residual has not
    fallen over the last two iterations, or its mean contraction over them,
    ``rho = (|F_k| / |F_{k-2}|)^(1/2)``, needs ``log(rtol |F_0| / |F_k|) / log(rho)`` more
    iterations than are left. False before :data:`MIN_WATCHED_ITERATIONS` iterations."""
    k = len(norms) - 1
    if k < MIN_WATCHED_ITERATIONS:
        return False
    target = rtol * norms[0]
    if norms[-1] <= target:
        return False
    if not (norms[-1] < norms[-3]):  # also NaN
        return True
    rho = math.sqrt(norms[-1] / norms[-3])
    return k + math.log(target / norms[-1]) / math.log(rho) > max_iterations


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
