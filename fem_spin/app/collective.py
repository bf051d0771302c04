"""Collective clean-up only when every rank agrees.

Freeing PETSc solvers (MUMPS duplicates a communicator) and closing VTX writers are collective:
after an error raised on one rank only (an I/O error, a bug), the other ranks are elsewhere and
a collective clean-up would wait forever. fem_spin's own errors (:class:`FemSpinError`) are
raised on every rank together, so they are cleaned up as usual; anything else leaves the
objects to the end of the process, which the CLI ends with ``MPI_Abort`` (every rank) or
``os._exit`` (serial), never by running their destructors.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from fem_spin.errors import FemSpinError
from fem_spin.output import abandon

__all__ = ["closing_together"]


@contextlib.contextmanager
def closing_together(obj) -> Iterator[Any]:
    """``with obj:`` that calls ``obj.close()`` only after success or a :class:`FemSpinError`
    (raised on every rank); after any other error ``obj`` is kept alive for good
    (:func:`fem_spin.output.abandon`)."""
    try:
        yield obj
    except FemSpinError:
        obj.close()
        raise
    except BaseException:
        abandon(obj)
        raise
    obj.close()
