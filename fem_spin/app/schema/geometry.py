"""``[geometry]``: one small parser per geometry kind, in a registry keyed like the schema.

Each parser reads its table (``kind`` and the builder's parameters, nm) and returns a
:class:`GeometrySpec`; :data:`GEOMETRY_PARSERS` maps the ``kind`` to it. A new geometry is one
parser here plus one builder in :mod:`fem_spin.app.builders.geometry` under the same key.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from fem_spin.app.tomltable import Table

__all__ = ["GEOMETRY_KINDS", "GEOMETRY_PARSERS", "GeometrySpec", "parse_geometry"]


@dataclass(frozen=True)
class GeometrySpec:
    """The device: ``kind``, its builder's parameters, and what follows from them.

    Attributes:
        kind: one of :data:`GEOMETRY_KINDS`.
        params: the builder's keyword values (nm), checked.
        layers: ``(name, thickness)`` of a stack, bottom/left first ("" kinds without).
        regions: the cell-region names the mesh will have.
        stack: the regions along the stacking coordinate, in order (layered textures).
        interfaces: positions (nm) of the interfaces between them along ``coordinate``.
        coordinate: 0, 1, 2 (x, y, z) for a stack, None otherwise.
        gdim: geometric dimension of the mesh.
    """

    kind: str
    params: dict[str, Any]
    layers: tuple[tuple[str, float], ...] = ()
    regions: tuple[str, ...] = ()
    stack: tuple[str, ...] = ()
    interfaces: tuple[float, ...] = ()
    coordinate: int | None = None
    gdim: int = 1


GEOMETRY_PARSERS: dict[str, Callable[[Table], GeometrySpec]] = {}
"""Geometry kind -> the parser of its ``[geometry]`` table."""


def _kind(name: str):
    def register(parser: Callable[[Table], GeometrySpec]):
        GEOMETRY_PARSERS[name] = parser
        return parser

    return register


def _layers(g: Table, reserved: Sequence[str]) -> tuple[tuple[str, float], ...]:
    items = g.tables("layers")
    if not items:
        raise g.error("layers", "needs at least one layer: layers = [{ name = \"fm\", "
                                "thickness = 10.0 }, ...] (nm)")
    layers = []
    for t in items:
        t.allow(("name", "thickness"), " in a layer")
        name = t.string("name", name=True)
        if name in reserved:
            raise t.error("name", f"{name!r} is reserved for a boundary or region of this "
                                  f"geometry ({', '.join(sorted(reserved))}): rename the layer")
        if name in [n for n, _ in layers]:
            raise t.error("name", f"layer names must be unique, {name!r} is used twice")
        layers.append((name, t.number("thickness", positive=True, unit="nm")))
    return tuple(layers)


def _cumulative(start: float, thicknesses: Sequence[float]) -> tuple[float, ...]:
    out, x = [], start
    for t in thicknesses[:-1]:
        x += t
        out.append(x)
    return tuple(out)


_INTERFACES = tuple(f"interface_{i}" for i in range(1, 100))


@_kind("multilayer")
def _multilayer(g: Table) -> GeometrySpec:
    g.allow(("kind", "layers", "x0", "h_max", "h_interface", "growth", "mesher",
             "points_per_wavelength"), " for kind = 'multilayer'")
    mesher = g.string("mesher", "gmsh", choices=("gmsh", "graded"))
    layers = _layers(g, ("left", "right", "default", *_INTERFACES))
    x0 = g.number("x0", 0.0, unit="nm")
    p: dict[str, Any] = {"mesher": mesher, "x0": x0,
                         "h_max": g.number("h_max", None, positive=True, unit="nm"),
                         "h_interface": g.number("h_interface", None, positive=True, unit="nm"),
                         "growth": g.number("growth", 0.2 if mesher == "gmsh" else 0.15,
                                            positive=True)}
    if mesher == "graded":
        if p["h_max"] is None:
            raise g.error(None, "mesher = 'graded' needs h_max (nm)")
        if g.has("points_per_wavelength"):
            raise g.error("points_per_wavelength", "works with mesher = 'gmsh' only (the "
                                                   "graded mesher uses h_max and h_interface)")
        if p["h_interface"] is not None and p["h_interface"] > p["h_max"]:
            raise g.error("h_interface", f"must not exceed h_max = {p['h_max']} nm (the "
                                         "graded mesher refines towards the interfaces)")
    else:
        p["points_per_wavelength"] = g.number("points_per_wavelength", None, positive=True)
    names = tuple(n for n, _ in layers)
    return GeometrySpec("multilayer", p, layers, names, names,
                        _cumulative(x0, [t for _, t in layers]), 0, 1)


@_kind("slab")
def _slab(g: Table) -> GeometrySpec:
    g.allow(("kind", "layers", "width", "mode", "h_max", "h_interface", "growth", "origin"),
            " for kind = 'slab'")
    layers = _layers(g, ("electrode_left", "electrode_right", "side", "default", *_INTERFACES))
    mode = g.string("mode", "cpp", choices=("cpp", "cip"))
    origin = g.numbers("origin", (0.0, 0.0), length=2, unit="nm")
    p = {"width": g.number("width", positive=True, unit="nm"), "mode": mode,
         "h_max": g.number("h_max", positive=True, unit="nm"),
         "h_interface": g.number("h_interface", None, positive=True, unit="nm"),
         "growth": g.number("growth", 0.2, positive=True), "origin": origin}
    if p["h_interface"] is not None and p["h_interface"] > p["h_max"]:
        raise g.error("h_interface", f"must not exceed h_max = {p['h_max']} nm")
    coordinate = 0 if mode == "cpp" else 1
    names = tuple(n for n, _ in layers)
    return GeometrySpec("slab", p, layers, names, names,
                        _cumulative(origin[coordinate], [t for _, t in layers]), coordinate, 2)


@_kind("pillar")
def _pillar(g: Table) -> GeometrySpec:
    g.allow(("kind", "layers", "radius", "h_max", "h_interface", "leads", "lead_radius"),
            " for kind = 'pillar'")
    layers = _layers(g, ("electrode_bottom", "electrode_top", "side", "lead_bottom", "lead_top",
                         "default"))
    radius = g.numbers("radius", positive=True, unit="nm")
    if len(radius) > 2:
        raise g.error("radius", f"must be a radius or two semi-axes [rx, ry] (nm), got "
                                f"{len(radius)} numbers")
    h_max = g.number("h_max", positive=True, unit="nm")
    h_interface = g.number("h_interface", None, positive=True, unit="nm")
    if h_interface is not None and h_interface > h_max:
        raise g.error("h_interface", f"must not exceed h_max = {h_max} nm")
    leads = g.numbers("leads", None, length=2, unit="nm")
    if leads is not None and min(leads) < 0:
        raise g.error("leads", f"lead thicknesses must not be negative (nm), got {leads}")
    lead_radius = g.numbers("lead_radius", None, positive=True, unit="nm")
    if lead_radius is not None:
        if leads is None:
            raise g.error("lead_radius", "needs leads = [bottom, top] (nm)")
        if len(lead_radius) > 2:
            raise g.error("lead_radius", "must be a radius or two semi-axes [rx, ry]")
        rl = lead_radius * (3 - len(lead_radius))
        rp = radius * (3 - len(radius))
        if rl[0] < rp[0] or rl[1] < rp[1]:
            raise g.error("lead_radius", f"must not be smaller than the pillar's radius "
                                         f"{list(radius)}")
    stack = [n for n, _ in layers]
    thick = [t for _, t in layers]
    if leads is not None:
        if leads[0] > 0:
            stack.insert(0, "lead_bottom")
            thick.insert(0, leads[0])
        if leads[1] > 0:
            stack.append("lead_top")
            thick.append(leads[1])
    p = {"radius": radius, "h_max": h_max, "h_interface": h_interface, "leads": leads,
         "lead_radius": lead_radius}
    return GeometrySpec("pillar", p, layers, tuple(stack), tuple(stack),
                        _cumulative(0.0, thick), 2, 3)


@_kind("torus")
def _torus(g: Table) -> GeometrySpec:
    g.allow(("kind", "R", "r", "h_max", "sectors"), " for kind = 'torus'")
    R = g.number("R", positive=True, unit="nm")
    r = g.number("r", positive=True, unit="nm")
    if r >= R:
        raise g.error("r", f"the tube radius r = {r} must be smaller than R = {R} nm")
    sectors = g.integer("sectors", 1, minimum=1, maximum=64)
    p = {"R": R, "r": r, "h_max": g.number("h_max", positive=True, unit="nm"),
         "sectors": sectors}
    regions = ("torus",) if sectors == 1 else tuple(f"sector_{k}" for k in range(sectors))
    return GeometrySpec("torus", p, (), regions, gdim=3)


@_kind("square_torus")
def _square_torus(g: Table) -> GeometrySpec:
    g.allow(("kind", "side", "section", "h_max"), " for kind = 'square_torus'")
    side = g.number("side", positive=True, unit="nm")
    section = g.number("section", positive=True, unit="nm")
    if section >= side:
        raise g.error("section", f"the cross-section {section} nm must be smaller than the "
                                 f"side {side} nm (the ring needs a hole)")
    p = {"side": side, "section": section, "h_max": g.number("h_max", positive=True, unit="nm")}
    return GeometrySpec("square_torus", p, (), tuple(f"side_{k}" for k in range(4)), gdim=3)


@_kind("ring")
def _ring(g: Table) -> GeometrySpec:
    """A closed 1D loop in the xy plane: a square (graded towards its corners) or a circle."""
    g.allow(("kind", "shape", "side", "radius", "h_max", "h_corner", "growth", "cells"),
            " for kind = 'ring'")
    shape = g.string("shape", "square", choices=("square", "circle"))
    return _square_ring(g) if shape == "square" else _circle_ring(g)


def _square_ring(g: Table) -> GeometrySpec:
    for key in ("radius", "cells"):
        if g.has(key):
            raise g.error(key, "is for shape = 'circle'; a square ring has side, h_max, "
                               "h_corner, growth")
    side = g.number("side", positive=True, unit="nm")
    h_max = g.number("h_max", positive=True, unit="nm")
    h_corner = g.number("h_corner", h_max, positive=True, unit="nm")
    if 4 * side / min(h_max, h_corner) > 5e6:
        raise g.error("h_max", "this ring would need more than 5 million cells")
    p = {"shape": "square", "side": side, "h_max": h_max, "h_corner": min(h_corner, h_max),
         "growth": g.number("growth", 0.15, positive=True)}
    return GeometrySpec("ring", p, (), tuple(f"side_{k}" for k in range(4)), gdim=2)


def _circle_ring(g: Table) -> GeometrySpec:
    for key in ("side", "h_corner", "growth"):
        if g.has(key):
            raise g.error(key, "is for shape = 'square'; a circle has radius and cells or h_max")
    radius = g.number("radius", positive=True, unit="nm")
    if g.has("cells") == g.has("h_max"):
        raise g.error(None, "a circular ring needs exactly one of cells (an integer >= 3) or "
                            "h_max (nm)")
    cells = g.integer("cells", None, minimum=3, maximum=5_000_000)
    if cells is None:
        h = g.number("h_max", positive=True, unit="nm")
        if 2 * math.pi * radius / h > 5e6:
            raise g.error("h_max", "this ring would need more than 5 million cells")
        cells = max(3, math.ceil(2 * math.pi * radius / h))
    return GeometrySpec("ring", {"shape": "circle", "radius": radius, "cells": cells}, (),
                        ("ring",), gdim=2)


GEOMETRY_KINDS = tuple(GEOMETRY_PARSERS)


def parse_geometry(root: Table) -> GeometrySpec:
    """The ``[geometry]`` table through the parser of its kind."""
    g = root.table("geometry")
    return GEOMETRY_PARSERS[g.string("kind", choices=GEOMETRY_KINDS)](g)
