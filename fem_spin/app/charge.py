"""A steady study driven by a charge current (``[charge]``): solve the potential and the spin
accumulation, write the fields, line profiles, the resistance-area product, the torque on each
magnetic region and, with ``[charge.angle_sweep]``, R(theta), torque(theta) and the CPP-GMR.
Numpy data out, every DOLFINx/PETSc object closed here on all ranks together."""

from __future__ import annotations

import time
from pathlib import Path

import dolfinx.fem as fem
import numpy as np
from mpi4py import MPI

from fem_spin.app.builders.geometry import mesh_step
from fem_spin.app.builders.magnetization import magnetization_field, texture_fields
from fem_spin.app.builders.problems import charge_parameters
from fem_spin.app.progress import step
from fem_spin.app.results import Results
from fem_spin.app.schema import Case
from fem_spin.core.fields import unit_rows
from fem_spin.observables import sample_line
from fem_spin.output import write_csv, write_fields
from fem_spin.problems.charge import ChargeSpinTransport

__all__ = ["rotated", "rotated_vector", "rotation", "simulate_charge"]

FIELDS = ("phi", "mu", "m", "j", "J")


def rotation(axis, angle_deg: float) -> np.ndarray:
    """The rotation matrix by ``angle_deg`` about ``axis`` (Rodrigues)."""
    k = np.asarray(axis, float) / np.linalg.norm(axis)
    a = np.deg2rad(angle_deg)
    K = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + np.sin(a) * K + (1 - np.cos(a)) * K @ K


def rotated_vector(v, axis, angle_deg: float) -> np.ndarray:
    return rotation(axis, angle_deg) @ np.asarray(v, float)


def rotated(M: fem.Function, cells, axis, angle_deg: float) -> fem.Function:
    """A copy of ``M`` with its values on the dofs of ``cells`` turned by ``angle_deg`` about
    ``axis`` (Rodrigues)."""
    k = np.asarray(axis, float) / np.linalg.norm(axis)
    a = np.deg2rad(angle_deg)
    K = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    R = np.eye(3) + np.sin(a) * K + (1 - np.cos(a)) * K @ K
    out = M.copy()
    V = M.function_space
    dofs = np.unique(V.dofmap.list[cells].ravel())
    values = out.x.array.reshape(-1, 3)
    values[dofs] = values[dofs] @ R.T
    out.x.scatter_forward()
    return out


def _magnetization(case: Case, geometry):
    """M as a Function: piecewise constant per cell for a layered texture (sharp layers: the
    interface law takes the magnet side's cell value), else in the solution's degree."""
    if case.magnetization.kind != "layered":
        return magnetization_field(case, geometry, case.degree)[0]
    fn, _ = texture_fields(case.magnetization, geometry, case)
    M = fem.Function(fem.functionspace(geometry.mesh, ("DG", 0, (3,))), name="M")
    M.interpolate(fn)
    values = M.x.array.reshape(-1, 3)
    values[:] = unit_rows(values)  # unit axes (a tanh profile's cells too)
    M.x.scatter_forward()
    return M


def _problem(case: Case, geometry, M) -> ChargeSpinTransport:
    interfaces, electrodes = charge_parameters(case, geometry)
    return ChargeSpinTransport(
        geometry.mesh, {geometry.tags[n]: m for n, m in case.materials.items()},
        cell_tags=geometry.cell_tags, facet_tags=geometry.facet_tags, M=M, B_T=case.B_T,
        H_ext=case.H_ext, interfaces=interfaces, electrodes=electrodes, degree=case.degree,
        quadrature_degree=case.quadrature_degree, petsc_options=case.petsc_options)


def _observe(case: Case, geometry, problem: ChargeSpinTransport) -> dict:
    tags = geometry.tags
    names = [n for n, _, _ in case.charge.electrodes]
    current = [n for n, e, _ in case.charge.electrodes if e.current_density is not None]
    high = current[0] if current else names[0]
    low = next(n for n in names if n != high) if len(names) > 1 else None
    area = problem.electrode_area(tags[high])
    out = {"electrodes": {n: {"potential_V": problem.electrode_potential(tags[n]),
                              "current_density_A_per_m2": problem.electrode_current(tags[n]),
                              "area_nm2": problem.electrode_area(tags[n])} for n in names}}
    if low is not None:
        out["resistance_area_fOhm_m2"] = problem.resistance_area(tags[high], tags[low])
        out["between"] = [high, low]
    out["torque_A_per_m2"] = {n: [float(x) for x in problem.torque(tags[n], area=area)]
                              for n, m in case.materials.items() if m.lam != 0}
    return out


def simulate_charge(comm: MPI.Comm, case: Case, folder: Path) -> Results:
    """Mesh, solve (and sweep), write the files; numpy data out (collective)."""
    r = Results()
    geometry, _ = mesh_step(comm, case, r)
    t0 = time.perf_counter()
    step(2, "magnetization and forms (P%d)", case.degree)
    M = _magnetization(case, geometry)
    problem = _problem(case, geometry, M)
    with problem:
        r.mesh["dofs"] = problem.W.dofmap.index_map.size_global
        r.timings["setup"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        step(3, "solving the potential and the spin accumulation (%d dofs, MUMPS)",
             r.mesh["dofs"])
        info = problem.solve()
        r.solve = {"reason": info.reason, "newton_iterations": info.newton_iterations,
                   "linear_iterations": info.linear_iterations,
                   "residual_norms": list(info.residual_norms),
                   "seconds": comm.allreduce(info.seconds, op=MPI.MAX),
                   "linear_solver": "MUMPS LU"}
        r.timings["solve"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        step(4, "writing fields and line profiles to %s", folder)
        functions = {name: problem.function(name) for name in FIELDS}
        if case.fields:
            write_fields(comm, folder / "fields.bp", [functions[n] for n in ("mu", "m")]
                         + [functions["phi"]])
            r.files += ["fields.bp", "fields_phi.bp"]
        for line in case.lines:
            columns = _line_columns(line, functions, geometry.mesh.geometry.dim)
            write_csv(comm, folder / f"{line.name}.csv", columns)
            r.lines[line.name] = columns
            r.files.append(f"{line.name}.csv")
        r.regions = {"charge": _observe(case, geometry, problem)}
        r.timings["output"] = time.perf_counter() - t0
    del problem
    if case.charge.angle_sweep is not None:
        r.extra["angle_sweep"] = _angle_sweep(comm, case, geometry, M, folder, r)
    return r


def _line_columns(line, functions, gdim) -> dict:
    columns = {}
    for name, f in functions.items():
        s, pts, values = sample_line(f, line.points[0], line.points[-1], line.samples)
        if not columns:
            columns["s"] = s
            columns.update({"xyz"[k]: pts[:, k] for k in range(gdim)})
        values = values.reshape(len(s), -1)
        if name == "phi":
            columns["phi"] = values[:, 0]
        elif name in ("mu", "m"):
            columns.update({f"{name}{c}": values[:, k] for k, c in enumerate("xyz")})
        elif name == "j":
            columns.update({f"j{'xyz'[k]}": values[:, k] for k in range(values.shape[1])})
        else:  # J: spin (rows) x flow (columns); the flow along the line's main direction
            d = np.abs(np.subtract(line.points[-1], line.points[0]))[:gdim].argmax()
            columns.update({f"J{c}": values[:, k * gdim + d] for k, c in enumerate("xyz")})
    return columns


def _angle_sweep(comm, case: Case, geometry, M, folder: Path, r: Results) -> dict:
    sweep = case.charge.angle_sweep
    tag = geometry.tags[sweep.region]
    cells = geometry.cell_tags.find(tag)
    rows = []
    for k, angle in enumerate(sweep.angles_deg):
        step(5, "angle sweep: %s at %g degrees (%d of %d)", sweep.region, angle, k + 1,
             len(sweep.angles_deg))
        with _problem(case, geometry, rotated(M, cells, sweep.axis, angle)) as p:
            p.solve()
            obs = _observe(case, geometry, p)
        rows.append([angle, obs.get("resistance_area_fOhm_m2", np.nan),
                     *obs["torque_A_per_m2"].get(sweep.region, [np.nan] * 3)])
    data = np.array(rows)
    columns = {"theta_deg": data[:, 0], "AR_fOhm_m2": data[:, 1],
               **{f"torque_{c}_A_per_m2": data[:, 2 + k] for k, c in enumerate("xyz")}}
    axis = case.magnetization.axes[sweep.region].vector if case.magnetization.kind == \
        "layered" else None
    if axis is not None and any(axis):
        # the torque in the frame of the turning layer: along e_theta = k x M(theta) (in the
        # plane of the two magnetizations: damping-like) and along k (field-like)
        k = np.asarray(sweep.axis, float) / np.linalg.norm(sweep.axis)
        M0 = np.asarray(axis, float) / np.linalg.norm(axis)
        e_theta = np.array([np.cross(k, rotated_vector(M0, k, a)) for a in data[:, 0]])
        columns["torque_inplane_A_per_m2"] = np.einsum("ij,ij->i", data[:, 2:5], e_theta)
        columns["torque_axis_A_per_m2"] = data[:, 2:5] @ k
    write_csv(comm, folder / "angle_sweep.csv", columns)
    r.files.append("angle_sweep.csv")
    out = {"region": sweep.region, "angles_deg": list(sweep.angles_deg),
           "AR_fOhm_m2": [float(x) for x in data[:, 1]]}
    angles = list(sweep.angles_deg)
    if 0.0 in angles and 180.0 in angles:
        R_P, R_AP = data[angles.index(0.0), 1], data[angles.index(180.0), 1]
        out["cpp_gmr"] = float((R_AP - R_P) / R_P)
        out["AR_P_fOhm_m2"], out["AR_AP_fOhm_m2"] = float(R_P), float(R_AP)
    r.regions["angle_sweep"] = out
    return out
