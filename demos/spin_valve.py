# # A Co/Cu/Co CPP spin valve driven by a charge current
#
# A current-perpendicular-to-plane spin valve is measured by its resistance: parallel (P) and
# antiparallel (AP) magnetizations of its two Co layers give different resistance-area
# products $AR_P < AR_{AP}$ (the CPP-GMR), and at an angle $\theta$ between them the spin
# current that the fixed layer polarizes exerts a torque on the free layer. This demo solves
# the electrochemical potential $\phi$ and the spin accumulation $\mu$ of fem_spin's charge +
# spin transport model (`docs/charge-transport.md`) for a Co(20)/Cu(t)/Co(5) valve between
# two spin reservoirs, and shows
#
# - the profiles of $\phi$, $m$ and the spin current $J$ in P and AP,
# - the CPP-GMR against the Cu thickness, beside the exact (Valet-Fert) solution,
# - $AR(\theta)$ and the torque on the free layer against $\theta$.
#
# ## The model
#
# Bulk: $j = -\sigma(\nabla\phi - \beta\,\nabla\mu^T s)$,
# $J = -\sigma A^{-1}(H)(\nabla\mu - \beta\, s \otimes \nabla\phi)$, $\nabla\cdot j = 0$,
# $\nabla\cdot J + \frac{\sigma}{D}(\mu/\tau + H\times\mu) = 0$, with $s = -M$ the majority
# spin axis and $H = \lambda M$; at each Co/Cu interface the Valet-Fert resistance $AR^*$ and
# asymmetry $\gamma$, the spin-mixing conductance $G_{mix}$ for the transverse spin current
# and the interface spin flip $\delta$. The parameters are those of
# `examples/spin_valve_cocu.toml` (Bass and Pratt 2007, 4.2 K).

import argparse
import json
import sys
from pathlib import Path

import fem_spin as fs  # first: the PETSc stack in order

# isort: split
import dolfinx.fem as fem
import numpy as np
from matplotlib.figure import Figure
from mpi4py import MPI

from fem_spin.geometry.interval import layered_interval, stack_nodes
from fem_spin.observables import sample_line
from fem_spin.parameters.charge import FEMTO
from fem_spin.plotting import save
from fem_spin.plotting.charge import angle_sweep_figure
from fem_spin.reference.valet_fert import Junction, Layer, solve_stack

CO = fs.conductor(sigma=1.6667e7, beta=0.46, l_sf=59.0, D=1e3, lam=-500.0, tau_A=0.002)
CU = fs.conductor(sigma=1.6667e8, l_sf=500.0, D=1e3)
CO_CU = dict(AR=0.51, gamma=0.77, delta=0.33, G_mix=(0.55, 0.0))
J = 1e11  # A/m^2 (1e7 A/cm^2), from the fixed layer into the free one

# ## The device
#
# A 1D stack: the current flows along x. `stack_nodes` grades the mesh towards the
# interfaces, where the transverse accumulation in Co decays within about a nanometre.


def valve(comm, t_cu: float, theta_deg: float, h_max: float, degree: int = 2):
    """Solve the valve with the free layer at theta (about y) from the fixed one; returns
    the problem (solved), the geometry and the free layer's axis."""
    thick = (20.0, t_cu, 5.0)
    names = ("fixed", "spacer", "free")
    geo = layered_interval(comm, stack_nodes(thick, h_max, min(0.05, h_max)),
                           list(zip(names, np.cumsum(thick), strict=True)))
    tg = geo.tags
    th = np.deg2rad(theta_deg)
    axis = (np.sin(th), 0.0, np.cos(th))
    V0 = fem.functionspace(geo.mesh, ("DG", 0, (3,)))
    M = fem.Function(V0, name="M")
    values = M.x.array.reshape(-1, 3)
    for name, a in (("fixed", (0.0, 0.0, 1.0)), ("free", axis)):
        values[V0.dofmap.list[geo.cell_tags.find(tg[name]), 0]] = a
    problem = fs.ChargeSpinTransport(
        geo.mesh, {tg["fixed"]: CO, tg["spacer"]: CU, tg["free"]: CO},
        cell_tags=geo.cell_tags, facet_tags=geo.facet_tags, M=M,
        interfaces=[fs.Interface(tag=tg["interface_1"], **CO_CU),
                    fs.Interface(tag=tg["interface_2"], **CO_CU)],
        electrodes=[fs.Electrode(tag=tg["left"], current_density=J),
                    fs.Electrode(tag=tg["right"], voltage=0.0)], degree=degree)
    problem.solve()
    return problem, geo, axis


def exact(t_cu: float, theta_deg: float):
    """The exact 1D solution of the same stack (fem_spin.reference.valet_fert)."""
    th = np.deg2rad(theta_deg)
    axis = (np.sin(th), 0.0, np.cos(th))
    layer = dict(sigma=CO.sigma, D=CO.D, tau=CO.tau, beta=CO.beta, lam=CO.lam, tau_A=CO.tau_A)
    itf = dict(AR=CO_CU["AR"] * FEMTO, gamma=CO_CU["gamma"], delta=CO_CU["delta"],
               G_r=CO_CU["G_mix"][0] / FEMTO, G_i=CO_CU["G_mix"][1] / FEMTO)
    return solve_stack([Layer(L=20.0, M=(0, 0, 1), **layer),
                        Layer(L=t_cu, sigma=CU.sigma, D=CU.D, tau=CU.tau),
                        Layer(L=5.0, M=axis, **layer)],
                       [Junction(M=(0, 0, 1), **itf), Junction(M=axis, **itf)], j=J)


# ## Run


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="output/spin_valve")
    parser.add_argument("--h-max", type=float, default=0.25, help="largest cell (nm)")
    parser.add_argument("--quick", action="store_true", help="fewer thicknesses and angles")
    args = parser.parse_args(argv)
    comm = MPI.COMM_WORLD
    out = Path(args.out)
    if comm.rank == 0:
        out.mkdir(parents=True, exist_ok=True)
    comm.barrier()
    summary: dict = {}

    # ### Profiles in P and AP (Cu 10 nm)
    fig = Figure(figsize=(8, 7), layout="constrained")
    axes = fig.subplots(3, 1, sharex=True)
    for theta, style in ((0.0, "-"), (180.0, "--")):
        with valve(comm, 10.0, theta, args.h_max)[0] as p:
            label = "P" if theta == 0 else "AP"
            AR = p.resistance_area(1, 2)
            summary[f"AR_{label}_fOhm_m2"] = AR
            x, _, phi = sample_line(p.function("phi"), [0.0], [35.0], 701)
            _, _, m = sample_line(p.function("m"), [0.0], [35.0], 701)
            _, _, Jz = sample_line(p.function("J"), [0.0], [35.0], 701)
        axes[0].plot(x, 1e3 * phi[:, 0], "k" + style, label=f"{label}: AR = {AR:.3f} fOhm m$^2$")
        axes[1].plot(x, m[:, 2], "tab:blue", ls=style, label=f"{label}: $m_z$")
        axes[2].plot(x, Jz.reshape(len(x), 3, -1)[:, 2, 0], "tab:blue", ls=style,
                     label=f"{label}: $J_z$")
    summary["cpp_gmr"] = summary["AR_AP_fOhm_m2"] / summary["AR_P_fOhm_m2"] - 1
    for ax, ylabel in zip(axes, ("potential (mV)", "spin accumulation m (A/m)",
                                 "spin current (A/m$^2$)"), strict=True):
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        for xi in (20.0, 30.0):
            ax.axvline(xi, color="0.6", lw=0.7, ls=":")
    axes[2].set_xlabel("x (nm)")
    axes[0].set_title(f"Co(20)/Cu(10)/Co(5) at j = 1e7 A/cm$^2$: CPP-GMR "
                      f"{100 * summary['cpp_gmr']:.1f} %", fontsize=10)
    if comm.rank == 0:
        save(fig, out / "profiles.png")

    # ### The CPP-GMR against the Cu thickness
    #
    # The spin accumulation relaxes in Cu over its l_sf = 500 nm: the GMR falls with the
    # spacer thickness on that scale, and the exact solution draws the curve.
    thicknesses = [2.0, 10.0, 100.0] if args.quick else [2.0, 5.0, 10.0, 20.0, 50.0, 100.0,
                                                            200.0, 500.0]
    rows = []
    for t_cu in thicknesses:
        ar = []
        for theta in (0.0, 180.0):
            with valve(comm, t_cu, theta, max(args.h_max, t_cu / 100))[0] as p:
                ar.append(p.resistance_area(1, 2))
        ex = [exact(t_cu, th).AR / FEMTO for th in (0.0, 180.0)]
        rows.append([t_cu, *ar, ar[1] / ar[0] - 1, ex[1] / ex[0] - 1])
    rows = np.array(rows)
    summary["gmr_vs_cu"] = {"t_cu_nm": rows[:, 0].tolist(), "gmr": rows[:, 3].tolist(),
                            "gmr_exact": rows[:, 4].tolist(),
                            "max_relative_error": float(np.abs(rows[:, 3] / rows[:, 4] - 1)
                                                        .max())}
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.subplots()
    t_fine = np.geomspace(thicknesses[0], thicknesses[-1], 60)
    ax.semilogx(t_fine, [100 * (exact(t, 180.0).AR / exact(t, 0.0).AR - 1) for t in t_fine],
                "k-", lw=1, label="exact (Valet-Fert, this model)")
    ax.semilogx(rows[:, 0], 100 * rows[:, 3], "o", mfc="none", color="tab:red",
                label="fem_spin (P2)")
    ax.set_xlabel("Cu spacer thickness (nm)")
    ax.set_ylabel(r"CPP-GMR $(AR_{AP} - AR_P)/AR_P$ (%)")
    ax.set_title("Co(20)/Cu(t)/Co(5), 4.2 K (Bass-Pratt parameters)", fontsize=10)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    if comm.rank == 0:
        save(fig, out / "gmr_vs_cu.png")

    # ### R(theta) and the torque on the free layer (Cu 10 nm)
    #
    # The torque is the spin the free layer gains per time and area, in charge-current
    # units (times hbar/2e: J/m^2); its component along $e_\theta = y \times n_{free}$ is the
    # damping-like (in-plane) torque, along y the field-like one. M turns against it.
    angles = [0.0, 45.0, 90.0, 135.0, 180.0] if args.quick else list(np.linspace(0, 180, 13))
    AR, torque, ref_AR, ref_torque = [], [], [], []
    for theta in angles:
        p, geo, axis = valve(comm, 10.0, theta, args.h_max)
        with p:
            AR.append(p.resistance_area(1, 2))
            T = p.torque(geo.tags["free"])
        ex = exact(10.0, theta)
        e_theta = np.cross((0.0, 1.0, 0.0), axis)
        torque.append([T @ e_theta, T[1]])
        ref_AR.append(ex.AR / FEMTO)
        ref_torque.append([ex.torque(2) @ e_theta, ex.torque(2)[1]])
    torque, ref_torque = np.array(torque), np.array(ref_torque)
    summary["angle"] = {"theta_deg": list(map(float, angles)), "AR_fOhm_m2": AR,
                        "torque_inplane_A_per_m2": torque[:, 0].tolist(),
                        "torque_fieldlike_A_per_m2": torque[:, 1].tolist(),
                        "max_AR_relative_error": float(np.abs(np.array(AR) / ref_AR - 1).max()),
                        "max_torque_relative_error": float(
                            np.abs(torque - ref_torque).max() / np.abs(ref_torque).max())}
    labels = ("in-plane (damping-like)", "along y (field-like)")
    fig = angle_sweep_figure(np.array(angles), np.array(AR),
                             {lab: torque[:, k] for k, lab in enumerate(labels)},
                             title="Co(20)/Cu(10)/Co(5): free layer turned about y, "
                                   "j = 1e7 A/cm$^2$",
                             reference={"theta_deg": angles, "AR": ref_AR,
                                        "label": "exact 1D solution",
                                        "torque": {lab: ref_torque[:, k]
                                                   for k, lab in enumerate(labels)}})
    if comm.rank == 0:
        save(fig, out / "angle.png")
        (out / "summary.json").write_text(json.dumps(summary, indent=1))
    comm.barrier()  # the files exist for every rank on return
    if comm.rank == 0:
        print(f"spin valve: AR_P = {summary['AR_P_fOhm_m2']:.4f}, AR_AP = "
              f"{summary['AR_AP_fOhm_m2']:.4f} fOhm m^2, CPP-GMR = "
              f"{100 * summary['cpp_gmr']:.2f} %; largest error against the exact solution: "
              f"GMR {summary['gmr_vs_cu']['max_relative_error']:.1e}, torque "
              f"{summary['angle']['max_torque_relative_error']:.1e}; pictures in {out}/")
    return summary


if __name__ == "__main__":
    main(sys.argv[1:])
