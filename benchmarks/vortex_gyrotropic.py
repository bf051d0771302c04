"""The gyrotropic mode of a magnetic vortex in a disc, with the FEM demagnetizing field.

A disc (radius R, thickness L) in an air ball of 1.5 R (Robin exterior): the ideal vortex
(core radius 10 nm) relaxed by a damped LLG run (alpha = 1, 5 ps steps) and then by Newton's
method in the tangent basis with the full (non-local) Hessian
(:func:`fem_spin.problems.equilibrium.tangent_newton`), and its lowest modes
(:class:`~fem_spin.problems.mode_demag.DemagModeCoupling`). References:

* Guslienko et al., J. Appl. Phys. 91, 8037 (2002), the two-vortex side-charge-free model in
  the thin-disc limit: ``omega_G = (20/9) gamma Ms L / R`` (CGS), in SI
  ``omega_G = (5 / 9 pi) gamma mu0 Ms L / R``; and the same model with the full thickness
  dependence of the magnetostatic energy
  (:func:`fem_spin.physics.spin_wave_theory.vortex_gyrotropic_pole_free`);
* for the disc of magnum.np's eigensolver demo (R = 125 nm, L = 20 nm, mu0 Ms = 1 T,
  A = 13 pJ/m; ``--magnumnp``): d'Aquino's finite-difference value 0.783 GHz
  (magnum.np demos/eigensolver/ref/vortex_cylindric_daquino.dat).

With ``--time-domain T`` the mode is checked on the same mesh by the LLG itself: the
equilibrium plus a small multiple of the mode's real part, stepped without damping for T ps;
the frequency of the in-plane average <M_x>(t) (zero crossings) against the eigenvalue.

Usage: ``python benchmarks/vortex_gyrotropic.py --radius 50 --thickness 10 --h 4``
(``--out benchmarks/results/vortex_gyrotropic_<name>``: JSON + PNG).
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

import numpy as np
from mpi4py import MPI

import fem_spin  # noqa: F401  (the PETSc stack in order)
from fem_spin import LLG, Magnet
from fem_spin.geometry.air import magnet_in_air
from fem_spin.physics.magnetostatics import MU0
from fem_spin.physics.spin_wave_theory import vortex_gyrotropic_pole_free
from fem_spin.problems.equilibrium import tangent_newton
from fem_spin.problems.magnetostatics import Magnetostatics
from fem_spin.problems.mode_demag import DemagModeCoupling
from fem_spin.problems.modes import GHZ, SpinWaveModes
from fem_spin.textures import vortex

DAQUINO_GHZ = 0.783080422228


def parse(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--radius", type=float, default=50.0, help="disc radius R (nm)")
    p.add_argument("--thickness", type=float, default=10.0, help="disc thickness L (nm)")
    p.add_argument("--h", type=float, default=4.0, help="mesh size in the disc (nm)")
    p.add_argument("--degree", type=int, default=2, help="the potential's degree (1, 2)")
    p.add_argument("--h-air", type=float, default=None,
                   help="mesh size at the air ball's surface (nm; default: geometry.air's "
                   "h * air radius / disc extent), graded linearly from the disc")
    p.add_argument("--air-factor", type=float, default=1.5,
                   help="the air ball's radius over the disc's (Robin exterior there)")
    p.add_argument("--Ms", type=float, default=8e5, help="A/m (permalloy)")
    p.add_argument("--A-ex", type=float, default=1.3e-11, help="J/m")
    p.add_argument("--magnumnp", action="store_true",
                   help="magnum.np's disc: R 125, L 20, mu0 Ms 1 T, A 13 pJ/m")
    p.add_argument("--relax", type=float, default=100.0, help="damped LLG run (ps)")
    p.add_argument("--time-domain", type=float, default=0.0,
                   help="undamped LLG run from the perturbed equilibrium (ps), 0: none")
    p.add_argument("--dt", type=float, default=5.0, help="time step of that run (ps)")
    p.add_argument("--solver", choices=("direct", "iterative", "both"), default="direct",
                   help="direct: MUMPS everywhere; iterative: CG + GAMG for the potential, "
                   "the Newton steps and the modes (no factorization: h <= 2 nm in ~10 GB); "
                   "both: the equilibrium by the direct path, the modes both ways")
    p.add_argument("--out", type=Path, default=None)
    a = p.parse_args(argv)
    if a.magnumnp:
        a.radius, a.thickness, a.Ms, a.A_ex = 125.0, 20.0, 1.0 / MU0, 1.3e-11
    return a


def guslienko_GHz(gamma: float, Ms: float, L: float, R: float) -> float:
    """The thin-disc limit of the two-vortex model, ``(5 / 9 pi) gamma mu0 Ms L / R``."""
    return 5.0 / (9.0 * np.pi) * gamma * MU0 * Ms * L / R * GHZ


def gather_nodes(modes, values):
    comm = modes.comm
    x = modes.V.tabulate_dof_coordinates()[modes.tangent.nodes]
    xs, vs = comm.gather(x, root=0), comm.gather(values, root=0)
    return (np.concatenate(xs), np.concatenate(vs)) if comm.rank == 0 else (None, None)


def picture(path: Path, x, M0, z, f_GHz: float, args) -> None:
    import matplotlib.pyplot as plt
    import matplotlib.tri as mtri

    top = x[:, 2] > 0.5 * args.thickness - 1e-6
    fig, axes = plt.subplots(1, 2, figsize=(11, 5), layout="constrained")
    tri = mtri.Triangulation(x[top, 0], x[top, 1])
    ax = axes[0]
    c = ax.tripcolor(tri, M0[top, 2], cmap="coolwarm", vmin=-1, vmax=1, shading="gouraud")
    step = max(1, int(top.sum() // 400))
    ax.quiver(x[top, 0][::step], x[top, 1][::step], M0[top, 0][::step], M0[top, 1][::step],
              scale=35, width=0.003)
    fig.colorbar(c, ax=ax, label="$M_z$")
    ax.set_title("equilibrium (top face): $M_z$, arrows in-plane M", fontsize=10)
    ax = axes[1]
    amp = np.linalg.norm(np.abs(z), axis=1)
    c = ax.tripcolor(tri, amp[top] / amp.max(), cmap="magma", shading="gouraud")
    ax.quiver(x[top, 0][::step], x[top, 1][::step], z[top, 0].real[::step],
              z[top, 1].real[::step], color="c", scale=15, width=0.003)
    fig.colorbar(c, ax=ax, label="$|\\delta M|$ / max")
    ax.set_title(f"lowest mode {f_GHz:.3f} GHz: $|\\delta M|$, arrows Re $\\delta M$",
                 fontsize=10)
    for ax in axes:
        ax.set_aspect("equal")
        ax.set_xlabel("x (nm)")
        ax.set_ylabel("y (nm)")
    fig.suptitle(f"Vortex in a disc R = {args.radius:g} nm, L = {args.thickness:g} nm, "
                 f"h = {args.h:g} nm, mu0 Ms = {MU0 * args.Ms:.3f} T")
    fig.savefig(path, dpi=130)
    plt.close(fig)


def time_domain(demag, mag, M_eq, modes, res, args) -> dict:
    """The LLG (no damping) from ``M_eq + eps Re(mode 0)``: the frequency of <M_x>(t)."""
    re, _ = res.profiles[0]
    tg = modes.tangent
    M = M_eq.copy()
    v = tg.M0 + 0.05 * re
    M.x.array.reshape(-1, 3)[tg.nodes] = v / np.linalg.norm(v, axis=1)[:, None]
    M.x.scatter_forward()
    free = Magnet(Ms=mag.Ms, A_ex=mag.A_ex, alpha=0.0)
    t, mx = [], []
    with LLG(demag.submesh, free, M0=M, demag=demag) as p:
        while p.t < args.time_domain - 1e-9:
            avg = p.average_M()
            t.append(p.t)
            mx.append(avg[0] if abs(res.profiles[0][0][:, 0]).max() > 0 else avg[1])
            p.step(args.dt)
    t, mx = np.array(t), np.array(mx) - np.mean(mx)
    s = np.flatnonzero(np.sign(mx[:-1]) * np.sign(mx[1:]) < 0)
    tz = t[s] - mx[s] * (t[s + 1] - t[s]) / (mx[s + 1] - mx[s])  # linear interpolation
    period = 2 * np.mean(np.diff(tz)) if len(tz) > 2 else float("nan")
    return {"t_ps": t.tolist(), "Mx": mx.tolist(), "zero_crossings_ps": tz.tolist(),
            "f_time_domain_GHz": 1e3 / period}


def main(argv=None):
    args = parse(argv)
    comm = MPI.COMM_WORLD
    t0 = time.perf_counter()
    geo = magnet_in_air(comm, "disc", {"radius": args.radius, "thickness": args.thickness},
                        air_radius=args.air_factor * args.radius, h_magnet=args.h,
                        h_air=args.h_air)
    demag = Magnetostatics(geo.mesh, geo.cell_tags, geo.facet_tags,
                           magnet_tags=[geo.tag("magnet")], degree=args.degree)
    if args.solver == "iterative":  # the potential by CG + GAMG (warm start) instead of LU
        demag.ksp.setType("cg")
        demag.ksp.getPC().setType("gamg")
        demag.ksp.setTolerances(rtol=1e-12, atol=0.0, max_it=2000)
        demag.ksp.setInitialGuessNonzero(True)
    if comm.rank == 0:
        print(f"h = {args.h} nm: {demag.V.dofmap.index_map.size_global} potential dofs",
              flush=True)
    mag = Magnet(Ms=args.Ms, A_ex=args.A_ex, alpha=1.0)
    with LLG(demag.submesh, mag, M0=vortex(core_radius=10.0), demag=demag) as llg:
        while llg.t < args.relax - 1e-9:
            llg.step(5.0)
            if comm.rank == 0 and round(llg.t) % 25 == 0:
                print(f"  relax t = {llg.t:g} ps ({time.perf_counter() - t0:.0f} s)",
                      flush=True)
        M_relaxed = llg.M
    t1 = time.perf_counter()
    if comm.rank == 0:
        print(f"relaxed ({t1 - t0:.0f} s)", flush=True)
    M_eq, history = tangent_newton(demag.submesh, mag, M0=M_relaxed,
                                   coupling_factory=lambda: DemagModeCoupling(demag),
                                   solver="iterative" if args.solver == "iterative"
                                   else "direct")
    free = Magnet(Ms=args.Ms, A_ex=args.A_ex, alpha=0.0)  # the undamped modes (alpha = 1
    modes = SpinWaveModes(demag.submesh, free, M0=M_eq,  # slows the gyration 2-3 x)
                          coupling=DemagModeCoupling(demag))
    if comm.rank == 0:
        print(f"Newton {history} ({time.perf_counter() - t1:.0f} s)", flush=True)
    t2 = time.perf_counter()
    res = modes.solve(4, solver="direct" if args.solver == "direct" else "iterative")
    t3 = time.perf_counter()
    if args.solver == "both":
        direct = modes.solve(4, solver="direct")
        both = {"f_direct_GHz": direct.frequency_GHz.tolist(),
                "seconds_direct": time.perf_counter() - t3,
                "relative_difference": float(np.max(np.abs(direct.s - res.s) / abs(direct.s)))}
    f = res.frequency_GHz
    ref = guslienko_GHz(mag.gamma, args.Ms, args.thickness, args.radius)
    pole_free = vortex_gyrotropic_pole_free(mag.gamma, MU0 * args.Ms,
                                            args.thickness / args.radius)
    out = {"radius_nm": args.radius, "thickness_nm": args.thickness, "h_nm": args.h,
           "air_radius_nm": args.air_factor * args.radius, "h_air_nm": args.h_air,
           "degree": args.degree, "Ms": args.Ms, "A_ex": args.A_ex, "ranks": comm.size,
           "magnet_vertices": modes.tangent.size,
           "potential_dofs": demag.V.dofmap.index_map.size_global,
           "frequencies_GHz": f.tolist(), "decay_rate_per_ns": res.decay_rate_per_ns.tolist(),
           "f_gyrotropic_GHz": float(f[0]), "guslienko_thin_GHz": ref,
           "deviation_guslienko": float(f[0] / ref - 1), "newton_torque": history,
           "pole_free_full_GHz": pole_free * GHZ,
           "deviation_pole_free_full": float(f[0] / (pole_free * GHZ) - 1),
           "seconds": {"mesh_relax": t1 - t0, "newton": t2 - t1, "modes": t3 - t2},
           "solver": args.solver, "peak_rss_GB": resource.getrusage(
               resource.RUSAGE_SELF).ru_maxrss / 1e6}
    if args.solver == "both":
        out["direct"] = both
    if args.magnumnp:
        out["daquino_GHz"] = DAQUINO_GHZ
        out["deviation_daquino"] = float(f[0] / DAQUINO_GHZ - 1)
    re, im = res.profiles[0]
    x, M0 = gather_nodes(modes, modes.tangent.M0)
    _, z = gather_nodes(modes, re + 1j * im)
    if comm.rank == 0:
        print(json.dumps(out, indent=1), flush=True)
    if args.time_domain > 0:
        out["time_domain"] = time_domain(demag, mag, M_eq, modes, res, args)
    if comm.rank == 0:
        if "time_domain" in out:
            print("time domain:", out["time_domain"]["f_time_domain_GHz"], "GHz")
        if args.out is not None:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            Path(f"{args.out}.json").write_text(json.dumps(out, indent=1))  # (h2.5: no
            picture(Path(f"{args.out}.png"), x, M0, z, float(f[0]), args)  # with_suffix)
    demag.close()


if __name__ == "__main__":
    main()
