"""Case files: a TOML description of one S1 study, validated before any computation.

:func:`load_case` reads a case file (``fem-spin run case.toml``), applies ``--set`` overrides
and returns a :class:`Case`: typed, checked values only (numbers finite, lengths and times
positive, names known, combinations possible). Every problem raises a :class:`ConfigError`
that names the key path (``materials.fm_left.tau``) and, where it can be found, the line of
the file. Nothing here touches DOLFINx: :mod:`fem_spin.app.steady` turns a Case into a mesh, a
problem and files. Boundary names are checked against the mesh once it exists
(:func:`check_boundaries`).

The tables of a case file (``examples/*.toml`` show each in use)::

    name, description          the case (name: output folder and file names)
    [geometry]                 kind = multilayer | slab | pillar | torus | square_torus | ring
    [materials.<region>]       D, tau or l_sf, lam or a_max, m0 ([materials.default]: the rest)
    [magnetization]            kind = none | uniform | layered | vortex | domain_wall | ring | file
    [drive]                    m_eq, B, [[drive.dirichlet]], [[drive.flux]] on named boundaries
    [solver]                   degree, quadrature_degree, linear_solver, refinements,
                               [solver.petsc_options]
    [outputs]                  folder, fields, pictures, render, [[outputs.lines]]
    [dynamics]                 optional: a time-domain study instead (S2 + LLG, a drive sweep;
                               :mod:`fem_spin.app.schema_dynamics`)

Units: lengths nm, times ps, D nm^2/ps, fields and lam rad/ps, angles degrees.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fem_spin.app.schema_dynamics import DYNAMIC_FIELDS, DynamicsSpec, parse_dynamics
from fem_spin.app.tomltable import (
    MISSING,
    NAME,
    ConfigError,
    KeyPath,
    Source,
    Table,
    check_number,
    dotted,
    parse_vector,
    type_name,
)
from fem_spin.errors import InputError
from fem_spin.parameters.transport import Material

__all__ = [
    "GEOMETRY_KINDS",
    "TEXTURE_KINDS",
    "Axis",
    "BoundaryData",
    "Case",
    "ConfigError",
    "GeometrySpec",
    "Line",
    "Source",
    "TextureSpec",
    "apply_override",
    "check_boundaries",
    "load_case",
    "loads",
    "parse_case",
]

GEOMETRY_KINDS = ("multilayer", "slab", "pillar", "torus", "square_torus", "ring")
TEXTURE_KINDS = ("none", "uniform", "layered", "vortex", "domain_wall", "ring", "file")
FIELDS = ("m", "H", "m_eq", "M", "J")
M_EQ_KINDS = ("material", "zero", "axis")
_COMPONENTS = {"x": 0, "y": 1, "z": 2}

# -- the typed case ---------------------------------------------------------------------------


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


@dataclass(frozen=True)
class Axis:
    """The direction of one region of a layered texture: a constant vector or a texture."""

    vector: tuple[float, float, float] | None = None
    texture: TextureSpec | None = None


@dataclass(frozen=True)
class TextureSpec:
    """The magnetization: ``kind`` (:data:`TEXTURE_KINDS`) and its checked parameters;
    ``axes`` (layered: region -> :class:`Axis`)."""

    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    axes: dict[str, Axis] = field(default_factory=dict)


@dataclass(frozen=True)
class BoundaryData:
    """Dirichlet or flux data on a named boundary; ``path`` locates it in the file.
    ``value``: a constant 3-vector, or (Dirichlet) ``"axis"`` / ``"-axis"``: plus or minus
    the local unit direction of the magnetization."""

    boundary: str
    value: tuple[float, float, float] | str
    components: tuple[int, ...] = (0, 1, 2)
    path: KeyPath = ()


@dataclass(frozen=True)
class Line:
    """A line profile: a polyline through ``points`` (nm), ``samples`` points per segment."""

    name: str
    points: tuple[tuple[float, ...], ...]
    samples: int


@dataclass(frozen=True)
class Case:
    """A validated case file.

    Attributes:
        name, description: the case.
        geometry, materials (region -> Material), magnetization: the device.
        m_eq: ``"material"`` (m0 M per region), ``"zero"``, ``"axis"`` (m0 times the unit
            axis, per cell) or a constant vector.
        B: external field (rad/ps) or None; dirichlet, flux: boundary data.
        degree, quadrature_degree, petsc_options: the discretization and the solver.
        linear_solver: ``"auto"``, ``"direct"`` or ``"iterative"`` (S1; see
            :class:`fem_spin.SteadySpinDiffusion`); refinements: uniform refinements of the
            built mesh, the hierarchy of the scalable multigrid solver (0: none).
        folder, fields, lines, pictures, render: the outputs.
        dynamics: the time-domain study (:class:`~fem_spin.app.schema_dynamics.DynamicsSpec`),
            None for a steady S1 study.
        data: the TOML data (after ``--set`` overrides); source: where it came from.
    """

    name: str
    description: str
    geometry: GeometrySpec
    materials: dict[str, Material]
    magnetization: TextureSpec
    m_eq: str | tuple[float, float, float]
    B: tuple[float, float, float] | None
    dirichlet: tuple[BoundaryData, ...]
    flux: tuple[BoundaryData, ...]
    degree: int
    quadrature_degree: int | None
    petsc_options: dict[str, Any]
    folder: str
    fields: tuple[str, ...]
    lines: tuple[Line, ...]
    pictures: bool
    render: bool
    dynamics: DynamicsSpec | None = None
    linear_solver: str = "auto"
    refinements: int = 0
    data: dict[str, Any] = field(default_factory=dict)
    source: Source = field(default_factory=Source)

    def error(self, path: KeyPath, message: str) -> ConfigError:
        """A :class:`ConfigError` located in this case's file."""
        return self.source.error(path, message)


# -- geometry ---------------------------------------------------------------------------------


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


def _geometry(root: Table) -> GeometrySpec:
    g = root.table("geometry")
    kind = g.string("kind", choices=GEOMETRY_KINDS)
    common = ("kind",)
    if kind == "multilayer":
        g.allow((*common, "layers", "x0", "h_max", "h_interface", "growth", "mesher",
                 "points_per_wavelength"), " for kind = 'multilayer'")
        mesher = g.string("mesher", "gmsh", choices=("gmsh", "graded"))
        reserved = ("left", "right", "default", *(f"interface_{i}" for i in range(1, 100)))
        layers = _layers(g, reserved)
        x0 = g.number("x0", 0.0, unit="nm")
        p: dict[str, Any] = {"mesher": mesher, "x0": x0,
                             "h_max": g.number("h_max", None, positive=True, unit="nm"),
                             "h_interface": g.number("h_interface", None, positive=True,
                                                     unit="nm"),
                             "growth": g.number("growth", 0.2 if mesher == "gmsh" else 0.15,
                                                positive=True)}
        if mesher == "graded":
            if p["h_max"] is None:
                raise g.error(None, "mesher = 'graded' needs h_max (nm)")
            if g.has("points_per_wavelength"):
                raise g.error("points_per_wavelength", "works with mesher = 'gmsh' only (the "
                                                       "graded mesher uses h_max and h_interface)")
        else:
            p["points_per_wavelength"] = g.number("points_per_wavelength", None, positive=True)
        names = tuple(n for n, _ in layers)
        return GeometrySpec(kind, p, layers, names, names,
                            _cumulative(x0, [t for _, t in layers]), 0, 1)
    if kind == "slab":
        g.allow((*common, "layers", "width", "mode", "h_max", "h_interface", "growth", "origin"),
                " for kind = 'slab'")
        reserved = ("electrode_left", "electrode_right", "side", "default",
                    *(f"interface_{i}" for i in range(1, 100)))
        layers = _layers(g, reserved)
        mode = g.string("mode", "cpp", choices=("cpp", "cip"))
        origin = g.numbers("origin", (0.0, 0.0), length=2, unit="nm")
        p = {"width": g.number("width", positive=True, unit="nm"), "mode": mode,
             "h_max": g.number("h_max", positive=True, unit="nm"),
             "h_interface": g.number("h_interface", None, positive=True, unit="nm"),
             "growth": g.number("growth", 0.2, positive=True), "origin": origin}
        coordinate = 0 if mode == "cpp" else 1
        names = tuple(n for n, _ in layers)
        return GeometrySpec(kind, p, layers, names, names,
                            _cumulative(origin[coordinate], [t for _, t in layers]),
                            coordinate, 2)
    if kind == "pillar":
        g.allow((*common, "layers", "radius", "h_max", "h_interface", "leads", "lead_radius"),
                " for kind = 'pillar'")
        reserved = ("electrode_bottom", "electrode_top", "side", "lead_bottom", "lead_top",
                    "default")
        layers = _layers(g, reserved)
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
        return GeometrySpec(kind, p, layers, tuple(stack), tuple(stack),
                            _cumulative(0.0, thick), 2, 3)
    if kind == "torus":
        g.allow((*common, "R", "r", "h_max", "sectors"), " for kind = 'torus'")
        R = g.number("R", positive=True, unit="nm")
        r = g.number("r", positive=True, unit="nm")
        if r >= R:
            raise g.error("r", f"the tube radius r = {r} must be smaller than R = {R} nm")
        sectors = g.integer("sectors", 1, minimum=1, maximum=64)
        p = {"R": R, "r": r, "h_max": g.number("h_max", positive=True, unit="nm"),
             "sectors": sectors}
        regions = ("torus",) if sectors == 1 else tuple(f"sector_{k}" for k in range(sectors))
        return GeometrySpec(kind, p, (), regions, gdim=3)
    if kind == "square_torus":
        g.allow((*common, "side", "section", "h_max"), " for kind = 'square_torus'")
        side = g.number("side", positive=True, unit="nm")
        section = g.number("section", positive=True, unit="nm")
        if section >= side:
            raise g.error("section", f"the cross-section {section} nm must be smaller than the "
                                     f"side {side} nm (the ring needs a hole)")
        p = {"side": side, "section": section,
             "h_max": g.number("h_max", positive=True, unit="nm")}
        return GeometrySpec(kind, p, (), tuple(f"side_{k}" for k in range(4)), gdim=3)
    # ring: a closed 1D loop
    g.allow((*common, "shape", "side", "radius", "h_max", "h_corner", "growth", "cells"),
            " for kind = 'ring'")
    shape = g.string("shape", "square", choices=("square", "circle"))
    if shape == "square":
        for key in ("radius", "cells"):
            if g.has(key):
                raise g.error(key, "is for shape = 'circle'; a square ring has side, h_max, "
                                   "h_corner, growth")
        side = g.number("side", positive=True, unit="nm")
        h_max = g.number("h_max", positive=True, unit="nm")
        h_corner = g.number("h_corner", h_max, positive=True, unit="nm")
        if 4 * side / min(h_max, h_corner) > 5e6:
            raise g.error("h_max", "this ring would need more than 5 million cells")
        p = {"shape": shape, "side": side, "h_max": h_max, "h_corner": min(h_corner, h_max),
             "growth": g.number("growth", 0.15, positive=True)}
        return GeometrySpec(kind, p, (), tuple(f"side_{k}" for k in range(4)), gdim=2)
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
    return GeometrySpec(kind, {"shape": shape, "radius": radius, "cells": cells}, (),
                        ("ring",), gdim=2)


# -- materials --------------------------------------------------------------------------------


def _material(t: Table) -> Material:
    t.allow(("D", "tau", "l_sf", "lam", "a_max", "m0"), " in a material")
    D = t.numbers("D", positive=True, unit="nm^2/ps")
    if t.has("tau") == t.has("l_sf"):
        raise t.error(None, "give exactly one of tau (ps) or l_sf (nm; tau = l_sf^2 / D)")
    if t.has("l_sf"):
        if len(set(D)) != 1:
            raise t.error("l_sf", "needs one D (not three); give tau for unequal D_p")
        l_sf = t.number("l_sf", positive=True, unit="nm")
        tau: tuple[float, ...] = (l_sf**2 / D[0],)
    else:
        tau = t.numbers("tau", positive=True, unit="ps")
    if len(D) not in (1, 3) or len(tau) not in (1, 3):
        which = "D" if len(D) not in (1, 3) else "tau"
        raise t.error(which, "must be one number or three (x, y, z)")
    if t.has("lam") and t.has("a_max"):
        raise t.error("a_max", "give lam (rad/ps) or a_max (= tau lam), not both")
    if t.has("a_max"):
        if len(set(tau)) != 1:
            raise t.error("a_max", "needs one tau; give lam for unequal tau_k")
        lam = t.number("a_max", unit="tau lam") / tau[0]
    else:
        lam = t.number("lam", 0.0, unit="rad/ps")
    m0 = t.number("m0", 0.0)
    try:
        return Material(D=D[0] if len(D) == 1 else D, tau=tau[0] if len(tau) == 1 else tau,
                        lam=lam, m0=m0)
    except InputError as e:  # the checks above should make this unreachable
        raise t.error(None, str(e)) from None


def _materials(root: Table, geometry: GeometrySpec) -> dict[str, Material]:
    mats = root.table("materials")
    regions = geometry.regions
    _known_names(mats, (*regions, "default"), "region", geometry)
    out = {name: _material(mats.table(name)) for name in regions if mats.has(name)}
    if mats.has("default"):
        default = _material(mats.table("default"))
        for name in regions:
            out.setdefault(name, default)
    missing = [n for n in regions if n not in out]
    if missing:
        raise mats.error(None, f"no material for region(s) {', '.join(missing)}: add "
                               f"[materials.{missing[0]}] or [materials.default]")
    return out


def _known_names(t: Table, names: Sequence[str], what: str, geometry: GeometrySpec) -> None:
    t.known(names, what, geometry.kind)


# -- magnetization ----------------------------------------------------------------------------

_TEXTURE_KEYS = {
    "none": (),
    "uniform": ("value",),
    "layered": ("axes", "l_da", "spacers"),
    "vortex": ("core_radius", "center", "normal", "chirality", "polarity"),
    "domain_wall": ("wall", "width", "x0", "normal", "easy_axis", "chirality"),
    "ring": ("l_da", "axes"),
    "file": ("path", "name"),
}


def _sign(t: Table, key: str) -> int:
    value = t.get(key, 1)
    if value not in (1, -1) or isinstance(value, bool) or not isinstance(value, int):
        raise t.error(key, f"must be 1 or -1, got {value!r:.40}")
    return int(value)


def _unit_vector(t: Table, key: str, default: tuple[float, float, float]):
    v = t.vector(key, default)
    if math.hypot(*v) == 0:
        raise t.error(key, "must be a non-zero direction")
    return v


def _texture(t: Table, geometry: GeometrySpec, *, region: str | None = None,
             dynamic: bool = False) -> TextureSpec:
    kinds = ("uniform", "vortex", "domain_wall") if region else TEXTURE_KINDS
    kind = t.string("kind", "none" if region is None else MISSING, choices=kinds)
    where = f" for kind = {kind!r}" + (f" (the axis of region {region!r})" if region else "")
    t.allow(("kind", *_TEXTURE_KEYS[kind]), where)
    p: dict[str, Any] = {}
    if kind == "uniform":
        p["value"] = t.vector("value")
    elif kind == "vortex":
        p = {"core_radius": t.number("core_radius", positive=True, unit="nm"),
             "center": t.vector("center", (0.0, 0.0, 0.0)),
             "normal": _unit_vector(t, "normal", (0.0, 0.0, 1.0)),
             "chirality": _sign(t, "chirality"), "polarity": _sign(t, "polarity")}
    elif kind == "domain_wall":
        p = {"wall": t.string("wall", choices=("bloch", "neel")),
             "width": t.number("width", positive=True, unit="nm"),
             "x0": t.number("x0", 0.0, unit="nm"),
             "normal": _unit_vector(t, "normal", (1.0, 0.0, 0.0)),
             "easy_axis": _unit_vector(t, "easy_axis", (0.0, 0.0, 1.0)),
             "chirality": _sign(t, "chirality")}
        n, e = p["normal"], p["easy_axis"]
        dot = sum(a * b for a, b in zip(n, e, strict=True)) / (math.hypot(*n) * math.hypot(*e))
        if abs(dot) > 1e-12:
            raise t.error("easy_axis", "must lie in the wall plane (perpendicular to normal)")
    elif kind == "layered":
        if not geometry.stack:
            ring = ", ring" if geometry.kind in ("ring", "square_torus", "torus") else ""
            raise t.error("kind", f"a layered texture needs a stack of layers; a "
                                  f"{geometry.kind} has none (use uniform, vortex, "
                                  f"domain_wall{ring})")
        n_if = len(geometry.interfaces)
        if dynamic:  # sharp layers: the LLG's exchange makes the profile
            for key in ("l_da", "spacers"):
                if t.has(key):
                    raise t.error(key, "a [dynamics] case starts from sharp layers (a vertex on "
                                       "an interface takes the axis of the magnet next to it): "
                                       f"remove {key}")
        l_da = t.numbers("l_da", positive=True, unit="nm") if n_if and not dynamic else ()
        if n_if and not dynamic and len(l_da) not in (1, n_if):
            raise t.error("l_da", f"must be one width or one per interface ({n_if})")
        spacers = t.get("spacers", not dynamic)
        items = spacers if isinstance(spacers, list) else [spacers]
        if not all(isinstance(s, bool) for s in items) or len(items) not in (1, max(n_if, 1)):
            raise t.error("spacers", f"must be true/false or one per interface ({n_if})")
        p = {"l_da": l_da, "spacers": tuple(items)}
        axes_t = t.table("axes")
        _known_names(axes_t, geometry.stack, "region", geometry)
        axes = {}
        for name in geometry.stack:
            if not axes_t.has(name):
                raise axes_t.error(None, f"no axis for region {name!r}: give every region of "
                                         f"the stack ({', '.join(geometry.stack)}) an axis, "
                                         "[0, 0, 0] for a non-magnetic one")
            value = axes_t.get(name)
            path = (*axes_t.path, name)
            if isinstance(value, dict) and "kind" in value:
                axes[name] = Axis(texture=_texture(Table(value, path, t.source), geometry,
                                                   region=name))
            else:
                axes[name] = Axis(vector=parse_vector(value, path, t.source))
        return TextureSpec(kind, p, axes)
    elif kind == "ring":
        if geometry.kind not in ("ring", "square_torus", "torus") or geometry.params.get(
                "shape", "square") != "square":
            raise t.error("kind", "the ring texture is for the square ring (kind = 'ring', "
                                  "shape = 'square'), the square_torus and the torus")
        # on the torus the four sides are the quarters of the centreline (azimuth from +x)
        side = (math.pi * geometry.params["R"] / 2 if geometry.kind == "torus"
                else geometry.params["side"])
        p = {"l_da": t.number("l_da", positive=True, unit="nm"), "side": side}
        if 2 * p["l_da"] >= side:
            raise t.error("l_da", f"the corners' profiles overlap: 2 l_da must be smaller than "
                                  f"the side {side} nm")
        if t.has("axes"):
            axes_list = t.get("axes")
            if not isinstance(axes_list, list) or len(axes_list) != 4:
                raise t.error("axes", "must be four directions, one per side")
            p["axes"] = tuple(parse_vector(v, (*t.path, "axes", i), t.source)
                              for i, v in enumerate(axes_list))
    elif kind == "file":
        p = {"path": t.string("path"), "name": t.string("name", "M")}
        if not p["path"].endswith(".xdmf"):
            raise t.error("path", "must be an .xdmf file written by "
                                  "fem_spin.textures.write_magnetization")
    return TextureSpec(kind, p)


# -- drive, solver, outputs -------------------------------------------------------------------


def _components(t: Table) -> tuple[int, ...]:
    value = t.get("components", ["x", "y", "z"])
    items = value if isinstance(value, list) else [value]
    out = []
    for c in items:
        k = _COMPONENTS.get(c) if isinstance(c, str) else (
            c if isinstance(c, int) and not isinstance(c, bool) and c in (0, 1, 2) else None)
        if k is None or k in out:
            raise t.error("components", f"must be distinct spin components out of "
                                        f"\"x\", \"y\", \"z\", got {value!r:.60}")
        out.append(k)
    if not out:
        raise t.error("components", "must name at least one component")
    return tuple(out)


def _drive(root: Table, case_geometry: GeometrySpec, texture: TextureSpec, *,
           dynamic: bool = False) -> dict[str, Any]:
    d = root.table("drive", {})
    d.allow(("m_eq", "B", "dirichlet", "flux"))
    if dynamic and d.has("B"):
        raise d.error("B", "in a [dynamics] case the external field is dynamics.B, in tesla "
                           "(it acts on M and, as -gamma_e B, on m)")
    if dynamic and d.get("m_eq", None) == "axis":
        raise d.error("m_eq", "'axis' is the initial direction; in a [dynamics] case M moves: "
                              "use 'material' (m0 M, following M), 'zero' or a vector")
    m_eq = d.get("m_eq", "material")
    if isinstance(m_eq, str):
        m_eq = d.string("m_eq", "material", choices=M_EQ_KINDS)
    else:
        m_eq = d.vector("m_eq")
    if m_eq in ("axis",) and texture.kind in ("none", "file"):
        raise d.error("m_eq", f"m_eq = 'axis' needs a magnetization with axes; kind = "
                              f"{texture.kind!r} has none (use 'material', 'zero' or a vector)")
    dirichlet = []
    for t in d.tables("dirichlet"):
        t.allow(("boundary", "value", "components"), " in [[drive.dirichlet]]")
        value = t.get("value")
        if isinstance(value, str):
            value = t.string("value", choices=("axis", "-axis"))
            if texture.kind in ("none", "file"):
                raise t.error("value", f"{value!r} is the local direction of the "
                                       f"magnetization; kind = {texture.kind!r} has none")
        else:
            value = t.vector("value")
        dirichlet.append(BoundaryData(t.string("boundary"), value, _components(t), t.path))
    flux = []
    for t in d.tables("flux"):
        t.allow(("boundary", "value"), " in [[drive.flux]] (a flux acts on all components)")
        flux.append(BoundaryData(t.string("boundary"), t.vector("value"), (0, 1, 2), t.path))
    seen: dict[tuple[str, int], KeyPath] = {}
    for bc in dirichlet:
        for k in bc.components:
            if (bc.boundary, k) in seen:
                raise root.source.error((*bc.path, "components"), f"component {'xyz'[k]} on "
                                        f"{bc.boundary!r} is already prescribed at "
                                        f"{dotted(seen[(bc.boundary, k)])}")
            seen[(bc.boundary, k)] = bc.path
    for bc in flux:
        if all((bc.boundary, k) in seen for k in range(3)):
            raise root.source.error((*bc.path, "boundary"), f"every component on "
                                    f"{bc.boundary!r} has Dirichlet data: a flux there does "
                                    "nothing (prescribe fewer components)")
    B = d.vector("B", None)
    return {"m_eq": m_eq, "B": B, "dirichlet": tuple(dirichlet), "flux": tuple(flux)}


LINEAR_SOLVERS = ("auto", "direct", "iterative")


def _solver(root: Table, geometry: GeometrySpec) -> dict[str, Any]:
    s = root.table("solver", {})
    s.allow(("degree", "quadrature_degree", "linear_solver", "refinements", "petsc_options"))
    opts = s.table("petsc_options", {})
    options = {}
    for key, value in opts.data.items():
        if not isinstance(value, str | int | float | bool) or not str(key).strip("-"):
            raise opts.error(str(key), f"PETSc option values must be strings, numbers or "
                                       f"booleans, got {type_name(value)}")
        if isinstance(value, float) and not math.isfinite(value):
            raise opts.error(str(key), f"must be finite, got {value}")
        options[str(key).lstrip("-")] = value
    degree = s.integer("degree", 1, minimum=1, maximum=4)
    linear_solver = s.string("linear_solver", "auto", choices=LINEAR_SOLVERS)
    refinements = s.integer("refinements", 0, minimum=0, maximum=5)
    if refinements and geometry.kind in ("multilayer", "ring"):
        raise s.error("refinements", f"a {geometry.kind} is a 1D mesh, solved directly: make it "
                                     "finer with geometry.h_max instead")
    if refinements and degree > 1 and linear_solver == "iterative":
        raise s.error("linear_solver", "the multigrid solver on the refined meshes works with "
                                       "degree = 1 only: set degree = 1, or linear_solver = "
                                       "'direct'")
    return {"degree": degree,
            "quadrature_degree": s.integer("quadrature_degree", None, minimum=0, maximum=30),
            "petsc_options": options, "linear_solver": linear_solver,
            "refinements": refinements}


def _outputs(root: Table, name: str, geometry: GeometrySpec, texture: TextureSpec
             ) -> dict[str, Any]:
    o = root.table("outputs", {})
    o.allow(("folder", "fields", "pictures", "render", "lines"))
    available = [f for f in FIELDS if f != "M" or texture.kind != "none"]
    fields = o.get("fields", list(available))
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise o.error("fields", f"must be a list of field names out of {', '.join(FIELDS)}")
    for i, f in enumerate(fields):
        if f not in FIELDS:
            close = difflib.get_close_matches(f, list(FIELDS), n=1, cutoff=0.5)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise o.error("fields", f"[{i}]: unknown field {f!r}{hint}; fields: "
                                    f"{', '.join(FIELDS)}")
        if f not in available:
            raise o.error("fields", f"{f!r} is not available: magnetization kind is 'none'")
    folder = o.string("folder", f"output/{name}")
    if not folder.strip():
        raise o.error("folder", "must not be empty")
    lines = []
    for t in o.tables("lines"):
        t.allow(("name", "points", "samples"), " in [[outputs.lines]]")
        line_name = t.string("name", name=True)
        if line_name in [x.name for x in lines] or line_name in ("summary", "input"):
            raise t.error("name", f"{line_name!r} is taken: line names must be unique and "
                                  "not 'summary' or 'input'")
        points = t.get("points")
        if not isinstance(points, list) or len(points) < 2:
            raise t.error("points", "must be a list of at least two points, e.g. "
                                    "[[-100.0], [100.0]] (nm)")
        pts = []
        for i, pt in enumerate(points):
            if not isinstance(pt, list) or not 1 <= len(pt) <= 3:
                raise t.error("points", f"[{i}]: a point is a list of 1 to 3 coordinates (nm), "
                                        f"got {pt!r:.60}")
            pts.append(tuple(check_number(c, lambda m, i=i, t=t: t.error("points",
                                                                        f"[{i}]: {m}"))
                             for c in pt))
        if len({len(p) for p in pts}) != 1:
            raise t.error("points", "all points must have the same number of coordinates")
        if len(pts[0]) < geometry.gdim:
            raise t.error("points", f"the mesh is {geometry.gdim}D: give {geometry.gdim} "
                                    f"coordinates per point")
        for i in range(1, len(pts)):
            if pts[i] == pts[i - 1]:
                raise t.error("points", f"[{i}] repeats the point before it: a segment needs "
                                        "two different points")
        lines.append(Line(line_name, tuple(pts),
                          t.integer("samples", 201, minimum=2, maximum=1_000_000)))
    return {"folder": folder, "fields": tuple(fields), "lines": tuple(lines),
            "pictures": o.boolean("pictures", True),
            "render": o.boolean("render", geometry.gdim >= 2)}


# -- the whole case ---------------------------------------------------------------------------

TOP_LEVEL = ("name", "description", "geometry", "materials", "magnetization", "drive",
             "solver", "outputs", "dynamics")


def parse_case(data: Any, source: Source | None = None, default_name: str = "case") -> Case:
    """Validate TOML data (a dict, e.g. from ``tomllib``) into a :class:`Case`.

    Raises:
        ConfigError: the first problem found, with its key path (and line, with a source).
    """
    source = source or Source()
    root = Table(data, (), source, "a table of the case (the whole file)")
    root.allow(TOP_LEVEL, " at the top level")
    name = root.string("name", default_name if NAME.match(default_name) else "case", name=True)
    description = root.string("description", "")
    geometry = _geometry(root)
    materials = _materials(root, geometry)
    dynamic = root.has("dynamics")
    texture = _texture(root.table("magnetization", {}), geometry, dynamic=dynamic)
    drive = _drive(root, geometry, texture, dynamic=dynamic)
    dynamics = parse_dynamics(root, geometry.regions, geometry.kind) if dynamic else None
    outputs = _outputs(root, name, geometry, texture)
    if dynamics is not None:
        _dynamic_checks(root, dynamics, texture, outputs)
    if not _driven(drive, texture, materials):
        raise root.error("drive", "nothing drives the spin accumulation (no dirichlet or flux "
                                  "data, and m_eq is zero: m_eq = 'zero', or m0 = 0 in every "
                                  "material, or no magnetization): the solution would be m = 0")
    if geometry.kind == "ring" and (drive["dirichlet"] or drive["flux"]):
        bc = (drive["dirichlet"] or drive["flux"])[0]
        raise source.error((*bc.path, "boundary"), "a ring is a closed loop without boundary: "
                                                   "drive it with m_eq (and materials' m0)")
    return Case(name=name, description=description, geometry=geometry, materials=materials,
                magnetization=texture, **drive, **_solver(root, geometry), **outputs,
                dynamics=dynamics, data=data, source=source)


def _dynamic_checks(root: Table, dynamics: DynamicsSpec, texture: TextureSpec,
                    outputs: dict[str, Any]) -> None:
    """What a [dynamics] case needs besides its table; fixes the default output fields."""
    if texture.kind == "none":
        raise root.error("magnetization", "a [dynamics] case needs the initial magnetization: "
                                          "[magnetization] with a kind other than 'none'")
    if texture.kind == "layered":
        for region in dynamics.magnets:
            axis = texture.axes[region]
            if axis.vector is not None and math.hypot(*axis.vector) == 0:
                raise root.source.error(("magnetization", "axes", region),
                                        f"{region!r} is a magnet ([dynamics.magnets."
                                        f"{region}]): its initial axis must be a direction, "
                                        "not zero")
    if root.table("solver", {}).has("linear_solver"):
        raise root.source.error(("solver", "linear_solver"), "a [dynamics] case solves each "
                                "time step with Newton + MUMPS: remove linear_solver (PETSc "
                                "options go in [solver.petsc_options])")
    o = root.table("outputs", {})
    if not o.has("fields"):
        outputs["fields"] = DYNAMIC_FIELDS
    for f in outputs["fields"]:
        if f not in DYNAMIC_FIELDS:
            raise o.error("fields", f"a [dynamics] case writes the time series of "
                                    f"{' and '.join(DYNAMIC_FIELDS)}; {f!r} is for steady "
                                    "cases")


def _driven(drive: dict[str, Any], texture: TextureSpec, materials: dict[str, Material]
            ) -> bool:
    """Whether anything makes m non-zero (boundary data or a non-zero m_eq)."""
    if drive["dirichlet"] or drive["flux"]:
        return True
    m_eq = drive["m_eq"]
    if not isinstance(m_eq, str):
        return any(m_eq)
    return m_eq != "zero" and texture.kind != "none" and any(m.m0 for m in materials.values())


def apply_override(data: dict, assignment: str) -> str:
    """Apply one ``--set key.path=VALUE`` to TOML data in place; returns the key path.

    VALUE is read as a TOML value (``2.5``, ``"text"``, ``[0, 0, 1]``, ``{ theta_deg = 45 }``,
    ``true``); a bare word that is not valid TOML is taken as a string. Integer path parts
    index lists: ``outputs.lines.0.samples=801``.
    """
    key, sep, text = assignment.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ConfigError(f"--set needs KEY=VALUE (e.g. geometry.h_max=0.5), got "
                          f"{assignment!r}")
    try:
        value = tomllib.loads(f"v = {text}")["v"]
    except (tomllib.TOMLDecodeError, RecursionError):
        value = text.strip()
    parts: list[str | int] = [int(p) if p.isascii() and p.isdigit() else p
                              for p in key.split(".")]
    if any(p == "" for p in parts):
        raise ConfigError(f"--set {assignment}: empty part in the key path {key!r}")
    node: Any = data
    for i, p in enumerate(parts):
        last = i == len(parts) - 1
        here = dotted(tuple(parts[: i + 1]))
        if isinstance(p, int):
            if not isinstance(node, list) or p >= len(node):
                raise ConfigError(f"--set {assignment}: {dotted(tuple(parts[:i]))} has no "
                                  f"element {p}")
            if last:
                node[p] = value
            else:
                node = node[p]
            continue
        if not isinstance(node, dict):
            raise ConfigError(f"--set {assignment}: {dotted(tuple(parts[:i]))} is not a table")
        if last:
            node[p] = value
        else:
            node = node.setdefault(p, {})
            if not isinstance(node, dict | list):
                raise ConfigError(f"--set {assignment}: {here} is a value, not a table")
    return dotted(tuple(parts))


def loads(text: str, name: str = "<case>", overrides: Sequence[str] = (),
          default_name: str = "case") -> Case:
    """Parse and validate case-file text (see :func:`load_case`)."""
    if not isinstance(text, str):
        raise ConfigError(f"a case file is TOML text, got {type_name(text)}", file=name)
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise ConfigError("not valid TOML: nested too deeply", file=name) from None
    except tomllib.TOMLDecodeError as e:
        message = str(e)
        at = re.search(r"at line (\d+)", message)
        line = int(at.group(1)) if at else (
            max(1, len(text.splitlines())) if "end of document" in message else None)
        message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
        raise ConfigError(f"not valid TOML: {message}", line=line, file=name) from None
    set_by = {apply_override(data, a): a for a in overrides}
    return parse_case(data, Source(name, text, set_by), default_name)


def load_case(path: str | Path, overrides: Sequence[str] = ()) -> Case:
    """Read, override (``--set``) and validate a case file.

    Raises:
        ConfigError: unreadable file, invalid TOML, or the first problem in its values.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read the case file: {e.__class__.__name__}: "
                          f"{getattr(e, 'strerror', None) or e}", file=str(path)) from None
    case = loads(text, str(path), overrides, default_name=path.stem)
    return case


def check_boundaries(case: Case, available: Iterable[str]) -> None:
    """After meshing: every boundary named in ``[drive]`` must be one of the mesh's facet
    names ``available`` (raises a :class:`ConfigError` listing them)."""
    names = sorted(available)
    for bc in (*case.dirichlet, *case.flux):
        if bc.boundary not in names:
            if not names:
                raise case.error((*bc.path, "boundary"), f"this {case.geometry.kind} mesh has "
                                                         "no boundaries")
            close = difflib.get_close_matches(bc.boundary, names, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise case.error((*bc.path, "boundary"),
                             f"the {case.geometry.kind} mesh has no boundary named "
                             f"{bc.boundary!r}{hint}; its boundaries: {', '.join(names)}")
