"""Case -> magnetization: one builder per texture kind, in a registry keyed like the schema's
parsers; the magnetization of a steady study (a Function), the initial magnetization of a
dynamics study (sharp layers), and the ``m_eq = 'axis'`` equilibrium."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import dolfinx.fem as fem
import numpy as np

from fem_spin import textures as tx
from fem_spin.app.schema import Case, TextureSpec
from fem_spin.core.fields import unit_rows
from fem_spin.geometry.base import Geometry
from fem_spin.geometry.rings import square_torus_arc_length

__all__ = ["TEXTURE_BUILDERS", "axis_equilibrium", "by_layer", "initial_magnetization",
           "layer_fields", "magnetization_field", "texture_fields", "unit_field"]


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v)
    return v / n if n > 0 else v


def _constant(v) -> Callable[[np.ndarray], np.ndarray]:
    """The constant texture ``x -> v``."""
    v = np.asarray(v, dtype=float)
    return lambda x: np.tile(v[:, None], (1, np.shape(x)[1]))


def unit_field(f):
    """The texture ``f`` scaled to unit length (zero vectors stay zero)."""
    def g(x: np.ndarray) -> np.ndarray:
        values = np.asarray(f(x), dtype=float)
        norm = np.linalg.norm(values, axis=0)
        return values / np.where(norm > 0, norm, 1.0)[None, :]

    return g


Builder = Callable[[TextureSpec, Geometry, Case], tuple[Callable, Callable | None]]
TEXTURE_BUILDERS: dict[str, Builder] = {}
"""Texture kind -> ``(spec, geometry, case) -> (M texture x -> (3, N), its direction or
None)``, keyed like :data:`fem_spin.app.schema.TEXTURE_PARSERS` (``none`` and ``file`` are
read in :func:`magnetization_field`)."""


def _kind(name: str):
    def register(builder: Builder) -> Builder:
        TEXTURE_BUILDERS[name] = builder
        return builder

    return register


@_kind("uniform")
def _uniform(spec: TextureSpec, geometry: Geometry, case: Case):
    v = np.asarray(spec.params["value"], dtype=float)
    return _constant(v), _constant(_unit(v))


@_kind("vortex")
def _vortex(spec: TextureSpec, geometry: Geometry, case: Case):
    p = spec.params
    t = tx.vortex(core_radius=p["core_radius"], center=p["center"], normal=p["normal"],
                  chirality=p["chirality"], polarity=p["polarity"])
    return t, t


@_kind("domain_wall")
def _domain_wall(spec: TextureSpec, geometry: Geometry, case: Case):
    p = spec.params
    t = tx.domain_wall(p["wall"], width=p["width"], x0=p["x0"], normal=p["normal"],
                       easy_axis=p["easy_axis"], chirality=p["chirality"])
    return t, t


@_kind("ring")
def _ring(spec: TextureSpec, geometry: Geometry, case: Case):
    p = spec.params
    L, axes = p["side"], np.asarray(p.get("axes", tx.RING_AXES), dtype=float)
    if case.geometry.kind == "ring":
        arc = geometry.arc_length
    elif case.geometry.kind == "torus":
        R = case.geometry.params["R"]

        def arc(x):  # centreline arc length of the azimuth, from +x
            return R * np.mod(np.arctan2(x[1], x[0]), 2 * np.pi)
    else:
        def arc(x):
            return square_torus_arc_length(x, L)
    M = tx.ring_magnetization(arc, L, p["l_da"], axes=axes)

    def direction(x):
        k = np.minimum(np.floor(np.mod(arc(x), 4 * L) / L), 3).astype(int)
        return axes[k].T

    return M, direction


@_kind("layered")
def _layered(spec: TextureSpec, geometry: Geometry, case: Case):
    p, g = spec.params, case.geometry
    stack, c = g.stack, g.coordinate
    l_da = list(p["l_da"]) if len(p["l_da"]) > 1 else (p["l_da"][0] if p["l_da"] else 1.0)
    spacers = list(p["spacers"]) if len(p["spacers"]) > 1 else p["spacers"][0]
    axes = [spec.axes[name] for name in stack]
    fields = layer_fields(spec, geometry, case)
    positions = np.asarray(g.interfaces, dtype=float)

    def direction(x):
        return by_layer(fields, np.searchsorted(positions, np.asarray(x)[c], side="right"), x)

    if all(a.vector is not None for a in axes):
        vectors = np.array([a.vector for a in axes])
        M = tx.layered_magnetization(vectors, g.interfaces, l_da, axis_coordinate=c,
                                     spacers=spacers)
    else:
        ones = [(0.0, 0.0, 1.0)] * len(stack)
        profile = tx.layered_magnetization(ones, g.interfaces, l_da, axis_coordinate=c,
                                           spacers=spacers)

        def M(x):
            return profile(x)[2][None, :] * direction(x)

    return M, direction


def texture_fields(spec: TextureSpec, geometry: Geometry, case: Case):
    """``(M texture x -> (3, N), its direction x -> (3, N) or None)`` of ``spec``."""
    return TEXTURE_BUILDERS[spec.kind](spec, geometry, case)


def by_layer(fields: list[Callable], layer: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``fields[layer[i]](x[:, i])`` for every point ``i``: (3, N)."""
    out = np.zeros((3, x.shape[1]))
    for k, f in enumerate(fields):
        mask = layer == k
        if mask.any():
            out[:, mask] = f(x[:, mask])
    return out


def layer_fields(spec, geometry: Geometry, case: Case) -> list[Callable]:
    """The textures ``x -> (3, N)`` of the layers of a layered ``spec``, in stack order."""
    return [_constant(a.vector) if a.vector is not None
            else texture_fields(a.texture, geometry, case)[0]
            for a in (spec.axes[name] for name in case.geometry.stack)]


def magnetization_field(case: Case, geometry: Geometry, degree: int):
    """``(M, direction)``: M as a Function in ``("Lagrange", degree, (3,))`` (None for kind
    'none'), and its direction texture (for m_eq = 'axis'; None if there is none)."""
    spec = case.magnetization
    if spec.kind == "none":
        return None, None
    if spec.kind == "file":
        path = Path(spec.params["path"])
        if not path.is_absolute() and case.source.name not in ("", "<case>"):
            path = Path(case.source.name).parent / path
        if not path.is_file():
            raise case.error(("magnetization", "path"), f"no such file: {path}")
        return tx.read_magnetization(path, geometry.mesh, name=spec.params["name"],
                                     degree=degree), None
    M, direction = texture_fields(spec, geometry, case)
    return tx.magnetization(geometry.mesh, M, degree=degree), direction


def initial_magnetization(case: Case, geometry: Geometry):
    """``(M0, direction)`` for the coupled problem: the texture of ``[magnetization]``.

    A layered texture has sharp layers here, and a vertex on an interface takes the axis of
    the layer beside it that is a magnet (else the one with a non-zero axis, else the layer
    after it): the magnets' vertices all have a direction, and a pinned magnetic layer keeps
    its axis up to its surface.
    """
    spec = case.magnetization
    if spec.kind == "file":
        M, _ = magnetization_field(case, geometry, 1)
        return M, None
    if spec.kind != "layered":
        return texture_fields(spec, geometry, case)
    g = case.geometry
    fields = layer_fields(spec, geometry, case)
    positions = np.asarray(g.interfaces, dtype=float)
    magnets = set((case.dynamics or case.modes).magnets)
    nonzero = [spec.axes[n].vector is None or any(spec.axes[n].vector) for n in g.stack]
    priority = [2 if n in magnets else int(nonzero[k]) for k, n in enumerate(g.stack)]
    eps = 1e-9 * max(1.0, float(np.max(np.abs(positions))) if len(positions) else 1.0)

    def M0(x: np.ndarray) -> np.ndarray:
        xc = np.asarray(x)[g.coordinate]
        layer = np.searchsorted(positions, xc, side="right")  # on an interface: the one after
        for i, xi in enumerate(positions):
            layer[np.abs(xc - xi) <= eps] = i if priority[i] > priority[i + 1] else i + 1
        return by_layer(fields, layer, x)

    return M0, M0


def axis_equilibrium(case: Case, geometry: Geometry, direction, M) -> fem.Function:
    """m_eq = m0 (of the cell's material) times the unit direction, per cell (DG0)."""
    mesh = geometry.mesh
    V0 = fem.functionspace(mesh, ("DG", 0, (3,)))
    f = fem.Function(V0, name="m_eq")
    f.interpolate(direction if direction is not None else M)
    values = f.x.array.reshape(-1, 3)
    values[:] = unit_rows(values)
    scale = np.zeros(len(values))
    for name, material in case.materials.items():
        cells = geometry.cell_tags.find(geometry.tags[name])
        scale[V0.dofmap.list[cells, 0]] = material.m0
    values *= scale[:, None]
    f.x.scatter_forward()
    return f
