"""The run driver: advances a :class:`~fem_spin.stepping.schemes.TimeStepper` to a final time
and does what a long run needs around the steps: the trace of observables, the VTX time
series of the fields, checkpoints, and progress lines (rank 0, at most every
``progress_seconds``). The time schemes and the step control stay in the stepper."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import dolfinx.fem as fem
import dolfinx.io
import numpy as np
from mpi4py import MPI

from fem_spin.errors import InputError
from fem_spin.output import write_csv
from fem_spin.stepping.checkpoint import save_checkpoint
from fem_spin.stepping.records import RunInfo, StepInfo

__all__ = ["RunDriver"]


log = logging.getLogger(__name__)




def _check_count(name: str, value) -> int:
    if not isinstance(value, int) or value < 0:
        raise InputError(f"{name} must be an integer >= 0, got {value!r}")
    return value


class RunDriver:
    """Runs a stepper with its outputs.

    Args:
        stepper: a :class:`~fem_spin.stepping.schemes.TimeStepper` (S2, LLG, coupled).
        output: folder for ``trace.csv``, the VTX series ``fields*.bp`` and
            ``checkpoint.npz`` (None: nothing written).
        write_every: write the fields every this many steps (0: never; 1: every step).
        checkpoint_every: write ``checkpoint.npz`` (and the trace) every this many steps
            (0: only at the end when ``output`` is set).
        progress_seconds: a progress line is logged (rank 0) at most this often.
        observe: ``observe(stepper) -> dict`` of extra scalars for the trace.
    """

    def __init__(self, stepper, *, output: str | Path | None = None,
                 write_every: int = 0, checkpoint_every: int = 0,
                 progress_seconds: float = 10.0, observe: Callable | None = None):
        self.stepper = stepper
        self.out = Path(output) if output is not None else None
        self.write_every = _check_count("write_every", write_every)
        self.checkpoint_every = _check_count("checkpoint_every", checkpoint_every)
        self.progress_seconds = progress_seconds
        self.observe = observe

    def run(self, t_end: float, dt: float, *, tol: float | None = None, dt_min: float = 0.0,
            dt_max: float = np.inf, max_steps: int | None = None) -> RunInfo:
        """Advance to ``t_end`` (ps), or by ``max_steps`` steps if that comes first; arguments
        as for :meth:`TimeStepper.run`."""
        s, out = self.stepper, self.out
        s._check_open()
        t_end = float(t_end)
        if not t_end >= s.t:
            raise InputError(f"t_end ({t_end}) must not lie before the current time {s.t}")
        if not (np.isfinite(dt) and dt > 0):
            raise InputError(f"dt must be a positive number (ps), got {dt!r}")
        if max_steps is not None and (not isinstance(max_steps, int) or max_steps < 0):
            raise InputError(f"max_steps must be an integer >= 0 or None, got {max_steps!r}")
        writers = self._open_writers() if out is not None and self.write_every else []
        files: list[Path] = [w[0] for w in writers]
        if not s.trace:
            self._record(None)
            if writers and s.steps == 0:
                self._write(writers)
        t_start, wall0, last_log = s.t, time.perf_counter(), time.perf_counter()
        steps = rejected = newton = 0
        h = s.dt_next if (tol is not None and s.dt_next) else float(dt)
        try:
            while (s.t < t_end - 1e-12 * max(1.0, abs(t_end))
                   and (max_steps is None or steps < max_steps)):
                remaining = t_end - s.t
                h_try = remaining if remaining <= h * (1 + 1e-6) else h
                if tol is None:
                    info = s.step(h_try)
                else:
                    info = s.adaptive_step(h_try, tol, dt_min=dt_min, dt_max=dt_max)
                    if h_try < h and info.dt == h_try and s.dt_next < h:
                        s.dt_next = h  # a step shortened to land on t_end keeps h
                    h = s.dt_next
                steps += 1
                rejected += info.rejected
                newton += info.newton_iterations
                self._record(info)
                if writers and s.steps % self.write_every == 0:
                    self._write(writers)
                if out is not None and self.checkpoint_every and steps % self.checkpoint_every == 0:
                    save_checkpoint(s, out / "checkpoint.npz")
                    write_csv(s.comm, out / "trace.csv", s.trace_arrays())
                now = time.perf_counter()
                if now - last_log >= self.progress_seconds:
                    last_log = now
                    self._progress(t_start, t_end, steps, info, newton, now - wall0)
        finally:
            for _, w in writers:
                w.close()
        seconds = s.comm.allreduce(time.perf_counter() - wall0, op=MPI.MAX)
        if out is not None:
            files.append(save_checkpoint(s, out / "checkpoint.npz"))
            files.append(write_csv(s.comm, out / "trace.csv", s.trace_arrays()))
        log.info("%s: reached t = %.6g ps in %d steps (%d rejected), %d Newton iterations, "
                 "%.1f s", s.name, s.t, steps, rejected, newton, seconds)
        return RunInfo(steps=steps, rejected=rejected, newton_iterations=newton,
                       seconds=seconds, t=s.t, trace=s.trace_arrays(), files=files)

    def _progress(self, t_start, t_end, steps, info: StepInfo, newton, elapsed) -> None:
        s = self.stepper
        done = (s.t - t_start) / max(t_end - t_start, 1e-300)
        eta = elapsed * (1 - done) / max(done, 1e-12)
        log.info("%s: t = %.5g / %.5g ps (%3.0f %%), %d steps, dt %.3g ps, "
                 "%.1f Newton its/step, %.1f s elapsed, ETA %.0f s", s.name,
                 s.t, t_end, 100 * done, steps, info.dt, newton / steps, elapsed, eta)

    def _record(self, info: StepInfo | None) -> None:
        """Append the stepper's observables (and the user's) at the current time."""
        s = self.stepper
        row = {"t": s.t, "dt": np.nan if info is None else info.dt,
               "newton": 0 if info is None else info.newton_iterations}
        row |= s.observe()
        if self.observe is not None:
            row |= dict(self.observe(s))
        for k, v in row.items():
            s.trace.setdefault(k, []).append(float(v))

    def _open_writers(self):
        """One VTX writer per element of the output functions (``fields.bp`` first)."""
        s = self.stepper
        groups: dict[tuple, list[fem.Function]] = {}
        for f in s.output_functions():
            key = (f.function_space.ufl_element().basix_hash(),)
            groups.setdefault(key, []).append(f)
        if s.comm.rank == 0:
            self.out.mkdir(parents=True, exist_ok=True)
        s.comm.barrier()
        writers = []
        for i, group in enumerate(groups.values()):
            path = self.out / ("fields.bp" if i == 0 else f"fields_{group[0].name}.bp")
            writers.append((path, dolfinx.io.VTXWriter(s.comm, path, group, engine="BP4")))
        return writers

    def _write(self, writers) -> None:
        self.stepper.output_functions()  # refresh the functions in place
        for _, w in writers:
            w.write(self.stepper.t)
