# # Current-driven switching of the free layer of a CPP nanopillar
#
# The self-consistent spin-transfer problem of the paper's Sec. V in the time domain: the
# spin accumulation $m$ (transient spin diffusion, S2) and the magnetization $M$ of the
# free layer (Landau-Lifshitz-Gilbert, S3, the paper's Eq. 79 with damping and the Eq. 12
# thin-film term) advanced together, fully implicitly, with one Newton solve per step
# (`fem_spin.CoupledSpinDynamics`).
#
# ## The equations
#
# Spin accumulation (`shared/physics.md` S2; $H$ in rad/ps, $B$ in tesla):
#
# $$
# \partial_t m = \nabla\cdot(\tilde D(H)\nabla m) - \frac{m - m_\mathrm{eq}}{\tau} - H\times m,
# \qquad H = -\gamma_e B + \lambda M ,
# $$
#
# magnetization of the free layer ($|M| = 1$, the moment direction; `docs/llg-mapping.md`):
#
# $$
# \partial_t M = -\gamma M\times B_\mathrm{eff} + \alpha M\times\partial_t M
#   + \lambda_M M\times m, \qquad
# B_\mathrm{eff} = \frac{2A}{M_s}\nabla^2 M + \frac{2K_u}{M_s}(M\cdot e_u)e_u
#   - \frac{K_d}{M_s}(M\cdot n)n + B .
# $$
#
# ## The pillar and the drive
#
# A circular pillar along $z$ (`fem_spin.geometry.nanopillar`): a fixed (polarizer) layer
# magnetized along $p = +x$, a non-magnetic spacer, the free layer and a non-magnetic cap.
# Both magnetic layers have the s-d coupling $\lambda$; the free layer is an in-plane magnet
# (easy axis $x$, the thin-film hard axis $K_d = \mu_0 M_s^2$ along the normal $z$). Its
# vertices obey the LLG; those of the fixed layer keep $M = p$, those of the non-magnetic
# layers $M = 0$.
#
# The current enters through the bottom electrode, which injects the spin current of a charge
# current $j\,J_1\,s(t)$ polarized along $p$: $g = P J \mu_B/e$ (`fem_spin.Flux`,
# `fem_spin.physics.scales.spin_current`; $s(t) = 1 - e^{-t/10\,\mathrm{ps}}$ a smooth
# switch-on). $J_1 = 8.64\times 10^{11}$ A/m$^2$ ($P = 1$) injects $5\times 10^4$ A/m nm/ps, so
# the drives $j = 5, 5.5, 6.5$ are $P J = 4.3, 4.8, 5.6\times 10^{12}$ A/m$^2$
# (`docs/units.md`: the accumulation in A/m). The top electrode is a spin reservoir, $m = 0$.
# The torque on $M$ is the spin-conserving $\lambda_M = -\lambda\gamma/(\gamma_e M_s)$
# (`Magnet.lam_M` left out). The electrons' spin along $+p$ is a moment
# along $-p$: angular-momentum transfer favours the antiparallel state, so for $j > 0$ the
# free layer, started parallel to $p$ (10 degrees off in the plane), is pushed towards $-p$.
#
# ## What the demo produces
#
# For each drive of the sweep: the time traces of the free layer's average $M$, of the s-d
# torque $\lambda_M\langle M\times m\rangle$ and of the average accumulation (`trace.csv`),
# its checkpoint, the switching time (first time $\langle M\rangle\cdot p < 0$) and the final
# state (switched to $-p$, or a steady precession driven by the torque at larger drives,
# as the default sweep shows: j = 5 and 5.5 switch after 390 and 297 ps, j = 6.5 leaves $p$
# after 183 ps into a steady precession). The first
# drive also writes the fields $M$ and $m$ every `--write-every` steps as a VTX time series
# (`fields.bp`, `fields_m.bp`: open them in ParaView for a 3D animation) and, every
# `--frames` steps, a picture of M in the free layer and of m in a vertical section
# (`fem_spin.render`), assembled into `animation.gif`. Pictures: `traces.png` (all drives)
# and `switching_time.png`; `summary.json` collects the numbers.
# The same study runs from a case file: `fem-spin run examples/switching_pillar.toml` (a test
# checks that the traces are equal to the last digit). The demo builds it with the library
# API instead of calling the case runner for its animation: the frames are drawn during the
# first drive's time stepping, by a callback of the stepper (`observe`), which the runner
# does not take.
# The sweep reuses one solver (one SNES and one MUMPS factorisation object: see
# stack-measurements 5(d) on MUMPS memory under MPI) and resets it between drives.

# +
from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

import numpy as np
from mpi4py import MPI

import fem_spin as fs
from fem_spin import CoupledSpinDynamics, Magnet, thin_film_anisotropy
from fem_spin.geometry.pillar import ELECTRODE_BOTTOM, ELECTRODE_TOP, nanopillar
from fem_spin.log import configure_logging
from fem_spin.observables.switching import final_state, switching_time
from fem_spin.output import prepare_run_folder, write_csv, write_json
from fem_spin.physics.magnetization import conserving_torque_coupling
from fem_spin.physics.scales import spin_current
from fem_spin.plotting import save, switching_time_figure, switching_traces_figure, write_gif
from fem_spin.render import frame_recorder

log = logging.getLogger("fem_spin.demos.switching_pillar")

D, TAU = 1e3, 10.0  # nm^2/ps, ps: l_sf = 100 nm
LAMBDA = -2.0  # s-d coupling of the magnetic layers (rad/ps): a = tau |lambda| = 20
J_1 = 8.637992748819967e11  # A/m^2, P = 1: the current per unit of drive (5e4 A/m x nm/ps)
MS, A_EX, ALPHA, K_U = 1e6, 1.5e-11, 0.1, 1e5  # A/m, J/m, -, J/m^3
P = np.array([1.0, 0.0, 0.0])  # polarizer axis = the free layer's easy axis
LAYERS = (("fixed", 6.0), ("spacer", 3.0), ("free", 4.0), ("cap", 7.0))  # bottom to top, nm
RAMP = 10.0  # ps
# -

# ## Command line


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Current-driven switching of a CPP nanopillar's free layer (S2 + LLG).")
    p.add_argument("--drives", type=str, default="5,5.5,6.5",
                   help="comma-separated drive amplitudes j (spin current at the bottom "
                        "electrode)")
    p.add_argument("--t-end", type=float, default=600.0, help="simulated time (ps)")
    p.add_argument("--dt", type=float, default=2.0,
                   help="time step (ps); the first step with --tol")
    p.add_argument("--tol", type=float, default=None,
                   help="local error tolerance of the step control (default: fixed dt)")
    p.add_argument("--radius", type=float, default=6.0, help="pillar radius (nm)")
    p.add_argument("--h-max", type=float, default=2.0, help="cell size (nm)")
    p.add_argument("--tilt", type=float, default=10.0,
                   help="initial in-plane angle of the free layer to p (degrees)")
    p.add_argument("--write-every", type=int, default=5,
                   help="write the fields of the first drive every N steps (0: never)")
    p.add_argument("--frames", type=int, default=10,
                   help="animation frame of the first drive every N steps (0: none)")
    p.add_argument("--progress", type=float, default=10.0,
                   help="seconds between progress lines")
    p.add_argument("--out", type=Path, default=Path("output/switching_pillar"),
                   help="output folder")
    args = p.parse_args(argv)
    try:
        args.drive_list = [float(j) for j in args.drives.split(",") if j.strip()]
    except ValueError:
        p.error(f"--drives must be comma-separated numbers, got {args.drives!r}")
    if (not args.drive_list or min(args.t_end, args.dt, args.radius, args.h_max) <= 0
            or (args.tol is not None and not args.tol > 0)
            or min(args.write_every, args.frames) < 0):
        p.error("need at least one drive, positive --t-end, --dt, --radius, --h-max, --tol, "
                "and --write-every, --frames >= 0")
    return args


# ## The model


def initial_magnetization(tilt_deg: float):
    """p in the fixed layer, p turned by ``tilt`` in the plane in the free layer, 0 in the
    non-magnetic layers (their vertices are pinned to these values)."""
    z_fixed = LAYERS[0][1]
    z_free0 = LAYERS[0][1] + LAYERS[1][1]
    z_free1 = z_free0 + LAYERS[2][1]
    tilt = np.deg2rad(tilt_deg)

    def M0(x: np.ndarray) -> np.ndarray:
        out = np.zeros((3, x.shape[1]))
        eps = 1e-9
        out[:, x[2] <= z_fixed + eps] = P[:, None]
        free = (x[2] >= z_free0 - eps) & (x[2] <= z_free1 + eps)
        out[0, free], out[1, free] = np.cos(tilt), np.sin(tilt)
        return out

    return M0


def build(comm: MPI.Comm, args: argparse.Namespace):
    geo = nanopillar(comm, list(LAYERS), rx=args.radius, h_max=args.h_max)
    fm = fs.Material(D=D, tau=TAU, lam=LAMBDA)
    nm = fs.Material(D=D, tau=TAU)
    materials = {geo.tag(name): (fm if name in ("fixed", "free") else nm) for name, _ in LAYERS}
    free = Magnet(Ms=MS, A_ex=A_EX, alpha=ALPHA, K_u=K_U, easy_axis=tuple(P),
                  K_d=thin_film_anisotropy(MS), normal=(0.0, 0.0, 1.0))  # lam_M derived
    problem = CoupledSpinDynamics(
        geo.mesh, materials, {geo.tag("free"): free}, cell_tags=geo.cell_tags,
        facet_tags=geo.facet_tags, M0=initial_magnetization(args.tilt),
        flux=[fs.Flux(geo.tag(ELECTRODE_BOTTOM), spin_current(J_1, P))],
        dirichlet=[fs.Dirichlet(geo.tag(ELECTRODE_TOP), (0.0, 0.0, 0.0))])
    return geo, free, problem


def drive(j: float):
    """Spin-current amplitude j switched on over RAMP ps."""
    return lambda t: j * (1.0 - np.exp(-t / RAMP))


# ## Pictures (rank 0)
#
# The animation frames: `fem_spin.render.frame_recorder` gathers M and m on rank 0
# (collective) every `--frames` steps and draws these panels off screen.


def frame_panels(radius: float):
    """Arrows of M in the free layer's mid-plane (coloured by M . p) and of m in the vertical
    section y = 0 (coloured by m_x), at the stepper's time."""
    from fem_spin import render

    z_mid = LAYERS[0][1] + LAYERS[1][1] + 0.5 * LAYERS[2][1]
    return lambda stepper: [
        render.GlyphPanel(vectors="M", plane=((0, 0, z_mid), (0, 0, 1)), color_by="M:x",
                          clim=(-1.0, 1.0), spacing=radius / 3, view="iso",
                          title=f"M (free layer), t = {stepper.t:.0f} ps"),
        render.GlyphPanel(vectors="m", plane=((0, 0, 0), (0, 1, 0)), color_by="m:x",
                          spacing=radius / 3, view="xz",
                          title="spin accumulation m, section y = 0")]


# ## Main


def main(argv: list[str] | None = None) -> dict:
    """Run the sweep; returns the summary (also written to ``<out>/summary.json``)."""
    args = parse_args(argv)
    configure_logging()
    comm = MPI.COMM_WORLD
    t_wall = time.perf_counter()
    prepare_run_folder(comm, args.out)
    geo, magnet, problem = build(comm, args)
    ndofs = problem.u.function_space.dofmap.index_map.size_global * \
        problem.u.function_space.dofmap.index_map_bs
    traces, times, results = {}, [], []
    with problem:
        for i, j in enumerate(args.drive_list):
            problem.reset()
            problem.set_drive(drive(j))
            folder = args.out / f"drive_{j:g}"
            recorder = None
            if i == 0 and args.frames:
                recorder = frame_recorder(folder / "frames", args.frames,
                                          frame_panels(args.radius))
            log.info("drive j = %g: %s to %g ps", j,
                     f"tol {args.tol}" if args.tol else f"dt {args.dt} ps", args.t_end)
            run = problem.run(args.t_end, args.dt, tol=args.tol, output=folder,
                              write_every=args.write_every if i == 0 else 0,
                              progress_seconds=args.progress, observe=recorder)
            if recorder is not None and comm.rank == 0 and recorder.frames:
                write_gif(args.out / "animation.gif", recorder.frames)
            tr = run.trace
            t_switch = switching_time(tr, P)
            final = np.array([tr["Mx"][-1], tr["My"][-1], tr["Mz"][-1]])
            traces[j] = tr
            times.append(t_switch)
            state = final_state(tr, P)
            results.append({
                "drive": j, "switching_time_ps": t_switch, "final_state": state,
                "final_M": final.tolist(),
                "steps": run.steps, "rejected": run.rejected,
                "newton_iterations": run.newton_iterations, "seconds": run.seconds,
                "max_norm_drift": float(np.max(tr["norm_drift"])),
                "files": [str(f) for f in run.files]})
            log.info("drive j = %g: switching time %s, %s, final <M> = %s, %d steps, |M| "
                     "drift %.1e", j, "none" if t_switch is None else f"{t_switch:.1f} ps",
                     state, np.round(final, 3), run.steps, np.max(tr["norm_drift"]))
    write_csv(comm, args.out / "switching_time.csv",
              {"drive": np.asarray(args.drive_list),
               "switching_time_ps": np.array([np.nan if t is None else t for t in times])})
    if comm.rank == 0:
        save(switching_traces_figure(
            traces, P, title="CPP nanopillar: free-layer dynamics under a spin-current drive"),
            args.out / "traces.png")
        save(switching_time_figure(args.drive_list, times,
                                   title=r"first crossing of $\langle M\rangle\cdot p = 0$"),
             args.out / "switching_time.png")
    summary = {
        "parameters": {
            "layers_nm": dict(LAYERS), "radius_nm": args.radius, "D_nm2_per_ps": D,
            "tau_ps": TAU, "lambda_rad_per_ps": LAMBDA, "Ms_A_per_m": MS, "A_ex_J_per_m": A_EX,
            "alpha": ALPHA, "K_u_J_per_m3": K_U, "K_d_J_per_m3": magnet.K_d,
            "lam_M_rad_per_ps_per_A_per_m": conserving_torque_coupling(LAMBDA, magnet.gamma, MS,
                                                                       fs.GAMMA_E),
            "current_density_per_drive_A_per_m2": J_1,
            "polarizer": P.tolist(), "ramp_ps": RAMP, "t_end_ps": args.t_end,
            "dt_ps": args.dt, "tol": args.tol},
        "discretization": {"cells": geo.stats["cells"], "h_min": geo.stats["h_min"],
                           "h_max": geo.stats["h_max"], "dofs": ndofs,
                           "mpi_ranks": comm.size},
        "results": results,
        "wall_seconds": comm.allreduce(time.perf_counter() - t_wall, op=MPI.MAX),
    }
    write_json(comm, args.out / "summary.json", summary)
    log.info("switching times %s ps for drives %s; output in %s",
             [None if t is None else round(t, 1) for t in times], args.drive_list, args.out)
    return summary


if __name__ == "__main__":
    main()
