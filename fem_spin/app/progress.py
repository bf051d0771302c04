"""The numbered progress lines of a run (``[k/5] ...``, logged on rank 0)."""

from __future__ import annotations

import logging
from typing import Any

__all__ = ["STEPS", "step"]

log = logging.getLogger("fem_spin.app")

STEPS = 5


def step(k: int, message: str, *args: Any) -> None:
    """Log step ``k`` of :data:`STEPS` of a run."""
    log.info(f"[{k}/{STEPS}] {message}", *args)
