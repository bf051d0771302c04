"""Off-screen rendering without a display: the defaults :mod:`fem_spin.render` sets on import
(before pyvista and VTK are imported, which happens only when drawing).

Without ``DISPLAY``: ``PYVISTA_OFF_SCREEN=true`` and, if libEGL is there, VTK's EGL render
window (``VTK_DEFAULT_OPENGL_WINDOW``): VTK would otherwise try X first and print a "bad X
server connection" warning. Values set by the user are kept."""

from __future__ import annotations

import ctypes.util
import os


def headless_defaults() -> None:
    """Set the off-screen defaults unless a display is there (or the user chose)."""
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return
    os.environ.setdefault("PYVISTA_OFF_SCREEN", "true")
    if "VTK_DEFAULT_OPENGL_WINDOW" not in os.environ and ctypes.util.find_library("EGL"):
        os.environ["VTK_DEFAULT_OPENGL_WINDOW"] = "vtkEGLRenderWindow"


headless_defaults()
