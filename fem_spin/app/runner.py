"""One runner for every case (``fem-spin run``): a steady S1 study or, with ``[dynamics]``, a
drive sweep of the coupled dynamics, into one folder::

    input.toml            the case file as given (input.resolved.toml: with --set applied)
    summary.json          written first with status "running", last with "success" (or
                          "failed" and the error): a run that stopped early never claims
                          success
    ...                   the study's files (:mod:`fem_spin.app.steady`,
                          :mod:`fem_spin.app.dynamics`) and pictures (:mod:`fem_spin.app.report`)
"""

from __future__ import annotations

import gc
import logging
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mpi4py import MPI

from fem_spin.app.charge import simulate_charge
from fem_spin.app.dynamics import simulate_dynamics
from fem_spin.app.modes import modes_pictures, simulate_modes
from fem_spin.app.progress import step
from fem_spin.app.report import dynamics_pictures, pictures
from fem_spin.app.results import Results
from fem_spin.app.schema import Case
from fem_spin.app.steady import simulate_steady
from fem_spin.app.summary import to_toml, versions, write_summary
from fem_spin.errors import OutputError
from fem_spin.physics import scales

__all__ = ["run_case", "run_study"]

log = logging.getLogger(__name__)


def _prepare(comm: MPI.Comm, case: Case, folder: Path, summary: dict) -> None:
    """Create the folder, remove a stale summary, copy the input, mark the run as running."""
    error = None
    if comm.rank == 0:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "summary.json").unlink(missing_ok=True)
            (folder / "input.toml").write_text(case.source.text or to_toml(case.data))
            resolved = folder / "input.resolved.toml"
            if case.source.overrides:
                resolved.write_text(f"# {case.source.name} with --set "
                                    f"{' --set '.join(case.source.overrides.values())}\n"
                                    + to_toml(case.data))
            else:
                resolved.unlink(missing_ok=True)
            write_summary(comm, folder / "summary.json", summary)
        except OSError as e:
            error = f"cannot write the output folder {folder}: {e.strerror or e}"
    error = comm.bcast(error, root=0)
    if error is not None:
        raise OutputError(error)


def run_case(case: Case, comm: MPI.Comm = MPI.COMM_WORLD, folder: str | Path | None = None,
             command: list[str] | None = None) -> dict:
    """Run the study of ``case`` into ``folder`` (default ``case.folder``); returns the summary.

    Collective. On an error the summary says ``"status": "failed"`` with the error, and the
    error is raised again.
    """
    return run_study(case, comm, folder, command)[0]


def run_study(case: Case, comm: MPI.Comm = MPI.COMM_WORLD, folder: str | Path | None = None,
              command: list[str] | None = None) -> tuple[dict, Results]:
    """:func:`run_case`, also returning the :class:`~fem_spin.app.results.Results` (the line
    profiles at full precision, the same on every rank; the CSVs hold 10 digits)."""
    folder = Path(case.folder if folder is None else folder)
    t_start = time.perf_counter()
    summary: dict[str, Any] = {
        "status": "running", "case": case.name, "description": case.description,
        "input": "input.toml", "case_file": case.source.name,
        "overrides": list(case.source.overrides.values()),
        "command": command if command is not None else sys.argv,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "mpi_ranks": comm.size, "versions": versions(),
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
    _prepare(comm, case, folder, summary)
    try:
        if case.modes is not None:
            results = simulate_modes(comm, case, folder)
        elif case.dynamics is not None:  # with [charge]: the charge-driven LLG
            results = simulate_dynamics(comm, case, folder)
        elif case.charge is not None:
            results = simulate_charge(comm, case, folder)
        else:
            results = simulate_steady(comm, case, folder)
        gc.collect()  # collective PETSc objects go away now, on every rank
        t0 = time.perf_counter()
        pngs = []
        if case.pictures:
            step(5, "pictures (rank 0)")
            if comm.rank == 0:
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
    except BaseException as e:  # record it (rank 0, no collective call), then raise again
        summary.update(status="failed", error=f"{type(e).__name__}: {e}",
                       finished=datetime.now(UTC).isoformat(timespec="seconds"))
        try:
            write_summary(comm, folder / "summary.json", summary)
        except Exception:  # the original error matters more
            pass
        raise
