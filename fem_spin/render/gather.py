"""Step 1 of a picture (collective): fields interpolated into P1 and gathered to rank 0 as
plain numpy arrays (:class:`GatheredGrid`), nodes shared by ranks merged by their global
input index, so the grid is the serial one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import dolfinx.fem as fem
import dolfinx.plot
import numpy as np
import ufl

from fem_spin.core.fields import interpolate
from fem_spin.errors import InputError

__all__ = ["GatheredGrid", "gather_fields"]


@dataclass(frozen=True)
class GatheredGrid:
    """A mesh and nodal data as numpy arrays, in the layout of ``pyvista.UnstructuredGrid``.

    Attributes:
        cells: VTK connectivity ``[n0, i0, i1, ..., n1, ...]`` into ``points``.
        cell_types: VTK cell type per cell.
        points: node coordinates (n, 3), nm.
        point_data: name -> nodal values, (n,) for scalars or (n, k) for vectors.
    """

    cells: np.ndarray
    cell_types: np.ndarray
    points: np.ndarray
    point_data: dict[str, np.ndarray] = field(default_factory=dict)

    def to_pyvista(self):
        """The grid as a ``pyvista.UnstructuredGrid`` with the point data attached."""
        import pyvista

        grid = pyvista.UnstructuredGrid(self.cells, self.cell_types, self.points)
        for name, values in self.point_data.items():
            grid.point_data[name] = values
        return grid


def gather_fields(mesh, fields: Mapping[str, object], root: int = 0) -> GatheredGrid | None:
    """Nodal (P1) values of ``fields`` on the mesh's nodes, gathered to rank ``root``.

    Collective on ``mesh.comm``. The mesh must be linear (geometry degree 1).

    Args:
        mesh: a DOLFINx mesh.
        fields: name -> DOLFINx Function (any Lagrange degree) or UFL expression (scalar or
            vector) defined on ``mesh``; each is interpolated into P1 of its shape.
        root: the rank that receives the grid.

    Returns:
        A :class:`GatheredGrid` on ``root``, ``None`` on the other ranks.
    """
    comm = mesh.comm
    if mesh.geometry.cmaps[0].degree != 1:
        raise InputError("gather_fields needs a linear mesh (geometry degree 1), this one has "
                         f"degree {mesh.geometry.cmaps[0].degree}")
    values: dict[str, np.ndarray] = {}
    nodes = mesh.geometry.dofmaps[0]  # (cells, nodes per cell): local geometry node indices
    n_nodes = mesh.geometry.x.shape[0]
    for name, f in fields.items():
        shape = ufl.shape(f)
        if len(shape) > 1:
            raise InputError(f"gather_fields: {name!r} has shape {shape}; only scalars and "
                             "vectors can be drawn")
        V = fem.functionspace(mesh, ("Lagrange", 1, shape))
        u = interpolate(f, V)
        u.x.scatter_forward()  # ghost nodes too: their cells may be drawn from this rank's data
        bs = V.dofmap.index_map_bs
        dof_values = u.x.array.reshape(-1, bs)
        # P1 dofs and geometry nodes of a linear mesh coincide cell by cell
        node_values = np.empty((n_nodes, bs))
        node_values[nodes.ravel()] = dof_values[V.dofmap.list.ravel()]
        values[name] = node_values if shape else node_values[:, 0]

    topology, cell_types, x = dolfinx.plot.vtk_mesh(mesh)  # owned cells, local node indices
    # a linear mesh comes with VTK's Lagrange cell types: use the plain linear ones
    cell_types = np.vectorize(lambda t: _LINEAR_VTK.get(int(t), int(t)))(np.asarray(cell_types))
    keys = np.asarray(mesh.geometry.input_global_indices, dtype=np.int64)  # same on all ranks
    topology = np.asarray(topology, dtype=np.int64).copy()
    # replace the node indices of the connectivity (not the per-cell counts) by global keys
    counts_at = _count_positions(topology)
    is_index = np.ones(len(topology), dtype=bool)
    is_index[counts_at] = False
    topology[is_index] = keys[topology[is_index]]

    gathered = comm.gather((topology, np.asarray(cell_types), keys, np.asarray(x), values),
                           root=root)
    if comm.rank != root:
        return None
    all_keys = np.concatenate([g[2] for g in gathered])
    unique, first = np.unique(all_keys, return_index=True)
    points = np.concatenate([g[3] for g in gathered])[first]
    point_data = {name: np.concatenate([g[4][name] for g in gathered])[first]
                  for name in values}
    cells = []
    for g in gathered:
        topo = g[0].copy()
        idx = np.ones(len(topo), dtype=bool)
        idx[_count_positions(topo)] = False
        topo[idx] = np.searchsorted(unique, topo[idx])
        cells.append(topo)
    return GatheredGrid(np.concatenate(cells), np.concatenate([g[1] for g in gathered]),
                        np.ascontiguousarray(points[:, :3]), point_data)


_LINEAR_VTK = {68: 3, 69: 5, 70: 9, 71: 10, 72: 12}  # Lagrange curve/tri/quad/tet/hex -> linear


def _count_positions(topology: np.ndarray) -> np.ndarray:
    """Positions of the per-cell node counts in a flat VTK connectivity array."""
    positions, i = [], 0
    if len(topology) == 0:
        return np.zeros(0, dtype=np.int64)
    n = int(topology[0])
    if np.all(topology[:: n + 1] == n) and len(topology) % (n + 1) == 0:  # one cell type
        return np.arange(0, len(topology), n + 1)
    while i < len(topology):
        positions.append(i)
        i += int(topology[i]) + 1
    return np.asarray(positions, dtype=np.int64)
