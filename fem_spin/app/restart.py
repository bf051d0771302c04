"""Resuming a dynamics sweep (``fem-spin run case.toml --resume FOLDER``): which drives are
done (``drive_<j>/result.json``), and restoring an unfinished drive from its checkpoint after
checking that it belongs to this case and this drive. The checkpoint matches nodes by
coordinates, so the run may resume on another number of MPI ranks."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
from mpi4py import MPI

from fem_spin.errors import InputError
from fem_spin.output import PARTIAL
from fem_spin.stepping.checkpoint import load_checkpoint, read_checkpoint_meta

__all__ = ["RESULT", "read_result", "restore", "write_result"]

RESULT = "result.json"


def _on_rank0(comm: MPI.Comm, action):
    """``action()`` on rank 0, its value (or its error, raised) on every rank."""
    value, error = None, None
    if comm.rank == 0:
        try:
            value = action()
        except (OSError, ValueError, InputError) as e:
            error = str(e)
    value, error = comm.bcast((value, error), root=0)
    if error is not None:
        raise InputError(error)
    return value


def write_result(comm: MPI.Comm, sub: Path, entry: dict, case_hash: str) -> None:
    """Mark a drive as done: its summary entry and the case hash (rank 0, atomically)."""
    def write():
        tmp = sub / (RESULT + PARTIAL)
        tmp.write_text(json.dumps({**entry, "case_hash": case_hash}, indent=2) + "\n")
        os.replace(tmp, sub / RESULT)

    _on_rank0(comm, write)


def read_result(comm: MPI.Comm, sub: Path, case_hash: str) -> dict | None:
    """The summary entry of a drive done by a run of this case (with its ``trace`` from
    ``trace.csv``), None if the drive is not done."""
    def read():
        path = sub / RESULT
        if not path.exists():
            return None
        entry = json.loads(path.read_text())
        if entry.pop("case_hash", None) != case_hash:
            raise InputError(f"{path} belongs to another case (its case hash differs)")
        with open(sub / "trace.csv") as f:
            header = f.readline().strip().split(",")
        data = np.loadtxt(sub / "trace.csv", delimiter=",", skiprows=1, ndmin=2)
        entry["trace"] = {k: data[:, i] for i, k in enumerate(header)}
        return entry

    return _on_rank0(comm, read)


def restore(comm: MPI.Comm, problem, sub: Path, drive: float, case_hash: str) -> float:
    """Continue a drive from ``sub/checkpoint.npz``: refused if it was written for another
    case or drive. The VTX series written before (``fields*.bp.partial``) is kept as
    ``fields*_part<k>.bp``. Returns the time (ps) it resumes at."""
    path = sub / "checkpoint.npz"
    meta = _on_rank0(comm, lambda: read_checkpoint_meta(path))
    extra = meta.get("extra", {})
    if extra.get("case_hash") != case_hash:
        raise InputError(f"{path} was written by another case (its case hash differs): "
                         "resume with the same case file and --set options")
    if extra.get("drive") is None or not np.isclose(extra["drive"], drive, rtol=1e-12, atol=0):
        raise InputError(f"{path} was written for drive {extra.get('drive')}, not {drive:g}")

    def keep_series():
        for tmp in sorted(sub.glob(f"*.bp{PARTIAL}")):
            stem = tmp.name.removesuffix(f".bp{PARTIAL}")
            k = 1
            while (sub / f"{stem}_part{k}.bp").exists():
                k += 1
            os.replace(tmp, sub / f"{stem}_part{k}.bp")

    _on_rank0(comm, keep_series)
    load_checkpoint(problem, path)
    return float(meta["t"])
