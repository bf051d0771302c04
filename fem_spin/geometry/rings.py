"""Closed-loop 3D devices: a torus of circular cross-section and the paper's square ring.

Both lie in the xy-plane, centred at the origin, with the loop's centreline at z = 0 and the
current running around z counter-clockwise (seen from +z). Torus sectors count azimuth from +x
counter-clockwise, like the arc length ``s = R phi`` of the 1D ``periodic.circle_ring``.

Square torus (the paper's ring, Sec. VI, Figs. 12-15): a solenoid whose centreline is the
square with corners ``c_k`` at (L/2, -L/2), (L/2, L/2), (-L/2, L/2), (-L/2, -L/2) (k = 0..3)
and whose cross-section is an a x a square: the frame between the boxes |x|, |y| <= (L + a)/2
and |x|, |y| <= (L - a)/2, for |z| <= a/2. The diagonals cut it into four trapezoidal prisms,
``side_k`` running from corner ``c_k`` to ``c_{k+1}``: side_0 along +y at x = +L/2, side_1
along -x at y = +L/2, side_2 along -y at x = -L/2, side_3 along +x at y = -L/2. The
centreline arc length ``s`` starts at corner c_0, so corner k sits at s = k L and side_k
covers s in [k L, (k + 1) L]: the conventions of the 1D periodic ring
(``fem_spin.geometry.periodic.square_ring`` in its default plane, whose side axes z, -y, -z,
+y are normal to the current on every side). :func:`square_torus_arc_length` maps points to
s. The cut faces at the corners are ``cut_k`` (corner c_k, s = k L).

Tag numbers (use ``Geometry.tag(name)``): cells :data:`TORUS` = 1, or ``sector_k`` /
``side_k`` = k + 1; facets :data:`SURFACE` = 1, ``cut_k`` = k + 2.
"""

from __future__ import annotations

import logging
import math
import numbers
from pathlib import Path

import numpy as np
from mpi4py import MPI

from fem_spin.errors import InputError
from fem_spin.geometry.base import Geometry, check_positive, gmsh_geometry

__all__ = [
    "SURFACE",
    "TORUS",
    "cut_name",
    "sector_name",
    "side_name",
    "square_torus",
    "square_torus_arc_length",
    "torus",
]

log = logging.getLogger(__name__)

TORUS = "torus"  # cell region of an unsplit torus
SURFACE = "surface"  # outer boundary of a torus or a square torus
_SURFACE_TAG = 1


def sector_name(k: int) -> str:
    """Cell region of torus sector k: azimuth in [2 pi k / n, 2 pi (k + 1) / n]."""
    return f"sector_{k}"


def side_name(k: int) -> str:
    """Cell region of side k of the square torus (k = 0..3, counter-clockwise from c_0)."""
    return f"side_{k}"


def cut_name(k: int) -> str:
    """Facet tag of internal cut k: the sector boundary at azimuth 2 pi k / n of a torus, or the
    diagonal face at corner c_k of a square torus (between side k - 1 and side k)."""
    return f"cut_{k}"


def torus(comm: MPI.Comm, *, R: float, r: float, h_max: float, sectors: int = 1,
          cache_dir: str | Path | None = None) -> Geometry:
    """Tetrahedral mesh of the torus ``(sqrt(x^2 + y^2) - R)^2 + z^2 <= r^2``.

    Args:
        comm: communicator.
        R: radius of the centreline circle (nm).
        r: radius of the circular cross-section (nm), ``r < R``.
        h_max: mesh size (nm).
        sectors: 1 gives one region :data:`TORUS`; n >= 2 splits the torus into n equal
            angular sectors ``sector_name(k)`` (azimuth from +x, counter-clockwise) with the
            internal cut faces ``cut_name(k)`` at azimuth ``2 pi k / n``.
        cache_dir: folder of cached ``.msh`` files, None to always build.
    Returns:
        Geometry with facet tag :data:`SURFACE` (volume 2 pi^2 R r^2, area 4 pi^2 R r).
    """
    R, r = check_positive(R, "R (nm)"), check_positive(r, "r (nm)")
    h_max = check_positive(h_max, "h_max (nm)")
    if r >= R:
        raise InputError(f"the tube radius r = {r} must be smaller than R = {R} (a torus "
                         "without a hole is not supported)")
    if isinstance(sectors, bool) or not isinstance(sectors, numbers.Integral) or sectors < 1:
        raise InputError(f"sectors must be an integer >= 1, got {sectors!r}")
    n = int(sectors)

    def build(gmsh) -> None:
        occ = gmsh.model.occ
        if n == 1:
            volumes = [occ.addTorus(0.0, 0.0, 0.0, R, r)]
        else:
            disc = occ.addDisk(R, 0.0, 0.0, r, r, zAxis=[0, -1, 0], xAxis=[1, 0, 0])
            out = occ.revolve([(2, disc)], 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 2 * math.pi / n)
            first = next(e for e in out if e[0] == 3)
            pieces = [[first]]
            for k in range(1, n):
                copy = occ.copy([first])
                occ.rotate(copy, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 2 * math.pi * k / n)
                pieces.append(copy)
            _, mapped = occ.fragment(pieces[0], [e for p in pieces[1:] for e in p])
            volumes = [_single_volume(m, sector_name(k)) for k, m in enumerate(mapped)]
        occ.synchronize()
        names = [TORUS] if n == 1 else [sector_name(k) for k in range(n)]
        _tag_loop(gmsh, volumes, names, n, corner_angle=0.0)
        gmsh.option.setNumber("Mesh.MeshSizeMax", h_max)
        gmsh.model.mesh.generate(3)

    params = {"R": R, "r": r, "h_max": h_max, "sectors": n}
    return gmsh_geometry(comm, "torus", build, gdim=3, params=params, cache_dir=cache_dir)


def square_torus(comm: MPI.Comm, *, L: float, a: float, h_max: float,
                 cache_dir: str | Path | None = None) -> Geometry:
    """Tetrahedral mesh of the paper's square ring (conventions in the module docstring).

    Args:
        comm: communicator.
        L: side of the centreline square (nm); the loop is 4 L long.
        a: side of the square cross-section (nm), ``a < L``.
        h_max: mesh size (nm).
        cache_dir: folder of cached ``.msh`` files, None to always build.
    Returns:
        Geometry with cell regions ``side_name(k)`` (volume L a^2 each), facet tags
        :data:`SURFACE` (all outer walls, area 16 L a) and ``cut_name(k)`` (the internal
        diagonal faces, area sqrt(2) a^2 each).
    """
    L, a = check_positive(L, "L (nm)"), check_positive(a, "a (nm)")
    h_max = check_positive(h_max, "h_max (nm)")
    if a >= L:
        raise InputError(f"the cross-section a = {a} must be smaller than the side L = {L} "
                         "(the ring needs a hole)")

    def build(gmsh) -> None:
        occ = gmsh.model.occ
        o, i = (L + a) / 2, (L - a) / 2
        corners = [(o, -o), (o, o), (i, i), (i, -i)]  # side_0's trapezoid at z = -a/2
        points = [occ.addPoint(x, y, -a / 2) for x, y in corners]
        lines = [occ.addLine(points[k], points[(k + 1) % 4]) for k in range(4)]
        base = occ.addPlaneSurface([occ.addCurveLoop(lines)])
        out = occ.extrude([(2, base)], 0.0, 0.0, a)
        first = next(e for e in out if e[0] == 3)
        pieces = [[first]]
        for k in range(1, 4):
            copy = occ.copy([first])
            occ.rotate(copy, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, k * math.pi / 2)
            pieces.append(copy)
        _, mapped = occ.fragment(pieces[0], [e for p in pieces[1:] for e in p])
        volumes = [_single_volume(m, side_name(k)) for k, m in enumerate(mapped)]
        occ.synchronize()
        _tag_loop(gmsh, volumes, [side_name(k) for k in range(4)], 4, corner_angle=-math.pi / 4)
        gmsh.option.setNumber("Mesh.MeshSizeMax", h_max)
        gmsh.model.mesh.generate(3)

    params = {"L": L, "a": a, "h_max": h_max}
    return gmsh_geometry(comm, "square_torus", build, gdim=3, params=params, cache_dir=cache_dir)


def square_torus_arc_length(x: np.ndarray, L: float) -> np.ndarray:
    """Arc length ``s`` in [0, 4 L) of points ``x`` (shape (gdim, N)) of the square torus.

    A point belongs to the side whose prism contains it (the diagonal cuts separate them).
    Along each line parallel to the side's centreline, s grows linearly from k L on cut k to
    (k + 1) L on cut k + 1 (a mitred coordinate): on the centreline it is the centreline arc
    length, on cut k it is k L from both sides, so a profile f(s) of the 1D periodic ring
    becomes a field ``f(square_torus_arc_length(x, L))`` continuous across the cuts (usable in
    ``Function.interpolate`` callbacks). On the centreline it equals
    ``RingPath(kind="square", size=L).arc_length``, which projects off-centreline points
    perpendicularly onto their side instead (so that one jumps across the cuts).
    """
    x = np.asarray(x, dtype=float)
    X, Y = x[0], x[1]
    # side k occupies the azimuth wedge [-pi/4 + k pi/2, pi/4 + k pi/2]
    k = np.floor((np.arctan2(Y, X) + np.pi / 4) / (np.pi / 2)).astype(int) % 4
    along = np.choose(k, [Y, -X, -Y, X])  # coordinate along side k's direction
    outward = np.choose(k, [X, Y, -X, -Y])  # distance from the centre: |along| <= outward
    s = k * L + 0.5 * L * (1.0 + along / np.maximum(outward, np.finfo(float).tiny))
    return np.mod(s, 4 * L)


def _single_volume(entities, name: str) -> int:
    vols = [tag for dim, tag in entities if dim == 3]
    if len(vols) != 1:
        raise RuntimeError(f"fragment split {name!r} into {len(vols)} volumes")
    return vols[0]


def _tag_loop(gmsh, volumes: list[int], names: list[str], n: int, corner_angle: float) -> None:
    """Physical groups of a loop of ``n`` pieces: the pieces, the outer surface and the
    internal cuts, numbered by azimuth ``corner_angle + 2 pi k / n`` of their centre of mass."""
    occ = gmsh.model.occ
    for k, (v, name) in enumerate(zip(volumes, names, strict=True)):
        gmsh.model.addPhysicalGroup(3, [v], tag=k + 1, name=name)
    outer = gmsh.model.getBoundary([(3, v) for v in volumes], combined=True, oriented=False)
    outer_tags = sorted({abs(t) for _, t in outer})
    gmsh.model.addPhysicalGroup(2, outer_tags, tag=_SURFACE_TAG, name=SURFACE)
    if n == 1:
        return
    every = {abs(t) for _, t in gmsh.model.getBoundary([(3, v) for v in volumes],
                                                       combined=False, oriented=False)}
    cuts: dict[int, list[int]] = {k: [] for k in range(n)}
    for s in sorted(every - set(outer_tags)):
        xc, yc, _ = occ.getCenterOfMass(2, s)
        k = round((math.atan2(yc, xc) - corner_angle) / (2 * math.pi / n)) % n
        cuts[k].append(s)
    for k, surfaces in cuts.items():
        if len(surfaces) != 1:
            raise RuntimeError(f"expected one cut face at corner {k}, found {surfaces}")
        gmsh.model.addPhysicalGroup(2, surfaces, tag=_SURFACE_TAG + 1 + k, name=cut_name(k))
