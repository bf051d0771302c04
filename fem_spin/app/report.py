"""Pictures of a run folder (rank 0, from numpy data and the files only): line plots of the
profile CSVs, the PyVista picture of the fields, the traces and switching times of a dynamics
run; :func:`redraw` draws them again from a finished folder (``fem-spin plot``)."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from fem_spin import render
from fem_spin.app.dynamics import drive_folder
from fem_spin.app.results import Results
from fem_spin.app.schema import Case
from fem_spin.errors import InputError
from fem_spin.plotting import save, switching_time_figure, switching_traces_figure
from fem_spin.plotting.charge import angle_sweep_figure, charge_profile_figure

__all__ = ["dynamics_pictures", "pictures", "plot_csv", "redraw", "render_fields"]

log = logging.getLogger(__name__)


def plot_csv(csv_path: str | Path, png_path: str | Path, title: str = "") -> Path:
    """A PNG line plot of a profile CSV: m components solid, M dashed, against the one
    coordinate that varies (or the arc length s). Any CSV with a header works: the first
    column is then the horizontal axis."""
    csv_path, png_path = Path(csv_path), Path(png_path)
    with open(csv_path) as f:
        header = f.readline().strip().split(",")
    data = np.loadtxt(csv_path, delimiter=",", skiprows=1, ndmin=2)
    if data.shape[1] != len(header) or data.shape[0] < 2:
        raise InputError(f"{csv_path}: needs a header line and at least two rows of "
                         f"{len(header)} numbers")
    cols = {name: data[:, k] for k, name in enumerate(header)}
    coords = [c for c in "xyz" if c in cols and np.ptp(cols[c]) > 0]
    if len(coords) == 1:
        xname, xlabel = coords[0], f"{coords[0]} (nm)"
    elif "s" in cols:
        xname, xlabel = "s", "s, distance along the line (nm)"
    else:
        xname, xlabel = header[0], header[0]
    skip = {xname, "s", "x", "y", "z"} if xname in ("s", *"xyz") else {xname}
    colors = {"x": "tab:red", "y": "tab:green", "z": "tab:blue"}
    fig = Figure(figsize=(8, 4), layout="constrained")
    ax = fig.subplots()
    for name in header:
        if name in skip:
            continue
        comp = name[-1] if len(name) == 2 and name[0] in "mM" else None
        style = {"color": colors.get(comp, None), "lw": 1.3 if name[0] == "m" else 0.9,
                 "ls": "-" if name[0] != "M" else "--"}
        ax.plot(cols[xname], cols[name], label=f"${name[0]}_{name[1]}$" if comp else name,
                **style)
    ax.axhline(0.0, color="0.8", lw=0.6, zorder=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("m (spin accumulation), M dashed" if "mx" in cols else "")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, ncols=2)
    ax.set_title(title or csv_path.stem, fontsize=10)
    png_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = png_path.with_name(png_path.stem + ".partial.png")
    fig.savefig(tmp, dpi=110)
    os.replace(tmp, png_path)
    return png_path


def pictures(case: Case, folder: Path, grid) -> list[str]:
    """The PNGs of one result folder (rank 0): a plot of each line's CSV and, with a gathered
    ``grid``, the PyVista picture ``fields.png``; returns the file names written."""
    if case.charge is not None and case.dynamics is None:
        return charge_pictures(case, folder)
    written = []
    for line in case.lines:
        png = plot_csv(folder / f"{line.name}.csv", folder / f"{line.name}.png",
                       f"{case.name}: {line.name}")
        written.append(png.name)
    if grid is not None:
        try:
            written.append(render_fields(case, folder / "fields.png", grid).name)
        except Exception as e:  # e.g. no OpenGL: the run's results stand, say so
            log.warning("the PyVista picture fields.png was not drawn (%s: %s); on a headless "
                        "machine set PYVISTA_OFF_SCREEN=true (and install libgl1/libosmesa6)",
                        type(e).__name__, e)
    return written


def _read(path: Path) -> dict[str, np.ndarray]:
    data = np.genfromtxt(path, delimiter=",", names=True)
    return {k: np.atleast_1d(data[k]) for k in data.dtype.names}


def charge_pictures(case: Case, folder: Path) -> list[str]:
    """A charge-driven study: each line's profile (phi, m, J) and, with an angle sweep,
    R(theta) and torque(theta)."""
    written = []
    for line in case.lines:
        fig = charge_profile_figure(_read(folder / f"{line.name}.csv"),
                                    title=f"{case.name}: {line.name}, driven by "
                                          "the electrodes' current",
                                    interfaces=case.geometry.interfaces)
        written.append(save(fig, folder / f"{line.name}.png").name)
    sweep = folder / "angle_sweep.csv"
    if case.charge.angle_sweep is not None and sweep.is_file():
        c = _read(sweep)
        if "torque_inplane_A_per_m2" in c:
            torque = {"in-plane (damping-like)": c["torque_inplane_A_per_m2"],
                      "along the axis (field-like)": c["torque_axis_A_per_m2"]}
        else:
            torque = {f"{k}": c[f"torque_{k}_A_per_m2"] for k in "xyz"}
        fig = angle_sweep_figure(c["theta_deg"], c["AR_fOhm_m2"], torque,
                                 title=f"{case.name}: {case.charge.angle_sweep.region} turned "
                                       f"about {list(case.charge.angle_sweep.axis)}")
        written.append(save(fig, folder / "angle_sweep.png").name)
    return written


def render_fields(case: Case, path: Path, grid) -> Path:
    """m (and M) as arrows coloured by their z component, |m| in colour: on the plane of a 2D
    mesh, or on the plane y = centre of a 3D one; the titles name the case, the cut plane and
    the units (m in A/m, docs/units.md; M reduced, |M| = 1 at saturation)."""
    pts = grid.points
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    center = 0.5 * (lo + hi)
    points = None
    if case.geometry.gdim == 2:
        plane, view = (tuple(center), (0.0, 0.0, 1.0)), "xy"
        cut = "the xy plane"
        spacing = float(max(hi - lo)) / 18
        u = np.arange(lo[0] + spacing / 2, hi[0], spacing)
        v = np.arange(lo[1] + spacing / 2, hi[1], spacing)
        uu, vv = np.meshgrid(u, v, indexing="ij")
        points = np.column_stack([uu.ravel(), vv.ravel(), np.zeros(uu.size)])
    else:
        plane, view = (tuple(center), (0.0, 1.0, 0.0)), "xz"
        cut = f"the cut y = {center[1]:.3g} nm"
    # a colour map without a white middle: arrows with m_z ~ 0 stay visible
    panels = [render.GlyphPanel(vectors="m", plane=plane, points=points, color_by="m:z",
                                view=view, cmap="turbo", bar_title="m_z (A/m)",
                                title=f"{case.name}: m on {cut}")]
    if "M" in grid.point_data:
        panels.append(render.GlyphPanel(vectors="M", plane=plane, points=points,
                                        color_by="M:z", view=view, cmap="turbo",
                                        bar_title="M_z (reduced)", title=f"M on {cut}"))
    panels.append(render.ScalarPanel(scalars="m", planes=[plane] if points is None else [],
                                     view=view, title=f"magnitude of m on {cut}",
                                     bar_title="A/m",
                                     surface=points is not None))
    return render.render_panels(grid, path, panels, panel_size=(600, 500))


def dynamics_pictures(case: Case, folder: Path, results: Results) -> list[str]:
    """Rank 0: traces.png, switching_time.png (two or more drives) and, per drive, the line
    plots and the picture of the final state; returns the paths relative to ``folder``."""
    dyn = case.dynamics
    traces, grids = results.extra["traces"], results.extra["grids"]
    written = [save(switching_traces_figure(traces, dyn.switch_axis, title=case.name),
                    folder / "traces.png").name]
    if len(dyn.drives) > 1:
        times = [run["switching_time_ps"] for run in results.solve["drives"]]
        fig = switching_time_figure(dyn.drives, times, title=f"{case.name}: first crossing "
                                                             r"of $\langle M\rangle\cdot p = 0$")
        written.append(save(fig, folder / "switching_time.png").name)
    for j in dyn.drives:
        sub = drive_folder(j)
        written += [f"{sub}/{name}" for name in pictures(case, folder / sub, grids.get(j))]
    return written


def redraw(folder: Path) -> list[Path] | None:
    """Redraw the pictures of a finished dynamics run folder from its files (rank 0):
    ``traces.png``, ``switching_time.png`` and each drive's line plots. None if ``folder``
    is not the folder of a dynamics run (no ``summary.json`` with dynamics parameters)."""

    try:
        summary = json.loads((folder / "summary.json").read_text())
        dyn = summary["parameters"]["dynamics"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    name, drives = summary.get("case", folder.name), dyn["drives"]
    traces, written = {}, []
    for j in drives:
        sub = folder / drive_folder(j)
        path = sub / "trace.csv"
        if path.is_file():
            data = np.genfromtxt(path, delimiter=",", names=True)
            traces[j] = {k: np.atleast_1d(data[k]) for k in data.dtype.names}
        written += [plot_csv(csv, csv.with_suffix(".png"), f"{name}: {csv.stem}, drive {j:g}")
                    for csv in sorted(sub.glob("*.csv")) if csv.name != "trace.csv"]
    if traces:
        written.append(save(switching_traces_figure(traces, dyn["switch_axis"], title=name),
                            folder / "traces.png"))
    runs = summary.get("solve", {}).get("drives", [])
    if len(runs) > 1:
        fig = switching_time_figure([r["drive"] for r in runs],
                                    [r["switching_time_ps"] for r in runs],
                                    title=f"{name}: first crossing of "
                                          r"$\langle M\rangle\cdot p = 0$")
        written.append(save(fig, folder / "switching_time.png"))
    return written
