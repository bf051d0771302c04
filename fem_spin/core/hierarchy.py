"""Nested meshes for geometric multigrid: uniform refinement with the cell and facet tags
carried to the finest mesh (:func:`refine_hierarchy`), and the P1 interpolation between two
levels (:func:`prolongation`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import dolfinx.fem as fem
import dolfinx.mesh
import numpy as np
from mpi4py import MPI
from petsc4py import PETSc

from fem_spin.errors import InputError

__all__ = ["MeshHierarchy", "mesh_size", "prolongation", "refine_hierarchy"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MeshHierarchy:
    """Nested meshes made by uniform refinement, coarse to fine.

    Attributes:
        meshes: the meshes, ``meshes[0]`` the coarsest, ``meshes[-1]`` the finest.
        parent_cells: ``parent_cells[i]`` maps the cells of ``meshes[i + 1]`` to their parents
            in ``meshes[i]`` (as :func:`dolfinx.mesh.refine` returns it).
        cell_tags, facet_tags: the coarse mesh's tags transferred to the finest mesh (or None).
    """

    meshes: tuple
    parent_cells: tuple
    cell_tags: object = None
    facet_tags: object = None

    @property
    def mesh(self):
        """The finest mesh (build the problem on it)."""
        return self.meshes[-1]


def refine_hierarchy(mesh, refinements: int, *, cell_tags=None,
                     facet_tags=None) -> MeshHierarchy:
    """Refine ``mesh`` uniformly ``refinements`` times; tags follow to every level.

    Args:
        mesh: the coarse mesh (simplices).
        refinements: number of uniform refinements (>= 0); each multiplies the number of
            vertices by about 2^tdim.
        cell_tags, facet_tags: MeshTags on ``mesh`` to transfer to the finest mesh.

    Returns:
        The hierarchy; build the problem on ``hierarchy.mesh`` with ``hierarchy.cell_tags``
        and ``hierarchy.facet_tags`` and pass ``hierarchy=`` to it.
    """
    if not isinstance(refinements, int | np.integer) or refinements < 0:
        raise InputError(f"refinements must be an integer >= 0, got {refinements!r}")
    meshes, parents = [mesh], []
    ct, ft = cell_tags, facet_tags
    for _ in range(refinements):
        coarse = meshes[-1]
        coarse.topology.create_entities(1)
        # partitioner=None: children stay on their parent's rank (no ghost cells)
        fine, parent_cell, _ = dolfinx.mesh.refine(
            coarse, partitioner=None, option=dolfinx.mesh.RefinementOption.parent_cell)
        parent_of = _parent_of_owned_cells(fine, parent_cell)
        if ct is not None:
            ct = _transfer_cell_tags(ct, fine, parent_of)
        if ft is not None:
            ft = _transfer_facet_tags(ft, coarse, fine, parent_of)
        meshes.append(fine)
        parents.append(parent_cell)
    return MeshHierarchy(tuple(meshes), tuple(parents), ct, ft)


def _parent_of_owned_cells(meshf, parent_cell: np.ndarray) -> np.ndarray:
    """Parent (local coarse cell) of each owned cell of the refined mesh ``meshf``.

    :func:`dolfinx.mesh.refine` returns the parents in the order of the refined cells before
    the mesh was built: owned cell i has parent ``parent_cell[original_cell_index[i] - offset]``.
    """
    tdim = meshf.topology.dim
    n_owned = meshf.topology.index_map(tdim).size_local
    offset = meshf.comm.exscan(len(parent_cell)) or 0
    original = np.asarray(meshf.topology.original_cell_index[:n_owned], dtype=np.int64)
    return np.asarray(parent_cell)[original - offset]


def _transfer_cell_tags(tags, fine, parent_of):
    tdim = fine.topology.dim
    ncoarse = tags.topology.index_map(tdim)
    value = np.full(ncoarse.size_local + ncoarse.num_ghosts, -1, dtype=np.int64)
    value[tags.indices] = tags.values
    v = value[parent_of]
    cells = np.flatnonzero(v >= 0).astype(np.int32)
    return dolfinx.mesh.meshtags(fine, tdim, cells, v[cells].astype(tags.values.dtype))


def _transfer_facet_tags(tags, coarse, fine, parent_of):
    """A fine facet gets the tag of the coarse facet it lies in (facet i of a simplex is the
    one opposite vertex i): found with barycentric coordinates in the parent cell."""
    tdim = fine.topology.dim
    fdim = tdim - 1
    coarse.topology.create_connectivity(tdim, fdim)
    coarse.topology.create_connectivity(fdim, tdim)
    fine.topology.create_connectivity(tdim, fdim)
    fine.topology.create_connectivity(fdim, tdim)
    c_to_f = coarse.topology.connectivity(tdim, fdim)
    f_to_c = coarse.topology.connectivity(fdim, tdim)
    nfc = coarse.topology.index_map(fdim)
    coarse_value = np.full(nfc.size_local + nfc.num_ghosts, -1, dtype=np.int64)
    coarse_value[tags.indices] = tags.values
    # coarse cells that touch a tagged facet, and the fine cells inside them
    touched = np.zeros(coarse.topology.index_map(tdim).size_local
                       + coarse.topology.index_map(tdim).num_ghosts, dtype=bool)
    for f in tags.indices:
        touched[f_to_c.links(f)] = True
    fine_cells = np.flatnonzero(touched[parent_of]).astype(np.int32)
    found_f, found_v = [], []
    if len(fine_cells):
        cgeo = coarse.geometry.x[:, :tdim]
        cdofmap = coarse.geometry.dofmaps[0]
        parents = parent_of[fine_cells]
        verts = cgeo[cdofmap[parents, : tdim + 1]]  # (nc, tdim + 1, tdim)
        T = np.linalg.inv(np.transpose(verts[:, 1:, :] - verts[:, :1, :], (0, 2, 1)))
        ff = fine.topology.connectivity(tdim, fdim).array.reshape(-1, tdim + 1)
        cf = c_to_f.array.reshape(-1, tdim + 1)
        for lf in range(tdim + 1):
            facets = ff[fine_cells, lf]
            x = dolfinx.mesh.entities_to_geometry(fine, fdim, facets)  # node indices
            pts = fine.geometry.x[x][:, :, :tdim]  # (nc, tdim, tdim)
            lam = np.einsum("cij,cpj->cpi", T, pts - verts[:, None, 0, :])
            w = np.concatenate([1.0 - lam.sum(axis=2, keepdims=True), lam], axis=2)
            on = np.all(np.abs(w) < 1e-8, axis=1)  # (nc, tdim + 1): all nodes on facet i
            cell_idx, local = np.nonzero(on)
            vals = coarse_value[cf[parents[cell_idx], local]]
            found_f.append(facets[cell_idx][vals >= 0])
            found_v.append(vals[vals >= 0])
    facets = np.concatenate(found_f) if found_f else np.zeros(0, dtype=np.int32)
    values = np.concatenate(found_v) if found_v else np.zeros(0, dtype=np.int64)
    facets, first = np.unique(facets, return_index=True)
    return dolfinx.mesh.meshtags(fine, fdim, facets.astype(np.int32),
                                 values[first].astype(tags.values.dtype))


def mesh_size(mesh) -> float:
    """Longest cell edge over the whole mesh (all ranks get the same value)."""
    tdim = mesh.topology.dim
    n = mesh.topology.index_map(tdim).size_local
    local = float(mesh.h(tdim, np.arange(n, dtype=np.int32)).max()) if n else 0.0
    return mesh.comm.allreduce(local, op=MPI.MAX)


def prolongation(Vc: fem.FunctionSpace, Vf: fem.FunctionSpace,
                 parent_cell: np.ndarray) -> PETSc.Mat:
    """P1 interpolation matrix from ``Vc`` (coarse mesh) to ``Vf`` (a uniform refinement).

    Fine node ``x`` in coarse parent cell ``K`` gets the barycentric weights of ``x`` in ``K``
    (1, or 1/2 and 1/2 for an edge midpoint); a blocked space gets the same weights for each
    component. Rows are owned fine dofs, columns global coarse dofs.
    """
    meshf = Vf.mesh
    tdim = meshf.topology.dim
    bs = Vf.dofmap.index_map_bs
    imf, imc = Vf.dofmap.index_map, Vc.dofmap.index_map
    nf = imf.size_local
    n_owned = meshf.topology.index_map(tdim).size_local
    parent_of_cell = _parent_of_owned_cells(meshf, parent_cell)
    fine_cells = Vf.dofmap.list[:n_owned]
    # one owned fine cell per owned fine node (any will do: the weights do not depend on it)
    cell_of = np.full(imf.size_local + imf.num_ghosts, -1, dtype=np.int64)
    cell_of[fine_cells.ravel()] = np.repeat(np.arange(n_owned), fine_cells.shape[1])
    cell_of = cell_of[:nf]
    if np.any(cell_of < 0):
        raise RuntimeError("an owned fine node lies in no owned fine cell")
    cdofs = Vc.dofmap.list[parent_of_cell[cell_of]]  # (nf, tdim + 1) local coarse nodes
    xf = Vf.tabulate_dof_coordinates()[:nf, :tdim]
    verts = Vc.tabulate_dof_coordinates()[:, :tdim][cdofs]  # (nf, tdim + 1, tdim)
    # barycentric coordinates: x = v0 + sum_i l_i (v_i - v0)
    T = np.transpose(verts[:, 1:, :] - verts[:, :1, :], (0, 2, 1))
    lam = np.linalg.solve(T, (xf - verts[:, 0, :])[..., None])[..., 0]
    w = np.concatenate([1.0 - lam.sum(axis=1, keepdims=True), lam], axis=1)
    if np.any(w < -1e-8) or np.any(w > 1 + 1e-8):
        raise RuntimeError("the meshes are not nested: a fine node lies outside its parent cell")
    w[np.abs(w) < 1e-10] = 0.0
    gcols = imc.local_to_global(cdofs.ravel().astype(np.int32)).reshape(cdofs.shape)
    keep = w != 0.0
    rows = np.broadcast_to((np.arange(nf) + imf.local_range[0])[:, None], w.shape)[keep]
    cols, vals = gcols[keep], w[keep]
    comp = np.arange(bs)[None, :]
    R = (bs * rows[:, None] + comp).ravel().astype(PETSc.IntType)
    C = (bs * cols[:, None] + comp).ravel().astype(PETSc.IntType)
    P = PETSc.Mat().create(comm=meshf.comm)
    P.setSizes(((bs * nf, None), (bs * imc.size_local, None)), bsize=bs)
    P.setType(PETSc.Mat.Type.AIJ)
    P.setPreallocationCOO(R, C)
    P.setValuesCOO(np.repeat(vals, bs).astype(PETSc.ScalarType),
                   addv=PETSc.InsertMode.INSERT_VALUES)
    P.assemble()
    return P
