"""Files users open: VTX (ADIOS2, for ParaView) fields and CSV line data, written atomically."""

from __future__ import annotations

import csv
import json
import os
import shutil
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import dolfinx.fem as fem
import dolfinx.io
import numpy as np
import ufl
from mpi4py import MPI

from fem_spin.core.fields import interpolate
from fem_spin.errors import InputError, OutputError

__all__ = [
    "prepare_run_folder",
    "s1_output_fields",
    "write_csv",
    "write_fields",
    "write_json",
    "write_table",
]

PARTIAL = ".partial"  # suffix of files and folders being written

abandoned: list = []
"""Objects of a failed write or run (maybe failed on one rank only: VTX writers, solvers):
their destructors are collective or throw, so they must never run (:func:`abandon`)."""


def abandon(obj) -> None:
    """Keep ``obj`` alive to the end of the process, also through interpreter shutdown (an
    extra reference is leaked), so its destructor never runs."""
    import ctypes

    abandoned.append(obj)
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(obj))


def _field(expr, V: fem.FunctionSpace, name: str) -> fem.Function:
    """``expr`` interpolated into V; an expression without a mesh (a literal such as the zero
    field of a problem without M and B) is evaluated directly."""
    if ufl.domain.extract_domains(expr):
        return interpolate(expr, V, name)
    shape = ufl.shape(expr)
    value = np.array([float(expr[idx]) for idx in np.ndindex(*shape)] if shape else [float(expr)])
    f = fem.Function(V, name=name)
    f.x.array[:] = np.tile(value, len(f.x.array) // value.size)
    return f


def s1_output_fields(problem) -> list[fem.Function]:
    """m, H, m_eq, M (if any) and the spin current J as Functions in the discontinuous
    Lagrange space of m's degree (J is discontinuous across cells).

    J is a 3x3 tensor, rows spin x, y, z and columns flow direction x, y, z (zero beyond the
    mesh's dimension): VTX pads a 3 x gdim tensor to 9 values without moving its entries, so
    ParaView would misread anything but a 3x3 tensor.
    """
    mesh, p = problem.mesh, problem.V.ufl_element().embedded_superdegree
    gdim = mesh.geometry.dim
    V = fem.functionspace(mesh, ("DG", p, (3,)))
    out = [_field(problem.m, V, "m"), _field(problem.H, V, "H"), _field(problem.m_eq, V, "m_eq")]
    if problem.M is not None:
        out.append(_field(problem.M, V, "M"))
    J = problem.spin_current
    J3 = ufl.as_matrix([[J[k, j] if j < gdim else 0 for j in range(3)] for k in range(3)])
    VJ = fem.functionspace(mesh, ("DG", p, (3, 3)))
    out.append(_field(J3, VJ, "J"))
    return out


def _on_rank0(comm: MPI.Comm, action: Callable[[], None], what: str) -> None:
    """Run ``action`` on rank 0; if it fails, every rank raises (rank 0 the original error)."""
    error = None
    if comm.rank == 0:
        try:
            action()
        except Exception as e:
            error = e
    message = comm.bcast(None if error is None else f"{type(error).__name__}: {error}", root=0)
    if error is not None:
        raise error
    if message is not None:
        raise OutputError(f"rank 0 failed to {what}: {message}")


def _write_file_atomically(comm: MPI.Comm, path: Path, write: Callable[[Path], None]) -> Path:
    """On rank 0, ``write(tmp)`` a ``*.partial`` file, then rename it to ``path``; a failure
    removes the partial file and raises on every rank."""
    tmp = path.with_name(path.name + PARTIAL)

    def action() -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            write(tmp)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    _on_rank0(comm, action, f"write {path}")
    return path


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def write_fields(comm: MPI.Comm, path: str | Path, functions: Sequence[fem.Function],
                 t: float = 0.0) -> Path:
    """Write Functions of one element family/degree into a VTX folder ``path`` (``*.bp``).

    Functions with a different value shape than the first (the spin current J) go to
    ``<stem>_<name>.bp`` beside it. All folders are written under ``*.partial`` names and
    renamed only when every one is complete, so an interrupted or failed write leaves no
    complete-looking output (and the previous output, if any, untouched).

    Returns:
        ``path``.
    """
    path = Path(path)
    functions = list(functions)
    if not functions or not all(isinstance(f, fem.Function) for f in functions):
        raise InputError(f"write_fields needs a non-empty list of DOLFINx Functions, got "
                         f"{functions!r}")
    groups: dict[tuple, list[fem.Function]] = {}
    for f in functions:
        groups.setdefault(tuple(f.function_space.value_shape), []).append(f)
    targets = [path if i == 0 else path.with_name(f"{path.stem}_{g[0].name}{path.suffix}")
               for i, g in enumerate(groups.values())]
    partials = [target.with_name(target.name + PARTIAL) for target in targets]

    def clear_partials() -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        for tmp in partials:
            _remove(tmp)

    _on_rank0(comm, clear_partials, f"prepare {path}")  # the other ranks wait for it
    writer = None
    try:
        for tmp, group in zip(partials, groups.values(), strict=True):
            writer = dolfinx.io.VTXWriter(comm, tmp, group, engine="BP4")
            writer.write(t)
            writer.close()
            writer = None
    except BaseException:
        if writer is not None:  # its destructor would close it again: a second C++ error
            abandon(writer)  # there ends the process (std::terminate)
        if comm.rank == 0:  # no collective call here: the other ranks may not have failed
            for tmp in partials:
                shutil.rmtree(tmp, ignore_errors=True)
        raise
    comm.barrier()

    def publish() -> None:
        for tmp, target in zip(partials, targets, strict=True):
            _remove(target)
            os.replace(tmp, target)

    _on_rank0(comm, publish, f"rename {[str(p) for p in partials]} to the final names")
    return path


def write_csv(comm: MPI.Comm, path: str | Path, columns: Mapping[str, np.ndarray]) -> Path:
    """Write equal-length columns (the same on every rank, e.g. from
    :func:`fem_spin.observables.sampling.sample_line`) to CSV: header line of the column names, then
    the rows. Rank 0 writes, atomically: a ``*.partial`` file renamed when complete.

    Returns:
        ``path``.
    """
    path = Path(path)
    names = list(columns)
    data = [np.asarray(columns[k], dtype=float) for k in names]
    if not names or any(d.ndim != 1 or len(d) != len(data[0]) for d in data):
        raise InputError("write_csv needs columns of equal length, got "
                         f"{ {k: np.shape(d) for k, d in zip(names, data, strict=True)} }")
    if any("," in k or "\n" in k for k in names):
        raise InputError(f"CSV column names must not contain ',' or newlines, got {names}")
    return _write_file_atomically(comm, path, lambda tmp: np.savetxt(
        tmp, np.column_stack(data), delimiter=",", header=",".join(names), comments="",
        fmt="%.10g"))


def write_json(comm: MPI.Comm, path: str | Path, data: dict) -> Path:
    """Write ``data`` as indented JSON on rank 0, atomically (``*.partial``, then renamed)."""
    text = json.dumps(data, indent=2) + "\n"
    return _write_file_atomically(comm, Path(path), lambda tmp: tmp.write_text(text))


def prepare_run_folder(comm: MPI.Comm, folder: str | Path, summary: str = "summary.json") -> Path:
    """Create an output folder on rank 0 and delete a stale ``summary`` file in it: the summary
    is written last, so a run that stops early must not leave an old one looking complete."""
    folder = Path(folder)

    def prepare() -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / summary).unlink(missing_ok=True)

    _on_rank0(comm, prepare, f"prepare {folder}")
    return folder


def write_table(comm: MPI.Comm, path: str | Path, rows: Sequence[Mapping[str, object]]) -> Path:
    """Write rows of mixed values (numbers and text; list values are left out) as CSV on
    rank 0, atomically. The first row's keys are the header; floats get 6 significant digits."""
    path = Path(path)
    flat = [{k: v for k, v in r.items() if not isinstance(v, list | tuple | np.ndarray)}
            for r in rows]
    if not flat:
        raise InputError(f"write_table needs at least one row for {path}")

    def write(tmp: Path) -> None:
        with open(tmp, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(flat[0]))
            writer.writeheader()
            for r in flat:
                writer.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v)
                                 for k, v in r.items()})

    return _write_file_atomically(comm, path, write)
