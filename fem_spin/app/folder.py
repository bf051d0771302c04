"""The output folder of a run: who runs in it (a lock, the process), and what happens to what
an earlier run left there.

* A lock: rank 0 holds an exclusive ``flock`` on ``FOLDER/.fem-spin.lock`` (which names the
  process: pid, host, start) for the whole run. A second run into the same folder is refused
  while the first lives; the kernel drops the lock when a process dies (also on ``kill -9``),
  so a dead run never blocks the folder, and ``fem-spin status`` tells a dead run from a live
  one by trying the lock (it works across NFS clients too, where Linux maps ``flock`` to
  POSIX locks).
* Existing files: ``existing="refuse"`` (the CLI's default) refuses a folder that is not
  empty; ``"overwrite"`` clears it first (only a folder that holds a run: ``summary.json`` or
  ``input.toml``, never an arbitrary one); ``"resume"`` keeps it (``--resume``).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import socket
from datetime import UTC, datetime
from pathlib import Path

from mpi4py import MPI

from fem_spin.errors import InputError, OutputError

__all__ = ["EXISTING", "LOCK", "RunLock", "diagnose", "holder", "open_folder", "process_info"]

LOCK = ".fem-spin.lock"
EXISTING = ("refuse", "overwrite", "resume")


def process_info(comm: MPI.Comm) -> dict:
    """pid and host of every rank (collective), for the summary and the lock."""
    me = (os.getpid(), socket.gethostname())
    every = comm.allgather(me)
    return {"pid": every[0][0], "host": every[0][1], "pids": [p for p, _ in every],
            "hosts": sorted({h for _, h in every})}


class RunLock:
    """An exclusive ``flock`` on ``folder/.fem-spin.lock`` held by this process."""

    def __init__(self, folder: Path, info: dict):
        self.path = folder / LOCK
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self.fd)
            raise BlockingIOError(holder(folder)) from None
        os.ftruncate(self.fd, 0)
        os.write(self.fd, (json.dumps(info) + "\n").encode())

    def release(self) -> None:
        if self.fd is not None:
            try:
                self.path.unlink(missing_ok=True)
            except OSError:
                pass
            os.close(self.fd)
            self.fd = None


def holder(folder: Path) -> str:
    """Who holds (or held) the lock of ``folder``: "pid P on host H since T"."""
    try:
        info = json.loads((Path(folder) / LOCK).read_text() or "{}")
    except (OSError, ValueError):
        info = {}
    return (f"pid {info.get('pid', '?')} on host {info.get('host', '?')} since "
            f"{info.get('started', '?')}")


def is_locked(folder: Path) -> bool | None:
    """Whether a live process holds the lock of ``folder`` (None: no lock file)."""
    path = Path(folder) / LOCK
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def diagnose(folder: Path) -> str | None:
    """What is wrong with ``folder`` after an I/O error, if anything visible: gone, full or
    read-only (the messages of ADIOS2 and friends often do not say)."""
    folder = Path(folder)
    if not folder.is_dir():
        return f"the output folder {folder} no longer exists"
    try:
        usage = shutil.disk_usage(folder)
    except OSError:
        return None
    if usage.free < max(1 << 20, usage.total // 1000):
        return (f"the file system of {folder} is full ({usage.free} bytes free of "
                f"{usage.total})")
    if not os.access(folder, os.W_OK) or os.statvfs(folder).f_flag & os.ST_RDONLY:
        return f"the output folder {folder} is read-only"
    if not (folder / "input.toml").exists():  # written first: the folder was recreated
        return f"the output folder {folder} was removed or cleared during the run"
    return None


def _is_run_folder(folder: Path) -> bool:
    return (folder / "summary.json").exists() or (folder / "input.toml").exists()


def _clear(folder: Path) -> None:
    for p in folder.iterdir():
        if p.name == LOCK:
            continue
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p)
        else:
            p.unlink()


def open_folder(comm: MPI.Comm, folder: Path, existing: str, info: dict) -> RunLock | None:
    """Create ``folder``, take its lock and deal with an earlier run's files (collective; rank
    0 acts). Returns the lock on rank 0 (None elsewhere); raises on every rank:
    :class:`InputError` for a folder in use or not empty, :class:`OutputError` if it cannot be
    written."""
    if existing not in EXISTING:
        raise InputError(f"existing must be one of {EXISTING}, got {existing!r}")
    lock, error = None, None
    if comm.rank == 0:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            lock = RunLock(folder, {**info, "started": datetime.now(UTC).isoformat(
                timespec="seconds")})
            others = sorted(p.name for p in folder.iterdir() if p.name != LOCK)
            if others and existing == "refuse":
                error = ("input", f"the output folder {folder} is not empty ({len(others)} "
                                  f"files: {', '.join(others[:4])}{', ...' if len(others) > 4
                                                                    else ''}): add --overwrite "
                                  "to clear it, --resume to continue the run in it, or choose "
                                  "another folder with --out")
            elif others and existing == "overwrite":
                if not _is_run_folder(folder):
                    error = ("input", f"the output folder {folder} is not empty and holds no "
                                      "run (no summary.json or input.toml): refusing to clear "
                                      "it; choose another folder with --out")
                else:
                    _clear(folder)
        except BlockingIOError as e:
            error = ("input", f"another run ({e}) is writing into {folder}: wait for it to end "
                              "(fem-spin status), or choose another folder with --out")
        except OSError as e:
            error = ("output", f"cannot write the output folder {folder}: {e.strerror or e}")
        if error is not None and lock is not None:
            lock.release()
            lock = None
    error = comm.bcast(error, root=0)
    if error is not None:
        raise (InputError if error[0] == "input" else OutputError)(error[1])
    return lock
