# # Spin-wave modes: a film's dispersion, a ring's modes, and the soft mode of a CPP pillar
#
# The magnetization's small oscillations about an equilibrium $M_0$ are the spin waves that FMR
# and Brillouin light scattering measure; a mode whose damping changes sign under a
# spin-transfer torque is how a pillar turns unstable. `fem_spin.problems.modes` linearizes the
# Landau-Lifshitz-Gilbert equation (S3) about $M_0$ in a local tangent basis
# $\delta M = a\,e_1 + b\,e_2$ at every vertex (a $2N \times 2N$ problem):
#
# $$
# s\,W\,(I - \alpha J)\,y = J R^T S R\,y + J R^T T\,\delta m, \qquad
# S\,\delta M = -\gamma B_\mathrm{eff}'(\delta M) + f_0\,\delta M ,
# $$
#
# with $W$ the vertex volumes, $J = [[0,-1],[1,0]]$ per vertex, $f_0 = M_0\cdot(\gamma
# B_\mathrm{eff} - \lambda_M m)$ the precession rate of the equilibrium and $S$ the energy's
# Hessian on the tangent space (exchange, Zeeman, uniaxial and the thin-film anisotropy of
# Eq. 12). Modes go as $e^{st}$, $s = -\Gamma + i\omega$: frequency $f = \omega/2\pi$, decay
# rate $\Gamma$, linewidth (FWHM) $\Gamma/\pi$. SLEPc solves the pencil by shift-and-invert at
# $\sigma = 0$ (the lowest frequencies), LU by MUMPS.
#
# **Beyond the uncoupled magnet** (`fem_spin.problems.mode_coupling`): the spin accumulation
# $m$ of S1/S2 responds to $\delta M$ through $H = \lambda M$ and $m_\mathrm{eq} = m_0 M$, and
# exerts the s-d torque $\lambda_M M\times m$ back. Linearizing the coupled problem about its
# steady state adds the rows and columns of $\delta m$: the modes' frequencies and damping then
# depend on the drive current, and the lowest mode goes soft where its decay rate crosses
# zero.
#
# The demo has three parts:
#
# 1. **Dispersion of a film** (in-plane $M_0 \parallel B \parallel x$, thin-film hard axis
#    $z$) on a periodic loop: $\omega(k) = \gamma\sqrt{(B + C_\mathrm{ex}k^2)(B + \mu_0M_s +
#    C_\mathrm{ex}k^2)}$ exactly (the thin-film term is the only demagnetizing field here);
#    the same film, 10 nm thick, with its full magnetostatic field
#    (`fem_spin.problems.film_dispersion`: the Damon-Eshbach and backward-volume branches
#    against Kalinikos-Slavin); and the two dispersions of the paper's fluctuation equation
#    S4 (Eq. 84): as written, $\omega = J_0 - J_2k^2/2$ (a gap of the exchange energy $J_0$),
#    and with the mean-field term restored, $\omega = b + J_2k^2/2$ (gapless).
# 2. **A ring** (annulus, inner/outer radius 10/20 nm, a permalloy-like film) in its flux-closure
#    state $M_0 = \hat\varphi$ (an equilibrium of exchange and the thin-film term): the lowest
#    modes, their azimuthal index and their profiles.
# 3. **The CPP pillar** of `examples/switching_pillar.toml`, free layer parallel to the fixed
#    layer: the lowest mode's frequency and decay rate against the drive amplitude $j$, and
#    the $j$ where it goes soft, to be set beside the time-domain switching (j = 5 and 5.5
#    switch in the example; benchmarks/spin_wave_modes.py compares the eigenvalue with a
#    time-domain run directly).
#
# **Output** (`--out`, default `output/spin_wave_modes`): `dispersion.png`, `dispersion.csv`,
# `film_magnetostatics.csv`;
# `ring_modes.png`, `ring_modes.csv`, `ring_modes.bp`; `pillar/` (the `[modes]` case run:
# `modes.csv`, `modes_j<j>.bp`, `modes_vs_drive.png`, `summary.json`), `pillar_modes.png`,
# `pillar_profiles.png`;
# `summary.json` last.

# +
from __future__ import annotations

import argparse
import logging
import time
import tomllib
from pathlib import Path

import fem_spin  # noqa: F401  (first: it loads the PETSc/MPI stack in order)

# isort: split

import numpy as np
from mpi4py import MPI

from fem_spin.app.catalog import example_path
from fem_spin.app.runner import run_study
from fem_spin.app.schema import parse_case
from fem_spin.geometry.disc import disc
from fem_spin.geometry.periodic import square_ring
from fem_spin.log import configure_logging
from fem_spin.output import prepare_run_folder, write_csv, write_json
from fem_spin.parameters.magnet import Magnet, thin_film_anisotropy
from fem_spin.physics.fluctuations import moments_from_exchange, plane_wave_frequency
from fem_spin.physics.scales import MU0
from fem_spin.physics.spin_wave_theory import kalinikos_slavin
from fem_spin.problems.film_dispersion import FilmDispersion
from fem_spin.problems.llg import LLG
from fem_spin.problems.modes import GHZ, SpinWaveModes

log = logging.getLogger("fem_spin.demos.spin_wave_modes")
PY = Magnet(Ms=8e5, A_ex=1.3e-11, alpha=0.01, K_d=thin_film_anisotropy(8e5))  # permalloy-like
# -

# ## Command line


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Spin-wave modes: dispersion, ring, CPP pillar.")
    p.add_argument("--loop-cells", type=int, default=64, help="cells per side of the loop")
    p.add_argument("--ring-h", type=float, default=1.0, help="cell size of the ring (nm)")
    p.add_argument("--pillar-h", type=float, default=2.0, help="h_max of the pillar (nm)")
    p.add_argument("--drives", type=float, nargs="+", default=[0, 1, 2, 3, 4, 5, 6],
                   help="drive amplitudes j of the pillar")
    p.add_argument("--out", type=Path, default=Path("output/spin_wave_modes"))
    args = p.parse_args(argv)
    if args.loop_cells < 4 or not (args.ring_h > 0 and args.pillar_h > 0):
        p.error("--loop-cells >= 4; --ring-h and --pillar-h positive (nm)")
    return args


# ## 1. Dispersion of a film on a periodic loop
#
# A square loop of side 100 nm (perimeter $P$ = 400 nm) carries the waves $e^{iks}$,
# $k = 2\pi n/P$; each $n \ge 1$ gives a degenerate pair (cos, sin). The field is 50 mT.


def dispersion(comm, cells: int):
    side, B = 100.0, 0.05
    geo = square_ring(comm, side, cells)
    modes = SpinWaveModes(geo.mesh, PY, M0=(1, 0, 0), B_T=(B, 0, 0)).solve(13)
    n = np.array([0] + [k for k in range(1, 7) for _ in (0, 1)])
    k = 2 * np.pi * n / (4 * side)
    C, g, BD = PY.exchange_coefficient, PY.gamma, PY.hard_axis_field
    exact = g * np.sqrt((B + C * k ** 2) * (B + BD + C * k ** 2)) * GHZ
    return {"k_per_nm": k, "frequency_GHz": modes.frequency_GHz, "exact_GHz": exact,
            "linewidth_GHz": modes.linewidth_GHz}


# ## 1b. The film with its magnetostatic field
#
# A film of thickness $d$ = 10 nm, extended in the plane: the modes $e^{ikx}$ solved across
# the thickness (a 1D Bloch problem; the potential outside decays as $e^{-k|z|}$, an exact
# boundary condition), $M_0 \parallel B$ = 50 mT in the plane, $k \perp M_0$ (Damon-Eshbach)
# and $k \parallel M_0$ (backward volume). Kalinikos-Slavin's dipole-exchange formula (uniform
# thickness profile) is the curve: it is accurate to 1e-5 for BV and to 1 % for DE at this
# thickness (benchmarks/results/film_dispersion.md).

FILM_GEOMETRY = {"Damon-Eshbach": ((0.0, 1.0, 0.0), np.pi / 2),  # M0 (k along x), angle k-M0
                 "backward volume": ((1.0, 0.0, 0.0), 0.0)}


def film_magnetostatics(comm, k_max: float = 0.1, n: int = 11, d: float = 10.0) -> dict:
    B = 0.05
    mag = Magnet(Ms=8e5, A_ex=1.3e-11, alpha=0.01)  # no thin-film term: the field is computed
    k = np.linspace(0.0, k_max, n)
    out = {"k_per_nm": k}
    for name, (M0, phi) in FILM_GEOMETRY.items():
        film = FilmDispersion(mag, thickness=d, M0=M0, B_T=tuple(B * np.array(M0)), cells=20,
                              degree=2, comm=comm)
        out[name] = np.array([film.solve(float(kk)).frequency_GHz[0] for kk in k])
        out[name + " KS"] = np.array([kalinikos_slavin(
            mag.gamma, B, MU0 * 8e5, mag.exchange_coefficient, kk, d, theta=np.pi / 2,
            phi=phi) * GHZ for kk in k])
    return out


# ## 2. The modes of a ring in its flux-closure state
#
# $M_0 = \hat\varphi$ is an equilibrium of exchange ($\nabla^2\hat\varphi = -\hat\varphi/r^2$,
# parallel to $M_0$) and of the thin-film term ($M_0\cdot z = 0$). The azimuthal index of a
# mode is the Fourier index $|m|$ of its out-of-plane part $\delta M_z(\varphi)$ that carries
# the most weight. The interpolated $\hat\varphi$ is an equilibrium up to the discretization
# error; the steady LLG (Newton) moves it to the discrete equilibrium next to it first.


def ring_modes(comm, h: float, out: Path, n: int = 8):
    geo = disc(comm, 20.0, h, inner_radius=10.0)

    def vortex(x):
        r = np.hypot(x[0], x[1])
        return np.stack([-x[1] / r, x[0] / r, 0 * x[0]])

    # the equilibria form a family (rotating every M about z costs no energy): Newton stops at
    # an absolute residual of 1e-9 instead of wandering along it
    with LLG(geo.mesh, PY, M0=vortex, petsc_options={"snes_atol": 1e-9}) as llg:
        llg.step(1e-3)  # sets the auxiliary field W, then Newton on the steady LLG
        llg.solve_steady()
        M0 = llg.M
    solver = SpinWaveModes(geo.mesh, PY, M0=M0)
    modes = solver.solve(n, sigma=-0.01)  # sigma = 0 is the rotation's zero mode
    solver.write_vtx(out / "ring_modes.bp", modes)
    xy = solver.tangent.V.tabulate_dof_coordinates()[solver.tangent.nodes, :2]
    phi = np.arctan2(xy[:, 1], xy[:, 0])
    index = []
    for re, im in modes.profiles:
        z = re[:, 2] + 1j * im[:, 2]
        weights = [comm.allreduce(abs(np.sum(z * np.exp(-1j * m * phi))) ** 2
                                  + abs(np.sum(z * np.exp(1j * m * phi))) ** 2)
                   for m in range(9)]
        index.append(int(np.argmax(weights)))
    pictures = comm.gather((xy, [p[0][:, 2] for p in modes.profiles]), root=0)
    return modes, index, pictures


# ## 3. The CPP pillar against the drive
#
# The case of `examples/switching_pillar.toml` with its `[dynamics]` table replaced by a
# `[modes]` table: the same mesh, materials, magnet and drive (the bottom electrode's spin
# current times $j$, here constant), the free layer along the fixed one (the P state, which
# the positive drive destabilizes). The runner relaxes the coupled steady state at each $j$
# and computes the modes with the accumulation's dynamic response.


def pillar_case(h: float, drives, out: Path):
    data = tomllib.loads(example_path("switching_pillar").read_text())
    magnets = data.pop("dynamics")["magnets"]
    data.pop("outputs", None)
    data["name"] = "pillar_modes"
    data["geometry"]["h_max"] = h
    data["magnetization"]["axes"]["free"] = [1.0, 0.0, 0.0]
    data["outputs"] = {"folder": str(out)}
    data["modes"] = {"n": 4, "accumulation": "dynamic", "drives": list(drives),
                     "write_modes": 2, "magnets": magnets}
    current = data["drive"]["flux"][0].get("current_density")  # A/m^2 per unit of j (P = 1)
    return parse_case(data, default_name="pillar_modes"), current


# ## Pictures


def draw(args, disp, film, ring, ring_index, ring_pics, pillar_csv, soft, pillar_profiles):
    import matplotlib.pyplot as plt
    import matplotlib.tri as mtri

    out = args.out
    # dispersion: the film's FEM modes on the analytic curve, and Eq. 84's two forms
    fig, (a, c, b) = plt.subplots(1, 3, figsize=(15, 3.8), constrained_layout=True)
    for name, style in (("Damon-Eshbach", "C0"), ("backward volume", "C1")):
        c.plot(film["k_per_nm"], film[name + " KS"], "-", color=style,
               label=f"{name}: Kalinikos-Slavin")
        c.plot(film["k_per_nm"], film[name], "o", color=style, ms=4, label=f"{name}: FEM")
    c.set(xlabel="k (1/nm)", ylabel="frequency (GHz)",
          title="10 nm film with its magnetostatic field, B = 50 mT")
    c.legend(fontsize=8)
    kk = np.linspace(0, disp["k_per_nm"].max() * 1.05, 200)
    C, g, BD = PY.exchange_coefficient, PY.gamma, PY.hard_axis_field
    a.plot(kk, g * np.sqrt((0.05 + C * kk ** 2) * (0.05 + BD + C * kk ** 2)) * GHZ, "k-",
           label=r"$\gamma\sqrt{(B+Ck^2)(B+\mu_0M_s+Ck^2)}$")
    a.plot(disp["k_per_nm"], disp["frequency_GHz"], "o", ms=4, label="FEM modes (loop)")
    a.set(xlabel="k (1/nm)", ylabel="frequency (GHz)",
          title="film, in-plane M || B = 50 mT, exchange + thin-film term")
    a.legend(fontsize=8)
    J0, J2 = moments_from_exchange(PY.exchange_coefficient, PY.gamma, 1.0)
    kk = np.linspace(0, 1.6, 200)
    b.plot(kk, plane_wave_frequency(kk, J0, J2) * GHZ, label="Eq. 84 as written: $J_0 - J_2k^2/2$")
    b.plot(kk, -plane_wave_frequency(kk, J0, J2, b=PY.gamma * 0.05, restored=True) * GHZ,
           label="mean-field term restored: $b + J_2k^2/2$ (sense of Eq. 79)")
    b.axhline(0, color="k", lw=0.6)
    b.set(xlabel="k (1/nm)", ylabel="frequency (GHz)",
          title="S4 (Eq. 84), kernel range 1 nm, b = 50 mT")
    b.legend(fontsize=8)
    fig.savefig(out / "dispersion.png", dpi=120)
    plt.close(fig)

    # ring: Re(dM_z) of the lowest modes
    xy = np.concatenate([p[0] for p in ring_pics])
    n = min(len(ring.s), 6)
    fig, axes = plt.subplots(2, 3, figsize=(10, 6.6), constrained_layout=True)
    tri = mtri.Triangulation(xy[:, 0], xy[:, 1])
    r = np.hypot(*xy[tri.triangles].mean(axis=1).T)
    tri.set_mask(r < 10.0)
    for i, ax in enumerate(axes.flat[:n]):
        v = np.concatenate([p[1][i] for p in ring_pics])
        lim = np.max(np.abs(v)) or 1.0
        ax.tricontourf(tri, v, levels=21, cmap="RdBu_r", vmin=-lim, vmax=lim)
        ax.set_aspect("equal")
        ax.set(title=f"{ring.frequency_GHz[i]:.2f} GHz, |m| = {ring_index[i]}",
               xlabel="x (nm)", ylabel="y (nm)")
    fig.suptitle(r"ring (R = 10-20 nm) in the flux-closure state: Re $\delta M_z$ of the "
                 "lowest modes")
    fig.savefig(out / "ring_modes.png", dpi=120)
    plt.close(fig)

    # pillar: the lowest mode against the drive
    c = pillar_csv
    low = c["mode"] == 0
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.8), constrained_layout=True)
    a.plot(c["drive"][low], c["frequency_GHz"][low], "o-")
    a.set(xlabel="drive amplitude j (x 8.64e11 A/m^2, P = 1)", ylabel="frequency (GHz)",
          title="lowest mode of the free layer")
    b.plot(c["drive"][low], c["decay_rate_per_ns"][low], "o-")
    b.axhline(0, color="k", lw=0.6)
    if soft is not None:
        b.axvline(soft, color="r", ls="--", label=f"soft at j = {soft:.2f}")
    b.axvspan(5.0, 5.5, color="0.85", label="time domain: j = 5, 5.5 switch")
    b.set(xlabel="drive amplitude j", ylabel="decay rate (1/ns)",
          title="its decay rate (< 0: the P state is unstable)")
    b.legend(fontsize=8)
    fig.savefig(out / "pillar_modes.png", dpi=120)
    plt.close(fig)

    # pillar: the free layer's two lowest modes at the first and the last drive, seen from
    # above (every vertex of the 4 nm thick layer, projected: the profiles hardly vary across
    # the thickness); colour: the in-plane transverse part Re dM_y, arrows: (Re dM_x, Re dM_y)
    drives = [min(pillar_profiles), max(pillar_profiles)]
    fig, axes = plt.subplots(2, 2, figsize=(8, 7.4), constrained_layout=True)
    for row, j in enumerate(drives):
        xyz = np.concatenate([p[0] for p in pillar_profiles[j]])
        sel = c["drive"] == j
        for k, ax in enumerate(axes[row]):
            re = np.concatenate([p[1][k][0] for p in pillar_profiles[j]])
            lim = np.max(np.abs(re[:, 1])) or 1.0
            sc = ax.scatter(xyz[:, 0], xyz[:, 1], c=re[:, 1], cmap="RdBu_r", vmin=-lim,
                            vmax=lim, s=30)
            ax.quiver(xyz[:, 0], xyz[:, 1], re[:, 0], re[:, 1], scale=12, width=0.004)
            ax.set_aspect("equal")
            ax.set(xlabel="x (nm)", ylabel="y (nm)")
            ax.set_title(f"j = {j:g}: mode {k}, {c['frequency_GHz'][sel][k]:.1f} GHz, "
                         f"decay {c['decay_rate_per_ns'][sel][k]:.2g}/ns", fontsize=9)
            fig.colorbar(sc, ax=ax, shrink=0.8, label=r"Re $\delta M_y$")
    fig.suptitle("CPP pillar, free layer (M0 along x): mode profiles")
    fig.savefig(out / "pillar_profiles.png", dpi=120)
    plt.close(fig)
    return ["dispersion.png", "ring_modes.png", "pillar_modes.png", "pillar_profiles.png"]


# ## Running it


def read_csv(path: Path) -> dict[str, np.ndarray]:
    header = path.read_text().splitlines()[0].split(",")
    data = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    return dict(zip(header, data.T, strict=True))


def main(argv: list[str] | None = None) -> dict:
    """Run the demo; returns the summary (also written to ``<out>/summary.json``)."""
    args = parse_args(argv)
    configure_logging()
    comm = MPI.COMM_WORLD
    t0 = time.perf_counter()
    prepare_run_folder(comm, args.out)
    disp = dispersion(comm, args.loop_cells)
    write_csv(comm, args.out / "dispersion.csv", disp)
    err = float(np.max(np.abs(disp["frequency_GHz"] / disp["exact_GHz"] - 1)))
    log.info("film dispersion: max relative error %.2e over %d modes", err, len(disp["k_per_nm"]))
    film = film_magnetostatics(comm)
    write_csv(comm, args.out / "film_magnetostatics.csv",
              {key.replace(" ", "_") + ("" if key == "k_per_nm" else "_GHz"): v
               for key, v in film.items()})
    ks_dev = {name: float(np.max(np.abs(film[name] / film[name + " KS"] - 1)))
              for name in FILM_GEOMETRY}
    log.info("film with magnetostatics: max deviation from Kalinikos-Slavin %s", ks_dev)
    ring, ring_index, ring_pics = ring_modes(comm, args.ring_h, args.out)
    write_csv(comm, args.out / "ring_modes.csv", {
        "mode": np.arange(len(ring.s)), "azimuthal_index": np.array(ring_index),
        "frequency_GHz": ring.frequency_GHz, "linewidth_GHz": ring.linewidth_GHz})
    case, current = pillar_case(args.pillar_h, args.drives, args.out / "pillar")
    summary, results = run_study(case, comm, args.out / "pillar")
    soft = summary["solve"]["soft_drive"]
    pillar_csv = read_csv(args.out / "pillar" / "modes.csv")
    pngs = draw(args, disp, film, ring, ring_index, ring_pics, pillar_csv, soft,
                results.extra["profiles"]) if comm.rank == 0 else None
    result = {
        "film_dispersion_max_relative_error": err,
        "film_magnetostatics_vs_kalinikos_slavin": ks_dev,
        "ring": {"frequency_GHz": ring.frequency_GHz.tolist(), "azimuthal_index": ring_index},
        "pillar": {"soft_drive": soft,
                   "soft_current_density_A_per_m2": None if soft is None or current is None
                   else soft * current,
                   "lowest": [run["lowest"] for run in summary["solve"]["drives"]]},
        "pictures": comm.bcast(pngs, root=0),
        "seconds": comm.allreduce(time.perf_counter() - t0, op=MPI.MAX),
        "mpi_ranks": comm.size,
    }
    write_json(comm, args.out / "summary.json", result)
    return result


if __name__ == "__main__":
    main()
