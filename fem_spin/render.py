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
works without a display; set ``PYVISTA_OFF_SCREEN=true`` on headless machines (the plotters
are created with ``off_screen=True`` anyway).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import dolfinx.fem as fem
import dolfinx.plot
import numpy as np
import ufl

from fem_spin.core.fields import interpolate
from fem_spin.errors import InputError

__all__ = [
    "GatheredGrid",
    "GlyphPanel",
    "ScalarPanel",
    "gather_fields",
    "render_glyphs",
    "render_panels",
    "render_scalar",
]

log = logging.getLogger(__name__)

Plane = tuple[Sequence[float], Sequence[float]]  # (origin, normal)


@dataclass(frozen=True)
class GatheredGrid:
    """A mesh and nodal data as numpy arrays, in the layout of ``pyvista.UnstructuredGrid``.

    Attributes:
        cells: VTK connectivity ``[n0, i0, i1, ..., n1, ...]`` into ``points``.
        cell_types: VTK cell type per cell.
        points: node coordinates (n, 3), nm.
        point_data: name -> nodal values, (n,) for scalars or (n, k) for vectors.
    """

    cells: np.ndarray
    cell_types: np.ndarray
    points: np.ndarray
    point_data: dict[str, np.ndarray] = field(default_factory=dict)

    def to_pyvista(self):
        """The grid as a ``pyvista.UnstructuredGrid`` with the point data attached."""
        import pyvista

        grid = pyvista.UnstructuredGrid(self.cells, self.cell_types, self.points)
        for name, values in self.point_data.items():
            grid.point_data[name] = values
        return grid


def gather_fields(mesh, fields: Mapping[str, object], root: int = 0) -> GatheredGrid | None:
    """Nodal (P1) values of ``fields`` on the mesh's nodes, gathered to rank ``root``.

    Collective on ``mesh.comm``. The mesh must be linear (geometry degree 1).

    Args:
        mesh: a DOLFINx mesh.
        fields: name -> DOLFINx Function (any Lagrange degree) or UFL expression (scalar or
            vector) defined on ``mesh``; each is interpolated into P1 of its shape.
        root: the rank that receives the grid.

    Returns:
        A :class:`GatheredGrid` on ``root``, ``None`` on the other ranks.
    """
    comm = mesh.comm
    if mesh.geometry.cmaps[0].degree != 1:
        raise InputError("gather_fields needs a linear mesh (geometry degree 1), this one has "
                         f"degree {mesh.geometry.cmaps[0].degree}")
    values: dict[str, np.ndarray] = {}
    nodes = mesh.geometry.dofmaps[0]  # (cells, nodes per cell): local geometry node indices
    n_nodes = mesh.geometry.x.shape[0]
    for name, f in fields.items():
        shape = ufl.shape(f)
        if len(shape) > 1:
            raise InputError(f"gather_fields: {name!r} has shape {shape}; only scalars and "
                             "vectors can be drawn")
        V = fem.functionspace(mesh, ("Lagrange", 1, shape))
        u = interpolate(f, V)
        u.x.scatter_forward()  # ghost nodes too: their cells may be drawn from this rank's data
        bs = V.dofmap.index_map_bs
        dof_values = u.x.array.reshape(-1, bs)
        # P1 dofs and geometry nodes of a linear mesh coincide cell by cell
        node_values = np.empty((n_nodes, bs))
        node_values[nodes.ravel()] = dof_values[V.dofmap.list.ravel()]
        values[name] = node_values if shape else node_values[:, 0]

    topology, cell_types, x = dolfinx.plot.vtk_mesh(mesh)  # owned cells, local node indices
    # a linear mesh comes with VTK's Lagrange cell types: use the plain linear ones
    cell_types = np.vectorize(lambda t: _LINEAR_VTK.get(int(t), int(t)))(np.asarray(cell_types))
    keys = np.asarray(mesh.geometry.input_global_indices, dtype=np.int64)  # same on all ranks
    topology = np.asarray(topology, dtype=np.int64).copy()
    # replace the node indices of the connectivity (not the per-cell counts) by global keys
    counts_at = _count_positions(topology)
    is_index = np.ones(len(topology), dtype=bool)
    is_index[counts_at] = False
    topology[is_index] = keys[topology[is_index]]

    gathered = comm.gather((topology, np.asarray(cell_types), keys, np.asarray(x), values),
                           root=root)
    if comm.rank != root:
        return None
    all_keys = np.concatenate([g[2] for g in gathered])
    unique, first = np.unique(all_keys, return_index=True)
    points = np.concatenate([g[3] for g in gathered])[first]
    point_data = {name: np.concatenate([g[4][name] for g in gathered])[first]
                  for name in values}
    cells = []
    for g in gathered:
        topo = g[0].copy()
        idx = np.ones(len(topo), dtype=bool)
        idx[_count_positions(topo)] = False
        topo[idx] = np.searchsorted(unique, topo[idx])
        cells.append(topo)
    return GatheredGrid(np.concatenate(cells), np.concatenate([g[1] for g in gathered]),
                        np.ascontiguousarray(points[:, :3]), point_data)


_LINEAR_VTK = {68: 3, 69: 5, 70: 9, 71: 10, 72: 12}  # Lagrange curve/tri/quad/tet/hex -> linear


def _count_positions(topology: np.ndarray) -> np.ndarray:
    """Positions of the per-cell node counts in a flat VTK connectivity array."""
    positions, i = [], 0
    if len(topology) == 0:
        return np.zeros(0, dtype=np.int64)
    n = int(topology[0])
    if np.all(topology[:: n + 1] == n) and len(topology) % (n + 1) == 0:  # one cell type
        return np.arange(0, len(topology), n + 1)
    while i < len(topology):
        positions.append(i)
        i += int(topology[i]) + 1
    return np.asarray(positions, dtype=np.int64)


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
