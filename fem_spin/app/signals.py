"""Stopping a run cleanly on SIGTERM (what a batch scheduler sends at its time limit) and SIGINT
(Ctrl-C; ``mpiexec`` forwards both to every rank).

While a run is active (:func:`stop_on_signals`), the first signal only records a request; the
run honours it at its next safe point: each time step of a dynamics run
(:class:`~fem_spin.stepping.driver.RunDriver` asks :func:`requested`, the ranks agree by an
allreduce, a checkpoint is written) and between the stages of a steady run (:func:`honour`).
Every rank then raises :class:`~fem_spin.errors.RunInterrupted` at the same point, so the
summary says ``interrupted`` and the exit status is 128 + the signal (143, 130). A second
signal ends the process at once (the default action), for a run stuck in a long solve.
"""

from __future__ import annotations

import contextlib
import logging
import signal
from collections.abc import Iterator

from mpi4py import MPI

from fem_spin.errors import RunInterrupted

__all__ = ["exit_status", "honour", "requested", "stop_on_signals"]

log = logging.getLogger(__name__)

SIGNALS = (signal.SIGTERM, signal.SIGINT)
_pending: list[int] = []


def _handler(signum, frame) -> None:
    if _pending:  # the second signal: give up at once
        signal.signal(signum, signal.SIG_DFL)
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        signal.raise_signal(signum)
    _pending.append(signum)
    log.warning("%s received: stopping at the next step (a checkpoint is written first); "
                "send it again to stop at once", signal.Signals(signum).name)


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Record SIGTERM/SIGINT as a stop request while the block runs (main thread only)."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, _handler) for s in SIGNALS}
    _pending.clear()
    try:
        yield
    finally:
        for s, h in previous.items():  # None: a handler set outside Python (PETSc's)
            signal.signal(s, signal.SIG_DFL if h is None else h)
        _pending.clear()


def requested() -> int:
    """The signal number of a pending stop request on this rank (0: none)."""
    return _pending[0] if _pending else 0


def honour(comm: MPI.Comm, where: str) -> None:
    """A safe point (collective): if any rank has a stop request, every rank raises
    :class:`RunInterrupted` naming ``where``."""
    signum = comm.allreduce(requested(), op=MPI.MAX)
    if signum:
        raise RunInterrupted(f"stopped by {signal.Signals(signum).name} {where}", signum)


def exit_status(signum: int) -> int:
    """The shell's status of a process ended by ``signum``: 128 + its number (143, 130)."""
    return 128 + int(signum)
