"""An AIJ copy of a blocked (BAIJ) Jacobian without the entries that are zero in every state.

DOLFINx's sparsity for a blocked unknown stores whole nodal blocks: for the coupled step's
(m, M, W), 9 x 9 values per pair of neighbouring vertices. Most are zero for every state:
W couples to M at its own vertex only, M and W are pinned (identity rows) outside the
magnets, m does not see W. On the switching pillar refined twice (199,773 dofs) 3.3M of
the 25.3M stored values are non-zero; a product with the copy costs 3.4 ms against 25 ms
with the BAIJ matrix, and a field split's sub-matrices and W's Schur complement
(:mod:`fem_spin.core.lumped_schur`) are as much smaller (docs/solver-design.md).

The pattern is found once, from the Jacobian at a random state, and widened to whole
``group x group`` blocks (one field at one vertex against one field at another: the 3x3
block of a pair of vector fields) wherever any of their values is non-zero there, so that
values that vanish at that state only (e.g. a tensor's off-diagonal entries without a
field) are kept. The diagonal is always kept. Each refill copies the kept values of the
assembled BAIJ matrix into the copy (one gather, MatSetValuesCOO): the copy is the same
operator as the Jacobian to the last bit.

What the pattern assumes: a value that is zero at a random state of the unknown, in a field
block that is zero there too, is zero in every state (a coefficient other than the unknown
that is zero at the set-up and alone couples two fields would break it). Each refill checks
it: a Jacobian whose Frobenius norm the copy does not hold is logged as a warning (once).
"""

from __future__ import annotations

import logging

import numpy as np
from petsc4py import PETSc

__all__ = ["LOST_WARNING", "SPARSE_COPY", "FullCopy", "SparseCopy", "aij_copy", "aij_pattern",
           "csr_rows", "kept_entries"]

#: The AIJ copy of a BAIJ Jacobian without its zeros (:class:`SparseCopy`, also the Krylov
#: operator); False: with every stored value (:class:`FullCopy`, before issue 16's twelfth
#: session; for comparisons).
SPARSE_COPY = True

log = logging.getLogger(__name__)

#: A refill warns when more than this share of the Jacobian's squared Frobenius norm is
#: outside the copy's pattern (round-off of the two norms is about 1e-16).
LOST_WARNING = 1e-10


def csr_rows(indptr: np.ndarray, first_row: int) -> np.ndarray:
    """The global row of each entry of CSR arrays whose local rows start at ``first_row``."""
    return first_row + np.repeat(np.arange(len(indptr) - 1, dtype=np.int64), np.diff(indptr))


def kept_entries(indptr: np.ndarray, cols: np.ndarray, values: np.ndarray, first_row: int,
                 group: int = 3) -> np.ndarray:
    """Indices into the CSR arrays (local rows, global columns, rows and blocks of columns in
    whole groups) of the entries to keep: those in a ``group x group`` block (rows
    ``group k .. group k + group - 1``, the same run of columns) with any non-zero value,
    and the diagonal."""
    n_rows = len(indptr) - 1
    lengths = np.diff(indptr)
    if n_rows % group or np.any(lengths % group) or np.any(indptr % group):
        raise ValueError(f"rows and their column runs must come in whole groups of {group}")
    per_row = lengths.reshape(-1, group)
    if np.any(per_row != per_row[:, :1]):
        raise ValueError(f"the {group} rows of a group must have the same columns")
    # one flag per (row, run of `group` columns), then OR-ed over the rows of a group
    runs = (values != 0.0).reshape(-1, group).any(axis=1)
    n_runs = per_row[:, 0] // group  # runs per row, per row group
    first_run = indptr[::group][:-1] // group
    group_of = np.repeat(np.arange(len(n_runs)), group * n_runs)
    within = (np.arange(len(runs)) - first_run[group_of]) % np.repeat(n_runs, group * n_runs)
    key = np.concatenate(([0], np.cumsum(n_runs)[:-1]))[group_of] + within
    block = np.bincount(key, weights=runs, minlength=int(n_runs.sum())) > 0
    keep = np.repeat(block[key], group)
    keep |= cols == csr_rows(indptr, first_row)
    return np.flatnonzero(keep)


def aij_pattern(A: PETSc.Mat, indptr: np.ndarray, cols: np.ndarray,
                keep: np.ndarray) -> PETSc.Mat:
    """An AIJ matrix of ``A``'s sizes whose pattern is the entries ``keep`` of ``A``'s CSR
    arrays ``indptr, cols`` (``A.getValuesCSR()``: local rows, global columns), for
    ``setValuesCOO`` with the values of those entries (collective)."""
    rows = csr_rows(indptr, A.getOwnershipRange()[0])
    P = PETSc.Mat().create(comm=A.getComm())
    P.setSizes(A.getSizes())
    P.setType(PETSc.Mat.Type.AIJ)
    P.setPreallocationCOO(rows[keep].astype(PETSc.IntType), cols[keep].astype(PETSc.IntType))
    return P


def aij_copy(A: PETSc.Mat, J, u, bcs) -> FullCopy | SparseCopy:
    """The AIJ copy of the BAIJ matrix ``A`` that DOLFINx created for the Jacobian form ``J``
    of the unknown ``u`` with Dirichlet conditions ``bcs`` (collective)."""
    import dolfinx.fem.petsc

    def fill(random: bool) -> None:
        saved = u.x.array.copy()
        if random:  # owned values, then the ghosts
            u.x.array[:] = np.random.default_rng(1 + A.comm.rank).uniform(-1, 1, saved.size)
            u.x.scatter_forward()
        A.zeroEntries()
        dolfinx.fem.petsc.assemble_matrix(A, J, bcs)
        A.assemble()
        u.x.array[:] = saved
    return SparseCopy(A, lambda: fill(True)) if SPARSE_COPY else FullCopy(A, lambda: fill(False))


class FullCopy:
    """The AIJ copy :attr:`P` of a BAIJ matrix ``A`` with all its stored values (``fill()``
    gives ``A`` its pattern: DOLFINx's matrix has none before its first assembly). The
    Krylov operator stays ``A``."""

    def __init__(self, A: PETSc.Mat, fill):
        fill()
        self.P = A.convert(PETSc.Mat.Type.AIJ, out=PETSc.Mat())
        self.operator = A

    def refill(self, A: PETSc.Mat) -> None:
        A.convert(PETSc.Mat.Type.AIJ, out=self.P)

    def destroy(self) -> None:
        self.P.destroy()


class SparseCopy:
    """The AIJ copy :attr:`P` of a BAIJ matrix ``A`` with the pattern of :func:`kept_entries`,
    found from ``A`` filled with the Jacobian at a random state (``fill()``, collective; the
    state is restored after). :meth:`refill` copies ``A``'s kept values (collective).
    :attr:`P` is also the Krylov operator (:attr:`operator`): the same operator as ``A``."""

    def __init__(self, A: PETSc.Mat, fill, group: int = 3):
        fill()
        indptr, cols, values = A.getValuesCSR()
        first = A.getOwnershipRange()[0]
        self._kept = kept_entries(indptr, cols, values, first, group)
        self.P = aij_pattern(A, indptr, cols, self._kept)
        self.stored = (A.comm.tompi4py().allreduce(len(values)),
                       A.comm.tompi4py().allreduce(len(self._kept)))
        self.operator = self.P
        self.lost = 0.0  # the largest share of A's squared Frobenius norm not in P
        # the kept entries as sorted keys (global row * columns + column), for locate()
        self._columns = A.getSize()[1]
        keys = self._keys(csr_rows(indptr, first)[self._kept], cols[self._kept])
        self._order = np.argsort(keys, kind="stable")
        self._sorted = keys[self._order]
        self.refill(A)

    @property
    def size(self) -> int:
        """The number of values of this rank's rows (the length :meth:`set_values` takes)."""
        return len(self._kept)

    def locate(self, indptr: np.ndarray, cols: np.ndarray, first_row: int) -> np.ndarray:
        """The positions in :attr:`P`'s values (the order :meth:`set_values` takes) of the
        entries of another matrix's CSR arrays of this rank's rows (local rows from
        ``first_row``, global columns), -1 where :attr:`P` has no such entry."""
        return self.locate_entries(csr_rows(indptr, first_row), cols)

    def locate_entries(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """:meth:`locate` of the entries ``(rows, cols)`` (global indices, rows of this
        rank)."""
        keys = self._keys(rows, cols)
        at = np.minimum(np.searchsorted(self._sorted, keys), max(len(self._sorted) - 1, 0))
        found = (self._sorted[at] == keys) if len(self._sorted) else np.zeros(len(keys), bool)
        return np.where(found, self._order[at], -1)

    def _keys(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return np.asarray(rows, dtype=np.int64) * self._columns + np.asarray(cols, np.int64)

    def refill(self, A: PETSc.Mat) -> None:
        """Copy the kept values of ``A`` (assembled) into :attr:`P`, and check that they are
        all of ``A``'s (collective)."""
        values = A.getValuesCSR()[2]
        kept = values[self._kept]
        comm = A.comm.tompi4py()
        whole, inside = comm.allreduce(np.array([values @ values, kept @ kept]))
        self.set_values(kept, (whole - inside) / whole if whole > 0.0 else 0.0)

    def set_values(self, values: np.ndarray, lost: float) -> None:
        """Set :attr:`P`'s values (this rank's, in the order of :meth:`locate`) of a matrix
        with the share ``lost`` of its squared Frobenius norm outside the pattern (the same
        on every rank; collective)."""
        self.P.setValuesCOO(values)
        if lost > LOST_WARNING and self.lost <= LOST_WARNING:
            log.warning("the sparse copy of the Jacobian misses values outside the pattern "
                        "found at the set-up (%.2g of its squared norm): the linear solves "
                        "use a different matrix and may converge slowly or not at all. Set "
                        "fem_spin.core.sparse_copy.SPARSE_COPY = False to keep every value, "
                        "and report the case", lost)
        self.lost = max(self.lost, lost)

    def destroy(self) -> None:
        self.P.destroy()
