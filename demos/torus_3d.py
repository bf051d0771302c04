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
import logging
import time
from pathlib import Path

import fem_spin  # noqa: F401  (first: it loads the PETSc/MPI stack in order)

# isort: split
import numpy as np
from mpi4py import MPI

from fem_spin.log import configure_logging
from fem_spin.output import prepare_run_folder, write_csv, write_json
from fem_spin.paper.parameters import L_SF, TAU, D
from fem_spin.paper.torus import M0, TorusStudy, plot_profiles, render_fields, simulate
from fem_spin.physics import scales

log = logging.getLogger("fem_spin.demos.torus_3d")
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
    args.study = TorusStudy(
        radius=args.radius, thin=args.thin, thick=args.thick, a_max=args.a_max,
        l_da=args.l_da, h_list=tuple(args.h_list), h_thick=args.h_thick, degree=args.degree,
        samples=args.samples, render=not args.no_render, out=args.out)
    return args


# ## The study
#
# `fem_spin.paper.torus` holds the pieces. The 1D ring is a circle of radius $\rho$ with P2
# elements on curved cells (0.05 nm long), solved on every rank separately
# (`MPI.COMM_SELF`, tiny); its solution is read off at the dofs and interpolated
# (periodically, linearly) to any azimuth. The torus is meshed in four sectors
# (`fem_spin.geometry.rings.torus`), $M$ is interpolated into the space of $m$, and the
# solution is sampled on circles (`observables.sample_points`: each point evaluated on a
# rank owning a cell that contains it, then shared): the centreline, $\rho = R \pm 0.8 r$
# in the mid-plane, and height $z = 0.8 r$ over the centreline. `simulate` solves the thin
# torus at each cell size of `--resolutions` and the thick torus once; it keeps every
# DOLFINx/PETSc object inside the case functions and returns numpy data only. The case
# file `examples/torus_3d.toml` is this thin torus for the case runner, meshed as one sector
# and sampled along a polygon: the demo needs its circles and four sectors (the corners on
# mesh faces), so it solves the torus itself.
#
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
# Rank 0 draws `torus_profiles.png` (centrelines against the 1D ring, the thick torus
# across its tube) and the PyVista pictures `torus_<thin|thick>_fields.png`.


def main(argv: list[str] | None = None) -> dict:
    """Run the demo; returns the summary (also written to ``<out>/summary.json``)."""
    args = parse_args(argv)
    st = args.study
    configure_logging()
    comm = MPI.COMM_WORLD
    t0 = time.perf_counter()
    prepare_run_folder(comm, args.out)  # removes a stale summary.json
    wavelength = scales.transverse_wavelength(L_SF, args.a_max)
    log.info("3D torus: R = %g nm, tubes %g and %g nm, a_max = %g (transverse wavelength "
             "%.1f nm), l_da = %g nm", args.radius, args.thin, args.thick, args.a_max,
             wavelength, args.l_da)

    phi, ring, thin_runs, thick, results = simulate(comm, st)
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
        plot_profiles(args.out / "torus_profiles.png", st, phi, ring, thin, thick)
        pictures = ["torus_profiles.png", *render_fields(st, thin, thick)]
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
