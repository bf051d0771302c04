"""The coupled residual split by cells (fem_spin.core.affine_split): assembled on the cells
that touch the free layer's vertices, a product with the kept Jacobian ``K`` on the others
(spacer, cap, the pinned fixed layer). The same residual and Jacobian as the assembly of the
whole form, at states the solve visits; the same states through a run, at fixed and changing
time steps; ``K`` re-assembled only when what it depends on changes."""

import dolfinx.fem as fem
import dolfinx.fem.petsc as fp
import numpy as np
import pytest
import ufl
from petsc4py import PETSc

from fem_spin.core import affine_split
from fem_spin.core.affine_split import AffineCells, AffineSplit, restricted
from fem_spin.problems.coupled_solver import UPDATE_TOL
from fem_spin.problems.llg import magnet_vertices, pinned_cells
from tests.helpers.switching_pillar import by_position, pillar
from tests.verification.test_dynamics_coupled import gathered, pillar_1d, problem


def _newton(p):
    s = p._solvers_[0]
    return getattr(s, "primary", s)


def _assembled(newton, x) -> PETSc.Vec:
    """DOLFINx's residual of the whole form at ``x`` (no lifting: the Dirichlet data are
    set on ``x``), Dirichlet rows ``x - g``."""
    prob = newton._problem
    fp.assign(x, prob.u)
    b = x.duplicate()
    with b.localForm() as local:
        local.set(0.0)
    fp.assemble_vector(b, prob.F)
    b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
    fp.set_bc(b, newton._split.bcs, x0=x, alpha=-1.0)
    return b


def _moved(p, x: PETSc.Vec, seed: int) -> PETSc.Vec:
    """``x`` with m changed everywhere and (M, W) at the free layer's vertices (the dofs a
    Newton update moves; the pinned ones held), the Dirichlet data kept."""
    rng = np.random.default_rng(seed + p.comm.rank)
    y = x.copy()
    owned = len(y.array)
    (_, _, m_dofs), (_, V_M, M_dofs), (_, _, W_dofs) = p.fields
    dynamic = magnet_vertices(V_M, p.magnet.dx).x.array > 0.5
    arr = y.array
    for dofs, mask, scale in ((m_dofs, None, 300.0), (M_dofs, dynamic, 0.2),
                              (W_dofs, dynamic, 0.5)):
        d = np.asarray(dofs) if mask is None else np.asarray(dofs)[mask]
        d = d[d < owned]
        arr[d] += scale * rng.uniform(-1.0, 1.0, len(d))
    for bc in _newton(p)._split.bcs:  # the Dirichlet data, as on every iterate
        bc.set(arr)
    y.ghostUpdate(addv=PETSc.InsertMode.INSERT, mode=PETSc.ScatterMode.FORWARD)
    return y


def _relative(a: PETSc.Vec, b: PETSc.Vec) -> float:
    d = a.copy()
    d.axpy(-1.0, b)
    return d.norm(PETSc.NormType.INFINITY) / b.norm(PETSc.NormType.INFINITY)


def test_restricted_forms_add_up_to_the_form(comm):
    """The residual and Jacobian forms restricted to a random half of the cells (with the
    facet integrals) and to the other half (without) add up to the whole forms."""
    p, dt = pillar(comm, linear_solver="direct")
    with p:
        p.step(dt)
        prob = _newton(p)._problem
        n = p.mesh.topology.index_map(3).size_local
        half = np.random.default_rng(7 + comm.rank).permutation(n)[: n // 2]
        other = np.setdiff1d(np.arange(n), half)
        whole = fem.assemble_vector(prob.F)
        parts = [fem.assemble_vector(restricted(prob.F, c, f)) for c, f in ((half, True),
                                                                            (other, False))]
        assert np.max(np.abs(parts[0].array + parts[1].array - whole.array)) <= (
            1e-13 * np.max(np.abs(whole.array)))
        A = fp.assemble_matrix(prob.J)
        A.assemble()
        B = fp.create_matrix(prob.J)
        for c, f in ((half, True), (other, False)):
            fp.assemble_matrix(B, restricted(prob.J, c, f))
        B.assemble()
        B.axpy(-1.0, A)
        assert B.norm() <= 1e-13 * A.norm()


def test_split_is_the_assembled_residual_and_jacobian(comm):
    """At the initial guess of a solve and at states moved off it (m everywhere, M and W at
    the free layer's vertices), the split residual is the assembled one to round-off, and
    the split Jacobian the assembled one on such updates. Declaring the magnet's cells
    affine too (wrong) gives a residual off by far more: the comparison sees a wrong
    split."""
    p, dt = pillar(comm, linear_solver="direct")
    with p:
        for _ in range(3):
            p.step(dt)
        newton = _newton(p)
        split = newton._split
        assert split is not None and split.K_assemblies == 2  # BDF1, then BDF2
        n_affine = comm.allreduce(len(split.F_R._cpp_object.domains(fem.IntegralType.cell, 0)))
        n_cells = p.mesh.topology.index_map(3).size_global
        assert 0.3 * n_cells < n_affine < 0.9 * n_cells
        split.refresh()
        x0 = p.u.x.petsc_vec.copy()
        b = x0.duplicate()
        split.evaluate(None, x0, b)
        assert _relative(b, _assembled(newton, x0)) < 1e-13
        for seed in (1, 2):
            x = _moved(p, x0, seed)
            split.evaluate(None, x, b)
            assert _relative(b, _assembled(newton, x)) < 1e-12
        prob = newton._problem
        A = fp.create_matrix(prob.J, "baij")
        split.jacobian(x, A)  # the first: the whole form (gives A its pattern)
        split.jacobian(x, A)  # then split
        J = fp.create_matrix(prob.J, "baij")
        fp.assemble_matrix(J, prob.J, split.bcs, diag=1.0)
        J.assemble()
        # the same operator on the updates Newton makes (zero at the held dofs and the
        # Dirichlet dofs; K's columns of the held M are those of its assembly's state)
        for seed in (3, 4):
            d = _moved(p, x0, seed)
            d.axpy(-1.0, x0)
            assert _relative(A * d, J * d) < 1e-13

        every = np.arange(p.mesh.topology.index_map(3).size_local, dtype=np.int32)
        wrong = AffineSplit(prob.F, prob.J, ufl.derivative(p.residual, p.u), prob.u,
                            split.bcs, AffineCells(every, (p.u_n, p.u_nm1)), "baij")
        try:
            wrong.refresh()
            wrong.evaluate(None, x0, b)
            wrong.evaluate(None, _moved(p, x0, 1), b)
            assert _relative(b, _assembled(newton, _moved(p, x0, 1))) > 1e-6
        finally:
            wrong.destroy()
        for M in (A, J):
            M.destroy()


def _run(comm, steps, split: bool, linear_solver="direct", overrides=(), dts=None):
    before = affine_split.AFFINE_SPLIT
    affine_split.AFFINE_SPLIT = split
    try:
        p, dt = pillar(comm, overrides, linear_solver=linear_solver)
        with p:
            newton = [p.step(dt if dts is None else dts[k]).newton_iterations
                      for k in range(steps)]
            s = _newton(p)._split
            return newton, *by_position(comm, p), None if s is None else s.K_assemblies
    finally:
        affine_split.AFFINE_SPLIT = before


@pytest.mark.parametrize("linear_solver,overrides,steps", [
    ("direct", (), 12), ("block", ("solver.refinements=1",), 4)])
def test_split_run_is_the_assembled_run(comm, linear_solver, overrides, steps):
    """The pillar's steps with and without the split: the same states to the Newton
    tolerance (``UPDATE_TOL`` of each field), with the direct chord and with the block
    solver (refined once, 28k dofs). ``K`` is assembled twice (BDF1, then BDF2)."""
    _, M0, m0, none = _run(comm, steps, False, linear_solver, overrides)
    _, M1, m1, assemblies = _run(comm, steps, True, linear_solver, overrides)
    assert none is None and assemblies == 2
    assert np.max(np.abs(M1 - M0)) < 10 * UPDATE_TOL
    assert np.max(np.abs(m1 - m0)) < 10 * UPDATE_TOL * np.max(np.abs(m0))


def test_changing_step_reassembles_k(comm):
    """Steps of 2, 2, 1, 1, 0.5 ps: ``K`` (whose BDF coefficients depend on the step and its
    ratio to the last) is re-assembled at each change, and the states are the assembled
    run's to the Newton tolerance."""
    dts = [2.0, 2.0, 1.0, 1.0, 0.5, 0.5]
    _, M0, m0, _ = _run(comm, len(dts), False, dts=dts)
    _, M1, m1, assemblies = _run(comm, len(dts), True, dts=dts)
    assert assemblies >= 4
    assert np.max(np.abs(M1 - M0)) < 10 * UPDATE_TOL
    assert np.max(np.abs(m1 - m0)) < 10 * UPDATE_TOL * np.max(np.abs(m0))


@pytest.mark.parametrize("degree", [1, 2])
def test_split_on_the_mixed_space(comm, degree):
    """The 1D stack (pinned fixed layer, spacer, free layer, lead) with m of degree 1 (one
    blocked unknown, BAIJ) and 2 (the mixed space, AIJ): 20 steps with and without the split
    reach the same states to the Newton tolerance."""
    geo = pillar_1d(comm, 60)
    states = []
    for split in (False, True):
        before = affine_split.AFFINE_SPLIT
        affine_split.AFFINE_SPLIT = split
        try:
            p, _ = problem(geo, degree=degree)
            with p:
                for _ in range(20):
                    p.step(0.5)
                assert (_newton(p)._split is not None) == split
                states.append((gathered(comm, p, "M"), gathered(comm, p, "m")))
        finally:
            affine_split.AFFINE_SPLIT = before
    (M0, m0), (M1, m1) = states
    assert np.max(np.abs(M1 - M0)) < 10 * UPDATE_TOL
    assert np.max(np.abs(m1 - m0)) < 10 * UPDATE_TOL * np.max(np.abs(m0))


def test_pinned_m_off_its_value(comm):
    """A state whose pinned M is off its pinned value (here 0.2 added to each component in
    the history and the guess): the first solve moves it back, the split anchors ``F_R``
    again where it moved and re-assembles ``K``, and the states after 4 steps are the
    assembled run's to the Newton tolerance."""
    states = []
    for split in (False, True):
        before = affine_split.AFFINE_SPLIT
        affine_split.AFFINE_SPLIT = split
        try:
            p, dt = pillar(comm, linear_solver="direct")
            with p:
                (_, V_M, M_dofs) = p.fields[1]
                held = pinned_cells(V_M, p.magnet.dx, M_dofs, (p.u_n, p.u_nm1)).held_dofs
                assert comm.allreduce(len(held)) > 0
                for f in (p.u, p.u_n, p.u_nm1):
                    f.x.array[held] += 0.2
                    f.x.scatter_forward()
                for _ in range(4):
                    p.step(dt)
                s = _newton(p)._split
                if split:
                    assert s.anchors >= 1 and s.K_assemblies >= 3
                states.append(by_position(comm, p))
        finally:
            affine_split.AFFINE_SPLIT = before
    (M0, m0), (M1, m1) = states
    assert np.max(np.abs(M1 - M0)) < 10 * UPDATE_TOL
    assert np.max(np.abs(m1 - m0)) < 10 * UPDATE_TOL * np.max(np.abs(m0))


def test_copy_fill_is_the_copy_of_the_whole_jacobian(comm):
    """The sparse AIJ copy filled by :class:`~fem_spin.core.affine_split.CopyFill` (``K``'s
    values, the Dirichlet rows' unit diagonal and the nonlinear cells' Jacobian in a matrix
    of its own) holds the values the copy of the assembled whole Jacobian (``J_N + K``,
    BAIJ) holds, at a state moved off the solve's; and a value of the cells' Jacobian
    outside the copy's pattern is reported as a loss of that value's share of the norm."""
    from fem_spin.core.sparse_copy import LOST_WARNING

    p, dt = pillar(comm, linear_solver="direct")
    with p:
        for _ in range(2):
            p.step(dt)
        newton = _newton(p)
        split, copy, fill = newton._split, newton._P_copy, newton._fill
        assert isinstance(fill, affine_split.CopyFill)
        assert comm.allreduce(len(fill._bc_dofs)) > 0  # the contacts' Dirichlet rows
        split.refresh()
        x = _moved(p, p.u.x.petsc_vec.copy(), 5)
        fill.refill(x)
        filled = copy.P.copy()
        A = newton._problem.A
        for _ in range(2):  # the first gives A the whole form's pattern, then J_N + K
            split.jacobian(x, A)
        copy.refill(A)
        filled.axpy(-1.0, copy.P)
        assert filled.norm() <= 1e-15 * copy.P.norm()
        assert fill.A_N.getSize() == A.getSize()
        assert comm.allreduce(fill.A_N.getInfo()["nz_used"]) < 0.5 * comm.allreduce(
            A.getInfo()["nz_used"])  # the nonlinear cells' pattern only
        # a value where the copy has none (at A_N's first entry outside the pattern) is a
        # loss of its share of the squared norm, and the copy's values are the same
        values = fill.A_N.getValuesCSR()[2]
        outside = np.flatnonzero(fill._at < 0)
        assert comm.allreduce(len(outside)) > 0
        assert np.all(values[outside] == 0.0)
        kept, lost = fill.values(values)
        assert lost == 0.0
        planted = values.copy()
        planted[outside[:1]] = 1e3
        kept2, lost2 = fill.values(planted)
        assert np.array_equal(kept2, kept)
        whole = comm.allreduce(kept @ kept) + comm.allreduce(1e6 * min(len(outside), 1))
        assert lost2 == pytest.approx(comm.allreduce(1e6 * min(len(outside), 1)) / whole)
        assert copy.lost < LOST_WARNING
        filled.destroy()
