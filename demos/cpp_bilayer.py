# # Spin accumulation in a CPP bilayer with non-collinear magnetizations
#
# This demo reproduces the current-perpendicular-to-plane (CPP) bilayer of the paper's
# Sec. VI (Figs. 5-11) with fem_spin: two ferromagnetic layers of length $L$ on $[-L, 0]$
# and $[0, L]$ (x in nm), separated by a non-magnetic spacer of zero thickness at $x = 0$.
# It shows how to
#
# - build a 1D layered mesh graded towards the spacer,
# - interpolate a non-uniform magnetization texture $M(x)$,
# - solve the steady generalized spin-diffusion equation S1 with Dirichlet data,
# - sample a profile that is global under MPI, and write CSV, PNG, VTX and JSON output.
#
# ## The equation
#
# The spin accumulation $m(x) \in \mathbb{R}^3$ obeys (paper Eq. 71-75, `shared/physics.md`)
#
# $$
# -\frac{d}{dx}\left(\tilde D(x)\,\frac{dm}{dx}\right) + \frac{m - m_\mathrm{eq}}{\tau}
#   + H(x) \times m = 0,
# \qquad \tilde D = D\,A^{-1}(H), \quad A = I + \tau\,[H]_\times ,
# $$
#
# with the local field $H = \lambda M$ of the localized moments (no external field). The
# diffusion tensor $\tilde D$ rotates spin as it diffuses: along the local axis it is $D$,
# across it $D/(1+a^2)$ with an off-diagonal $D a/(1+a^2)$, where $a = \tau |H|$ (Eq. 90-91).
#
# The reduced magnetization is $M(x) = \tanh(|x|/l_{da})\, n(x)$: the axis $n = z$ in the
# left layer and $n_R = R_x(\theta) z = (0, -\sin\theta, \cos\theta)$ in the right layer;
# its magnitude falls to zero at the spacer over the interface width $l_{da}$ (Fig. 5).
# Because $|M| = 0$ at the spacer, $M$ is continuous and the change of axis needs no special
# treatment: $H(x)$ is simply a vector field in the global (left-layer) frame, the frame in
# which the components of $m$ are reported.
#
# By default we use reading (i) of `shared/physics.md`: $m_\mathrm{eq} = 0$, and the
# accumulation is driven by the electrodes, $m(-L) = -z$ and $m(L) = +n_R$ (all three
# components). `--reading ii` or `iii` adds a bulk $m_\mathrm{eq}$ along $\mp$ the local axis
# (the same end data); `bilayer_sweeps.py` explains the three readings and compares them.
#
# ## Weak form
#
# Find $m \in [H^1(-L, L)]^3$ with $m(-L) = -z$, $m(L) = n_R$ such that for all
# $v \in [H^1_0(-L, L)]^3$
#
# $$
# \int_{-L}^{L} \tilde D\, m' \cdot v' \,\mathrm{d}x
#   + \int_{-L}^{L} \left(\frac{m}{\tau} + H \times m\right) \cdot v \,\mathrm{d}x = 0 .
# $$
#
# The problem is linear; fem_spin solves it with one Newton step of PETSc SNES (LU/MUMPS).
#
# ## Parameters
#
# The paper's $l_{sf} = \sqrt{D\tau} = 100$ nm, $D = 10^{-3}$ m$^2$/s $= 10^3$ nm$^2$/ps,
# hence $\tau = 10$ ps, and $a_\mathrm{max} = \tau\lambda = 100$ in the saturated layers,
# so $\lambda = 10$ rad/ps. The transverse accumulation then oscillates with wavelength
# $2\pi l_{sf}/a \approx 6.3$ nm (while it decays over $l_{sf}$): the mesh must resolve that
# wavelength everywhere and the interface width $l_{da}$ at the spacer.

# +
from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

import fem_spin as fs  # first: it loads the PETSc/MPI stack in order

# isort: split

import numpy as np
from mpi4py import MPI

from fem_spin.paper.bilayer import (  # the model, shared with bilayer_sweeps.py
    A_MAX,
    L_SF,
    LAMBDA,
    READINGS,
    TAU,
    BilayerCase,
    D,
    bisector_rotation,
    build_bilayer,
    transverse,
)
from fem_spin.log import configure_logging
from fem_spin.geometry.interval import Geometry
from fem_spin.observables.sampling import integrate, sample_line
from fem_spin.output import (
    prepare_run_folder,
    s1_output_fields,
    write_csv,
    write_fields,
    write_json,
)
from fem_spin.plotting import save
from fem_spin.textures import bilayer_axis_right

log = logging.getLogger("fem_spin.demos.cpp_bilayer")

__all__ = [
    "A_MAX",
    "LAMBDA",
    "L_SF",
    "TAU",
    "D",
    "bilayer_axis_right",
    "bisector_rotation",
    "main",
    "transverse",
]
# -

# ## Command line
#
# All lengths in nm, the angle in degrees. The defaults are the paper's sharp interface
# ($l_{da} = 0.6$ nm) and orthogonal magnetizations.


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Spin accumulation in a CPP bilayer (paper Sec. VI), written to --out.")
    parser.add_argument("--theta", type=float, default=90.0,
                        help="angle of the right layer's axis to the left one (degrees)")
    parser.add_argument("--l-da", type=float, default=0.6,
                        help="interface width l_da of |M| at the spacer (nm)")
    parser.add_argument("--length", type=float, default=100.0, help="layer length L (nm)")
    parser.add_argument("--reading", choices=list(READINGS), default="i",
                        help="drive: (i) end data, m_eq = 0; (ii) m_eq = -z / +n_R; "
                             "(iii) m_eq = -M / +M (see bilayer_sweeps.py)")
    parser.add_argument("--h-max", type=float, default=0.3, help="largest cell size (nm)")
    parser.add_argument("--degree", type=int, default=2, help="Lagrange degree of m")
    parser.add_argument("--samples", type=int, default=4001,
                        help="points of the line profile written to profile.csv")
    parser.add_argument("--out", type=Path, default=Path("output/cpp_bilayer"),
                        help="output folder")
    args = parser.parse_args(argv)
    for name in ("l_da", "length", "h_max"):
        if not getattr(args, name) > 0:
            parser.error(f"--{name.replace('_', '-')} must be positive (nm)")
    if args.degree < 1:
        parser.error("--degree must be >= 1")
    if args.samples < 3:
        parser.error("--samples must be >= 3")
    return args


# ## Mesh
#
# The nodes are graded from the spacer, where the cell size is $l_{da}/10$, growing by 0.15
# times the distance to it up to `h_max` (seven cells across $l_{da} = 0.6$ nm, thirteen
# across $3 l_{da}$, where $|M|$ reaches 0.995). The right layer's nodes
# are mirrored onto the left layer: the mesh is symmetric about the spacer, and so is the
# discrete problem (see the symmetry below). The node at $x = 0$ makes the kink of $|M|$ a
# mesh node. (`fem_spin.paper.bilayer.BilayerCase.nodes(h_max)`; the model is built by
# `fem_spin.paper.bilayer`, which the sweeps of `bilayer_sweeps.py` share.)
#
# ## Symmetry of the solution
#
# Let $R$ be the rotation by $\pi$ about the bisector $b = R_x(\theta/2) z$ of the two axes:
# it swaps $z$ and $n_R$. Since $R(u \times w) = Ru \times Rw$ and $H(-x) = R H(x)$, the
# field $-R\, m(-x)$ solves the same problem with the same end values, so by uniqueness
#
# $$ m(x) = -R\, m(-x) . $$
#
# For $\theta = 0$ this says $m_z$ is odd; there $H \parallel z$ everywhere, the transverse
# components vanish identically and (reading (i)) $m_z = \sinh(x/l_{sf}) / \sinh(L/l_{sf})$,
# independent of the interface: $\tilde D_{zz} = D$ whatever $a(x)$. The symmetry holds in the
# three readings, whose $m_\mathrm{eq}$ satisfies $m_\mathrm{eq}(-x) = -R\,m_\mathrm{eq}(x)$
# too (`fem_spin.paper.bilayer.bisector_rotation(theta)` gives $R$).
#
# ## Solve


def solve_bilayer(comm: MPI.Comm, args: argparse.Namespace) -> tuple:
    """Build the mesh and S1 problem for ``args`` (`fem_spin.paper.bilayer.build_bilayer`: the
    texture interpolated into the space of m, one material per layer, the end data) and solve.

    Returns:
        ``(geometry, problem, solve info, n_R)``.
    """
    case = BilayerCase(theta=args.theta, length=args.length, l_da=args.l_da,
                       reading=args.reading)
    geo, problem = build_bilayer(comm, case, h_max=args.h_max, degree=args.degree)
    info = problem.solve()
    return geo, problem, info, case.n_right


# ## Observables
#
# The profile is sampled on every rank (`sample_line` gathers each point from the rank that
# owns it). The transverse accumulation $m_\perp = m - (m\cdot n)\,n$ is taken relative to
# the local axis $n(x)$. The s-d torque on the magnetization of each layer is
# $\int \lambda M \times m \,\mathrm{d}x$ (Eq. 79), in rad/ps $\cdot$ nm.


def observables(geo: Geometry, problem: fs.SteadySpinDiffusion, x: np.ndarray, m: np.ndarray,
                n_right: np.ndarray) -> dict:
    """Peak transverse accumulation (from the profile) and the s-d torque on each layer."""
    perp = transverse(x, m, n_right)
    i = int(np.nanargmax(perp))
    torque = {name: integrate(geo.mesh.comm, (problem.torque_density, problem.dx(geo.tags[name])))
              for name in ("left", "right")}
    return {
        "peak_m_perp": float(perp[i]),
        "peak_m_perp_x_nm": float(x[i]),
        "peak_abs_m_left_frame": {c: float(np.nanmax(np.abs(m[:, k])))
                                  for k, c in enumerate("xyz")},
        "torque_rad_per_ps_nm": {name: [float(t) for t in value] for name, value in torque.items()},
    }


# ## Picture
#
# As in the paper's figures: the components in the left layer's frame against x in nm, the
# spacer marked; the right panel zooms on the spacer, where the transverse accumulation
# oscillates with wavelength $2\pi l_{sf}/a$. Only rank 0 draws (matplotlib's object API,
# no pyplot state, Agg canvas).


def plot_profile(path: Path, x: np.ndarray, m: np.ndarray, args: argparse.Namespace) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 4), layout="constrained")
    axes = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    zoom = min(args.length, 25.0)
    styles = [("$m_x$", "tab:red", "-"), ("$m_y$", "tab:green", "-"), ("$m_z$", "tab:blue", "-")]
    for ax, xlim in zip(axes, [(-args.length, args.length), (-zoom, zoom)], strict=True):
        for k, (label, color, ls) in enumerate(styles):
            ax.plot(x, m[:, k], ls, color=color, lw=1.2, label=label)
        ax.axvline(0.0, color="0.4", ls="--", lw=0.8)
        ax.text(0.0, 0.03, "spacer ", transform=ax.get_xaxis_transform(), rotation=90,
                ha="right", va="bottom", fontsize=8, color="0.3")
        ax.axhline(0.0, color="0.8", lw=0.6)
        ax.set_xlim(*xlim)
        ax.set_xlabel("x (nm)")
        ax.grid(alpha=0.3)
    # the interface profile |M| = a(x) / a_max (paper Fig. 5)
    axes[1].plot(x, np.tanh(np.abs(x) / args.l_da), ":", color="0.5", lw=1.0, label="$|M|$")
    axes[0].set_ylabel("spin accumulation $m$ (left-layer frame)")
    axes[1].legend(loc="lower right", fontsize=8)
    axes[0].set_title(rf"CPP bilayer ({args.reading}), $\theta$ = {args.theta:g}$^\circ$, "
                      rf"$L$ = {args.length:g} nm, $l_{{da}}$ = {args.l_da:g} nm")
    axes[1].set_title("near the spacer")
    save(fig, path, dpi=120)  # PNG with a 256-colour palette


# ## Driver
#
# Everything is written into `--out`: `profile.csv` (x, mx, my, mz), `profile.png`, the VTX
# folder `fields.bp` (m, H, m_eq, M and the spin current J, for ParaView) and, last,
# `summary.json`, which marks a complete run.
#
# `simulate` owns every DOLFINx/PETSc object and returns only numpy data and numbers, so
# these objects are freed when it returns, at the same point on every rank. PETSc destroys
# them collectively: a reference that outlived them on one rank only would make the others
# wait forever (drawing inside `main` on rank 0 does that: matplotlib leaves a reference
# cycle through the caller's frames, which only a later garbage collection frees).


def simulate(comm: MPI.Comm, args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray, dict]:
    """Solve, write the CSV and VTX files; return the profile ``x`` (n,), ``m`` (n, 3) and the
    summary entries (the same on every rank: times are the slowest rank's)."""
    geo, problem, info, n_right = solve_bilayer(comm, args)
    _, points, m = sample_line(problem.m, (-args.length,), (args.length,), args.samples)
    x = points[:, 0]
    write_csv(comm, args.out / "profile.csv", {"x": x, "mx": m[:, 0], "my": m[:, 1],
                                               "mz": m[:, 2]})
    write_fields(comm, args.out / "fields.bp", s1_output_fields(problem))

    h = np.diff(BilayerCase(theta=args.theta, length=args.length, l_da=args.l_da)
                .nodes(args.h_max))
    summary = {
        "demo": "cpp_bilayer",
        "reading": f"({args.reading}) {READINGS[args.reading]}",
        "parameters": {
            "theta_deg": args.theta, "length_nm": args.length, "l_da_nm": args.l_da,
            "l_sf_nm": L_SF, "D_nm2_per_ps": D, "tau_ps": TAU, "lambda_rad_per_ps": LAMBDA,
            "a_max": A_MAX, "n_right": [float(c) for c in n_right],
        },
        "discretization": {
            "degree": args.degree, "h_max_nm": args.h_max, "h_min_nm": float(h.min()),
            "cells": len(h),
            "dofs": problem.V.dofmap.index_map.size_global * problem.V.dofmap.index_map_bs,
            "mpi_ranks": comm.size,
        },
        "solve": {"reason": info.reason, "newton_iterations": info.newton_iterations,
                  "residual_norms": list(info.residual_norms),
                  "seconds": comm.allreduce(info.seconds, op=MPI.MAX)},
        "results": observables(geo, problem, x, m, n_right),
    }
    problem.close()  # free the PETSc solver now, on every rank together
    return x, m, summary


def main(argv: list[str] | None = None) -> dict:
    """Run the demo; returns the summary (also written to ``<out>/summary.json``)."""
    args = parse_args(argv)
    configure_logging()
    comm = MPI.COMM_WORLD
    t0 = time.perf_counter()
    prepare_run_folder(comm, args.out)  # removes a stale summary.json

    wavelength = 2 * np.pi * L_SF / A_MAX
    log.info("CPP bilayer: theta = %g deg, L = %g nm, l_da = %g nm; transverse wavelength "
             "%.2f nm = %.1f cells of h_max", args.theta, args.length, args.l_da, wavelength,
             wavelength / args.h_max)
    if args.h_max > wavelength / 10:
        log.warning("h_max = %g nm does not resolve the transverse wavelength %.2f nm well: "
                    "the profile is qualitative only", args.h_max, wavelength)

    x, m, summary = simulate(comm, args)
    if comm.rank == 0:
        plot_profile(args.out / "profile.png", x, m, args)
    summary["wall_seconds"] = comm.allreduce(time.perf_counter() - t0, op=MPI.MAX)
    write_json(comm, args.out / "summary.json", summary)

    r = summary["results"]
    log.info("peak |m_perp| = %.4g at x = %.3g nm; torque left %s, right %s (rad/ps nm); "
             "%d dofs, %.2f s; output in %s", r["peak_m_perp"], r["peak_m_perp_x_nm"],
             np.round(r["torque_rad_per_ps_nm"]["left"], 5),
             np.round(r["torque_rad_per_ps_nm"]["right"], 5),
             summary["discretization"]["dofs"], summary["wall_seconds"], args.out)
    return summary


if __name__ == "__main__":
    main()
