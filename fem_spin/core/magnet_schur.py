"""The magnets' (M, W) block of the coupled step's field split, solved through the Schur
complement of its W rows.

In the block solver (:mod:`fem_spin.core.block_solver`) the ``MW`` split holds M and W at
the magnets' vertices. Both are P1 with the lumped (vertex) measure in the LLG rows
(:mod:`fem_spin.physics.magnetization`): the W-W block is the lumped mass (diagonal), and
the M-W block couples each vertex's M to its own W only. Eliminating W is then exact and
cheap::

    S = A_MM - A_MW diag(A_WW)^{-1} A_WM

``S`` has the pattern of ``A_WM`` (the exchange Laplacian between neighbouring vertices) with
3 unknowns per vertex, where the (M, W) block has 6, so its LU is about 4x smaller.
PETSc's ``selfp`` forms the same product from the stored blocks, but DOLFINx's cell-wise
sparsity stores ``A_MW``'s zeros between neighbouring vertices, and the product then has the
pattern of the neighbours' neighbours: its LU cost as much as the (M, W) block's (measured
at 200k dofs: 21 ms per solve either way). :class:`MagnetSchur` keeps ``A_MW``'s vertex
blocks only. Were ``A_MW`` not vertex-local (a term coupling neighbouring vertices), ``S``
would be a preconditioner instead of the exact complement; the outer FGMRES allows that.
"""

from __future__ import annotations

import numpy as np
from petsc4py import PETSc

__all__ = ["MW_SCHUR_OPTIONS", "MagnetSchur"]

#: The ``MW`` split by its Schur complement on M: the W rows (components 3-5 of each vertex's
#: six) by Jacobi (the lumped mass: exact), then ``S`` (components 0-2) by MUMPS LU of the
#: matrix :class:`MagnetSchur` builds (the ``user`` Schur preconditioner, exact here).
MW_SCHUR_OPTIONS: dict[str, object] = {
    "fieldsplit_MW_pc_type": "fieldsplit",
    "fieldsplit_MW_pc_fieldsplit_type": "schur",
    "fieldsplit_MW_pc_fieldsplit_schur_fact_type": "full",
    "fieldsplit_MW_pc_fieldsplit_schur_precondition": "user",
    "fieldsplit_MW_pc_fieldsplit_block_size": 6,
    "fieldsplit_MW_pc_fieldsplit_0_fields": "3,4,5",
    "fieldsplit_MW_pc_fieldsplit_1_fields": "0,1,2",
    "fieldsplit_MW_fieldsplit_0_ksp_type": "preonly",
    "fieldsplit_MW_fieldsplit_0_pc_type": "jacobi",
    "fieldsplit_MW_fieldsplit_1_ksp_type": "preonly",
    "fieldsplit_MW_fieldsplit_1_pc_type": "lu",
    "fieldsplit_MW_fieldsplit_1_pc_factor_mat_solver_type": "mumps",
}


class MagnetSchur:
    """``S = A_MM - A_MW diag(A_WW)^{-1} A_WM`` of a preconditioner matrix ``P``.

    Args:
        is_M, is_W: global index sets (in ``P``'s numbering) of M and W at the magnets'
            vertices, three components per vertex, in the same vertex order (so that the
            k-th triple of each is one vertex, owned by one rank).

    :meth:`update` refills :attr:`S` (one matrix, its pattern fixed at the first call) from
    ``P``; give :attr:`S` to the ``MW`` split's Schur complement (:meth:`attach`).
    """

    def __init__(self, is_M: PETSc.IS, is_W: PETSc.IS):
        if is_M.getLocalSize() != is_W.getLocalSize() or is_M.getLocalSize() % 3:
            raise ValueError("M and W at the magnets' vertices: three components each")
        self.is_M, self.is_W = is_M, is_W
        self.S: PETSc.Mat | None = None
        self._blocks: dict[str, PETSc.Mat] = {}

    def _sub(self, P: PETSc.Mat, name: str, rows: PETSc.IS, cols: PETSc.IS) -> PETSc.Mat:
        self._blocks[name] = P.createSubMatrix(rows, cols, submat=self._blocks.get(name))
        return self._blocks[name]

    def _vertex_blocks(self, A_MW: PETSc.Mat, inv_d: np.ndarray) -> PETSc.Mat:
        """``A_MW diag(A_WW)^{-1}`` at each vertex's own 3x3 block (local rows; the
        columns of a row's vertex are owned by the same rank)."""
        indptr, cols, vals = A_MW.getValuesCSR()
        first = A_MW.getOwnershipRange()[0]
        n = len(indptr) - 1
        rows = np.repeat(np.arange(n), np.diff(indptr))
        keep = cols // 3 == (rows + first) // 3
        ptr = np.zeros(n + 1, dtype=PETSc.IntType)
        ptr[1:] = np.cumsum(np.bincount(rows[keep], minlength=n))
        c = cols[keep].astype(PETSc.IntType)
        return PETSc.Mat().createAIJ(A_MW.getSizes(), csr=(ptr, c, vals[keep] * inv_d[c - first]),
                                     comm=A_MW.getComm())

    def update(self, P: PETSc.Mat) -> None:
        """Recompute :attr:`S` from ``P`` (collective)."""
        A_MM = self._sub(P, "MM", self.is_M, self.is_M)
        A_MW = self._sub(P, "MW", self.is_M, self.is_W)
        A_WM = self._sub(P, "WM", self.is_W, self.is_M)
        d = P.getDiagonal()
        inv_d = 1.0 / d.getValues(self.is_W.getIndices())  # owned W rows
        d.destroy()
        T = self._vertex_blocks(A_MW, inv_d)
        TA = T.matMult(A_WM)
        T.destroy()
        if self.S is None:  # the pattern: A_MM's and T A_WM's, kept
            self.S = A_MM.duplicate(copy=True)
            self.S.axpy(-1.0, TA, structure=PETSc.Mat.Structure.DIFFERENT_NONZERO_PATTERN)
        else:
            subset = PETSc.Mat.Structure.SUBSET_NONZERO_PATTERN
            self.S.zeroEntries()
            self.S.axpy(1.0, A_MM, structure=subset)
            self.S.axpy(-1.0, TA, structure=subset)
        TA.destroy()

    def attach(self, mw_ksp: PETSc.KSP) -> None:
        """Give :attr:`S` to the ``MW`` split's Schur complement (:data:`MW_SCHUR_OPTIONS`)."""
        mw_ksp.getPC().setFieldSplitSchurPreType(PETSc.PC.FieldSplitSchurPreType.USER, self.S)

    def close(self) -> None:
        for A in [*self._blocks.values(), self.S]:
            if A is not None:
                A.destroy()
        self._blocks, self.S = {}, None
