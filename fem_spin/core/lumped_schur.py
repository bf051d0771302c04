"""The Schur complement of the coupled step's W rows, for its linear solvers.

W, the effective field of the LLG (:mod:`fem_spin.physics.magnetization`), is a lumped L2
projection: its rows' W-W block is the lumped mass (diagonal), and no other row depends on W
except M's own rows at the same vertex (the lumped precession ``M_mid x W``). Eliminating W
is then exact and cheap::

    S = A_kk - A_kW diag(A_WW)^{-1} A_Wk        (k: the kept unknowns)

``S`` has the pattern of ``A_kk`` (neighbouring vertices: ``A_Wk`` is the exchange Laplacian)
with the kept unknowns per vertex only, so its LU is much smaller than the whole block's:
(6/9)^2 of the fronts for (m, M) of the coupled step's 9 unknowns per vertex, (3/6)^2 for M
of the magnets' (M, W). PETSc's ``selfp`` forms the same product from the stored blocks, but
DOLFINx's cell-wise sparsity stores ``A_kW``'s zeros between neighbouring vertices, and the
product then has the pattern of the neighbours' neighbours: its LU cost as much as the
(M, W) block's (measured at 200k dofs: 21 ms per solve either way). :class:`LumpedSchur`
keeps ``A_kW``'s vertex blocks only (the coupled step's copy of the Jacobian,
:mod:`fem_spin.core.sparse_copy`, no longer stores those zeros; the full copy does). Were
``A_kW`` not vertex-local, ``S`` would be a preconditioner instead of the exact complement
(FGMRES allows that; the direct chord would converge more slowly).
"""

from __future__ import annotations

import numpy as np
from petsc4py import PETSc

__all__ = ["MW_SCHUR_OPTIONS", "LumpedSchur", "routed_lu_options", "schur_split_options"]


def schur_split_options(prefix: str = "", w: str = "0", keep: str = "1") -> dict[str, object]:
    """PETSc options of a ``schur`` field split (options prefix ``prefix``) that eliminates
    W's rows exactly: split ``w`` (W, the lumped mass) by Jacobi, then split ``keep`` by MUMPS
    LU of the matrix :class:`LumpedSchur` builds (the ``user`` Schur preconditioner; exact
    here, with ``full`` factorization). The splits themselves are defined by the caller."""
    return {
        f"{prefix}pc_type": "fieldsplit",
        f"{prefix}pc_fieldsplit_type": "schur",
        f"{prefix}pc_fieldsplit_schur_fact_type": "full",
        f"{prefix}pc_fieldsplit_schur_precondition": "user",
        f"{prefix}fieldsplit_{w}_ksp_type": "preonly",
        f"{prefix}fieldsplit_{w}_pc_type": "jacobi",
        f"{prefix}fieldsplit_{keep}_ksp_type": "preonly",
        f"{prefix}fieldsplit_{keep}_pc_type": "lu",
        f"{prefix}fieldsplit_{keep}_pc_factor_mat_solver_type": "mumps",
    }


def routed_lu_options(options: dict, to: str) -> dict[str, object]:
    """The LU's options in ``options`` (``pc_factor_*``, ``mat_mumps_*``, with or without the
    leading ``-``) under the prefix ``to``: the split whose LU replaces the whole one."""
    return {f"{to}{k.lstrip('-')}": v for k, v in options.items()
            if k.lstrip("-").startswith(("pc_factor_", "mat_mumps_"))}


#: The block solver's ``MW`` split by its Schur complement on M: the W rows (components 3-5 of
#: each vertex's six), then ``S`` on M (components 0-2).
MW_SCHUR_OPTIONS: dict[str, object] = {
    **schur_split_options("fieldsplit_MW_"),
    "fieldsplit_MW_pc_fieldsplit_block_size": 6,
    "fieldsplit_MW_pc_fieldsplit_0_fields": "3,4,5",
    "fieldsplit_MW_pc_fieldsplit_1_fields": "0,1,2",
}


class LumpedSchur:
    """``S = A_kk - A_kW diag(A_WW)^{-1} A_Wk`` of a preconditioner matrix ``P``.

    Args:
        is_keep, is_W: global index sets (in ``P``'s numbering) of the kept unknowns and of
            W, ``per_vertex`` = (kept, W) of them at each vertex, in the same vertex order on
            each rank (the k-th group of each is one vertex).

    :meth:`update` refills :attr:`S` (one matrix, its pattern fixed at the first call) from
    ``P``; :meth:`attach` gives it to a ``schur`` field split as its preconditioning matrix.
    """

    def __init__(self, is_keep: PETSc.IS, is_W: PETSc.IS, per_vertex: tuple[int, int] = (3, 3)):
        nk, nw = per_vertex
        n = is_W.getLocalSize() // nw
        if is_keep.getLocalSize() != n * nk or is_W.getLocalSize() != n * nw:
            raise ValueError(f"the kept unknowns and W: {nk} and {nw} per vertex, same vertices")
        self.is_keep, self.is_W, self.per_vertex = is_keep, is_W, per_vertex
        self.S: PETSc.Mat | None = None
        self._blocks: dict[str, PETSc.Mat] = {}

    def _sub(self, P: PETSc.Mat, name: str, rows: PETSc.IS, cols: PETSc.IS) -> PETSc.Mat:
        self._blocks[name] = P.createSubMatrix(rows, cols, submat=self._blocks.get(name))
        return self._blocks[name]

    def _vertex_blocks(self, A_kW: PETSc.Mat, inv_d: np.ndarray) -> PETSc.Mat:
        """``A_kW diag(A_WW)^{-1}`` at each vertex's own block (local rows; a row's vertex's
        W columns are owned by the same rank)."""
        nk, nw = self.per_vertex
        indptr, cols, vals = A_kW.getValuesCSR()
        row0, col0 = A_kW.getOwnershipRange()[0], A_kW.getOwnershipRangeColumn()[0]
        n = len(indptr) - 1
        rows = np.repeat(np.arange(n), np.diff(indptr))
        keep = cols // nw == (rows + row0) // nk
        ptr = np.zeros(n + 1, dtype=PETSc.IntType)
        ptr[1:] = np.cumsum(np.bincount(rows[keep], minlength=n))
        c = cols[keep].astype(PETSc.IntType)
        return PETSc.Mat().createAIJ(A_kW.getSizes(), csr=(ptr, c, vals[keep] * inv_d[c - col0]),
                                     comm=A_kW.getComm())

    def update(self, P: PETSc.Mat) -> None:
        """Recompute :attr:`S` from ``P`` (collective)."""
        A_kk = self._sub(P, "kk", self.is_keep, self.is_keep)
        A_kW = self._sub(P, "kW", self.is_keep, self.is_W)
        A_Wk = self._sub(P, "Wk", self.is_W, self.is_keep)
        d = P.getDiagonal()
        inv_d = 1.0 / d.getValues(self.is_W.getIndices())  # owned W rows
        d.destroy()
        T = self._vertex_blocks(A_kW, inv_d)
        TA = T.matMult(A_Wk)
        T.destroy()
        if self.S is None:  # the pattern: A_kk's and T A_Wk's, kept
            self.S = A_kk.duplicate(copy=True)
            self.S.axpy(-1.0, TA, structure=PETSc.Mat.Structure.DIFFERENT_NONZERO_PATTERN)
        else:
            subset = PETSc.Mat.Structure.SUBSET_NONZERO_PATTERN
            self.S.zeroEntries()
            self.S.axpy(1.0, A_kk, structure=subset)
            self.S.axpy(-1.0, TA, structure=subset)
        TA.destroy()

    def after_jacobian(self, ksp: PETSc.KSP, J: PETSc.Mat, P: PETSc.Mat | None = None) -> None:
        """The hook of :class:`fem_spin.core.newton.NewtonSolver` when ``ksp``'s own PC is the
        ``schur`` split: update :attr:`S` from ``P`` (the AIJ copy of a BAIJ Jacobian) or
        ``J`` (AIJ) and attach it."""
        self.update(J if P is None else P)
        self.attach(ksp.getPC())

    def attach(self, pc: PETSc.PC) -> None:
        """Give :attr:`S` to the ``schur`` field split ``pc`` as its preconditioning matrix."""
        pc.setFieldSplitSchurPreType(PETSc.PC.FieldSplitSchurPreType.USER, self.S)

    def close(self) -> None:
        for A in [*self._blocks.values(), self.S]:
            if A is not None:
                A.destroy()
        self._blocks, self.S = {}, None
