"""A time-domain study from a case file with ``[dynamics]`` (:mod:`fem_spin.app.schema.dynamics`):
the spin accumulation and the magnetization advanced together
(:class:`fem_spin.CoupledSpinDynamics`), or with ``[charge]`` the magnets driven by the current
through the electrodes (:class:`fem_spin.ChargeDrivenLLG`, the drive amplitude scaling the
electrodes' currents and voltages), once per drive amplitude of a sweep.

:func:`fem_spin.app.runner.run_case` calls :func:`simulate_dynamics` instead of the steady solve;
the run folder then holds, besides ``input.toml`` and ``summary.json``::

    drive_<j>/trace.csv       time traces: <M>, torque, <m> in the magnets, energy, |M| drift
    drive_<j>/fields.bp       VTX time series of m and M (every dynamics.write_every steps)
    drive_<j>/checkpoint.npz  the last state (fem_spin.stepping.checkpoint): during the run
                              every checkpoint_every steps / checkpoint_minutes, and on
                              SIGTERM/SIGINT; `fem-spin run --resume` continues from it
    drive_<j>/result.json     written when the drive is done (a resumed sweep keeps it)
    drive_<j>/<line>.csv/png  line profiles of the final state; fields.png: a picture of it
    traces.png                <M> . p, torque and <m> . p for all drives
    switching_time.png        switching time against drive (two or more drives)

Reversal is measured along ``dynamics.switch_axis`` (:mod:`fem_spin.observables.switching`).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from mpi4py import MPI

from fem_spin.app.builders.geometry import mesh_step
from fem_spin.app.builders.problems import charge_llg_problem, coupled_problem
from fem_spin.app.collective import closing_together
from fem_spin.app.progress import step
from fem_spin.app.restart import RESULT, read_result, restore, write_result
from fem_spin.app.results import Results, sample_lines
from fem_spin.app.schema import Case
from fem_spin.app.signals import honour, requested
from fem_spin.app.solver_advice import solver_advice
from fem_spin.errors import SolverError
from fem_spin.observables.switching import final_state, switching_time
from fem_spin.output import write_csv
from fem_spin.render import gather_fields
from fem_spin.stepping.driver import RunDriver

__all__ = ["drive_folder", "dynamics_report", "simulate_dynamics"]


def drive_folder(j: float) -> str:
    """The sub-folder of drive amplitude ``j``."""
    return f"drive_{j:g}"


def simulate_dynamics(comm: MPI.Comm, case: Case, folder: Path, *, resume: bool = False,
                      case_hash: str = "") -> Results:
    """Mesh, then one run per drive, files written as it goes; numpy data out (collective).

    Checkpoints (``drive_<j>/checkpoint.npz``) are written every ``dynamics.checkpoint_every``
    steps and ``checkpoint_minutes`` of wall time, and on SIGTERM/SIGINT; each holds the drive
    and ``case_hash``. With ``resume``, a drive with a ``result.json`` is done and kept, a
    drive with a checkpoint continues from it, the others start at t = 0."""
    dyn = case.dynamics
    r = Results()
    geometry, hierarchy = mesh_step(comm, case, r)
    honour(comm, "after meshing")
    t0 = time.perf_counter()
    step(2, "initial magnetization and the coupled forms (m: P%d %s, M: P1 midpoint, %s; "
             "compiling forms the first time takes a while)", case.degree, dyn.scheme,
          dyn.coupling)
    problem = (charge_llg_problem(case, geometry) if case.charge is not None
               else coupled_problem(case, geometry, hierarchy=hierarchy))
    traces, grids, runs = {}, {}, []
    with closing_together(problem):
        r.mesh["dofs"] = (problem.u.function_space.dofmap.index_map.size_global
                          * problem.u.function_space.dofmap.index_map_bs)
        r.timings["setup"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        write_every = dyn.write_every if case.fields else 0
        for i, j in enumerate(dyn.drives):
            sub = folder / drive_folder(j)
            done = read_result(comm, sub, case_hash) if resume else None
            if done is not None:
                step(3, "drive %d/%d, j = %g: done already (%s), kept", i + 1,
                     len(dyn.drives), j, sub / RESULT)
                traces[j] = done.pop("trace")
                r.files += done["files"]
                runs.append(done)
                continue
            step(3, "drive %d/%d, j = %g: %s to t = %g ps (%d dofs)", i + 1, len(dyn.drives),
                  j, f"step control, tol {dyn.tol:g}" if dyn.tol else f"dt = {dyn.dt:g} ps",
                  dyn.t_end, r.mesh["dofs"])
            problem.reset()
            problem.set_drive(dyn.drive(j))
            resumed_at = None
            if resume and (sub / "checkpoint.npz").exists():
                resumed_at = restore(comm, problem, sub, j, case_hash)
            driver = RunDriver(problem, output=sub, write_every=write_every,
                               checkpoint_every=dyn.checkpoint_every,
                               checkpoint_seconds=60.0 * dyn.checkpoint_minutes,
                               checkpoint_meta={"drive": j, "case_hash": case_hash},
                               progress_seconds=dyn.progress_seconds, stop=requested)
            try:
                run = driver.run(dyn.t_end, dyn.dt, tol=dyn.tol)
            except SolverError as e:
                raise SolverError(f"drive j = {j:g}: at t = {problem.t:.6g} ps, step "
                                  f"{problem.steps}: {e}" + solver_advice(case)) from None
            tr = run.trace
            t_switch = switching_time(tr, dyn.switch_axis)
            state = final_state(tr, dyn.switch_axis)
            final = [float(tr[c][-1]) for c in ("Mx", "My", "Mz")]
            step(4, "drive j = %g: switching time %s, %s, final <M> = %s; lines and "
                     "pictures of the final state", j,
                  "none" if t_switch is None else f"{t_switch:.1f} ps", state,
                  np.round(final, 3).tolist())
            files = [str(f.relative_to(folder)) for f in run.files]
            lines = sample_lines(case, problem.field("m"), problem.field("M"))
            for name, columns in lines.items():
                write_csv(comm, sub / f"{name}.csv", columns)
                files.append(f"{sub.name}/{name}.csv")
            if case.render and case.pictures and geometry.mesh.topology.dim >= 2:
                grids[j] = gather_fields(problem.mesh, {"m": problem.field("m"),
                                                         "M": problem.field("M")})
            traces[j] = tr
            r.files += files
            entry = {"drive": j, "switching_time_ps": t_switch, "final_state": state,
                     "final_M": final, "steps": problem.steps, "rejected": run.rejected,
                     "newton_iterations": int(np.sum(tr["newton"])),
                     "seconds": run.seconds,
                     "max_norm_drift": float(np.max(tr["norm_drift"])), "files": files}
            if resumed_at is not None:
                entry["resumed_at_ps"] = resumed_at
            write_result(comm, sub, entry, case_hash)
            runs.append(entry)
        r.timings["solve"] = time.perf_counter() - t0
    del problem, geometry
    r.timings["output"] = 0.0  # written during the runs
    r.solve = {"reason": f"{len(runs)} drive(s) run to t = {dyn.t_end:g} ps",
               "drives": runs, "magnet_regions": list(dyn.magnets),
               "switch_axis": list(dyn.switch_axis)}
    r.extra = {"traces": traces, "grids": grids}
    return r


def dynamics_report(case: Case, summary: dict, folder) -> str:
    """The lines ``fem-spin run`` prints after a ``[dynamics]`` run."""
    lines = []
    for run in summary["solve"]["drives"]:
        ts = run["switching_time_ps"]
        lines.append(f"{case.name}: drive {run['drive']:g}: {run['final_state']}, switching "
                     f"time {'none' if ts is None else f'{ts:.1f} ps'}, {run['steps']} steps "
                     f"({run['rejected']} rejected), {run['newton_iterations']} Newton "
                     f"iterations, {run['seconds']:.1f} s")
    lines.append(f"{summary['mesh']['dofs']} dofs on {summary['mpi_ranks']} rank(s), "
                 f"{summary['timings']['total']:.1f} s; output: {folder}/ (traces.png, "
                 "drive_<j>/trace.csv, summary.json)")
    return "\n".join(lines)
