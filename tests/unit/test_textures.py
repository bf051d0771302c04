"""Magnetization textures (fem_spin.textures): magnitudes, directions and conventions, the
DOLFINx Function helper, and the XDMF write / read-back round trip (serial and MPI)."""

import dolfinx.fem as fem
import dolfinx.mesh
import numpy as np
import pytest
import ufl

import fem_spin  # noqa: F401  (before dolfinx.io / h5py users)
from fem_spin.errors import InputError
from fem_spin.geometry.periodic import SIDES, square_ring, tilted_plane
from fem_spin.observables.sampling import l2_norm
from fem_spin.textures import (
    RING_AXES,
    bilayer_axis_right,
    bilayer_magnetization,
    custom_texture,
    domain_wall,
    layered_magnetization,
    magnetization,
    read_magnetization,
    ring_magnetization,
    vortex,
    write_magnetization,
)

Z, Y = np.array([0.0, 0.0, 1.0]), np.array([0.0, 1.0, 0.0])


def points_along(coordinate: int, values) -> np.ndarray:
    x = np.zeros((3, len(values)))
    x[coordinate] = values
    return x


def norms(M: np.ndarray) -> np.ndarray:
    return np.linalg.norm(M, axis=0)


# -- layered (multilayer / pillar) -----------------------------------------------------------


@pytest.mark.parametrize("coordinate", [0, 2])
def test_layered_magnitude_and_axes(coordinate):
    l_da = 0.6
    n_mid = bilayer_axis_right(np.pi / 2)  # -y
    tex = layered_magnetization([Z, n_mid, 0.5 * Z], [0.0, 10.0], l_da,
                                axis_coordinate=coordinate)
    d = np.array([0.0, 0.1, 0.6, 2.0])
    M = tex(points_along(coordinate, np.concatenate([-d, d, 10.0 - d, 10.0 + d])))
    profile = np.tanh(d / l_da)
    assert np.allclose(norms(M), np.concatenate([profile, profile, profile, 0.5 * profile]))
    assert norms(M)[0] == 0.0  # zero at the zero-thickness spacer
    assert np.allclose(tex(points_along(coordinate, [-20.0]))[:, 0], Z)  # saturated far away
    # directions: left of 0 along z, between along -y, beyond 10 along z (magnitude 0.5)
    M_bulk = tex(points_along(coordinate, [-5.0, 5.0, 15.0]))
    assert np.allclose(M_bulk.T, [Z, n_mid, 0.5 * Z])
    # the other coordinates do not matter
    x = points_along(coordinate, [5.0])
    x[(coordinate + 1) % 3] = 123.0
    assert np.allclose(tex(x)[:, 0], n_mid)


def test_layered_generalizes_bilayer():
    theta, l_da = np.deg2rad(135.0), 0.8
    x = points_along(0, np.linspace(-5.0, 5.0, 101))
    expected = bilayer_magnetization(theta, l_da)(x)
    got = layered_magnetization([Z, bilayer_axis_right(theta)], [0.0], l_da)(x)
    assert np.allclose(got, expected, rtol=0, atol=1e-15)


def test_layered_domain_boundary_and_widths():
    # FM | spacer (width 0.5) | FM | domain boundary (no spacer) | FM, and a non-magnetic layer
    tex = layered_magnetization([Z, Y, -Z], [0.0, 4.0], [0.5, 2.0], spacers=[True, False])
    M = tex(points_along(0, [-1.0, 3.9, 4.0, 4.1]))
    assert np.allclose(norms(M), [np.tanh(2.0), np.tanh(3.9 / 0.5), np.tanh(4.0 / 0.5),
                                  np.tanh(4.1 / 0.5)])
    assert np.allclose(M[:, 1] / norms(M)[1], Y) and np.allclose(M[:, 3] / norms(M)[3], -Z)
    assert np.allclose(M[:, 2] / norms(M)[2], -Z)  # a point on an interface: the next layer
    nm_layer = layered_magnetization([Z, (0, 0, 0), Z], [0.0, 2.0], 0.6)
    assert np.allclose(nm_layer(points_along(0, [0.5, 1.0, 1.9])), 0.0)


@pytest.mark.parametrize("kwargs", [
    {"axes": [Z, Y], "interfaces": [0.0, 1.0], "l_da": 1.0},
    {"axes": [Z, Y, Z], "interfaces": [1.0, 0.0], "l_da": 1.0},
    {"axes": [Z, Y], "interfaces": [0.0], "l_da": 0.0},
    {"axes": [Z, Y], "interfaces": [0.0], "l_da": [1.0, 2.0]},
    {"axes": [Z, (1.0, 2.0)], "interfaces": [0.0], "l_da": 1.0},
    {"axes": [Z, Y], "interfaces": [0.0], "l_da": 1.0, "axis_coordinate": 3},
    {"axes": [Z, Y], "interfaces": [0.0], "l_da": 1.0, "spacers": "yes"},
])
def test_layered_input_errors(kwargs):
    with pytest.raises(InputError):
        layered_magnetization(**kwargs)


# -- the square ring ---------------------------------------------------------------------------


def test_ring_axes_and_corners(comm):
    L, l_da = 50.0, 0.6
    e1, e2 = tilted_plane((1.0, 1.0, 2.0))
    geo = square_ring(comm, L, 20, gdim=3, e1=e1, e2=e2)
    tex = ring_magnetization(geo, L, l_da)
    s = np.array([0.0, 0.3, 0.5 * L, L - 0.3, L, 1.5 * L, 2.5 * L, 3.5 * L, 4 * L - 0.2])
    M = tex(geo.path.point(s).T)
    d = np.array([0.0, 0.3, 0.5 * L, 0.3, 0.0, 0.5 * L, 0.5 * L, 0.5 * L, 0.2])
    assert np.allclose(norms(M), np.tanh(d / l_da))
    assert np.allclose(M[:, [2, 5, 6, 7]].T, RING_AXES)  # mid-sides: z, -y, -z, +y
    assert np.allclose(M[:, 1] / norms(M)[1], Z) and np.allclose(M[:, 3] / norms(M)[3], Z)
    assert np.allclose(M[:, 8] / norms(M)[8], Y)  # just before s = 4L: side 3
    # as a Function: on the cells of side k, M is along axes[k]
    Mh = magnetization(geo.mesh, tex, degree=1)
    V0 = fem.functionspace(geo.mesh, ("DG", 0, (3,)))
    M0 = fem.Function(V0)
    M0.interpolate(Mh)
    values = M0.x.array.reshape(-1, 3)
    for k, name in enumerate(SIDES):
        cells = geo.cell_tags.find(geo.tag(name))
        dofs = V0.dofmap.list[cells, 0]
        direction = values[dofs] / np.linalg.norm(values[dofs], axis=1)[:, None]
        assert np.allclose(direction, RING_AXES[k])
    # the same texture from the arc-length callable alone
    assert np.allclose(ring_magnetization(geo.arc_length, L, l_da)(geo.path.point(s).T), M)


def test_ring_input_errors():
    with pytest.raises(InputError):
        ring_magnetization(42, 1.0, 0.5)
    with pytest.raises(InputError):
        ring_magnetization(lambda x: x[0], 1.0, 0.5, axes=[Z, Y, Z])
    with pytest.raises(InputError):
        ring_magnetization(lambda x: x[0], -1.0, 0.5)


# -- domain walls ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["bloch", "neel"])
@pytest.mark.parametrize("chirality", [1, -1])
def test_domain_wall_profile(kind, chirality):
    delta, x0 = 2.0, 3.0
    tex = domain_wall(kind, width=delta, x0=x0, chirality=chirality)
    xs = np.linspace(x0 - 30.0, x0 + 30.0, 241)
    M = tex(points_along(0, xs))
    assert np.allclose(norms(M), 1.0)
    e_rot = chirality * (Y if kind == "bloch" else np.array([1.0, 0.0, 0.0]))
    # theta(x) = 2 atan(exp((x - x0)/delta)): m = sin(theta) e_rot + cos(theta) z
    theta = np.arctan2(M.T @ e_rot, M[2])
    assert np.allclose(theta, 2 * np.arctan(np.exp((xs - x0) / delta)))
    centre = tex(points_along(0, [x0]))[:, 0]
    assert np.allclose(centre, e_rot) and abs(centre[2]) < 1e-15  # theta(x0) = pi/2, mz = 0
    assert np.allclose(M[:, 0], Z, atol=1e-5) and np.allclose(M[:, -1], -Z, atol=1e-5)
    if kind == "bloch":  # rotation in the wall plane: no component along the normal
        assert np.all(M[0] == 0.0)
    else:  # rotation in the plane of normal and easy axis: none along easy x normal
        assert np.all(M[1] == 0.0)


def test_domain_wall_general_axes():
    # wall normal z, easy axis x: Bloch rotates through x cross z = -y, Neel through z
    bloch = domain_wall("bloch", width=1.0, normal=(0, 0, 2.0), easy_axis=(1.0, 0, 0))
    neel = domain_wall("neel", width=1.0, normal=(0, 0, 2.0), easy_axis=(1.0, 0, 0))
    assert np.allclose(bloch(points_along(2, [0.0]))[:, 0], -Y)
    assert np.allclose(neel(points_along(2, [0.0]))[:, 0], Z)
    assert np.allclose(bloch(points_along(2, [-40.0]))[:, 0], [1, 0, 0])
    with pytest.raises(InputError):  # easy axis along the normal
        domain_wall("bloch", width=1.0, normal=(1, 0, 0), easy_axis=(1, 1, 0))
    with pytest.raises(InputError):
        domain_wall("twisted", width=1.0)
    with pytest.raises(InputError):
        domain_wall("neel", width=1.0, chirality=2)


# -- vortex ------------------------------------------------------------------------------------


@pytest.mark.parametrize("chirality", [1, -1])
@pytest.mark.parametrize("polarity", [1, -1])
def test_vortex(chirality, polarity):
    rc, c0 = 3.0, np.array([1.0, -2.0, 0.5])
    tex = vortex(core_radius=rc, center=c0, chirality=chirality, polarity=polarity)
    rng = np.random.default_rng(1)
    x = c0[:, None] + rng.uniform(-20.0, 20.0, (3, 200))
    M = tex(x)
    assert np.allclose(norms(M), 1.0)
    rho = x - c0[:, None]
    rho[2] = 0.0
    r = np.linalg.norm(rho, axis=0)
    assert np.allclose(M[2], polarity * np.exp(-((r / rc) ** 2)))
    assert np.allclose(np.sum(M * rho, axis=0), 0.0)  # no radial component
    curl = np.stack([-rho[1], rho[0], np.zeros_like(r)]) / r
    assert np.all(chirality * np.sum(M * curl, axis=0) > 0)  # curl sense
    # far out: in-plane chirality * (-y, x) / r
    far = tex(c0[:, None] + np.array([[20.0], [0.0], [0.0]]))[:, 0]
    assert np.allclose(far, [0.0, chirality, 0.0], atol=1e-12)
    assert np.allclose(tex(c0[:, None])[:, 0], [0.0, 0.0, polarity])  # core
    assert np.isclose(tex(c0[:, None] + [[rc], [0], [0]])[2, 0], polarity * np.exp(-1.0))


def test_vortex_tilted_axis():
    n = np.array([1.0, 1.0, 0.0]) / np.sqrt(2)
    tex = vortex(core_radius=1.0, normal=n)
    assert np.allclose(tex(np.zeros((3, 1)))[:, 0], n)
    x = np.array([[0.0], [0.0], [30.0]])  # along z, normal to n: m = n x z
    assert np.allclose(tex(x)[:, 0], np.cross(n, [0.0, 0.0, 1.0]))
    with pytest.raises(InputError):
        vortex(core_radius=0.0)


# -- Functions ---------------------------------------------------------------------------------


def test_magnetization_function_kinds(comm):
    mesh = dolfinx.mesh.create_unit_square(comm, 6, 5)
    tex = vortex(core_radius=0.2, center=(0.5, 0.5, 0.0))
    M1 = magnetization(mesh, tex, degree=2)
    assert M1.function_space.element.basix_element.degree == 2 and M1.name == "M"
    x = M1.function_space.tabulate_dof_coordinates()
    assert np.allclose(M1.x.array.reshape(-1, 3), tex(x.T).T)
    assert np.allclose(np.linalg.norm(M1.x.array.reshape(-1, 3), axis=1), 1.0)
    # UFL expression and constants
    xu = ufl.SpatialCoordinate(mesh)
    M2 = magnetization(mesh, ufl.as_vector((xu[0], xu[1], 1.0)))
    assert np.allclose(M2.x.array.reshape(-1, 3)[:, 2], 1.0)
    M3 = magnetization(M1.function_space, (0.0, 0.6, 0.8), name="M_const")
    assert np.allclose(M3.x.array.reshape(-1, 3), [0.0, 0.6, 0.8]) and M3.name == "M_const"
    # a Function on the same mesh, and on another mesh (non-matching interpolation)
    M4 = magnetization(mesh, M1, degree=1)
    assert np.allclose(M4.x.array, magnetization(mesh, tex).x.array)
    fine = dolfinx.mesh.create_unit_square(comm, 9, 7)
    M5 = magnetization(fine, M2, degree=1)  # M2 is linear: reproduced exactly
    expected = magnetization(fine, lambda p: np.stack([p[0], p[1], np.ones_like(p[0])]))
    assert np.allclose(M5.x.array, expected.x.array, atol=1e-14)


def test_magnetization_input_errors(comm):
    mesh = dolfinx.mesh.create_unit_square(comm, 3, 3)
    with pytest.raises(InputError):  # wrong shape from a callable: raised on every rank
        magnetization(mesh, lambda x: x[:2])
    with pytest.raises(InputError):
        magnetization(mesh, (1.0, 0.0))
    with pytest.raises(InputError):
        magnetization(fem.functionspace(mesh, ("Lagrange", 1)), (1.0, 0.0, 0.0))
    with pytest.raises(InputError):
        magnetization(mesh, ufl.SpatialCoordinate(mesh))
    with pytest.raises(InputError):
        magnetization("mesh", (1.0, 0.0, 0.0))


def test_custom_texture():
    tex = custom_texture(lambda x: np.stack([x[0], 2 * x[0], 0 * x[0]]), normalize=True)
    M = tex(points_along(0, [0.0, 1.0, -3.0]))
    assert np.allclose(M[:, 0], 0.0) and np.allclose(norms(M[:, 1:]), 1.0)
    assert np.allclose(M[:, 1], np.array([1.0, 2.0, 0.0]) / np.sqrt(5))
    with pytest.raises(InputError):
        custom_texture(lambda x: x[0])(np.zeros((3, 4)))
    with pytest.raises(InputError):
        custom_texture(lambda x: np.full((3, x.shape[1]), np.nan))(np.zeros((3, 4)))
    with pytest.raises(InputError):
        custom_texture("z")


# -- files -------------------------------------------------------------------------------------


def smooth_texture(x):
    return np.stack([np.sin(2 * x[0]) + x[2], np.cos(3 * x[1]), x[0] * x[1] - 0.5])


@pytest.mark.parametrize("dim", [2, 3])
def test_xdmf_round_trip(comm, shared_tmp, dim):
    if dim == 2:
        mesh = dolfinx.mesh.create_unit_square(comm, 8, 6)
        other = dolfinx.mesh.create_unit_square(comm, 13, 11, dolfinx.mesh.CellType.quadrilateral)
    else:
        mesh = dolfinx.mesh.create_unit_cube(comm, 4, 3, 5)
        other = dolfinx.mesh.create_unit_cube(comm, 5, 6, 4)
    M = magnetization(mesh, smooth_texture)
    path = write_magnetization(shared_tmp / f"m{dim}d.xdmf", M, name="M")
    assert path.exists() and path.with_suffix(".h5").exists()

    # the same mesh (read back and redistributed): the P1 field exactly (to round-off)
    back = read_magnetization(path, mesh)
    assert np.abs(back.x.array - M.x.array).max() < 1e-13
    assert back.name == "M"

    # another mesh and degree: what non-matching interpolation of M gives, and close to exact
    other_P2 = read_magnetization(path, other, degree=2)
    direct = magnetization(other, M, degree=2)
    assert np.abs(other_P2.x.array - direct.x.array).max() < 1e-12
    exact = magnetization(other, smooth_texture, degree=4)
    dx = ufl.dx(domain=other, metadata={"quadrature_degree": 8})
    error = l2_norm(comm, other_P2 - exact, dx) / l2_norm(comm, exact, dx)
    dx_src = ufl.dx(domain=mesh, metadata={"quadrature_degree": 8})
    exact_src = magnetization(mesh, smooth_texture, degree=4)
    error_src = l2_norm(comm, M - exact_src, dx_src) / l2_norm(comm, exact_src, dx_src)
    assert error < 1.5 * error_src  # the P1 interpolation error of the written field


def test_xdmf_time_steps_and_a_higher_degree_field(comm, shared_tmp):
    mesh = dolfinx.mesh.create_unit_square(comm, 4, 4)
    M2 = magnetization(mesh, lambda x: np.stack([x[0] ** 2, x[1], 1 + 0 * x[0]]), degree=2)
    path = write_magnetization(shared_tmp / "deg2.xdmf", M2, name="texture", t=2.5)
    back = read_magnetization(path, mesh, name="texture", t=2.5)
    expected = magnetization(mesh, M2, degree=1)  # written as P1 (its nodal values)
    assert np.abs(back.x.array - expected.x.array).max() < 1e-13
    with pytest.raises(InputError, match="no values at t"):
        read_magnetization(path, mesh, name="texture", t=0.0)


def test_xdmf_ring_round_trip(comm, shared_tmp):
    L = 10.0
    e1, e2 = tilted_plane((1.0, 2.0, 3.0))
    geo = square_ring(comm, L, 8, gdim=3, e1=e1, e2=e2)
    M = magnetization(geo.mesh, ring_magnetization(geo, L, 1.0))
    path = write_magnetization(shared_tmp / "ring.xdmf", M)
    assert np.abs(read_magnetization(path, geo.mesh).x.array - M.x.array).max() < 1e-13
    finer = square_ring(comm, L, 24, gdim=3, e1=e1, e2=e2)
    assert np.allclose(read_magnetization(path, finer.mesh).x.array,
                       magnetization(finer.mesh, M).x.array, atol=1e-13)


def test_xdmf_errors(comm, shared_tmp):
    mesh = dolfinx.mesh.create_unit_square(comm, 3, 3)
    with pytest.raises(InputError, match="does not exist"):
        read_magnetization(shared_tmp / "missing.xdmf", mesh)
    path = write_magnetization(shared_tmp / "e.xdmf", magnetization(mesh, Z, name="M"))
    with pytest.raises(InputError, match="no function named 'B'"):
        read_magnetization(path, mesh, name="B")
    outside = dolfinx.mesh.create_rectangle(comm, [[-0.5, 0.0], [1.0, 1.0]], [3, 3])
    with pytest.raises(InputError, match="outside"):
        read_magnetization(path, outside)
    with pytest.raises(InputError):
        write_magnetization(shared_tmp / "e.h5", magnetization(mesh, Z))
