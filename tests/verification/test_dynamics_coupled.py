"""The coupled (m, M) solver: reduction to S2 + LLG without coupling, temporal order of the
monolithic and staggered schemes, step control, the steady self-consistent state, restart."""

import numpy as np
import pytest

import fem_spin as fs
from fem_spin import GAMMA_E, LLG, CoupledSpinDynamics, Magnet, TransientSpinDiffusion
from fem_spin.geometry.interval import layered_interval
from fem_spin.problems.coupled_solver import FRESH_NEWTON_OPTIONS
from fem_spin.stepping import predictor
from tests.helpers.bp import bp_nodes, bp_steps, bp_time
from tests.helpers.exact import rates

D, TAU = 1e3, 10.0
LAYERS = [("fixed", 10.0), ("spacer", 14.0), ("free", 18.0), ("lead", 30.0)]
B_EXT = (0.02, 0.0, 0.1)  # T


def pillar_1d(comm, n=120):
    """A CPP stack along x: fixed FM (pinned along z) / NM spacer / free FM / NM lead."""
    return layered_interval(comm, np.linspace(0.0, 30.0, n + 1), LAYERS)


def M0(x):
    """+z in the fixed layer, 0 in the non-magnetic layers, tilted by 30 deg in the free one
    (a layer's own vertices; the free layer's boundary vertices are dynamic)."""
    out = np.zeros((3, x.shape[1]))
    out[2, x[0] <= 10.0 + 1e-9] = 1.0
    free = (x[0] >= 14.0 - 1e-9) & (x[0] <= 18.0 + 1e-9)
    out[0, free], out[2, free] = np.sin(np.pi / 6), np.cos(np.pi / 6)
    return out


def materials(geo, lam):
    fm = fs.Material(D=D, tau=TAU, lam=lam)
    nm = fs.Material(D=D, tau=TAU)
    t = geo.tags
    return {t["fixed"]: fm, t["spacer"]: nm, t["free"]: fm, t["lead"]: nm}


def problem(geo, *, lam=-1.0, lam_M=0.05, alpha=0.05, flux=2.0, **kw):
    magnet = Magnet(Ms=8e5, A_ex=1.3e-11, alpha=alpha, K_u=1e5, K_d=2e5, normal=(1, 0, 0),
                    lam_M=lam_M)
    t = geo.tags
    kw.setdefault("drive", lambda s: 1 - np.exp(-s / 5.0))
    return CoupledSpinDynamics(
        geo.mesh, materials(geo, lam), {t["free"]: magnet}, cell_tags=geo.cell_tags,
        facet_tags=geo.facet_tags, M0=M0, B_T=B_EXT,
        flux=[fs.Flux(t["left"], (0.0, 0.0, flux))],
        dirichlet=[fs.Dirichlet(t["right"], (0.0, 0.0, 0.0))], **kw), magnet


def gathered(comm, p, name):
    f = p.field(name)
    n = f.function_space.dofmap.index_map.size_local
    x = f.function_space.tabulate_dof_coordinates()[:n, 0]
    v = f.x.array.reshape(-1, 3)[:n]
    x, v = np.concatenate(comm.allgather(x)), np.concatenate(comm.allgather(v))
    order = np.argsort(x, kind="stable")
    return v[order]


def test_uncoupled_limit_is_s2_plus_llg(comm):
    """lambda = lam_M = 0: the coupled solver reproduces S2 (BDF2, with the electrons'
    precession H = -gamma_e B) and the LLG (midpoint, free layer only) to round-off; the
    pinned vertices keep M0 exactly. The update test is tightened from the default
    (``coupled_solver.UPDATE_TOL``, 1e-9 of each field) to 1e-13: this compares discrete
    problems, not the solver's tolerance."""
    geo = pillar_1d(comm, 60)
    steps, dt = 8, 2.0
    p, magnet = problem(geo, lam=0.0, lam_M=0.0, petsc_options={"snes_stol": 1e-13})
    with p:
        for _ in range(steps):
            p.step(dt)
        m_c, M_c, drift = gathered(comm, p, "m"), gathered(comm, p, "M"), p.norm_drift()
    t = geo.tags
    with TransientSpinDiffusion(
            geo.mesh, materials(geo, 0.0), cell_tags=geo.cell_tags, facet_tags=geo.facet_tags,
            H_ext=-GAMMA_E * np.asarray(B_EXT), flux=[fs.Flux(t["left"], (0.0, 0.0, 2.0))],
            dirichlet=[fs.Dirichlet(t["right"], (0.0, 0.0, 0.0))],
            drive=lambda s: 1 - np.exp(-s / 5.0)) as s2:
        for _ in range(steps):
            s2.step(dt)
        m_ref = gathered(comm, s2, "m")
    with LLG(geo.mesh, {t["free"]: magnet}, cell_tags=geo.cell_tags, M0=M0, B_T=B_EXT) as llg:
        for _ in range(steps):
            llg.step(dt)
        M_ref = gathered(comm, llg, "M")
    assert np.max(np.abs(m_c - m_ref)) < 1e-11 * np.max(np.abs(m_ref))
    assert np.max(np.abs(M_c - M_ref)) < 1e-11
    x = np.linspace(0.0, 30.0, 61)
    pinned = (x < 14.0 - 1e-9) | (x > 18.0 + 1e-9)
    assert np.array_equal(M_c[pinned], M0(np.vstack([x, 0 * x, 0 * x])).T[pinned])
    assert drift < 1e-12


def solution(comm, geo, n, coupling, scheme="bdf2", T=40.0):
    p, _ = problem(geo, coupling=coupling, scheme=scheme)
    with p:
        for _ in range(n):
            p.step(T / n)
        return np.concatenate([gathered(comm, p, "m").ravel(), gathered(comm, p, "M").ravel()])


@pytest.mark.serial  # a rate; test_parallel checks serial == MPI
def test_temporal_order_monolithic_and_staggered(comm):
    """Strong coupling (lambda tau = 10, torque on M): errors at t = 40 ps against a run with
    dt = 0.125 ps. Both schemes are of order 2 (the staggered one extrapolates M to the S2
    time); the monolithic error is the smaller."""
    geo = pillar_1d(comm, 60)
    ns = [10, 20, 40]
    errors = {}
    for coupling in ("monolithic", "staggered"):
        ref = solution(comm, geo, 320, "monolithic")
        errors[coupling] = [np.max(np.abs(solution(comm, geo, n, coupling) - ref)) for n in ns]
    print("coupled errors (dt = 4, 2, 1 ps):", errors)
    for coupling, e in errors.items():
        observed = rates(1.0 / np.array(ns), e)
        assert np.all(np.abs(observed - 2) < 0.3), (coupling, e, observed)
    assert errors["monolithic"][-1] < errors["staggered"][-1]


@pytest.mark.serial  # logic; MPI pass: test_steady_self_consistent_state
def test_step_control(comm):
    """Step doubling with tol = 1e-4 (the max norm of the local error of M, and of m relative
    to its largest max norm): the global error of M at 40 ps stays at the level of tol with a
    quarter of the reference's steps or fewer."""
    geo = pillar_1d(comm, 60)
    ref = solution(comm, geo, 320, "monolithic")
    p, _ = problem(geo)
    with p:
        run = p.run(40.0, dt=0.5, tol=1e-4, progress_seconds=1e9)
        M = gathered(comm, p, "M").ravel()
    error = np.max(np.abs(M - ref[-len(M):]))
    print(f"step control: {run.steps} steps, {run.rejected} rejected, error of M {error:.2e}")
    assert error < run.steps * 1e-4, error  # the local errors (<= tol) accumulate at most
    assert run.steps <= 320 // 4, run.steps
    assert np.all(run.trace["norm_drift"] < 1e-11)


@pytest.mark.serial  # logic; MPI pass: test_steady_self_consistent_state
def test_step_control_is_independent_of_the_accumulation_scale(comm):
    """The coupled problem is invariant under m -> s m with the drive times s and lam_M / s
    (S2 is linear in m, the torque lam_M M x m unchanged): M(t) is the same. The step control
    measures m relative to its scale, so it takes the same steps for s = 1 and s = 1e5 (m in
    A/m is about 1e5 in a real pillar; the absolute error of m in A/m took 7,569 steps
    instead of 300 for the switching pillar's 600 ps at tol = 1e-3)."""
    geo = pillar_1d(comm, 60)
    runs = {}
    for s in (1.0, 1e5):
        p, _ = problem(geo, flux=2.0 * s, lam_M=0.05 / s)
        with p:
            run = p.run(40.0, dt=0.5, tol=1e-4, progress_seconds=1e9)
            runs[s] = (run, gathered(comm, p, "M"), gathered(comm, p, "m"))
    (r1, M1, m1), (r2, M2, m2) = runs[1.0], runs[1e5]
    assert (r2.steps, r2.rejected) == (r1.steps, r1.rejected)
    assert np.allclose(r2.trace["dt"], r1.trace["dt"], rtol=1e-6, atol=0, equal_nan=True)
    assert np.max(np.abs(M2 - M1)) < 1e-9
    assert np.max(np.abs(m2 / 1e5 - m1)) < 1e-9 * np.max(np.abs(m1))


def test_steady_self_consistent_state(comm):
    """Constant drive, damping: a short damped run gives the initial guess, then the
    time-independent coupled residual (S1 with H = -gamma_e B + lambda M, zero torque,
    |M| = 1) is solved with Newton. Checks: quadratic convergence in a few iterations; m is
    the S1 solution for that M; the free layer is torque-free; the dynamics leave it at rest."""
    geo = pillar_1d(comm, 60)
    p, _ = problem(geo, alpha=0.5, drive=None)
    t = geo.tags
    with p:
        p.run(300.0, dt=1.0, tol=1e-3, progress_seconds=1e9)
        before = np.concatenate([gathered(comm, p, "M").ravel()])
        info = p.solve_steady()
        assert info.newton_iterations <= 8, info
        M_steady, m_steady = gathered(comm, p, "M"), gathered(comm, p, "m")
        assert p.norm_drift() < 1e-12
        assert np.max(np.abs(M_steady.ravel() - before)) < 1e-2  # the guess was close
        M_fn = p.field("M")
        for _ in range(3):
            p.step(5.0)
        assert np.max(np.abs(gathered(comm, p, "M") - M_steady)) < 1e-9
        assert np.max(np.abs(gathered(comm, p, "m") - m_steady)) < 1e-9
    with fs.SteadySpinDiffusion(
            geo.mesh, materials(geo, -1.0), cell_tags=geo.cell_tags, facet_tags=geo.facet_tags,
            M=M_fn, H_ext=-GAMMA_E * np.asarray(B_EXT), m_eq=(0.0, 0.0, 0.0),
            flux=[fs.Flux(t["left"], (0.0, 0.0, 2.0))],
            dirichlet=[fs.Dirichlet(t["right"], (0.0, 0.0, 0.0))]) as s1:
        s1.solve()
        f = s1.m
        n = f.function_space.dofmap.index_map.size_local
        x = f.function_space.tabulate_dof_coordinates()[:n, 0]
        v = f.x.array.reshape(-1, 3)[:n]
        x, v = np.concatenate(comm.allgather(x)), np.concatenate(comm.allgather(v))
        m_s1 = v[np.argsort(x, kind="stable")]
    assert np.max(np.abs(m_s1 - m_steady)) < 1e-10 * np.max(np.abs(m_s1))


def test_checkpoint_restart(comm, shared_tmp, caplog, read_csv):
    """2N controlled steps in one run == N steps, checkpoint, a new solver, restart, N more:
    equal to round-off (same state, step size, history and trace) with Newton on fresh LUs,
    which keeps nothing across steps (the default chord keeps its Jacobian: a restart gives
    the same steps to the Newton tolerance, tests/unit/test_faults.py). Output files are
    written every 2 steps; progress lines are logged."""
    geo = pillar_1d(comm, 60)
    N, t_end = 6, 1000.0
    p, _ = problem(geo, petsc_options=FRESH_NEWTON_OPTIONS)
    with p, caplog.at_level("INFO", logger="fem_spin"):  # TimeStepper logs from stepping
        full = p.run(t_end, dt=0.5, tol=1e-4, output=shared_tmp / "full", write_every=2,
                     progress_seconds=0.0, max_steps=2 * N)
        final = p.u_n.x.array.copy()
        t_final, trace = p.t, p.trace_arrays()
        m_final, M_final = gathered(comm, p, "m"), gathered(comm, p, "M")
    assert any("ETA" in r.getMessage() for r in caplog.records)
    p, _ = problem(geo, petsc_options=FRESH_NEWTON_OPTIONS)
    with p:
        p.run(t_end, dt=0.5, tol=1e-4, output=shared_tmp / "first", progress_seconds=1e9,
              max_steps=N)
        t_half, scales = p.t, dict(p.error_scales)
    assert scales["m"] > 0
    q, _ = problem(geo, petsc_options=FRESH_NEWTON_OPTIONS)
    with q:
        q.load_checkpoint(shared_tmp / "first" / "checkpoint.npz")
        assert q.t == t_half and q.steps == p.steps
        assert q.error_scales == scales  # the step control's scale of m
        q.run(t_end, dt=0.5, tol=1e-4, progress_seconds=1e9, max_steps=N)
        assert q.t == pytest.approx(t_final, rel=1e-14)
        assert np.max(np.abs(q.u_n.x.array - final)) < 1e-13
        restarted = q.trace_arrays()
    assert set(restarted) == set(trace)
    for key in trace:
        np.testing.assert_allclose(restarted[key], trace[key], rtol=1e-12, atol=1e-14)
    assert full.steps == 2 * N
    # the VTX series: the start, then (at least) every second step, the last one being the
    # final state (exactly every second: test_write_every_counts_accepted_steps)
    bp = shared_tmp / "full" / "fields.bp"
    assert N + 1 <= bp_steps(bp) <= 2 * N + 1 and bp_time(bp, 0) == 0.0
    assert bp_time(bp) == pytest.approx(t_final, rel=1e-14)
    first, last = bp_nodes(bp, 0), bp_nodes(bp)
    assert set(last) == {"x", "m", "M"}
    np.testing.assert_allclose(last["x"][:, 0], np.linspace(0.0, 30.0, 61), atol=1e-12)
    np.testing.assert_allclose(last["m"], m_final, rtol=0, atol=1e-14)
    np.testing.assert_allclose(last["M"], M_final, rtol=0, atol=1e-14)
    np.testing.assert_allclose(first["M"], M0(first["x"].T).T, atol=1e-14)
    assert np.all(first["m"] == 0.0)
    # the trace file holds the run's trace
    header, data = read_csv(shared_tmp / "full" / "trace.csv")
    assert header[:3] == ["t", "dt", "newton"] and "torque_x" in header and "Mz" in header
    for k, name in enumerate(header):
        np.testing.assert_allclose(data[:, k], trace[name], rtol=1e-9, atol=1e-14, err_msg=name)


def test_initial_guess_through_three_states(comm, monkeypatch):
    """A step starts from the parabola through the last three states
    (:mod:`fem_spin.stepping.predictor`): Newton reaches the same states (to its tolerance)
    in fewer iterations than from the straight line through the last two. Exact Newton
    (fresh LUs), whose counts depend on the guess alone. The update test at 1e-8 of each
    field (the user's option), where the counts are 120 and 99 (at 1e-9 120 and 113, at
    1e-10 both 120: there the last quadratic step, not the guess, sets them); the states
    agree to the square of that (quadratic convergence)."""
    geo = pillar_1d(comm, 60)
    runs = {}
    for order in (1, 2):
        monkeypatch.setattr(predictor, "ORDER", order)
        p, _ = problem(geo, petsc_options={**FRESH_NEWTON_OPTIONS, "snes_stol": 1e-8})
        with p:
            newton = [p.step(0.5).newton_iterations for _ in range(40)]
            assert len(p.history.older) == order - 1
            runs[order] = (newton, gathered(comm, p, "M"), gathered(comm, p, "m"))
    (line, M1, m1), (parabola, M2, m2) = runs[1], runs[2]
    print("Newton iterations, line / parabola:", sum(line), sum(parabola))
    assert line[:2] == parabola[:2]  # no third state yet
    assert sum(parabola) < sum(line)
    assert np.max(np.abs(M2 - M1)) < 1e-11
    assert np.max(np.abs(m2 - m1)) < 1e-11 * np.max(np.abs(m1))


def test_checkpoint_keeps_the_extrapolation_history(comm, shared_tmp):
    """The older state of the initial guess's parabola is in the checkpoint: a restarted run
    makes the same guess, bit for bit (a checkpoint without it, from before, restarts with
    the straight line)."""
    geo = pillar_1d(comm, 60)
    p, _ = problem(geo)
    with p:
        for dt in (0.5, 0.25, 0.5, 1.0):
            p.step(dt)
        p.save_checkpoint(shared_tmp / "history.npz")
        guess = p.history.guess(0.5, p.u_n.x.array, p.u_nm1.x.array, p.dt_prev)
        older = p.history.older
    q, _ = problem(geo)
    with q:
        q.load_checkpoint(shared_tmp / "history.npz")
        assert [h for _, h in q.history.older] == [h for _, h in older] == [0.5]
        np.testing.assert_array_equal(q.history.older[0][0], older[0][0])
        np.testing.assert_array_equal(
            q.history.guess(0.5, q.u_n.x.array, q.u_nm1.x.array, q.dt_prev), guess)


def test_write_every_counts_accepted_steps(comm, shared_tmp):
    """``run(..., write_every=2)`` writes the start and every second accepted step, also with
    the step control (``tol``), as its docstring says."""
    geo = pillar_1d(comm, 60)
    p, _ = problem(geo)
    with p:
        run = p.run(1000.0, dt=0.5, tol=1e-4, output=shared_tmp / "out", write_every=2,
                    progress_seconds=1e9, max_steps=4)
    assert run.steps == 4
    assert bp_steps(shared_tmp / "out" / "fields.bp") == 3
