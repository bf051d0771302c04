"""The ski-rental rule of fem_spin.core.refresh_policy: refresh a kept Jacobian once the extra
Newton iterations since the last refresh have cost as much as that refresh."""

from fem_spin.core.refresh_policy import RefreshPolicy, predicts_failure


def test_refresh_when_the_extra_iterations_cost_a_refresh():
    policy = RefreshPolicy(max_iterations=16)
    assert policy.pending  # the first solve assembles
    # fresh: 5 iterations in 10 s; the next solves cost 0.5 s per iteration, so the refresh
    # cost 10 - 5 x 0.5 = 7.5 s
    assert not policy.record(10.0, 5)
    assert not policy.record(2.5, 5)  # no extra iterations
    assert not policy.record(4.0, 8)  # 3 extra: 1.5 s
    assert not policy.record(5.0, 10)  # 5 extra: 4.0 s in all
    assert not policy.record(6.0, 12)  # 7 extra: 7.5 s, not more than the refresh
    assert policy.record(6.5, 13)  # 8 extra: 11.5 s > 7.5 s
    assert policy.pending
    assert not policy.record(1.0, 4)  # the refreshed solve: the new reference
    assert not policy.pending


def test_no_refresh_while_the_chord_is_as_fast_and_the_cap():
    policy = RefreshPolicy(max_iterations=16)
    policy.record(3.0, 6)
    for _ in range(50):
        assert not policy.record(1.2, 6)
    assert policy.record(3.4, 17)  # above max_iterations: refreshed anyway
    policy.record(3.0, 6)
    policy.refresh()  # e.g. a slow linear solve
    assert policy.pending


def test_a_solve_is_given_up_when_its_rate_cannot_reach_the_tolerance_in_time():
    """predicts_failure: the mean contraction of the last two iterations, extrapolated to
    rtol |F_0|, against the iterations left (the chord logs of the switching pillar: a kept
    Jacobian one step old went 3.2e5, 2.8e5, 2.4e5 and ran to snes_max_it = 25)."""
    rtol = 1e-10
    assert not predicts_failure([1.0, 0.5, 1.0], rtol, 25)  # too early to judge
    assert predicts_failure([3.6e5, 3.2e5, 2.8e5, 2.4e5], rtol, 25)  # rho 0.87: ~170 more
    assert predicts_failure([1.0, 2.0, 3.0, 4.0], rtol, 25)  # growing
    assert predicts_failure([1.0, 0.1, 0.01, float("nan")], rtol, 25)
    # a slow chord that does converge in time: rho = 0.29 at k = 3, about 16 more (it took 20)
    slow = [2.73e4, 9.47e3, 2.79e3, 7.81e2]
    assert not predicts_failure(slow, rtol, 25)
    assert predicts_failure(slow, rtol, 15)
    assert not predicts_failure([1.0, 1e-3, 1e-7, 1e-11], rtol, 25)  # converged
    assert not predicts_failure([1.0, 0.9, 0.8, 0.7, 1e-11], rtol, 25)
