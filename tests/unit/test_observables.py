"""Observables: global integrals, line samples, spin current and s-d torque.

Every value is checked against an exact number, and for being the same on every rank.
"""

import dolfinx.fem as fem
import dolfinx.mesh
import numpy as np
import pytest
import ufl

import fem_spin as fs
from fem_spin.core.fields import interpolate
from fem_spin.geometry.interval import layered_interval
from fem_spin.observables.sampling import integrate, l2_norm, sample_line

# facet tags of the unit square/cube: the sides x = 0, x = 1, y = 0, y = 1, z = 0, z = 1
SIDES = {1: (0, 0.0), 2: (0, 1.0), 3: (1, 0.0), 4: (1, 1.0), 5: (2, 0.0), 6: (2, 1.0)}
LEFT_HALF, RIGHT_HALF = 1, 2  # cell tags: x < 1/2, x > 1/2


def unit_box(comm, dim: int, n: int):
    """Unit square/cube with cell tags (left/right half) and facet tags (SIDES)."""
    if dim == 2:
        mesh = dolfinx.mesh.create_unit_square(comm, n, n)
    else:
        mesh = dolfinx.mesh.create_unit_cube(comm, n, n, n)
    tdim = mesh.topology.dim
    imap = mesh.topology.index_map(tdim)
    cells = np.arange(imap.size_local + imap.num_ghosts, dtype=np.int32)
    mid = dolfinx.mesh.compute_midpoints(mesh, tdim, cells)[:, 0]
    cell_tags = dolfinx.mesh.meshtags(
        mesh, tdim, cells, np.where(mid < 0.5, LEFT_HALF, RIGHT_HALF).astype(np.int32)
    )
    facets, values = [], []
    for tag, (axis, x) in SIDES.items():
        if axis < dim:
            found = dolfinx.mesh.locate_entities_boundary(
                mesh, tdim - 1, lambda p, a=axis, x=x: np.isclose(p[a], x)
            )
            facets.append(found)
            values.append(np.full(len(found), tag, dtype=np.int32))
    facets, values = np.concatenate(facets), np.concatenate(values)
    order = np.argsort(facets)
    facet_tags = dolfinx.mesh.meshtags(mesh, tdim - 1, facets[order], values[order])
    return mesh, cell_tags, facet_tags


def assert_same_on_all_ranks(comm, value):
    values = comm.allgather(np.asarray(value))
    for v in values[1:]:
        np.testing.assert_array_equal(v, values[0])


# -- (a) integrate ---------------------------------------------------------------------------


@pytest.mark.parametrize("dim", [2, 3])
def test_integrate_volumes_regions_and_boundaries(comm, dim):
    mesh, cell_tags, facet_tags = unit_box(comm, dim, 4)
    dx = ufl.Measure("dx", domain=mesh, subdomain_data=cell_tags)
    ds = ufl.Measure("ds", domain=mesh, subdomain_data=facet_tags)
    one = fem.Constant(mesh, 1.0)
    x = ufl.SpatialCoordinate(mesh)
    expected = {
        "volume": (one * dx, 1.0),
        "left half": (one * dx(LEFT_HALF), 0.5),
        "right half": (one * dx(RIGHT_HALF), 0.5),
        # the tags select the right cells, not just the right amount: int_{x<1/2} x = 1/8
        "x on left half": (x[0] * dx(LEFT_HALF), 0.125),
        "x on right half": (x[0] * dx(RIGHT_HALF), 0.375),
        "boundary": (one * ds, 2.0 * dim),
        "y^2 on x = 1": (x[1] ** 2 * ds(2), 1 / 3),
    }
    for tag in range(1, 2 * dim + 1):
        expected[f"side {tag}"] = (one * ds(tag), 1.0)
    for name, (form, exact) in expected.items():
        value = integrate(comm, form)
        assert_same_on_all_ranks(comm, value)
        assert np.isclose(value, exact, rtol=1e-12, atol=1e-14), (name, value, exact)


@pytest.mark.parametrize("dim", [2, 3])
def test_integrate_vector_and_tensor_integrands(comm, dim):
    mesh, cell_tags, facet_tags = unit_box(comm, dim, 2)
    dx = ufl.Measure("dx", domain=mesh, subdomain_data=cell_tags)
    ds = ufl.Measure("ds", domain=mesh, subdomain_data=facet_tags)
    x, n = ufl.SpatialCoordinate(mesh), ufl.FacetNormal(mesh)

    centroid = integrate(comm, (x, dx))
    assert centroid.shape == (dim,)
    np.testing.assert_allclose(centroid, np.full(dim, 0.5), rtol=1e-12)

    left = integrate(comm, (x, dx(LEFT_HALF)))  # x in [0, 1/2]: (1/8, 1/4, 1/4)
    np.testing.assert_allclose(left, [0.125] + [0.25] * (dim - 1), rtol=1e-12)

    second = integrate(comm, (ufl.outer(x, x), dx))  # int x_i x_j = 1/3 (i = j), 1/4 (i != j)
    assert second.shape == (dim, dim)
    np.testing.assert_allclose(second, np.full((dim, dim), 0.25) + np.eye(dim) / 12, rtol=1e-12)

    # divergence theorem: int_boundary n = 0, int_boundary x n^T = volume * I
    np.testing.assert_allclose(integrate(comm, (n, ds)), np.zeros(dim), atol=1e-14)
    np.testing.assert_allclose(integrate(comm, (ufl.outer(x, n), ds)), np.eye(dim), atol=1e-13)
    # one side only: x = 1 has n = e_x
    np.testing.assert_allclose(integrate(comm, (n, ds(2))), np.eye(dim)[0], atol=1e-14)

    for value in (centroid, left, second):
        assert_same_on_all_ranks(comm, value)


def test_l2_norm(comm):
    mesh, _, _ = unit_box(comm, 2, 4)
    x = ufl.SpatialCoordinate(mesh)
    dx = ufl.dx(domain=mesh)
    # |(x, y)|^2 integrates to 2/3
    value = l2_norm(comm, ufl.as_vector((x[0], x[1])), dx)
    assert_same_on_all_ranks(comm, value)
    assert np.isclose(value, np.sqrt(2 / 3), rtol=1e-12)


# -- (b) sample_line -------------------------------------------------------------------------


def quadratic_2d(x):
    return np.stack([x[0] ** 2 - x[1], 2 * x[0] * x[1] + 1, x[1] ** 2])


def linear_3d(x):
    return np.stack([x[0] + 2 * x[1] - x[2], 3 * x[2] - x[0], 1 + x[1]])


def check_line_samples(comm, u, exact, p0, p1, n, inside):
    s, points, values = sample_line(u, p0, p1, n)
    for a in (s, points, values):
        assert_same_on_all_ranks(comm, a)
    assert points.shape == (n, 3) and values.shape[0] == n
    np.testing.assert_allclose(points[0, : len(p0)], p0, atol=1e-15)
    np.testing.assert_allclose(points[-1, : len(p1)], p1, atol=1e-15)
    np.testing.assert_allclose(s, np.linspace(0, np.linalg.norm(np.subtract(p1, p0)), n))
    mask = inside(points)
    assert mask.any() and (~mask).any()
    assert np.all(np.isnan(values[~mask]))
    expected = exact(points[mask].T).T.reshape(np.count_nonzero(mask), -1)
    np.testing.assert_allclose(values[mask], expected, rtol=0, atol=1e-12)


def in_unit_box(dim):
    def inside(p):
        return np.all((p[:, :dim] >= -1e-14) & (p[:, :dim] <= 1 + 1e-14), axis=1)

    return inside


def test_sample_line_2d_quadratic_exact(comm):
    mesh = dolfinx.mesh.create_unit_square(comm, 5, 5)
    u = interpolate(quadratic_2d, fem.functionspace(mesh, ("Lagrange", 2, (3,))))
    # the segment leaves the square on both sides; x = 0 and x = 1 are sample points
    check_line_samples(comm, u, quadratic_2d, (-0.25, 0.3), (1.25, 0.7), 13, in_unit_box(2))
    # along an edge and through a vertex
    check_line_samples(comm, u, quadratic_2d, (0.0, -0.5), (0.0, 1.5), 9, in_unit_box(2))


def test_sample_line_2d_scalar_and_tensor(comm):
    mesh = dolfinx.mesh.create_unit_square(comm, 4, 3)
    scalar = interpolate(lambda x: x[0] * x[1] + x[1] ** 2, fem.functionspace(mesh, ("P", 2)))
    check_line_samples(comm, scalar, lambda x: x[0] * x[1] + x[1] ** 2,
                       (0.1, -0.2), (0.8, 1.3), 11, in_unit_box(2))

    def tensor(x):  # a (3, 2) tensor, row-major
        return np.stack([x[0], 2 * x[1], x[0] + x[1], -x[0], 1 + 0 * x[0], x[1] - x[0]])

    T = interpolate(tensor, fem.functionspace(mesh, ("DG", 1, (3, 2))))
    _, _, values = sample_line(T, (0.05, 0.5), (1.5, 0.5), 7)
    assert values.shape == (7, 6)
    check_line_samples(comm, T, tensor, (0.05, 0.5), (1.5, 0.5), 7, in_unit_box(2))


def test_sample_line_3d_linear_exact(comm):
    mesh = dolfinx.mesh.create_unit_cube(comm, 3, 3, 3)
    u = interpolate(linear_3d, fem.functionspace(mesh, ("Lagrange", 1, (3,))))
    check_line_samples(comm, u, linear_3d, (0.1, -0.2, 0.3), (0.9, 1.2, 0.6), 15, in_unit_box(3))
    check_line_samples(comm, u, linear_3d, (-1, -1, -1), (2, 2, 2), 31, in_unit_box(3))


def test_sample_line_outside_everywhere(comm):
    mesh = dolfinx.mesh.create_unit_square(comm, 2, 2)
    u = interpolate(quadratic_2d, fem.functionspace(mesh, ("Lagrange", 1, (3,))))
    _, _, values = sample_line(u, (2.0, 2.0), (3.0, 2.0), 4)
    assert values.shape == (4, 3) and np.all(np.isnan(values))


def test_sample_line_rejects_bad_arguments(comm):
    mesh = dolfinx.mesh.create_unit_square(comm, 2, 2)
    u = fem.Function(fem.functionspace(mesh, ("Lagrange", 1)))
    with pytest.raises(fs.InputError, match="n >= 1"):
        sample_line(u, (0, 0), (1, 1), 0)
    with pytest.raises(fs.InputError, match="two points"):
        sample_line(u, (0, 0), (1, 1, 0), 3)


# -- (c) spin current ------------------------------------------------------------------------

D, TAU = 1e3, 10.0  # nm^2/ps, ps: l_sf = 100 nm
M_LEFT, M_RIGHT = np.array([0.3, -0.5, 1.0]), np.array([1.0, 0.2, -0.4])


def dt_1d(a):
    """Closed-form Dt for H = (a/tau) z, equal tau and D (shared/physics.md, 1D reduction)."""
    return D / (1 + a**2) * np.array([[1, a, 0], [-a, 1, 0], [0, 0, 1 + a**2]])


def dt_closed_form(h, D):
    """D (I - [h]_x + h h^T) / (1 + |h|^2) with h = tau H."""
    cross = np.array([[0, -h[2], h[1]], [h[2], 0, -h[0]], [-h[1], h[0], 0]])
    return D * (np.eye(3) - cross + np.outer(h, h)) / (1 + h @ h)


@pytest.mark.parametrize("degree", [1, 2])
@pytest.mark.parametrize("a", [0.0, 2.0, 30.0])
def test_spin_current_1d_uniform_field(comm, a, degree):
    """int J dx = -Dt (m(L) - m(0)) exactly: Dt is constant and m(0), m(L) are the data."""
    length = 100.0
    geo = layered_interval(comm, np.linspace(0.0, length, 33), [("bulk", length)])
    problem = fs.SteadySpinDiffusion(
        geo.mesh, fs.Material(D=D, tau=TAU), facet_tags=geo.facet_tags,
        H_ext=(0.0, 0.0, a / TAU), degree=degree,
        dirichlet=[fs.Dirichlet(geo.tags["left"], M_LEFT),
                   fs.Dirichlet(geo.tags["right"], M_RIGHT)],
    )
    problem.solve()
    J = integrate(comm, (problem.spin_current, problem.dx))
    assert_same_on_all_ranks(comm, J)
    assert J.shape == (3, 1)
    expected = -dt_1d(a) @ (M_RIGHT - M_LEFT)
    np.testing.assert_allclose(J[:, 0], expected, rtol=1e-10, atol=1e-10 * D)
    # the z row does not see the field: Dzz = D
    assert np.isclose(J[2, 0], -D * (M_RIGHT[2] - M_LEFT[2]), rtol=1e-10)


def test_spin_current_2d_uniform_field(comm):
    """int J^{kj} dx = -Dt^{kp} int_boundary m^p n_j ds for a constant Dt (any field
    direction); the x column is known from the Dirichlet data on x = 0 and x = 1."""
    mesh, _, facet_tags = unit_box(comm, 2, 8)
    tau, Dc = 1.0, 1.0  # l_sf = 1 = size of the square
    H = 3.0 * np.array([1.0, 2.0, 2.0]) / 3.0  # |tau H| = 3
    problem = fs.SteadySpinDiffusion(
        mesh, fs.Material(D=Dc, tau=tau), facet_tags=facet_tags, H_ext=H,
        dirichlet=[fs.Dirichlet(1, M_LEFT), fs.Dirichlet(2, M_RIGHT)],
    )
    problem.solve()
    J = integrate(comm, (problem.spin_current, problem.dx))
    assert_same_on_all_ranks(comm, J)
    Dt = dt_closed_form(tau * H, Dc)
    n = ufl.FacetNormal(mesh)
    boundary = integrate(comm, (ufl.outer(problem.m, n), problem.ds))
    np.testing.assert_allclose(boundary[:, 0], M_RIGHT - M_LEFT, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(J, -Dt @ boundary, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(J[:, 0], -Dt @ (M_RIGHT - M_LEFT), rtol=1e-10, atol=1e-12)


# -- (d) s-d torque --------------------------------------------------------------------------


def test_torque_uniform_magnetization(comm):
    """Uniform M: int lambda M x m = lambda M x int m, and int m from the nodal samples by the
    trapezoidal rule (exact for P1)."""
    length, cells = 100.0, 40
    geo = layered_interval(comm, np.linspace(0.0, length, cells + 1), [("bulk", length)])
    M, lam = np.array([0.0, 0.6, 0.8]), 0.5
    problem = fs.SteadySpinDiffusion(
        geo.mesh, fs.Material(D=D, tau=TAU, lam=lam, m0=0.3), facet_tags=geo.facet_tags,
        M=M, H_ext=(0.2, 0.0, 0.0),
        dirichlet=[fs.Dirichlet(geo.tags["left"], M_LEFT),
                   fs.Dirichlet(geo.tags["right"], M_RIGHT)],
    )
    problem.solve()
    torque = integrate(comm, (problem.torque_density, problem.dx))
    assert_same_on_all_ranks(comm, torque)
    m_total = integrate(comm, (problem.m, problem.dx))
    np.testing.assert_allclose(torque, lam * np.cross(M, m_total), rtol=1e-12, atol=1e-12)

    s, _, m = sample_line(problem.m, (0.0,), (length,), cells + 1)
    assert not np.isnan(m).any()
    trapezoid = np.sum(0.5 * (m[1:] + m[:-1]) * np.diff(s)[:, None], axis=0)
    np.testing.assert_allclose(torque, lam * np.cross(M, trapezoid), rtol=1e-10, atol=1e-10)
    assert np.linalg.norm(torque) > 1.0  # not a trivially zero check


def test_torque_nonuniform_magnetization_two_regions(comm):
    """Linear M (P1) and m (P1): lambda M x m is quadratic on each cell, so Simpson's rule on
    samples at the nodes and midpoints is exact; regions with different lambda via dx(tag)."""
    length, cells, split = 100.0, 50, 40.0
    geo = layered_interval(comm, np.linspace(0.0, length, cells + 1),
                           [("a", split), ("b", length)])
    lam = {1: 0.5, 2: 2.0}
    materials = {tag: fs.Material(D=D, tau=TAU, lam=lam[tag], m0=0.2) for tag in (1, 2)}

    def M_exact(x):
        return np.stack([x[0] / length, 0.5 + 0 * x[0], 1.0 - x[0] / length])

    M = interpolate(M_exact, fem.functionspace(geo.mesh, ("Lagrange", 1, (3,))))
    problem = fs.SteadySpinDiffusion(
        geo.mesh, materials, cell_tags=geo.cell_tags, facet_tags=geo.facet_tags, M=M,
        dirichlet=[fs.Dirichlet(geo.tags["left"], M_LEFT),
                   fs.Dirichlet(geo.tags["right"], M_RIGHT)],
    )
    problem.solve()

    n = 2 * cells + 1  # nodes and midpoints
    s, points, m = sample_line(problem.m, (0.0,), (length,), n)
    _, _, M_s = sample_line(M, (0.0,), (length,), n)
    np.testing.assert_allclose(M_s, M_exact(points.T).T, atol=1e-14)
    i_split = round(split / length * (n - 1))  # x = 40 is a node

    def simpson(f, s):
        h = s[2::2] - s[:-2:2]
        return np.sum(h[:, None] / 6 * (f[:-2:2] + 4 * f[1:-1:2] + f[2::2]), axis=0)

    for tag, sl in ((1, slice(0, i_split + 1)), (2, slice(i_split, n))):
        torque = integrate(comm, (problem.torque_density, problem.dx(tag)))
        assert_same_on_all_ranks(comm, torque)
        expected = lam[tag] * simpson(np.cross(M_s[sl], m[sl]), s[sl])
        np.testing.assert_allclose(torque, expected, rtol=1e-10, atol=1e-12)
        assert np.linalg.norm(expected) > 1.0

    total = integrate(comm, (problem.torque_density, problem.dx))
    parts = sum(integrate(comm, (problem.torque_density, problem.dx(t))) for t in (1, 2))
    np.testing.assert_allclose(total, parts, rtol=1e-12, atol=1e-12)


def test_torque_without_magnetization_is_zero(comm):
    mesh = dolfinx.mesh.create_unit_square(comm, 2, 2)
    problem = fs.SteadySpinDiffusion(mesh, fs.Material(D=1.0, tau=1.0))
    torque = integrate(comm, (problem.torque_density, problem.dx))
    np.testing.assert_array_equal(torque, np.zeros(3))
