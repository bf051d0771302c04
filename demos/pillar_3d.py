# # The CPP bilayer as a 3D nanopillar, and a vortex in its free layer
#
# The paper's CPP bilayer (Sec. VI, Figs. 5-11; the 1D demo `cpp_bilayer.py`) is a
# one-dimensional model of a nanopillar: two ferromagnetic layers stacked along the current,
# separated by a non-magnetic spacer of zero thickness. This demo solves the same equation on
# a 3D pillar and
#
# - (a) checks that a pillar with laterally uniform layers reproduces the 1D profile along
#   its axis, to the discretization error, which falls under mesh refinement;
# - (b) puts a magnetic vortex into the free layer, a texture that 1D cannot represent, and
#   shows the lateral variation of the spin accumulation $m$ and of the s-d torque density
#   $\lambda M \times m$, the torque on each layer, and how far a "local 1D" picture (one
#   independent 1D bilayer per radius) is from the 3D answer.
#
# ## The equation
#
# The steady spin accumulation $m(x) \in \mathbb{R}^3$ solves S1 (paper Eq. 71-75,
# `shared/physics.md`)
#
# $$
# -\nabla\cdot\left(\tilde D(x)\,\nabla m\right) + \frac{m - m_\mathrm{eq}}{\tau}
#   + H(x) \times m = 0, \qquad \tilde D = D\,A^{-1}(H),\quad A = I + \tau [H]_\times ,
# $$
#
# with $H = \lambda M$. The flux in direction $j$ comes from the gradient in direction $j$
# only ($J^{kj} = -\tilde D^{kp}\,\partial_j m^p$): the tensor acts on spin components.
#
# ## The pillar and reading (i)
#
# A circular pillar of radius $R$ along $z$: the fixed layer on $0 < z < L$, the free layer
# on $L < z < 2L$ (`fem_spin.geometry.pillar.nanopillar`, two regions sharing a conforming
# interface at $z = L$). The magnetization has the paper's interface profile:
# $|M| = \tanh(|z - L| / l_{da})$ falls to zero at the zero-thickness spacer
# (`textures.layered_magnetization` along the z axis). Its direction is $z$ in the fixed layer
# and $n(x)$ in the free layer: the uniform $n_R = R_x(\theta) z = (0, -\sin\theta,
# \cos\theta)$ in (a), a vortex in (b).
#
# Reading (i) of `shared/physics.md`: $m_\mathrm{eq} = 0$, the electrodes prescribe
# $m = -z$ on the bottom face and $m = +n$ on the top face; the side wall carries no spin
# current (the natural boundary condition). The 1D bilayer on $[-L, L]$ is this pillar with
# $x = z - L$.
#
# ## Weak form
#
# Find $m \in [H^1(\Omega)]^3$ with the electrode values such that for all
# $v \in [H^1(\Omega)]^3$ vanishing on the electrodes
#
# $$
# \int_\Omega \tilde D \nabla m : \nabla v \,\mathrm{d}x
#   + \int_\Omega \left(\frac{m}{\tau} + H \times m\right) \cdot v \,\mathrm{d}x = 0 .
# $$
#
# ## Parameters
#
# As in the 1D demo: $l_{sf} = \sqrt{D\tau} = 100$ nm, $D = 10^3$ nm$^2$/ps, $\tau = 10$ ps,
# $a_\mathrm{max} = \tau\lambda = 100$ ($\lambda = 10$ rad/ps). The transverse accumulation
# oscillates with wavelength $2\pi l_{sf}/a = 6.3$ nm: the paper's small sample,
# $L = 10$ nm per layer, keeps the 3D mesh able to resolve it (quadratic elements, cells of
# 0.8-2 nm). The default interface width is the paper's sharp $l_{da} = 0.6$ nm.

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
from fem_spin.geometry.pillar import ELECTRODE_BOTTOM, ELECTRODE_TOP, nanopillar
from fem_spin.log import configure_logging
from fem_spin.geometry.interval import graded_nodes, layered_interval
from fem_spin.observables.sampling import integrate, sample_line
from fem_spin.output import (
    prepare_run_folder,
    s1_output_fields,
    write_csv,
    write_fields,
    write_json,
)
from fem_spin.textures import bilayer_axis_right, layered_magnetization, magnetization, vortex

log = logging.getLogger("fem_spin.demos.pillar_3d")

L_SF = 100.0  # spin-diffusion length (nm)
D = 1e3  # diffusion constant (nm^2/ps)
TAU = L_SF**2 / D  # spin-flip time (ps): 10 ps
A_MAX = 100.0  # a = tau |H| in the saturated layers
LAMBDA = A_MAX / TAU  # s-d coupling (rad/ps)
FIXED, FREE = "fixed", "free"  # the two layers (cell regions of the pillar)
Z = np.array([0.0, 0.0, 1.0])
# -

# ## Command line
#
# Lengths in nm, the angle in degrees. `--coarse` is the setting of the tests (seconds).


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="3D CPP nanopillar: 1D bilayer check and a vortex free layer.")
    parser.add_argument("--theta", type=float, default=90.0,
                        help="angle of the free layer's axis to the fixed one in (a) (degrees)")
    parser.add_argument("--l-da", type=float, default=0.6, help="interface width (nm)")
    parser.add_argument("--length", type=float, default=10.0, help="layer thickness L (nm)")
    parser.add_argument("--radius", type=float, default=5.0, help="pillar radius (nm)")
    parser.add_argument("--resolutions", type=str, default="2.0,1.4,1.0,0.8",
                        help="comma-separated cell sizes h (nm) of the 3D meshes of (a)")
    parser.add_argument("--h-vortex", type=float, default=0.8, help="cell size of (b) (nm)")
    parser.add_argument("--core-radius", type=float, default=2.0,
                        help="vortex core radius (nm)")
    parser.add_argument("--degree", type=int, default=2, help="Lagrange degree of m")
    parser.add_argument("--samples", type=int, default=801, help="points per line profile")
    parser.add_argument("--columns", type=int, default=21,
                        help="radii of the local-1D comparison in (b)")
    parser.add_argument("--coarse", action="store_true",
                        help="test setting: resolutions 2.0,1.5, h-vortex 2.0, fewer samples")
    parser.add_argument("--no-render", action="store_true", help="skip the PyVista pictures")
    parser.add_argument("--out", type=Path, default=Path("output/pillar_3d"),
                        help="output folder")
    args = parser.parse_args(argv)
    if args.coarse:
        args.resolutions, args.h_vortex, args.samples, args.columns = "2.0,1.5", 2.0, 401, 9
    try:
        args.h_list = sorted({float(h) for h in args.resolutions.split(",")}, reverse=True)
    except ValueError:
        parser.error(f"--resolutions must be comma-separated numbers, got {args.resolutions!r}")
    for name in ("l_da", "length", "radius", "h_vortex", "core_radius"):
        if not getattr(args, name) > 0:
            parser.error(f"--{name.replace('_', '-')} must be positive (nm)")
    if not args.h_list or min(args.h_list) <= 0:
        parser.error("--resolutions must be positive cell sizes (nm)")
    if args.degree < 1:
        parser.error("--degree must be >= 1")
    if args.samples < 11 or args.columns < 3:
        parser.error("--samples must be >= 11 and --columns >= 3")
    return args


# ## Magnetization and the problem
#
# `pillar_texture` composes the interface profile of `layered_magnetization` (its
# magnitude) with the axis of each layer; the free layer's axis may vary across the pillar.
# The same function serves the 1D columns of (b) with the pillar's $z$ as the 1D coordinate.


def material() -> fs.Material:
    return fs.Material.from_spin_diffusion_length(l_sf=L_SF, D=D, lam=LAMBDA)


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


def solve_pillar(comm: MPI.Comm, args: argparse.Namespace, h: float, free_axis) -> tuple:
    """Mesh, magnetization and S1 on the pillar; returns ``(geometry, problem, info)``.

    ``free_axis``: the free layer's unit axis as a texture (also the top electrode's value).
    """
    L = args.length
    geo = nanopillar(comm, [(FIXED, L), (FREE, L)], rx=args.radius, h_max=h)
    M = magnetization(geo.mesh, pillar_texture(L, args.l_da, free_axis), degree=args.degree)
    mat = material()
    problem = fs.SteadySpinDiffusion(
        geo.mesh, {geo.tag(FIXED): mat, geo.tag(FREE): mat},
        cell_tags=geo.cell_tags, facet_tags=geo.facet_tags, M=M, m_eq=(0.0, 0.0, 0.0),
        dirichlet=[fs.Dirichlet(geo.tag(ELECTRODE_BOTTOM), (0.0, 0.0, -1.0)),
                   fs.Dirichlet(geo.tag(ELECTRODE_TOP), free_axis)],
        degree=args.degree)
    return geo, problem, problem.solve()


def dofs(problem: fs.SteadySpinDiffusion) -> int:
    return problem.V.dofmap.index_map.size_global * problem.V.dofmap.index_map_bs


# ## The 1D bilayer
#
# The reference of (a) and the columns of (b) are 1D bilayers on $[0, 2L]$ (the pillar's $z$)
# with a fine graded P2 mesh (cells of $l_{da}/20$ at the spacer, 0.05 nm elsewhere).
# They are tiny, so every rank solves them on its own (`MPI.COMM_SELF`): the results are the
# same everywhere without communication.


def bilayer_1d_problem(args: argparse.Namespace, n_free: np.ndarray, h: float = 0.05):
    """The solved 1D bilayer (fixed axis z, free axis ``n_free``) on COMM_SELF:
    ``(geometry, problem)``."""
    L = args.length
    upper = graded_nodes(L, 2 * L, h, refine=[(L, min(h, args.l_da / 20))])
    nodes = np.concatenate([2 * L - upper[::-1][:-1], upper])  # mirror-symmetric about L
    geo = layered_interval(MPI.COMM_SELF, nodes, [(FIXED, L), (FREE, 2 * L)])
    M = magnetization(geo.mesh, pillar_texture(L, args.l_da, uniform_axis(n_free), 0), degree=2)
    mat = material()
    problem = fs.SteadySpinDiffusion(
        geo.mesh, {geo.tags[FIXED]: mat, geo.tags[FREE]: mat}, cell_tags=geo.cell_tags,
        facet_tags=geo.facet_tags, M=M, m_eq=(0.0, 0.0, 0.0), degree=2,
        dirichlet=[fs.Dirichlet(geo.tags["left"], (0.0, 0.0, -1.0)),
                   fs.Dirichlet(geo.tags["right"], tuple(n_free))])
    problem.solve()
    return geo, problem


def bilayer_1d_profile(args: argparse.Namespace, n_free: np.ndarray, z: np.ndarray,
                       h: float = 0.05) -> np.ndarray:
    """m (n, 3) of the 1D bilayer at the equispaced points z on [0, 2L]."""
    _, problem = bilayer_1d_problem(args, n_free, h)
    return sample_line(problem.m, (z[0],), (z[-1],), len(z))[2]


def bilayer_1d_column(args: argparse.Namespace, n_free: np.ndarray, z: float) -> dict:
    """m of the 1D bilayer at the point z and the torque per unit area on each layer
    (rad/ps nm)."""
    geo, problem = bilayer_1d_problem(args, n_free)
    m = sample_line(problem.m, (z,), (z,), 1)[2][0]
    torque = {name: integrate(MPI.COMM_SELF, (problem.torque_density,
                                              problem.dx(geo.tags[name])))
              for name in (FIXED, FREE)}
    return {"m": m, "torque": torque}


# ## (a) Laterally uniform layers: the 1D profile along the axis
#
# With laterally uniform $M$ and no spin current through the side wall, the exact 3D
# solution does not depend on $x, y$: it is the 1D solution. The 3D solution sampled on the
# axis therefore differs from the (converged) 1D one only by the 3D discretization error:
#
# $$ e_h = \frac{\| m_h^{3D}(0, 0, z) - m^{1D}(z) \|_{L^2(0, 2L)}}{\| m^{1D} \|_{L^2(0, 2L)}} ,$$
#
# which must fall under refinement (for P2 about as $h^3$ once the 6.3 nm wavelength is
# resolved). A second line, parallel to the axis at $0.8R$, measures the lateral
# non-uniformity of the discrete solution, also a discretization effect here.


def relative_l2(s: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """||a - b|| / ||b|| on the line with coordinate s (trapezoidal rule), a, b of shape (n, k)."""
    num = np.trapezoid(np.sum((a - b) ** 2, axis=1), s)
    return float(np.sqrt(num / np.trapezoid(np.sum(b**2, axis=1), s)))


def lateral_variation(m: np.ndarray) -> float:
    """RMS deviation of the values m (n, 3) on a line from their mean, relative to their RMS."""
    return float(np.sqrt(np.mean(np.sum((m - m.mean(axis=0)) ** 2, axis=1))
                         / np.mean(np.sum(m**2, axis=1))))


def uniform_case(comm: MPI.Comm, args: argparse.Namespace, h: float, z: np.ndarray,
                 m_1d: np.ndarray, finest: bool) -> dict:
    """Solve (a) at cell size h; on the finest mesh also write the fields and gather the grid."""
    n_right = bilayer_axis_right(np.deg2rad(args.theta))
    t0 = time.perf_counter()
    geo, problem, info = solve_pillar(comm, args, h, uniform_axis(n_right))
    L, R = args.length, args.radius
    _, _, m_axis = sample_line(problem.m, (0.0, 0.0, 0.0), (0.0, 0.0, 2 * L), len(z))
    _, _, m_off = sample_line(problem.m, (0.8 * R, 0.0, 0.0), (0.8 * R, 0.0, 2 * L), len(z))
    zp = 1.5 * L
    _, _, m_across = sample_line(problem.m, (-0.97 * R, 0.0, zp), (0.97 * R, 0.0, zp),
                                 args.samples)
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
        write_fields(comm, args.out / "uniform_fields.bp", s1_output_fields(problem))
        if not args.no_render:
            out["grid"] = render.gather_fields(
                geo.mesh, {"m": problem.m, "M": problem.M, "torque": problem.torque_density})
    return out


# ## (b) A vortex in the free layer
#
# The free layer holds a vortex (`textures.vortex`, core radius $r_c$, polarity +1,
# counter-clockwise): its axis $n(x, y)$ is $+z$ in the core and curls in-plane outside it.
# The fixed layer stays along $z$ (a perpendicular polarizer) and the top electrode
# prescribes $m = n(x, y)$. In the core the two layers are collinear, so little transverse
# accumulation and torque are produced there; away from it they are orthogonal, as in the
# $\theta = 90°$ bilayer. 1D cannot hold this texture; the nearest 1D picture is a set of
# independent columns, one 1D bilayer per radius $r$ with free axis $n(r)$. The problem is
# symmetric under rotations about $z$ (rotating space and spin together), so along the $+x$
# axis the cylindrical components $(r, \varphi, z)$ are the Cartesian $(x, y, z)$ and one
# radial line describes the whole pillar. By the same symmetry the in-plane components of
# the torque on a layer integrate to zero; its $z$ component
# $T_z = \int \lambda (M \times m)_z$ is compared with the column estimate
# $\int_0^R 2\pi r\, t_z(r)\,\mathrm{d}r$, $t_z$ the torque per unit area of the column.


def vortex_case(comm: MPI.Comm, args: argparse.Namespace) -> dict:
    """Solve (b); return line data, torques, the grid to draw (rank 0) and numbers."""
    L, R = args.length, args.radius
    texture = vortex(core_radius=args.core_radius)
    t0 = time.perf_counter()
    geo, problem, info = solve_pillar(comm, args, args.h_vortex, texture)
    zp = 1.5 * L  # mid free layer
    n = args.samples
    _, pts, m_across = sample_line(problem.m, (-0.97 * R, 0.0, zp), (0.97 * R, 0.0, zp), n)
    _, _, M_across = sample_line(problem.M, (-0.97 * R, 0.0, zp), (0.97 * R, 0.0, zp), n)
    z, _, m_axis = sample_line(problem.m, (0.0, 0.0, 0.0), (0.0, 0.0, 2 * L), n)
    _, _, m_edge = sample_line(problem.m, (0.8 * R, 0.0, 0.0), (0.8 * R, 0.0, 2 * L), n)
    torque_across = LAMBDA * np.cross(M_across, m_across)
    out = {
        "h_nm": args.h_vortex, "cells": int(geo.stats["cells"]), "dofs": dofs(problem),
        "solve_seconds": comm.allreduce(info.seconds, op=MPI.MAX),
        "x": pts[:, 0], "z": z, "m_across": m_across, "M_across": M_across,
        "torque_across": torque_across, "m_axis": m_axis, "m_edge": m_edge,
        "torque_rad_per_ps_nm3": {
            name: [float(t) for t in integrate(comm, (problem.torque_density,
                                                      problem.dx(geo.tag(name))))]
            for name in (FIXED, FREE)},
    }
    write_fields(comm, args.out / "vortex_fields.bp", s1_output_fields(problem))
    if not args.no_render:
        out["grid"] = render.gather_fields(
            geo.mesh, {"m": problem.m, "M": problem.M, "torque": problem.torque_density})
    out["case_seconds"] = comm.allreduce(time.perf_counter() - t0, op=MPI.MAX)
    return out


def local_columns(args: argparse.Namespace, radii: np.ndarray) -> dict:
    """The column picture: one 1D bilayer per radius, free axis n(r) of the vortex on +x;
    m and the torque density at mid free layer, and the torque per unit area of each layer."""
    texture = vortex(core_radius=args.core_radius)
    zp = 1.5 * args.length
    m, t_free, t_fixed, density = [], [], [], []
    quiet = logging.getLogger("fem_spin")
    level = quiet.level
    quiet.setLevel(logging.WARNING)  # many small solves: keep the log short
    for r in radii:
        n_free = texture(np.array([[r], [0.0], [0.0]]))[:, 0]
        col = bilayer_1d_column(args, n_free, zp)
        M = pillar_texture(args.length, args.l_da, uniform_axis(n_free))(
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


# ## Pictures
#
# Matplotlib (rank 0, object API, no pyplot state) draws the line data; `fem_spin.render`
# draws the 3D fields with PyVista off screen from the grid gathered to rank 0.


def plot_uniform(path: Path, args, z, m_1d, runs) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12, 4.8), layout="constrained")
    ax, ax_err = fig.subplots(1, 2, gridspec_kw={"width_ratios": [2, 1]})
    colors = ("tab:red", "tab:green", "tab:blue")
    for k, c in enumerate("xyz"):
        ax.plot(z, m_1d[:, k], "-", color=colors[k], lw=2.2, alpha=0.45,
                label=f"$m_{c}$ 1D (fine P2)")
        ax.plot(z, runs[-1]["m_axis"][:, k], "--", color=colors[k], lw=1.1,
                label=f"$m_{c}$ 3D axis, h = {runs[-1]['h_nm']:g} nm")
    if len(runs) > 1:
        ax.plot(z, runs[0]["m_axis"][:, 0], ":", color="tab:red", lw=1.0,
                label=f"$m_x$ 3D axis, h = {runs[0]['h_nm']:g} nm")
    ax.axvline(args.length, color="0.4", ls="--", lw=0.8)
    ax.text(args.length, 0.02, " spacer", transform=ax.get_xaxis_transform(), fontsize=8)
    ax.set_xlabel("z (nm)")
    ax.set_ylabel("spin accumulation m (fixed-layer frame)")
    ax.set_title(rf"(a) pillar R = {args.radius:g} nm, 2 x {args.length:g} nm, "
                 rf"$\theta$ = {args.theta:g}$^\circ$, $l_{{da}}$ = {args.l_da:g} nm")
    ax.legend(fontsize=7, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.13))
    ax.grid(alpha=0.3)
    h = np.array([r["h_nm"] for r in runs])
    e = np.array([r["rel_l2_axis_vs_1d"] for r in runs])
    lat = np.array([r["rel_l2_off_axis_vs_axis"] for r in runs])
    ax_err.loglog(h, e, "o-", label="axis: 3D vs 1D")
    ax_err.loglog(h, lat, "s--", label="3D: line at 0.8R vs axis")
    ax_err.loglog(h, e[-1] * (h / h[-1]) ** 3, ":", color="0.5",
                  label="$\\propto h^3$ (P2 rate)")
    for hi, ei, r in zip(h, e, runs, strict=True):
        ax_err.annotate(f"{r['dofs'] / 1e3:.0f}k dofs", (hi, ei), fontsize=7,
                        textcoords="offset points", xytext=(4, 4))
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    ax_err.set_xticks(h)
    ax_err.xaxis.set_major_formatter(ScalarFormatter())
    ax_err.xaxis.set_minor_formatter(NullFormatter())
    ax_err.set_xlabel("cell size h (nm)")
    ax_err.set_ylabel("relative L2 difference")
    ax_err.set_title(f"under refinement (P{args.degree})")
    ax_err.legend(fontsize=8)
    ax_err.grid(alpha=0.3, which="both")
    fig.savefig(path, dpi=120)


def plot_vortex(path: Path, args, vort, cols) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12, 4.8), layout="constrained")
    ax_m, ax_t = fig.subplots(1, 2)
    x = vort["x"]
    right = x >= 0
    labels = (("r", "tab:red"), (r"\varphi", "tab:green"), ("z", "tab:blue"))
    for ax, data, cdata, name in ((ax_m, vort["m_across"], cols["m"], "m"),
                                  (ax_t, vort["torque_across"], cols["torque_density"],
                                   r"\lambda M \times m")):
        for k, (c, color) in enumerate(labels):
            ax.plot(x[right], data[right, k], "-", color=color, label=f"3D ${name}_{{{c}}}$")
            ax.plot(cols["r"], cdata[:, k], "o", ms=3.5, color=color, mfc="none",
                    label=f"local 1D ${name}_{{{c}}}$")
        ax.axvline(args.core_radius, color="0.5", ls=":", lw=0.8)
        ax.text(args.core_radius, 0.02, " core radius", transform=ax.get_xaxis_transform(),
                fontsize=8)
        ax.set_xlabel("r (nm), along +x")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.13))
    ax_m.set_ylabel("spin accumulation (cylindrical components)")
    ax_t.set_ylabel("torque density (rad/ps)")
    ax_m.set_title(f"(b) vortex free layer, mid-layer z = {1.5 * args.length:g} nm: m")
    ax_t.set_title("s-d torque density: 3D vs independent 1D columns")
    fig.savefig(path, dpi=120)


def render_fields(args, uniform: dict, vort: dict) -> list[str]:
    """PyVista pictures of (a) and (b) (rank 0)."""
    L, R = args.length, args.radius
    zp = 1.5 * L
    xz = ((0.0, 0.0, L), (0.0, 1.0, 0.0))
    mid_free = ((0.0, 0.0, zp), (0.0, 0.0, 1.0))
    written = []
    if "grid" in uniform["runs"][-1]:
        path = args.out / "uniform_fields.png"
        render.render_panels(uniform["runs"][-1]["grid"], path, [
            render.GlyphPanel(vectors="m", plane=xz, color_by="m:x", spacing=R / 4, view="xz",
                              title="(a) m on the plane y = 0\n(colour: m_x)", cmap="coolwarm"),
            render.ScalarPanel(scalars="torque", planes=[xz, mid_free,
                                                         ((0.0, 0.0, 0.5 * L), Z)],
                               title="(a) magnitude of the torque density\n"
                                     "lambda M x m (rad/ps), slices y = 0, z = 5, 15 nm",
                               cmap="inferno"),
        ], panel_size=(700, 800))
        written.append(path.name)
    if "grid" in vort:
        path = args.out / "vortex_fields.png"
        render.render_panels(vort["grid"], path, [
            render.GlyphPanel(vectors="M", plane=mid_free, color_by="M:z", spacing=R / 6,
                              view="xy", title=f"(b) M at z = {zp:g} nm (colour: M_z)",
                              cmap="coolwarm"),
            render.GlyphPanel(vectors="m", plane=mid_free, color_by="m:z", spacing=R / 6,
                              view="xy", title=f"(b) m at z = {zp:g} nm (colour: m_z)",
                              cmap="coolwarm"),
            render.ScalarPanel(scalars="torque",
                               planes=[xz, ((0.0, 0.0, L + 1.0), Z), mid_free],
                               title="(b) magnitude of lambda M x m (rad/ps)\n"
                                     f"slices y = 0, z = {L + 1:g}, {zp:g} nm",
                               cmap="inferno"),
        ], panel_size=(700, 700))
        written.append(path.name)
    return written


# ## What comes out (default settings)
#
# (a) The axis profile of the 3D pillar matches the 1D bilayer: relative L2 differences
# 0.47, 0.20, 0.052, 0.018 for h = 2, 1.4, 1, 0.8 nm (6k to 70k P2 unknowns), about the
# rate $h^3$ of P2 and the same size as the (spurious) difference between the axis and a
# line at $0.8R$, while the 1D reference itself is converged to $10^{-5}$. The torques on
# the two layers agree with the 1D torque per unit area times the cross-section to 1.5 %.
# The small sample shows the paper's large transverse accumulation ($|m_x|$ up to 5).
#
# (b) With the vortex the accumulation in the free layer varies across the pillar as much as
# it varies at all (lateral variation 1.0, against 0.002 for uniform layers), and the
# independent-column picture is far off: the columns predict a transverse accumulation
# $m_r pprox -4.8$ outside the core (as the $	heta = 90°$ bilayer) and a torque
# $T_z pprox -7200$ rad/ps nm$^3$ on the free layer; in 3D $m_r$ nearly vanishes and
# $T_z pprox -100$. The reason is lateral diffusion: as the vortex's axis turns around
# the core, the spin component along the local axis, which diffuses with the full $D$, is
# relaxed at the rate $D / r^2$ (10-100 ps$^{-1}$ for $r$ = 3-10 nm), far above the
# spin-flip rate $1/\tau = 0.1$ ps$^{-1}$ that sets the scale of the 1D transverse
# accumulation: the column picture needs $r \gtrsim l_{sf}$. (A pillar of radius 12 nm
# gives the same picture.)

# ## Driver
#
# `simulate` owns every DOLFINx/PETSc object (inside the case functions) and returns numpy
# data only; garbage is collected after each case on every rank, so PETSc objects, which are
# destroyed collectively, go away at the same point everywhere.


def simulate(comm: MPI.Comm, args: argparse.Namespace) -> tuple[dict, dict, dict, dict]:
    L = args.length
    z = np.linspace(0.0, 2 * L, args.samples)
    n_right = bilayer_axis_right(np.deg2rad(args.theta))
    m_1d = bilayer_1d_profile(args, n_right, z)
    m_1d_coarser = bilayer_1d_profile(args, n_right, z, h=0.1)
    gc.collect()
    runs = []
    for h in args.h_list:
        runs.append(uniform_case(comm, args, h, z, m_1d, finest=h == args.h_list[-1]))
        gc.collect()
        log.info("(a) h = %g nm: %d dofs, solve %.2f s, axis vs 1D %.3e, off-axis vs axis "
                 "%.3e", h, runs[-1]["dofs"], runs[-1]["solve_seconds"],
                 runs[-1]["rel_l2_axis_vs_1d"], runs[-1]["rel_l2_off_axis_vs_axis"])
    uniform = {"z": z, "m_1d": m_1d, "runs": runs,
               "reference_error": relative_l2(z, m_1d_coarser, m_1d)}
    column = bilayer_1d_column(args, n_right, L)  # torque per unit area of the 1D bilayer
    gc.collect()
    torque_1d = {name: runs[-1]["area_nm2"] * np.asarray(column["torque"][name])
                 for name in (FIXED, FREE)}
    vort = vortex_case(comm, args)
    gc.collect()
    cols = local_columns(args, np.linspace(0.0, args.radius, args.columns))
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
            "core_radius_nm": args.core_radius,
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


def write_outputs(comm, args, uniform, vort, cols) -> None:
    """CSV line data (rank 0 writes; the data are the same on every rank)."""
    z, m3, m1 = uniform["z"], uniform["runs"][-1]["m_axis"], uniform["m_1d"]
    write_csv(comm, args.out / "uniform_axis.csv", {
        "z": z, "mx": m3[:, 0], "my": m3[:, 1], "mz": m3[:, 2],
        "mx_1d": m1[:, 0], "my_1d": m1[:, 1], "mz_1d": m1[:, 2]})
    write_csv(comm, args.out / "vortex_axis.csv", {
        "z": vort["z"], "mx": vort["m_axis"][:, 0], "my": vort["m_axis"][:, 1],
        "mz": vort["m_axis"][:, 2]})
    x, m, T = vort["x"], vort["m_across"], vort["torque_across"]
    write_csv(comm, args.out / "vortex_mid_free.csv", {
        "x": x, "mx": m[:, 0], "my": m[:, 1], "mz": m[:, 2],
        "Tx": T[:, 0], "Ty": T[:, 1], "Tz": T[:, 2]})
    write_csv(comm, args.out / "vortex_local_1d.csv", {
        "r": cols["r"], "mx": cols["m"][:, 0], "my": cols["m"][:, 1], "mz": cols["m"][:, 2],
        "Tx": cols["torque_density"][:, 0], "Ty": cols["torque_density"][:, 1],
        "Tz": cols["torque_density"][:, 2]})


def main(argv: list[str] | None = None) -> dict:
    """Run the demo; returns the summary (also written to ``<out>/summary.json``)."""
    args = parse_args(argv)
    configure_logging()
    comm = MPI.COMM_WORLD
    t0 = time.perf_counter()
    prepare_run_folder(comm, args.out)  # removes a stale summary.json
    wavelength = 2 * np.pi * L_SF / A_MAX
    log.info("3D pillar: R = %g nm, L = %g nm, l_da = %g nm, transverse wavelength %.2f nm; "
             "resolutions %s nm (P%d)", args.radius, args.length, args.l_da, wavelength,
             args.h_list, args.degree)

    uniform, vort, cols, results = simulate(comm, args)
    write_outputs(comm, args, uniform, vort, cols)
    pictures = []
    if comm.rank == 0:
        plot_uniform(args.out / "uniform_axis.png", args, uniform["z"], uniform["m_1d"],
                     uniform["runs"])
        plot_vortex(args.out / "vortex_profiles.png", args, vort, cols)
        pictures = ["uniform_axis.png", "vortex_profiles.png", *render_fields(args, uniform,
                                                                              vort)]
    summary = {
        "demo": "pillar_3d",
        "reading": "(i) m_eq = 0, Dirichlet m = -z (bottom electrode), m = +n (top electrode), "
                   "no spin current through the side wall",
        "parameters": {
            "theta_deg": args.theta, "layer_thickness_nm": args.length,
            "radius_nm": args.radius, "l_da_nm": args.l_da, "l_sf_nm": L_SF,
            "D_nm2_per_ps": D, "tau_ps": TAU, "lambda_rad_per_ps": LAMBDA, "a_max": A_MAX,
            "transverse_wavelength_nm": wavelength, "degree": args.degree,
            "mpi_ranks": comm.size,
        },
        "results": results,
        "pictures": comm.bcast(pictures, root=0),
    }
    summary["wall_seconds"] = comm.allreduce(time.perf_counter() - t0, op=MPI.MAX)
    write_json(comm, args.out / "summary.json", summary)
    res = results["uniform"]["resolutions"]
    log.info("(a) axis vs 1D: %s; (b) lateral variation %.3f (uniform %.3g), torque_z free "
             "3D %.4g vs local 1D %.4g; %.1f s, output in %s",
             ", ".join(f"h={r['h_nm']:g}: {r['rel_l2_axis_vs_1d']:.2e}" for r in res),
             results["vortex"]["lateral_variation_m_mid_free"],
             results["vortex"]["lateral_variation_m_mid_free_uniform"],
             results["vortex"]["torque_rad_per_ps_nm3"][FREE][2],
             results["vortex"]["torque_z_local_1d_rad_per_ps_nm3"][FREE],
             summary["wall_seconds"], args.out)
    return summary


if __name__ == "__main__":
    main()
