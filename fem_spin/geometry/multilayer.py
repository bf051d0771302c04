"""1D multilayers built with gmsh: named layers along x, graded at every internal interface.

Two length scales must be resolved (``shared/physics.md``, "Exact solutions"):

* the interface width ``l_da`` over which ``|M|`` (and ``a(x)``) changes: the cell size at each
  internal interface is ``l_da / points_per_l_da`` (default 5 cells per ``l_da``), growing
  geometrically (each cell about ``1 + growth`` times the previous one) away from it;
* the transverse wavelength ``2 pi l_sf / a`` of the precessing spin accumulation, which exists
  wherever ``H != 0``: the cell size is at most ``wavelength / points_per_wavelength``
  everywhere. :meth:`fem_spin.Material.transverse_wavelength` computes it.

How many points per wavelength: the wave travels about ``a / (2 pi)`` wavelengths before it
decays (over ``l_sf``), so its phase error accumulates (pollution, as for Helmholtz). Measured
relative L2 errors of S1 against the exact uniform-field solution on [0, l_sf] (uniform mesh):

    points per wavelength      10       20       40       80      160
    P1, a = 10               1.2e-1   2.9e-2   7.1e-3   1.8e-3   4.5e-4
    P1, a = 100              6.8e-1   2.6e-1   7.5e-2   1.9e-2   4.9e-3
    P2, a = 10               1.6e-3   1.9e-4   2.3e-5   2.9e-6   3.6e-7
    P2, a = 100              8.0e-3   5.4e-4   3.9e-5   3.4e-6   3.7e-7

i.e. P1 ~ ``a (2 pi / N)^2 / 36``. The default of 20 points suits P2 (and P1 only for a <~ 3);
for P1 at large ``a`` use ``points_per_wavelength`` ~ ``2 pi sqrt(a / (36 tol))``.

Coordinates: the first layer starts at ``x0`` and the layers follow in order along +x. The
paper's bilayer (layers on [-L, 0] and [0, L], spacer at 0) is
``multilayer(comm, [Layer("fm_left", L, mat), Layer("fm_right", L, mat)], x0=-L, l_da=0.6)``.

Tags (names are the keys of ``Geometry.tags``): layer ``i`` (0-based) is cell tag ``i + 1``
named after the layer; the end points are facet tags :data:`LEFT_TAG` / :data:`RIGHT_TAG`
named :data:`LEFT` / :data:`RIGHT` (the same numbers and names as
:mod:`fem_spin.geometry.interval`), and the interface between layers ``i`` and ``i + 1`` (1-based
``i``) is facet tag
``INTERFACE_TAG0 + i`` named ``INTERFACE.format(i)``, i.e. ``"interface_1"``, ...
Interfaces are interior facets: integrate over them with ``dS``, not ``ds``.
In parallel, ``dS`` over a facet on a process boundary needs a mesh ghosted by shared facets
(DOLFINx raises otherwise); counting owned tagged facets always works.
"""

from __future__ import annotations

import logging
import math
import numbers
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import dolfinx.cpp.mesh
import numpy as np
from mpi4py import MPI

from fem_spin.errors import InputError
from fem_spin.geometry.base import Geometry, check_positive, gmsh_geometry
from fem_spin.parameters.transport import Material

__all__ = [
    "INTERFACE",
    "INTERFACE_TAG0",
    "LEFT",
    "LEFT_TAG",
    "RIGHT",
    "RIGHT_TAG",
    "Layer",
    "interface_names",
    "layer_materials",
    "max_cell_size_at",
    "multilayer",
    "validate_layers",
]

log = logging.getLogger(__name__)

LEFT, RIGHT = "left", "right"  # facet names of the two end points
LEFT_TAG, RIGHT_TAG = 1, 2  # their facet tags (as in fem_spin.geometry.interval)
INTERFACE = "interface_{}"  # facet name of the interface between layers i and i + 1 (1-based)
INTERFACE_TAG0 = 100  # facet tag of interface i is INTERFACE_TAG0 + i


@dataclass(frozen=True)
class Layer:
    """One layer of a stack.

    Attributes:
        name: region name, the layer's cell-tag name in ``Geometry.tags`` (unique in a stack).
        thickness: extent along the stacking direction, nm (> 0).
        material: transport parameters of the layer, or None (then supply materials yourself;
            :func:`layer_materials` needs one per layer).
    """

    name: str
    thickness: float
    material: Material | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InputError(f"Layer.name must be a non-empty string, got {self.name!r}")
        t = self.thickness
        if (isinstance(t, bool) or not isinstance(t, numbers.Real) or not math.isfinite(t)
                or t <= 0):
            raise InputError(f"Layer {self.name!r}: thickness must be a positive finite number "
                             f"of nm, got {t!r}")
        object.__setattr__(self, "thickness", float(t))
        if self.material is not None and not isinstance(self.material, Material):
            raise InputError(f"Layer {self.name!r}: material must be a fem_spin.Material or None, "
                             f"got {self.material!r}")


def interface_names(n_layers: int) -> list[str]:
    """Facet names of the ``n_layers - 1`` internal interfaces, left to right."""
    return [INTERFACE.format(i) for i in range(1, n_layers)]


def validate_layers(layers: Sequence[Layer], reserved: Iterable[str] = ()) -> list[Layer]:
    """Check a stack: a non-empty sequence of :class:`Layer` with unique names that are not
    boundary names (``reserved``). Returns it as a list; raises InputError naming the problem."""
    if isinstance(layers, Layer) or not isinstance(layers, Sequence) or not layers:
        raise InputError(f"layers must be a non-empty list of Layer(name, thickness, material), "
                         f"got {layers!r}")
    layers = list(layers)
    for i, layer in enumerate(layers):
        if not isinstance(layer, Layer):
            raise InputError(f"layers[{i}] must be a Layer(name, thickness, material), "
                             f"got {layer!r}")
    names = [layer.name for layer in layers]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InputError(f"layer names must be unique (they name the cell tags), got duplicates "
                         f"{duplicates} in {names}")
    clash = sorted(set(names) & set(reserved))
    if clash:
        raise InputError(f"layer names {clash} are taken by boundary names of this geometry "
                         f"{sorted(reserved)}: rename the layers (e.g. 'fm_left')")
    return layers




def layer_materials(layers: Sequence[Layer], geometry: Geometry) -> dict[int, Material]:
    """``{cell tag: Material}`` of a stack built from ``layers`` (for SteadySpinDiffusion)."""
    layers = validate_layers(layers)
    missing = [layer.name for layer in layers if layer.material is None]
    if missing:
        raise InputError(f"layers {missing} have no material: give every Layer a "
                         "fem_spin.Material, or build the {cell tag: Material} map yourself")
    return {geometry.tag(layer.name): layer.material for layer in layers}


def max_cell_size_at(geometry: Geometry, facet_names: Sequence[str]) -> float:
    """Largest size (longest edge, nm) of the cells touching the named facets, over all ranks
    (0 if there are none)."""
    mesh, ft = geometry.mesh, geometry.facet_tags
    tdim = mesh.topology.dim
    local = 0.0
    if ft is not None and facet_names:
        values = [geometry.tag(name) for name in facet_names]
        mesh.topology.create_connectivity(tdim - 1, tdim)
        f2c = mesh.topology.connectivity(tdim - 1, tdim)
        facets = ft.indices[np.isin(ft.values, values)]
        if len(facets):
            cells = np.unique(np.concatenate([f2c.links(f) for f in facets]))
            cells = cells[cells < mesh.topology.index_map(tdim).size_local].astype(np.int32)
            if len(cells):
                local = float(dolfinx.cpp.mesh.h(mesh._cpp_object, tdim, cells).max())
    return mesh.comm.allreduce(local, op=MPI.MAX)


def _resolution(total: float, l_da, wavelength, points_per_wavelength, points_per_l_da,
                h_max) -> tuple[float, float]:
    """Target sizes (h at interfaces, h everywhere else) in nm."""
    h = total / 50.0 if h_max is None else float(h_max)
    if wavelength is not None and math.isfinite(wavelength):
        h = min(h, wavelength / points_per_wavelength)
    h_interface = h if l_da is None else min(h, l_da / points_per_l_da)
    return h_interface, h


def _wavelength_from_layers(layers: Sequence[Layer]) -> float | None:
    values = [layer.material.transverse_wavelength() for layer in layers if layer.material]
    return min(values) if values else None


def multilayer(
    comm: MPI.Comm,
    layers: Sequence[Layer],
    *,
    l_da: float | None = None,
    wavelength: float | None = None,
    points_per_wavelength: float = 20.0,
    points_per_l_da: float = 5.0,
    h_max: float | None = None,
    growth: float = 0.2,
    x0: float = 0.0,
    cache_dir: str | Path | None = None,
) -> Geometry:
    """A 1D stack of layers along x (gmsh, geo kernel), graded at the internal interfaces.

    Args:
        comm: communicator.
        layers: the layers from left to right; the first starts at ``x0``.
        l_da: interface width (nm): the cell size at each internal interface is
            ``l_da / points_per_l_da``. None: no interface refinement.
        wavelength: shortest transverse wavelength to resolve (nm): the cell size is at most
            ``wavelength / points_per_wavelength`` everywhere. None: the shortest
            :meth:`~fem_spin.Material.transverse_wavelength` of the layers' materials
            (saturated M, no external field), no constraint if no layer has a material;
            ``math.inf``: no constraint.
        points_per_wavelength: cells per wavelength (20 suits P2; for P1 see the module
            docstring).
        points_per_l_da: cells per interface width (5).
        h_max: largest cell size (nm); default total thickness / 50.
        growth: beyond one cell from an interface the size grows by ``growth`` per unit
            distance, i.e. each cell is about ``1 + growth`` times its neighbour.
        x0: x coordinate of the left end (nm).
        cache_dir: folder for the ``.msh`` cache (same path on all ranks), or None.
    Returns:
        Geometry with cell tags per layer and facet tags ``left``, ``right``,
        ``interface_<i>`` (see the module docstring); ``stats`` adds the targets
        ``target_h_interface`` / ``target_h_max``, the ``wavelength`` used and the measured
        ``h_interface`` (largest cell touching an interface).
    """
    layers = validate_layers(layers)
    validate_layers(layers, (LEFT, RIGHT, *interface_names(len(layers))))
    check_positive(l_da, "l_da (interface width, nm)", allow_none=True)
    check_positive(wavelength, "wavelength (nm)", allow_none=True, allow_inf=True)
    check_positive(points_per_wavelength, "points_per_wavelength")
    check_positive(points_per_l_da, "points_per_l_da")
    check_positive(h_max, "h_max (nm)", allow_none=True)
    check_positive(growth, "growth")
    if not isinstance(x0, numbers.Real) or not math.isfinite(x0):
        raise InputError(f"x0 must be a finite coordinate in nm, got {x0!r}")
    if wavelength is None:
        wavelength = _wavelength_from_layers(layers)

    xs = float(x0) + np.concatenate([[0.0], np.cumsum([layer.thickness for layer in layers])])
    total = float(xs[-1] - xs[0])
    h_interface, h = _resolution(total, l_da, wavelength, points_per_wavelength,
                                 points_per_l_da, h_max)
    n_estimate = total / h + (len(layers) - 1) * math.log(h / h_interface) / math.log1p(growth)
    if n_estimate > 5e6:
        raise InputError(f"this multilayer would need about {n_estimate:.3g} cells (h = {h:.3g} "
                         f"nm over {total:.3g} nm): check wavelength / h_max / l_da")
    names = [layer.name for layer in layers]
    if comm.rank == 0:
        log.info("multilayer %s: h %.3g nm at interfaces (l_da %s nm), at most %.3g nm "
                 "(wavelength %s nm)", names, h_interface, l_da, h, wavelength)

    def build(gmsh) -> None:
        geo = gmsh.model.geo
        points = [geo.addPoint(float(x), 0.0, 0.0) for x in xs]
        lines = [geo.addLine(p, q) for p, q in zip(points[:-1], points[1:], strict=True)]
        geo.synchronize()
        model = gmsh.model
        for i, (name, line) in enumerate(zip(names, lines, strict=True)):
            model.addPhysicalGroup(1, [line], i + 1, name=name)
        model.addPhysicalGroup(0, [points[0]], LEFT_TAG, name=LEFT)
        model.addPhysicalGroup(0, [points[-1]], RIGHT_TAG, name=RIGHT)
        for i, name in enumerate(interface_names(len(layers)), start=1):
            model.addPhysicalGroup(0, [points[i]], INTERFACE_TAG0 + i, name=name)
        _size_field(gmsh, 0, points[1:-1], h_interface, h, growth)
        model.mesh.generate(1)

    params = {"layers": [(layer.name, layer.thickness) for layer in layers], "x0": float(x0),
              "h_interface": h_interface, "h_max": h, "growth": growth}
    geometry = gmsh_geometry(comm, "multilayer", build, gdim=1, params=params,
                             cache_dir=cache_dir)
    stats = dict(geometry.stats, target_h_interface=h_interface, target_h_max=h,
                 wavelength=math.inf if wavelength is None else float(wavelength),
                 h_interface=max_cell_size_at(geometry, interface_names(len(layers))))
    return replace(geometry, stats=stats)


def _size_field(gmsh, dim: int, entities: Sequence[int], h_interface: float, h: float,
                growth: float, sampling: int | None = None) -> None:
    """Cell size ``h_interface`` within ``h_interface`` of the entities, then growing by
    ``growth`` per unit distance up to ``h`` (gmsh Distance + Threshold background field), and no
    other size source. ``dim`` 0: points, 1: curves."""
    gmsh.option.setNumber("Mesh.MeshSizeMax", h)
    gmsh.option.setNumber("Mesh.MeshSizeFromPoints", 0)
    gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", 0)
    gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)
    if not entities or h_interface >= h:
        return
    field = gmsh.model.mesh.field
    distance = field.add("Distance")
    field.setNumbers(distance, "PointsList" if dim == 0 else "CurvesList", list(entities))
    if sampling is not None:
        field.setNumber(distance, "Sampling", sampling)
    threshold = field.add("Threshold")
    field.setNumber(threshold, "InField", distance)
    field.setNumber(threshold, "SizeMin", h_interface)
    field.setNumber(threshold, "SizeMax", h)
    field.setNumber(threshold, "DistMin", h_interface)  # a plateau: the first cell is h_interface
    field.setNumber(threshold, "DistMax", h_interface + (h - h_interface) / growth)
    field.setAsBackgroundMesh(threshold)
