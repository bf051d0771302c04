"""Magnetization textures as numpy callables ``x -> array (3, N)`` (reduced M, |M| <= 1).

A texture is a function of the points ``x`` (array ``(3, N)``, nm, as DOLFINx passes them to
interpolation callables) returning the reduced magnetization ``(3, N)``. The components are
global spin-space components (x, y, z). :func:`magnetization` turns a texture (or a UFL
expression, a constant, a Function) into a DOLFINx Function; :func:`write_magnetization` and
:func:`read_magnetization` store one in an XDMF file and read it back onto any mesh.

Textures: :func:`bilayer_magnetization` (the paper's CPP bilayer), :func:`layered_magnetization`
(multilayers and pillars, interface profile ``tanh(d / l_da)``), :func:`ring_magnetization`
(the paper's square ring), :func:`domain_wall` (Bloch and Neel walls), :func:`vortex`
(vortex in a disc) and :func:`custom_texture` (a validated user callable).
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from pathlib import Path

import dolfinx.fem as fem
import dolfinx.io
import dolfinx.mesh
import numpy as np
import ufl
from mpi4py import MPI

from fem_spin.core.fields import jit_options
from fem_spin.errors import InputError

__all__ = [
    "RING_AXES",
    "bilayer_axis_right",
    "bilayer_magnetization",
    "custom_texture",
    "domain_wall",
    "layered_magnetization",
    "magnetization",
    "read_magnetization",
    "ring_magnetization",
    "vortex",
    "write_magnetization",
]

log = logging.getLogger(__name__)

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


# -- argument checks ------------------------------------------------------------------------


def _vector3(v, name: str) -> np.ndarray:
    try:
        arr = np.asarray(v, dtype=float).ravel()
    except (TypeError, ValueError):
        arr = None
    if arr is None or arr.shape != (3,) or not np.all(np.isfinite(arr)):
        raise InputError(f"{name} must be a finite 3-vector (x, y, z), got {v!r}")
    return arr


def _unit3(v, name: str) -> np.ndarray:
    arr = _vector3(v, name)
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


# -- textures -------------------------------------------------------------------------------


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
    axes_arr = np.array([_vector3(a, f"axes[{i}]") for i, a in enumerate(axes)])
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
    axes_arr = np.array([_vector3(a, f"axes[{i}]") for i, a in enumerate(axes)])
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
    c0, n = _vector3(center, "center"), _unit3(normal, "normal")
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


# -- DOLFINx Functions ----------------------------------------------------------------------


def _vector_space(target, degree: int) -> fem.FunctionSpace:
    if isinstance(target, fem.FunctionSpace):
        if tuple(target.value_shape) != (3,):
            raise InputError(f"the magnetization space must have 3 components, got value "
                             f"shape {tuple(target.value_shape)}")
        return target
    if isinstance(target, dolfinx.mesh.Mesh):
        if isinstance(degree, bool) or not isinstance(degree, int) or degree < 1:
            raise InputError(f"degree must be an integer >= 1, got {degree!r}")
        return fem.functionspace(target, ("Lagrange", degree, (3,)))
    raise InputError(f"expected a DOLFINx mesh or a vector FunctionSpace, got {target!r}")


def _all_ranks(comm: MPI.Comm, action: Callable[[], None]) -> None:
    """Run a local ``action`` on every rank; if it fails anywhere, every rank raises."""
    error = None
    try:
        action()
    except Exception as e:
        error = e
    messages = [m for m in comm.allgather(None if error is None else str(error)) if m]
    if error is not None:
        raise error
    if messages:
        raise InputError(f"on another rank: {messages[0]}")


def _interpolate_nonmatching(u_to: fem.Function, u_from: fem.Function, padding: float,
                             source: str) -> None:
    """``u_to`` <- ``u_from`` living on another mesh (every point of ``u_to``'s mesh must lie
    in ``u_from``'s, within ``padding`` nm)."""
    mesh = u_to.function_space.mesh
    imap = mesh.topology.index_map(mesh.topology.dim)
    cells = np.arange(imap.size_local + imap.num_ghosts, dtype=np.int32)
    data = fem.create_interpolation_data(u_to.function_space, u_from.function_space, cells,
                                         padding)
    missing = mesh.comm.allreduce(int(np.count_nonzero(np.asarray(data.src_owner) < 0)))
    if missing:
        raise InputError(f"{missing} interpolation points of the target mesh lie outside the "
                         f"mesh of {source} (padding {padding} nm): the target must lie inside "
                         "it")
    u_to.interpolate_nonmatching(u_from, cells, data)
    u_to.x.scatter_forward()


def magnetization(target, texture, degree: int = 1, name: str = "M", *,
                  padding: float = 1e-8) -> fem.Function:
    """The magnetization as a DOLFINx Function in a vector Lagrange space.

    Args:
        target: a mesh (the space is ``("Lagrange", degree, (3,))``) or a vector FunctionSpace.
        texture: a callable ``x -> (3, N)`` (checked as :func:`custom_texture`), a UFL
            3-vector expression, a constant 3-vector, or a Function (on this mesh, or on
            another mesh that contains this one: non-matching interpolation).
        degree: Lagrange degree when ``target`` is a mesh.
        name: name of the Function (in output files).
        padding: tolerance (nm) of the point search for a Function on another mesh.
    """
    V = _vector_space(target, degree)
    mesh = V.mesh
    M = fem.Function(V, name=name)
    if isinstance(texture, fem.Function):
        if tuple(texture.function_space.value_shape) != (3,):
            raise InputError(f"the magnetization Function must have 3 components, got value "
                             f"shape {tuple(texture.function_space.value_shape)}")
        if texture.function_space.mesh is mesh:
            M.interpolate(texture)
            M.x.scatter_forward()
        else:
            _interpolate_nonmatching(M, texture, padding, f"the Function {texture.name!r}")
        return M
    if isinstance(texture, ufl.core.expr.Expr):
        if ufl.shape(texture) != (3,):
            raise InputError(f"the magnetization must be a 3-vector, got UFL shape "
                             f"{ufl.shape(texture)}")
        M.interpolate(fem.Expression(texture, V.element.interpolation_points,
                                     jit_options=jit_options()))
        M.x.scatter_forward()
        return M
    if callable(texture):
        checked = custom_texture(texture)
        _all_ranks(mesh.comm, lambda: M.interpolate(checked))
        M.x.scatter_forward()
        return M
    value = _vector3(texture, "the magnetization (a constant)")
    M.x.array[:] = np.tile(value, len(M.x.array) // 3)
    return M


def write_magnetization(path: str | Path, M: fem.Function, *, name: str | None = None,
                        t: float = 0.0) -> Path:
    """Write M (interpolated into P1 if needed) and its mesh to the XDMF file ``path``
    (``*.xdmf`` with the data in ``*.h5`` beside it), for :func:`read_magnetization`.

    The mesh must be linear (geometry degree 1). Collective on M's communicator.

    Returns:
        ``path``.
    """
    path = Path(path)
    if not isinstance(M, fem.Function) or tuple(M.function_space.value_shape) != (3,):
        raise InputError(f"write_magnetization needs a DOLFINx Function with 3 components, "
                         f"got {M!r}")
    if path.suffix != ".xdmf":
        raise InputError(f"the magnetization file must end in .xdmf, got {path}")
    mesh = M.function_space.mesh
    if mesh.geometry.cmaps[0].degree != 1:
        raise InputError("write_magnetization needs a linear mesh (geometry degree 1); "
                         f"this one has degree {mesh.geometry.cmaps[0].degree}")
    V1 = fem.functionspace(mesh, ("Lagrange", 1, (3,)))
    u = fem.Function(V1, name=name or M.name)
    u.interpolate(M)
    u.x.scatter_forward()
    comm = mesh.comm
    error = None
    if comm.rank == 0:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            error = f"{type(e).__name__}: {e}"
    error = comm.bcast(error, root=0)
    if error is not None:
        raise InputError(f"cannot create the folder of {path}: {error}")
    with dolfinx.io.XDMFFile(comm, str(path), "w") as f:
        f.write_mesh(mesh)
        f.write_function(u, t)
    log.info("magnetization %r written to %s", u.name, path)
    return path


def _locate_function(path: Path, name: str, t: float | None) -> tuple[str, str, Path, str]:
    """From the XDMF file: (mesh name, geometry dataset, h5 file, function dataset)."""
    if not path.is_file():
        raise InputError(f"magnetization file {path} does not exist")
    try:
        domain = ET.parse(path).getroot().find("Domain")
    except ET.ParseError as e:
        raise InputError(f"{path} is not a readable XDMF file: {e}") from None
    grids = [] if domain is None else domain.findall("Grid")
    meshes = [g for g in grids if g.get("GridType") == "Uniform"]
    if not meshes:
        raise InputError(f"{path} holds no mesh (write it with write_magnetization)")
    mesh_name = meshes[0].get("Name")
    geometry_item = meshes[0].find("Geometry/DataItem")
    series = [g for g in grids if g.get("GridType") == "Collection" and g.get("Name") == name]
    available = sorted({g.get("Name") for g in grids if g.get("GridType") == "Collection"})
    if not series:
        raise InputError(f"{path} has no function named {name!r}; it has {available}")
    steps = []
    for g in series[0].findall("Grid"):
        time, attr = g.find("Time"), g.find("Attribute")
        if time is None or attr is None or attr.find("DataItem") is None:
            continue
        steps.append((float(time.get("Value")), attr.get("Center"), attr.find("DataItem").text))
    if not steps:
        raise InputError(f"{path}: the function {name!r} has no stored values")
    if t is None:
        step = steps[-1]
    else:
        matches = [s for s in steps if np.isclose(s[0], t, rtol=1e-12, atol=1e-14)]
        if not matches:
            raise InputError(f"{path}: the function {name!r} has no values at t = {t}; stored "
                             f"times: {[s[0] for s in steps]}")
        step = matches[-1]
    if step[1] != "Node":
        raise InputError(f"{path}: the function {name!r} is not a nodal (P1) field (Center="
                         f"{step[1]!r}); write it with write_magnetization")
    h5_file, dataset = step[2].strip().split(":", 1)
    geometry = geometry_item.text.strip().split(":", 1)[1] if geometry_item is not None else ""
    return mesh_name, geometry, path.parent / h5_file, dataset


def read_magnetization(path: str | Path, target, *, name: str = "M", degree: int = 1,
                       t: float | None = None, padding: float = 1e-8) -> fem.Function:
    """Read a magnetization written by :func:`write_magnetization` (or any P1 vector Function
    written with ``dolfinx.io.XDMFFile`` on a linear mesh) onto ``target``.

    The file's mesh is read with ``XDMFFile.read_mesh``; the nodal values are read with h5py
    (every rank reads the whole dataset) and placed with ``mesh.geometry.input_global_indices``
    into a P1 Function on that mesh (P1 dofs and geometry nodes of a linear mesh coincide
    cell by cell); this is then interpolated onto ``target`` (non-matching interpolation: the
    target mesh may differ from the file's and be distributed differently). On the file's
    own mesh with a P1 target the values are reproduced exactly.

    Args:
        path: the ``.xdmf`` file.
        target: a mesh (space ``("Lagrange", degree, (3,))``) or a vector FunctionSpace; it
            must lie inside the file's mesh (within ``padding`` nm).
        name: name of the function in the file.
        degree: Lagrange degree when ``target`` is a mesh.
        t: time of the stored step (default: the last one written).
        padding: tolerance (nm) of the point search.

    Returns:
        The Function (named ``name``) on ``target``.
    """
    import h5py

    V = _vector_space(target, degree)
    comm = V.mesh.comm
    path = Path(path)
    located, error = None, None
    if comm.rank == 0:
        try:
            located = _locate_function(path, name, t)
            if not located[2].is_file():
                raise InputError(f"{path} refers to the data file {located[2]}, which does not "
                                 "exist")
        except InputError as e:
            error = str(e)
    located, error = comm.bcast((located, error), root=0)
    if error is not None:
        raise InputError(error)
    mesh_name, geometry_set, h5_path, dataset = located

    with dolfinx.io.XDMFFile(comm, str(path), "r") as f:
        source_mesh = f.read_mesh(name=mesh_name)
    with h5py.File(h5_path, "r", locking=False) as h5:
        values = np.asarray(h5[dataset], dtype=float)
        n_nodes = h5[geometry_set].shape[0] if geometry_set in h5 else values.shape[0]
    if source_mesh.geometry.cmaps[0].degree != 1:
        raise InputError(f"{path}: the mesh is not linear (geometry degree "
                         f"{source_mesh.geometry.cmaps[0].degree}); only P1 data on linear "
                         "meshes can be read")
    if values.ndim != 2 or values.shape != (n_nodes, 3):
        raise InputError(f"{path}: {name!r} has shape {values.shape}, expected one 3-vector per "
                         f"mesh node ({n_nodes}, 3)")

    V_source = fem.functionspace(source_mesh, ("Lagrange", 1, (3,)))
    source = fem.Function(V_source, name=name)
    node_values = values[source_mesh.geometry.input_global_indices]
    nodes, dofs = source_mesh.geometry.dofmaps[0], V_source.dofmap.list
    source.x.array.reshape(-1, 3)[dofs.ravel()] = node_values[nodes.ravel()]
    source.x.scatter_forward()

    M = fem.Function(V, name=name)
    _interpolate_nonmatching(M, source, padding, f"{path}")
    log.info("magnetization %r read from %s (%d nodes)", name, path, n_nodes)
    return M
