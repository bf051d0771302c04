"""Rank-0 logging: library code logs through ``logging.getLogger(__name__)``; only rank 0 speaks."""

from __future__ import annotations

import logging

from mpi4py import MPI

__all__ = ["configure_logging"]


class _RankZeroFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return MPI.COMM_WORLD.rank == 0 or record.levelno >= logging.ERROR


def configure_logging(level: int = logging.INFO) -> None:
    """Send fem_spin's log to stderr, rank 0 only (errors from every rank)."""
    logger = logging.getLogger("fem_spin")
    if not any(getattr(h, "_fem_spin", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("fem_spin %(levelname)s: %(message)s"))
        handler.addFilter(_RankZeroFilter())
        handler._fem_spin = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(level)
