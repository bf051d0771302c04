"""The paper's bilayer sweeps (Sec. VI, Figs. 6-11; ``demos/bilayer_sweeps.py``): the case
families over the interface width, the angle and the sample length in the three readings,
the scans against L and theta, the findings compared with the paper's statements, and their
pictures.

Every solve goes through :func:`fem_spin.paper.bilayer.solve_bilayer`, which keeps its
DOLFINx/PETSc objects inside the call and returns numpy data; the picture functions take
numpy data only (rank 0).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from mpi4py import MPI

from fem_spin.output import write_csv
from fem_spin.output import write_table as write_output_table
from fem_spin.paper.bilayer import (
    READINGS,
    WAVELENGTH,
    BilayerCase,
    BilayerProfile,
    solve_bilayer,
)
from fem_spin.paper.parameters import H_MAX, L_DA
from fem_spin.plotting import Curve, animate_profiles, family_figure, gif_frame, save, scan_figure

__all__ = [
    "LENGTHS",
    "L_DAS",
    "SHARP",
    "THETAS",
    "THETA_LDA",
    "Sweep",
    "animation",
    "families",
    "family_picture",
    "findings",
    "length_scan",
    "run_cases",
    "scan_pictures",
    "table_rows",
    "theta_scan",
]

log = logging.getLogger(__name__)

THETAS = (0.0, 45.0, 90.0, 135.0, 180.0, 270.0)  # degrees (Figs. 8-11)
LENGTHS = (100.0, 10.0)  # nm
L_DAS = (0.6, 2.0, 5.0, 10.0)  # nm (Figs. 6-7)
THETA_LDA = 90.0  # the angle of the l_da sweep
SHARP = L_DA  # the paper's sharp interface (nm)


@dataclass(frozen=True, kw_only=True)
class Sweep:
    """What to solve and how finely.

    Attributes:
        readings: the readings to run (keys of :data:`READINGS`).
        thetas, lengths, l_das: a selection (their product, per reading); all None: the full
            sweeps of the paper's figures.
        h_max, degree, samples: mesh, element degree, points of each CSV profile.
        frames: angles of the theta scan and animation; scan_step: step of the length scan
            below 30 nm (nm).
    """

    readings: Sequence[str] = tuple(READINGS)
    thetas: Sequence[float] | None = None
    lengths: Sequence[float] | None = None
    l_das: Sequence[float] | None = None
    h_max: float = H_MAX
    degree: int = 2
    samples: int = 4001
    frames: int = 24
    scan_step: float = 0.2

    @property
    def full(self) -> bool:
        return self.thetas is None and self.lengths is None and self.l_das is None


def families(sweep: Sweep) -> dict[tuple, list[BilayerCase]]:
    """``{(kind, reading, L): [cases]}`` with kind ``"l_da"``, ``"theta"`` or ``"selection"``:
    per reading, two l_da families and two theta families (L = 100, 10 nm) for the full
    sweeps; a selection is the product of the given values (defaults theta = 90 deg,
    L = 100 nm, l_da = 0.6 nm)."""
    out: dict[tuple, list[BilayerCase]] = {}
    for r in sweep.readings:
        if sweep.full:
            for L in LENGTHS:
                out["l_da", r, L] = [BilayerCase(theta=THETA_LDA, length=L, l_da=w, reading=r)
                                     for w in L_DAS]
                out["theta", r, L] = [BilayerCase(theta=t, length=L, l_da=SHARP, reading=r)
                                      for t in THETAS]
        else:
            for L in sweep.lengths or [LENGTHS[0]]:
                out["selection", r, L] = [
                    BilayerCase(theta=t, length=L, l_da=w, reading=r)
                    for t, w in itertools.product(sweep.thetas or [THETA_LDA],
                                                  sweep.l_das or [SHARP])]
    return out


def run_cases(comm: MPI.Comm, cases: list[BilayerCase], sweep: Sweep, folder: Path
              ) -> dict[BilayerCase, BilayerProfile]:
    """Solve each distinct case once and write its profile to ``folder/<case.name>.csv``
    (x, mx, my, mz)."""
    profiles: dict[BilayerCase, BilayerProfile] = {}
    for case in dict.fromkeys(cases):
        p = solve_bilayer(comm, case, h_max=sweep.h_max, degree=sweep.degree,
                          samples=sweep.samples)
        write_csv(comm, folder / f"{case.name}.csv",
                  {"x": p.x, "mx": p.m[:, 0], "my": p.m[:, 1], "mz": p.m[:, 2]})
        profiles[case] = p
        log.info("%s: peak |m_perp| = %.4g at x = %.3g nm", case.name,
                 p.peaks()["peak_m_perp"], p.peaks()["peak_m_perp_x_nm"])
    return profiles


def _peak(comm: MPI.Comm, case: BilayerCase, sweep: Sweep, samples: int = 2001
          ) -> tuple[float, BilayerProfile]:
    """The peak transverse accumulation of a case that writes no file (scans, animation)."""
    p = solve_bilayer(comm, case, h_max=sweep.h_max, degree=sweep.degree, samples=samples)
    return p.peaks()["peak_m_perp"], p


def length_scan(comm: MPI.Comm, sweep: Sweep) -> dict:
    """Peak |m_perp| against L at theta = 90 deg, l_da = 0.6 nm, per reading: every
    ``scan_step`` nm from 2 to 30 nm, every 1 nm up to 100 nm."""
    lengths = np.concatenate([np.arange(2.0, 30.0 - 1e-9, sweep.scan_step),
                              np.arange(30.0, 100.0 + 1e-9, 1.0)])
    peaks = {r: [_peak(comm, BilayerCase(theta=THETA_LDA, length=float(L), l_da=SHARP,
                                         reading=r), sweep, samples=1001)[0]
                 for L in lengths]
             for r in sweep.readings}
    return {"length_nm": lengths.tolist(), "peak_m_perp": peaks}


def theta_scan(comm: MPI.Comm, sweep: Sweep) -> tuple[dict, dict]:
    """Theta from 0 to 360 deg (``frames`` values) for L = 100 and 10 nm, l_da = 0.6 nm: the
    peaks per reading and length, and the frames of the animation (:class:`Curve` rows)."""
    thetas = np.linspace(0.0, 360.0, sweep.frames, endpoint=False)
    peaks: dict = {r: {} for r in sweep.readings}
    frames: dict = {r: [] for r in sweep.readings}
    for r in sweep.readings:
        for L in LENGTHS:
            peaks[r][L] = []
        for t in thetas:
            row = []
            for L in LENGTHS:
                value, p = _peak(comm, BilayerCase(theta=float(t), length=L, l_da=SHARP,
                                                   reading=r), sweep)
                peaks[r][L].append(value)
                row.append(Curve(p.x, p.m, f"L = {L:g} nm"))
            frames[r].append(row)
    scan = {"theta_deg": thetas.tolist(),
            "peak_m_perp": {r: {f"L{L:g}": v for L, v in d.items()} for r, d in peaks.items()}}
    return scan, frames


def findings(profiles: dict[BilayerCase, BilayerProfile], readings) -> dict:
    """Per reading and length (when its full families were solved): the peaks against theta
    and l_da, whether orthogonal layers give the largest one, whether it grows with l_da,
    the 90/270 deg symmetry, and the ratio of the peaks at L = 10 and 100 nm."""
    def peak(**kw):
        case = BilayerCase(**kw)
        return profiles[case].peaks()["peak_m_perp"] if case in profiles else None

    out = {}
    for r in readings:
        f: dict = {}
        for L in LENGTHS:
            by_theta = {t: peak(theta=t, length=L, l_da=SHARP, reading=r) for t in THETAS}
            by_lda = {w: peak(theta=THETA_LDA, length=L, l_da=w, reading=r) for w in L_DAS}
            if None in by_theta.values() or None in by_lda.values():
                continue
            f[f"L{L:g}"] = {
                "peak_by_theta": by_theta,
                "orthogonal_largest": max(by_theta, key=by_theta.get) in (90.0, 270.0),
                "peak_by_l_da": by_lda,
                "increases_with_l_da": bool(np.all(np.diff(list(by_lda.values())) > 0)),
                "l_da_spread": (max(by_lda.values()) - min(by_lda.values()))
                / by_lda[SHARP],
            }
            m90 = profiles[BilayerCase(theta=90.0, length=L, l_da=SHARP, reading=r)].m
            m270 = profiles[BilayerCase(theta=270.0, length=L, l_da=SHARP, reading=r)].m
            f[f"L{L:g}"]["theta_270_vs_90"] = {
                "max_diff_mz": float(np.max(np.abs(m270[:, 2] - m90[:, 2]))),
                "max_diff_mxy_flipped": float(np.max(np.abs(m270[:, :2] + m90[:, :2]))),
            }
        if len(f) == 2:
            f["peak_ratio_L10_over_L100_at_90"] = (f["L10"]["peak_by_theta"][90.0]
                                                   / f["L100"]["peak_by_theta"][90.0])
        out[r] = f
    return out


def table_rows(profiles: dict[BilayerCase, BilayerProfile], csv_folder: str = "csv"
               ) -> list[dict]:
    """One row per case for ``summary.csv``: its parameters, peaks and spacer values."""
    rows = []
    for case, p in profiles.items():
        k = p.peaks()
        rows.append({"reading": case.reading, "theta_deg": case.theta, "length_nm": case.length,
                     "l_da_nm": case.l_da, "peak_m_perp": k["peak_m_perp"],
                     "peak_m_perp_x_nm": k["peak_m_perp_x_nm"], "rms_m_perp": k["rms_m_perp"],
                     "max_abs_mx": k["max_abs_mx"], "max_abs_my": k["max_abs_my"],
                     "max_abs_mz": k["max_abs_mz"],
                     "max_abs_m_minus_m_eq": k["max_abs_m_minus_m_eq"],
                     "mx_spacer": k["m_spacer"][0], "my_spacer": k["m_spacer"][1],
                     "mz_spacer": k["m_spacer"][2], "dofs": p.mesh["dofs"],
                     "csv": f"{csv_folder}/{case.name}.csv"})
    return rows


def write_table(comm: MPI.Comm, path: Path, profiles: dict) -> list[dict]:
    """:func:`table_rows` written as CSV by rank 0; returns the rows."""
    rows = table_rows(profiles)
    write_output_table(comm, path, rows)
    return rows


# -- pictures (rank 0, numpy data only) ------------------------------------------------------


def family_picture(path: Path, kind: str, reading: str, rows: list[list[BilayerCase]],
                   profiles: dict) -> None:
    """The paper's layout: one column per component (left-layer frame) against x, one curve
    per parameter value, one row per sample length; for L = 100 nm the transverse panels
    zoom on the spacer."""
    def label(c: BilayerCase) -> str:
        return f"{c.l_da:g}" if kind == "l_da" else (f"{c.theta:g}" if kind == "theta"
                                                      else c.name)
    curves = [[Curve(profiles[c].x, profiles[c].m, label(c)) for c in row] for row in rows]
    xlims = []
    for row in rows:
        L = row[0].length
        zoom = (-min(L, 20.0), min(L, 20.0))
        xlims.append([zoom, zoom, (-L, L)])
    what = {"l_da": rf"interface width ($\theta$ = {THETA_LDA:g}°)",
            "theta": rf"angle ($l_{{da}}$ = {SHARP:g} nm)", "selection": "selected cases"}[kind]
    fig = family_figure(
        curves, title=f"CPP bilayer, reading ({reading}): {READINGS[reading]}; {what}",
        row_titles=[f"L = {row[0].length:g} nm" for row in rows], xlims=xlims,
        legend_title={"l_da": "$l_{da}$ (nm)", "theta": r"$\theta$ (deg)"}.get(kind),
        marks=[0.0], mark_text="spacer")
    save(fig, path, dpi=90)


def scan_pictures(out: Path, lscan: dict | None, tscan: dict | None) -> list[str]:
    """``length_scan.png`` and ``theta_scan.png`` of the scans that were run; their names."""
    written = []
    if lscan is not None:
        series = {f"reading ({r})": np.asarray(v) for r, v in lscan["peak_m_perp"].items()}
        fig = scan_figure(np.asarray(lscan["length_nm"]), series, xlabel="layer length L (nm)",
                          ylabel=r"peak $|m_\perp|$", logy=True, width=7.0,
                          title=rf"Peak transverse accumulation against L ($\theta$ = 90°, "
                                rf"$l_{{da}}$ = {SHARP:g} nm): dips every "
                                rf"$\pi l_{{sf}}/a$ = {WAVELENGTH / 2:.2f} nm")
        save(fig, out / "length_scan.png", dpi=100)
        written.append("length_scan.png")
    if tscan is not None:
        theta = np.append(tscan["theta_deg"], 360.0)  # close the period: 360 deg = 0 deg
        panels = [{f"reading ({r})": np.append(d[f"L{L:g}"], d[f"L{L:g}"][0])
                   for r, d in tscan["peak_m_perp"].items()} for L in LENGTHS]
        fig = scan_figure(theta, panels, xlabel=r"$\theta$ (deg)", ylabel=r"peak $|m_\perp|$",
                          panel_titles=[f"L = {L:g} nm" for L in LENGTHS], width=4.2,
                          legend="outside",
                          title=r"Peak transverse accumulation against $\theta$ "
                                rf"($l_{{da}}$ = {SHARP:g} nm)")
        for ax in fig.axes:
            ax.set_xticks(np.arange(0, 361, 90))
        save(fig, out / "theta_scan.png", dpi=100)
        written.append("theta_scan.png")
    return written


def animation(out: Path, reading: str, frames: list, thetas: list) -> list[str]:
    """``theta_<reading>.gif`` (one frame per angle) and its 90 deg frame as a PNG."""
    path = out / f"theta_{reading}.gif"
    animate_profiles(
        path, frames, frame_titles=[rf"reading ({reading}), $\theta$ = {t:g}°, "
                                    rf"$l_{{da}}$ = {SHARP:g} nm" for t in thetas],
        panel_titles=["L = 100 nm (near the spacer)", "L = 10 nm"],
        xlims=[(-25.0, 25.0), (-10.0, 10.0)], marks=[0.0], fps=3, dpi=75, width=4.2,
        height=3.0)
    gif_frame(path, int(np.argmin(np.abs(np.asarray(thetas) - 90.0))),
              out / f"theta_{reading}_frame.png")
    return [path.name, f"theta_{reading}_frame.png"]
