"""The initial guess of a time step (fem_spin.stepping.predictor): the polynomial through the
last states, exact for polynomials of its degree at any step sizes."""

import numpy as np
import pytest

from fem_spin.stepping.predictor import History, lagrange_weights

pytestmark = pytest.mark.serial


def test_uniform_weights_are_the_finite_difference_ones():
    assert lagrange_weights(1.0, [1.0]) == pytest.approx([2.0, -1.0])
    assert lagrange_weights(0.5, [0.5, 0.5]) == pytest.approx([3.0, -3.0, 1.0])
    assert lagrange_weights(2.0, [2.0, 2.0, 2.0]) == pytest.approx([4.0, -6.0, 4.0, -1.0])
    assert lagrange_weights(1.0, []) == pytest.approx([1.0])


@pytest.mark.parametrize("degree", [1, 2, 3])
def test_weights_reproduce_polynomials_of_their_degree(degree):
    rng = np.random.default_rng(degree)
    steps = rng.uniform(0.2, 2.0, degree)
    dt = 1.7
    times = np.concatenate([[0.0], -np.cumsum(steps)])
    coefficients = rng.normal(size=degree + 1)
    p = np.polynomial.Polynomial(coefficients)
    w = lagrange_weights(dt, steps)
    assert np.dot(w, p(times)) == pytest.approx(p(dt), rel=1e-12)


def run_history(order, times, f):
    """Mimic TimeStepper.step on the states f(t): the guess of each step, then push."""
    h = History(order)
    u_n, u_nm1, dt_prev = f(times[0]), f(times[0]), None
    guesses = []
    for t0, t1 in zip(times[:-1], times[1:]):
        guesses.append(h.guess(t1 - t0, u_n, u_nm1, dt_prev))
        h.push(u_nm1, dt_prev)
        u_nm1, u_n, dt_prev = u_n, f(t1), t1 - t0
    return h, guesses


def test_history_guess_is_exact_for_a_quadratic_at_variable_steps():
    times = np.array([0.0, 0.5, 1.5, 1.75, 2.75, 4.0])
    f = lambda t: np.array([1.0 + 2 * t - 0.3 * t**2, -t**2, 4.0])  # noqa: E731
    h, guesses = run_history(2, times, f)
    np.testing.assert_array_equal(guesses[0], f(0.0))  # no history: the state
    assert not np.allclose(guesses[1], f(times[2]))  # a line through two states
    for g, t in zip(guesses[2:], times[3:]):  # then the parabola through three
        np.testing.assert_allclose(g, f(t), rtol=1e-12, atol=1e-12)
    assert len(h.older) == 1 and h.older[0][1] == pytest.approx(times[-2] - times[-3])


def test_history_keeps_what_its_order_needs_and_restarts_cleanly():
    times = np.arange(7.0)
    f = lambda t: np.array([t**3 - t])  # noqa: E731
    h, guesses = run_history(3, times, f)
    assert len(h.older) == 2
    for g, t in zip(guesses[3:], times[4:]):
        np.testing.assert_allclose(g, f(t), rtol=1e-12)
    snap = h.snapshot()
    h.clear()
    np.testing.assert_array_equal(h.guess(1.0, f(6.0), f(6.0), None), f(6.0))
    h.restore(snap)
    assert [s for _, s in h.older] == [s for _, s in snap]
    line, _ = run_history(1, times, f)
    assert line.older == []
