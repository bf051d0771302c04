"""The run driver: advances a :class:`~fem_spin.stepping.schemes.TimeStepper` to a final time
and does what a long run needs around the steps: the trace of observables, the VTX time
series of the fields, checkpoints, and progress lines (rank 0, at most every
``progress_seconds``). The time schemes and the step control stay in the stepper.

A long run can be stopped cleanly: ``stop()`` (e.g. "a SIGTERM arrived") is asked after every
step, the ranks agree on it, and the run writes its checkpoint and trace and raises
:class:`~fem_spin.errors.RunInterrupted` on every rank at the same step. The VTX series is
written under ``fields.bp.partial`` and renamed ``fields.bp`` when the run reaches its end, so
the series of a run that stopped early is marked as such."""

from __future__ import annotations

import logging
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import dolfinx.fem as fem
import dolfinx.io
import numpy as np
from mpi4py import MPI

from fem_spin.errors import FemSpinError, InputError, OutputError, RunInterrupted
from fem_spin.output import PARTIAL, abandon, write_csv
from fem_spin.stepping.checkpoint import save_checkpoint
from fem_spin.stepping.records import RunInfo, StepInfo

__all__ = ["RunDriver"]


log = logging.getLogger(__name__)


def _close(writers) -> None:
    """Close the VTX writers; one that fails is kept alive (``output.abandon``) (its
    destructor would throw again and end the process) and its error raised."""
    error = None
    for _, w in writers:
        try:
            w.close()
        except Exception as e:
            abandon(w)
            error = error or e
    if error is not None:
        raise error


def _signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


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
        checkpoint_seconds: also write it when this many wall seconds passed since the last
            one (0: never by time).
        checkpoint_meta: extra JSON-able data stored in every checkpoint (e.g. the drive and
            a hash of the input, checked on a restart).
        progress_seconds: a progress line is logged (rank 0) at most this often.
        observe: ``observe(stepper) -> dict`` of extra scalars for the trace.
        stop: ``stop() -> int``, asked after every step on every rank: non-zero (a signal
            number) on any rank stops the run on all (checkpoint first, then
            :class:`~fem_spin.errors.RunInterrupted`).
    """

    def __init__(self, stepper, *, output: str | Path | None = None,
                 write_every: int = 0, checkpoint_every: int = 0,
                 progress_seconds: float = 10.0, observe: Callable | None = None,
                 checkpoint_seconds: float = 0.0, checkpoint_meta: dict | None = None,
                 stop: Callable[[], int] | None = None):
        self.stepper = stepper
        self.out = Path(output) if output is not None else None
        self.write_every = _check_count("write_every", write_every)
        self.checkpoint_every = _check_count("checkpoint_every", checkpoint_every)
        if not (np.isfinite(checkpoint_seconds) and checkpoint_seconds >= 0):
            raise InputError(f"checkpoint_seconds must be a number >= 0, got "
                             f"{checkpoint_seconds!r}")
        self.checkpoint_seconds = float(checkpoint_seconds)
        self.checkpoint_meta = dict(checkpoint_meta or {})
        self.progress_seconds = progress_seconds
        self.observe = observe
        self.stop = stop

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
        files: list[Path] = [w[0].with_name(w[0].name.removesuffix(PARTIAL)) for w in writers]
        if not s.trace:
            self._record(None)
            if writers and s.steps == 0:
                self._write(writers)
        t_start, wall0, last_log = s.t, time.perf_counter(), time.perf_counter()
        last_checkpoint = wall0
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
                now = time.perf_counter()
                signum, by_time = self._agree(now - last_checkpoint)
                if out is not None and (signum or by_time or (
                        self.checkpoint_every and s.steps % self.checkpoint_every == 0)):
                    self._checkpoint()
                    last_checkpoint = now
                if signum:
                    name = _signal_name(signum)
                    raise RunInterrupted(f"{s.name}: stopped by {name} at t = {s.t:.6g} ps, "
                                         f"step {s.steps}" + ("" if out is None else
                                         f" (checkpoint {out / 'checkpoint.npz'})"),
                                         signum, t=s.t, steps=s.steps)
                if now - last_log >= self.progress_seconds:
                    last_log = now
                    self._progress(t_start, t_end, steps, info, newton, now - wall0)
        except BaseException as e:
            if isinstance(e, FemSpinError):  # raised on every rank: close together
                _close(writers)
            else:  # maybe on this rank only: a collective close could wait forever
                for _, w in writers:
                    abandon(w)
            raise
        _close(writers)
        seconds = s.comm.allreduce(time.perf_counter() - wall0, op=MPI.MAX)
        if writers:
            self._publish([w[0] for w in writers])
        if out is not None:
            files.append(self._checkpoint())
            files.append(out / "trace.csv")
        log.info("%s: reached t = %.6g ps in %d steps (%d rejected), %d Newton iterations, "
                 "%.1f s", s.name, s.t, steps, rejected, newton, seconds)
        return RunInfo(steps=steps, rejected=rejected, newton_iterations=newton,
                       seconds=seconds, t=s.t, trace=s.trace_arrays(), files=files)

    def _agree(self, since_checkpoint: float) -> tuple[int, bool]:
        """(a stop signal on any rank, a time-based checkpoint is due on any rank): one
        allreduce, only when a stop callback or a checkpoint interval is set."""
        if self.stop is None and not self.checkpoint_seconds:
            return 0, False
        local = np.array([self.stop() if self.stop is not None else 0,
                          int(bool(self.checkpoint_seconds)
                              and since_checkpoint >= self.checkpoint_seconds)], dtype=np.int64)
        total = np.zeros_like(local)
        self.stepper.comm.Allreduce(local, total, op=MPI.MAX)
        return int(total[0]), bool(total[1])

    def _checkpoint(self) -> Path:
        """The checkpoint and the trace so far (collective)."""
        s = self.stepper
        path = save_checkpoint(s, self.out / "checkpoint.npz", meta=self.checkpoint_meta)
        write_csv(s.comm, self.out / "trace.csv", s.trace_arrays())
        return path

    def _publish(self, paths: list[Path]) -> None:
        """Rename the complete VTX series ``fields*.bp.partial`` to their final names."""
        import shutil

        comm = self.stepper.comm
        comm.barrier()
        error = None
        if comm.rank == 0:
            try:
                for tmp in paths:
                    final = tmp.with_name(tmp.name.removesuffix(PARTIAL))
                    if final.is_dir():
                        shutil.rmtree(final)
                    os.replace(tmp, final)
            except OSError as e:
                error = f"cannot rename {tmp} to its final name: {e}"
        error = comm.bcast(error, root=0)
        if error is not None:
            raise OutputError(error)

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
        error = None
        if s.comm.rank == 0:
            try:
                self.out.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                error = f"cannot create the output folder {self.out}: {e}"
        error = s.comm.bcast(error, root=0)
        if error is not None:
            raise OutputError(error)
        writers = []
        for i, group in enumerate(groups.values()):
            name = "fields.bp" if i == 0 else f"fields_{group[0].name}.bp"
            path = self.out / (name + PARTIAL)
            writers.append((path, dolfinx.io.VTXWriter(s.comm, path, group, engine="BP4")))
        return writers

    def _write(self, writers) -> None:
        self.stepper.output_functions()  # refresh the functions in place
        for _, w in writers:
            w.write(self.stepper.t)
