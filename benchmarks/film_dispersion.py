"""The spin-wave dispersion of an extended film with magnetostatics
(fem_spin.problems.film_dispersion) against exact modes and Kalinikos-Slavin.

Permalloy (Ms = 8e5 A/m, A = 13 pJ/m), B = 50 mT in the plane (1.3 T along the normal for the
forward-volume geometry). Four parts:

1. no exchange, exact references (Damon-Eshbach surface mode; backward- and forward-volume
   n = 0 modes of Walker's equation): the relative error against h, P1 (potential P2) and P2
   (potential P3), d = 10 nm, k d = 0.1, 1, 3;
2. k = 0 with exchange: the standing waves k_n = n pi / d (n = 1, 2; unpinned), exact;
3. the dispersion of a d = 10 nm film (DE, BV, FV), FEM (P2, 40 cells) against KS's n = 0
   mode, k = 0 ... 0.1 / nm, with the Gilbert linewidths (alpha = 0.01): the CSV and the
   figure;
4. KS's deviation from the converged FEM against the thickness d = 1.25 ... 20 nm, with the
   exponent between consecutive d; and the frequencies on this communicator against each
   rank's serial ones (COMM_SELF).

Usage: ``python benchmarks/film_dispersion.py`` (or under ``mpiexec -n 2``; ~30 s serial);
writes benchmarks/results/film_dispersion.{json,csv,png,md}.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from mpi4py import MPI

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fem_spin.parameters.magnet import Magnet  # noqa: E402
from fem_spin.physics.spin_wave_theory import kalinikos_slavin  # noqa: E402
from fem_spin.problems.film_dispersion import GHZ  # noqa: E402
from tests.helpers import film_cases  # noqa: E402
from tests.helpers.exact import rates  # noqa: E402
from tests.helpers.film_cases import (  # noqa: E402
    A_EX,
    B_N,
    EXACT,
    GEOMETRY,
    MS,
    MU0MS,
    NO_EX,
    SHIFT,
    B,
    D,
    G,
)

ALPHA = 0.01
PY = Magnet(Ms=MS, A_ex=A_EX, alpha=ALPHA)  # damped: the linewidths of part 3
C_EX = PY.exchange_coefficient
HERE = Path(__file__).resolve().parent / "results"


def film(comm, geo, mag=PY, **kw):
    return film_cases.film(comm, geo, mag, **kw)


def ks(geo, k, d=D, n=0):
    _, _, (theta, phi), B_int = GEOMETRY[geo]
    return kalinikos_slavin(G, B_int, MU0MS, C_EX, k, d, theta=theta, phi=phi, n=n)


def convergence(comm) -> list[dict]:
    rows = []
    for geo in GEOMETRY:
        for kd in (0.1, 1.0, 3.0):
            exact = EXACT[geo](kd / D, D)
            for deg, cells in ((1, (4, 8, 16, 32)), (2, (2, 4, 8, 16))):
                err = [abs(film(comm, geo, NO_EX, cells=c, degree=deg)
                           .solve(kd / D, sigma=SHIFT[geo]).omega[0] / exact - 1) for c in cells]
                r = rates([D / c for c in cells], err)
                rows.append({"geometry": geo, "kd": kd, "degree": deg, "f_exact_GHz":
                             exact * GHZ, "cells": list(cells), "error": err,
                             "rate": r.tolist()})
    return rows


def standing_waves(comm) -> list[dict]:
    rows = []
    for geo in ("DE", "FV"):
        ref = np.array([ks(geo, 0.0, n=n) for n in (1, 2)])
        for deg, cells in ((1, (8, 16, 32)), (2, (4, 8, 16))):
            err = np.array([np.abs(film(comm, geo, cells=c, degree=deg).solve(0.0, 3).omega[1:]
                                   / ref - 1) for c in cells])
            rows.append({"geometry": geo, "degree": deg, "cells": list(cells),
                         "f_exact_GHz": (ref * GHZ).tolist(), "error": err.tolist(),
                         "rate": [rates([D / c for c in cells], err[:, j]).tolist()
                                  for j in range(2)]})
    return rows


def ks_linewidth(geo, k, d=D, dB=1e-6) -> float:
    """KS's Gilbert linewidth ``alpha omega d omega / d omega_H / pi`` (GHz; the derivative
    by central differences in the internal field)."""
    _, _, (theta, phi), B_int = GEOMETRY[geo]

    def w(b):
        return kalinikos_slavin(G, b, MU0MS, C_EX, k, d, theta=theta, phi=phi)

    slope = (w(B_int + dB) - w(B_int - dB)) / (2 * G * dB)
    return ALPHA * w(B_int) * slope * 1e3 / np.pi


def dispersion(comm) -> dict:
    ks_grid = np.linspace(0.0, 0.1, 21)
    out = {"k_per_nm": ks_grid.tolist()}
    for geo in GEOMETRY:
        f = film(comm, geo, cells=40, degree=2)
        modes = [f.solve(float(k)) for k in ks_grid]
        out[geo] = {"fem_GHz": [m.frequency_GHz[0] for m in modes],
                    "ks_GHz": [ks(geo, k) * GHZ for k in ks_grid],
                    "fem_linewidth_GHz": [m.linewidth_GHz[0] for m in modes],
                    "ks_linewidth_GHz": [ks_linewidth(geo, k) for k in ks_grid]}
    return out


def thickness_scan(comm) -> dict:
    ds = (1.25, 2.5, 5.0, 10.0, 20.0)
    out = {"d_nm": list(ds)}
    for geo in GEOMETRY:
        for k in (0.03, 0.1):
            dev = []
            for d in ds:
                cells = max(20, int(4 * d))
                w = film(comm, geo, thickness=d, cells=cells, degree=2).solve(k).omega[0]
                dev.append(1.0 - w / ks(geo, k, d))
            e = np.array(dev)
            with np.errstate(invalid="ignore"):  # a negative round-off deviation
                expo = np.log(e[1:] / e[:-1]) / np.log(2.0)
            out[f"{geo} k={k}"] = {"deviation": dev, "exponent": expo.tolist()}
    return out


def serial_vs_comm(comm) -> float:
    worst = 0.0
    for geo in GEOMETRY:
        for k in (0.0, 0.05, 0.1):
            a = film(comm, geo, cells=24, degree=2).solve(k, 2).omega
            b = film(MPI.COMM_SELF, geo, cells=24, degree=2).solve(k, 2).omega
            worst = max(worst, float(np.max(np.abs(a / b - 1))))
    return comm.allreduce(worst, op=MPI.MAX)


def figure(disp: dict, scan: dict, conv: list[dict], path: Path) -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 3, figsize=(15, 4.6))
    k_um = np.array(disp["k_per_nm"]) * 1e3
    colors = {"DE": "C0", "BV": "C1", "FV": "C2"}
    names = {"DE": "Damon-Eshbach (M _|_ k, in plane)", "BV": "backward volume (M || k)",
             "FV": f"forward volume (M normal, B = {B_N} T)"}
    for geo in GEOMETRY:
        ax[0].plot(k_um, disp[geo]["ks_GHz"], "-", color=colors[geo],
                   label=f"{names[geo]}: Kalinikos-Slavin")
        ax[0].plot(k_um, disp[geo]["fem_GHz"], "o", ms=4, color=colors[geo], label="FEM")
    ax[0].set(xlabel="k (rad/um)", ylabel="f (GHz)",
              title=f"Permalloy film d = {D:g} nm, B = {B * 1e3:g} mT: n = 0 mode")
    ax[0].legend(fontsize=7)
    d = np.array(scan["d_nm"])
    for key, mk in (("DE k=0.1", "o-"), ("DE k=0.03", "o--"), ("BV k=0.1", "s-"),
                    ("FV k=0.1", "^-")):
        ax[1].loglog(d, scan[key]["deviation"], mk, color=colors[key[:2]],
                     label=f"{key} /nm")
    ax[1].loglog(d, 1e-4 * (d / 2.5) ** 4, "k:", label="~ d^4")
    ax[1].loglog(d, 1e-8 * (d / 2.5) ** 6, "k-.", label="~ d^6")
    ax[1].set_xticks(d, [f"{x:g}" for x in d], minor=False)
    ax[1].set_xticks([], minor=True)
    ax[1].set(xlabel="film thickness d (nm)", ylabel="(f_KS - f_FEM) / f_KS",
              title="Kalinikos-Slavin's deviation (exchange on)")
    ax[1].legend(fontsize=7)
    for row in conv:
        if row["kd"] != 1.0:
            continue
        ax[2].loglog([D / c for c in row["cells"]], row["error"],
                     "o-" if row["degree"] == 1 else "s--", color=colors[row["geometry"]],
                     label=f"{row['geometry']} P{row['degree']} (potential P{row['degree'] + 1})")
    h = np.array([0.3125, 2.5])
    ax[2].loglog(h, 1e-10 * (h / h[0]) ** 4, "k:", label="~ h^4")
    h = np.array([0.625, 5.0])
    ax[2].loglog(h, 1e-13 * (h / h[0]) ** 6, "k-.", label="~ h^6")
    hs = [0.3125, 0.625, 1.25, 2.5, 5.0]
    ax[2].set_xticks(hs, [f"{x:g}" for x in hs], minor=False)
    ax[2].set_xticks([], minor=True)
    ax[2].set(xlabel="cell size h (nm)", ylabel="relative frequency error",
              title="No exchange, k d = 1: FEM vs exact modes")
    ax[2].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def report(out: dict, nranks: int) -> str:
    L = ["# Film dispersion with magnetostatics (benchmarks/film_dispersion.py)", "",
         f"{nranks} rank(s). Permalloy Ms = 8e5 A/m, A = 13 pJ/m, gamma = {G} rad/(ps T); "
         f"B = {B * 1e3:g} mT in the plane (DE: M0 _|_ k, BV: M0 || k), {B_N} T along the "
         "normal (FV). The film is a 1D Bloch problem across the thickness "
         "(`fem_spin.problems.film_dispersion`), the exterior the exact Robin term k p w.", "",
         "## 1. No exchange: exact modes (d = 10 nm)", "",
         "| geometry | k d | f exact (GHz) | degree (dM / potential) | cells: relative error | "
         "rates |", "|---|---|---|---|---|---|"]
    for r in out["convergence"]:
        errs = ", ".join(f"{c}: {e:.2e}" for c, e in zip(r["cells"], r["error"]))
        L.append(f"| {r['geometry']} | {r['kd']:g} | {r['f_exact_GHz']:.4f} | "
                 f"P{r['degree']} / P{r['degree'] + 1} | {errs} | "
                 f"{', '.join(f'{x:.2f}' for x in r['rate'])} |")
    L += ["", "Rate 4 for P1 and ~6 for P2 (asymptotically; round-off near 1e-13): without "
          "exchange the magnetization enters through L2-type forms and the eigenvalue error is "
          "the square of the L2 error of the profile. DE: the surface mode above the "
          "(discrete) bulk band; FV: the top of its band; BV: the bottom.", "",
          "## 2. k = 0 with exchange: standing waves k_n = n pi / d (unpinned)", "",
          "| geometry | degree | f_1, f_2 exact (GHz) | cells: errors (n = 1; n = 2) | rates "
          "n = 1; n = 2 |", "|---|---|---|---|---|"]
    for r in out["standing_waves"]:
        errs = ", ".join(f"{c}: {e[0]:.2e}; {e[1]:.2e}" for c, e in zip(r["cells"], r["error"]))
        rr = "; ".join(", ".join(f"{x:.2f}" for x in rs) for rs in r["rate"])
        L.append(f"| {r['geometry']} | P{r['degree']} | "
                 f"{r['f_exact_GHz'][0]:.3f}, {r['f_exact_GHz'][1]:.3f} | {errs} | {rr} |")
    L += ["", "The uniform mode (n = 0) is Kittel's to round-off at k = 0 (in plane "
          "sqrt(B (B + mu0 Ms)), normal B - mu0 Ms).", "",
          "## 3. Dispersion, d = 10 nm (film_dispersion.csv, film_dispersion.png)", "",
          "Frequencies (GHz), FEM (P2, 40 cells) and KS:", "",
          "| k (rad/um) | DE FEM | DE KS | BV FEM | BV KS | FV FEM | FV KS |",
          "|---|---|---|---|---|---|---|"]
    disp = out["dispersion"]
    for i, k in enumerate(disp["k_per_nm"]):
        if i % 4:
            continue
        L.append(f"| {k * 1e3:g} | " + " | ".join(
            f"{disp[g]['fem_GHz'][i]:.4f} | {disp[g]['ks_GHz'][i]:.4f}" for g in GEOMETRY)
            + " |")
    L += ["", f"Gilbert linewidths (FWHM, MHz) at alpha = {ALPHA}: the FEM's first-order "
          "``alpha omega (y, W y) / |(y, B y)| / pi`` and KS's ``alpha omega d omega / "
          "d omega_H / pi``:", "",
          "| k (rad/um) | DE FEM | DE KS | BV FEM | BV KS | FV FEM | FV KS |",
          "|---|---|---|---|---|---|---|"]
    for i, k in enumerate(disp["k_per_nm"]):
        if i % 4:
            continue
        L.append(f"| {k * 1e3:g} | " + " | ".join(
            f"{disp[g]['fem_linewidth_GHz'][i] * 1e3:.3f} | "
            f"{disp[g]['ks_linewidth_GHz'][i] * 1e3:.3f}" for g in GEOMETRY) + " |")
    L += ["", "## 4. Kalinikos-Slavin's deviation against the thickness", "",
          "(f_KS - f_FEM) / f_KS, FEM P2 with h <= 0.25 nm (20 against 40 cells: < 1e-8; the "
          "deviations are KS's). KS is the uniform-profile (first-order) approximation; the "
          "coupling it neglects is to n = 1 in DE (O(kd)) and to n = 2 in BV and FV "
          "(O((kd)^2)), against an exchange gap ~ C_ex (pi/d)^2: the deviation goes as d^4 (DE) "
          "and d^6 (BV, FV) in the thin limit.", "",
          "| case | " + " | ".join(f"d = {d:g}" for d in out["thickness"]["d_nm"])
          + " | exponents |", "|---|" + "---|" * (len(out["thickness"]["d_nm"]) + 1)]
    for key, v in out["thickness"].items():
        if key == "d_nm":
            continue
        L.append(f"| {key} /nm | " + " | ".join(f"{x:.2e}" for x in v["deviation"]) + " | "
                 + ", ".join(f"{x:.2f}" for x in v["exponent"]) + " |")
    L += ["", "(The exponents of BV and FV at the smallest d and k = 0.03 are round-off: "
          "deviations below 1e-9.)", "",
          f"## Serial and {nranks} rank(s)", "",
          f"Largest relative difference of the frequencies (DE, BV, FV; k = 0, 0.05, 0.1 / nm; "
          f"2 modes) between this communicator and each rank's serial solve: "
          f"{out['serial_vs_comm']:.1e}."]
    return "\n".join(L) + "\n"


def main() -> None:
    comm = MPI.COMM_WORLD
    out = {"convergence": convergence(comm), "standing_waves": standing_waves(comm),
           "dispersion": dispersion(comm), "thickness": thickness_scan(comm),
           "serial_vs_comm": serial_vs_comm(comm)}
    if comm.rank == 0:
        HERE.mkdir(exist_ok=True)
        (HERE / "film_dispersion.json").write_text(json.dumps(out, indent=1))
        disp = out["dispersion"]
        keys = ("fem_GHz", "ks_GHz", "fem_linewidth_GHz", "ks_linewidth_GHz")
        cols = ["k_rad_per_um"] + [f"{g}_{s}" for g in GEOMETRY for s in keys]
        rows = [[k * 1e3] + [disp[g][s][i] for g in GEOMETRY for s in keys]
                for i, k in enumerate(disp["k_per_nm"])]
        np.savetxt(HERE / "film_dispersion.csv", np.array(rows), delimiter=",",
                   header=",".join(cols), comments="", fmt="%.10g")
        figure(disp, out["thickness"], out["convergence"], HERE / "film_dispersion.png")
        text = report(out, comm.size)
        (HERE / "film_dispersion.md").write_text(text)
        print(text)


if __name__ == "__main__":
    main()
