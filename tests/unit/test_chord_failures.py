"""A kept (lagged) Jacobian whose update does not reduce |F|: PETSc's newtonls ends such a
solve, when its backtracking line search fails, as CONVERGED_SNORM_RELATIVE (the tiny step
passes the step-norm test), leaving the initial guess as the "solution". NewtonSolver takes
it for the failure it is and repeats the solve with fresh matrices.

F(u) = u^2 - 4 (lumped: one equation per vertex). The first solve, from u = 2.0001, keeps
the Jacobian 2u = 4.0002; the second starts at u = -3, where the kept Jacobian has the wrong
sign: |F| grows along its update for every step length. The same with a Jacobian lag > 1
(``snes_lag_jacobian = 100``, kept across the solves here; the magnetostatic coupled solves
keep it within a solve): such a solve is now repeated with a Jacobian at every iteration
(before, it failed; and a stop like this after a Newton iteration was taken for
convergence)."""

import numpy as np
import pytest
import ufl
from dolfinx import fem, mesh

from fem_spin.core.newton import CHORD_OPTIONS, NewtonSolver

LAG_100 = {"snes_lag_jacobian": 100, "snes_lag_jacobian_persists": True}


@pytest.mark.parametrize(("line_search", "kept"), [("bt", CHORD_OPTIONS),
                                                   ("basic", CHORD_OPTIONS), ("bt", LAG_100)])
def test_a_kept_jacobian_that_fails_is_refreshed(comm, line_search, kept):
    msh = mesh.create_unit_interval(comm, 8)
    V = fem.functionspace(msh, ("Lagrange", 1))
    u, v = fem.Function(V), ufl.TestFunction(V)
    dx = ufl.dx(metadata={"quadrature_rule": "vertex", "quadrature_degree": 1})
    solver = NewtonSolver((u * u - 4) * v * dx, u, [], name="u^2 = 4", petsc_options={
        **kept, "snes_linesearch_type": line_search})
    assert solver.kept_jacobian and solver.lagged == (kept is CHORD_OPTIONS)
    try:
        u.x.array[:] = 2.0001
        solver.solve()
        assert np.allclose(u.x.array, 2.0, atol=1e-10)
        u.x.array[:] = -3.0
        info = solver.solve()
    finally:
        solver.close()
    # the root near the guess, found with fresh matrices (not the guess itself)
    assert np.allclose(u.x.array, -2.0, atol=1e-10), u.x.array
    assert info.newton_iterations > 0


def _chord_of_u_squared(comm):
    """``(solver, u, c)``: F(u) = u^2 - c by the chord (lumped, full steps), its first solve
    (c = 4, from u = 2.0001) done, so the Jacobian 2u = 4 is kept."""
    msh = mesh.create_unit_interval(comm, 8)
    V = fem.functionspace(msh, ("Lagrange", 1))
    u, v = fem.Function(V), ufl.TestFunction(V)
    c = fem.Constant(msh, 4.0)
    dx = ufl.dx(metadata={"quadrature_rule": "vertex", "quadrature_degree": 1})
    solver = NewtonSolver((u * u - c) * v * dx, u, [], name="u^2 = c", petsc_options={
        **CHORD_OPTIONS, "snes_linesearch_type": "basic"})
    try:
        u.x.array[:] = 2.0001
        solver.solve()
    except Exception:
        solver.close()
        raise
    return solver, u, c


def test_a_stagnating_chord_is_stopped_early(comm, caplog):
    """F(u) = u^2 - c: the first solve (c = 4, from u = 2.0001) keeps the Jacobian 2u = 4;
    the second (c = 3.8^2, from u = 3.9) contracts with |1 - 7.6 / 4| = 0.9 along it, about
    200 iterations to the tolerance. It is stopped after 3 (refresh_policy.predicts_failure)
    and repeated with fresh matrices; before, it ran to snes_max_it = 25 first."""
    solver, u, c = _chord_of_u_squared(comm)
    try:
        c.value, u.x.array[:] = 3.8**2, 3.9
        with caplog.at_level("DEBUG", logger="fem_spin"):
            solver.solve()
    finally:
        solver.close()
    assert np.allclose(u.x.array, 3.8, atol=1e-10), u.x.array
    failed = [r.getMessage() for r in caplog.records if "did not converge" in r.getMessage()]
    assert len(failed) == 1 and "DIVERGED_MAX_IT after 3 Newton iterations" in failed[0], failed


def test_a_stopped_chord_that_lowered_the_residual_goes_on_from_its_iterate(comm, monkeypatch):
    """The stagnating chord above lowers |F| in its 3 iterations before it is stopped (the
    contraction 0.9): the repeat with fresh matrices starts from its last iterate
    (refresh_policy.GO_ON), not from the initial guess, and reaches the same root."""
    from fem_spin.core import refresh_policy

    first = {}
    for go_on in (False, True):
        monkeypatch.setattr(refresh_policy, "GO_ON", go_on)
        solver, u, c = _chord_of_u_squared(comm)
        try:
            c.value, u.x.array[:] = 3.8**2, 3.9
            info = solver.solve()
        finally:
            solver.close()
        assert np.allclose(u.x.array, 3.8, atol=1e-10), u.x.array
        first[go_on] = info.residual_norms[0]  # the repeat's first residual
    # from the guess, |F| = |3.9^2 - 3.8^2| (times the vertex weights); from the iterate the
    # chord left after 3 iterations (|u - 3.8| about 0.1 x 0.9^3), about 0.73 of it
    assert 0.6 < first[True] / first[False] < 0.8, first
