"""``fem-spin status FOLDER``: the state of a run from its ``summary.json`` and its lock.

A summary that says ``running`` is believed only while a process holds the folder's lock
(:mod:`fem_spin.app.folder`); on the run's own host the recorded pid is checked too. A run
killed without a chance to write (``kill -9``, out of memory, a node failure) is ``dead``.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

from fem_spin.app.folder import holder, is_locked

__all__ = ["EXIT_CODES", "run_status"]

EXIT_CODES = {"finished": 0, "failed": 1, "none": 2, "running": 3, "interrupted": 4,
              "dead": 5}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def run_status(folder: str | Path) -> tuple[str, str]:
    """``(state, one line)``: state one of :data:`EXIT_CODES`."""
    folder = Path(folder)
    try:
        s = json.loads((folder / "summary.json").read_text())
    except FileNotFoundError:
        if is_locked(folder):
            return "running", f"{folder}: starting ({holder(folder)})"
        return "none", f"{folder}: no run here (no summary.json)"
    except (OSError, ValueError) as e:
        return "none", f"{folder}: summary.json cannot be read ({e})"
    case = s.get("case", "?")
    status = s.get("status")
    head = f"{folder}: {case}"
    if status == "success":
        return "finished", f"{head}: finished at {s.get('finished')}, {_what(s)}"
    if status == "failed":
        return "failed", f"{head}: failed at {s.get('finished')}: {s.get('error')}"
    if status == "interrupted":
        t = s.get("t_reached_ps")
        where = "" if t is None else f" at t = {t:.6g} ps (step {s.get('steps')})"
        resume = f"; resume: {s['resume']}" if s.get("resume") else ""
        return "interrupted", (f"{head}: interrupted by {s.get('signal')}{where} at "
                               f"{s.get('finished')}{resume}")
    pid, host = s.get("pid"), s.get("host")
    locked = is_locked(folder)
    same_host = host == socket.gethostname()
    if locked is False or (same_host and isinstance(pid, int) and not _alive(pid)):
        return "dead", (f"{head}: dead: it says running (pid {pid} on {host}, started "
                        f"{s.get('started')}) but its process is gone (killed, out of "
                        "memory, node failure); see its last checkpoints, rerun with "
                        "--overwrite or, for a dynamics run, --resume")
    return "running", (f"{head}: running since {s.get('started')} (pid {pid} on {host}, "
                       f"{s.get('mpi_ranks')} rank(s))")


def _what(s: dict) -> str:
    solve = s.get("solve", {})
    mesh = s.get("mesh", {})
    return f"{solve.get('reason', '')}, {mesh.get('dofs', '?')} dofs"


STATUS_HELP = ("Tell the state of the run in an output folder from its summary.json and lock: "
               "running (its process holds the lock), finished, failed (with the error), "
               "interrupted (SIGTERM/SIGINT, with the time reached and the resume command) or "
               "dead (it says running but its process is gone: killed, out of memory, node "
               "failure). Exit status 0 finished, 1 failed, 2 no run there, 3 running, "
               "4 interrupted, 5 dead.")


def cmd_status(args) -> int:
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    state, line = run_status(args.folder) if comm.rank == 0 else (None, None)
    state, line = comm.bcast((state, line), root=0)
    if comm.rank == 0:
        print(line, flush=True)
    return EXIT_CODES[state]


def add_status_command(sub, common) -> None:
    """``fem-spin status FOLDER`` in the CLI's sub-parsers."""
    p = sub.add_parser("status", parents=[common], description=STATUS_HELP,
                       help="is the run in FOLDER running, finished, failed, interrupted or "
                            "dead?")
    p.add_argument("folder", type=Path, help="an output folder of `fem-spin run`")
    p.set_defaults(func=cmd_status)


def resumable(args) -> bool:
    """``fem-spin run --resume FOLDER``: False (after saying so) if the run there finished;
    raises if it still runs or options conflict; else sets ``args.out`` to FOLDER."""
    from mpi4py import MPI

    from fem_spin.errors import InputError

    if args.overwrite or (args.out is not None and args.out != args.resume):
        raise InputError("--resume FOLDER continues the run in FOLDER: leave out --out and "
                         "--overwrite")
    comm = MPI.COMM_WORLD
    state, line = run_status(args.resume) if comm.rank == 0 else (None, None)
    state, line = comm.bcast((state, line), root=0)
    if state == "running":
        raise InputError(f"{line}: it is still running; resume it when it has stopped")
    if state == "finished":
        if comm.rank == 0:
            print(f"{line}: nothing to resume", flush=True)
        return False
    args.out = args.resume
    return True
