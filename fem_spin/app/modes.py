"""A ``[modes]`` study: the spin-wave eigenmodes about the relaxed state of a case, once per
drive amplitude (:mod:`fem_spin.app.schema.modes`), into::

    modes.csv             drive, mode, frequency_GHz, decay_rate_per_ns, linewidth_GHz,
                          residual (every drive and mode)
    modes_j<j>.bp         VTX: M0 and Re/Im of the first write_modes profiles per drive
    modes_vs_drive.png    the lowest modes' frequency and decay rate against the drive

``Results.extra["profiles"][j]`` (rank 0) holds the written modes' profiles at the magnet
vertices, per rank: ``(coordinates, [(Re dM, Im dM), ...])``. The summary holds, per drive,
the modes and the lowest mode; and ``soft_drive``: the drive at
which the lowest mode's decay rate crosses zero (linear interpolation between the first pair
of drives that brackets it; None if none does).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from mpi4py import MPI

from fem_spin.app.builders.geometry import mesh_step
from fem_spin.app.builders.problems import modes_states
from fem_spin.app.progress import step
from fem_spin.app.results import Results
from fem_spin.app.schema import Case
from fem_spin.output import write_csv
from fem_spin.problems.equilibrium import tangent_newton
from fem_spin.problems.mode_coupling import coupled_modes
from fem_spin.problems.mode_demag import DemagModeCoupling
from fem_spin.problems.modes import SpinWaveModes

__all__ = ["simulate_modes", "soft_drive"]


def soft_drive(drives, decay_rates) -> float | None:
    """The drive at which the decay rate first changes sign (linear interpolation)."""
    d, g = np.asarray(drives, float), np.asarray(decay_rates, float)
    order = np.argsort(d)
    d, g = d[order], g[order]
    for i in range(len(d) - 1):
        if g[i] > 0 >= g[i + 1]:
            return float(d[i] + g[i] * (d[i + 1] - d[i]) / (g[i] - g[i + 1]))
    return None


def _modes_of(case: Case, problem, j: float):
    spec = case.modes
    if spec.accumulation == "none":
        if spec.relax:  # a short step first sets the auxiliary field W (from W = 0 the
            problem.step(1e-3)  # steady Jacobian is singular at a uniform state)
            problem.solve_steady()
        mg = problem.magnet
        magnets = mg.magnets if mg.cell_tags is not None else mg.magnets[0]
        demag, M0 = problem.demag, problem.M
        coupling = None if demag is None else (lambda: DemagModeCoupling(demag))
        B_T = problem.B_T  # the case's, plus the pinned layers' stray field if any
        if demag is not None and spec.relax:  # the LLG's steady Newton lacks the field's
            M0, _ = tangent_newton(problem.mesh, magnets, cell_tags=mg.cell_tags, M0=M0,
                                   B_T=B_T, coupling_factory=coupling)  # Jacobian
        return SpinWaveModes(problem.mesh, magnets, cell_tags=mg.cell_tags, M0=M0,
                             B_T=B_T, coupling=None if demag is None else coupling())
    problem.reset()
    problem.set_drive(lambda t: j)
    if spec.relax:
        problem.solve_steady()
    return coupled_modes(problem, dynamic=spec.accumulation == "dynamic")


def simulate_modes(comm: MPI.Comm, case: Case, folder: Path) -> Results:
    """Mesh, the state per drive, its modes; files written as it goes (collective)."""
    spec = case.modes
    r = Results()
    geometry, _ = mesh_step(comm, case, r)
    t0 = time.perf_counter()
    step(2, "the %s problem of the states (compiling forms the first time takes a while)",
         "LLG" if spec.accumulation == "none" else "coupled S1 + LLG")
    problem = modes_states(case, geometry)
    r.mesh["dofs"] = (problem.u.function_space.dofmap.index_map.size_global
                      * problem.u.function_space.dofmap.index_map_bs)
    r.timings["setup"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    rows, runs, profiles = [], [], {}
    with problem:
        for i, j in enumerate(spec.drives):
            step(3, "drive %d/%d, j = %g: state and %d modes (%s accumulation)", i + 1,
                 len(spec.drives), j, spec.n, spec.accumulation)
            solver = _modes_of(case, problem, j)
            modes = solver.solve(spec.n, sigma=spec.sigma, solver=spec.solver)
            table = modes.as_rows()
            rows += [{"drive": j, **row} for row in table]
            files = []
            if spec.write_modes:
                name = f"modes_j{j:g}.bp"
                picked = type(modes)(modes.s[:spec.write_modes],
                                     modes.profiles[:spec.write_modes],
                                     modes.errors[:spec.write_modes])
                solver.write_vtx(folder / name, picked)
                files.append(name)
                tg = solver.tangent
                xyz = tg.V.tabulate_dof_coordinates()[tg.nodes]
                profiles[j] = comm.gather((xyz, picked.profiles), root=0)
            r.files += files
            runs.append({"drive": j, "modes": table, "lowest": table[0] if table else None,
                         "files": files})
    r.timings["solve"] = time.perf_counter() - t0
    columns = {k: np.array([row[k] for row in rows], dtype=float)
               for k in ("drive", "mode", "frequency_GHz", "decay_rate_per_ns",
                         "linewidth_GHz", "residual")}
    write_csv(comm, folder / "modes.csv", columns)
    r.files.append("modes.csv")
    lowest = [run["lowest"]["decay_rate_per_ns"] for run in runs]
    r.solve = {"reason": f"{spec.n} modes at {len(runs)} drive(s)", "drives": runs,
               "soft_drive": soft_drive(spec.drives, lowest),
               "accumulation": spec.accumulation}
    r.extra = {"modes": columns, "profiles": profiles}
    return r


def modes_report(case: Case, summary: dict, folder) -> str:
    """The lines ``fem-spin run`` prints after a ``[modes]`` run."""
    s, t = summary["solve"], summary["timings"]
    lines = [f"{case.name}: drive {run['drive']:g}: lowest mode "
             f"{run['lowest']['frequency_GHz']:.4g} GHz, decay rate "
             f"{run['lowest']['decay_rate_per_ns']:.4g} /ns" for run in s["drives"]]
    soft = s["soft_drive"]
    lines.append(f"soft mode (decay rate 0) at drive {'none' if soft is None else f'{soft:.4g}'}"
                 f"; {t['total']:.1f} s; output: {folder}/ ({', '.join(summary['files'])})")
    return "\n".join(lines)


def modes_pictures(case: Case, folder: Path, results: Results) -> list[str]:
    """The lowest modes' frequency and decay rate against the drive (rank 0)."""
    import matplotlib.pyplot as plt

    c = results.extra["modes"]
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.6), constrained_layout=True)
    for k in range(min(case.modes.n, 4)):
        sel = c["mode"] == k
        a.plot(c["drive"][sel], c["frequency_GHz"][sel], "o-", label=f"mode {k}")
        b.plot(c["drive"][sel], c["decay_rate_per_ns"][sel], "o-", label=f"mode {k}")
    a.set(xlabel="drive amplitude j", ylabel="frequency (GHz)", title="mode frequencies")
    b.axhline(0.0, color="k", lw=0.8)
    b.set(xlabel="drive amplitude j", ylabel="decay rate (1/ns)",
          title="decay rates (< 0: the mode grows)")
    a.legend(fontsize=8)
    fig.suptitle(f"{case.name}: spin-wave modes ({case.modes.accumulation} accumulation)")
    name = "modes_vs_drive.png"
    fig.savefig(folder / name, dpi=120)
    plt.close(fig)
    return [name]
