"""How ``fem-spin`` ends: exit status and one line for every kind of error.

=======================================  ======  ============================================
error                                    status  what happens
=======================================  ======  ============================================
input (a case file, a folder in use)     2       one line (file:line: key: problem)
solver failure, an output error seen     1       one line; every rank returns together
by every rank (``FemSpinError``)
SIGTERM / SIGINT (``RunInterrupted``)    143/130 one line with the time and step reached
anything else (an I/O error on one       1       one line naming the rank; ``MPI_Abort``
rank, a bug), a second Ctrl-C            (130)   ends every rank (no collective clean-up
                                                 while ranks disagree); serially the process
                                                 ends without running destructors
=======================================  ======  ============================================
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable

from mpi4py import MPI

from fem_spin.app.signals import exit_status
from fem_spin.errors import FemSpinError, InputError, RunInterrupted

__all__ = ["EXIT_FAILED", "EXIT_INPUT", "guarded", "hard_exit", "one_line"]

EXIT_INPUT, EXIT_FAILED = 2, 1

hard_exit = False
"""Set after an error that may have left C++ objects whose destructors must not run."""


def one_line(e: BaseException) -> str:
    """``Type: message`` on one line, with the note a run attached (``fem_spin_note``)."""
    from fem_spin.app.runner import _one_line

    note = getattr(e, "fem_spin_note", None)
    text = _one_line(e) if not isinstance(e, FemSpinError) else str(e)
    return text if note is None else f"{text}; {note}"


def guarded(func: Callable, args, comm: MPI.Comm, error: Callable[[str], None]) -> int:
    """``func(args)``, its errors turned into one line (``error``, rank 0) and a status."""
    global hard_exit
    try:
        return func(args)
    except InputError as e:
        error(str(e))
        return EXIT_INPUT
    except RunInterrupted as e:
        error(one_line(e))
        return exit_status(e.signal)
    except FemSpinError as e:
        error(one_line(e))
        return EXIT_FAILED
    except SystemExit:
        raise
    except BaseException as e:  # maybe on this rank only: end every rank now
        hard_exit = True
        code = 130 if isinstance(e, KeyboardInterrupt) else EXIT_FAILED
        text = "interrupted" if code == 130 else one_line(e)
        where = f"rank {comm.rank}: " if comm.size > 1 else ""
        verbose = getattr(args, "verbose", False)
        sys.stderr.write(f"fem-spin: error: {where}{text}"
                         + ("" if verbose or code == 130 else " (-v: the traceback)") + "\n")
        if verbose:
            traceback.print_exc()
        sys.stdout.flush()
        sys.stderr.flush()
        if comm.size > 1:  # collective clean-up would wait for the other ranks forever
            time.sleep(0.5)  # let mpiexec forward the line before MPI_Abort kills the ranks
            comm.Abort(code)
        return code
