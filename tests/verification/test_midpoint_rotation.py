"""The coupled step's end: |M| = 1 made exact by the Cayley rotation whatever the Newton
tolerance (fem_spin.stepping.midpoint_rotation), and the update test per field
(fem_spin.core.update_test)."""

import numpy as np
import pytest
from petsc4py import PETSc

from fem_spin.core.update_test import FieldUpdateTest
from fem_spin.problems.coupled_solver import FRESH_NEWTON_OPTIONS
from fem_spin.stepping import midpoint_rotation
from fem_spin.stepping.midpoint_rotation import cayley_rotation
from tests.verification.test_dynamics_coupled import gathered, pillar_1d, problem

_R = PETSc.SNES.ConvergedReason


def test_cayley_rotation_is_the_midpoint_solution():
    """``(I + [a]x) M = (I - [a]x) M_n``: M solves the midpoint equation ``M - M_n =
    -a x (M + M_n)``, keeps the norm and the component along a, and is M_n turned about a
    by ``2 atan |a|``."""
    rng = np.random.default_rng(3)
    M_n = rng.normal(size=(50, 3))
    M_n /= np.linalg.norm(M_n, axis=1)[:, None]
    a = rng.normal(scale=0.7, size=(50, 3))
    M = cayley_rotation(M_n, a)
    assert np.max(np.abs(M - M_n + np.cross(a, M + M_n))) < 1e-14
    assert np.max(np.abs(np.linalg.norm(M, axis=1) - 1.0)) < 1e-15
    e = a / np.linalg.norm(a, axis=1)[:, None]
    assert np.allclose(np.einsum("ij,ij->i", M, e), np.einsum("ij,ij->i", M_n, e), atol=1e-15)
    perp, perp_n = (X - np.einsum("ij,ij->i", X, e)[:, None] * e for X in (M, M_n))
    cos = np.einsum("ij,ij->i", perp, perp_n) / np.einsum("ij,ij->i", perp_n, perp_n)
    sin = np.einsum("ij,ij->i", np.cross(perp_n, perp), e) / np.einsum(
        "ij,ij->i", perp_n, perp_n)
    assert np.allclose(np.arctan2(sin, cos), -2.0 * np.arctan(np.linalg.norm(a, axis=1)),
                       atol=1e-13)


def _run(comm, geo, options, rotation, steps=30, dt=0.5, **kw):
    before = midpoint_rotation.ROTATION
    midpoint_rotation.ROTATION = rotation
    try:
        p, _ = problem(geo, petsc_options=options, linear_solver="direct", **kw)
        with p:
            newton = [p.step(dt).newton_iterations for _ in range(steps)]
            return newton, p.norm_drift(), gathered(comm, p, "M"), gathered(comm, p, "m")
    finally:
        midpoint_rotation.ROTATION = before


@pytest.mark.parametrize("degree", [1, 2])
def test_loose_newton_keeps_the_unit_norm(comm, degree):
    """An update test of 1e-5 per field: without the rotation |M| drifts (by about 1e-9
    here); with it |M| = 1 to round-off, and M and m stay within the tolerance of the
    solution converged to 1e-12. m of degree 1 (one blocked unknown) and 2 (the mixed
    space)."""
    geo = pillar_1d(comm, 60)
    _, drift_off, _, _ = _run(comm, geo, {"snes_stol": 1e-5}, rotation=False, degree=degree)
    _, drift, M, m = _run(comm, geo, {"snes_stol": 1e-5}, rotation=True, degree=degree)
    _, drift_ref, M_ref, m_ref = _run(comm, geo, {"snes_stol": 1e-12}, rotation=True,
                                      degree=degree)
    print(f"|M| - 1: {drift_off:.1e} without the rotation, {drift:.1e} with it; M - M_ref "
          f"{np.max(np.abs(M - M_ref)):.1e}")
    assert drift_off > 1e-11  # measured 9e-10 to 2e-9 (the chord refreshes by time)
    assert drift < 1e-14 and drift_ref < 1e-14
    assert np.max(np.abs(M - M_ref)) < 30 * 1e-5  # 30 steps at 1e-5 each
    assert np.max(np.abs(m - m_ref)) < 30 * 1e-5 * np.max(np.abs(m_ref))


@pytest.mark.parametrize("solver", ["fresh", "chord"])
def test_update_test_measures_each_field_in_its_scale(comm, solver):
    """m -> s m with the drive times s and lam_M / s leaves M(t) unchanged
    (test_dynamics_coupled). The update test measures each field in its own max norm, so the
    Newton iterations (exact Newton: fresh matrices at every iteration) are the same for
    s = 1 and s = 1e5 and M agrees to the tolerance; a test of the whole vector's 2-norm
    would weigh M's update by 1/s."""
    geo = pillar_1d(comm, 60)
    options = {"snes_stol": 1e-6}
    if solver == "fresh":
        options.update(FRESH_NEWTON_OPTIONS)
    runs = {s: _run(comm, geo, options, rotation=True, steps=20, flux=2.0 * s, lam_M=0.05 / s)
            for s in (1.0, 1e5)}
    (n1, _, M1, m1), (n2, _, M2, m2) = runs[1.0], runs[1e5]
    print(f"Newton iterations s = 1: {sum(n1)}, s = 1e5: {sum(n2)}")
    if solver == "fresh":
        assert n1 == n2
    assert np.max(np.abs(M2 - M1)) < 20 * 1e-6
    assert np.max(np.abs(m2 / 1e5 - m1)) < 20 * 1e-6 * np.max(np.abs(m1))


class _FakeSNES:
    """What FieldUpdateTest reads from a SNES: tolerances, the iterate, the KSP's reason."""

    def __init__(self, x, ksp_reason=2):
        self.x, self.comm, self.ksp_reason = x, PETSc.COMM_WORLD, ksp_reason

    def getTolerances(self):
        return 1e-12, 1e-14, 1e-9, 25

    def getSolution(self):
        return self.x

    def getKSP(self):
        return self

    def getConvergedReason(self):
        return self.ksp_reason


@pytest.mark.parametrize("scale, lam, ksp_reason, converged", [
    (1.0, 1.0, 2, True),  # a small full Newton update
    (1.0, 0.5, 2, True),  # the same update, shortened by the line search (round-off floor)
    (1e4, 1e-4, 2, False),  # a large update shortened to the same small step
    (1.0, 1.0, -3, False),  # a small update from a failed linear solve
])
def test_update_test_measures_the_newton_update(scale, lam, ksp_reason, converged):
    """The per-field update test measures Newton's update (the line search's direction), not
    the step the line search took, and only after a converged linear solve: a large update
    shortened to a small step, or one a failed linear solve left, is small without the
    iterate being near the solution (seen at 200k dofs: a stagnating |F| taken for
    converged); at the round-off floor a shortened small update is convergence."""
    x = PETSc.Vec().createWithArray(np.array([1e3, 2e3, 1.0, 0.5]), comm=PETSc.COMM_SELF)
    test = FieldUpdateTest([np.array([0, 1]), np.array([2, 3])], stol=1e-9)
    snes = _FakeSNES(x, ksp_reason)
    assert test(snes, 0, (0.0, 0.0, 1.0)) == _R.ITERATING
    y = PETSc.Vec().createWithArray(scale * np.array([-1e-7, 0.0, -1e-10, 0.0]),
                                    comm=PETSc.COMM_SELF)
    test.precheck(x, y, [0])
    x.setArray(x.getArray() - lam * y.getArray())
    expected = _R.CONVERGED_SNORM_RELATIVE if converged else _R.ITERATING
    assert test(snes, 1, (0.0, 0.0, 0.5)) == expected
