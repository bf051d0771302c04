"""The files that describe a run: the summary (JSON, atomic, rank 0) with the versions of the
stack, and the case as TOML text (``input.resolved.toml``)."""

from __future__ import annotations

import json
import math
import os
import platform
import re
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from mpi4py import MPI

from fem_spin.output import PARTIAL

__all__ = ["RESERVE", "record_final", "to_toml", "versions", "write_summary",
           "write_summary_file"]


def versions() -> dict[str, str]:
    """The versions of Python, fem_spin and the stack, for the summary."""
    import dolfinx
    import petsc4py
    from petsc4py import PETSc

    import fem_spin

    out = {"python": platform.python_version(), "fem_spin": fem_spin.__version__,
           "dolfinx": dolfinx.__version__, "petsc4py": petsc4py.__version__,
           "petsc": ".".join(map(str, PETSc.Sys.getVersion())), "numpy": np.__version__}
    for dist in ("gmsh", "mpi4py", "fenics-ufl", "fenics-ffcx", "fenics-basix"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out


RESERVE = 8192
"""Spare bytes (trailing whitespace, valid JSON) of a summary written while a run is under way:
its final status can be written over them in place even when the disk is full."""


def write_summary(comm: MPI.Comm, path: Path, data: dict, *, reserve: bool = False) -> None:
    """``data`` as JSON on rank 0, atomically (a ``.partial`` file renamed); not collective, so
    the failure path of a run can call it on any rank (:func:`fem_spin.output.write_json` is
    the collective writer). ``reserve``: end the file with :data:`RESERVE` spaces."""
    if comm.rank == 0:
        write_summary_file(path, data, reserve=reserve)


def write_summary_file(path: Path, data: dict, *, reserve: bool = False) -> None:
    """Write the summary from this process, whatever its rank (a ``.partial`` per process)."""
    text = json.dumps(data, indent=2, default=_json_default) + "\n"
    tmp = path.with_name(f"{path.name}.{os.getpid()}{PARTIAL}")
    try:
        tmp.write_text(text + (" " * RESERVE + "\n" if reserve else ""))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def record_final(path: Path, data: dict) -> str | None:
    """Write the final summary of a failed or stopped run from this process: atomically if
    possible, else in place over the file's reserved bytes (a full disk). Returns None, or
    why the status could not be recorded."""
    try:
        write_summary_file(path, data)
        return None
    except OSError as e:
        first = e
    text = json.dumps(data, indent=2, default=_json_default) + "\n"
    try:
        with open(path, "r+b") as f:
            size = os.fstat(f.fileno()).st_size
            raw = text.encode()
            if len(raw) > size:
                short = {k: v for k, v in data.items() if k not in ("parameters", "versions")}
                raw = (json.dumps(short, indent=2, default=_json_default) + "\n").encode()
            if len(raw) > size:
                return f"{first.strerror or first} (and {path} has no room for it in place)"
            f.write(raw)
            f.truncate(len(raw))
        return None
    except OSError as e:
        return f"{first.strerror or first}; in place: {e.strerror or e}"


def _json_default(x: Any) -> Any:
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, Path):
        return str(x)
    raise TypeError(f"not JSON serializable: {type(x).__name__}")


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v) if math.isfinite(v) else ("nan" if math.isnan(v) else
                                                 ("inf" if v > 0 else "-inf"))
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_toml_value(x)}" for k, x in v.items()) \
            + " }"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")


def to_toml(data: dict, prefix: str = "") -> str:
    """TOML text of a dict (tables as ``[a.b]`` sections, lists of tables as ``[[a.b]]``)."""
    lines, tables = [], []
    for k, v in data.items():
        key = k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k)
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(v, dict):
            tables.append((full, v, False))
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            tables.append((full, v, True))
        else:
            lines.append(f"{key} = {_toml_value(v)}")
    out = "\n".join(lines) + ("\n" if lines else "")
    for full, v, many in tables:
        for item in (v if many else [v]):
            out += f"\n[[{full}]]\n" if many else f"\n[{full}]\n"
            out += to_toml(item, full)
    return out
