"""fem_spin.core.fallback_solver: failed solves of the iterative solver are repeated by the
direct one from the same initial guess, which then takes 3, 7, 15, ... more solves while the
iterative one keeps failing."""

from types import SimpleNamespace

import numpy as np

from fem_spin.core.fallback_solver import FallbackSolver
from fem_spin.errors import SolverError


class Fake:
    """A solver of ``u`` that fails when ``fails()`` says so, else adds 1 to ``u``."""

    def __init__(self, name, u, log, fails=lambda: False):
        self.name, self.log, self.fails = name, log, fails
        self._problem = SimpleNamespace(u=u)
        self.closed = False

    def solve(self):
        self.log.append(self.name)
        self._problem.u.x.array[:] += 1.0 if not self.fails() else 100.0
        if self.fails():
            raise SolverError("diverged")
        return self.name

    def close(self):
        self.closed = True


def test_runs_of_direct_solves_double_while_the_primary_fails():
    u = SimpleNamespace(x=SimpleNamespace(array=np.zeros(3)))
    log, failing = [], [True]
    primary = Fake("primary", u, log, fails=lambda: failing[0])
    made = []
    solver = FallbackSolver(primary, lambda: made.append(1) or Fake("direct", u, log))
    assert solver.solve() == "direct"  # failed, repeated from the same guess
    assert np.all(u.x.array == 1.0) and len(made) == 1
    for _ in range(3):
        assert solver.solve() == "direct"  # the next 3 without trying
    assert solver.solve() == "direct"  # primary tried, failed: the run doubles to 8
    assert log[-2:] == ["primary", "direct"]
    for _ in range(7):
        assert solver.solve() == "direct"
    failing[0] = False
    assert solver.solve() == "primary"  # tried again, succeeds: the run resets
    assert solver._run == 0 and len(made) == 1
    solver.close()
    assert primary.closed and solver.direct is None
