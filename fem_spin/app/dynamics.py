"""A time-domain study from a case file with ``[dynamics]`` (:mod:`fem_spin.app.schema_dynamics`):
the spin accumulation and the magnetization advanced together
(:class:`fem_spin.CoupledSpinDynamics`), once per drive amplitude of a sweep.

:func:`fem_spin.app.steady.run_case` calls :func:`simulate_dynamics` instead of the steady solve;
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

import logging
import time
from pathlib import Path

import numpy as np
from mpi4py import MPI

from fem_spin.app.schema import Case
from fem_spin.app.steady import (
    Results,
    _step,
    _texture,
    boundary_value,
    by_layer,
    layer_fields,
    mesh_step,
    pictures,
    sample_lines,
)
from fem_spin.geometry.base import Geometry
from fem_spin.parameters.transport import Dirichlet, Flux

__all__ = ["dynamics_pictures", "initial_magnetization", "redraw", "simulate_dynamics"]

log = logging.getLogger(__name__)


def initial_magnetization(case: Case, geometry: Geometry):
    """``(M0, direction)`` for the coupled problem: the texture of ``[magnetization]``.

    A layered texture has sharp layers here, and a vertex on an interface takes the axis of
    the layer beside it that is a magnet (else the one with a non-zero axis, else the layer
    after it): the magnets' vertices all have a direction, and a pinned magnetic layer keeps
    its axis up to its surface.
    """
    spec = case.magnetization
    if spec.kind == "file":
        from fem_spin.app.steady import magnetization_field

        M, _ = magnetization_field(case, geometry, 1)
        return M, None
    if spec.kind != "layered":
        return _texture(spec, geometry, case)
    g = case.geometry
    fields = layer_fields(spec, geometry, case)
    positions = np.asarray(g.interfaces, dtype=float)
    magnets = set(case.dynamics.magnets)
    nonzero = [spec.axes[n].vector is None or any(spec.axes[n].vector) for n in g.stack]
    priority = [2 if n in magnets else int(nonzero[k]) for k, n in enumerate(g.stack)]
    eps = 1e-9 * max(1.0, float(np.max(np.abs(positions))) if len(positions) else 1.0)

    def M0(x: np.ndarray) -> np.ndarray:
        xc = np.asarray(x)[g.coordinate]
        layer = np.searchsorted(positions, xc, side="right")  # on an interface: the one after
        for i, xi in enumerate(positions):
            layer[np.abs(xc - xi) <= eps] = i if priority[i] > priority[i + 1] else i + 1
        return by_layer(fields, layer, x)

    return M0, M0


def _problem(case: Case, geometry: Geometry):
    from fem_spin import GAMMA_E, CoupledSpinDynamics

    dyn = case.dynamics
    M0, direction = initial_magnetization(case, geometry)
    m_eq = {"material": None, "zero": (0.0, 0.0, 0.0)}.get(case.m_eq, case.m_eq) \
        if isinstance(case.m_eq, str) else case.m_eq
    tags = geometry.tags
    return CoupledSpinDynamics(
        geometry.mesh, {tags[n]: mat for n, mat in case.materials.items()},
        {tags[n]: magnet for n, magnet in dyn.magnets.items()},
        cell_tags=geometry.cell_tags, facet_tags=geometry.facet_tags, M0=M0, B=dyn.B,
        m_eq=m_eq,
        dirichlet=[Dirichlet(tags[d.boundary], boundary_value(d.value, direction),
                             d.components) for d in case.dirichlet],
        flux=[Flux(tags[f.boundary], f.value) for f in case.flux],
        scheme=dyn.scheme, coupling=dyn.coupling, degree=case.degree,
        quadrature_degree=case.quadrature_degree,
        gamma_e=GAMMA_E if dyn.gamma_e is None else dyn.gamma_e,
        petsc_options=case.petsc_options)


def drive_folder(j: float) -> str:
    """The sub-folder of drive amplitude ``j``."""
    return f"drive_{j:g}"


def simulate_dynamics(comm: MPI.Comm, case: Case, folder: Path) -> Results:
    """Mesh, then one run per drive, files written as it goes; numpy data out (collective)."""
    from fem_spin.observables.switching import final_state, switching_time
    from fem_spin.output import write_csv

    dyn = case.dynamics
    r = Results()
    geometry, _ = mesh_step(comm, case, r)
    t0 = time.perf_counter()
    _step(2, "initial magnetization and the coupled forms (m: P%d %s, M: P1 midpoint, %s; "
             "compiling forms the first time takes a while)", case.degree, dyn.scheme,
          dyn.coupling)
    problem = _problem(case, geometry)
    traces, grids, runs = {}, {}, []
    with problem:
        r.mesh["dofs"] = (problem.u.function_space.dofmap.index_map.size_global
                          * problem.u.function_space.dofmap.index_map_bs)
        r.timings["setup"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        write_every = dyn.write_every if case.fields else 0
        for i, j in enumerate(dyn.drives):
            _step(3, "drive %d/%d, j = %g: %s to t = %g ps (%d dofs)", i + 1, len(dyn.drives),
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
            _step(4, "drive j = %g: switching time %s, %s, final <M> = %s; lines and "
                     "pictures of the final state", j,
                  "none" if t_switch is None else f"{t_switch:.1f} ps", state,
                  np.round(final, 3).tolist())
            files = [str(f.relative_to(folder)) for f in run.files]
            lines = sample_lines(case, problem.field("m"), problem.field("M"))
            for name, columns in lines.items():
                write_csv(comm, sub / f"{name}.csv", columns)
                files.append(f"{sub.name}/{name}.csv")
            if case.render and case.pictures and geometry.mesh.topology.dim >= 2:
                from fem_spin.render import gather_fields

                grids[j] = gather_fields(geometry.mesh, {"m": problem.field("m"),
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


def dynamics_pictures(case: Case, folder: Path, results: Results) -> list[str]:
    """Rank 0: traces.png, switching_time.png (two or more drives) and, per drive, the line
    plots and the picture of the final state; returns the paths relative to ``folder``."""
    from fem_spin.plotting import save, switching_time_figure, switching_traces_figure

    dyn = case.dynamics
    traces, grids = results.extra["traces"], results.extra["grids"]
    written = [save(switching_traces_figure(traces, dyn.switch_axis, title=case.name),
                    folder / "traces.png").name]
    if len(dyn.drives) > 1:
        times = [run["switching_time_ps"] for run in results.solve["drives"]]
        fig = switching_time_figure(dyn.drives, times, title=f"{case.name}: first crossing "
                                                             r"of $\langle M\rangle\cdot p = 0$")
        written.append(save(fig, folder / "switching_time.png").name)
    for j in dyn.drives:
        sub = drive_folder(j)
        written += [f"{sub}/{name}" for name in pictures(case, folder / sub, grids.get(j))]
    return written


def redraw(folder: Path) -> list[Path] | None:
    """Redraw the pictures of a finished dynamics run folder from its files (rank 0):
    ``traces.png``, ``switching_time.png`` and each drive's line plots. None if ``folder``
    is not the folder of a dynamics run (no ``summary.json`` with dynamics parameters)."""
    import json

    from fem_spin.app.steady import plot_csv
    from fem_spin.plotting import save, switching_time_figure, switching_traces_figure

    try:
        summary = json.loads((folder / "summary.json").read_text())
        dyn = summary["parameters"]["dynamics"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    name, drives = summary.get("case", folder.name), dyn["drives"]
    traces, written = {}, []
    for j in drives:
        sub = folder / drive_folder(j)
        path = sub / "trace.csv"
        if path.is_file():
            data = np.genfromtxt(path, delimiter=",", names=True)
            traces[j] = {k: np.atleast_1d(data[k]) for k in data.dtype.names}
        written += [plot_csv(csv, csv.with_suffix(".png"), f"{name}: {csv.stem}, drive {j:g}")
                    for csv in sorted(sub.glob("*.csv")) if csv.name != "trace.csv"]
    if traces:
        written.append(save(switching_traces_figure(traces, dyn["switch_axis"], title=name),
                            folder / "traces.png"))
    runs = summary.get("solve", {}).get("drives", [])
    if len(runs) > 1:
        fig = switching_time_figure([r["drive"] for r in runs],
                                    [r["switching_time_ps"] for r in runs],
                                    title=f"{name}: first crossing of "
                                          r"$\langle M\rangle\cdot p = 0$")
        written.append(save(fig, folder / "switching_time.png"))
    return written
