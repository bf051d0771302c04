"""Switching observables of a magnetization trace (numpy only, any rank).

A trace is the dict of arrays that :meth:`TimeStepper.run` records (``t``, ``Mx``, ``My``,
``Mz``, ...: the average magnetization of the magnets). Reversal is measured along an axis
``p`` (the polarizer or the easy axis): the projection ``<M> . p`` starts on one side of zero,
and the switching time is its first crossing of zero.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["FINAL_STATES", "final_state", "projection", "switching_time"]

FINAL_STATES = ("switched", "precessing", "not switched", "undetermined")


def projection(trace: dict, axis: Sequence[float]) -> np.ndarray:
    """``<M>(t) . p`` with ``p`` the unit ``axis``."""
    p = np.asarray(axis, dtype=float)
    p = p / np.linalg.norm(p)
    return trace["Mx"] * p[0] + trace["My"] * p[1] + trace["Mz"] * p[2]


def switching_time(trace: dict, axis: Sequence[float]) -> float | None:
    """First time (ps) at which ``<M> . p`` has changed sign from its initial sign, linearly
    interpolated between the recorded times; None if it never does (or starts at zero)."""
    proj = projection(trace, axis)
    sign = np.sign(proj[0])
    if sign == 0:
        return None
    crossed = np.nonzero(sign * proj < 0)[0]
    if len(crossed) == 0:
        return None
    i = crossed[0]
    t0, t1, y0, y1 = trace["t"][i - 1], trace["t"][i], proj[i - 1], proj[i]
    return float(t0 + (t1 - t0) * y0 / (y0 - y1))


def final_state(trace: dict, axis: Sequence[float]) -> str:
    """The last quarter of the run, by ``s <M> . p`` (``s`` the initial sign):
    ``"switched"`` (mean < -0.5), ``"precessing"`` (otherwise a range above 1: a steady
    precession driven by the torque), ``"not switched"`` (mean > 0.5), else
    ``"undetermined"``."""
    t = trace["t"]
    proj = projection(trace, axis)
    sign = np.sign(proj[0]) or 1.0
    late = sign * proj[t >= 0.75 * t[-1]]
    if late.mean() < -0.5:
        return "switched"
    if late.max() - late.min() > 1.0:
        return "precessing"
    return "not switched" if late.mean() > 0.5 else "undetermined"
