"""Files users open: VTX (ADIOS2, for ParaView) fields and CSV line data, written atomically."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import dolfinx.fem as fem
import dolfinx.io
import numpy as np
from mpi4py import MPI

from fem_spin.fields import interpolate

__all__ = ["write_fields", "write_csv", "s1_output_fields"]


def s1_output_fields(problem) -> list[fem.Function]:
    """m, M, H, m_eq and the spin current J (rows x, y, z; columns of flow) as Functions in the
    discontinuous Lagrange space of m's degree (J is discontinuous across cells)."""
    mesh, p = problem.mesh, problem.V.ufl_element().embedded_superdegree
    gdim = mesh.geometry.dim
    V = fem.functionspace(mesh, ("DG", p, (3,)))
    out = [interpolate(problem.m, V, "m"), interpolate(problem.H, V, "H"),
           interpolate(problem.m_eq, V, "m_eq")]
    if problem.M is not None:
        out.append(interpolate(problem.M, V, "M"))
    VJ = fem.functionspace(mesh, ("DG", p, (3, gdim)))
    out.append(interpolate(problem.spin_current, VJ, "J"))
    return out


def write_fields(comm: MPI.Comm, path: str | Path, functions: Sequence[fem.Function],
                 t: float = 0.0) -> Path:
    """Write Functions of one element family/degree into a VTX folder ``path`` (``*.bp``).

    Written under a temporary name and renamed when complete, so an interrupted run leaves no
    complete-looking output. Functions with different value shapes go to ``<stem>_<name>.bp``.
    """
    path = Path(path)
    groups: dict[tuple, list[fem.Function]] = {}
    for f in functions:
        groups.setdefault(tuple(f.function_space.value_shape), []).append(f)
    written = []
    for i, group in enumerate(groups.values()):
        target = path if i == 0 else path.with_name(f"{path.stem}_{group[0].name}{path.suffix}")
        tmp = target.with_name(target.name + ".partial")
        if comm.rank == 0:
            shutil.rmtree(tmp, ignore_errors=True)
        comm.barrier()
        with dolfinx.io.VTXWriter(comm, tmp, group, engine="BP4") as writer:
            writer.write(t)
        comm.barrier()
        if comm.rank == 0:
            shutil.rmtree(target, ignore_errors=True)
            os.replace(tmp, target)
        comm.barrier()
        written.append(target)
    return path


def write_csv(comm: MPI.Comm, path: str | Path, columns: dict[str, np.ndarray]) -> Path:
    """Write equal-length columns to CSV on rank 0 (atomically: temp file, then rename)."""
    path = Path(path)
    if comm.rank == 0:
        names = list(columns)
        data = np.column_stack([np.asarray(columns[k], dtype=float) for k in names])
        tmp = path.with_name(path.name + ".partial")
        np.savetxt(tmp, data, delimiter=",", header=",".join(names), comments="", fmt="%.10g")
        os.replace(tmp, path)
    comm.barrier()
    return path
