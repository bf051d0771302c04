"""The magnets' (M, W) split of the block solver by W's Schur complement
(fem_spin.core.lumped_schur): the matrix it builds is the exact complement
``A_MM - A_MW A_WW^{-1} A_WM`` of the coupled Jacobian (A_WW diagonal, A_MW vertex-local:
the lumped LLG rows), with the pattern of A_MM (neighbouring vertices only); serially and
under MPI. The steps with it are the direct solver's (tests/verification/
test_block_solver.py)."""

import numpy as np
from petsc4py import PETSc

from tests.helpers.switching_pillar import pillar


def test_schur_matrix_is_the_exact_complement(comm):
    p, dt = pillar(comm, ["geometry.h_max=4.0", "solver.refinements=1"], "iterative")
    with p:
        for _ in range(3):  # m and the torque non-zero
            p.step(dt)
        assert p.blocked and "Schur" in p.solver_description, p.solver_description
        schur = p._block.schur
        P = p._solvers_[0].primary.snes.getJacobian()[1]  # the AIJ copy the split uses
        schur.update(P)  # from the current preconditioner matrix
        sub = {n: P.createSubMatrix(r, c) for n, (r, c) in {
            "MM": (schur.is_keep, schur.is_keep), "MW": (schur.is_keep, schur.is_W),
            "WM": (schur.is_W, schur.is_keep), "WW": (schur.is_W, schur.is_W)}.items()}

        # A_WW is diagonal (the lumped mass): its off-diagonal part is zero
        d = sub["WW"].getDiagonal()
        off = sub["WW"].copy()
        off.setDiagonal(d * 0.0)
        assert off.norm(PETSc.NormType.FROBENIUS) == 0.0
        assert d.min()[1] > 0.0

        # S x = A_MM x - A_MW A_WW^{-1} A_WM x with the whole A_MW (zeros and all)
        x = sub["MM"].createVecRight()
        x.setArray(np.random.default_rng(comm.rank).standard_normal(x.getLocalSize()))
        y, ref = sub["MM"].createVecLeft(), sub["MM"].createVecLeft()
        w = sub["WM"].createVecLeft()
        schur.S.mult(x, y)
        sub["WM"].mult(x, w)
        w.pointwiseDivide(w, d)
        sub["MW"].mult(w, ref)
        ref.aypx(-1.0, sub["MM"] * x)
        err = (y - ref).norm() / ref.norm()
        print("relative error of S x", err, "coupling", w.norm())
        assert w.norm() > 0.0 and sub["MW"].norm() > 0.0  # the complement is not A_MM
        assert err < 1e-13

        # the pattern of A_MM (vertex neighbours), not the neighbours' neighbours
        assert schur.S.getInfo()["nz_used"] == sub["MM"].getInfo()["nz_used"]
        n_M = schur.is_keep.getSize()
        assert schur.S.getSize() == (n_M, n_M) and schur.is_W.getSize() == n_M
        assert 0 < n_M < p.field("M").function_space.dofmap.index_map.size_global * 3
