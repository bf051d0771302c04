"""What a step and a run did: plain records returned by the steppers and the run driver."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["RunInfo", "StepInfo"]


@dataclass(frozen=True)
class StepInfo:
    """One accepted step: time reached, size, Newton and linear iterations (summed over the
    sub-solves), wall seconds, the step-doubling error estimate (None without control) and
    the number of rejected attempts."""

    t: float
    dt: float
    newton_iterations: int
    linear_iterations: int
    seconds: float
    error: float | None = None
    rejected: int = 0


@dataclass
class RunInfo:
    """What a run did (:meth:`RunDriver.run`, :meth:`TimeStepper.run`)."""

    steps: int
    rejected: int
    newton_iterations: int
    seconds: float
    t: float
    trace: dict[str, np.ndarray] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
