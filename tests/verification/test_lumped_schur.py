"""W's Schur complement (fem_spin.core.lumped_schur) in the coupled step's solvers: the
magnets' (M, W) split of the block solver (S on M) and the direct chord's LU (S on (m, M)).
The matrix it builds is the exact complement ``A_kk - A_kW A_WW^{-1} A_Wk`` of the coupled
Jacobian (A_WW diagonal, A_kW vertex-local: the lumped LLG rows), with the pattern of A_kk
(neighbouring vertices only); serially and under MPI. The steps with it are the direct
solver's (tests/verification/test_block_solver.py, test_blocked_unknown.py)."""

import numpy as np
import pytest
from petsc4py import PETSc

from tests.helpers.switching_pillar import pillar


@pytest.mark.parametrize("solver", ["iterative", "direct"])
def test_schur_matrix_is_the_exact_complement(comm, solver):
    p, dt = pillar(comm, ["geometry.h_max=4.0", "solver.refinements=1"], solver)
    with p:
        for _ in range(3):  # m and the torque non-zero
            p.step(dt)
        assert p.blocked and "Schur" in p.solver_description, p.solver_description
        if solver == "iterative":  # the MW split's: S on M
            schur, step = p._block.schur, p._solvers_[0].primary
        else:  # the chord's LU: S on (m, M), owned by its solver
            step = p._solvers_[0]
            schur = step._hook_owner
        P = step.snes.getJacobian()[1]  # the AIJ copy the split uses
        schur.update(P)  # from the current preconditioner matrix
        sub = {n: P.createSubMatrix(r, c) for n, (r, c) in {
            "kk": (schur.is_keep, schur.is_keep), "kW": (schur.is_keep, schur.is_W),
            "Wk": (schur.is_W, schur.is_keep), "WW": (schur.is_W, schur.is_W)}.items()}

        # A_WW is diagonal (the lumped mass): its off-diagonal part is zero
        d = sub["WW"].getDiagonal()
        off = sub["WW"].copy()
        off.setDiagonal(d * 0.0)
        assert off.norm(PETSc.NormType.FROBENIUS) == 0.0
        assert d.min()[1] > 0.0

        # S x = A_kk x - A_kW A_WW^{-1} A_Wk x with the whole A_kW (zeros and all)
        x = sub["kk"].createVecRight()
        x.setArray(np.random.default_rng(comm.rank).standard_normal(x.getLocalSize()))
        y, ref = sub["kk"].createVecLeft(), sub["kk"].createVecLeft()
        w = sub["Wk"].createVecLeft()
        schur.S.mult(x, y)
        sub["Wk"].mult(x, w)
        w.pointwiseDivide(w, d)
        sub["kW"].mult(w, ref)
        correction = ref.norm()  # |A_kW A_WW^{-1} A_Wk x|: what S adds to A_kk
        ref.aypx(-1.0, sub["kk"] * x)
        err = (y - ref).norm() / correction
        print("error of S x relative to the complement's correction", err, "of", correction)
        assert correction > 1e-6 * ref.norm()  # the complement is not A_kk
        assert err < 1e-12

        # within the vertex neighbours (the pattern DOLFINx stores for A_kk), not the
        # neighbours' neighbours; and without the stored zeros (core.sparse_copy)
        A = step._problem.A  # the assembled BAIJ Jacobian: whole blocks of neighbours
        full = A.convert(PETSc.Mat.Type.AIJ, out=PETSc.Mat())
        kk = full.createSubMatrix(schur.is_keep, schur.is_keep)
        union = kk.duplicate(copy=True)
        union.axpy(1.0, schur.S, structure=PETSc.Mat.Structure.DIFFERENT_NONZERO_PATTERN)
        nz = {n: X.getInfo()["nz_used"] for n, X in (("S", schur.S), ("kk", kk),
                                                       ("union", union))}
        print("stored values", nz)
        assert nz["union"] == nz["kk"] and nz["S"] < nz["kk"]
        for X in (full, kk, union):
            X.destroy()
        n_k, n_W = schur.is_keep.getSize(), schur.is_W.getSize()
        per_vertex = {"iterative": (3, 3), "direct": (6, 3)}[solver]
        assert schur.per_vertex == per_vertex and schur.S.getSize() == (n_k, n_k)
        assert n_k * per_vertex[1] == n_W * per_vertex[0]
        vertices = p.field("M").function_space.dofmap.index_map.size_global
        if solver == "iterative":
            assert 0 < n_W < 3 * vertices  # the magnets' vertices only
        else:
            assert n_W == 3 * vertices


def test_llg_step_through_w_schur_complement(comm, monkeypatch):
    """The LLG step (mixed (M, W) space) solves through W's Schur complement on M
    (fem_spin.problems.llg_solver): the states of the whole LU to round-off, on a 2D film with
    exchange, anisotropies and a field from a non-uniform state; a user's linear solver
    replaces it."""
    import dolfinx.mesh

    from fem_spin import LLG, Magnet
    from fem_spin.problems import llg_solver

    mesh = dolfinx.mesh.create_rectangle(comm, [[0.0, 0.0], [30.0, 30.0]], [8, 8])

    def M0(x):
        v = np.stack([np.cos(x[0] / 6.0), np.sin(x[1] / 5.0), 0.3 + 0.0 * x[0]])
        return v / np.linalg.norm(v, axis=0)

    magnet = Magnet(Ms=8e5, A_ex=1.3e-11, K_u=5e4, easy_axis=(1, 1, 0), K_d=1e5,
                    normal=(0, 0, 1), alpha=0.1)

    def run(petsc_options=None):
        with LLG(mesh, magnet, M0=M0, B_T=(0.0, 0.02, 0.05), petsc_options=petsc_options) as p:
            for _ in range(5):
                p.step(1.0)
            pc = p._solver.snes.getKSP().getPC().getType()
            return p.M.x.array.copy(), pc, p.norm_drift()

    M_s, pc_s, drift_s = run()
    assert pc_s == "fieldsplit"
    assert run({"pc_type": "lu"})[1] == "lu"  # the user's linear solver
    monkeypatch.setattr(llg_solver, "W_SCHUR", False)
    M_l, pc_l, drift_l = run()
    assert pc_l == "lu"
    print("LLG: W's Schur complement against the whole LU", np.max(np.abs(M_s - M_l)),
          "|M| - 1:", drift_s, drift_l)
    assert np.max(np.abs(M_s - M_l)) < 1e-12
    assert drift_s < 1e-10  # as test_dynamics_llg's energy law: ~1e-12 per step
