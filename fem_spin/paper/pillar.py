"""The paper's CPP bilayer as a 3D nanopillar (``demos/pillar_3d.py``): (a) laterally
uniform layers at several cell sizes against the 1D bilayer, (b) a vortex in the free layer
against independent 1D columns, their line data, torques and pictures.

The pillar is circular, along z: the fixed layer on ``0 < z < L``, the free layer on
``L < z < 2L``, ``|M| = tanh(|z - L| / l_da)`` at the zero-thickness spacer, the axis z in the
fixed layer and ``n(x)`` in the free one; reading (i): ``m_eq = 0``, ``m = -z`` on the bottom
electrode and ``m = +n`` on the top one. :func:`simulate` keeps every DOLFINx/PETSc object
inside the case functions and returns numpy data only.
"""

from __future__ import annotations

import gc
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import fem_spin  # noqa: F401  (before the DOLFINx imports)

# isort: split
import numpy as np
import ufl
from mpi4py import MPI

from fem_spin import render
from fem_spin.geometry.interval import graded_nodes, layered_interval
from fem_spin.geometry.pillar import ELECTRODE_BOTTOM, ELECTRODE_TOP, nanopillar
from fem_spin.observables.sampling import integrate, sample_line
from fem_spin.output import s1_output_fields, write_csv, write_fields
from fem_spin.paper.parameters import LAMBDA, material
from fem_spin.parameters.transport import Dirichlet
from fem_spin.problems.steady import SteadySpinDiffusion
from fem_spin.textures import bilayer_axis_right, layered_magnetization, magnetization, vortex

__all__ = ["FIXED", "FREE", "PillarStudy", "bilayer_1d_column", "bilayer_1d_problem",
           "bilayer_1d_profile", "lateral_variation", "local_columns", "pillar_texture",
           "relative_l2", "simulate",
           "solve_pillar", "uniform_axis", "uniform_case", "vortex_case", "write_outputs"]

log = logging.getLogger(__name__)

FIXED, FREE = "fixed", "free"  # the two layers (cell regions of the pillar)
Z = np.array([0.0, 0.0, 1.0])


@dataclass(frozen=True, kw_only=True)
class PillarStudy:
    """The settings of the pillar study (lengths in nm, the angle in degrees).

    Attributes:
        theta: angle of the free layer's axis to the fixed one in (a); l_da: interface width.
        length: layer thickness L; radius: pillar radius.
        h_list: cell sizes of (a), coarse to fine; h_vortex: cell size of (b);
        core_radius: of the vortex; degree: Lagrange degree of m.
        samples: points per line profile; columns: radii of the local-1D comparison in (b).
        render: gather the grids for PyVista pictures; out: folder of the output files.
    """

    theta: float = 90.0
    l_da: float = 0.6
    length: float = 10.0
    radius: float = 5.0
    h_list: tuple[float, ...] = (2.0, 1.4, 1.0, 0.8)
    h_vortex: float = 0.8
    core_radius: float = 2.0
    degree: int = 2
    samples: int = 801
    columns: int = 21
    render: bool = True
    out: Path = Path("output/pillar_3d")


def pillar_texture(length: float, l_da: float, free_axis, coordinate: int = 2):
    """M(x): axis z for x[coordinate] < length, ``free_axis(x)`` (a callable) above, times
    the magnitude tanh(|x[coordinate] - length| / l_da)."""
    profile = layered_magnetization([Z, Z], [length], l_da, axis_coordinate=coordinate)

    def M(x: np.ndarray) -> np.ndarray:
        magnitude = profile(x)[2]
        axis = np.where(x[coordinate][None, :] < length, Z[:, None], free_axis(x))
        return magnitude[None, :] * axis

    return M


def uniform_axis(n: np.ndarray):
    """The constant axis ``n`` as a texture."""
    return lambda x: np.tile(np.asarray(n, dtype=float)[:, None], (1, x.shape[1]))


def solve_pillar(comm: MPI.Comm, st: PillarStudy, h: float, free_axis) -> tuple:
    """Mesh, magnetization and S1 on the pillar; returns ``(geometry, problem, info)``.

    ``free_axis``: the free layer's unit axis as a texture (also the top electrode's value).
    """
    L = st.length
    geo = nanopillar(comm, [(FIXED, L), (FREE, L)], rx=st.radius, h_max=h)
    M = magnetization(geo.mesh, pillar_texture(L, st.l_da, free_axis), degree=st.degree)
    mat = material()
    problem = SteadySpinDiffusion(
        geo.mesh, {geo.tag(FIXED): mat, geo.tag(FREE): mat},
        cell_tags=geo.cell_tags, facet_tags=geo.facet_tags, M=M, m_eq=(0.0, 0.0, 0.0),
        dirichlet=[Dirichlet(geo.tag(ELECTRODE_BOTTOM), (0.0, 0.0, -1.0)),
                   Dirichlet(geo.tag(ELECTRODE_TOP), free_axis)],
        degree=st.degree)
    return geo, problem, problem.solve()


def dofs(problem: SteadySpinDiffusion) -> int:
    return problem.V.dofmap.index_map.size_global * problem.V.dofmap.index_map_bs


def bilayer_1d_problem(st: PillarStudy, n_free: np.ndarray, h: float = 0.05):
    """The solved 1D bilayer (fixed axis z, free axis ``n_free``) on COMM_SELF:
    ``(geometry, problem)``."""
    L = st.length
    # graded towards L, mirror-symmetric; stack_nodes([L, L], h, l_da / 20) gives the same
    # nodes to 5e-14 nm, but not bitwise, and the summary's reference error estimate (the
    # difference of two nearly equal 1D solutions) would move by 6e-8 of itself
    upper = graded_nodes(L, 2 * L, h, refine=[(L, min(h, st.l_da / 20))])
    nodes = np.concatenate([2 * L - upper[::-1][:-1], upper])
    geo = layered_interval(MPI.COMM_SELF, nodes, [(FIXED, L), (FREE, 2 * L)])
    M = magnetization(geo.mesh, pillar_texture(L, st.l_da, uniform_axis(n_free), 0), degree=2)
    mat = material()
    problem = SteadySpinDiffusion(
        geo.mesh, {geo.tags[FIXED]: mat, geo.tags[FREE]: mat}, cell_tags=geo.cell_tags,
        facet_tags=geo.facet_tags, M=M, m_eq=(0.0, 0.0, 0.0), degree=2,
        dirichlet=[Dirichlet(geo.tags["left"], (0.0, 0.0, -1.0)),
                   Dirichlet(geo.tags["right"], tuple(n_free))])
    problem.solve()
    return geo, problem


def bilayer_1d_profile(st: PillarStudy, n_free: np.ndarray, z: np.ndarray,
                       h: float = 0.05) -> np.ndarray:
    """m (n, 3) of the 1D bilayer at the equispaced points z on [0, 2L]."""
    _, problem = bilayer_1d_problem(st, n_free, h)
    return sample_line(problem.m, (z[0],), (z[-1],), len(z))[2]


def bilayer_1d_column(st: PillarStudy, n_free: np.ndarray, z: float) -> dict:
    """m of the 1D bilayer at the point z and the torque per unit area on each layer
    (rad/ps nm)."""
    geo, problem = bilayer_1d_problem(st, n_free)
    m = sample_line(problem.m, (z,), (z,), 1)[2][0]
    torque = {name: integrate(MPI.COMM_SELF, (problem.torque_density,
                                              problem.dx(geo.tags[name])))
              for name in (FIXED, FREE)}
    return {"m": m, "torque": torque}


def relative_l2(s: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """||a - b|| / ||b|| on the line with coordinate s (trapezoidal rule), a, b of shape (n, k)."""
    num = np.trapezoid(np.sum((a - b) ** 2, axis=1), s)
    return float(np.sqrt(num / np.trapezoid(np.sum(b**2, axis=1), s)))


def lateral_variation(m: np.ndarray) -> float:
    """RMS deviation of the values m (n, 3) on a line from their mean, relative to their RMS."""
    return float(np.sqrt(np.mean(np.sum((m - m.mean(axis=0)) ** 2, axis=1))
                         / np.mean(np.sum(m**2, axis=1))))


def uniform_case(comm: MPI.Comm, st: PillarStudy, h: float, z: np.ndarray,
                 m_1d: np.ndarray, finest: bool) -> dict:
    """Solve (a) at cell size h; on the finest mesh also write the fields and gather the grid."""
    n_right = bilayer_axis_right(np.deg2rad(st.theta))
    t0 = time.perf_counter()
    geo, problem, info = solve_pillar(comm, st, h, uniform_axis(n_right))
    L, R = st.length, st.radius
    _, _, m_axis = sample_line(problem.m, (0.0, 0.0, 0.0), (0.0, 0.0, 2 * L), len(z))
    _, _, m_off = sample_line(problem.m, (0.8 * R, 0.0, 0.0), (0.8 * R, 0.0, 2 * L), len(z))
    zp = 1.5 * L
    _, _, m_across = sample_line(problem.m, (-0.97 * R, 0.0, zp), (0.97 * R, 0.0, zp),
                                 st.samples)
    out = {
        "h_nm": h, "cells": int(geo.stats["cells"]), "dofs": dofs(problem),
        "solve_seconds": comm.allreduce(info.seconds, op=MPI.MAX),
        "case_seconds": comm.allreduce(time.perf_counter() - t0, op=MPI.MAX),
        "rel_l2_axis_vs_1d": relative_l2(z, m_axis, m_1d),
        "rel_l2_transverse_axis_vs_1d": relative_l2(z, m_axis[:, :2], m_1d[:, :2]),
        "rel_l2_off_axis_vs_axis": relative_l2(z, m_off, m_axis),
        "lateral_variation_mid_free": lateral_variation(m_across),
        "torque_rad_per_ps_nm3": {
            name: [float(t) for t in integrate(comm, (problem.torque_density,
                                                      problem.dx(geo.tag(name))))]
            for name in (FIXED, FREE)},
        # the cross-section of the (polygonal) mesh, to compare torques with 1D per area
        "area_nm2": float(integrate(comm, ufl.as_ufl(1.0) * problem.dx(geo.tag(FIXED)))) / L,
        "m_axis": m_axis,
    }
    if finest:
        write_fields(comm, st.out / "uniform_fields.bp", s1_output_fields(problem))
        if st.render:
            out["grid"] = render.gather_fields(
                geo.mesh, {"m": problem.m, "M": problem.M, "torque": problem.torque_density})
    return out


def vortex_case(comm: MPI.Comm, st: PillarStudy) -> dict:
    """Solve (b); return line data, torques, the grid to draw (rank 0) and numbers."""
    L, R = st.length, st.radius
    texture = vortex(core_radius=st.core_radius)
    t0 = time.perf_counter()
    geo, problem, info = solve_pillar(comm, st, st.h_vortex, texture)
    zp = 1.5 * L  # mid free layer
    n = st.samples
    _, pts, m_across = sample_line(problem.m, (-0.97 * R, 0.0, zp), (0.97 * R, 0.0, zp), n)
    _, _, M_across = sample_line(problem.M, (-0.97 * R, 0.0, zp), (0.97 * R, 0.0, zp), n)
    z, _, m_axis = sample_line(problem.m, (0.0, 0.0, 0.0), (0.0, 0.0, 2 * L), n)
    _, _, m_edge = sample_line(problem.m, (0.8 * R, 0.0, 0.0), (0.8 * R, 0.0, 2 * L), n)
    torque_across = LAMBDA * np.cross(M_across, m_across)
    out = {
        "h_nm": st.h_vortex, "cells": int(geo.stats["cells"]), "dofs": dofs(problem),
        "solve_seconds": comm.allreduce(info.seconds, op=MPI.MAX),
        "x": pts[:, 0], "z": z, "m_across": m_across, "M_across": M_across,
        "torque_across": torque_across, "m_axis": m_axis, "m_edge": m_edge,
        "torque_rad_per_ps_nm3": {
            name: [float(t) for t in integrate(comm, (problem.torque_density,
                                                      problem.dx(geo.tag(name))))]
            for name in (FIXED, FREE)},
    }
    write_fields(comm, st.out / "vortex_fields.bp", s1_output_fields(problem))
    if st.render:
        out["grid"] = render.gather_fields(
            geo.mesh, {"m": problem.m, "M": problem.M, "torque": problem.torque_density})
    out["case_seconds"] = comm.allreduce(time.perf_counter() - t0, op=MPI.MAX)
    return out


def local_columns(st: PillarStudy, radii: np.ndarray) -> dict:
    """The column picture: one 1D bilayer per radius, free axis n(r) of the vortex on +x;
    m and the torque density at mid free layer, and the torque per unit area of each layer."""
    texture = vortex(core_radius=st.core_radius)
    zp = 1.5 * st.length
    m, t_free, t_fixed, density = [], [], [], []
    quiet = logging.getLogger("fem_spin")
    level = quiet.level
    quiet.setLevel(logging.WARNING)  # many small solves: keep the log short
    for r in radii:
        n_free = texture(np.array([[r], [0.0], [0.0]]))[:, 0]
        col = bilayer_1d_column(st, n_free, zp)
        M = pillar_texture(st.length, st.l_da, uniform_axis(n_free))(
            np.array([[r], [0.0], [zp]]))[:, 0]
        m.append(col["m"])
        density.append(LAMBDA * np.cross(M, col["m"]))
        t_free.append(col["torque"][FREE])
        t_fixed.append(col["torque"][FIXED])
        gc.collect()
    quiet.setLevel(level)
    t_free, t_fixed = np.array(t_free), np.array(t_fixed)
    area_weight = 2 * np.pi * radii
    return {
        "r": radii, "m": np.array(m), "torque_density": np.array(density),
        "torque_z_rad_per_ps_nm3": {
            FIXED: float(np.trapezoid(area_weight * t_fixed[:, 2], radii)),
            FREE: float(np.trapezoid(area_weight * t_free[:, 2], radii))},
    }


def simulate(comm: MPI.Comm, st: PillarStudy) -> tuple[dict, dict, dict, dict]:
    """(a) at every cell size of ``h_list`` against the 1D bilayer, (b) the vortex and the
    local 1D columns; returns ``(uniform, vortex, columns, results)`` (numpy data and
    numbers; the grids of the finest (a) and of (b) for the pictures)."""
    L = st.length
    z = np.linspace(0.0, 2 * L, st.samples)
    n_right = bilayer_axis_right(np.deg2rad(st.theta))
    m_1d = bilayer_1d_profile(st, n_right, z)
    m_1d_coarser = bilayer_1d_profile(st, n_right, z, h=0.1)
    gc.collect()
    runs = []
    for h in st.h_list:
        runs.append(uniform_case(comm, st, h, z, m_1d, finest=h == st.h_list[-1]))
        gc.collect()
        log.info("(a) h = %g nm: %d dofs, solve %.2f s, axis vs 1D %.3e, off-axis vs axis "
                 "%.3e", h, runs[-1]["dofs"], runs[-1]["solve_seconds"],
                 runs[-1]["rel_l2_axis_vs_1d"], runs[-1]["rel_l2_off_axis_vs_axis"])
    uniform = {"z": z, "m_1d": m_1d, "runs": runs,
               "reference_error": relative_l2(z, m_1d_coarser, m_1d)}
    column = bilayer_1d_column(st, n_right, L)  # torque per unit area of the 1D bilayer
    gc.collect()
    torque_1d = {name: runs[-1]["area_nm2"] * np.asarray(column["torque"][name])
                 for name in (FIXED, FREE)}
    vort = vortex_case(comm, st)
    gc.collect()
    cols = local_columns(st, np.linspace(0.0, st.radius, st.columns))
    gc.collect()

    columns_at_x = {k: np.column_stack([np.interp(vort["x"][vort["x"] >= 0], cols["r"],
                                                  cols[k][:, j]) for j in range(3)])
                    for k in ("m", "torque_density")}
    right = vort["x"] >= 0
    results = {
        "uniform": {
            "reference_1d_rel_error_estimate": uniform["reference_error"],
            "max_abs_m_1d": [float(v) for v in np.max(np.abs(m_1d), axis=0)],
            "resolutions": [{k: v for k, v in r.items() if k not in ("m_axis", "grid")}
                            for r in runs],
            "torque_1d_times_area_rad_per_ps_nm3": {k: [float(t) for t in v]
                                                    for k, v in torque_1d.items()},
            "torque_finest_rel_diff_vs_1d": {
                k: float(np.linalg.norm(np.asarray(runs[-1]["torque_rad_per_ps_nm3"][k]) - v)
                         / np.linalg.norm(v)) for k, v in torque_1d.items()},
        },
        "vortex": {
            "h_nm": vort["h_nm"], "cells": vort["cells"], "dofs": vort["dofs"],
            "solve_seconds": vort["solve_seconds"], "case_seconds": vort["case_seconds"],
            "core_radius_nm": st.core_radius,
            "lateral_variation_m_mid_free": lateral_variation(vort["m_across"]),
            "lateral_variation_m_mid_free_uniform": runs[-1]["lateral_variation_mid_free"],
            "torque_density_mid_free_max": float(np.max(np.linalg.norm(
                vort["torque_across"], axis=1))),
            "torque_density_mid_free_at_axis": float(np.linalg.norm(
                vort["torque_across"][len(vort["x"]) // 2])),
            "m_axis_vs_edge_rel_l2": relative_l2(vort["z"], vort["m_edge"], vort["m_axis"]),
            "torque_rad_per_ps_nm3": vort["torque_rad_per_ps_nm3"],
            # zero by symmetry: the discretization error of the free layer's torque
            "inplane_over_z_torque_free": float(np.linalg.norm(
                vort["torque_rad_per_ps_nm3"][FREE][:2])
                / abs(vort["torque_rad_per_ps_nm3"][FREE][2])),
            "torque_z_local_1d_rad_per_ps_nm3": cols["torque_z_rad_per_ps_nm3"],
            "local_1d_vs_3d_rel_l2_m_mid_free": relative_l2(
                vort["x"][right], columns_at_x["m"], vort["m_across"][right]),
            "local_1d_vs_3d_rel_l2_torque_mid_free": relative_l2(
                vort["x"][right], columns_at_x["torque_density"],
                vort["torque_across"][right]),
        },
    }
    return uniform, vort, cols, results


def write_outputs(comm: MPI.Comm, st: PillarStudy, uniform, vort, cols) -> None:
    """CSV line data (rank 0 writes; the data are the same on every rank)."""
    z, m3, m1 = uniform["z"], uniform["runs"][-1]["m_axis"], uniform["m_1d"]
    write_csv(comm, st.out / "uniform_axis.csv", {
        "z": z, "mx": m3[:, 0], "my": m3[:, 1], "mz": m3[:, 2],
        "mx_1d": m1[:, 0], "my_1d": m1[:, 1], "mz_1d": m1[:, 2]})
    write_csv(comm, st.out / "vortex_axis.csv", {
        "z": vort["z"], "mx": vort["m_axis"][:, 0], "my": vort["m_axis"][:, 1],
        "mz": vort["m_axis"][:, 2]})
    x, m, T = vort["x"], vort["m_across"], vort["torque_across"]
    write_csv(comm, st.out / "vortex_mid_free.csv", {
        "x": x, "mx": m[:, 0], "my": m[:, 1], "mz": m[:, 2],
        "Tx": T[:, 0], "Ty": T[:, 1], "Tz": T[:, 2]})
    write_csv(comm, st.out / "vortex_local_1d.csv", {
        "r": cols["r"], "mx": cols["m"][:, 0], "my": cols["m"][:, 1], "mz": cols["m"][:, 2],
        "Tx": cols["torque_density"][:, 0], "Ty": cols["torque_density"][:, 1],
        "Tz": cols["torque_density"][:, 2]})
