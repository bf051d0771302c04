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
import logging
import time
from pathlib import Path

import fem_spin  # noqa: F401  (first: it loads the PETSc/MPI stack in order)

# isort: split
from mpi4py import MPI

from fem_spin.log import configure_logging
from fem_spin.output import prepare_run_folder, write_json
from fem_spin.paper import pillar, pillar_pictures
from fem_spin.paper.parameters import A_MAX, L_SF, LAMBDA, TAU, WAVELENGTH, D

log = logging.getLogger("fem_spin.demos.pillar_3d")
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
    args.study = pillar.PillarStudy(
        theta=args.theta, l_da=args.l_da, length=args.length, radius=args.radius,
        h_list=tuple(args.h_list), h_vortex=args.h_vortex, core_radius=args.core_radius,
        degree=args.degree, samples=args.samples, columns=args.columns,
        render=not args.no_render, out=args.out)
    return args


# ## Magnetization and the problem
#
# `pillar_texture` composes the interface profile of `layered_magnetization` (its
# magnitude) with the axis of each layer; the free layer's axis may vary across the pillar.
# The same function serves the 1D columns of (b) with the pillar's $z$ as the 1D coordinate.
# (`fem_spin.paper.pillar.pillar_texture`; `solve_pillar` meshes the pillar with
# `fem_spin.geometry.pillar.nanopillar`, interpolates $M$ and solves with the electrode data.)
#
# ## The 1D bilayer
#
# The reference of (a) and the columns of (b) are 1D bilayers on $[0, 2L]$ (the pillar's $z$)
# with a fine graded P2 mesh (cells of $l_{da}/20$ at the spacer, 0.05 nm elsewhere).
# They are tiny, so every rank solves them on its own (`MPI.COMM_SELF`): the results are the
# same everywhere without communication.
#
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
#
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
#
# ## Why not the case runner
#
# `examples/pillar_3d.toml` and `examples/pillar_vortex.toml` are (a) at h = 1 nm and (b)
# for `fem-spin run`. The demo compares several meshes with a 1D reference along lines of
# its own and draws the gathered fields; the runner returns its numbers and writes its
# lines as CSV (ten digits), so the demo solves through `fem_spin.paper.pillar`, which keeps
# the solutions in memory until the comparisons are made.
#
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
# $m_r \approx -4.8$ outside the core (as the $\theta = 90°$ bilayer) and a torque
# $T_z \approx -7200$ rad/ps nm$^3$ on the free layer; in 3D $m_r$ nearly vanishes and
# $T_z \approx -100$. The reason is lateral diffusion: as the vortex's axis turns around
# the core, the spin component along the local axis, which diffuses with the full $D$, is
# relaxed at the rate $D / r^2$ (10-100 ps$^{-1}$ for $r$ = 3-10 nm), far above the
# spin-flip rate $1/\tau = 0.1$ ps$^{-1}$ that sets the scale of the 1D transverse
# accumulation: the column picture needs $r \gtrsim l_{sf}$. (A pillar of radius 12 nm
# gives the same picture.)

# ## Driver
#
# `pillar.simulate` runs (a) and (b); `write_outputs` writes the line data as CSV
# (`uniform_axis.csv`, `vortex_axis.csv`, `vortex_mid_free.csv`, `vortex_local_1d.csv`);
# rank 0 draws `uniform_axis.png`, `vortex_profiles.png` and the PyVista pictures.


def main(argv: list[str] | None = None) -> dict:
    """Run the demo; returns the summary (also written to ``<out>/summary.json``)."""
    args = parse_args(argv)
    st = args.study
    configure_logging()
    comm = MPI.COMM_WORLD
    t0 = time.perf_counter()
    prepare_run_folder(comm, args.out)  # removes a stale summary.json
    wavelength = WAVELENGTH
    log.info("3D pillar: R = %g nm, L = %g nm, l_da = %g nm, transverse wavelength %.2f nm; "
             "resolutions %s nm (P%d)", args.radius, args.length, args.l_da, wavelength,
             args.h_list, args.degree)

    uniform, vort, cols, results = pillar.simulate(comm, st)
    pillar.write_outputs(comm, st, uniform, vort, cols)
    pictures = []
    if comm.rank == 0:
        pillar_pictures.plot_uniform(args.out / "uniform_axis.png", st, uniform["z"],
                                     uniform["m_1d"], uniform["runs"])
        pillar_pictures.plot_vortex(args.out / "vortex_profiles.png", st, vort, cols)
        pictures = ["uniform_axis.png", "vortex_profiles.png",
                    *pillar_pictures.render_fields(st, uniform, vort)]
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
             results["vortex"]["torque_rad_per_ps_nm3"][pillar.FREE][2],
             results["vortex"]["torque_z_local_1d_rad_per_ps_nm3"][pillar.FREE],
             summary["wall_seconds"], args.out)
    return summary


if __name__ == "__main__":
    main()
