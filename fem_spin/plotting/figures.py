"""Paper-style line plots of spin-accumulation profiles and of switching runs (matplotlib's
object API on the Agg canvas: numpy data in, safe on rank 0 only)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["COMPONENTS", "Curve", "bilayer_profile_figure", "family_axes", "family_figure", "mark",
           "profile_axes", "save", "scan_figure", "switching_time_figure",
           "switching_traces_figure"]


COMPONENTS = (("$m_x$", "tab:red"), ("$m_y$", "tab:green"), ("$m_z$", "tab:blue"))
"""Label and colour of each spin component in single-profile plots."""


@dataclass(frozen=True)
class Curve:
    """One profile: positions ``x`` (n,) in nm, values ``m`` (n, 3), a legend label."""

    x: np.ndarray
    m: np.ndarray
    label: str = ""


def mark(ax: Axes, marks: Sequence[float], text: str | None) -> None:
    for xm in marks:
        ax.axvline(xm, color="0.5", ls="--", lw=0.7)
    if text and marks:
        ax.text(marks[0], 0.02, text + " ", transform=ax.get_xaxis_transform(), rotation=90,
                ha="right", va="bottom", fontsize=7, color="0.35")


def family_axes(axes: Sequence[Axes], curves: Sequence[Curve], *,
                components: Sequence[int] = (0, 1, 2),
                xlims: Sequence[tuple[float, float] | None] | None = None,
                xlabel: str = "x (nm)", marks: Sequence[float] = (),
                mark_text: str | None = None) -> None:
    """Draw a case family into ``axes``: panel ``j`` shows component ``components[j]`` of every
    curve (a viridis colour each, in order); ``xlims[j]`` zooms panel ``j``."""
    colors = [_color(i, len(curves)) for i in range(len(curves))]
    for j, (ax, k) in enumerate(zip(axes, components, strict=True)):
        for c, color in zip(curves, colors, strict=True):
            ax.plot(c.x, c.m[:, k], color=color, lw=1.0, label=c.label)
        ax.axhline(0.0, color="0.85", lw=0.6, zorder=0)
        mark(ax, marks, mark_text)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(f"$m_{'xyz'[k]}$")
        ax.grid(alpha=0.25)
        if xlims is not None and xlims[j] is not None:
            ax.set_xlim(*xlims[j])


def family_figure(rows: Sequence[Sequence[Curve]], *, title: str,
                  row_titles: Sequence[str] | None = None, components: Sequence[int] = (0, 1, 2),
                  xlims: Sequence[Sequence[tuple[float, float] | None] | None] | None = None,
                  xlabel: str = "x (nm)", legend_title: str | None = None,
                  marks: Sequence[float] = (), mark_text: str | None = None,
                  width: float = 3.6, height: float = 2.7) -> Figure:
    """Case families in the layout of the paper's Figs. 6-11: one row per family (e.g. one
    sample length), one panel per spin component, one curve per case.

    Args:
        rows: per row, the curves of one family (the same labels in every row).
        title: figure title; row_titles: a title per row (put on its first panel).
        components: which components, one column each (0, 1, 2 = x, y, z).
        xlims: per row, ``None`` or one x range per component (``None`` = the data's).
        xlabel, legend_title: axis label; title of the legend (the varied parameter).
        marks, mark_text: x positions marked with dashed lines; label of the first one.
        width, height: size of one panel (inches).
    """
    fig = Figure(figsize=(width * len(components), height * len(rows)), layout="constrained")
    axes = np.asarray(fig.subplots(len(rows), len(components), squeeze=False))
    for i, curves in enumerate(rows):
        family_axes(axes[i], curves, components=components,
                    xlims=None if xlims is None else xlims[i], xlabel=xlabel, marks=marks,
                    mark_text=mark_text)
        if row_titles is not None:
            axes[i, 0].set_title(row_titles[i], fontsize=9, loc="left")
    if any(c.label for c in rows[0]):
        axes[0, -1].legend(title=legend_title, fontsize=7, title_fontsize=7, loc="best")
    fig.suptitle(title, fontsize=10)
    return fig


def _color(i: int, n: int):
    from matplotlib import colormaps

    return colormaps["viridis"](0.9 * i / max(n - 1, 1))


def profile_axes(ax: Axes, x: np.ndarray, m: np.ndarray, *, m_eq: np.ndarray | None = None,
                 lw: float = 1.1, legend: bool = True, symbol: str = "m") -> list:
    """The three components of one profile on ``ax`` (and, dotted, those of ``m_eq``);
    ``symbol`` names the field in the legend (``$m_x$``, ...).

    Returns:
        The line artists of m (for animations).
    """
    lines = []
    for k, (_, color) in enumerate(COMPONENTS):
        label = f"${symbol}_{'xyz'[k]}$"
        (line,) = ax.plot(x, m[:, k], color=color, lw=lw, label=label)
        lines.append(line)
        if m_eq is not None:
            ax.plot(x, m_eq[:, k], ":", color=color, lw=0.9)
    ax.axhline(0.0, color="0.85", lw=0.6, zorder=0)
    ax.grid(alpha=0.25)
    if legend:
        ax.legend(fontsize=7, loc="upper right")
    return lines


def bilayer_profile_figure(x: np.ndarray, m: np.ndarray, *, length: float, l_da: float,
                           title: str, zoom: float = 25.0) -> Figure:
    """One bilayer profile as in the paper's figures: the components of m (left-layer frame)
    against x in nm, the spacer at x = 0 marked; the right panel zooms on the spacer (to
    ``zoom`` nm), with the interface profile ``|M| = tanh(|x| / l_da)`` dotted."""
    fig = Figure(figsize=(10, 4), layout="constrained")
    axes = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    zoom = min(length, zoom)
    for ax, xlim in zip(axes, [(-length, length), (-zoom, zoom)], strict=True):
        for k, (label, color) in enumerate(COMPONENTS):
            ax.plot(x, m[:, k], "-", color=color, lw=1.2, label=label)
        ax.axvline(0.0, color="0.4", ls="--", lw=0.8)
        ax.text(0.0, 0.03, "spacer ", transform=ax.get_xaxis_transform(), rotation=90,
                ha="right", va="bottom", fontsize=8, color="0.3")
        ax.axhline(0.0, color="0.8", lw=0.6)
        ax.set_xlim(*xlim)
        ax.set_xlabel("x (nm)")
        ax.grid(alpha=0.3)
    axes[1].plot(x, np.tanh(np.abs(x) / l_da), ":", color="0.5", lw=1.0, label="$|M|$")
    axes[0].set_ylabel("spin accumulation $m$ (left-layer frame)")
    axes[1].legend(loc="lower right", fontsize=8)
    axes[0].set_title(title)
    axes[1].set_title("near the spacer")
    return fig


def scan_figure(x: np.ndarray,
                series: Mapping[str, np.ndarray] | Sequence[Mapping[str, np.ndarray]],
                *, xlabel: str, ylabel: str, title: str, panel_titles: Sequence[str] = (),
                logx: bool = False, logy: bool = False,
                points: Mapping[str, tuple[np.ndarray, np.ndarray]] | None = None,
                legend: str = "best", width: float = 6.0, height: float = 3.4) -> Figure:
    """A scalar against a parameter, one line per series (legend = keys). A list of mappings
    gives one panel each (side by side, titled ``panel_titles``); ``points`` adds marked values
    (e.g. the cases of a sweep) to the first panel. ``legend`` is a matplotlib legend location
    in each panel, or ``"outside"`` for one legend right of the panels (same series in all)."""
    panels = [series] if isinstance(series, Mapping) else list(series)
    fig = Figure(figsize=(width * len(panels), height), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(panels)))
    for j, (ax, data) in enumerate(zip(axes, panels, strict=True)):
        for i, (label, y) in enumerate(data.items()):
            ax.plot(x, y, color=_color(i, len(data)), lw=1.1, label=label)
        for label, (xp, yp) in (points or {}).items() if j == 0 else ():
            ax.plot(xp, yp, "o", ms=4, mfc="none", color="k", label=label)
        ax.set_xscale("log" if logx else "linear")
        ax.set_yscale("log" if logy else "linear")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        if j < len(panel_titles):
            ax.set_title(panel_titles[j], fontsize=9)
        ax.grid(alpha=0.25, which="both")
        if legend != "outside":
            ax.legend(fontsize=8, loc=legend)
    if legend == "outside":
        fig.legend(*axes[0].get_legend_handles_labels(), loc="outside right center",
                   fontsize=8)
    fig.suptitle(title, fontsize=10)
    return fig


def switching_traces_figure(traces: Mapping[float, Mapping[str, np.ndarray]],
                            axis: Sequence[float], *, title: str) -> Figure:
    """Traces of a drive sweep (one curve per drive ``j``): ``<M> . p`` (``p`` the unit
    ``axis``), the magnitude of the s-d torque ``lam_M <M x m>`` and ``<m> . p`` in the
    magnets, against time. ``traces[j]`` is a trace of :meth:`TimeStepper.run`."""
    p = np.asarray(axis, dtype=float) / np.linalg.norm(axis)
    fig = Figure(figsize=(7, 8), layout="constrained")
    axes = fig.subplots(3, 1, sharex=True)
    for i, (j, tr) in enumerate(traces.items()):
        color = _color(i, len(traces))
        M = np.column_stack([tr["Mx"], tr["My"], tr["Mz"]])
        m = np.column_stack([tr["mx"], tr["my"], tr["mz"]])
        torque = np.column_stack([tr["torque_x"], tr["torque_y"], tr["torque_z"]])
        axes[0].plot(tr["t"], M @ p, color=color, label=f"j = {j:g}")
        axes[1].plot(tr["t"], np.linalg.norm(torque, axis=1), color=color)
        axes[2].plot(tr["t"], m @ p, color=color)
    axes[0].set_ylabel(r"$\langle M\rangle\cdot p$")
    axes[0].axhline(0.0, color="0.7", lw=0.8)
    axes[0].legend(fontsize=8)
    axes[1].set_ylabel(r"$|\lambda_M\langle M\times m\rangle|$ (rad/ps)")
    axes[2].set_ylabel(r"$\langle m\rangle\cdot p$ in the magnets")
    axes[2].set_xlabel("t (ps)")
    for ax in axes:
        ax.grid(alpha=0.25)
    fig.suptitle(f"{title}; p = ({', '.join(f'{c:.3g}' for c in p)})", fontsize=10)
    return fig


def switching_time_figure(drives: Sequence[float], times: Sequence[float | None], *,
                          title: str) -> Figure:
    """Switching time against drive; drives that did not switch are marked on the axis
    ("not switched"), and a picture where none switched says so."""
    fig = Figure(figsize=(5, 3.5), layout="constrained")
    ax = fig.subplots()
    ok = [(j, t) for j, t in zip(drives, times, strict=True) if t is not None]
    if ok:
        ax.plot(*zip(*ok, strict=True), "o-", label="switched")
    none = [j for j, t in zip(drives, times, strict=True) if t is None]
    if none:
        ax.plot(none, [0.0] * len(none), "x", color="tab:red", clip_on=False,
                label="not switched")
        ax.legend(fontsize=8)
    if not ok:
        ax.text(0.5, 0.55, f"no drive switched\n(drives {', '.join(f'{j:g}' for j in drives)})",
                transform=ax.transAxes, ha="center", va="center", fontsize=11)
        ax.set_ylim(0.0, 1.0)
    ax.set_xlabel("drive j")
    ax.set_ylabel("switching time (ps)")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.25)
    return fig


def save(fig: Figure, path: str | Path, dpi: int = 110, colors: int | None = 256) -> Path:
    """Write ``fig`` as PNG and return the path.

    With ``colors`` (default 256) the image is stored with an adaptive palette of that many
    colours (PNG8, no dithering): line plots look the same and take about a third of the
    bytes. ``colors=None`` keeps full RGBA.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if colors is None:
        fig.savefig(path, dpi=dpi)
        return path
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    fig.savefig(buffer, dpi=dpi, format="png")
    buffer.seek(0)
    with Image.open(buffer) as image:
        rgb = image.convert("RGB")
    rgb.quantize(colors=colors, dither=Image.Dither.NONE).save(path, optimize=True)
    return path
