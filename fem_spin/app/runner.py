"""One runner for every case (``fem-spin run``): a steady S1 study or, with ``[dynamics]``, a
drive sweep of the coupled dynamics, into one folder::

    input.toml            the case file as given (input.resolved.toml: with --set applied)
    summary.json          written first with status "running" (and pid, host, start), last
                          with "success", "failed" and the error, or "interrupted" (SIGTERM,
                          SIGINT) and the time reached: a run that stopped early never claims
                          success; `fem-spin status FOLDER` also tells a dead run
    .fem-spin.lock        held while the run lives (:mod:`fem_spin.app.folder`)
    ...                   the study's files (:mod:`fem_spin.app.steady`,
                          :mod:`fem_spin.app.dynamics`) and pictures (:mod:`fem_spin.app.report`)
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import re
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mpi4py import MPI

from fem_spin.app.charge import simulate_charge
from fem_spin.app.dynamics import simulate_dynamics
from fem_spin.app.folder import diagnose, open_folder, process_info
from fem_spin.app.modes import modes_pictures, simulate_modes
from fem_spin.app.progress import step
from fem_spin.app.results import Results
from fem_spin.app.schema import Case
from fem_spin.app.signals import honour, stop_on_signals
from fem_spin.app.sizing import check_size
from fem_spin.app.steady import simulate_steady
from fem_spin.app.summary import record_final, to_toml, versions, write_summary
from fem_spin.errors import FemSpinError, InputError, OutputError, RunInterrupted
from fem_spin.physics import scales

__all__ = ["case_hash", "run_case", "run_study"]

log = logging.getLogger(__name__)


def case_hash(case: Case) -> str:
    """SHA-256 of the case as run (after ``--set``), without the keys that change no result
    (pictures, progress and checkpoint intervals, the folder): a resumed run must match it."""
    data = json.loads(json.dumps(case.data, default=str))
    for table, key in IGNORED_IN_HASH:
        data.get(table, {}).pop(key, None)
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


IGNORED_IN_HASH = (("outputs", "pictures"), ("outputs", "render"), ("outputs", "folder"),
                   ("dynamics", "progress_seconds"), ("dynamics", "checkpoint_every"),
                   ("dynamics", "checkpoint_minutes"))


def _prepare(comm: MPI.Comm, case: Case, folder: Path, summary: dict) -> None:
    """Copy the input, mark the run as running (the folder exists and is locked)."""
    error = None
    if comm.rank == 0:
        try:
            (folder / "input.toml").write_text(case.source.text or to_toml(case.data))
            resolved = folder / "input.resolved.toml"
            if case.source.overrides:
                resolved.write_text(f"# {case.source.name} with --set "
                                    f"{' --set '.join(case.source.overrides.values())}\n"
                                    + to_toml(case.data))
            else:
                resolved.unlink(missing_ok=True)
            write_summary(comm, folder / "summary.json", summary, reserve=True)
        except OSError as e:
            error = f"cannot write the output folder {folder}: {e.strerror or e}"
    error = comm.bcast(error, root=0)
    if error is not None:
        raise OutputError(error)


def _check_resume(comm: MPI.Comm, case: Case, folder: Path, digest: str) -> dict:
    """The summary of the run to resume in ``folder``; refused if its case differs."""
    previous = None
    if comm.rank == 0:
        try:
            previous = json.loads((folder / "summary.json").read_text())
        except (OSError, ValueError):
            previous = None
    previous = comm.bcast(previous, root=0)
    if previous is None:
        raise InputError(f"--resume: {folder} holds no run to resume (no readable "
                         "summary.json); start it without --resume")
    if previous.get("case_hash") != digest:
        old = previous.get("parameters", {}).get("config", {})
        changed = _changed_keys(old, json.loads(json.dumps(case.data, default=str)))
        raise InputError(f"--resume: the case differs from the one run in {folder} "
                         f"(changed: {', '.join(changed[:6]) or 'unknown'}); resume with the "
                         "same case file and --set options, or start anew with --overwrite")
    return previous


def _changed_keys(a, b, prefix: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            out += _changed_keys(a.get(k), b.get(k), f"{prefix}.{k}" if prefix else k)
        return out
    ignored = {f"{t}.{k}" for t, k in IGNORED_IN_HASH}
    return [] if a == b or prefix in ignored else [prefix]


def run_case(case: Case, comm: MPI.Comm = MPI.COMM_WORLD, folder: str | Path | None = None,
             command: list[str] | None = None, *, existing: str = "overwrite") -> dict:
    """Run the study of ``case`` into ``folder`` (default ``case.folder``); returns the summary.

    Collective. ``existing``: what to do with an earlier run's files in ``folder``:
    ``"overwrite"`` (clear them), ``"refuse"``, ``"resume"`` (continue a dynamics run from its
    checkpoints; drives already done are kept). On an error the summary says ``"status":
    "failed"`` (or ``"interrupted"``, on SIGTERM/SIGINT) with the error, and the error is
    raised again.
    """
    return run_study(case, comm, folder, command, existing=existing)[0]


def run_study(case: Case, comm: MPI.Comm = MPI.COMM_WORLD, folder: str | Path | None = None,
              command: list[str] | None = None, *, existing: str = "overwrite"
              ) -> tuple[dict, Results]:
    """:func:`run_case`, also returning the :class:`~fem_spin.app.results.Results` (the line
    profiles at full precision, the same on every rank; the CSVs hold 10 digits)."""
    folder = Path(case.folder if folder is None else folder)
    t_start = time.perf_counter()
    info = process_info(comm)
    digest = case_hash(case)
    summary: dict[str, Any] = {
        "status": "running", "case": case.name, "description": case.description,
        "input": "input.toml", "case_file": case.source.name,
        "overrides": list(case.source.overrides.values()),
        "command": command if command is not None else sys.argv,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "pid": info["pid"], "host": info["host"], "pids": info["pids"],
        "mpi_ranks": comm.size, "case_hash": digest, "versions": versions(),
        "parameters": {
            "materials": {n: {"D": m.D, "tau": m.tau, "lam": m.lam, "m0": m.m0,
                              **({} if m.tau_A is None else {"tau_A": m.tau_A}),
                              **({} if m.sigma is None else {"sigma": m.sigma,
                                                             "beta": m.beta}),
                              "l_sf": list(m.l_sf),
                              "a_max": [scales.coupling_strength(t, m.lam) for t in m.tau3]}
                          for n, m in case.materials.items()},
            "m_eq": case.m_eq, "B_T": case.B_T, "H_ext": case.H_ext,
            "degree": case.degree,
            "quadrature_degree": case.quadrature_degree, "petsc_options": case.petsc_options,
            "config": case.data,
        },
    }
    if case.dynamics is not None:
        summary["parameters"]["dynamics"] = asdict(case.dynamics)
    if case.modes is not None:
        summary["parameters"]["modes"] = asdict(case.modes)
    check_size(case, comm)  # before the folder is touched: a case that cannot fit
    lock = open_folder(comm, folder, existing, info)
    if existing == "resume":  # a refused resume leaves the folder as it was
        try:
            previous = _check_resume(comm, case, folder, digest)
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        summary["resumed"] = [*previous.get("resumed", []),
                              {"started": previous.get("started"),
                               "status": previous.get("status"),
                               "mpi_ranks": previous.get("mpi_ranks")}]
    try:
        _prepare(comm, case, folder, summary)
        return _run(comm, case, folder, summary, t_start, existing == "resume", digest)
    except RunInterrupted as e:
        summary.update(status="interrupted", error=str(e), signal=_signal_name(e.signal),
                       t_reached_ps=e.t, steps=e.steps,
                       finished=datetime.now(UTC).isoformat(timespec="seconds"))
        if case.dynamics is not None:
            summary["resume"] = (f"fem-spin run {case.source.name} --resume {folder}"
                                 + "".join(f" --set '{o}'" for o in summary["overrides"]))
        _record(comm, folder, summary, e, together=True)
        raise
    except BaseException as e:  # record it (no collective call), then raise again
        together = isinstance(e, FemSpinError)
        why = None if together and not isinstance(e, OutputError) else diagnose(folder)
        if why is not None:
            e.fem_spin_note = why  # type: ignore[attr-defined]
        summary.update(status="failed", error=_one_line(e) + ("" if why is None else
                                                              f" ({why})"),
                       finished=datetime.now(UTC).isoformat(timespec="seconds"))
        _record(comm, folder, summary, e, together=together)
        raise
    finally:
        if lock is not None:
            lock.release()


def _run(comm: MPI.Comm, case: Case, folder: Path, summary: dict, t_start: float,
         resume: bool, digest: str) -> tuple[dict, Results]:
    with stop_on_signals():
        honour(comm, "before meshing")
        if case.modes is not None:
            results = simulate_modes(comm, case, folder)
        elif case.dynamics is not None:  # with [charge]: the charge-driven LLG
            results = simulate_dynamics(comm, case, folder, resume=resume, case_hash=digest)
        elif case.charge is not None:
            results = simulate_charge(comm, case, folder)
        else:
            results = simulate_steady(comm, case, folder)
        gc.collect()  # collective PETSc objects go away now, on every rank
        honour(comm, "before the pictures")
        t0 = time.perf_counter()
        pngs = []
        if case.pictures:
            step(5, "pictures (rank 0)")
            if comm.rank == 0:
                # matplotlib only here: it is half of `fem-spin`'s start-up (2.7 of 5.2 s)
                from fem_spin.app.report import dynamics_pictures, pictures

                if case.modes is not None:
                    pngs = modes_pictures(case, folder, results)
                elif case.dynamics is None:
                    pngs = pictures(case, folder, results.grid)
                else:
                    pngs = dynamics_pictures(case, folder, results)
            pngs = comm.bcast(pngs, root=0)
    results.timings["pictures"] = time.perf_counter() - t0
    results.timings["total"] = time.perf_counter() - t_start
    timings = {k: comm.allreduce(v, op=MPI.MAX) for k, v in results.timings.items()}
    summary.update(status="success", mesh=results.mesh, solve=results.solve,
                   regions=results.regions, timings=timings,
                   files=["input.toml",
                          *(["input.resolved.toml"] if case.source.overrides else []),
                          *results.files, *pngs, "summary.json"],
                   pictures=pngs,
                   finished=datetime.now(UTC).isoformat(timespec="seconds"))
    write_summary(comm, folder / "summary.json", summary)
    comm.barrier()
    log.info("done in %.1f s: %s, %d dofs, output in %s", timings["total"],
             results.solve["reason"], results.mesh["dofs"], folder)
    return summary, results


def _one_line(e: BaseException) -> str:
    """``Type: message`` on one line (ADIOS2's colour codes and line breaks removed)."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(e))
    text = " ".join(part.strip() for part in text.splitlines() if part.strip())
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


def _signal_name(signum: int) -> str:
    import signal

    return signal.Signals(signum).name


def _record(comm: MPI.Comm, folder: Path, summary: dict, error: BaseException,
            together: bool) -> None:
    """Write the final summary of a failed/stopped run: by rank 0 when every rank has the
    error, else by each rank that has it (the others may be stuck). If it cannot be written,
    the error carries a note saying so (``fem_spin_note``)."""
    if together and comm.rank != 0:
        return
    why = record_final(folder / "summary.json", summary)
    if why is not None:
        note = getattr(error, "fem_spin_note", None)
        lost = (f"the status {summary['status']!r} could not be written to "
                f"{folder / 'summary.json'}: {why}")
        error.fem_spin_note = f"{note}; {lost}" if note else lost  # type: ignore[attr-defined]
