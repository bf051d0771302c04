"""The initial guess of a time step: the history extrapolated to the new time.

Newton, and the coupled step's chord iteration, start from the polynomial through the last
states, evaluated at ``t_n + dt``. The guess changes the iterations a step takes, not its
solution (to the Newton tolerance). Through three states (:data:`ORDER` = 2) it is off by
``O(dt^3)`` instead of the straight line's ``O(dt^2)``: on the switching pillar
(``examples/switching_pillar.toml``, drive 5.5, dt = 2 ps) the spin accumulation's guess
is 6x closer (median over the steps), and the chord takes 11.1 instead of 12.5 iterations
per step over 360 ps; at 200k dofs with the block solver, 8.9 instead of 10.2 over the first
60 ps (``benchmarks/results/issue16.md``, eleventh session). A cubic (``ORDER = 3``) saved a
little more (10.4 and 8.5) but left ``|M| - 1`` at 8.9e-14 at 200k dofs (1.6e-14 with the
line, 3.5e-14 with the parabola).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["ORDER", "History", "lagrange_weights"]

#: Degree of the extrapolating polynomial (through ``ORDER + 1`` states, fewer while the run
#: has fewer); 1: the straight line through the last two states (before issue 16's eleventh
#: session; benchmarks).
ORDER = 2


def lagrange_weights(dt: float, steps: Sequence[float]) -> list[float]:
    """Weights of the states at ``t_n, t_n - h_1, t_n - h_1 - h_2, ...`` (``steps = (h_1,
    h_2, ...)``, the step sizes back in time) in the polynomial through them at ``t_n + dt``.

    Uniform steps: ``(2, -1)`` through two states, ``(3, -3, 1)`` through three."""
    nodes = np.concatenate([[0.0], -np.cumsum(np.asarray(steps, dtype=float))])
    weights = []
    for i, xi in enumerate(nodes):
        others = np.delete(nodes, i)
        weights.append(float(np.prod((dt - others) / (xi - others))))
    return weights


class History:
    """The states before ``u_nm1`` that the extrapolation needs (:data:`ORDER` > 1), with
    their step sizes; the time stepper keeps ``u_n``, ``u_nm1`` and ``dt_prev`` itself.

    ``older``: ``[(u_{n-2}, h_2), (u_{n-3}, h_3), ...]`` (local arrays with ghosts; ``h_k``
    the step that ended at ``t_{n-k+1}``), newest first."""

    def __init__(self, order: int | None = None):
        self.order = ORDER if order is None else int(order)
        self.older: list[tuple[np.ndarray, float]] = []

    def clear(self) -> None:
        """Forget the older states (a new multistep sequence: reset, a steady solve)."""
        self.older = []

    def push(self, u_nm1: np.ndarray, dt_prev: float | None) -> None:
        """A step is accepted: the stepper's ``u_nm1`` becomes ``u_{n-2}``, and ``dt_prev``
        (the step from it to ``u_n``) its step (None: no state before ``u_n``; keep none)."""
        if self.order < 2 or dt_prev is None:
            self.older = []
            return
        self.older = [(u_nm1.copy(), float(dt_prev))] + self.older[: self.order - 2]

    def guess(self, dt: float, u_n: np.ndarray, u_nm1: np.ndarray,
              dt_prev: float | None) -> np.ndarray:
        """The initial guess at ``t_n + dt``."""
        if dt_prev is None:
            return u_n.copy()
        states = [u_n, u_nm1] + [u for u, _ in self.older]
        steps = [dt_prev] + [h for _, h in self.older]
        states, steps = states[: self.order + 1], steps[: self.order]
        guess = np.zeros_like(u_n)
        for w, u in zip(lagrange_weights(dt, steps), states):
            guess += w * u
        return guess

    def snapshot(self) -> list[tuple[np.ndarray, float]]:
        return [(u.copy(), h) for u, h in self.older]

    def restore(self, snap: list[tuple[np.ndarray, float]]) -> None:
        self.older = [(u.copy(), h) for u, h in snap]
