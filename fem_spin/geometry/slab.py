"""2D layered slabs built with gmsh (OCC, fragment) for CPP and CIP transport.

A slab is a rectangle cut into layers (:class:`~fem_spin.geometry.multilayer.Layer`), lower left
corner at ``origin``:

* ``mode="cpp"`` (current perpendicular to the planes): layers stacked along x, each
  ``thickness x width``; the electrodes are the outer edges x = x_0 and x = x_0 + total
  thickness; the edges y = y_0 and y = y_0 + width are "side".
* ``mode="cip"`` (current in the planes): layers stacked along y, each ``width x thickness``;
  the electrodes are the end edges x = x_0 and x = x_0 + width, spanning all layers; the
  bottom and top edges are "side".

So in both modes the electrodes are the outer edges of constant x (current along x) and "side"
the outer edges of constant y; ``width`` is the extent across the stacking direction.

Tags (names are the keys of ``Geometry.tags``): layer ``i`` (0-based) is cell tag ``i + 1``
named after the layer; facet tags :data:`ELECTRODE_LEFT_TAG`, :data:`ELECTRODE_RIGHT_TAG`,
:data:`SIDE_TAG` named :data:`ELECTRODE_LEFT`, :data:`ELECTRODE_RIGHT`, :data:`SIDE`; with
``tag_interfaces`` the interface between layers ``i`` and ``i + 1`` (1-based ``i``) is the
interior facet tag ``INTERFACE_TAG0 + i`` named ``"interface_<i>"`` (integrate with ``dS``).
In parallel, ``dS`` over a facet on a process boundary needs a mesh ghosted by shared facets
(DOLFINx raises otherwise); counting owned tagged facets always works.
The mesh is refined to ``h_interface`` at the internal interfaces, growing to ``h_max``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
from mpi4py import MPI

from fem_spin.errors import InputError
from fem_spin.geometry.base import Geometry, check_positive, gmsh_geometry
from fem_spin.geometry.multilayer import (
    INTERFACE_TAG0,
    Layer,
    _size_field,
    interface_names,
    max_cell_size_at,
    validate_layers,
)

__all__ = [
    "ELECTRODE_LEFT",
    "ELECTRODE_LEFT_TAG",
    "ELECTRODE_RIGHT",
    "ELECTRODE_RIGHT_TAG",
    "INTERFACE_TAG0",
    "MODES",
    "SIDE",
    "SIDE_TAG",
    "slab",
]

ELECTRODE_LEFT, ELECTRODE_RIGHT, SIDE = "electrode_left", "electrode_right", "side"
ELECTRODE_LEFT_TAG, ELECTRODE_RIGHT_TAG, SIDE_TAG = 1, 2, 3
MODES = ("cpp", "cip")


def slab(
    comm: MPI.Comm,
    layers: Sequence[Layer],
    *,
    width: float,
    mode: str = "cpp",
    h_max: float,
    h_interface: float | None = None,
    growth: float = 0.2,
    origin: tuple[float, float] = (0.0, 0.0),
    tag_interfaces: bool = True,
    cache_dir: str | Path | None = None,
) -> Geometry:
    """A 2D rectangle of layers (gmsh OCC: one rectangle per layer, fragmented).

    Args:
        comm: communicator.
        layers: the layers in stacking order (along +x for CPP, +y for CIP).
        width: extent across the stacking direction (nm): along y for CPP, and for CIP the
            length along x between the two electrodes.
        mode: ``"cpp"`` (current across the layers) or ``"cip"`` (current along them).
        h_max: largest cell size (nm), a gmsh target edge length: the longest edge of a
            triangle (``Geometry.stats``'s h) reaches about 1.3 times the target.
        h_interface: cell size at the internal interfaces (nm), default ``h_max`` (uniform).
        growth: away from an interface the size grows by ``growth`` per unit distance
            (neighbouring cells differ by a factor of about ``1 + growth``).
        origin: lower left corner (nm).
        tag_interfaces: tag the internal interfaces as interior facets ``interface_<i>``.
        cache_dir: folder for the ``.msh`` cache (same path on all ranks), or None.
    Returns:
        Geometry (see the module docstring for the tags); ``stats`` adds ``target_h_interface``,
        ``target_h_max`` and, with tagged interfaces, the measured ``h_interface`` (largest
        cell touching an interface).
    """
    layers = validate_layers(layers)
    validate_layers(layers, (ELECTRODE_LEFT, ELECTRODE_RIGHT, SIDE,
                             *interface_names(len(layers))))
    if mode not in MODES:
        raise InputError(f"mode must be one of {MODES} (current perpendicular to / in the "
                         f"planes), got {mode!r}")
    check_positive(width, "width (nm)")
    check_positive(h_max, "h_max (nm)")
    check_positive(h_interface, "h_interface (nm)", allow_none=True)
    check_positive(growth, "growth")
    try:
        x0, y0 = (float(c) for c in origin)
    except (TypeError, ValueError):
        raise InputError(f"origin must be two coordinates (x, y) in nm, got {origin!r}") from None
    if not (math.isfinite(x0) and math.isfinite(y0)):
        raise InputError(f"origin must be finite, got {origin!r}")
    h_int = h_max if h_interface is None else min(float(h_interface), float(h_max))
    thickness = np.array([layer.thickness for layer in layers])
    total = float(thickness.sum())
    # about 2 triangles per h^2; a graded band adds ~ 4 width / (growth h_interface) each
    estimate = 2 * total * width / h_max**2 + 4 * (len(layers) - 1) * width / (growth * h_int)
    if estimate > 5e6:
        raise InputError(f"this slab would need about {estimate:.3g} cells: check h_max / "
                         "h_interface")
    # positions of the layer boundaries along the stacking direction
    stack0 = x0 if mode == "cpp" else y0
    cuts = stack0 + np.concatenate([[0.0], np.cumsum(thickness)])
    size_x, size_y = (total, width) if mode == "cpp" else (width, total)
    names = [layer.name for layer in layers]
    tol = 1e-8 * max(size_x, size_y)

    def build(gmsh) -> None:
        occ, model = gmsh.model.occ, gmsh.model
        rectangles = []
        for a, b in zip(cuts[:-1], cuts[1:], strict=True):
            if mode == "cpp":
                rectangles.append(occ.addRectangle(a, y0, 0.0, b - a, width))
            else:
                rectangles.append(occ.addRectangle(x0, a, 0.0, width, b - a))
        if len(rectangles) > 1:
            occ.fragment([(2, rectangles[0])], [(2, r) for r in rectangles[1:]])
        occ.synchronize()

        def stack_coordinate(dim: int, tag: int) -> float:
            com = occ.getCenterOfMass(dim, tag)
            return com[0] if mode == "cpp" else com[1]

        surfaces: dict[int, list[int]] = {}
        for _, s in model.getEntities(2):
            i = int(np.searchsorted(cuts, stack_coordinate(2, s))) - 1
            surfaces.setdefault(i, []).append(s)
        if sorted(surfaces) != list(range(len(layers))):
            raise RuntimeError(f"fragmenting the layers gave surfaces in layers {sorted(surfaces)}")
        groups: dict[str, list[int]] = {ELECTRODE_LEFT: [], ELECTRODE_RIGHT: [], SIDE: []}
        interfaces: dict[int, list[int]] = {}
        for _, c in model.getEntities(1):
            ends = np.array([model.getValue(0, p, []) for _, p in
                             model.getBoundary([(1, c)], combined=False, oriented=False)])
            (xa, ya, _), (xb, yb, _) = ends.min(axis=0), ends.max(axis=0)  # straight edges
            if abs(xa - x0) < tol and abs(xb - x0) < tol:
                groups[ELECTRODE_LEFT].append(c)
            elif abs(xa - x0 - size_x) < tol and abs(xb - x0 - size_x) < tol:
                groups[ELECTRODE_RIGHT].append(c)
            elif (abs(ya - y0) < tol and abs(yb - y0) < tol) or (
                    abs(ya - y0 - size_y) < tol and abs(yb - y0 - size_y) < tol):
                groups[SIDE].append(c)
            else:
                s = stack_coordinate(1, c)
                i = int(np.argmin(np.abs(cuts - s)))
                if not (0 < i < len(layers) and abs(cuts[i] - s) < tol):
                    raise RuntimeError(f"curve {c} at {s} is neither outer edge nor interface")
                interfaces.setdefault(i, []).append(c)
        for i, name in enumerate(names):
            model.addPhysicalGroup(2, surfaces[i], i + 1, name=name)
        for tag, name in ((ELECTRODE_LEFT_TAG, ELECTRODE_LEFT),
                          (ELECTRODE_RIGHT_TAG, ELECTRODE_RIGHT), (SIDE_TAG, SIDE)):
            model.addPhysicalGroup(1, groups[name], tag, name=name)
        if tag_interfaces:
            for i, name in enumerate(interface_names(len(layers)), start=1):
                model.addPhysicalGroup(1, interfaces[i], INTERFACE_TAG0 + i, name=name)
        curves = [c for cs in interfaces.values() for c in cs]
        # Distance samples each interface every h_interface / 2 (capped)
        sampling = min(20000, max(20, math.ceil(2.0 * width / h_int) + 1))
        _size_field(gmsh, 1, curves, h_int, float(h_max), growth, sampling=sampling)
        model.mesh.generate(2)

    params = {"layers": [(layer.name, layer.thickness) for layer in layers], "mode": mode,
              "width": float(width), "origin": (x0, y0), "h_interface": h_int,
              "h_max": float(h_max), "growth": growth, "tag_interfaces": bool(tag_interfaces)}
    geometry = gmsh_geometry(comm, f"slab_{mode}", build, gdim=2, params=params,
                             cache_dir=cache_dir)
    stats = dict(geometry.stats, target_h_interface=h_int, target_h_max=float(h_max))
    if tag_interfaces and len(layers) > 1:
        stats["h_interface"] = max_cell_size_at(geometry, interface_names(len(layers)))
    return replace(geometry, stats=stats)
