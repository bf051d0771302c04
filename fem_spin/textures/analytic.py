"""Magnetization textures as numpy callables ``x -> array (3, N)`` (reduced M, |M| <= 1).

A texture is a function of the points ``x`` (array ``(3, N)``, nm, as DOLFINx passes them to
interpolation callables) returning the reduced magnetization ``(3, N)`` in global spin-space
components (x, y, z): :func:`bilayer_magnetization` (the paper's CPP bilayer),
:func:`layered_magnetization` (multilayers and pillars, interface profile ``tanh(d / l_da)``),
:func:`ring_magnetization` (the paper's square ring), :func:`domain_wall` (Bloch and Neel
walls), :func:`vortex` (vortex in a disc) and :func:`custom_texture` (a validated user callable).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from fem_spin.errors import InputError

__all__ = ["RING_AXES", "Texture", "as_vector3", "bilayer_axis_right", "bilayer_magnetization",
           "custom_texture", "domain_wall", "layered_magnetization", "ring_magnetization",
           "vortex"]


Texture = Callable[[np.ndarray], np.ndarray]


def bilayer_axis_right(theta: float) -> np.ndarray:
    """Right-layer axis ``n_R = R_x(theta) z = (0, -sin theta, cos theta)`` (theta in rad)."""
    return np.array([0.0, -np.sin(theta), np.cos(theta)])


def bilayer_magnetization(theta: float, l_da: float, spacer: float = 0.0):
    """CPP bilayer texture (paper Sec. VI, Fig. 5): axis z for x < spacer and ``n_R(theta)``
    for x > spacer, magnitude ``tanh(|x - spacer| / l_da)`` falling to zero at the
    zero-thickness spacer over the interface width ``l_da`` (nm)."""
    n_left, n_right = np.array([0.0, 0.0, 1.0]), bilayer_axis_right(theta)

    def M(x: np.ndarray) -> np.ndarray:
        d = x[0] - spacer
        axis = np.where(d[None, :] < 0, n_left[:, None], n_right[:, None])
        return np.tanh(np.abs(d) / l_da)[None, :] * axis

    return M


def as_vector3(v, name: str) -> np.ndarray:
    try:
        arr = np.asarray(v, dtype=float).ravel()
    except (TypeError, ValueError):
        arr = None
    if arr is None or arr.shape != (3,) or not np.all(np.isfinite(arr)):
        raise InputError(f"{name} must be a finite 3-vector (x, y, z), got {v!r}")
    return arr


def _unit3(v, name: str) -> np.ndarray:
    arr = as_vector3(v, name)
    norm = np.linalg.norm(arr)
    if norm == 0:
        raise InputError(f"{name} must be a non-zero direction, got {v!r}")
    return arr / norm


def _positive(x, name: str) -> float:
    try:
        value = float(x)
    except (TypeError, ValueError):
        value = np.nan
    if not (np.isfinite(value) and value > 0):
        raise InputError(f"{name} must be a positive number (nm), got {x!r}")
    return value


def _sign(x, name: str) -> int:
    if x not in (1, -1) or isinstance(x, bool):
        raise InputError(f"{name} must be +1 or -1, got {x!r}")
    return int(x)


def _flag(x, name: str) -> bool:
    if not isinstance(x, bool | np.bool_):
        raise InputError(f"{name} must be True or False, got {x!r}")
    return bool(x)


def _per_interface(value, n: int, name: str, check) -> list:
    if isinstance(value, str | bytes) or np.ndim(value) == 0:
        return [check(value, name)] * n
    if len(value) != n:
        raise InputError(f"{name} must be one value or one per interface ({n}), got {value!r}")
    return [check(v, f"{name}[{i}]") for i, v in enumerate(value)]


def layered_magnetization(axes: Sequence[Sequence[float]], interfaces: Sequence[float],
                          l_da: float | Sequence[float], *, axis_coordinate: int = 0,
                          spacers: bool | Sequence[bool] = True) -> Texture:
    """Uniform magnetization per layer of a multilayer (or a pillar), with the paper's
    interface profile (Sec. VI, Fig. 5).

    Layer k lies between ``interfaces[k-1]`` and ``interfaces[k]`` along the coordinate
    ``x[axis_coordinate]`` (0 for a CPP multilayer along x, 2 for a pillar along z; the first
    and last layers extend to infinity; a point exactly on an interface belongs to the layer
    after it). Its magnetization is ``axes[k]``; the length of ``axes[k]`` is the layer's
    saturation |M| (1 for a saturated ferromagnet, 0 for a non-magnetic layer of finite
    thickness).

    The magnitude is multiplied by ``tanh(d / l_da)``, ``d`` the distance to the nearest
    interface that is a spacer: |M| -> 0 at a zero-thickness non-magnetic spacer over the
    interface width ``l_da`` (0.6 nm the paper's sharp interface). An interface with
    ``spacers[i] = False`` (e.g. an FM/FM domain boundary) has no dip: the direction jumps
    there with |M| unchanged (use :func:`domain_wall` for a smooth rotation).
    ``layered_magnetization([(0, 0, 1), n_R], [0.0], l_da)`` is
    :func:`bilayer_magnetization` ``(theta, l_da)``.

    Args:
        axes: one 3-vector per layer (reduced magnetization, |axes[k]| <= 1 usually).
        interfaces: increasing positions (nm), ``len(axes) - 1`` of them.
        l_da: interface width (nm), one value or one per interface.
        axis_coordinate: index of the coordinate across the layers (0, 1 or 2).
        spacers: whether each interface is a zero-thickness spacer (one value or one per
            interface).

    Returns:
        A texture ``x -> (3, N)``.
    """
    axes_arr = np.array([as_vector3(a, f"axes[{i}]") for i, a in enumerate(axes)])
    positions = np.asarray(interfaces, dtype=float).ravel()
    if len(axes_arr) < 1 or len(positions) != len(axes_arr) - 1:
        raise InputError(f"layered_magnetization needs one axis per layer and one interface "
                         f"between neighbours: got {len(axes_arr)} axes and {len(positions)} "
                         "interfaces")
    if np.any(~np.isfinite(positions)) or np.any(np.diff(positions) <= 0):
        raise InputError(f"interfaces must be increasing finite positions (nm), got "
                         f"{list(interfaces)}")
    if axis_coordinate not in (0, 1, 2) or isinstance(axis_coordinate, bool):
        raise InputError(f"axis_coordinate must be 0, 1 or 2 (x, y, z), got {axis_coordinate!r}")
    widths = _per_interface(l_da, len(positions), "l_da", _positive)
    dips = _per_interface(spacers, len(positions), "spacers", _flag)

    def M(x: np.ndarray) -> np.ndarray:
        xc = np.asarray(x)[axis_coordinate]
        region = np.searchsorted(positions, xc, side="right")
        scale = np.ones_like(xc, dtype=float)
        for xi, w, dip in zip(positions, widths, dips, strict=True):
            if dip:
                scale = np.minimum(scale, np.tanh(np.abs(xc - xi) / w))
        return scale[None, :] * axes_arr[region].T

    return M


RING_AXES = ((0.0, 0.0, 1.0), (0.0, -1.0, 0.0), (0.0, 0.0, -1.0), (0.0, 1.0, 0.0))
"""Magnetization axes of the square ring's sides 0..3 (physics.md): z, -y, -z, +y."""


def ring_magnetization(arc_length, side: float, l_da: float, *,
                       axes: Sequence[Sequence[float]] = RING_AXES) -> Texture:
    """The paper's square ring (Sec. VI, Figs. 12-15): side k (arc length ``s`` in
    ``[kL, (k+1)L)``) magnetized along ``axes[k]`` (default :data:`RING_AXES`: z, -y, -z, +y,
    a rotation by 90 degrees from one side to the next), with |M| = ``tanh(d / l_da)``, ``d``
    the arc-length distance to the nearest corner (``s = 0, L, 2L, 3L``).

    Args:
        arc_length: the ring's arc length ``x -> s`` (e.g. the :class:`RingGeometry` of
            :func:`fem_spin.geometry.periodic.square_ring`, or its ``arc_length``).
        side: side length L (nm).
        l_da: corner width (nm).
        axes: four 3-vectors.

    Returns:
        A texture ``x -> (3, N)``.
    """
    get_s = getattr(arc_length, "arc_length", arc_length)
    if not callable(get_s):
        raise InputError(f"arc_length must be a callable x -> s or a ring geometry, got "
                         f"{arc_length!r}")
    L, w = _positive(side, "side"), _positive(l_da, "l_da")
    axes_arr = np.array([as_vector3(a, f"axes[{i}]") for i, a in enumerate(axes)])
    if axes_arr.shape != (4, 3):
        raise InputError(f"the square ring needs four axes (one per side), got {len(axes_arr)}")

    def M(x: np.ndarray) -> np.ndarray:
        s = np.mod(np.asarray(get_s(x), dtype=float), 4 * L)
        k = np.minimum(np.floor(s / L), 3).astype(int)
        t = s - k * L
        return np.tanh(np.minimum(t, L - t) / w)[None, :] * axes_arr[k].T

    return M


def domain_wall(kind: str, *, width: float, x0: float = 0.0,
                normal: Sequence[float] = (1.0, 0.0, 0.0),
                easy_axis: Sequence[float] = (0.0, 0.0, 1.0), chirality: int = 1) -> Texture:
    """A 180-degree Bloch or Neel domain wall (unit magnetization).

    With ``xi = normal . x - x0`` the coordinate across the wall (``normal`` normalised) and
    ``theta(xi) = 2 atan(exp(xi / width))`` (0 far on the negative side, pi/2 at the centre,
    pi far on the positive side; ``width = sqrt(A / K)`` the wall-width parameter)::

        m = sin(theta) e_rot + cos(theta) e_easy,
        sin(theta) = 1 / cosh(xi / width),   cos(theta) = -tanh(xi / width)

    so ``m -> +e_easy`` for ``xi -> -inf``, ``m = e_rot`` at the centre and ``m -> -e_easy``
    for ``xi -> +inf``. The easy axis must lie in the wall plane (normal to ``normal``).

    * ``"bloch"``: ``e_rot = chirality * e_easy x normal``: m rotates in the wall plane, its
      component along the normal is zero (default: m = (0, sin, cos)).
    * ``"neel"``: ``e_rot = chirality * normal``: m rotates in the plane containing the normal
      and the easy axis; its component along ``e_easy x normal`` is zero
      (default: m = (sin, 0, cos)).

    Args:
        kind: ``"bloch"`` or ``"neel"``.
        width: wall-width parameter (nm).
        x0: position of the wall centre along ``normal`` (nm).
        normal: wall normal (the direction across the wall).
        easy_axis: the magnetization far on the negative side (normalised).
        chirality: +1 or -1 (sense of rotation).
    """
    if kind not in ("bloch", "neel"):
        raise InputError(f"domain_wall kind must be 'bloch' or 'neel', got {kind!r}")
    delta = _positive(width, "width")
    x0 = float(x0)
    n, e_easy = _unit3(normal, "normal"), _unit3(easy_axis, "easy_axis")
    if abs(n @ e_easy) > 1e-12:
        raise InputError(f"the easy axis {tuple(e_easy)} must lie in the wall plane, i.e. be "
                         f"perpendicular to the normal {tuple(n)}")
    c = _sign(chirality, "chirality")
    e_rot = c * (np.cross(e_easy, n) if kind == "bloch" else n)

    def M(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        xi = (n[: x.shape[0]] @ x - x0) / delta
        return e_rot[:, None] / np.cosh(xi)[None, :] - e_easy[:, None] * np.tanh(xi)[None, :]

    return M


def vortex(*, core_radius: float, center: Sequence[float] = (0.0, 0.0, 0.0),
           normal: Sequence[float] = (0.0, 0.0, 1.0), chirality: int = 1,
           polarity: int = 1) -> Texture:
    """A magnetic vortex in a disc (pillar) with axis ``normal`` through ``center``
    (unit magnetization).

    With ``rho`` the part of ``x - center`` normal to the axis, ``r = |rho|``::

        m_n = polarity * exp(-(r / core_radius)^2)                         (the core)
        m   = m_n n + sqrt(1 - m_n^2) * chirality * (n x rho) / r

    For ``normal = z``: the in-plane part curls as ``chirality * (-y, x) / r``
    (counter-clockwise seen from +z for chirality +1), the core points along
    ``polarity * z``; ``m = polarity * n`` on the axis.

    Args:
        core_radius: core radius (nm).
        center: a point on the disc axis.
        normal: the disc axis.
        chirality, polarity: +1 or -1.
    """
    rc = _positive(core_radius, "core_radius")
    c0, n = as_vector3(center, "center"), _unit3(normal, "normal")
    c, p = _sign(chirality, "chirality"), _sign(polarity, "polarity")

    def M(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        x3 = np.zeros((3, x.shape[1]))
        x3[: x.shape[0]] = x
        rho = x3 - c0[:, None]
        rho -= n[:, None] * (n @ rho)[None, :]
        r = np.linalg.norm(rho, axis=0)
        mn = p * np.exp(-((r / rc) ** 2))
        curl = np.cross(n[:, None], rho, axis=0)
        safe = np.where(r > 0, r, 1.0)
        in_plane = np.where(r > 0, np.sqrt(np.maximum(1 - mn**2, 0.0)) / safe, 0.0)
        return n[:, None] * mn[None, :] + c * in_plane[None, :] * curl

    return M


def custom_texture(f: Callable[[np.ndarray], np.ndarray], *, normalize: bool = False) -> Texture:
    """A user texture ``f(x) -> (3, N)``, checked on every call (shape, finite values);
    with ``normalize`` scaled to |M| = 1 (zero vectors stay zero)."""
    if not callable(f):
        raise InputError(f"custom_texture needs a callable x -> array (3, N), got {f!r}")

    def M(x: np.ndarray) -> np.ndarray:
        try:
            values = np.asarray(f(x), dtype=float)
        except Exception as e:
            raise InputError(f"the texture {f!r} failed on points of shape {np.shape(x)}: "
                             f"{type(e).__name__}: {e}") from e
        n = np.shape(x)[1]
        if values.shape != (3, n):
            raise InputError(f"a texture must return an array (3, N) for points (3, N); "
                             f"{f!r} returned shape {values.shape} for N = {n}")
        if not np.all(np.isfinite(values)):
            raise InputError(f"the texture {f!r} returned non-finite values")
        if normalize:
            norm = np.linalg.norm(values, axis=0)
            values = values / np.where(norm > 0, norm, 1.0)[None, :]
        return values

    return M
