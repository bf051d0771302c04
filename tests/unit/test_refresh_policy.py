"""The ski-rental rule of fem_spin.core.refresh_policy: refresh a kept Jacobian once the extra
Newton iterations since the last refresh have cost as much as that refresh."""

from fem_spin.core.refresh_policy import RefreshPolicy


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
