"""The local tangent basis of a magnetization: ``dM = a e1 + b e2`` at each magnet vertex.

At a vertex with unit ``M0``: ``e1`` is the coordinate axis least aligned with ``M0``, made
orthogonal to it and normalised, ``e2 = M0 x e1`` (so ``e1 x e2 = M0``). With ``y = (a, b)``
per vertex, ``R y`` is ``dM`` in the P1 vector space (3N rows, 2N columns over the magnet
vertices: a 2N problem) and, for any ``w``, ``R^T (M0 x w) = J R^T w`` with
``J = [[0, -1], [1, 0]]`` per vertex; ``Q = R J^T`` (columns ``-e2, e1``) gives
``J R^T = Q^T``. The 2N unknowns are numbered rank by rank over the owned magnet vertices.
"""

from __future__ import annotations

import dolfinx.fem as fem
import numpy as np
from mpi4py import MPI
from petsc4py import PETSc

__all__ = ["TangentSpace", "tangent_basis"]


def tangent_basis(M0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(e1, e2)`` (each ``(n, 3)``) for unit vectors ``M0`` (``(n, 3)``)."""
    axis = np.eye(3)[np.argmin(np.abs(M0), axis=1)]
    e1 = axis - np.sum(axis * M0, axis=1)[:, None] * M0
    e1 /= np.linalg.norm(e1, axis=1)[:, None]
    return e1, np.cross(M0, e1)


class TangentSpace:
    """The tangent basis of ``M0`` (a Function in a P1 vector space ``V``) at the vertices
    flagged by ``inside`` (local nodes with ghosts), with the PETSc matrices ``R`` and ``Q``.
    """

    def __init__(self, V: fem.FunctionSpace, M0: fem.Function, inside: np.ndarray):
        im = V.dofmap.index_map
        self.V, self.comm = V, V.mesh.comm
        n_owned = im.size_local
        self.nodes = np.flatnonzero(inside[:n_owned])  # owned magnet vertices
        n = len(self.nodes)
        self.offset = self.comm.exscan(n, op=MPI.SUM) or 0
        self.size = self.comm.allreduce(n, op=MPI.SUM)
        self.n_local = n
        M = M0.x.array.reshape(-1, 3)[self.nodes]
        self.M0 = M / np.linalg.norm(M, axis=1)[:, None]
        self.e1, self.e2 = tangent_basis(self.M0)
        self._rows = ((im.local_range[0] + self.nodes)[:, None] * 3
                      + np.arange(3)[None, :]).astype(PETSc.IntType)
        self._cols = 2 * (self.offset + np.arange(n, dtype=PETSc.IntType))
        self.R = self._basis_matrix(self.e1, self.e2)
        self.Q = self._basis_matrix(-self.e2, self.e1)

    def _basis_matrix(self, c0: np.ndarray, c1: np.ndarray) -> PETSc.Mat:
        im = self.V.dofmap.index_map
        rows = (3 * im.size_local, 3 * im.size_global)
        cols = (2 * self.n_local, 2 * self.size)
        R = PETSc.Mat().createAIJ((rows, cols), nnz=(2, 2), comm=self.comm)
        R.setOption(PETSc.Mat.Option.NEW_NONZERO_ALLOCATION_ERR, False)
        for k in range(self.n_local):
            cols_k = np.array([self._cols[k], self._cols[k] + 1], dtype=PETSc.IntType)
            R.setValues(self._rows[k], cols_k, np.column_stack([c0[k], c1[k]]).ravel())
        R.assemble()
        return R

    def at_vertices(self, f: fem.Function) -> np.ndarray:
        """The values of a P1 vector Function at the owned magnet vertices, ``(n_local, 3)``."""
        return f.x.array.reshape(-1, 3)[self.nodes]

    def pencil_mass(self, weights: np.ndarray, alpha: np.ndarray) -> PETSc.Mat:
        """``B = W (I - alpha J)`` per vertex: ``w [[1, alpha], [-alpha, 1]]`` (``weights`` the
        lumped vertex volumes (nm^3), ``alpha`` the Gilbert damping at the owned magnet
        vertices)."""
        n = 2 * self.n_local
        Bm = PETSc.Mat().createAIJ(((n, 2 * self.size), (n, 2 * self.size)), nnz=(2, 0),
                                   comm=self.comm)
        for k in range(self.n_local):
            c = np.array([self._cols[k], self._cols[k] + 1], dtype=PETSc.IntType)
            w, a = weights[k], alpha[k]
            Bm.setValues(c, c, [w, w * a, -w * a, w])
        Bm.assemble()
        return Bm

    def inverse_J_mass(self, weights: np.ndarray, alpha: np.ndarray) -> PETSc.Mat:
        """``J^{-1} B = -J W (I - alpha J)`` per vertex: ``w [[-alpha, 1], [-1, -alpha]]``
        (the right-hand side of the shift-and-invert operator ``(J H)^{-1} B``)."""
        n = 2 * self.n_local
        F = PETSc.Mat().createAIJ(((n, 2 * self.size), (n, 2 * self.size)), nnz=(2, 0),
                                  comm=self.comm)
        for k in range(self.n_local):
            c = np.array([self._cols[k], self._cols[k] + 1], dtype=PETSc.IntType)
            w, a = weights[k], alpha[k]
            F.setValues(c, c, [-w * a, w, -w, -w * a])
        F.assemble()
        return F

    def cartesian_modes(self, like: PETSc.Mat) -> list[PETSc.Vec]:
        """``R^T e_x, R^T e_y, R^T e_z``: the uniform Cartesian ``dM`` in the tangent basis
        (the smooth modes of the exchange operator, a near null space for multigrid)."""
        out = []
        for axis in range(3):
            v = like.createVecLeft()
            a = v.getArray().reshape(-1, 2)
            a[:, 0], a[:, 1] = self.e1[:, axis], self.e2[:, axis]
            out.append(v)
        return out

    def lift(self, y: PETSc.Vec) -> np.ndarray:
        """``dM = R y`` at the owned magnet vertices, ``(n_local, 3)``."""
        a = y.getArray(readonly=True).reshape(-1, 2)
        return a[:, :1] * self.e1 + a[:, 1:] * self.e2

    def to_function(self, values: np.ndarray, name: str) -> fem.Function:
        """A P1 vector Function with ``values`` (``(n_local, 3)``) at the owned magnet vertices,
        zero elsewhere (ghosts updated)."""
        f = fem.Function(self.V, name=name)
        f.x.array.reshape(-1, 3)[self.nodes] = values
        f.x.scatter_forward()
        return f
