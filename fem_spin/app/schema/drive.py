"""``[drive]``: what drives the spin accumulation: ``m_eq``, Dirichlet data
``[[drive.dirichlet]]`` (per component) and injected spin currents ``[[drive.flux]]`` on named
boundaries (checked against the mesh once it exists), and the external field ``B_T`` (T) or
``H_ext`` (rad/ps)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from fem_spin.app.schema.geometry import GeometrySpec
from fem_spin.app.schema.texture import TextureSpec
from fem_spin.app.tomltable import KeyPath, Table, dotted
from fem_spin.physics.scales import spin_current

__all__ = ["M_EQ_KINDS", "BoundarySpec", "parse_drive"]

M_EQ_KINDS = ("material", "zero", "axis")
_COMPONENTS = {"x": 0, "y": 1, "z": 2}


@dataclass(frozen=True)
class BoundarySpec:
    """Dirichlet or flux data on a named boundary; ``path`` locates it in the file.
    ``value``: a constant 3-vector, or (Dirichlet) ``"axis"`` / ``"-axis"``: plus or minus
    the local unit direction of the magnetization."""

    boundary: str
    value: tuple[float, float, float] | str
    components: tuple[int, ...] = (0, 1, 2)
    path: KeyPath = ()


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


def _flux_value(t: Table) -> tuple[float, float, float]:
    """``value`` (A/m x nm/ps), or the spin current of a charge current: ``current_density``
    (A/m^2) polarized along ``polarization`` (length P <= 1)."""
    if t.has("value") == (t.has("current_density") or t.has("polarization")):
        raise t.error(None, "give the injected spin current as value = [...] (A/m x nm/ps) or "
                            "as current_density (A/m^2) with polarization = [...] (|P| <= 1)")
    if t.has("value"):
        return t.vector("value")
    J = t.number("current_density", positive=True, unit="A/m^2")
    P = t.vector("polarization")
    if not 0 < math.hypot(*P) <= 1 + 1e-12:
        raise t.error("polarization", f"its length is the spin polarization P, 0 < P <= 1, got "
                                      f"{math.hypot(*P):.6g}")
    return spin_current(J, P)


def parse_drive(root: Table, case_geometry: GeometrySpec, texture: TextureSpec, *,
           dynamic: bool = False) -> dict[str, Any]:
    d = root.table("drive", {})
    d.allow(("m_eq", "B", "B_T", "H_ext", "dirichlet", "flux"))
    if d.has("B"):
        raise d.error("B", "the external field is in tesla since fem_spin 0.2: write B_T = "
                           "[...] (T), or the precession vector H_ext = [...] (rad/ps: what B "
                           "meant before)")
    if d.has("B_T") and d.has("H_ext"):
        raise d.error("H_ext", "give the external field once: B_T (tesla) or H_ext (rad/ps)")
    if dynamic and (d.has("B_T") or d.has("H_ext")):
        raise d.error("B_T" if d.has("B_T") else "H_ext", "in a [dynamics] (or [modes]) case "
                      "the external field is dynamics.B_T (modes.B_T), in tesla (it acts on M "
                      "and, as -gamma_e B_T, on m)")
    if dynamic and d.get("m_eq", None) == "axis":
        raise d.error("m_eq", "'axis' is the initial direction; in a [dynamics] (or [modes]) "
                              "case M moves: "
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
            _check_axis_side(t, value, case_geometry, texture)
        else:
            value = t.vector("value")
        dirichlet.append(BoundarySpec(t.string("boundary"), value, _components(t), t.path))
    flux = []
    for t in d.tables("flux"):
        t.allow(("boundary", "value", "current_density", "polarization"),
                " in [[drive.flux]] (a flux acts on all components)")
        flux.append(BoundarySpec(t.string("boundary"), _flux_value(t), (0, 1, 2), t.path))
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
    return {"m_eq": m_eq, "B_T": d.vector("B_T", None), "H_ext": d.vector("H_ext", None),
            "dirichlet": tuple(dirichlet), "flux": tuple(flux)}


_FIRST = ("left", "electrode_left", "electrode_bottom", "bottom")
_LAST = ("right", "electrode_right", "electrode_top", "top")


def _check_axis_side(t: Table, value: str, geometry, texture) -> None:
    """Dirichlet ``"axis"`` on the end of a stack whose layer has no magnetization (axis 0)
    would silently mean m = 0 there: refused."""
    if texture.kind != "layered" or not geometry.stack:
        return
    boundary = t.get("boundary")
    region = (geometry.stack[0] if boundary in _FIRST else
              geometry.stack[-1] if boundary in _LAST else None)
    axis = texture.axes.get(region) if region is not None else None
    if axis is not None and axis.vector is not None and not any(axis.vector):
        raise t.error("value", f"{value!r} on {boundary!r} is the magnetization direction of "
                               f"the layer {region!r} there, which has none (axis 0): it would "
                               "mean m = 0; give the value as a vector")
