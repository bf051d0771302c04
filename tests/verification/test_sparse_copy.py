"""The AIJ copy of the coupled step's BAIJ Jacobian without its zeros
(fem_spin.core.sparse_copy): the pattern keeps whole 3x3 field blocks with any non-zero
value, and the diagonal; on the switching pillar the copy is the same operator as the
assembled Jacobian (also after a field is switched on that was zero when the pattern was
found), with a fraction of its stored values; serially and under MPI. That the steps are the
same is tested in test_blocked_unknown.py (against the mixed space, which has no copy)."""

import numpy as np
import pytest
from petsc4py import PETSc

from fem_spin.core.sparse_copy import LOST_WARNING, SparseCopy, kept_entries
from tests.helpers.switching_pillar import pillar


def csr(dense: np.ndarray, stored: np.ndarray):
    """CSR arrays of ``dense`` with the entries ``stored`` (zeros included)."""
    indptr = np.concatenate(([0], np.cumsum(stored.sum(axis=1))))
    rows, cols = np.nonzero(stored)
    return indptr, cols, dense[rows, cols]


@pytest.mark.serial
def test_kept_entries_widen_to_blocks():
    """6 rows (2 groups of 3), columns in runs of 3: a block with one non-zero value is kept
    whole, a block of zeros is dropped, the diagonal is kept even where zero."""
    stored = np.ones((6, 9), bool)
    stored[3:, 6:] = False  # the second group of rows stores two column runs only
    dense = np.zeros((6, 9))
    dense[1, 4] = 2.0  # block (rows 0-2, columns 3-5): kept whole
    dense[4, 7] = 0.0  # not stored
    dense[5, 0] = -1.0  # block (rows 3-5, columns 0-2): kept whole
    indptr, cols, values = csr(dense, stored)
    kept = kept_entries(indptr, cols, values, first_row=0)
    rows = np.repeat(np.arange(6), np.diff(indptr))
    got = {(int(r), int(c)) for r, c in zip(rows[kept], cols[kept], strict=True)}
    blocks = {(r, c) for r in range(3) for c in range(3, 6)}
    blocks |= {(r, c) for r in range(3, 6) for c in range(3)}
    # the diagonal, zero: (0,0)-(2,2) and (3,3)-(5,5)
    assert got == blocks | {(r, r) for r in range(6)}
    # with the first row 3 (a rank's rows), the diagonal is (r, r + 3): in a kept block for
    # rows 0-2, not stored for rows 3-5
    kept = kept_entries(indptr, cols, values, first_row=3)
    assert {(int(r), int(c)) for r, c in zip(rows[kept], cols[kept], strict=True)} == blocks


@pytest.mark.serial
def test_kept_entries_need_whole_groups():
    stored = np.ones((3, 4), bool)
    indptr, cols, values = csr(np.ones((3, 4)), stored)
    with pytest.raises(ValueError, match="whole groups of 3"):
        kept_entries(indptr, cols, values, first_row=0)
    stored = np.ones((3, 6), bool)
    stored[2, 3:] = False
    indptr, cols, values = csr(np.ones((3, 6)), stored)
    with pytest.raises(ValueError, match="the same columns"):
        kept_entries(indptr, cols, values, first_row=0)


def test_copy_is_the_jacobian(comm):
    """The pillar (h_max = 4 nm, direct chord; its copy feeds W's Schur complement): the
    pattern is found without a field; with 0.5 T switched on, three steps later the copy
    and the BAIJ Jacobian at that state give the same products, with under a third of the
    values."""
    p, dt = pillar(comm, ["geometry.h_max=4.0", "dynamics.B_T=[0.0, 0.0, 0.0]"], "direct")
    with p:
        step = p._solvers_[0]
        copy = step._P_copy
        assert isinstance(copy, SparseCopy) and copy.operator is copy.P
        for B in (p.B_s2, p.B_llg):  # a field the pattern did not see
            B.value = [0.0, 0.5, 0.0]
        for _ in range(3):
            p.step(dt)
        # the Jacobian at the state reached, assembled (BAIJ: the first evaluation gives A
        # the whole form's pattern, the second the split's J_N + K), and the copy filled as
        # the solver fills it (core.affine_split.CopyFill: without A)
        A, x = step._problem.A, p.u.x.petsc_vec
        for _ in range(2):
            step._split.jacobian(x, A)
        assert A.getType() in (PETSc.Mat.Type.SEQBAIJ, PETSc.Mat.Type.MPIBAIJ)
        step._fill.refill(x)
        x = A.createVecRight()
        x.setArray(np.random.default_rng(comm.rank).standard_normal(x.getLocalSize()))
        y, z = A.createVecLeft(), A.createVecLeft()
        A.mult(x, y)
        copy.P.mult(x, z)
        err = (y - z).norm() / y.norm()
        total, kept = copy.stored
        print("relative difference", err, "stored values", kept, "of", total)
        assert err < 1e-14
        assert kept < total / 3
        assert copy.lost < LOST_WARNING  # no refill found values outside the pattern


@pytest.mark.serial
def test_values_outside_the_pattern_are_reported(caplog):
    """A Jacobian with values where the pattern found none (here: 3x3 blocks that were zero
    at the set-up) is logged as a warning, once, with the share of its norm the copy lost."""
    from mpi4py import MPI

    A = PETSc.Mat().createBAIJ((6, 6), bsize=3, nnz=2, comm=MPI.COMM_SELF)

    def fill(off: float) -> None:
        A.zeroEntries()
        for i in range(2):
            for j in range(2):
                block = np.full((3, 3), off) if i != j else 2.0 * np.eye(3) + 0.5
                A.setValuesBlocked([i], [j], block.ravel())
        A.assemble()

    copy = SparseCopy(A, lambda: fill(0.0))
    assert copy.stored == (36, 18) and copy.lost == 0.0
    with caplog.at_level("WARNING", logger="fem_spin.core.sparse_copy"):
        fill(0.0)
        copy.refill(A)
        assert not caplog.records
        for _ in range(2):
            fill(1.0)
            copy.refill(A)
    assert len(caplog.records) == 1 and "misses values" in caplog.records[0].message
    whole = 2 * (9 * 0.25 + 3 * (2.5**2 - 0.25)) + 18.0  # the diagonal blocks, then the others
    assert copy.lost == pytest.approx(18.0 / whole, rel=1e-12)
    copy.destroy()
    A.destroy()
