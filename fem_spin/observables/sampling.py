"""Observables of a solved problem, global on every rank: integrals and line profiles."""

from __future__ import annotations

from collections.abc import Sequence

import dolfinx.fem as fem
import dolfinx.geometry
import numpy as np
import ufl
from mpi4py import MPI

from fem_spin.core.fields import jit_options
from fem_spin.errors import InputError

__all__ = ["integrate", "l2_norm", "sample_line", "sample_points"]


def integrate(comm: MPI.Comm, integrand) -> float | np.ndarray:
    """``int integrand`` (a UFL form, or a scalar/vector/tensor expression times a measure
    given as ``(expr, measure)``), summed over ranks; every rank gets the same value.

    Example: ``integrate(comm, (p.torque_density, p.dx(1)))`` is the torque on region 1.
    """
    if isinstance(integrand, tuple):
        expr, measure = integrand
        shape = ufl.shape(expr)
        if shape:
            out = np.empty(shape)
            for idx in np.ndindex(*shape):
                out[idx] = integrate(comm, expr[idx] * measure)
            return out
        integrand = expr * measure
    local = fem.assemble_scalar(fem.form(integrand, jit_options=jit_options()))
    return comm.allreduce(local, op=MPI.SUM)


def l2_norm(comm: MPI.Comm, expr, dx) -> float:
    """``sqrt(int |expr|^2 dx)`` over all ranks."""
    return float(np.sqrt(integrate(comm, ufl.inner(expr, expr) * dx)))


def sample_line(u: fem.Function, p0: Sequence[float], p1: Sequence[float], n: int):
    """Values of ``u`` at ``n`` equispaced points on the segment p0 -> p1, on every rank.

    Each point is evaluated on the rank that owns a cell containing it, then shared.

    Returns:
        ``(s, points, values)``: arc length from p0 (nm), points (n, 3) and values
        (n, value_size). Points outside the mesh get NaN.
    """
    p0, p1 = np.asarray(p0, dtype=float).ravel(), np.asarray(p1, dtype=float).ravel()
    valid_n = isinstance(n, int | np.integer) and n >= 1
    if not (1 <= len(p0) <= 3 and len(p1) == len(p0)) or not valid_n:
        raise InputError(f"sample_line needs two points of 1-3 coordinates and n >= 1 samples, "
                         f"got p0={p0}, p1={p1}, n={n!r}")
    a, b = np.zeros(3), np.zeros(3)
    a[: len(p0)], b[: len(p1)] = p0, p1
    t = np.linspace(0.0, 1.0, n)
    points = a[None, :] + t[:, None] * (b - a)[None, :]
    return t * np.linalg.norm(b - a), points, sample_points(u, points)


def sample_points(u: fem.Function, points: np.ndarray) -> np.ndarray:
    """Values (n, value_size) of ``u`` at ``points`` (n, 3), on every rank; NaN outside.

    Each point is evaluated on the rank that owns a cell containing it, then shared
    (collective)."""
    mesh = u.function_space.mesh
    comm = mesh.comm
    points = np.ascontiguousarray(points, dtype=float)
    if points.ndim != 2 or points.shape[1] != 3:
        raise InputError(f"sample_points needs points of shape (n, 3), got {points.shape}")
    n = len(points)
    tdim = mesh.topology.dim
    num_owned = mesh.topology.index_map(tdim).size_local
    tree = dolfinx.geometry.bb_tree(mesh, tdim, padding=1e-12)
    candidates = dolfinx.geometry.compute_collisions_points(tree, points)
    colliding = dolfinx.geometry.compute_colliding_cells(mesh, candidates, points)
    found, cells = [], []
    for i in range(n):
        links = colliding.links(i)
        owned = links[links < num_owned]
        if len(owned):
            found.append(i)
            cells.append(owned[0])
    size = int(np.prod(u.function_space.value_shape, dtype=int))  # 1 for a scalar
    local = np.full((n, size), np.nan)
    if found:
        local[found] = u.eval(points[found], np.asarray(cells, dtype=np.int32)).reshape(-1, size)
    # first rank that found a point provides its value
    claim = np.full(n, comm.size, dtype=np.int64)
    claim[found] = comm.rank
    owner = np.empty_like(claim)
    comm.Allreduce(claim, owner, op=MPI.MIN)
    mine = np.where((owner == comm.rank)[:, None], np.nan_to_num(local, nan=0.0), 0.0)
    values = np.empty_like(mine)
    comm.Allreduce(mine, values, op=MPI.SUM)
    values[owner == comm.size] = np.nan
    return values
