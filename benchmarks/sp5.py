"""muMAG standard problem #5 with magnetostatics, driven by the closed-form Zhang-Li torque or
through fem_spin's own charge + spin-diffusion model.

Permalloy 100 x 100 x 10 nm (Ms = 8e5 A/m, A = 1.3e-11 J/m), the vortex m ~ (-y, x, R), R = 10
nm, relaxed without current (alpha = 1 while relaxing), then alpha = 0.1 and a current along
+x for 5 ns. gamma = 2.211e5 m/(A s) = 0.17595 rad/(ps T) (the SP5 value). The magnetostatic
field by the scalar potential on the magnet in an air ball (Robin exterior), implicit in the
midpoint rule.

--model zhang-li (default): the Zhang-Li torque with P J = 1e12 A/m^2, xi = 0.05,
u = -P J mu_B / (e Ms (1 + xi^2)) (72.17 m/s along -x, the mumax3 / magnum.np convention,
fem_spin.physics.magnetization.zhang_li_velocity).

--model spin-diffusion: ChargeDrivenLLG, the current through electrodes on the film's faces
x = -/+ 50 nm (spin reservoirs) and the spin accumulation of the charge + spin-diffusion model
(quasi-static, fem_spin.problems.charge) exerting the s-d torque. The model's parameters are
magnum.fe's (l_sf = 10 nm, l_J = 2.236 nm, beta = 0.9, D = 1e-3 m^2/s; transport_material),
whose local limit is the Zhang-Li torque with xi = l_J^2 / l_sf^2 = 0.05 and, for the current
beta (gamma / gamma_e) j = 1e12 A/m^2, SP5's u (fem_spin.reference.zhang_li, verified on the
exact helix solution in tests/verification/test_zhang_li_limit.py).

Writes <out>/sp5_trace_zhang_li<suffix>.csv or <out>/sp5_trace<suffix>.csv (t_ns, mx, my, mz),
sp5_<model>.json (parameters, mesh, cost, the deviation from the reference curve) and a PNG.
The reference is magnum.np's curve (benchmarks/results/sp5_reference_magnumnp.csv, source in
its header).

Usage: .venv/bin/python benchmarks/sp5.py [--h 3] [--model spin-diffusion] [--out DIR]
       mpiexec -n 2 .venv/bin/python benchmarks/sp5.py ...
"""

# ruff: noqa: I001  (fem_spin is imported before mpi4py on purpose)
import argparse
import json
import sys
import time
from pathlib import Path

import fem_spin  # noqa: F401  (before dolfinx)
import numpy as np
from mpi4py import MPI

from fem_spin import LLG, ChargeDrivenLLG, Magnet, Magnetostatics
from fem_spin.geometry.air import magnet_extent, magnet_in_air
from fem_spin.parameters.charge import Electrode, conductor
from fem_spin.parameters.magnet import GAMMA_E
from fem_spin.physics.magnetization import zhang_li_velocity
from fem_spin.reference.zhang_li import zhang_li_limit

MS, A_EX, XI, J, P = 8e5, 1.3e-11, 0.05, 1e12, 1.0
BETA = 0.9  # the spin-diffusion model's bulk asymmetry (magnum.fe's SP5 value)
GAMMA = 2.211e5 / 1.25663706212e-6 * 1e-12  # rad/(ps T): gamma0 / mu0
REFERENCE = Path(__file__).resolve().parent / "results" / "sp5_reference_magnumnp.csv"


def vortex(x):
    """m ~ (-y, x, R) with R = 10 nm (the SP5 specification), normalised by the LLG."""
    return np.stack([-x[1], x[0], 10.0 + 0.0 * x[0]])


def read_reference() -> np.ndarray:
    return np.loadtxt(REFERENCE, delimiter=",", comments="#", skiprows=5)


def transport_material():
    """The spin-diffusion model's permalloy: magnum.fe's D = 1e-3 m^2/s, l_sf = 10 nm,
    l_J = 2.236 nm, beta = 0.9 (fem_spin.reference.zhang_li): tau = l_sf^2 / D = 0.1 ps,
    lam = -D / l_J^2 = -200 rad/ps, so xi = -1 / (lam tau) = 0.05; tau_A small (a scalar D,
    magnum.fe's model); sigma = 5e6 S/m (it sets only the voltage)."""
    return conductor(sigma=5e6, beta=BETA, D=1e3, l_sf=10.0 * np.sqrt(1 - BETA**2),
                     lam=-200.0, tau_A=1e-5)


def drive_current() -> float:
    """The current density (A/m^2) whose Zhang-Li limit is SP5's u = 72.17 m/s: beta (gamma /
    gamma_e) j = P J with P J = 1e12 A/m^2 (zhang_li_limit)."""
    return P * J * GAMMA_E / (GAMMA * BETA)


def _electrode_tags(sub):
    """Facet tags of the film's faces x = -50 nm (1, current in) and x = +50 nm (2, ground)."""
    import dolfinx.mesh

    fdim = sub.topology.dim - 1
    sub.topology.create_connectivity(fdim, sub.topology.dim)
    left = dolfinx.mesh.locate_entities_boundary(sub, fdim, lambda x: np.isclose(x[0], -50.0))
    right = dolfinx.mesh.locate_entities_boundary(sub, fdim, lambda x: np.isclose(x[0], 50.0))
    facets = np.concatenate([left, right]).astype(np.int32)
    values = np.concatenate([np.full(len(left), 1), np.full(len(right), 2)]).astype(np.int32)
    order = np.argsort(facets)
    return dolfinx.mesh.meshtags(sub, fdim, facets[order], values[order])


def driven_problem(model: str, sub, demag, magnet_tag: int, M_relaxed, xi: float = XI):
    """The SP5 run's problem: the LLG with the closed-form Zhang-Li torque, or the LLG driven by
    the spin accumulation of fem_spin's charge + spin-diffusion model (ChargeDrivenLLG)."""
    magnet = Magnet(Ms=MS, A_ex=A_EX, alpha=0.1, gamma=GAMMA)
    if model == "zhang-li":
        u = zhang_li_velocity((J, 0.0, 0.0), P, MS, xi)
        return LLG(sub, magnet, M0=M_relaxed, demag=demag, zhang_li=(u, xi))
    electrodes = [Electrode(tag=1, current_density=drive_current()),
                  Electrode(tag=2, voltage=0.0)]
    return ChargeDrivenLLG(sub, {magnet_tag: transport_material()}, {magnet_tag: magnet},
                           cell_tags=demag.sub_cell_tags, facet_tags=_electrode_tags(sub),
                           M0=M_relaxed, electrodes=electrodes, demag=demag)


def run(h: float, degree: int, air: float, dt: float, t_end: float, relax_t: float,
        relax_dt: float, out: Path, relax_tol: float = 1e-8, comm=MPI.COMM_WORLD,
        model: str = "zhang-li", suffix: str = "", xi: float = XI) -> dict:
    t0 = time.perf_counter()
    dims = {"lx": 100.0, "ly": 100.0, "lz": 10.0}
    geo = magnet_in_air(comm, "box", dims, air_radius=air * magnet_extent("box", dims),
                        h_magnet=h)
    demag = Magnetostatics(geo.mesh, geo.cell_tags, geo.facet_tags,
                           magnet_tags=[geo.tag("magnet")], degree=degree)
    sub = demag.submesh
    vertices = sub.topology.index_map(0).size_global
    say = print if comm.rank == 0 else (lambda *a, **k: None)
    say(f"SP5 ({model}), h = {h} nm: {vertices} film vertices, {int(geo.stats['cells'])} "
        "cells with air; relaxing", flush=True)
    # relax (alpha = 1) until the energy changes by less than relax_tol relative per step
    relax = LLG(sub, Magnet(Ms=MS, A_ex=A_EX, alpha=1.0, gamma=GAMMA), M0=vortex, demag=demag)
    E = relax.energy()
    while relax.t < relax_t - 1e-9:
        relax.step(relax_dt)
        E_new = relax.energy()
        if abs(E_new - E) < relax_tol * abs(E):
            break
        E = E_new
    M_relaxed = relax.M
    E_relaxed, t_relax, M_avg0 = relax.energy(), relax.t, relax.average_M()
    relax.close()
    t1 = time.perf_counter()
    say(f"relaxed in {t_relax:.0f} ps ({t1 - t0:.0f} s): <M> = {np.round(M_avg0, 4)}",
        flush=True)
    trace_name = "sp5_trace_zhang_li" if model == "zhang-li" else "sp5_trace"
    rows = []
    with driven_problem(model, sub, demag, geo.tag("magnet"), M_relaxed, xi) as p:
        rows.append((0.0, *p.average_M()))
        newton = 0
        while p.t < t_end - 1e-9:
            info = p.step(min(dt, t_end - p.t))
            newton += info.newton_iterations
            rows.append((p.t * 1e-3, *p.average_M()))
            if len(rows) % 100 == 1:
                say(f"  t = {p.t / 1e3:.2f} ns  <M> = {np.round(rows[-1][1:], 4)}  "
                    f"({time.perf_counter() - t1:.0f} s)", flush=True)
                if comm.rank == 0:  # the trace so far, under a name that says it is partial
                    out.mkdir(parents=True, exist_ok=True)
                    np.savetxt(out / f"{trace_name}{suffix}.partial.csv", np.array(rows),
                               delimiter=",", fmt="%.8g", header="t_ns,mx,my,mz", comments="")
        drift = p.norm_drift()
    t2 = time.perf_counter()
    demag.close()
    trace = np.array(rows)
    ref = read_reference()
    parameters = {"Ms_A_per_m": MS, "A_ex_J_per_m": A_EX, "alpha": 0.1, "alpha_relax": 1.0,
                  "gamma_rad_per_ps_T": GAMMA, "xi": xi, "P": P,
                  "vortex_init": "m ~ (-y, x, 10 nm)"}
    if model == "zhang-li":
        u = zhang_li_velocity((J, 0.0, 0.0), P, MS, xi)
        parameters.update(J_A_per_m2=[J, 0.0, 0.0], u_m_per_s=(np.asarray(u) * 1e3).tolist())
    else:
        mat = transport_material()
        zl = zhang_li_limit(mat, (drive_current(), 0.0, 0.0), MS, GAMMA, GAMMA_E)
        parameters.update(
            J_A_per_m2=[drive_current(), 0.0, 0.0], beta=mat.beta, sigma_S_per_m=mat.sigma,
            D_nm2_per_ps=mat.D, tau_ps=mat.tau, lam_rad_per_ps=mat.lam, tau_A_ps=mat.tau_A,
            l_sf_transverse_nm=float(np.sqrt(mat.D * mat.tau)),
            l_J_nm=float(np.sqrt(mat.D / abs(mat.lam))),
            zhang_li_limit={"u_m_per_s": (zl.u * 1e3).tolist(), "xi": zl.xi, "P": zl.P},
            electrodes="current in at x = -50 nm, ground at x = +50 nm; spin reservoirs")
    summary = {
        "problem": "muMAG SP5 " + ("with the closed-form Zhang-Li torque" if model == "zhang-li"
                                   else "through fem_spin's charge + spin-diffusion model"),
        "model": model, "parameters": parameters,
        "mesh": {"h_magnet_nm": h, "magnet_vertices": int(vertices),
                 "cells_total": int(geo.stats["cells"]),
                 "air_radius_nm": air * magnet_extent("box", dims),
                 "potential_degree": degree, "potential_dofs":
                 demag.V.dofmap.index_map.size_global, "exterior": "robin"},
        "time": {"dt_ps": dt, "t_end_ps": t_end, "relax_ps": t_relax,
                 "relax_dt_ps": relax_dt, "relax_tol": relax_tol, "steps": len(rows) - 1,
                 "newton_per_step": newton / max(len(rows) - 1, 1)},
        "relaxed": {"energy_aJ": E_relaxed, "M": list(M_avg0)},
        "norm_drift": drift, "ranks": comm.size,
        "seconds": {"relax": t1 - t0, "run": t2 - t1},
    }
    if t_end >= 5000 - 1e-6:
        for k, name in ((1, "mx"), (2, "my")):
            ours = np.interp(ref[:, 0], trace[:, 0], trace[:, k])
            dev = ours - ref[:, k]
            summary[f"max_abs_deviation_{name}"] = float(np.max(np.abs(dev)))
            summary[f"rms_deviation_{name}"] = float(np.sqrt(np.mean(dev**2)))
        summary["reference"] = ("magnum.np demos/sp5/ref/m.dat "
                                "(benchmarks/results/sp5_reference_magnumnp.csv)")
    if comm.rank == 0:
        out.mkdir(parents=True, exist_ok=True)
        stem = "zhang_li" if model == "zhang-li" else "spin_diffusion"
        (out / f"{trace_name}{suffix}.partial.csv").unlink(missing_ok=True)
        np.savetxt(out / f"{trace_name}{suffix}.csv", trace, delimiter=",", fmt="%.8g",
                   header="t_ns,mx,my,mz", comments="")
        (out / f"sp5_{stem}{suffix}.json").write_text(json.dumps(summary, indent=1) + "\n")
        plot(trace, ref, summary, out / f"sp5_{stem}{suffix}.png")
    return summary


def plot(trace, ref, summary, path) -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    for k, name, color in ((1, "<m_x>", "C0"), (2, "<m_y>", "C1")):
        ax.plot(trace[:, 0], trace[:, k], color=color, label=f"{name} fem_spin")
        ax.plot(ref[:, 0], ref[:, k], "--", color=color, label=f"{name} magnum.np")
    mesh = summary["mesh"]
    ax.set_xlabel("t (ns)")
    ax.set_ylabel("average reduced magnetization")
    par = summary["parameters"]
    model = (f"Zhang-Li (u = {abs(par['u_m_per_s'][0]):.2f} m/s, xi = {par['xi']:g})"
             if summary["model"] == "zhang-li" else
             "spin diffusion (l_sf = 10 nm, l_J = 2.24 nm, beta = 0.9)")
    ax.set_title(f"muMAG SP5, {model};\nFEM h = {mesh['h_magnet_nm']} nm, "
                 f"P{mesh['potential_degree']} potential")
    ax.legend(ncol=2)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--h", type=float, default=5.0, help="mesh size in the magnet (nm)")
    parser.add_argument("--degree", type=int, default=1, help="degree of the potential")
    parser.add_argument("--air", type=float, default=1.5, help="air radius / magnet extent")
    parser.add_argument("--dt", type=float, default=5.0, help="time step (ps)")
    parser.add_argument("--t-end", type=float, default=5000.0, help="current on for (ps)")
    parser.add_argument("--relax", type=float, default=1500.0, help="longest relaxation (ps)")
    parser.add_argument("--relax-dt", type=float, default=5.0, help="relaxation step (ps)")
    parser.add_argument("--relax-tol", type=float, default=1e-8,
                        help="relaxation ends when the energy changes less per step")
    parser.add_argument("--model", choices=("zhang-li", "spin-diffusion"), default="zhang-li",
                        help="the torque: closed-form Zhang-Li, or fem_spin's charge + "
                        "spin-diffusion model driven through electrodes")
    parser.add_argument("--xi", type=float, default=XI,
                        help="the Zhang-Li non-adiabaticity (--model zhang-li; SP5: 0.05)")
    parser.add_argument("--suffix", default="", help="appended to the output file names")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "results"))
    args = parser.parse_args(argv)
    summary = run(args.h, args.degree, args.air, args.dt, args.t_end, args.relax,
                  args.relax_dt, Path(args.out), args.relax_tol, model=args.model,
                  suffix=args.suffix, xi=args.xi)
    if MPI.COMM_WORLD.rank == 0:
        print(json.dumps(summary, indent=1))
    return summary


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
