"""Step 2 of a picture (rank 0, not collective): a ``pyvista.UnstructuredGrid`` of a
:class:`~fem_spin.render.gather.GatheredGrid` drawn off screen into a PNG: arrows of a vector
field on a lattice in a slice plane, scalars on slices or the boundary surface, titles,
colour bars and axes in nm. pyvista is imported inside the functions that draw."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fem_spin.errors import InputError
from fem_spin.render.gather import GatheredGrid

__all__ = ["GlyphPanel", "ScalarPanel", "render_glyphs", "render_panels", "render_scalar"]

log = logging.getLogger(__name__)

Plane = tuple[Sequence[float], Sequence[float]]  # (origin, normal)


# -- panels ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class GlyphPanel:
    """Arrows of a vector field sampled on a regular lattice in a slice plane.

    Attributes:
        vectors: name of a vector field of the grid.
        plane: ``(origin, normal)`` of the slice; ``None`` for the plane through the grid's
            centre normal to y.
        points: explicit arrow positions (n, 3) instead of the lattice in ``plane`` (e.g.
            points along a ring's centreline); ``plane`` then only sets the default view.
        color_by: a scalar to colour the arrows: ``"<name>"`` (magnitude of a vector field),
            ``"<name>:x"`` / ``":y"`` / ``":z"`` (a component) or a scalar field's name;
            default the magnitude of ``vectors``.
        spacing: lattice spacing (nm); default 1/18 of the grid's largest extent.
        scale: arrow length per unit of the field (nm); default 0.9 spacing / max |vectors|.
        title, cmap, clim, bar_title: picture text and colours.
        view: ``"xy"``, ``"xz"``, ``"yz"`` or ``"iso"``; default looks along the plane normal.
        context: draw the mesh surface faintly around the slice.
    """

    vectors: str
    plane: Plane | None = None
    points: np.ndarray | None = None
    color_by: str | None = None
    spacing: float | None = None
    scale: float | None = None
    title: str = ""
    cmap: str = "coolwarm"
    clim: tuple[float, float] | None = None
    bar_title: str | None = None
    view: str | None = None
    context: bool = True


@dataclass(frozen=True, kw_only=True)
class ScalarPanel:
    """A scalar on slices and/or on the boundary surface.

    Attributes:
        scalars: ``"<name>"`` (magnitude of a vector field or a scalar field) or
            ``"<name>:x"`` etc. (a component).
        planes: slices ``(origin, normal)``; empty to draw the boundary surface only.
        surface: draw the boundary surface (opaque without planes, faint with them).
        title, cmap, clim, bar_title, view: as in :class:`GlyphPanel`.
    """

    scalars: str
    planes: Sequence[Plane] = ()
    surface: bool = False
    title: str = ""
    cmap: str = "viridis"
    clim: tuple[float, float] | None = None
    bar_title: str | None = None
    view: str = "iso"


def _scalar(grid, spec: str) -> tuple[np.ndarray, str]:
    """Values and label of ``"name"`` (magnitude) or ``"name:x"`` (a component) on a grid."""
    name, _, comp = spec.partition(":")
    if name not in grid.point_data:
        raise InputError(f"no field {name!r} to draw; the grid has {list(grid.point_data)}")
    data = np.asarray(grid.point_data[name])
    if data.ndim == 1:
        if comp:
            raise InputError(f"{name!r} is a scalar: it has no component {comp!r}")
        return data, name
    if not comp:
        return np.linalg.norm(data, axis=1), name  # VTK text drops "|": say it in the title
    if comp not in "xyz" or len(comp) != 1:
        raise InputError(f"component must be x, y or z, got {spec!r}")
    return data[:, "xyz".index(comp)], f"{name}_{comp}"


def _plane(grid, plane: Plane | None) -> tuple[np.ndarray, np.ndarray]:
    if plane is None:
        return np.asarray(grid.center, dtype=float), np.array([0.0, 1.0, 0.0])
    origin, normal = (np.asarray(v, dtype=float).ravel() for v in plane)
    if origin.shape != (3,) or normal.shape != (3,) or not np.linalg.norm(normal) > 0:
        raise InputError(f"a plane is (origin, normal), two 3-vectors, got {plane!r}")
    return origin, normal / np.linalg.norm(normal)


def _lattice(grid, origin: np.ndarray, normal: np.ndarray, spacing: float):
    """Regular lattice of points in the plane, covering the grid's bounding box."""
    import pyvista

    helper = np.array([1.0, 0.0, 0.0]) if abs(normal[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    e1 = helper - normal * (normal @ helper)
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(normal, e1)
    b = np.asarray(grid.bounds, dtype=float).reshape(3, 2)
    corners = np.array(np.meshgrid(*b, indexing="ij")).reshape(3, -1).T - origin
    u_range = (corners @ e1).min(), (corners @ e1).max()
    v_range = (corners @ e2).min(), (corners @ e2).max()
    u = np.arange(u_range[0] + 0.5 * spacing, u_range[1], spacing)
    v = np.arange(v_range[0] + 0.5 * spacing, v_range[1], spacing)
    uu, vv = np.meshgrid(u, v, indexing="ij")
    pts = origin + uu.ravel()[:, None] * e1 + vv.ravel()[:, None] * e2
    return pyvista.PolyData(pts)


_VIEWS = ("xy", "xz", "yz")  # look along z, y, x (pyvista's camera positions)


def _set_view(plotter, view: str, grid, aspect: float) -> None:
    """Camera along an axis (parallel projection, framing the grid's extent across the line
    of sight) or an isometric perspective view."""
    if view in _VIEWS:
        plotter.camera_position = view
        plotter.enable_parallel_projection()  # a plane seen flat, without perspective
        plotter.reset_camera()
        extent = np.ptp(np.asarray(grid.bounds, dtype=float).reshape(3, 2), axis=1)
        u, v = {"xy": (0, 1), "xz": (0, 2), "yz": (1, 2)}[view]
        # half the visible height, with a margin for the axes' labels
        plotter.camera.parallel_scale = 0.75 * max(extent[v], extent[u] / aspect)
    else:
        plotter.camera_position = "iso"
        plotter.camera.elevation = -10.0
        plotter.reset_camera()
        plotter.camera.zoom(0.85)


def _surface(grid):
    return grid.extract_surface(algorithm="dataset_surface")


def _axes(plotter, grid, view: str) -> None:
    """Axes in nm; a plane view hides the axis along the line of sight."""
    # bounds rounded to 0.1 nm, so that the tick labels (ends and middle) read cleanly
    bounds = np.round(np.asarray(grid.bounds, dtype=float), 1)
    hidden = {"xy": "z", "xz": "y", "yz": "x"}.get(view, "")
    plotter.show_bounds(bounds=list(bounds), xtitle="x (nm)", ytitle="y (nm)", ztitle="z (nm)",
                        show_xaxis=hidden != "x", show_yaxis=hidden != "y",
                        show_zaxis=hidden != "z", font_size=14,
                        location="outer", ticks="outside", minor_ticks=False, fmt="%g",
                        n_xlabels=3, n_ylabels=3, n_zlabels=3)


def _bar(title: str, panel: int) -> dict:
    # pyvista keys scalar bars by title across a plotter's panels: trailing spaces keep the
    # bars of different panels apart
    return {"title": title + " " * panel, "vertical": True, "position_x": 0.86, "position_y": 0.15,
            "height": 0.7, "width": 0.05, "title_font_size": 20, "label_font_size": 16,
            "fmt": "%.3g"}


def _draw_glyphs(plotter, grid, p: GlyphPanel, panel: int, aspect: float) -> None:
    if p.vectors not in grid.point_data or np.ndim(grid.point_data[p.vectors]) != 2:
        raise InputError(f"{p.vectors!r} is not a vector field of the grid "
                         f"({list(grid.point_data)})")
    origin, normal = _plane(grid, p.plane)
    extent = float(np.max(np.ptp(np.asarray(grid.bounds).reshape(3, 2), axis=1)))
    spacing = p.spacing or extent / 18
    if p.points is not None:
        import pyvista

        points = np.asarray(p.points, dtype=float)
        if points.ndim != 2 or points.shape[1] != 3:
            raise InputError(f"GlyphPanel.points must be an array (n, 3), got {points.shape}")
        lattice = pyvista.PolyData(points)
        if len(points) > 1:  # the arrow length follows the typical distance between points
            spacing = p.spacing or float(np.median(np.linalg.norm(np.diff(points, axis=0),
                                                                  axis=1)))
    else:
        lattice = _lattice(grid, origin, normal, spacing)
    probe = lattice.sample(grid)
    inside = probe.extract_points(np.asarray(probe.point_data["vtkValidPointMask"]) > 0,
                                  adjacent_cells=False)
    if inside.n_points == 0:
        raise InputError(f"the slice plane {tuple(origin)}, {tuple(normal)} misses the mesh")
    vec = np.asarray(inside.point_data[p.vectors], dtype=float)
    vmax = float(np.max(np.linalg.norm(vec, axis=1))) or 1.0
    scale = p.scale or 0.9 * spacing / vmax
    spec = p.color_by or p.vectors
    colour, label = _scalar(inside, spec)
    clim = p.clim
    if clim is None and ":" in spec:  # a signed component: zero in the middle of the map
        bound = float(np.max(np.abs(colour))) or 1.0
        clim = (-bound, bound)
    inside.point_data["_colour"] = colour
    inside.point_data["_vec"] = vec * scale
    arrows = inside.glyph(orient="_vec", scale="_vec", factor=1.0, tolerance=None)
    if p.context:
        plotter.add_mesh(_surface(grid), color="lightgray", opacity=0.12)
        if p.points is None:
            plotter.add_mesh(grid.slice(normal=normal, origin=origin), color="whitesmoke",
                             opacity=0.5)
    plotter.add_mesh(arrows, scalars="_colour", cmap=p.cmap, clim=clim,
                     scalar_bar_args=_bar(p.bar_title or label, panel))
    view = p.view or ("yz", "xz", "xy")[int(np.argmax(np.abs(normal)))]
    _axes(plotter, grid, view)
    if p.title:
        plotter.add_text(p.title, font_size=14, position="upper_left")
    _set_view(plotter, view, grid, aspect)


def _draw_scalar(plotter, grid, p: ScalarPanel, panel: int, aspect: float) -> None:
    values, label = _scalar(grid, p.scalars)
    grid = grid.copy(deep=False)
    grid.point_data["_scalar"] = values
    clim = p.clim or (float(np.min(values)), float(np.max(values)))
    # no lighting: the colour of a slice must not depend on its orientation
    args = {"scalars": "_scalar", "cmap": p.cmap, "clim": clim, "lighting": False,
            "scalar_bar_args": _bar(p.bar_title or label, panel)}
    if p.surface or not p.planes:
        plotter.add_mesh(_surface(grid), opacity=0.25 if p.planes else 1.0, **args)
    else:
        plotter.add_mesh(_surface(grid), color="lightgray", opacity=0.12)
    for k, plane in enumerate(p.planes):
        origin, normal = _plane(grid, plane)
        piece = grid.slice(normal=normal, origin=origin)
        if piece.n_points:
            plotter.add_mesh(piece, **args, show_scalar_bar=k == 0 and not p.surface)
    _axes(plotter, grid, p.view)
    if p.title:
        plotter.add_text(p.title, font_size=14, position="upper_left")
    _set_view(plotter, p.view, grid, aspect)


def render_panels(grid: GatheredGrid, path: str | Path,
                  panels: Sequence[GlyphPanel | ScalarPanel], *,
                  panel_size: tuple[int, int] = (900, 700)) -> Path:
    """Draw panels side by side into one PNG (rank 0 only; not collective).

    Args:
        grid: from :func:`gather_fields`.
        path: the PNG file (its folder is created).
        panels: :class:`GlyphPanel` / :class:`ScalarPanel`, left to right.
        panel_size: pixels per panel (width, height).

    Returns:
        ``path``.
    """
    import pyvista

    if not isinstance(grid, GatheredGrid):
        raise InputError(f"render needs the GatheredGrid of gather_fields (on its root rank), "
                         f"got {grid!r}")
    if not panels:
        raise InputError("render_panels needs at least one panel")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    vtk_grid = grid.to_pyvista()
    plotter = pyvista.Plotter(off_screen=True, shape=(1, len(panels)), border=False,
                              window_size=(panel_size[0] * len(panels), panel_size[1]))
    plotter.set_background("white")
    aspect = 0.8 * panel_size[0] / panel_size[1]  # the colour bar takes the right 20 %
    try:
        for k, panel in enumerate(panels):
            plotter.subplot(0, k)
            if isinstance(panel, GlyphPanel):
                _draw_glyphs(plotter, vtk_grid, panel, k, aspect)
            elif isinstance(panel, ScalarPanel):
                _draw_scalar(plotter, vtk_grid, panel, k, aspect)
            else:
                raise InputError(f"unknown panel {panel!r}: use GlyphPanel or ScalarPanel")
        plotter.screenshot(str(path))
    finally:
        plotter.close()
    log.info("picture written to %s", path)
    return path


def render_glyphs(grid: GatheredGrid, path: str | Path, **panel) -> Path:
    """One :class:`GlyphPanel` (keyword arguments) into the PNG ``path`` (rank 0 only)."""
    return render_panels(grid, path, [GlyphPanel(**panel)])


def render_scalar(grid: GatheredGrid, path: str | Path, **panel) -> Path:
    """One :class:`ScalarPanel` (keyword arguments) into the PNG ``path`` (rank 0 only)."""
    return render_panels(grid, path, [ScalarPanel(**panel)])
