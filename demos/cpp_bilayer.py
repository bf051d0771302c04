# # Spin accumulation in a CPP bilayer with non-collinear magnetizations
#
# This demo reproduces the current-perpendicular-to-plane (CPP) bilayer of the paper's
# Sec. VI (Figs. 5-11) with fem_spin: two ferromagnetic layers of length $L$ on $[-L, 0]$
# and $[0, L]$ (x in nm), separated by a non-magnetic spacer of zero thickness at $x = 0$.
# It shows how to
#
# - describe the study in a case file (`examples/cpp_bilayer.toml`) and change it from code,
# - run it with the case runner (`fem_spin.app.run_study`: mesh, solve, write),
# - compute the paper's observables from what the runner wrote.
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
# Because $|M| = 0$ at the spacer, $M$ is continuous: $H(x)$ is simply a vector field in the
# global (left-layer) frame, the frame in which the components of $m$ are reported.
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
# so $\lambda = 10$ rad/ps (`fem_spin.paper.parameters`). The transverse accumulation then
# oscillates with wavelength $2\pi l_{sf}/a \approx 6.3$ nm while it decays over $l_{sf}$:
# the mesh must resolve that wavelength everywhere and the interface width at the spacer.

# +
from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

import fem_spin  # noqa: F401  (first: it loads the PETSc/MPI stack in order)

# isort: split

import numpy as np
from mpi4py import MPI

from fem_spin.app import run_study
from fem_spin.app.cli import example_path
from fem_spin.app.schema import load_case
from fem_spin.log import configure_logging
from fem_spin.output import write_json
from fem_spin.paper import parameters as paper
from fem_spin.paper.bilayer import CASE_FILES, READINGS, BilayerCase, case_overrides, transverse
from fem_spin.plotting import bilayer_profile_figure, save

log = logging.getLogger("fem_spin.demos.cpp_bilayer")
# -

# ## Command line
#
# All lengths in nm, the angle in degrees. The defaults are the paper's sharp interface
# ($l_{da} = 0.6$ nm) and orthogonal magnetizations: exactly `examples/cpp_bilayer.toml`.


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Spin accumulation in a CPP bilayer (paper Sec. "
                                            "VI), written to --out.")
    p.add_argument("--theta", type=float, default=90.0, help="angle of the right layer's axis "
                   "to the left one (degrees)")
    p.add_argument("--l-da", type=float, default=paper.L_DA, help="interface width (nm)")
    p.add_argument("--length", type=float, default=100.0, help="layer length L (nm)")
    p.add_argument("--reading", choices=list(READINGS), default="i", help="drive: (i) end "
                   "data, m_eq = 0; (ii) m_eq = -z / +n_R; (iii) m_eq = -M / +M")
    p.add_argument("--h-max", type=float, default=paper.H_MAX, help="largest cell size (nm)")
    p.add_argument("--degree", type=int, default=2, help="Lagrange degree of m")
    p.add_argument("--samples", type=int, default=4001, help="points of profile.csv")
    p.add_argument("--out", type=Path, default=Path("output/cpp_bilayer"), help="folder")
    args = p.parse_args(argv)
    if min(args.l_da, args.length, args.h_max) <= 0 or args.degree < 1 or args.samples < 3:
        p.error("--l-da, --length, --h-max must be positive, --degree >= 1, --samples >= 3")
    return args


# ## The case file
#
# `examples/cpp_bilayer.toml` describes this bilayer for the case runner (readings (ii) and
# (iii): `bilayer_reading_ii.toml`, `bilayer_reading_iii.toml`). Its mesh is
# `mesher = "graded"`: nodes graded from the spacer, where the cell size is $l_{da}/10$,
# growing by 0.15 times the distance to it up to `h_max`, mirror-symmetric about the
# spacer (`fem_spin.geometry.interval.stack_nodes`; thirteen cells across $3 l_{da}$, where
# $|M|$ reaches 0.995). `case_overrides` turns the command line into the case file's
# `--set` overrides, as `fem-spin run examples/cpp_bilayer.toml --set ...` would.
#
# ## Symmetry of the solution
#
# Let $R$ be the rotation by $\pi$ about the bisector $b = R_x(\theta/2) z$ of the two axes:
# it swaps $z$ and $n_R$. Since $R(u \times w) = Ru \times Rw$ and $H(-x) = R H(x)$, the
# field $-R\, m(-x)$ solves the same problem with the same end values, so by uniqueness
# $m(x) = -R\, m(-x)$; the mirror-symmetric mesh keeps this in the discrete solution (the
# tests check it; `fem_spin.paper.bilayer.bisector_rotation(theta)` gives $R$). For
# $\theta = 0$, $H \parallel z$ everywhere, the transverse components vanish identically and
# (reading (i)) $m_z = \sinh(x/l_{sf}) / \sinh(L/l_{sf})$ whatever the interface.
#
# ## Solve and observables
#
# `run_study` meshes, solves and writes into `--out`: `profile.csv` (s, x, m and M along the
# line), the VTX folders `fields.bp` and `fields_J.bp` (m, H, m_eq, M and the spin current
# J, for ParaView), `input.toml` / `input.resolved.toml`, and returns its summary with the
# mesh, the solver's report and, per layer, the s-d torque $\int \lambda M \times m
# \,\mathrm{d}x$ (Eq. 79, rad/ps nm). The peak of the transverse accumulation
# $m_\perp = m - (m\cdot n)\,n$, relative to the local axis $n(x)$, comes from the profile.


def simulate(comm: MPI.Comm, args: argparse.Namespace, case: BilayerCase) -> dict:
    """Run the case file of ``case`` into ``args.out``; returns the demo's summary."""
    overrides = [*case_overrides(case, h_max=args.h_max, degree=args.degree,
                                 samples=args.samples), "outputs.pictures=false"]
    run, results = run_study(load_case(example_path(CASE_FILES[case.reading]), overrides),
                             comm, args.out, command=["demos/cpp_bilayer.py"])
    line = results.lines["profile"]  # full precision (profile.csv holds 10 digits)
    x, m = line["x"], np.column_stack([line["mx"], line["my"], line["mz"]])
    perp = transverse(x, m, case.n_right)
    i = int(np.nanargmax(perp))
    torque = {side: run["regions"][f"fm_{side}"]["torque"] for side in ("left", "right")}
    return {
        "demo": "cpp_bilayer",
        "reading": f"({case.reading}) {READINGS[case.reading]}",
        "case_file": f"examples/{CASE_FILES[case.reading]}.toml", "overrides": overrides,
        "parameters": {
            "theta_deg": case.theta, "length_nm": case.length, "l_da_nm": case.l_da,
            "l_sf_nm": paper.L_SF, "D_nm2_per_ps": paper.D, "tau_ps": paper.TAU,
            "lambda_rad_per_ps": paper.LAMBDA, "a_max": paper.A_MAX,
            "n_right": [float(c) for c in case.n_right]},
        "discretization": {
            "degree": args.degree, "h_max_nm": args.h_max, "h_min_nm": run["mesh"]["h_min"],
            "cells": int(run["mesh"]["cells"]), "dofs": run["mesh"]["dofs"],
            "mpi_ranks": comm.size},
        "solve": run["solve"],
        "results": {
            "peak_m_perp": float(perp[i]), "peak_m_perp_x_nm": float(x[i]),
            "peak_abs_m_left_frame": {c: float(np.nanmax(np.abs(m[:, k])))
                                      for k, c in enumerate("xyz")},
            "torque_rad_per_ps_nm": torque},
        "x": x, "m": m,
    }


# ## Driver
#
# Only rank 0 draws the picture `profile.png` (the components against x, and near the
# spacer, where the transverse accumulation oscillates with wavelength $2\pi l_{sf}/a$).
# `summary.json`, written last, marks a complete run.


def main(argv: list[str] | None = None) -> dict:
    """Run the demo; returns the summary (also written to ``<out>/summary.json``)."""
    args = parse_args(argv)
    configure_logging()
    comm = MPI.COMM_WORLD
    t0 = time.perf_counter()
    case = BilayerCase(theta=args.theta, length=args.length, l_da=args.l_da,
                       reading=args.reading)
    wavelength = paper.WAVELENGTH
    log.info("CPP bilayer: theta = %g deg, L = %g nm, l_da = %g nm; transverse wavelength "
             "%.2f nm = %.1f cells of h_max", args.theta, args.length, args.l_da, wavelength,
             wavelength / args.h_max)
    if args.h_max > wavelength / 10:
        log.warning("h_max = %g nm does not resolve the transverse wavelength %.2f nm well: "
                    "the profile is qualitative only", args.h_max, wavelength)

    summary = simulate(comm, args, case)
    x, m = summary.pop("x"), summary.pop("m")
    if comm.rank == 0:
        save(bilayer_profile_figure(
            x, m, length=args.length, l_da=args.l_da,
            title=rf"CPP bilayer ({args.reading}), $\theta$ = {args.theta:g}$^\circ$, "
                  rf"$L$ = {args.length:g} nm, $l_{{da}}$ = {args.l_da:g} nm"),
             args.out / "profile.png", dpi=120)
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
