"""Animation frames of a time-stepping run: an ``observe`` callback that gathers fields to rank
0 and draws PyVista panels every few steps."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fem_spin.render.gather import gather_fields
from fem_spin.render.panels import render_panels

__all__ = ["frame_recorder"]


def frame_recorder(folder: str | Path, every: int, panels, fields: Sequence[str] = ("M", "m"),
                   panel_size: tuple[int, int] = (560, 480)):
    """An ``observe`` callback of ``TimeStepper.run`` that draws an animation frame every
    ``every`` steps (and at t = 0): it gathers ``fields`` of the stepper to rank 0 (collective,
    :func:`~fem_spin.render.gather.gather_fields`) and draws the PyVista panels ``panels(stepper)``
    (:mod:`fem_spin.render`) into ``folder/frame_<k>.png``; ``record.frames`` lists the
    files (on rank 0), for :func:`fem_spin.plotting.write_gif`."""
    folder, frames = Path(folder), []

    def record(stepper) -> dict:
        if stepper.steps % every:
            return {}
        grid = gather_fields(stepper.mesh, {f: stepper.field(f) for f in fields})
        if stepper.comm.rank == 0:
            path = folder / f"frame_{len(frames):04d}.png"
            render_panels(grid, path, panels(stepper), panel_size=panel_size)
            frames.append(path)
        return {}

    record.frames = frames
    return record
