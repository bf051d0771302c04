"""1D meshes (intervals of layers) built directly with DOLFINx, graded at interfaces."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import basix.ufl
import dolfinx.mesh
import numpy as np
from mpi4py import MPI

from fem_spin.errors import InputError
from fem_spin.geometry.base import Geometry, mesh_statistics, shared_facet_partitioner

__all__ = ["LEFT_END", "RIGHT_END", "Geometry", "graded_nodes", "layered_interval", "stack_nodes"]

log = logging.getLogger(__name__)

LEFT_END, RIGHT_END = 1, 2  # facet tags of the two end points of a 1D mesh
INTERFACE_TAG0 = 100  # facet tag of the interface between layers i and i + 1 is 100 + i


def graded_nodes(x0: float, x1: float, h_max: float, refine: Sequence[tuple[float, float]] = (),
                 growth: float = 0.15) -> np.ndarray:
    """Nodes on [x0, x1] with spacing ``min(h_max, h_i + growth |x - x_i|)`` near the points
    ``(x_i, h_i)`` of ``refine``; every ``x_i`` inside the interval is a node."""
    if not x1 > x0 or h_max <= 0 or any(h <= 0 for _, h in refine):
        raise InputError(f"graded_nodes needs x1 > x0 and positive sizes, got [{x0}, {x1}], "
                         f"h_max={h_max}, refine={list(refine)}")

    def size(x: float) -> float:
        return min([h_max] + [h + growth * abs(x - xi) for xi, h in refine])

    breaks = sorted({x0, x1, *(xi for xi, _ in refine if x0 < xi < x1)})
    nodes = [np.array([x0])]
    for a, b in zip(breaks[:-1], breaks[1:], strict=True):
        xs = [a]
        while xs[-1] < b:
            xs.append(xs[-1] + size(xs[-1]))
        xs = np.asarray(xs)
        xs = a + (xs - a) * (b - a) / (xs[-1] - a)  # stretch the last step onto b
        nodes.append(xs[1:])
    return np.concatenate(nodes)


def stack_nodes(thicknesses: Sequence[float], h_max: float, h_interface: float | None = None, *,
                x0: float = 0.0, growth: float = 0.15, graded_ends: bool = False) -> np.ndarray:
    """Nodes of a 1D stack of layers, graded towards the interfaces between them and
    mirror-symmetric wherever the grading allows: the one builder of the demos', the paper
    set-ups' and the case files' graded 1D meshes.

    Each layer is meshed by :func:`graded_nodes`: a layer with one graded end is graded from it
    (mirrored when that end is on the right), a layer graded at both ends is graded from both
    and mirror-symmetric about its mid-point node, one with none is uniform (``h_max``). The
    layer boundaries are nodes, exactly ``x0 + t_0 + ... + t_i``.

    Args:
        thicknesses: the layers' thicknesses from left to right (nm).
        h_max: largest cell size (nm).
        h_interface: cell size at a graded end (nm), capped by ``h_max``; None: ``h_max``.
        x0: the left end (nm).
        growth: the cell size grows by ``growth`` times the distance to the nearest graded end.
        graded_ends: grade also towards the two outer ends (a side of the periodic ring:
            ``stack_nodes([L], h_max, h_corner, graded_ends=True)``).
    Returns:
        increasing node coordinates from ``x0`` to ``x0 + sum(thicknesses)``.

    The paper's bilayer on ``[-L, L]`` is ``stack_nodes([L, L], h_max, l_da / 10, x0=-L)``.
    """
    thicknesses = [float(t) for t in thicknesses]
    if not thicknesses or any(not t > 0 for t in thicknesses):
        raise InputError(f"stack_nodes needs positive layer thicknesses, got {thicknesses}")
    h_int = h_max if h_interface is None else min(h_interface, h_max)
    refine = [(0.0, h_int)]
    nodes = [np.array([x0])]
    a, n = x0, len(thicknesses)
    for i, t in enumerate(thicknesses):
        b = a + t
        left, right = i > 0 or graded_ends, i < n - 1 or graded_ends
        if left and right:
            half = graded_nodes(0.0, t / 2, h_max, refine=refine, growth=growth)
            xs = a + np.concatenate([half, t - half[-2::-1]])
        elif left:
            xs = a + graded_nodes(0.0, t, h_max, refine=refine, growth=growth)
        elif right:
            xs = b - graded_nodes(0.0, t, h_max, refine=refine, growth=growth)[::-1]
        else:
            xs = a + graded_nodes(0.0, t, h_max, growth=growth)
        xs[0], xs[-1] = a, b
        nodes.append(xs[1:])
        a = b
    return np.concatenate(nodes)


def layered_interval(comm: MPI.Comm, nodes: np.ndarray, layers: Sequence[tuple[str, float]],
                     gdim: int = 1) -> Geometry:
    """Interval mesh on ``nodes`` split into named layers.

    Args:
        comm: communicator.
        nodes: increasing node coordinates (nm); built on rank 0, then distributed.
        layers: ``(name, right end x)`` per layer, left to right; cell tags 1, 2, ... in order.
        gdim: geometric dimension (1).
    Returns:
        Geometry with facet tags :data:`LEFT_END`/:data:`RIGHT_END` ("left", "right") and
        ``INTERFACE_TAG0 + i`` ("interface_<i>") on the interface after layer ``i`` (1-based).
    """
    nodes = np.asarray(nodes, dtype=float)
    if nodes.ndim != 1 or len(nodes) < 2 or np.any(np.diff(nodes) <= 0):
        raise InputError("nodes must be a strictly increasing 1D array of at least two points")
    ends = [x for _, x in layers]
    if not layers or abs(ends[-1] - nodes[-1]) > 1e-9 * (nodes[-1] - nodes[0]):
        raise InputError(f"the last layer must end at the last node {nodes[-1]}, got {ends}")
    if comm.rank == 0:
        x = np.zeros((len(nodes), gdim))
        x[:, 0] = nodes
        cells = np.stack([np.arange(len(nodes) - 1), np.arange(1, len(nodes))], axis=1)
    else:
        x = np.zeros((0, gdim))
        cells = np.zeros((0, 2), dtype=np.int64)
    element = basix.ufl.element("Lagrange", "interval", 1, shape=(gdim,))
    mesh = dolfinx.mesh.create_mesh(comm, cells.astype(np.int64), element, x,
                                     partitioner=shared_facet_partitioner())

    tdim = mesh.topology.dim
    ncells = mesh.topology.index_map(tdim).size_local + mesh.topology.index_map(tdim).num_ghosts
    cells_local = np.arange(ncells, dtype=np.int32)
    mid = dolfinx.mesh.compute_midpoints(mesh, tdim, cells_local)[:, 0]
    cell_values = 1 + np.searchsorted(np.asarray(ends), mid).astype(np.int32)
    cell_tags = dolfinx.mesh.meshtags(mesh, tdim, cells_local, cell_values)

    tol = 1e-9 * (nodes[-1] - nodes[0])
    left = dolfinx.mesh.locate_entities_boundary(mesh, 0, lambda p: np.abs(p[0] - nodes[0]) < tol)
    right = dolfinx.mesh.locate_entities_boundary(mesh, 0,
                                                  lambda p: np.abs(p[0] - nodes[-1]) < tol)
    # the internal interfaces: tags 100 + i, "interface_<i>" (as geometry.multilayer)
    inner = [dolfinx.mesh.locate_entities(mesh, 0, lambda p, xi=xi: np.abs(p[0] - xi) < tol)
             for xi in ends[:-1]]
    facets = np.concatenate([left, right, *inner]).astype(np.int32)
    values = np.concatenate([np.full(len(left), LEFT_END), np.full(len(right), RIGHT_END),
                             *[np.full(len(f), INTERFACE_TAG0 + i + 1)
                               for i, f in enumerate(inner)]])
    order = np.argsort(facets)
    facet_tags = dolfinx.mesh.meshtags(mesh, 0, facets[order], values[order].astype(np.int32))

    tags = {name: i + 1 for i, (name, _) in enumerate(layers)}
    tags.update(left=LEFT_END, right=RIGHT_END)
    tags.update({f"interface_{i}": INTERFACE_TAG0 + i for i in range(1, len(layers))})
    h = np.diff(nodes)
    log.info("1D mesh: %d cells on [%g, %g] nm, h in [%.3g, %.3g] nm, layers %s",
             len(h), nodes[0], nodes[-1], h.min(), h.max(), [n for n, _ in layers])
    return Geometry(mesh, cell_tags, facet_tags, tags, mesh_statistics(mesh))
