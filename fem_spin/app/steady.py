"""A steady S1 study (:func:`simulate_steady`): mesh, magnetization, solve, field and line
files, region integrals. Every DOLFINx/PETSc object lives inside it and the solver is closed
there on all ranks together; it returns numpy data only, so pictures drawn afterwards on rank
0 cannot keep a collective object alive on one rank. :func:`fem_spin.app.runner.run_case`
calls it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import dolfinx.fem as fem
import numpy as np
import ufl
from mpi4py import MPI

from fem_spin.app.builders.geometry import mesh_step
from fem_spin.app.builders.problems import steady_problem
from fem_spin.app.collective import closing_together
from fem_spin.app.progress import step
from fem_spin.app.results import Results, sample_lines
from fem_spin.app.schema import Case
from fem_spin.app.signals import honour
from fem_spin.core.fields import jit_options
from fem_spin.geometry.base import Geometry
from fem_spin.output import s1_output_fields, write_csv, write_fields
from fem_spin.problems import SteadySpinDiffusion
from fem_spin.render import gather_fields

__all__ = ["region_integrals", "simulate_steady"]


def region_integrals(case: Case, geometry: Geometry, problem: SteadySpinDiffusion
                      ) -> dict[str, Any]:
    """Per region: measure (nm^d), mean m, and the s-d torque int lambda M x m (rad/ps nm^d).

    One compiled form per quantity: the integrals over each cell (a DG0 test function),
    summed per region over owned cells and over ranks."""
    mesh = geometry.mesh
    comm = mesh.comm
    tdim = mesh.topology.dim
    n_owned = mesh.topology.index_map(tdim).size_local
    V0 = fem.functionspace(mesh, ("DG", 0, (3,)))
    v = ufl.TestFunction(V0)
    dx = ufl.Measure("dx", domain=mesh, metadata={"quadrature_degree": 2 * case.degree + 1})
    quantities = {"m_integral": problem.m, "torque": problem.torque_density}
    per_cell = {}
    for name, expr in quantities.items():
        vec = fem.assemble_vector(fem.form(ufl.inner(expr, v) * dx, jit_options=jit_options()))
        per_cell[name] = vec.array.reshape(-1, 3)
    dofs = V0.dofmap.list[:, 0]
    volume = fem.assemble_vector(fem.form(v[0] * dx, jit_options=jit_options())).array
    volume = volume.reshape(-1, 3)[:, 0]
    out = {}
    for region, tag in ((r, geometry.tags[r]) for r in case.geometry.regions):
        cells = geometry.cell_tags.find(tag)
        cells = cells[cells < n_owned]
        d = dofs[cells]
        local = np.concatenate([[volume[d].sum()], per_cell["m_integral"][d].sum(axis=0),
                                per_cell["torque"][d].sum(axis=0)])
        total = comm.allreduce(local, op=MPI.SUM)
        out[region] = {"measure": float(total[0]),
                       "mean_m": [float(x) for x in total[1:4] / max(total[0], 1e-300)],
                       "torque": [float(x) for x in total[4:7]]}
    return out


def simulate_steady(comm: MPI.Comm, case: Case, folder: Path) -> Results:
    """Mesh, solve and write the field and line files; numpy data out (collective)."""
    r = Results()
    geometry, hierarchy = mesh_step(comm, case, r)
    honour(comm, "after meshing")  # a SIGTERM/SIGINT during the mesh stops here

    t0 = time.perf_counter()
    step(2, "magnetization and forms (P%d; compiling forms the first time takes a few "
             "seconds)", case.degree)
    problem, M = steady_problem(case, geometry, hierarchy)
    with closing_together(problem):
        imap = problem.V.dofmap.index_map
        r.mesh["dofs"] = imap.size_global * problem.V.dofmap.index_map_bs
        r.timings["setup"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        step(3, "solving S1 (%d dofs): assembly and %s", r.mesh["dofs"],
              problem.linear_solver.description)
        info = problem.solve()
        r.timings["solve"] = time.perf_counter() - t0
        r.solve = {"reason": info.reason, "newton_iterations": info.newton_iterations,
                   "linear_iterations": info.linear_iterations,
                   "residual_norms": list(info.residual_norms),
                   "seconds": comm.allreduce(info.seconds, op=MPI.MAX),
                   "linear_solver": problem.linear_solver.description}

        t0 = time.perf_counter()
        step(4, "writing fields %s and %d line profile(s) to %s", list(case.fields),
              len(case.lines), folder)
        if case.fields:
            functions = [f for f in s1_output_fields(problem) if f.name in case.fields]
            write_fields(comm, folder / "fields.bp", functions)
            r.files.append("fields.bp")
            if "J" in case.fields:
                r.files.append("fields_J.bp")
        r.lines = sample_lines(case, problem.m, M)
        for name, columns in r.lines.items():
            write_csv(comm, folder / f"{name}.csv", columns)
            r.files.append(f"{name}.csv")
        r.regions = region_integrals(case, geometry, problem)
        if case.render and case.pictures and geometry.mesh.topology.dim >= 2:
            fields = {"m": problem.m} | ({"M": M} if M is not None else {})
            r.grid = gather_fields(geometry.mesh, fields)
        r.timings["output"] = time.perf_counter() - t0
    del problem, M, geometry
    return r
