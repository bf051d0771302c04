"""A 3D CPP nanopillar: stacked layers of elliptical (or circular) cross-section along z.

The stack starts at z = 0 and grows in +z: an optional bottom lead, the layers in the order
given (e.g. FM fixed / NM spacer / FM free), an optional top lead. The layers are fused with
``occ.fragment``, so every interface is conforming (shared mesh faces), and the mesh is refined
on the interfaces (gmsh Distance + Threshold fields: ``h_interface`` there, growing to
``h_max`` over a distance ``2 (h_max - h_interface)``).

Tags (names are the constants below; numbers via ``Geometry.tag(name)``):

* cells: one region per layer, named by the layer, numbered 1, 2, ... in the order given;
  the leads present, :data:`LEAD_BOTTOM` then :data:`LEAD_TOP`, follow (n + 1, ...).
* facets: :data:`ELECTRODE_BOTTOM` (z = 0), :data:`ELECTRODE_TOP` (z = total height),
  :data:`SIDE` (every other outer face: the lateral wall, and the exposed rims of wider leads),
  and the interior interfaces ``interface_name(lower, upper)`` (for ``dS`` integrals).
* with ``air_radius``: the pillar sits in a ball of air centred on its axis at half height
  (for the magnetostatic potential, :class:`fem_spin.Magnetostatics`): the cell region
  :data:`AIR` and the facets :data:`OUTER` (the outer sphere); the pillar's own faces keep
  their tags (now between the pillar and the air). The mesh size grows from ``h_max`` at the
  pillar to ``h_air`` at the sphere.
"""

from __future__ import annotations

import logging
import math
import numbers
from collections.abc import Sequence
from pathlib import Path

from mpi4py import MPI

from fem_spin.errors import InputError
from fem_spin.geometry.base import Geometry, background_size, check_positive, gmsh_geometry

__all__ = [
    "AIR",
    "ELECTRODE_BOTTOM",
    "ELECTRODE_TOP",
    "LEAD_BOTTOM",
    "LEAD_TOP",
    "OUTER",
    "SIDE",
    "interface_name",
    "nanopillar",
]

log = logging.getLogger(__name__)

ELECTRODE_BOTTOM = "electrode_bottom"  # facets at z = 0
ELECTRODE_TOP = "electrode_top"  # facets at the top of the stack
SIDE = "side"  # all other outer facets
LEAD_BOTTOM = "lead_bottom"  # cell region of the optional bottom lead
LEAD_TOP = "lead_top"  # cell region of the optional top lead
AIR = "air"  # cell region of the optional air ball
OUTER = "outer"  # facets of the air ball's sphere

_FACET_TAGS = {ELECTRODE_BOTTOM: 1, ELECTRODE_TOP: 2, SIDE: 3}
_FIRST_INTERFACE_TAG = 11  # interfaces bottom to top: 11, 12, ...
_OUTER_TAG = 9


def interface_name(lower: str, upper: str) -> str:
    """Name of the facet tag of the interface between region ``lower`` and the one above it."""
    return f"{lower}/{upper}"


def _check_layers(layers) -> list[tuple[str, float]]:
    try:
        items = [tuple(layer) for layer in layers]
    except TypeError:
        items = None
    if not items or any(len(item) != 2 for item in items):
        raise InputError(f"layers must be a non-empty list of (name, thickness) pairs, e.g. "
                         f"[('fixed', 10), ('spacer', 2), ('free', 5)], got {layers!r}")
    out = []
    reserved = {LEAD_BOTTOM, LEAD_TOP, AIR, OUTER, *_FACET_TAGS}
    for name, thickness in items:
        if not isinstance(name, str) or not name or "/" in name:
            raise InputError(f"layer names must be non-empty strings without '/', got {name!r}")
        if name in reserved:
            raise InputError(f"layer name {name!r} is reserved; choose another "
                             f"(reserved: {sorted(reserved)})")
        out.append((name, check_positive(thickness, f"thickness of layer {name!r} (nm)")))
    names = [n for n, _ in out]
    if len(set(names)) != len(names):
        raise InputError(f"layer names must be distinct, got {names}")
    return out


def _semi_axes(value, name: str) -> tuple[float, float]:
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        r = check_positive(value, f"{name} (nm)")
        return r, r
    try:
        rx, ry = value
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a radius or a pair of semi-axes (rx, ry) in nm, "
                         f"got {value!r}") from None
    return check_positive(rx, f"{name}[0] (nm)"), check_positive(ry, f"{name}[1] (nm)")


def nanopillar(
    comm: MPI.Comm,
    layers: Sequence[tuple[str, float]],
    *,
    rx: float,
    ry: float | None = None,
    h_max: float,
    h_interface: float | None = None,
    leads: tuple[float, float] | None = None,
    lead_radius: float | tuple[float, float] | None = None,
    cache_dir: str | Path | None = None,
    air_radius: float | None = None,
    h_air: float | None = None,
) -> Geometry:
    """Tetrahedral mesh of a CPP nanopillar (current along z).

    Args:
        comm: communicator.
        layers: ``(name, thickness)`` per layer, bottom to top (nm).
        rx, ry: semi-axes of the elliptical cross-section along x and y (nm); ``ry=None``
            gives a circular pillar of radius ``rx``.
        h_max: largest mesh size (nm).
        h_interface: mesh size on the interfaces between regions (nm); default
            ``min(h_max, thinnest layer)`` so that thin layers are not meshed with flat cells.
        leads: ``(bottom, top)`` lead thicknesses (nm); 0 omits that lead, None omits both.
        lead_radius: lead cross-section, a radius or ``(rx, ry)`` at least as large as the
            pillar's; default the pillar's cross-section.
        cache_dir: folder of cached ``.msh`` files, None to always build.
        air_radius: radius (nm) of an air ball around the pillar (centred on its axis at
            half height), None for none; h_air: the mesh size at its sphere (default
            ``h_max air_radius / (half the pillar's diagonal)``).
    Returns:
        Geometry with the cell and facet tags described in the module docstring.
    """
    layers = _check_layers(layers)
    rx = check_positive(rx, "rx (nm)")
    ry = rx if ry is None else check_positive(ry, "ry (nm)")
    h_max = check_positive(h_max, "h_max (nm)")
    thinnest = min(t for _, t in layers)
    h_interface = (min(h_max, thinnest) if h_interface is None
                   else check_positive(h_interface, "h_interface (nm)"))
    if h_interface > h_max:
        raise InputError(f"h_interface ({h_interface}) must not exceed h_max ({h_max})")
    stack = [(name, t, (rx, ry)) for name, t in layers]
    if leads is not None:
        try:
            t_bottom, t_top = leads
        except (TypeError, ValueError):
            raise InputError(f"leads must be (bottom, top) thicknesses in nm, got {leads!r}"
                             ) from None
        t_bottom = check_positive(t_bottom, "leads[0] (nm)", allow_zero=True)
        t_top = check_positive(t_top, "leads[1] (nm)", allow_zero=True)
        lead_axes = (rx, ry) if lead_radius is None else _semi_axes(lead_radius, "lead_radius")
        if lead_axes[0] < rx or lead_axes[1] < ry:
            raise InputError(f"lead_radius {lead_axes} must not be smaller than the pillar's "
                             f"semi-axes ({rx}, {ry})")
        if t_bottom > 0:
            stack.insert(0, (LEAD_BOTTOM, t_bottom, lead_axes))
        if t_top > 0:
            stack.append((LEAD_TOP, t_top, lead_axes))
    elif lead_radius is not None:
        raise InputError("lead_radius needs leads=(bottom, top) thicknesses")
    names = [name for name, _ in layers] + [n for n in (LEAD_BOTTOM, LEAD_TOP)
                                             if n in {s[0] for s in stack}]
    cell_tags = {name: i + 1 for i, name in enumerate(names)}
    air = None
    if air_radius is not None:
        height = sum(t for _, t, _ in stack)
        extent = math.hypot(max(max(a) for _, _, a in stack), height / 2)
        R = check_positive(air_radius, "air_radius (nm)")
        if R <= extent:
            raise InputError(f"air_radius ({R} nm) must exceed the pillar's extent "
                             f"({extent:.4g} nm from its centre)")
        h_a = h_max * R / extent if h_air is None else check_positive(h_air, "h_air (nm)")
        air = (R, h_a, extent)
        cell_tags[AIR] = len(cell_tags) + 1
    elif h_air is not None:
        raise InputError("h_air needs air_radius")

    def build(gmsh) -> None:
        _build_pillar(gmsh, stack, cell_tags, h_max, h_interface, air)

    params = {"stack": stack, "h_max": h_max, "h_interface": h_interface, "air": air}
    return gmsh_geometry(comm, "nanopillar", build, gdim=3, params=params, cache_dir=cache_dir)


def _ellipse(occ, z: float, ax: float, ay: float) -> int:
    """Elliptic disc in the plane z (OCC wants the major semi-axis first)."""
    if ax >= ay:
        return occ.addDisk(0.0, 0.0, z, ax, ay)
    return occ.addDisk(0.0, 0.0, z, ay, ax, zAxis=[0, 0, 1], xAxis=[0, 1, 0])


def _build_pillar(gmsh, stack, cell_tags, h_max: float, h_interface: float, air=None) -> None:
    """gmsh model of the stack (rank 0 only): volumes, fragment, physical groups, mesh."""
    occ = gmsh.model.occ
    volumes, z = [], 0.0
    for _, thickness, (ax, ay) in stack:
        out = occ.extrude([(2, _ellipse(occ, z, ax, ay))], 0.0, 0.0, thickness)
        volumes.append(next(e for e in out if e[0] == 3))
        z += thickness
    height = z
    ball = [] if air is None else [(3, occ.addSphere(0.0, 0.0, height / 2, air[0]))]
    _, pieces = occ.fragment(volumes[:1], volumes[1:] + ball)
    occ.synchronize()
    air_volumes = []
    if air is not None:
        in_stack = {t for piece in pieces[:-1] for _, t in piece}
        air_volumes = [t for _, t in pieces[-1] if t not in in_stack]
        pieces = pieces[:-1]
    region = []
    for (name, _, _), piece in zip(stack, pieces, strict=True):
        vols = [tag for dim, tag in piece if dim == 3]
        if len(vols) != 1:
            raise RuntimeError(f"fragment split layer {name!r} into {len(vols)} volumes")
        region.append(vols[0])

    # outer faces by height of their centre of mass; interfaces shared by neighbours
    outer = gmsh.model.getBoundary([(3, v) for v in region], combined=True, oriented=False)
    tol = 1e-6 * height
    groups: dict[str, list[int]] = {name: [] for name in _FACET_TAGS}
    for _, s in outer:
        zc = occ.getCenterOfMass(2, s)[2]
        key = ELECTRODE_BOTTOM if abs(zc) < tol else ELECTRODE_TOP if abs(zc - height) < tol \
            else SIDE
        groups[key].append(abs(s))
    faces = [{abs(t) for _, t in gmsh.model.getBoundary([(3, v)], oriented=False)}
             for v in region]
    interfaces = []
    for k in range(len(stack) - 1):
        shared = sorted(faces[k] & faces[k + 1])
        if not shared:
            raise RuntimeError(f"regions {stack[k][0]!r} and {stack[k + 1][0]!r} do not touch")
        interfaces.append((interface_name(stack[k][0], stack[k + 1][0]), shared))

    for (name, _, _), v in zip(stack, region, strict=True):
        gmsh.model.addPhysicalGroup(3, [v], tag=cell_tags[name], name=name)
    if air is not None:
        gmsh.model.addPhysicalGroup(3, air_volumes, tag=cell_tags[AIR], name=AIR)
        everything = [(3, v) for v in region + air_volumes]
        sphere = [abs(t) for _, t in gmsh.model.getBoundary(everything, combined=True,
                                                             oriented=False)]
        gmsh.model.addPhysicalGroup(2, sphere, tag=_OUTER_TAG, name=OUTER)
    for name, tag in _FACET_TAGS.items():
        if not groups[name]:
            raise RuntimeError(f"no outer face classified as {name!r}")
        gmsh.model.addPhysicalGroup(2, groups[name], tag=tag, name=name)
    for k, (name, surfaces) in enumerate(interfaces):
        gmsh.model.addPhysicalGroup(2, surfaces, tag=_FIRST_INTERFACE_TAG + k, name=name)

    gmsh.option.setNumber("Mesh.MeshSizeMax", h_max if air is None else air[1])
    if air is not None:
        _air_size_field(gmsh, region, air_volumes, outer, h_max, h_interface, interfaces,
                        air, height)
        gmsh.model.mesh.generate(3)
        return
    if interfaces and h_interface < h_max:
        iface = [s for _, surfaces in interfaces for s in surfaces]
        width = max(max(ax, ay) for _, _, (ax, ay) in stack)
        field = gmsh.model.mesh.field
        dist = field.add("Distance")
        field.setNumbers(dist, "SurfacesList", iface)
        # points sampled per parametric direction of each surface: about one per h_interface
        field.setNumber(dist, "Sampling", min(400, max(20, math.ceil(4 * width / h_interface))))
        thr = field.add("Threshold")
        field.setNumber(thr, "InField", dist)
        field.setNumber(thr, "SizeMin", h_interface)
        field.setNumber(thr, "SizeMax", h_max)
        field.setNumber(thr, "DistMin", 0.5 * h_interface)
        field.setNumber(thr, "DistMax", 0.5 * h_interface + 2.0 * (h_max - h_interface))
        background_size(gmsh, [thr])
    gmsh.model.mesh.generate(3)
    log.debug("nanopillar: %d regions, height %g nm, %d interfaces", len(stack), height,
              len(interfaces))


def _air_size_field(gmsh, region, air_volumes, outer, h_max, h_interface, interfaces, air,
                    height) -> None:
    """h_interface on the interfaces, h_max in the pillar, growing linearly with the distance
    from the pillar's surface to h_air at the sphere."""
    R, h_a, extent = air
    field = gmsh.model.mesh.field
    dist = field.add("Distance")
    field.setNumbers(dist, "SurfacesList", [abs(t) for _, t in outer])
    field.setNumber(dist, "Sampling", 100)
    grow = field.add("MathEval")
    field.setString(grow, "F", f"{h_max} + {max(h_a - h_max, 0.0) / (R - extent)} * F{dist}")
    inside = field.add("Restrict")
    const = field.add("MathEval")
    field.setString(const, "F", f"{h_max}")
    field.setNumber(inside, "InField", const)
    field.setNumbers(inside, "VolumesList", region)
    fields = [grow, inside]
    if interfaces and h_interface < h_max:
        idist = field.add("Distance")
        field.setNumbers(idist, "SurfacesList", [s for _, ss in interfaces for s in ss])
        field.setNumber(idist, "Sampling", 100)
        thr = field.add("Threshold")
        field.setNumber(thr, "InField", idist)
        field.setNumber(thr, "SizeMin", h_interface)
        field.setNumber(thr, "SizeMax", h_max)
        field.setNumber(thr, "DistMin", 0.5 * h_interface)
        field.setNumber(thr, "DistMax", 0.5 * h_interface + 2.0 * (h_max - h_interface))
        fields.append(thr)
    background_size(gmsh, fields)
