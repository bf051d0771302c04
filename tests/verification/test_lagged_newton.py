"""The lagged LU (fem_spin.core.newton.LAGGED_LU_OPTIONS: GMRES preconditioned by a MUMPS LU
kept across Newton iterations and time steps) and the chord iteration (CHORD_OPTIONS: the
Jacobian kept too) give the steps of the default solver (a fresh LU at every Newton
iteration) to the Newton tolerance, including after a failed linear solve, which is repeated
with fresh factorizations."""

import numpy as np

from fem_spin.core.newton import CHORD_OPTIONS, LAGGED_LU_OPTIONS
from fem_spin.problems.coupled_solver import FRESH_NEWTON_OPTIONS
from tests.verification.test_dynamics_coupled import gathered, pillar_1d, problem

STEPS, DT = 8, 0.5  # ps


def run(comm, options):
    p, _ = problem(pillar_1d(comm, n=60), petsc_options=options)
    with p:
        infos = [p.step(DT) for _ in range(STEPS)]
        return gathered(comm, p, "M"), gathered(comm, p, "m"), infos


def test_lagged_lu_reproduces_fresh_lu(comm):
    M_ref, m_ref, ref = run(comm, FRESH_NEWTON_OPTIONS)
    # LAGGED_LU_OPTIONS; then GMRES limited to 1 iteration: the kept LU fails at once, each
    # step is repeated with fresh factorizations (the retry path)
    for options, kept in ((LAGGED_LU_OPTIONS, True),
                          ({**LAGGED_LU_OPTIONS, "ksp_max_it": 1}, False)):
        M, m, infos = run(comm, options)
        assert np.max(np.abs(M - M_ref)) < 1e-9
        assert np.max(np.abs(m - m_ref)) < 1e-9 * np.max(np.abs(m_ref))
        newton = sum(i.newton_iterations for i in infos)
        linear = sum(i.linear_iterations for i in infos)
        print(options, "newton", newton, "linear", linear,
              "reference newton", sum(i.newton_iterations for i in ref))
        assert newton <= sum(i.newton_iterations for i in ref) + STEPS
        # a kept LU: GMRES needs more than one iteration per Newton iteration (one would mean
        # a fresh factorization every time); fresh ones: exactly one
        assert (linear > newton) if kept else (linear == newton), (linear, newton)


def test_chord_reproduces_newton(comm):
    M_ref, m_ref, ref = run(comm, FRESH_NEWTON_OPTIONS)
    M, m, infos = run(comm, CHORD_OPTIONS)
    assert np.max(np.abs(M - M_ref)) < 1e-9
    assert np.max(np.abs(m - m_ref)) < 1e-9 * np.max(np.abs(m_ref))
    # linear convergence: more (cheap) iterations than Newton's
    assert sum(i.newton_iterations for i in infos) > sum(i.newton_iterations for i in ref)


def test_the_direct_step_is_a_chord_by_default(comm):
    """Without options of the user's naming a solver or a Jacobian lag, the direct step keeps
    its Jacobian and LU (chord): the steps of fresh LUs to the Newton tolerance, with more
    (cheaper) iterations; options naming a lag get plain Newton with them."""
    M_ref, m_ref, ref = run(comm, FRESH_NEWTON_OPTIONS)
    M, m, infos = run(comm, None)
    assert np.max(np.abs(M - M_ref)) < 1e-9
    assert np.max(np.abs(m - m_ref)) < 1e-9 * np.max(np.abs(m_ref))
    assert sum(i.newton_iterations for i in infos) > sum(i.newton_iterations for i in ref)
    for options, chord in ((None, True), (FRESH_NEWTON_OPTIONS, False),
                           ({"snes_lag_jacobian": 2}, False)):
        p, _ = problem(pillar_1d(comm, n=60), petsc_options=options)
        with p:
            assert ("chord" in p.solver_description) == chord, (options, p.solver_description)
