"""Off-screen pictures of fields on 2D/3D meshes with PyVista (the only module importing it).

Two steps, so that no DOLFINx object has to outlive the solve and no rank waits on a picture:

1. :func:`gather_fields` (collective) interpolates Functions or UFL expressions into P1 on
   the mesh and gathers the owned cells, the mesh nodes and the nodal values to rank 0 as
   plain numpy arrays (:class:`GatheredGrid`; ``None`` on the other ranks). Nodes shared by
   several ranks are merged by their global input index, so the grid is the serial one.
2. :func:`render_glyphs`, :func:`render_scalar` and :func:`render_panels` (rank 0, not
   collective) build a ``pyvista.UnstructuredGrid`` and write a PNG off screen: arrows of a
   vector field (e.g. ``m`` or ``M``) sampled on a regular lattice in a slice plane, and a
   scalar (a component or the magnitude of a vector field, e.g. the torque density) on slices
   or on the boundary surface, with a title, a colour bar and axes labelled in nm.

pyvista is imported inside the functions that draw, so importing this module is cheap and
works without a display. On a machine without one (no ``DISPLAY``), importing it sets
``PYVISTA_OFF_SCREEN=true`` and, if libEGL is there, VTK's EGL render window
(``VTK_DEFAULT_OPENGL_WINDOW``): VTK would otherwise try X first and print a "bad X server
connection" warning. Values set by the user are kept.
"""

from fem_spin.render import headless  # noqa: F401  (off-screen defaults, first)
from fem_spin.render.frames import frame_recorder
from fem_spin.render.gather import GatheredGrid, gather_fields
from fem_spin.render.panels import (
    GlyphPanel,
    ScalarPanel,
    render_glyphs,
    render_panels,
    render_scalar,
)

__all__ = [
    "GatheredGrid",
    "GlyphPanel",
    "ScalarPanel",
    "frame_recorder",
    "gather_fields",
    "render_glyphs",
    "render_panels",
    "render_scalar",
]
