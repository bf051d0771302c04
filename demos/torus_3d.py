# # The paper's ring as a 3D torus: the 1D periodic ring and what it misses
#
# The paper's second application (Sec. VI, Figs. 12-15) is a closed loop, a long solenoid,
# with the current along the loop and a magnetization that rotates by 90 degrees from one
# quarter of the loop to the next, its magnitude dropping to zero at each "corner" (the
# interface profile of Fig. 5). fem_spin solves it in 1D on a periodic ring
# (`fem_spin.geometry.periodic`). This demo solves it on a 3D torus of circular
# cross-section (`fem_spin.geometry.rings.torus`) and
#
# - compares the 3D solution on the torus's centreline with the 1D ring carrying the same
#   texture along its length: for a thin torus they agree to the discretization error;
# - shows what the 1D ring cannot: in a thick torus the accumulation varies across the
#   cross-section, because the texture is a function of the azimuth, so that the inner side
#   of the loop is shorter than the outer one (curvature), and lateral diffusion mixes them.
#
# ## The equation and the drive
#
# The steady spin accumulation $m$ solves S1 (paper Eq. 71-75, `shared/physics.md`)
#
# $$
# -\nabla\cdot\left(\tilde D(x)\,\nabla m\right) + \frac{m - m_\mathrm{eq}}{\tau}
#   + H(x) \times m = 0, \qquad \tilde D = D\,A^{-1}(H),\quad A = I + \tau [H]_\times ,
# $$
#
# with $H = \lambda M$. A ring has no ends, so the drive is in the bulk: reading (iii) of
# `shared/physics.md`, $m_\mathrm{eq} = m_0 M$ with $m_0 = 1$ (the equilibrium accumulation
# follows the magnetization, including its magnitude; normalised to one). The torus surface
# carries no spin current (the natural boundary condition), so the weak form is: find
# $m \in [H^1(\Omega)]^3$ with, for all $v \in [H^1(\Omega)]^3$,
#
# $$
# \int_\Omega \tilde D \nabla m : \nabla v \,\mathrm{d}x
#   + \int_\Omega \left(\frac{m - m_0 M}{\tau} + H \times m\right) \cdot v \,\mathrm{d}x = 0 .
# $$
#
# ## The texture
#
# `textures.ring_magnetization` with the centreline arc length $s = R\varphi$ ($\varphi$ the
# azimuth from $+x$): quarter $k$ of the loop ($\varphi \in [k\pi/2, (k+1)\pi/2]$) is
# magnetized along $z, -y, -z, +y$ (k = 0..3), with $|M| = \tanh(d / l_{da})$, $d$ the
# centreline arc-length distance to the nearest corner. In 3D, $M$ depends on the azimuth
# only: at distance $\rho$ from the torus axis a quarter is $\pi\rho/2$ long and a corner
# $l_{da}\rho/R$ wide. The torus is meshed in four sectors whose cut faces are the corners,
# so the kink of $|M|$ lies on mesh faces. The same $M(\varphi)$ on a 1D circle of radius
# $\rho$ is the "local 1D ring" at $\rho$.
#
# ## Parameters
#
# $l_{sf} = \sqrt{D\tau} = 100$ nm, $D = 10^3$ nm$^2$/ps, $\tau = 10$ ps as in the paper, but
# $a_\mathrm{max} = \tau\lambda = 10$ ($\lambda = 1$ rad/ps) instead of 100: the transverse
# accumulation then oscillates with wavelength $2\pi l_{sf}/a = 63$ nm instead of 6.3 nm, so a
# thick 3D torus is resolved by a few tens of thousands of P2 unknowns. A small loop,
# $R = 20$ nm (quarters of 31 nm, the scale of the paper's smallest ring), with corners of
# width $l_{da} = 2$ nm; thin tube $r = 2$ nm ($r/R = 0.1$), thick tube $r = 10$ nm
# ($r/R = 0.5$).

# +
from __future__ import annotations

import argparse
import gc
import logging
import time
from pathlib import Path

import fem_spin as fs  # must precede the DOLFINx imports

# isort: split
import numpy as np
import ufl
from mpi4py import MPI

from fem_spin import render
from fem_spin.geometry.periodic import circle_ring
from fem_spin.geometry.rings import torus
from fem_spin.log import configure_logging
from fem_spin.observables.sampling import integrate, sample_points
from fem_spin.output import (
    prepare_run_folder,
    s1_output_fields,
    write_csv,
    write_fields,
    write_json,
)
from fem_spin.textures import magnetization, ring_magnetization

log = logging.getLogger("fem_spin.demos.torus_3d")

L_SF = 100.0  # spin-diffusion length (nm)
D = 1e3  # diffusion constant (nm^2/ps)
TAU = L_SF**2 / D  # spin-flip time (ps): 10 ps
M0 = 1.0  # m_eq = M0 * M (reading (iii))
# -

# ## Command line
#
# Lengths in nm. `--coarse` is the setting of the tests.


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="3D torus with the paper's ring texture vs the 1D periodic ring.")
    parser.add_argument("--radius", type=float, default=20.0, help="centreline radius R (nm)")
    parser.add_argument("--thin", type=float, default=2.0, help="tube radius, thin torus (nm)")
    parser.add_argument("--thick", type=float, default=10.0,
                        help="tube radius, thick torus (nm)")
    parser.add_argument("--a-max", type=float, default=10.0,
                        help="a = tau lambda in the saturated magnetization")
    parser.add_argument("--l-da", type=float, default=2.0,
                        help="corner width l_da on the centreline (nm)")
    parser.add_argument("--resolutions", type=str, default="2.0,1.5,1.0",
                        help="comma-separated cell sizes h (nm) of the thin torus")
    parser.add_argument("--h-thick", type=float, default=2.5,
                        help="cell size of the thick torus (nm)")
    parser.add_argument("--degree", type=int, default=2, help="Lagrange degree of m")
    parser.add_argument("--samples", type=int, default=720,
                        help="azimuths of the line profiles")
    parser.add_argument("--coarse", action="store_true",
                        help="test setting: resolutions 2.0,1.5, h-thick 3.5, 360 samples")
    parser.add_argument("--no-render", action="store_true", help="skip the PyVista pictures")
    parser.add_argument("--out", type=Path, default=Path("output/torus_3d"),
                        help="output folder")
    args = parser.parse_args(argv)
    if args.coarse:
        args.resolutions, args.h_thick, args.samples = "2.0,1.5", 3.5, 360
    try:
        args.h_list = sorted({float(h) for h in args.resolutions.split(",")}, reverse=True)
    except ValueError:
        parser.error(f"--resolutions must be comma-separated numbers, got {args.resolutions!r}")
    for name in ("radius", "thin", "thick", "l_da", "h_thick"):
        if not getattr(args, name) > 0:
            parser.error(f"--{name.replace('_', '-')} must be positive (nm)")
    if not args.h_list or min(args.h_list) <= 0:
        parser.error("--resolutions must be positive cell sizes (nm)")
    if not args.a_max >= 0:
        parser.error("--a-max must be >= 0")
    if max(args.thin, args.thick) >= args.radius:
        parser.error("the tube radii must be smaller than the centreline radius")
    if args.degree < 1 or args.samples < 16:
        parser.error("--degree must be >= 1 and --samples >= 16")
    return args


# ## Texture and material
#
# The texture is a function of the azimuth (through $s = R\varphi$) on every mesh: the 3D
# torus and the 1D rings of any radius.


def material(args: argparse.Namespace) -> fs.Material:
    return fs.Material.from_spin_diffusion_length(l_sf=L_SF, D=D, lam=args.a_max / TAU, m0=M0)


def azimuth(x: np.ndarray) -> np.ndarray:
    """Azimuth in [0, 2 pi) of points x (gdim, N) about the z axis."""
    return np.mod(np.arctan2(x[1], x[0]), 2 * np.pi)


def ring_texture(args: argparse.Namespace):
    """The paper's ring texture as a function of the azimuth (quarters of the centreline)."""
    R = args.radius
    return ring_magnetization(lambda x: R * azimuth(x), np.pi * R / 2, args.l_da)


# ## The 1D ring
#
# A circle of radius $\rho$ with P2 elements on curved cells (0.05 nm long), solved on every
# rank separately (`MPI.COMM_SELF`, tiny). Its solution is read off at the dofs and
# interpolated (periodically, linearly: the cells are 0.05 nm) to any azimuth.


def ring_1d(args: argparse.Namespace, rho: float, phi: np.ndarray) -> np.ndarray:
    """m (n, 3) of the 1D ring of radius rho at the azimuths phi."""
    geo = circle_ring(MPI.COMM_SELF, int(np.ceil(2 * np.pi * rho / 0.05)), radius=rho,
                      geometry_degree=2)
    M = magnetization(geo.mesh, ring_texture(args), degree=2)
    problem = fs.SteadySpinDiffusion(geo.mesh, material(args), M=M, degree=2)
    problem.solve()
    angle = azimuth(problem.V.tabulate_dof_coordinates().T)
    values = problem.m.x.array.reshape(-1, 3)
    order = np.argsort(angle)
    a = np.concatenate([angle[order] - 2 * np.pi, angle[order], angle[order] + 2 * np.pi])
    v = np.tile(values[order], (3, 1))
    return np.column_stack([np.interp(phi, a, v[:, k]) for k in range(3)])


# ## Point values of the 3D solution
#
# `observables.sample_line` samples straight segments; the centreline is a circle, so the
# same recipe (each point evaluated on a rank owning a cell that contains it, then shared)
# is applied to arbitrary points here.


def circle_points(rho: float, phi: np.ndarray, z: float = 0.0) -> np.ndarray:
    return np.column_stack([rho * np.cos(phi), rho * np.sin(phi), np.full_like(phi, z)])


def relative_l2(a: np.ndarray, b: np.ndarray) -> float:
    """||a - b|| / ||b|| over equispaced azimuths (a, b of shape (n, 3))."""
    return float(np.sqrt(np.sum((a - b) ** 2) / np.sum(b**2)))


# ## The torus
#
# `solve_torus` meshes the torus in four sectors, interpolates $M$ into the space of $m$
# and solves; `torus_case` samples the centreline and, across the tube, the circles at
# $\rho = R \pm 0.8 r$ in the mid-plane and at height $z = 0.8 r$ over the centreline.


def torus_case(comm: MPI.Comm, args: argparse.Namespace, r: float, h: float, phi: np.ndarray,
               *, write: str | None = None) -> dict:
    """Solve on the torus of tube radius r with cell size h; return line data and numbers.
    ``write``: a name to write the fields (VTX) under and to gather the grid for pictures."""
    R = args.radius
    t0 = time.perf_counter()
    geo = torus(comm, R=R, r=r, h_max=h, sectors=4)
    M = magnetization(geo.mesh, ring_texture(args), degree=args.degree)
    problem = fs.SteadySpinDiffusion(geo.mesh, material(args), M=M, degree=args.degree)
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
        write_fields(comm, args.out / f"{write}_fields.bp", s1_output_fields(problem))
        if not args.no_render:
            m_eq = problem.m_eq
            out["grid"] = render.gather_fields(geo.mesh, {
                "m": problem.m, "M": problem.M, "m - m_eq": problem.m - m_eq,
                "torque": problem.torque_density})
    out["case_seconds"] = comm.allreduce(time.perf_counter() - t0, op=MPI.MAX)
    return out


# ## Pictures


def plot_profiles(path: Path, args, phi, ring, thin, thick) -> None:
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
                  label=f"$m_{c}$ thin torus (r = {args.thin:g} nm)")
        ax_c.plot(deg, thick["centre"][:, k], ":", color=colors[k], lw=1.4,
                  label=f"$m_{c}$ thick torus (r = {args.thick:g} nm)")
    ax_c.set_title(f"centreline, R = {args.radius:g} nm: 3D tori vs the 1D ring")
    ax_c.set_ylabel("spin accumulation m")
    rho_in, rho_out = args.radius - 0.8 * args.thick, args.radius + 0.8 * args.thick
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
    fig.suptitle(rf"ring texture z, -y, -z, +y per quarter, $a_{{max}}$ = {args.a_max:g}, "
                 rf"$l_{{da}}$ = {args.l_da:g} nm, $m_{{eq}} = M$")
    fig.savefig(path, dpi=120)


def render_fields(args, thin: dict, thick: dict) -> list[str]:
    """PyVista pictures (rank 0): m on the mid-plane, m - m_eq and the torque density."""
    written = []
    mid = ((0.0, 0.0, 0.0), (0.0, 0.0, 1.0))
    cuts = [((0.0, 0.0, 0.0), (0.0, 1.0, 0.0))]  # cross-sections at the corners 0 and 180 deg
    for name, case in (("thick", thick), ("thin", thin)):
        if "grid" not in case:
            continue
        r, R = case["tube_radius_nm"], args.radius
        path = args.out / f"torus_{name}_fields.png"
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


# ## What comes out (default settings)
#
# The 1D ring's accumulation follows the texture only partly ($\|m - M\| / \|M\| = 0.63$):
# the quarters, 31 nm long, are short against $l_{sf}$ = 100 nm. On the centreline of the
# thin torus ($r/R = 0.1$) the 3D solution is the 1D ring's to the discretization error:
# relative L2 differences 1.2e-2, 2.5e-3, 8.4e-4 for h = 2, 1.5, 1 nm (10k-48k P2
# unknowns); its inner and outer edges agree to 0.16 %. The thick torus ($r/R = 0.5$)
# departs from the ring by a converged 2.9 % on its centreline and varies across its tube
# (inner vs outer edge 9.6 %), radially only (the point above the centreline equals the
# centreline value to 0.06 %). The 1D rings of the inner and outer radii are no better a model
# of the edges than the centreline ring (32 % and 7.7 % off, against 6.7 % and 4.4 %): the
# tube, 10 nm thick against $l_{sf}$ = 100 nm, is held together by radial diffusion, and the
# curvature (quarters of 19-44 nm across the tube) shows up as a perturbation of it.

# ## Driver
#
# `simulate` keeps every DOLFINx/PETSc object inside the case functions, which return numpy
# data only; garbage is collected after each case on every rank, so PETSc objects, which are
# destroyed collectively, go away at the same point everywhere.


def simulate(comm: MPI.Comm, args: argparse.Namespace) -> tuple[np.ndarray, dict, list, dict, dict]:
    R = args.radius
    phi = 2 * np.pi * np.arange(args.samples) / args.samples
    quiet = logging.getLogger("fem_spin")
    level = quiet.level
    quiet.setLevel(logging.WARNING)
    ring = {"R": ring_1d(args, R, phi),
            "inner": ring_1d(args, R - 0.8 * args.thick, phi),
            "outer": ring_1d(args, R + 0.8 * args.thick, phi)}
    quiet.setLevel(level)
    gc.collect()
    thin_runs = []
    for h in args.h_list:
        finest = h == args.h_list[-1]
        thin_runs.append(torus_case(comm, args, args.thin, h, phi,
                                    write="torus_thin" if finest else None))
        gc.collect()
        log.info("thin torus, h = %g nm: %d dofs, solve %.2f s, centreline vs 1D ring %.3e",
                 h, thin_runs[-1]["dofs"], thin_runs[-1]["solve_seconds"],
                 relative_l2(thin_runs[-1]["centre"], ring["R"]))
    thick = torus_case(comm, args, args.thick, args.h_thick, phi, write="torus_thick")
    gc.collect()

    def numbers(case: dict) -> dict:
        return {k: v for k, v in case.items()
                if k not in ("centre", "inner", "outer", "top", "grid")}

    results = {
        "ring_1d_deviation_from_m_eq": relative_l2(
            ring["R"], ring_texture(args)(circle_points(R, phi).T).T),
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


def main(argv: list[str] | None = None) -> dict:
    """Run the demo; returns the summary (also written to ``<out>/summary.json``)."""
    args = parse_args(argv)
    configure_logging()
    comm = MPI.COMM_WORLD
    t0 = time.perf_counter()
    prepare_run_folder(comm, args.out)  # removes a stale summary.json
    wavelength = 2 * np.pi * L_SF / args.a_max if args.a_max > 0 else np.inf
    log.info("3D torus: R = %g nm, tubes %g and %g nm, a_max = %g (transverse wavelength "
             "%.1f nm), l_da = %g nm", args.radius, args.thin, args.thick, args.a_max,
             wavelength, args.l_da)

    phi, ring, thin_runs, thick, results = simulate(comm, args)
    thin = thin_runs[-1]
    s = args.radius * phi  # centreline arc length (nm)
    for name, case in (("thin", thin), ("thick", thick)):
        write_csv(comm, args.out / f"torus_{name}_centreline.csv", {
            "s": s, "mx": case["centre"][:, 0], "my": case["centre"][:, 1],
            "mz": case["centre"][:, 2], "phi": phi,
            "mx_ring": ring["R"][:, 0], "my_ring": ring["R"][:, 1], "mz_ring": ring["R"][:, 2]})
    edges = {"s": s, "phi": phi}
    for where in ("inner", "outer"):
        edges |= {f"{c}_{where}": thick[where][:, k] for k, c in enumerate(("mx", "my", "mz"))}
        edges |= {f"{c}_ring_{where}": ring[where][:, k]
                  for k, c in enumerate(("mx", "my", "mz"))}
    write_csv(comm, args.out / "torus_thick_edges.csv", edges)
    pictures = []
    if comm.rank == 0:
        plot_profiles(args.out / "torus_profiles.png", args, phi, ring, thin, thick)
        pictures = ["torus_profiles.png", *render_fields(args, thin, thick)]
    summary = {
        "demo": "torus_3d",
        "reading": "(iii) m_eq = m0 M (bulk drive, m0 = 1), no spin current through the surface",
        "parameters": {
            "centreline_radius_nm": args.radius, "thin_tube_nm": args.thin,
            "thick_tube_nm": args.thick, "quarter_length_nm": np.pi * args.radius / 2,
            "l_da_nm": args.l_da, "l_sf_nm": L_SF, "D_nm2_per_ps": D, "tau_ps": TAU,
            "a_max": args.a_max, "lambda_rad_per_ps": args.a_max / TAU, "m0": M0,
            "transverse_wavelength_nm": wavelength, "degree": args.degree,
            "mpi_ranks": comm.size,
        },
        "results": results,
        "pictures": comm.bcast(pictures, root=0),
    }
    summary["wall_seconds"] = comm.allreduce(time.perf_counter() - t0, op=MPI.MAX)
    write_json(comm, args.out / "summary.json", summary)
    log.info("centreline vs 1D ring: thin %s, thick %.3e; thick inner vs outer %.3e; "
             "%.1f s, output in %s",
             ", ".join(f"h={c['h_nm']:g}: {c['rel_l2_centreline_vs_ring']:.2e}"
                       for c in results["thin"]["resolutions"]),
             results["thick"]["rel_l2_centreline_vs_ring"],
             results["thick"]["rel_l2_inner_vs_outer"], summary["wall_seconds"], args.out)
    return summary


if __name__ == "__main__":
    main()
