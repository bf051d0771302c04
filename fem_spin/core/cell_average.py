"""The quadrature-rule average of a UFL expression over each cell, as a DG0 Function.

Why: for P1 on affine simplices ``grad m`` and ``grad v`` are constant in a cell, so a
diffusion term ``int_K Dt(x) grad m : grad v dx`` evaluated by a quadrature rule
``(x_q, w_q)`` equals ``|K| <Dt>_K : (grad m grad v^T)`` with the rule's average
``<Dt>_K = sum_q w_q Dt(x_q) / sum_q w_q``. Assembling the term with one point and the DG0
``<Dt>_K`` gives the same matrix and residual as the pointwise tensor, to round-off, while
the kernel no longer evaluates the rational ``A^{-1}(H)`` at every point of every entry
(docs/solver-design.md, "Time to solution"; tests/verification/test_s1_assembly.py).
"""

from __future__ import annotations

import basix
import dolfinx.fem as fem
import numpy as np
from petsc4py import PETSc

from fem_spin.core.fields import jit_options

__all__ = ["CellAverage", "EVENT", "affine_simplex"]

#: Cells evaluated at a time (the scratch array: CHUNK x points x components doubles).
CHUNK = 32768

#: PETSc log event of :meth:`CellAverage.update` (benchmarks count it as assembly).
EVENT = PETSc.Log.Event("fem_spin_CellAverage")


def affine_simplex(mesh) -> bool:
    """True if the cells are simplices with an affine (degree-1) coordinate map."""
    simplex = mesh.basix_cell() in (basix.CellType.interval, basix.CellType.triangle,
                                    basix.CellType.tetrahedron)
    return simplex and mesh.geometry.cmaps[0].degree == 1


class CellAverage:
    """``function`` (DG0, the shape of ``expr``) holds, on every local cell (ghosts too, so
    no scatter is needed), the average of ``expr`` by the default quadrature rule of
    ``degree`` (the rule FFCx uses for ``metadata={"quadrature_degree": degree}``).
    :meth:`update` re-evaluates it (call it when a coefficient of ``expr`` changed).

    Args:
        expr: a UFL expression without arguments, e.g. the diffusion tensor ``Dt(H)``.
        mesh: the mesh of its coefficients.
        degree: the quadrature degree whose rule is averaged.
        name: the Function's name.
    """

    def __init__(self, expr, mesh, degree: int, name: str = "cell_average"):
        points, weights = basix.make_quadrature(mesh.basix_cell(), degree)
        self.weights = weights / weights.sum()
        shape = tuple(expr.ufl_shape)
        V0 = fem.functionspace(mesh, ("DG", 0, shape) if shape else ("DG", 0))
        self.function = fem.Function(V0, name=name)
        self.mesh = mesh
        self._expr = fem.Expression(expr, points, jit_options=jit_options())
        imap = mesh.topology.index_map(mesh.topology.dim)
        self._cells = np.arange(imap.size_local + imap.num_ghosts, dtype=np.int32)
        self._dofs = V0.dofmap.list[self._cells, 0]
        self._bs = V0.dofmap.bs
        self.update()

    def update(self) -> None:
        """Evaluate ``expr`` at the rule's points of every cell and store the averages."""
        EVENT.begin()
        target = self.function.x.array.reshape(-1, self._bs)
        for start in range(0, len(self._cells), CHUNK):  # bounded scratch memory
            cells = self._cells[start:start + CHUNK]
            values = self._expr.eval(self.mesh, cells).reshape(len(cells), -1, self._bs)
            target[self._dofs[start:start + CHUNK]] = np.einsum("q,nqk->nk", self.weights,
                                                                values)
        EVENT.end()
