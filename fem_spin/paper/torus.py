"""The paper's ring texture on a 3D torus (``demos/torus_3d.py``): the 1D ring of the same
texture on circles of any radius, the torus solved at a cell size with its line data on
circles (centreline, inner and outer edge, above the centreline), and the pictures.

The ring texture is a function of the azimuth (through the centreline arc length
``s = R phi``): quarter k of the loop is magnetized along z, -y, -z, +y with
``|M| = tanh(d / l_da)`` at the quarter corners; the drive is reading (iii),
``m_eq = m0 M`` with ``m0 = 1``. :func:`simulate` keeps every DOLFINx/PETSc object inside
the case functions and returns numpy data only.
"""

from __future__ import annotations

import gc
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import fem_spin as fs  # noqa: F401  (before the DOLFINx imports)

# isort: split
import numpy as np
import ufl
from mpi4py import MPI

from fem_spin import render
from fem_spin.geometry.periodic import circle_ring
from fem_spin.geometry.rings import torus
from fem_spin.observables.sampling import integrate, sample_points
from fem_spin.output import s1_output_fields, write_fields
from fem_spin.paper.parameters import material
from fem_spin.problems.steady import SteadySpinDiffusion
from fem_spin.textures import magnetization, ring_magnetization

__all__ = ["M0", "TorusStudy", "azimuth", "circle_points", "plot_profiles", "relative_l2",
           "render_fields", "ring_1d", "ring_texture", "simulate", "torus_case"]

log = logging.getLogger(__name__)

M0 = 1.0  # m_eq = M0 * M (reading (iii))


@dataclass(frozen=True, kw_only=True)
class TorusStudy:
    """The settings of the torus study (lengths in nm).

    Attributes:
        radius: centreline radius R; thin, thick: the two tube radii.
        a_max: ``tau lambda`` in the saturated magnetization; l_da: corner width on the
            centreline.
        h_list: cell sizes of the thin torus (coarse to fine); h_thick: of the thick torus.
        degree: Lagrange degree of m; samples: azimuths of the line data.
        render: gather the grids for PyVista pictures; out: folder of the VTX fields.
    """

    radius: float = 20.0
    thin: float = 2.0
    thick: float = 10.0
    a_max: float = 10.0
    l_da: float = 2.0
    h_list: tuple[float, ...] = (2.0, 1.5, 1.0)
    h_thick: float = 2.5
    degree: int = 2
    samples: int = 720
    render: bool = True
    out: Path = Path("output/torus_3d")


def azimuth(x: np.ndarray) -> np.ndarray:
    """Azimuth in [0, 2 pi) of points x (gdim, N) about the z axis."""
    return np.mod(np.arctan2(x[1], x[0]), 2 * np.pi)


def ring_texture(st: TorusStudy):
    """The paper's ring texture as a function of the azimuth (quarters of the centreline)."""
    R = st.radius
    return ring_magnetization(lambda x: R * azimuth(x), np.pi * R / 2, st.l_da)


def ring_1d(st: TorusStudy, rho: float, phi: np.ndarray) -> np.ndarray:
    """m (n, 3) of the 1D ring of radius rho at the azimuths phi."""
    geo = circle_ring(MPI.COMM_SELF, int(np.ceil(2 * np.pi * rho / 0.05)), radius=rho,
                      geometry_degree=2)
    M = magnetization(geo.mesh, ring_texture(st), degree=2)
    problem = SteadySpinDiffusion(geo.mesh, material(m0=M0, a_max=st.a_max), M=M, degree=2)
    problem.solve()
    angle = azimuth(problem.V.tabulate_dof_coordinates().T)
    values = problem.m.x.array.reshape(-1, 3)
    order = np.argsort(angle)
    a = np.concatenate([angle[order] - 2 * np.pi, angle[order], angle[order] + 2 * np.pi])
    v = np.tile(values[order], (3, 1))
    return np.column_stack([np.interp(phi, a, v[:, k]) for k in range(3)])


def circle_points(rho: float, phi: np.ndarray, z: float = 0.0) -> np.ndarray:
    return np.column_stack([rho * np.cos(phi), rho * np.sin(phi), np.full_like(phi, z)])


def relative_l2(a: np.ndarray, b: np.ndarray) -> float:
    """||a - b|| / ||b|| over equispaced azimuths (a, b of shape (n, 3))."""
    return float(np.sqrt(np.sum((a - b) ** 2) / np.sum(b**2)))


def torus_case(comm: MPI.Comm, st: TorusStudy, r: float, h: float, phi: np.ndarray,
               *, write: str | None = None) -> dict:
    """Solve on the torus of tube radius r with cell size h; return line data and numbers.
    ``write``: a name to write the fields (VTX) under and to gather the grid for pictures."""
    R = st.radius
    t0 = time.perf_counter()
    geo = torus(comm, R=R, r=r, h_max=h, sectors=4)
    M = magnetization(geo.mesh, ring_texture(st), degree=st.degree)
    problem = SteadySpinDiffusion(geo.mesh, material(m0=M0, a_max=st.a_max), M=M,
                                  degree=st.degree)
    info = problem.solve()
    out = {
        "tube_radius_nm": r, "h_nm": h, "cells": int(geo.stats["cells"]),
        "dofs": problem.V.dofmap.index_map.size_global * problem.V.dofmap.index_map_bs,
        "solve_seconds": comm.allreduce(info.seconds, op=MPI.MAX),
        "centre": sample_points(problem.m, circle_points(R, phi)),
        "inner": sample_points(problem.m, circle_points(R - 0.8 * r, phi)),
        "outer": sample_points(problem.m, circle_points(R + 0.8 * r, phi)),
        "top": sample_points(problem.m, circle_points(R, phi, 0.8 * r)),
        # the net torque vanishes by symmetry; its magnitude integrated over the volume does not
        "abs_torque_integral_rad_per_ps_nm3": float(integrate(
            comm, ufl.sqrt(ufl.dot(problem.torque_density, problem.torque_density))
            * problem.dx)),
    }
    if write is not None:
        write_fields(comm, st.out / f"{write}_fields.bp", s1_output_fields(problem))
        if st.render:
            m_eq = problem.m_eq
            out["grid"] = render.gather_fields(geo.mesh, {
                "m": problem.m, "M": problem.M, "m - m_eq": problem.m - m_eq,
                "torque": problem.torque_density})
    out["case_seconds"] = comm.allreduce(time.perf_counter() - t0, op=MPI.MAX)
    return out


def plot_profiles(path: Path, st: TorusStudy, phi, ring, thin, thick) -> None:
    """Centreline (1D ring, thin and thick torus) and the thick torus across its tube."""
    from matplotlib.figure import Figure

    deg = np.rad2deg(phi)
    fig = Figure(figsize=(13, 5.2), layout="constrained")
    ax_c, ax_x = fig.subplots(1, 2)
    colors = ("tab:red", "tab:green", "tab:blue")
    for k, c in enumerate("xyz"):
        ax_c.plot(deg, ring["R"][:, k], "-", color=colors[k], lw=2.4, alpha=0.4,
                  label=f"$m_{c}$ 1D ring")
        ax_c.plot(deg, thin["centre"][:, k], "--", color=colors[k], lw=1.1,
                  label=f"$m_{c}$ thin torus (r = {st.thin:g} nm)")
        ax_c.plot(deg, thick["centre"][:, k], ":", color=colors[k], lw=1.4,
                  label=f"$m_{c}$ thick torus (r = {st.thick:g} nm)")
    ax_c.set_title(f"centreline, R = {st.radius:g} nm: 3D tori vs the 1D ring")
    ax_c.set_ylabel("spin accumulation m")
    rho_in, rho_out = st.radius - 0.8 * st.thick, st.radius + 0.8 * st.thick
    for k, c in enumerate("yz"):
        j = k + 1
        ax_x.plot(deg, thick["inner"][:, j], "-", color=colors[j], lw=1.2,
                  label=rf"$m_{c}$ 3D, $\rho$ = {rho_in:g} nm (inner)")
        ax_x.plot(deg, thick["outer"][:, j], "--", color=colors[j], lw=1.2,
                  label=rf"$m_{c}$ 3D, $\rho$ = {rho_out:g} nm (outer)")
        ax_x.plot(deg[::12], ring["inner"][::12, j], "o", ms=3.5, mfc="none", color=colors[j],
                  label=rf"$m_{c}$ 1D ring of radius {rho_in:g} nm")
        ax_x.plot(deg[::12], ring["outer"][::12, j], "s", ms=3.5, mfc="none", color=colors[j],
                  label=rf"$m_{c}$ 1D ring of radius {rho_out:g} nm")
    ax_x.set_title("thick torus across the tube (mid-plane) vs local 1D rings")
    for ax in (ax_c, ax_x):
        for corner in (90, 180, 270):
            ax.axvline(corner, color="0.6", ls="--", lw=0.7)
        ax.set_xlabel(r"azimuth $\varphi$ (degrees); corners at 0, 90, 180, 270")
        ax.set_xlim(0, 360)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, ncol=3 if ax is ax_c else 2, loc="upper center",
                  bbox_to_anchor=(0.5, -0.13))
    fig.suptitle(rf"ring texture z, -y, -z, +y per quarter, $a_{{max}}$ = {st.a_max:g}, "
                 rf"$l_{{da}}$ = {st.l_da:g} nm, $m_{{eq}} = M$")
    fig.savefig(path, dpi=120)


def render_fields(st: TorusStudy, thin: dict, thick: dict) -> list[str]:
    """PyVista pictures (rank 0): m on the mid-plane, m - m_eq and the torque density."""
    written = []
    mid = ((0.0, 0.0, 0.0), (0.0, 0.0, 1.0))
    cuts = [((0.0, 0.0, 0.0), (0.0, 1.0, 0.0))]  # cross-sections at the corners 0 and 180 deg
    for name, case in (("thick", thick), ("thin", thin)):
        if "grid" not in case:
            continue
        r, R = case["tube_radius_nm"], st.radius
        path = st.out / f"torus_{name}_fields.png"
        # arrows on circles in the mid-plane: the centreline, and for a thick tube two more
        radii = (R - 0.6 * r, R, R + 0.6 * r) if name == "thick" else (R,)
        phi = 2 * np.pi * np.arange(24) / 24
        points = np.vstack([circle_points(rho, phi) for rho in radii])
        render.render_panels(case["grid"], path, [
            render.GlyphPanel(vectors="m", points=points, color_by="m:z", view="iso",
                              spacing=2 * np.pi * R / 24,
                              title=f"{name} torus (r = {r:g} nm): m in the "
                                    "mid-plane\n(colour: m_z)"),
            render.ScalarPanel(scalars="m - m_eq", planes=[mid, *cuts], cmap="viridis",
                               title="magnitude of m - m_eq:\nmid-plane and cross-sections"),
            render.ScalarPanel(scalars="torque", surface=True, cmap="inferno",
                               title="magnitude of the torque density\n"
                                     "lambda M x m (rad/ps) on the surface"),
        ], panel_size=(750, 650))
        written.append(path.name)
    return written


def simulate(comm: MPI.Comm, st: TorusStudy) -> tuple[np.ndarray, dict, list, dict, dict]:
    """The 1D rings (centreline, inner and outer radius of the thick tube), the thin torus at
    each cell size of ``h_list`` and the thick torus; returns ``(phi, rings, thin runs, thick,
    results)`` (numpy data and numbers; the grids of the finest thin and the thick torus for
    the pictures)."""
    R = st.radius
    phi = 2 * np.pi * np.arange(st.samples) / st.samples
    quiet = logging.getLogger("fem_spin")
    level = quiet.level
    quiet.setLevel(logging.WARNING)
    ring = {"R": ring_1d(st, R, phi),
            "inner": ring_1d(st, R - 0.8 * st.thick, phi),
            "outer": ring_1d(st, R + 0.8 * st.thick, phi)}
    quiet.setLevel(level)
    gc.collect()
    thin_runs = []
    for h in st.h_list:
        finest = h == st.h_list[-1]
        thin_runs.append(torus_case(comm, st, st.thin, h, phi,
                                    write="torus_thin" if finest else None))
        gc.collect()
        log.info("thin torus, h = %g nm: %d dofs, solve %.2f s, centreline vs 1D ring %.3e",
                 h, thin_runs[-1]["dofs"], thin_runs[-1]["solve_seconds"],
                 relative_l2(thin_runs[-1]["centre"], ring["R"]))
    thick = torus_case(comm, st, st.thick, st.h_thick, phi, write="torus_thick")
    gc.collect()

    def numbers(case: dict) -> dict:
        return {k: v for k, v in case.items()
                if k not in ("centre", "inner", "outer", "top", "grid")}

    results = {
        "ring_1d_deviation_from_m_eq": relative_l2(
            ring["R"], ring_texture(st)(circle_points(R, phi).T).T),
        "thin": {
            "resolutions": [numbers(c) | {
                "rel_l2_centreline_vs_ring": relative_l2(c["centre"], ring["R"]),
                "rel_l2_inner_vs_outer": relative_l2(c["inner"], c["outer"]),
            } for c in thin_runs],
        },
        "thick": numbers(thick) | {
            "rel_l2_centreline_vs_ring": relative_l2(thick["centre"], ring["R"]),
            "rel_l2_inner_vs_outer": relative_l2(thick["inner"], thick["outer"]),
            "rel_l2_top_vs_centreline": relative_l2(thick["top"], thick["centre"]),
            "rel_l2_inner_vs_ring_R": relative_l2(thick["inner"], ring["R"]),
            "rel_l2_outer_vs_ring_R": relative_l2(thick["outer"], ring["R"]),
            "rel_l2_inner_vs_local_ring": relative_l2(thick["inner"], ring["inner"]),
            "rel_l2_outer_vs_local_ring": relative_l2(thick["outer"], ring["outer"]),
        },
    }
    return phi, ring, thin_runs, thick, results
