"""The coupled step on one blocked P1 unknown of 9 components (fem_spin.core.blocked_space,
BAIJ Jacobian) gives the steps of the mixed space of three P1 vectors to the Newton
tolerance: monolithic with the direct solver and with the block solver (its field split
built from an AIJ copy), and staggered; serially and under MPI."""

import numpy as np
import pytest
from petsc4py import PETSc

from fem_spin.core.blocked_space import blocked_space, field_maps
from fem_spin.problems import coupled
from tests.helpers.switching_pillar import by_position
from tests.helpers.switching_pillar import pillar as case_pillar

BAIJ = (PETSc.Mat.Type.SEQBAIJ, PETSc.Mat.Type.MPIBAIJ)
AIJ = (PETSc.Mat.Type.SEQAIJ, PETSc.Mat.Type.MPIAIJ)


def pillar(comm, blocked: bool, coupling: str = "monolithic", solver: str = "direct"):
    """The switching pillar meshed at h_max = 4 nm (0.8k dofs; refined once for the block
    solver's multigrid), on the blocked unknown or the mixed space; and its step (ps)."""
    old = coupled.BLOCKED_UNKNOWN
    coupled.BLOCKED_UNKNOWN = blocked
    try:
        p, dt = case_pillar(comm, ["geometry.h_max=4.0", f"dynamics.coupling={coupling}",
                                   f"solver.refinements={int(solver == 'iterative')}"], solver)
    finally:
        coupled.BLOCKED_UNKNOWN = old
    assert p.blocked == blocked
    return p, dt


def steps(comm, blocked: bool, coupling: str, n: int, solver: str = "direct"):
    """M and m (by node position) after ``n`` steps of the pillar, and the types of the
    assembled Jacobian and of the preconditioner's matrix."""
    p, dt = pillar(comm, blocked, coupling, solver)
    with p:
        for _ in range(n):
            p.step(dt)
        step = p._solvers_[0]
        step = getattr(step, "primary", step)  # the block solver's FallbackSolver
        J, P = step.snes.getJacobian()[:2]
        # with an AIJ copy (monolithic: sparse, core.sparse_copy) the Krylov operator is it,
        # else the assembled Jacobian
        copy = step._P_copy
        assert J.handle == (step._problem.A if copy is None else copy.operator).handle
        kind = (step._problem.A.getType(), P.getType())
        return (*by_position(comm, p), kind)


@pytest.mark.parametrize("coupling", ["monolithic", "staggered"])
def test_blocked_unknown_reproduces_mixed_space(comm, coupling):
    M_b, m_b, kind_b = steps(comm, True, coupling, 4)
    M_x, m_x, kind_x = steps(comm, False, coupling, 4)
    # assembled as BAIJ; monolithic: W's Schur complement, from an AIJ copy, is factored;
    # staggered: the BAIJ
    assert kind_b[0] in BAIJ and kind_b[1] in {"monolithic": AIJ, "staggered": BAIJ}[coupling]
    assert kind_x[0] in AIJ, kind_x
    print(coupling, np.max(np.abs(M_b - M_x)), np.max(np.abs(m_b - m_x)) / np.max(np.abs(m_x)))
    assert np.max(np.abs(M_b - M_x)) < 1e-9
    assert np.max(np.abs(m_b - m_x)) < 1e-9 * np.max(np.abs(m_x))


def test_direct_chord_through_w_schur_complement(comm, monkeypatch):
    """The direct chord on the blocked unknown factors W's Schur complement
    (coupled_solver.CHORD_W_SCHUR): the steps of the whole Jacobian's LU, to the Newton
    tolerance."""
    from fem_spin.problems import coupled_solver

    M_s, m_s, kind = steps(comm, True, "monolithic", 4)
    assert kind[1] in AIJ
    monkeypatch.setattr(coupled_solver, "DIRECT_W_SCHUR", False)
    M_l, m_l, kind = steps(comm, True, "monolithic", 4)
    assert kind[1] in BAIJ
    print("W's Schur against the whole LU", np.max(np.abs(M_s - M_l)),
          np.max(np.abs(m_s - m_l)) / np.max(np.abs(m_l)))
    assert np.max(np.abs(M_s - M_l)) < 1e-9
    assert np.max(np.abs(m_s - m_l)) < 1e-9 * np.max(np.abs(m_l))


def test_users_lu_options_reach_the_schur_complements_lu(comm):
    """A user's MUMPS options (e.g. more workspace) apply to the LU the direct chord makes,
    which is W's Schur complement's."""
    p, _ = case_pillar(comm, ["geometry.h_max=4.0", "solver.petsc_options={mat_mumps_icntl_14=80}"],
                       "direct")
    with p:
        options = p._solvers_[0].options
        assert options["pc_type"] == "fieldsplit"
        assert options["fieldsplit_1_mat_mumps_icntl_14"] == 80
        assert options["fieldsplit_1_pc_factor_mat_solver_type"] == "mumps"


def test_checkpoint_across_layouts(comm, shared_tmp):
    """A checkpoint written on the mixed space (before the blocked unknown) restarts on the
    blocked one: the fields are stored by node position, whatever the layout."""
    p, dt = pillar(comm, False)
    with p:
        for _ in range(3):
            p.step(dt)
        p.save_checkpoint(shared_tmp / "mixed.npz")
        M_x, m_x = by_position(comm, p)
    q, _ = pillar(comm, True)
    with q:
        q.load_checkpoint(shared_tmp / "mixed.npz")
        assert q.t == p.t and q.steps == 3
        M_b, m_b = by_position(comm, q)
        q.step(dt)  # BDF2 from the restored history
        assert q.norm_drift() < 1e-12
    assert np.array_equal(M_b, M_x) and np.array_equal(m_b, m_x)


def test_blocked_unknown_block_solver(comm):
    """The block solver (m by multigrid, (M, W) by MUMPS, a field split within the nodal
    blocks): on the blocked unknown its preconditioner is built from an AIJ copy."""
    M_b, m_b, kind_b = steps(comm, True, "monolithic", 4, "iterative")
    M_x, m_x, kind_x = steps(comm, False, "monolithic", 4, "iterative")
    assert kind_b[0] in BAIJ and kind_b[1] in AIJ, kind_b
    assert kind_x[0] in AIJ and kind_x[1] in AIJ, kind_x
    print("block", np.max(np.abs(M_b - M_x)), np.max(np.abs(m_b - m_x)) / np.max(np.abs(m_x)))
    assert np.max(np.abs(M_b - M_x)) < 1e-9
    assert np.max(np.abs(m_b - m_x)) < 1e-9 * np.max(np.abs(m_x))


def test_field_maps_take_each_fields_components(comm):
    """Field i of a blocked space is components 3i..3i+2 of every node, numbered as the
    collapsed P1 vector space numbers them."""
    import dolfinx.fem as fem
    import dolfinx.mesh as dm

    mesh = dm.create_unit_cube(comm, 3, 3, 3, dm.CellType.tetrahedron)
    V = blocked_space(mesh, 3)
    u = fem.Function(V)
    u.interpolate(lambda x: np.vstack([x[0] + 10 * k for k in range(9)]))
    for i, (name, Vc, dofs) in enumerate(field_maps(V, ("m", "M", "W"))):
        f = fem.Function(Vc)
        f.interpolate(lambda x, i=i: np.vstack([x[0] + 10 * (3 * i + k) for k in range(3)]))
        assert np.array_equal(u.x.array[dofs], f.x.array), name


def test_blocked_unknown_with_magnetostatics(comm):
    """With the demagnetizing field (the pillar in an air ball, P2 potential; the coupling
    reads M by its dofs): the same states after 2 steps as on the mixed space."""
    import fem_spin as fs
    from tests.helpers.pillar_in_air import pillar_in_air

    def run(blocked):
        _, demag, args, keywords = pillar_in_air(comm, h_max=3.0, air_radius=20.0)
        old = coupled.BLOCKED_UNKNOWN
        coupled.BLOCKED_UNKNOWN = blocked
        try:
            p = fs.CoupledSpinDynamics(*args, **keywords)
        finally:
            coupled.BLOCKED_UNKNOWN = old
        with p:
            assert p.blocked == blocked
            for _ in range(2):
                p.step(2.0)
            M, m = by_position(comm, p)
        demag.close()
        return M, m

    (M_b, m_b), (M_x, m_x) = run(True), run(False)
    assert np.max(np.abs(M_b - M_x)) < 1e-12
    assert np.max(np.abs(m_b - m_x)) < 1e-12 * np.max(np.abs(m_x))
