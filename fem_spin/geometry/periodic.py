"""The periodic 1D ring: a closed loop of interval cells embedded in 2D or 3D.

The loop is a 1D manifold mesh (cells ``(i, (i + 1) % N)``): it has no boundary, so the
solution is periodic without any constraint, and ``ufl.grad`` on it is the tangential
derivative ``d/ds``. Two paths (:class:`RingPath`):

* ``"circle"`` of radius R: arc length ``s = R phi`` counter-clockwise from the point
  ``center + R e1`` (``phi`` the angle from ``e1`` towards ``e2``).
* ``"square"`` of side L (the paper's ring, Sec. VI, Figs. 12-15): corners at arc length
  ``s = 0, L, 2L, 3L``, counter-clockwise, with mesh nodes exactly at the corners. In the
  plane coordinates ``(u, v)`` about the centre the corners are ``(L/2, -L/2)``,
  ``(L/2, L/2)``, ``(-L/2, L/2)``, ``(-L/2, -L/2)``: side 0 runs along ``+e2``, side 1 along
  ``-e1``, side 2 along ``-e2``, side 3 along ``+e1``. With the default plane ``(e1, e2) =
  (x, y)`` the ring's default side axes z, -y, -z, +y (:func:`fem_spin.textures.ring_magnetization`)
  are then normal to the current on every side. (With equal ``tau_k`` and ``D_p`` S1 does not
  couple spin components to directions in space, so this is a picture convention only.)

The plane is spanned by ``e1``, ``e2`` (orthonormalised); a 3D ring tilted out of the xy
plane is given by tilting them (:func:`tilted_plane`).

Textures on the ring are functions of the arc length: :meth:`RingPath.arc_length` (numpy,
for interpolation) and :meth:`RingPath.arc_length_ufl` (UFL, exact at quadrature points).
Note (stack measurements 4(b)): do not use ``exterior_facet_indices`` to decide whether a
ring is closed under MPI (it reports spurious boundary vertices there).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import basix.ufl
import dolfinx.mesh
import numpy as np
import ufl
from mpi4py import MPI

from fem_spin.errors import InputError
from fem_spin.geometry.base import Geometry, mesh_statistics, shared_facet_partitioner

__all__ = [
    "RING",
    "SIDES",
    "RingGeometry",
    "RingPath",
    "circle_ring",
    "square_ring",
    "tilted_plane",
]

log = logging.getLogger(__name__)

RING = "ring"  # cell-tag name of the circle (tag 1)
SIDES = ("side_0", "side_1", "side_2", "side_3")  # cell-tag names of the square (tags 1..4)


def _unit(v, name: str) -> np.ndarray:
    v = np.asarray(v, dtype=float).ravel()
    if v.shape != (3,) or not np.all(np.isfinite(v)) or np.linalg.norm(v) == 0:
        raise InputError(f"{name} must be a non-zero finite 3-vector, got {v!r}")
    return v / np.linalg.norm(v)


def tilted_plane(normal: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """An orthonormal pair ``(e1, e2)`` spanning the plane normal to ``normal``, with
    ``e1 x e2 = normal / |normal|`` (so the ring runs counter-clockwise seen from the tip
    of ``normal``). ``normal = z`` gives ``(x, y)``."""
    n = _unit(normal, "normal")
    helper = np.array([1.0, 0.0, 0.0]) if abs(n[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    e1 = helper - n * (n @ helper)
    e1 /= np.linalg.norm(e1)
    return e1, np.cross(n, e1)


@dataclass(frozen=True, kw_only=True)
class RingPath:
    """The closed curve of a ring, in the plane through ``center`` spanned by ``e1``, ``e2``.

    Attributes:
        kind: ``"circle"`` or ``"square"``.
        size: radius (circle) or side length (square), nm.
        center: centre (3 coordinates, nm).
        e1, e2: orthonormal in-plane directions.
    """

    kind: str
    size: float
    center: tuple[float, float, float] = (0.0, 0.0, 0.0)
    e1: tuple[float, float, float] = (1.0, 0.0, 0.0)
    e2: tuple[float, float, float] = (0.0, 1.0, 0.0)

    def __post_init__(self) -> None:
        if self.kind not in ("circle", "square"):
            raise InputError(f"RingPath.kind must be 'circle' or 'square', got {self.kind!r}")
        try:
            size = float(self.size)
        except (TypeError, ValueError):
            size = np.nan
        if not (np.isfinite(size) and size > 0):
            raise InputError(f"RingPath.size (radius or side, nm) must be positive, got "
                             f"{self.size!r}")
        e1, e2 = _unit(self.e1, "e1"), np.asarray(self.e2, dtype=float).ravel()
        if e2.shape != (3,):
            raise InputError(f"e2 must be a 3-vector, got {self.e2!r}")
        e2 = _unit(e2 - e1 * (e1 @ e2), "e2 (its part orthogonal to e1)")
        c = np.asarray(self.center, dtype=float).ravel()
        if c.shape != (3,) or not np.all(np.isfinite(c)):
            raise InputError(f"center must be 3 finite coordinates, got {self.center!r}")
        object.__setattr__(self, "e1", tuple(e1))
        object.__setattr__(self, "e2", tuple(e2))
        object.__setattr__(self, "center", tuple(c))
        object.__setattr__(self, "size", size)

    @property
    def perimeter(self) -> float:
        """Length of the loop (nm): ``2 pi R`` or ``4 L``."""
        return 2 * np.pi * self.size if self.kind == "circle" else 4 * self.size

    @property
    def corners(self) -> np.ndarray:
        """Arc lengths of the corners (square: ``0, L, 2L, 3L``; circle: none)."""
        return self.size * np.arange(4.0) if self.kind == "square" else np.zeros(0)

    def _plane(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return (np.asarray(self.center), np.asarray(self.e1), np.asarray(self.e2))

    def point(self, s) -> np.ndarray:
        """Points on the path at arc lengths ``s`` (any real, taken modulo the perimeter):
        array ``(len(s), 3)``."""
        s = np.mod(np.atleast_1d(np.asarray(s, dtype=float)), self.perimeter)
        c, e1, e2 = self._plane()
        if self.kind == "circle":
            phi = s / self.size
            u, v = self.size * np.cos(phi), self.size * np.sin(phi)
        else:
            half, side = 0.5 * self.size, np.minimum(np.floor(s / self.size), 3).astype(int)
            t = s - side * self.size  # distance along the side from its first corner
            start = np.array([[half, -half], [half, half], [-half, half], [-half, -half]])
            direction = np.array([[0, 1], [-1, 0], [0, -1], [1, 0]], dtype=float)
            uv = start[side] + t[:, None] * direction[side]
            u, v = uv[:, 0], uv[:, 1]
        return c[None, :] + u[:, None] * e1[None, :] + v[:, None] * e2[None, :]

    def arc_length(self, x: np.ndarray) -> np.ndarray:
        """Arc length ``s`` in ``[0, perimeter)`` of points ``x`` (array ``(gdim, N)`` or
        ``(3, N)``, as DOLFINx passes to interpolation callables). Points off the path are
        projected onto the plane, then radially onto the circle, or for the square onto the
        side whose quarter (the sectors between the diagonals) contains them."""
        x = np.asarray(x, dtype=float)
        x3 = np.zeros((3, x.shape[1]))
        x3[: x.shape[0]] = x
        c, e1, e2 = self._plane()
        r = x3 - c[:, None]
        u, v = e1 @ r, e2 @ r
        if self.kind == "circle":
            s = self.size * np.arctan2(v, u)
        else:
            half, L = 0.5 * self.size, self.size
            s = np.where(
                u >= np.abs(v), v + half,  # side 0 (u = L/2), includes corner 0 (s = 0)
                np.where(v >= np.abs(u), L + half - u,  # side 1 (v = L/2)
                         np.where(-u >= np.abs(v), 2 * L + half - v,  # side 2 (u = -L/2)
                                  3 * L + half + u)))  # side 3 (v = -L/2)
        return np.mod(s, self.perimeter)

    def arc_length_ufl(self, x) -> ufl.core.expr.Expr:
        """The arc length as a UFL expression of the spatial coordinate ``x`` (e.g.
        ``ufl.SpatialCoordinate(mesh)``; 2 or 3 components), in ``[0, perimeter]``: the
        point ``s = 0`` may come out as the perimeter (data periodic in ``s`` do not notice)."""
        gdim = ufl.shape(x)[0]
        c, e1, e2 = self._plane()
        r = [x[i] - c[i] for i in range(gdim)]
        u = sum(e1[i] * r[i] for i in range(gdim))
        v = sum(e2[i] * r[i] for i in range(gdim))
        if self.kind == "circle":
            phi = ufl.atan2(v, u)
            return self.size * ufl.conditional(ufl.lt(phi, 0.0), phi + 2 * np.pi, phi)
        half, L = 0.5 * self.size, self.size
        au, av = abs(u), abs(v)
        return ufl.conditional(
            ufl.ge(u, av), v + half,
            ufl.conditional(
                ufl.ge(v, au), L + half - u,
                ufl.conditional(ufl.ge(-u, av), 2 * L + half - v, 3 * L + half + u)))

    def side(self, s) -> np.ndarray:
        """Side index 0..3 of arc lengths ``s`` (square only; corner ``kL`` belongs to side k)."""
        if self.kind != "square":
            raise InputError("side() is defined for the square ring only")
        s = np.mod(np.asarray(s, dtype=float), self.perimeter)
        return np.minimum(np.floor(s / self.size), 3).astype(np.int32)


@dataclass(frozen=True)
class RingGeometry(Geometry):
    """A :class:`Geometry` whose mesh is a closed loop (no facet tags) with its :class:`RingPath`.

    ``arc_length(x)`` (numpy) and ``arc_length_ufl()`` (UFL on this mesh) give the arc length
    on which ring textures depend.
    """

    path: RingPath | None = None

    @property
    def perimeter(self) -> float:
        return self.path.perimeter

    def arc_length(self, x: np.ndarray) -> np.ndarray:
        """Arc length (nm) of points ``x`` of shape ``(gdim or 3, N)``."""
        return self.path.arc_length(x)

    def arc_length_ufl(self) -> ufl.core.expr.Expr:
        """Arc length (nm) as a UFL expression on this mesh."""
        return self.path.arc_length_ufl(ufl.SpatialCoordinate(self.mesh))


def _check_gdim_plane(gdim: int, e1: np.ndarray, e2: np.ndarray, center: np.ndarray) -> None:
    if gdim not in (2, 3):
        raise InputError(f"a ring is embedded in 2D or 3D: gdim must be 2 or 3, got {gdim!r}")
    if gdim == 2 and (abs(e1[2]) > 1e-14 or abs(e2[2]) > 1e-14 or center[2] != 0):
        raise InputError("a ring with gdim=2 lies in the xy plane: leave e1, e2 and center "
                         "in that plane (or use gdim=3 for a tilted ring)")


def _ring_mesh(comm: MPI.Comm, path: RingPath, s_nodes: np.ndarray, gdim: int,
               degree: int) -> dolfinx.mesh.Mesh:
    """Loop mesh through the points at arc lengths ``s_nodes`` (increasing, in [0, P));
    ``degree`` 2 adds a node per cell at the mid arc length (curved cells)."""
    if comm.rank == 0:
        n = len(s_nodes)
        i = np.arange(n)
        cells = np.stack([i, (i + 1) % n], axis=1)
        points = path.point(s_nodes)
        if degree == 2:
            s_next = np.append(s_nodes[1:], path.perimeter)
            points = np.vstack([points, path.point(0.5 * (s_nodes + s_next))])
            cells = np.hstack([cells, (n + i)[:, None]])
        x = points[:, :gdim].copy()
    else:
        x = np.zeros((0, gdim))
        cells = np.zeros((0, 2 if degree == 1 else 3), dtype=np.int64)
    element = basix.ufl.element("Lagrange", "interval", degree, shape=(gdim,))
    return dolfinx.mesh.create_mesh(comm, cells.astype(np.int64), element, x,
                                     partitioner=shared_facet_partitioner())


def _cell_tags(mesh: dolfinx.mesh.Mesh, path: RingPath) -> dolfinx.mesh.MeshTags:
    tdim = mesh.topology.dim
    imap = mesh.topology.index_map(tdim)
    cells = np.arange(imap.size_local + imap.num_ghosts, dtype=np.int32)
    if path.kind == "circle":
        values = np.ones(len(cells), dtype=np.int32)
    else:
        # the side of a cell is that of its midpoint (never at a corner: corners are nodes)
        mid = dolfinx.mesh.compute_midpoints(mesh, tdim, cells)
        values = 1 + path.side(path.arc_length(mid.T)).astype(np.int32)
    return dolfinx.mesh.meshtags(mesh, tdim, cells, values)


def _finish(comm: MPI.Comm, path: RingPath, s_nodes: np.ndarray, gdim: int,
            degree: int) -> RingGeometry:
    mesh = _ring_mesh(comm, path, s_nodes, gdim, degree)
    names = (RING,) if path.kind == "circle" else SIDES
    tags = {name: i + 1 for i, name in enumerate(names)}
    stats = mesh_statistics(mesh) | {"perimeter": path.perimeter}
    log.info("ring mesh: %s, perimeter %.6g nm, %d cells (geometry degree %d), h in "
             "[%.3g, %.3g] nm, gdim %d", path.kind, path.perimeter, stats["cells"], degree,
             stats["h_min"], stats["h_max"], gdim)
    return RingGeometry(mesh=mesh, cell_tags=_cell_tags(mesh, path), facet_tags=None, tags=tags,
                        stats=stats, path=path)


def circle_ring(comm: MPI.Comm, n: int, *, radius: float | None = None,
                perimeter: float | None = None, gdim: int = 2,
                normal: Sequence[float] | None = None,
                center: Sequence[float] = (0.0, 0.0, 0.0),
                geometry_degree: int = 1) -> RingGeometry:
    """A circular loop of ``n`` equal cells (one cell tag, :data:`RING` = 1).

    Args:
        comm: communicator (the mesh is built on rank 0 and distributed).
        n: number of cells (>= 3).
        radius, perimeter: give exactly one (nm).
        gdim: 2 (ring in the xy plane) or 3.
        normal: for gdim 3, the normal of the ring's plane (default z); see
            :func:`tilted_plane`.
        center: centre of the ring (nm).
        geometry_degree: 1 (a regular polygon: geometric error O(h^2), which limits P2 to
            rate 2) or 2 (curved cells through the mid-arc points: error O(h^3)).

    Returns:
        :class:`RingGeometry` (facet_tags None: the loop has no boundary).
    """
    if (radius is None) == (perimeter is None):
        raise InputError("circle_ring needs exactly one of radius= or perimeter= (nm)")
    R = radius if radius is not None else perimeter / (2 * np.pi)
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 3:
        raise InputError(f"circle_ring needs an integer number of cells n >= 3, got {n!r}")
    if geometry_degree not in (1, 2):
        raise InputError(f"geometry_degree must be 1 or 2, got {geometry_degree!r}")
    e1, e2 = tilted_plane((0.0, 0.0, 1.0) if normal is None else normal)
    path = RingPath(kind="circle", size=R, center=tuple(center), e1=tuple(e1), e2=tuple(e2))
    _check_gdim_plane(gdim, np.asarray(path.e1), np.asarray(path.e2), np.asarray(path.center))
    s_nodes = path.perimeter * np.arange(n) / n
    return _finish(comm, path, s_nodes, gdim, geometry_degree)


def square_ring(comm: MPI.Comm, side: float, side_nodes: int | Sequence[float], *,
                gdim: int = 2, e1: Sequence[float] = (1.0, 0.0, 0.0),
                e2: Sequence[float] = (0.0, 1.0, 0.0),
                center: Sequence[float] = (0.0, 0.0, 0.0)) -> RingGeometry:
    """The paper's square ring of side ``side`` (nm): corners at arc length 0, L, 2L, 3L are
    nodes; cell tags 1..4 named :data:`SIDES` (``"side_0"``..``"side_3"``).

    Args:
        comm: communicator.
        side: side length L (nm).
        side_nodes: cells per side (uniform), or the node positions along a side, an
            increasing array from 0 to L (e.g.
            :func:`fem_spin.geometry.interval.graded_nodes` refined at 0 and L to resolve the
            corners' tanh(d / l_da) profile); used on every side.
        gdim: 2 (the xy plane) or 3.
        e1, e2: in-plane directions (orthonormalised); for a tilted ring use gdim 3 and
            e.g. ``tilted_plane(normal)``.
        center: centre of the square (nm).

    Returns:
        :class:`RingGeometry` (facet_tags None).
    """
    path = RingPath(kind="square", size=side, center=tuple(center), e1=tuple(e1), e2=tuple(e2))
    _check_gdim_plane(gdim, np.asarray(path.e1), np.asarray(path.e2), np.asarray(path.center))
    L = path.size
    if isinstance(side_nodes, int | np.integer) and not isinstance(side_nodes, bool):
        if side_nodes < 1:
            raise InputError(f"square_ring needs at least one cell per side, got {side_nodes}")
        t = L * np.arange(side_nodes + 1) / side_nodes
    else:
        t = np.asarray(side_nodes, dtype=float).ravel()
        if (len(t) < 2 or np.any(np.diff(t) <= 0) or abs(t[0]) > 1e-12 * L
                or abs(t[-1] - L) > 1e-12 * L):
            raise InputError("side_nodes must be a cell count or an increasing array of node "
                             f"positions from 0 to the side length {L}, got {side_nodes!r}")
        t = t.copy()
        t[0], t[-1] = 0.0, L
    s_nodes = np.concatenate([k * L + t[:-1] for k in range(4)])
    return _finish(comm, path, s_nodes, gdim, 1)
