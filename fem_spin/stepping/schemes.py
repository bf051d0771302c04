"""Implicit time stepping shared by the S2, LLG and coupled solvers.

One residual form per solver holds the time-discretisation coefficients as ``fem.Constant``
(:class:`TimeConstants`), so one compiled form and one SNES (and one MUMPS factorisation
object, see stack-measurements 5(d)) serve every scheme and step size. A scheme is the
multistep formula for the time derivative of the spin accumulation m plus the weight ``theta``
at which the rest of the S2 residual is evaluated:

    euler: (u - u_n) / dt,                                  theta = 1     (order 1, L-stable)
    cn:    (u - u_n) / dt,                                  theta = 1/2   (order 2, A-stable;
           the midpoint form, also called "midpoint")
    bdf2:  (a0 u + a1 u_n + a2 u_nm1) / dt,                 theta = 1     (order 2, variable step:
           w = dt/dt_prev, a0 = (1+2w)/(1+w), a1 = -(1+w), a2 = w^2/(1+w); first step euler)

The magnetization always uses the implicit midpoint rule (order 2, |M| conserved nodewise).
Each step starts Newton from the parabola through the last three states
(:mod:`fem_spin.stepping.predictor`).
:meth:`TimeStepper.adaptive_step` controls the step by step doubling (Richardson): one step
dt and two steps dt/2 from the same state; ``err = max|u_half - u_full| / (2^p - 1)`` over the
state dofs (m and M, never the auxiliary field W), the two half steps are kept when
``err <= tol``, and ``dt_new = dt * min(2, max(0.2, 0.9 (tol/err)^(1/(p+1))))``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import dolfinx.fem as fem
import numpy as np
from mpi4py import MPI

from fem_spin.errors import InputError, SolverError
from fem_spin.stepping import checkpoint
from fem_spin.stepping.driver import RunDriver
from fem_spin.stepping.predictor import History
from fem_spin.stepping.records import RunInfo, StepInfo

__all__ = ["SCHEMES", "SPIN_SCHEMES", "RunInfo", "StepInfo", "TimeConstants", "TimeStepper"]

log = logging.getLogger(__name__)

SCHEMES = {"euler": 1, "cn": 2, "bdf2": 2, "midpoint": 2}
"""Time schemes and their orders ("midpoint" is "cn": the LLG solver's name for it)."""

SPIN_SCHEMES = ("bdf2", "cn", "euler")
"""The schemes of the spin accumulation m (S2, coupled); the magnetization uses "midpoint"."""


class TimeConstants:
    """The ``fem.Constant`` s of a time-discrete residual.

    Attributes:
        dt: step (ps). a0, a1, a2: multistep coefficients of ``d_t m``. theta: weight of the
        S2 residual. t_s: time of the S2 data (``t_n + theta dt``). t_mid: time of the LLG data
        (``t_n + dt/2``).
    """

    def __init__(self, mesh):
        def c(value: float) -> fem.Constant:
            return fem.Constant(mesh, np.float64(value))

        self.dt, self.a0, self.a1, self.a2 = c(1.0), c(1.0), c(-1.0), c(0.0)
        self.theta, self.t_s, self.t_mid = c(1.0), c(0.0), c(0.0)

    def set(self, scheme: str, t: float, dt: float, dt_prev: float | None) -> None:
        if scheme == "bdf2" and dt_prev is not None:
            w = dt / dt_prev
            a, theta = ((1 + 2 * w) / (1 + w), -(1 + w), w * w / (1 + w)), 1.0
        elif scheme in ("cn", "midpoint"):
            a, theta = (1.0, -1.0, 0.0), 0.5
        else:
            a, theta = (1.0, -1.0, 0.0), 1.0
        self.dt.value = dt
        self.a0.value, self.a1.value, self.a2.value = a
        self.theta.value = theta
        self.t_s.value = t + theta * dt
        self.t_mid.value = t + 0.5 * dt

    def as_dict(self) -> dict[str, float]:
        return {k: float(getattr(self, k).value) for k in
                ("dt", "a0", "a1", "a2", "theta", "t_s", "t_mid")}




def _collapse(Vsub) -> tuple[fem.FunctionSpace, np.ndarray]:
    """Collapsed sub-space and the map collapsed (unrolled) dof -> parent dof."""
    Vc, dofs = Vsub.collapse()
    dofs = dofs if isinstance(dofs, np.ndarray) else (dofs[0] if len(dofs) == 1 else None)
    if dofs is None:
        raise RuntimeError("unexpected collapse map of a blocked sub-space")
    return Vc, np.asarray(dofs, dtype=np.int64)


class TimeStepper:
    """Base class: the unknown ``u`` (time t_{n+1}), history ``u_n`` (t_n), ``u_nm1`` (t_{n-1}).

    Subclasses call :meth:`_init_stepper` and implement :meth:`_solve` (and optionally
    :meth:`_prepare`, :meth:`output_functions`).
    """

    name = "stepper"

    # -- set-up ---------------------------------------------------------------------------
    def _init_stepper(self, mesh, u: fem.Function, scheme: str,
                      fields: Sequence[tuple[str, object, bool]]) -> None:
        """Args: fields: ``(name, where, is_state)`` of u; ``where`` is a sub-space, ``None``
        (the whole space) or ``(collapsed space, dofs of u)`` (e.g. from
        :func:`fem_spin.core.blocked_space.field_maps`)."""
        if scheme not in SCHEMES:
            raise InputError(f"scheme must be one of {sorted(SCHEMES)}, got {scheme!r}")
        self.mesh = mesh
        self.comm = mesh.comm
        self.scheme = scheme
        self.u = u
        V = u.function_space
        self.u_n = fem.Function(V, name=f"{u.name}_n")
        self.u_nm1 = fem.Function(V, name=f"{u.name}_nm1")
        self.u_n.x.array[:] = u.x.array
        self.u_nm1.x.array[:] = u.x.array
        self.tc = TimeConstants(mesh)
        self.t = 0.0
        self.dt_prev: float | None = None
        self.dt_next: float | None = None
        self.history = History()  # older states, for the initial guess
        self.steps = 0
        self.trace: dict[str, list[float]] = {}
        self.fields: list[tuple[str, fem.FunctionSpace, np.ndarray]] = []
        state = {}
        for name, sub, is_state in fields:
            if sub is None:
                Vc = V
                n = V.dofmap.index_map.size_local + V.dofmap.index_map.num_ghosts
                dofs = np.arange(n * V.dofmap.index_map_bs, dtype=np.int64)
            elif isinstance(sub, tuple):
                Vc, dofs = sub
            else:
                Vc, dofs = _collapse(sub)
            self.fields.append((name, Vc, dofs))
            if is_state:
                owned = Vc.dofmap.index_map.size_local * Vc.dofmap.index_map_bs
                state[name] = dofs[:owned]
        self._state_dofs = state  # owned dofs of each state field (the step control's measure)
        #: the largest max norm of each state field other than M at the start of a controlled
        #: step so far (the scale of its error, :meth:`_state_difference`; kept in checkpoints)
        self.error_scales: dict[str, float] = {k: 0.0 for k in state if k != "M"}
        self._closed = False

    @property
    def order(self) -> int:
        """Order of the time scheme (the magnetization's midpoint rule is of order 2)."""
        return SCHEMES[self.scheme]

    def field(self, name: str, which: str = "n") -> fem.Function:
        """A copy of field ``name`` of the state at t_n (``which="n"``) as a Function in its
        collapsed space."""
        for fname, Vc, dofs in self.fields:
            if fname == name:
                f = fem.Function(Vc, name=name)
                src = {"n": self.u_n, "nm1": self.u_nm1, "u": self.u}[which]
                f.x.array[:] = src.x.array[dofs]
                return f
        raise InputError(f"{self.name} has no field {name!r}; it has "
                         f"{[f[0] for f in self.fields]}")

    def _sub_array(self, name: str, u: fem.Function | None = None) -> np.ndarray:
        """View-free copy of field ``name`` of ``u`` (default u_n), local (with ghosts)."""
        for fname, _, dofs in self.fields:
            if fname == name:
                return (self.u_n if u is None else u).x.array[dofs]
        raise InputError(f"{self.name} has no field {name!r}")

    def _store_initial(self) -> None:
        """Remember the initial state (subclasses call it at the end of ``__init__``)."""
        self._initial = self._snapshot()

    def reset(self) -> None:
        """Back to the initial state at t = 0 (history, step sizes and trace cleared): the
        same solver (one SNES, one factorisation object) serves a parameter sweep."""
        self._check_open()
        self._restore(self._initial)
        self.dt_prev = self.dt_next = None
        self.trace = {}
        self.error_scales = dict.fromkeys(self.error_scales, 0.0)

    # -- hooks ----------------------------------------------------------------------------
    def _prepare(self, t: float, dt: float) -> None:
        """Update time-dependent data before a step from t to t + dt (boundary values)."""

    def _solve(self) -> tuple[int, int]:
        """Solve the step's residual for ``self.u``; return (Newton, linear) iterations."""
        raise NotImplementedError

    def _check_open(self) -> None:
        if self._closed:
            raise InputError(f"this {self.name} solver was closed; create a new one")

    # -- stepping -------------------------------------------------------------------------
    def _snapshot(self):
        return (self.u_n.x.array.copy(), self.u_nm1.x.array.copy(), self.t, self.dt_prev,
                self.steps, self.history.snapshot())

    def _restore(self, snap) -> None:
        un, unm1, self.t, self.dt_prev, self.steps, older = snap
        self.history.restore(older)
        self.u_n.x.array[:] = un
        self.u_nm1.x.array[:] = unm1
        self.u.x.array[:] = un

    def step(self, dt: float) -> StepInfo:
        """One step of size ``dt`` (ps) from ``self.t``; raises :class:`SolverError` (state
        unchanged) if Newton fails."""
        self._check_open()
        dt = float(dt)
        if not (np.isfinite(dt) and dt > 0):
            raise InputError(f"the time step must be a positive number (ps), got {dt!r}")
        t0 = time.perf_counter()
        self.tc.set(self.scheme, self.t, dt, self.dt_prev)
        self._prepare(self.t, dt)
        self.u.x.array[:] = self.history.guess(dt, self.u_n.x.array, self.u_nm1.x.array,
                                               self.dt_prev)
        try:
            newton, linear = self._solve()
        except SolverError:
            self.u.x.array[:] = self.u_n.x.array
            raise
        self.history.push(self.u_nm1.x.array, self.dt_prev)
        self.u_nm1.x.array[:] = self.u_n.x.array
        self.u_n.x.array[:] = self.u.x.array
        self.t += dt
        self.dt_prev = dt
        self.steps += 1
        return StepInfo(t=self.t, dt=dt, newton_iterations=newton, linear_iterations=linear,
                        seconds=time.perf_counter() - t0)

    def _solve_as_state(self, solver):
        """Solve ``solver`` (a steady problem in ``u``) from the current state; the solution
        becomes the state, without history (the next step starts a new multistep sequence)."""
        self.u.x.array[:] = self.u_n.x.array
        info = solver.solve()
        self.u_n.x.array[:] = self.u.x.array
        self.u_nm1.x.array[:] = self.u.x.array
        self.dt_prev = None
        self.history.clear()
        return info

    def _max_norms(self, u: np.ndarray, other: np.ndarray | None = None) -> dict[str, float]:
        """The max norm of each state field of ``u`` (of ``u - other`` if given), global."""
        names = list(self._state_dofs)
        local = np.zeros(len(names))
        for i, name in enumerate(names):
            dofs = self._state_dofs[name]
            if len(dofs):
                local[i] = np.max(np.abs(u[dofs] if other is None else u[dofs] - other[dofs]))
        norms = np.empty_like(local)
        self.comm.Allreduce(local, norms, op=MPI.MAX)
        return dict(zip(names, norms.tolist()))

    def _state_difference(self, other: np.ndarray) -> float:
        """The step control's error measure, dimensionless: the largest change (max norm)
        between the state at t_n and ``other`` of each state field, for the magnetization M
        (a unit vector) as it is, for the spin accumulation m (A/m) relative to its scale in
        :attr:`error_scales` (the largest max norm of m so far; m is not measured while it
        has been zero, e.g. in the first step from m = 0)."""
        change = self._max_norms(self.u_n.x.array, other)
        return max((c if name == "M" else c / self.error_scales[name]
                    for name, c in change.items()
                    if name == "M" or self.error_scales[name] > 0), default=0.0)

    def adaptive_step(self, dt: float, tol: float, *, dt_min: float = 0.0,
                      dt_max: float = np.inf, max_rejections: int = 20) -> StepInfo:
        """Advance by step doubling with local error ``<= tol``: the max norm of the error of
        the magnetization M, and of m relative to the largest max norm m has had
        (:meth:`_state_difference`).

        Returns the accepted step (its ``dt`` is the size actually taken); the next proposed
        step is in ``self.dt_next``.
        """
        if not (np.isfinite(tol) and tol > 0):
            raise InputError(f"tol must be a positive number, got {tol!r}")
        p = self.order
        t0 = time.perf_counter()
        start = self._max_norms(self.u_n.x.array)
        for name in self.error_scales:
            self.error_scales[name] = max(self.error_scales[name], start[name])
        newton = linear = rejected = 0
        dt = min(float(dt), dt_max)
        while True:
            snap = self._snapshot()
            try:
                full = self.step(dt)
                u_full = self.u_n.x.array.copy()
                self._restore(snap)
                h1 = self.step(0.5 * dt)
                h2 = self.step(0.5 * dt)
            except SolverError as e:
                self._restore(snap)
                rejected += 1
                if rejected > max_rejections or 0.25 * dt < dt_min:
                    raise SolverError(f"{self.name}: Newton failed at t = {self.t:.6g} ps even "
                                      f"with dt = {dt:.3g} ps: {e}") from None
                log.info("%s: Newton failed with dt = %.3g ps, retrying with dt/4", self.name, dt)
                dt *= 0.25
                continue
            newton += full.newton_iterations + h1.newton_iterations + h2.newton_iterations
            linear += full.linear_iterations + h1.linear_iterations + h2.linear_iterations
            err = self._state_difference(u_full) / (2**p - 1)
            factor = 2.0 if err == 0 else min(2.0, max(0.2, 0.9 * (tol / err) ** (1 / (p + 1))))
            if err <= tol:
                self.steps = snap[4] + 1  # one accepted step (its two half steps counted once)
                self.dt_next = float(np.clip(dt * factor, dt_min, dt_max))
                return StepInfo(t=self.t, dt=dt, newton_iterations=newton,
                                linear_iterations=linear, seconds=time.perf_counter() - t0,
                                error=err, rejected=rejected)
            self._restore(snap)
            rejected += 1
            if rejected > max_rejections or dt * factor < dt_min:
                raise SolverError(f"{self.name}: step rejected {rejected} times at t = "
                                  f"{self.t:.6g} ps (error {err:.3g} > tol {tol:.3g} with dt = "
                                  f"{dt:.3g} ps); loosen tol or lower dt_min")
            dt *= factor

    # -- observables for traces -------------------------------------------------------------
    def observe(self) -> dict[str, float]:
        """Scalars recorded in the trace at every accepted step (global on every rank)."""
        return {}

    def output_functions(self) -> list[fem.Function]:
        """Functions written to the VTX time series (updated in place before each write)."""
        return []

    # -- long runs ------------------------------------------------------------------------
    def run(self, t_end: float, dt: float, *, tol: float | None = None, dt_min: float = 0.0,
            dt_max: float = np.inf, observe: Callable | None = None,
            output: str | Path | None = None, write_every: int = 0,
            checkpoint_every: int = 0, progress_seconds: float = 10.0,
            max_steps: int | None = None) -> RunInfo:
        """Advance to ``t_end`` (ps) from ``self.t``, or by ``max_steps`` steps if that comes
        first.

        Args:
            t_end: final time (ps); the last step is shortened to land on it.
            dt: (first) step (ps); with ``tol`` the step is controlled (:meth:`adaptive_step`).
            tol: local error tolerance of the step control (None: fixed steps).
            dt_min, dt_max: bounds of the controlled step (ps).
            observe, output, write_every, checkpoint_every, progress_seconds: the trace,
                files and progress lines of the run (:class:`~fem_spin.stepping.driver.RunDriver`).
            max_steps: stop after this many (accepted) steps.
        """
        return RunDriver(self, output=output, write_every=write_every,
                         checkpoint_every=checkpoint_every, progress_seconds=progress_seconds,
                         observe=observe).run(t_end, dt, tol=tol, dt_min=dt_min, dt_max=dt_max,
                                              max_steps=max_steps)

    def trace_arrays(self) -> dict[str, np.ndarray]:
        """The recorded trace as arrays (one row per recorded time)."""
        return {k: np.asarray(v) for k, v in self.trace.items()}

    # -- checkpoints ------------------------------------------------------------------------
    def save_checkpoint(self, path: str | Path) -> Path:
        """Write the state (fields at t_n and t_{n-1}, time, step sizes, trace) to ``path``
        (``.npz``, written by rank 0; nodes matched by coordinates on reading)."""
        return checkpoint.save_checkpoint(self, Path(path))

    def load_checkpoint(self, path: str | Path) -> None:
        """Restore a state written by :meth:`save_checkpoint` (the same mesh; any number of
        MPI ranks)."""
        checkpoint.load_checkpoint(self, Path(path))

    # -- clean-up ---------------------------------------------------------------------------
    def _solvers(self) -> list:
        return []

    def close(self) -> None:
        """Free the PETSc solvers on all ranks together (collective)."""
        for s in self._solvers():
            if s is not None:
                s.close()
        self._closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
