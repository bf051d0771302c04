"""Run ``fem-spin`` with one fault injected (for tests/unit/test_faults.py)::

    python -m tests.helpers.faulty_run FAULT [fem-spin arguments ...]

FAULT is ``none``, or KIND@STEP[:RANK] (default rank: every rank where it makes sense):

- ``sigterm@K``, ``sigint@K``: the process sends itself the signal after time step K of a
  drive (``@+K``: the K-th step of the whole sweep) (rank 0 only: the other ranks learn of
  it through the run's agreement, as with a signal that reaches one process);
- ``vanish@K``: rank 0 deletes the output folder after time step K;
- ``enospc@fields:R``: writing a VTX file raises "No space left on device" on rank R only
  (the ranks disagree: the case that hung before);
- ``enospc@csv``: the CSV writer on rank 0 raises ENOSPC.

The time steps are counted by the run driver (:class:`fem_spin.stepping.driver.RunDriver`).
The process then runs ``fem_spin.app.cli.main()`` as the ``fem-spin`` program does.
"""

import errno
import os
import shutil
import signal
import sys

import fem_spin  # noqa: F401  (before dolfinx)


def install(fault: str) -> None:
    from mpi4py import MPI

    if fault == "none":
        return
    kind, _, where = fault.partition("@")
    rank = MPI.COMM_WORLD.rank
    if kind in ("sigterm", "sigint", "vanish"):
        from fem_spin.stepping import driver

        k = int(where)
        overall = where.startswith("+")
        original = driver.RunDriver._record
        count = [0]

        def record(self, info):
            original(self, info)
            count[0] += info is not None
            n = count[0] if overall else self.stepper.steps
            if info is not None and n == k and rank == 0:
                if kind == "vanish":
                    shutil.rmtree(self.out.parent)
                else:
                    os.kill(os.getpid(), signal.SIGTERM if kind == "sigterm" else signal.SIGINT)

        driver.RunDriver._record = record
    elif kind == "enospc":
        target, _, on = where.partition(":")
        if target == "fields":
            import dolfinx.io

            original_write = dolfinx.io.VTXWriter.write

            def write(self, t):
                if on == "" or int(on) == rank:
                    raise RuntimeError(f"[ADIOS2 EXCEPTION] couldn't write: errno = "
                                       f"{errno.ENOSPC}: No space left on device")
                return original_write(self, t)

            dolfinx.io.VTXWriter.write = write
        else:
            import numpy as np

            def savetxt(*args, **kwargs):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

            np.savetxt = savetxt
    else:
        raise SystemExit(f"unknown fault {fault!r}")


if __name__ == "__main__":
    install(sys.argv[1])
    sys.argv = ["fem-spin", *sys.argv[2:]]
    from fem_spin.app.cli import main

    sys.exit(main())
