"""``[magnetization]``: one small parser per texture kind, in a registry keyed like the schema.

A parser reads its table and returns a :class:`TextureSpec`; :data:`TEXTURE_PARSERS` maps the
``kind`` to it. A new texture is one parser here plus one builder in
:mod:`fem_spin.app.builders.magnetization` under the same key.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fem_spin.app.schema.geometry import GeometrySpec
from fem_spin.app.tomltable import MISSING, Table, parse_vector

__all__ = ["TEXTURE_KINDS", "TEXTURE_PARSERS", "Axis", "TextureSpec", "parse_texture"]


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


Parser = Callable[[Table, GeometrySpec, bool], TextureSpec]
TEXTURE_PARSERS: dict[str, Parser] = {}
"""Texture kind -> the parser of its table (``table, geometry, dynamic``)."""
_KEYS: dict[str, tuple[str, ...]] = {}


def _kind(name: str, keys: tuple[str, ...]):
    def register(parser: Parser) -> Parser:
        TEXTURE_PARSERS[name], _KEYS[name] = parser, keys
        return parser

    return register


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


@_kind("none", ())
def _none(t: Table, geometry: GeometrySpec, dynamic: bool) -> TextureSpec:
    return TextureSpec("none")


@_kind("uniform", ("value",))
def _uniform(t: Table, geometry: GeometrySpec, dynamic: bool) -> TextureSpec:
    return TextureSpec("uniform", {"value": t.vector("value")})


@_kind("layered", ("axes", "l_da", "spacers"))
def _layered(t: Table, geometry: GeometrySpec, dynamic: bool) -> TextureSpec:
    """One axis per region of the stack (a vector or a texture), smooth or sharp interfaces."""
    if not geometry.stack:
        ring = ", ring" if geometry.kind in ("ring", "square_torus", "torus") else ""
        raise t.error("kind", f"a layered texture needs a stack of layers; a "
                              f"{geometry.kind} has none (use uniform, vortex, "
                              f"domain_wall{ring})")
    n_if = len(geometry.interfaces)
    if dynamic:  # sharp layers: the LLG's exchange makes the profile
        for key in ("l_da", "spacers"):
            if t.has(key):
                raise t.error(key, "a [dynamics], [modes] or [charge] case has sharp layers "
                                   "(a [dynamics] vertex on an interface takes the axis of "
                                   f"the magnet next to it): remove {key}")
    l_da = t.numbers("l_da", positive=True, unit="nm") if n_if and not dynamic else ()
    if n_if and not dynamic and len(l_da) not in (1, n_if):
        raise t.error("l_da", f"must be one width or one per interface ({n_if})")
    spacers = t.get("spacers", not dynamic)
    items = spacers if isinstance(spacers, list) else [spacers]
    if not all(isinstance(s, bool) for s in items) or len(items) not in (1, max(n_if, 1)):
        raise t.error("spacers", f"must be true/false or one per interface ({n_if})")
    axes_t = t.table("axes")
    axes_t.known(geometry.stack, "region", geometry.kind)
    axes = {}
    for name in geometry.stack:
        if not axes_t.has(name):
            raise axes_t.error(None, f"no axis for region {name!r}: give every region of "
                                     f"the stack ({', '.join(geometry.stack)}) an axis, "
                                     "[0, 0, 0] for a non-magnetic one")
        value = axes_t.get(name)
        path = (*axes_t.path, name)
        if isinstance(value, dict) and "kind" in value:
            axes[name] = Axis(texture=parse_texture(Table(value, path, t.source), geometry,
                                                    region=name))
        else:
            axes[name] = Axis(vector=parse_vector(value, path, t.source))
    return TextureSpec("layered", {"l_da": l_da, "spacers": tuple(items)}, axes)


@_kind("vortex", ("core_radius", "center", "normal", "chirality", "polarity"))
def _vortex(t: Table, geometry: GeometrySpec, dynamic: bool) -> TextureSpec:
    return TextureSpec("vortex", {
        "core_radius": t.number("core_radius", positive=True, unit="nm"),
        "center": t.vector("center", (0.0, 0.0, 0.0)),
        "normal": _unit_vector(t, "normal", (0.0, 0.0, 1.0)),
        "chirality": _sign(t, "chirality"), "polarity": _sign(t, "polarity")})


@_kind("domain_wall", ("wall", "width", "x0", "normal", "easy_axis", "chirality"))
def _domain_wall(t: Table, geometry: GeometrySpec, dynamic: bool) -> TextureSpec:
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
    return TextureSpec("domain_wall", p)


@_kind("ring", ("l_da", "axes"))
def _ring(t: Table, geometry: GeometrySpec, dynamic: bool) -> TextureSpec:
    """The paper's square-ring texture: one axis per side, smooth corners of width l_da."""
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
    return TextureSpec("ring", p)


@_kind("file", ("path", "name"))
def _file(t: Table, geometry: GeometrySpec, dynamic: bool) -> TextureSpec:
    p = {"path": t.string("path"), "name": t.string("name", "M")}
    if not p["path"].endswith(".xdmf"):
        raise t.error("path", "must be an .xdmf file written by "
                              "fem_spin.textures.write_magnetization")
    return TextureSpec("file", p)


TEXTURE_KINDS = tuple(TEXTURE_PARSERS)
REGION_KINDS = ("uniform", "vortex", "domain_wall")  # the textures a layer's axis can be


def parse_texture(t: Table, geometry: GeometrySpec, *, region: str | None = None,
                  dynamic: bool = False) -> TextureSpec:
    """A ``[magnetization]`` table (or the texture axis of ``region`` of a layered one)."""
    kinds = REGION_KINDS if region else TEXTURE_KINDS
    kind = t.string("kind", "none" if region is None else MISSING, choices=kinds)
    where = f" for kind = {kind!r}" + (f" (the axis of region {region!r})" if region else "")
    t.allow(("kind", *_KEYS[kind]), where)
    return TEXTURE_PARSERS[kind](t, geometry, dynamic)
