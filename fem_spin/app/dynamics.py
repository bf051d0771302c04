"""A time-domain study from a case file with ``[dynamics]`` (:mod:`fem_spin.app.schema.dynamics`):
the spin accumulation and the magnetization advanced together
(:class:`fem_spin.CoupledSpinDynamics`), once per drive amplitude of a sweep.

:func:`fem_spin.app.runner.run_case` calls :func:`simulate_dynamics` instead of the steady solve;
the run folder then holds, besides ``input.toml`` and ``summary.json``::

    drive_<j>/trace.csv       time traces: <M>, torque, <m> in the magnets, energy, |M| drift
    drive_<j>/fields.bp       VTX time series of m and M (every dynamics.write_every steps)
    drive_<j>/checkpoint.npz  the final state (fem_spin.stepping.checkpoint)
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
from fem_spin.app.builders.problems import coupled_problem
from fem_spin.app.progress import step
from fem_spin.app.results import Results, sample_lines
from fem_spin.app.schema import Case
from fem_spin.observables.switching import final_state, switching_time
from fem_spin.output import write_csv
from fem_spin.render import gather_fields

__all__ = ["drive_folder", "simulate_dynamics"]


def drive_folder(j: float) -> str:
    """The sub-folder of drive amplitude ``j``."""
    return f"drive_{j:g}"


def simulate_dynamics(comm: MPI.Comm, case: Case, folder: Path) -> Results:
    """Mesh, then one run per drive, files written as it goes; numpy data out (collective)."""
    dyn = case.dynamics
    r = Results()
    geometry, _ = mesh_step(comm, case, r)
    t0 = time.perf_counter()
    step(2, "initial magnetization and the coupled forms (m: P%d %s, M: P1 midpoint, %s; "
             "compiling forms the first time takes a while)", case.degree, dyn.scheme,
          dyn.coupling)
    problem = coupled_problem(case, geometry)
    traces, grids, runs = {}, {}, []
    with problem:
        r.mesh["dofs"] = (problem.u.function_space.dofmap.index_map.size_global
                          * problem.u.function_space.dofmap.index_map_bs)
        r.timings["setup"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        write_every = dyn.write_every if case.fields else 0
        for i, j in enumerate(dyn.drives):
            step(3, "drive %d/%d, j = %g: %s to t = %g ps (%d dofs)", i + 1, len(dyn.drives),
                  j, f"step control, tol {dyn.tol:g}" if dyn.tol else f"dt = {dyn.dt:g} ps",
                  dyn.t_end, r.mesh["dofs"])
            problem.reset()
            problem.set_drive(dyn.drive(j))
            sub = folder / drive_folder(j)
            run = problem.run(dyn.t_end, dyn.dt, tol=dyn.tol, output=sub,
                              write_every=write_every,
                              progress_seconds=dyn.progress_seconds)
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
            runs.append({"drive": j, "switching_time_ps": t_switch, "final_state": state,
                         "final_M": final, "steps": run.steps, "rejected": run.rejected,
                         "newton_iterations": run.newton_iterations, "seconds": run.seconds,
                         "max_norm_drift": float(np.max(tr["norm_drift"])), "files": files})
        r.timings["solve"] = time.perf_counter() - t0
    del problem, geometry
    r.timings["output"] = 0.0  # written during the runs
    r.solve = {"reason": f"{len(runs)} drive(s) run to t = {dyn.t_end:g} ps",
               "drives": runs, "magnet_regions": list(dyn.magnets),
               "switch_axis": list(dyn.switch_axis)}
    r.extra = {"traces": traces, "grids": grids}
    return r
