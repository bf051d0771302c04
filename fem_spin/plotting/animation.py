"""GIF animations: a family of profiles, one frame per case (matplotlib's ``PillowWriter``
with a compact palette), a GIF of picture files, and one frame of a GIF as a PNG."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.animation import FuncAnimation, PillowWriter
from matplotlib.figure import Figure

from fem_spin.plotting.figures import COMPONENTS, Curve, mark, profile_axes

__all__ = ["CompactPillowWriter", "animate_profiles", "gif_frame", "write_gif"]


class CompactPillowWriter(PillowWriter):
    """:class:`~matplotlib.animation.PillowWriter` that maps every frame onto one fixed
    16-colour palette (white, black, five greys, and each of ``colors`` with two tints), without
    dithering. Antialiased line plots otherwise carry hundreds of colours per frame and
    compress badly; with the palette a 24-frame GIF of two panels stays under 200 kB.

    Args:
        colors: the line colours of the plot (at most three; default the component colours).
    """

    def __init__(self, *args, colors: Sequence[str] = tuple(c for _, c in COMPONENTS),
                 **kwargs):
        from matplotlib.colors import to_rgb
        from PIL import Image

        super().__init__(*args, **kwargs)
        if len(colors) > 3:
            raise ValueError(f"CompactPillowWriter takes at most three line colours, got "
                             f"{len(colors)}")
        rgb = [(1.0, 1.0, 1.0), (0.0, 0.0, 0.0)] + [(g, g, g) for g in (0.25, 0.45, 0.65,
                                                                        0.8, 0.9)]
        for c in colors:
            c = np.asarray(to_rgb(c))
            rgb += [tuple(c), tuple(0.5 * c + 0.5), tuple(0.2 * c + 0.8)]
        values = [round(255 * v) for c in rgb for v in c]
        self._palette = Image.new("P", (1, 1))
        self._palette.putpalette(values + [0] * (768 - len(values)))

    def grab_frame(self, **savefig_kwargs) -> None:
        from PIL import Image

        super().grab_frame(**savefig_kwargs)
        frame = self._frames[-1].convert("RGB")  # PillowWriter keeps its frames in _frames
        self._frames[-1] = frame.quantize(palette=self._palette, dither=Image.Dither.NONE)


def animate_profiles(path: str | Path, frames: Sequence[Sequence[Curve]], *,
                     frame_titles: Sequence[str], panel_titles: Sequence[str],
                     xlabel: str = "x (nm)", ylims: Sequence[tuple[float, float]] | None = None,
                     xlims: Sequence[tuple[float, float]] | None = None,
                     marks: Sequence[float] = (), fps: float = 4.0, dpi: int = 72,
                     width: float = 4.6, height: float = 3.2) -> Path:
    """A GIF animation: frame ``i`` shows ``frames[i][j]`` (m_x, m_y, m_z) in panel ``j``.

    Args:
        path: the ``*.gif`` file.
        frames: per frame, one :class:`Curve` per panel (same x in every frame of a panel).
        frame_titles: the figure title of each frame (e.g. the angle).
        panel_titles: the title of each panel.
        ylims: fixed y limits per panel (default: the range over all frames, within xlims).
        xlims: x limits per panel (default: the whole curve).
        marks: x positions marked with dashed lines in every panel.
        fps, dpi, width, height: frame rate, resolution, panel size (inches).
    """
    path = Path(path)
    n_panels = len(panel_titles)
    if not frames or any(len(f) != n_panels for f in frames) or len(frame_titles) != len(frames):
        raise ValueError("animate_profiles needs one title per frame and one curve per panel "
                         "in every frame")
    fig = Figure(figsize=(width * n_panels, height), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, n_panels))
    lines = []
    for j, ax in enumerate(axes):
        first = frames[0][j]
        lines.append(profile_axes(ax, first.x, first.m, legend=(j == n_panels - 1)))
        mark(ax, marks, None)
        ax.set_title(panel_titles[j], fontsize=9)
        ax.set_xlabel(xlabel)
        x0, x1 = (first.x[0], first.x[-1]) if xlims is None else xlims[j]
        ax.set_xlim(x0, x1)
        if ylims is not None:
            ax.set_ylim(*ylims[j])
        else:
            inside = (first.x >= x0) & (first.x <= x1)
            lo = min(float(np.nanmin(f[j].m[inside])) for f in frames)
            hi = max(float(np.nanmax(f[j].m[inside])) for f in frames)
            pad = 0.05 * (hi - lo)
            ax.set_ylim(lo - pad, hi + pad)
    axes[0].set_ylabel("m (left-layer frame)")
    suptitle = fig.suptitle(frame_titles[0], fontsize=10)

    def update(i: int) -> list:
        for j in range(n_panels):
            for k, line in enumerate(lines[j]):
                line.set_ydata(frames[i][j].m[:, k])
        suptitle.set_text(frame_titles[i])
        return [ln for group in lines for ln in group]

    animation = FuncAnimation(fig, update, frames=len(frames), blit=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    animation.save(path, writer=CompactPillowWriter(fps=fps), dpi=dpi)
    return path


def write_gif(path: str | Path, frames: Sequence[str | Path], ms_per_frame: int = 120) -> Path:
    """An animated GIF (looping) of the picture files ``frames``, in order."""
    from PIL import Image

    images = [Image.open(f) for f in frames]
    images[0].save(path, save_all=True, append_images=images[1:], duration=ms_per_frame,
                   loop=0)
    return Path(path)


def gif_frame(gif: str | Path, index: int, png: str | Path) -> Path:
    """Write frame ``index`` of the GIF ``gif`` to the PNG ``png`` (to look at or to show)."""
    from PIL import Image

    with Image.open(gif) as image:
        image.seek(index)
        image.convert("RGB").save(png)
    return Path(png)
