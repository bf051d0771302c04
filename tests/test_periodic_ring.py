"""The periodic 1D ring (fem_spin.geometry.periodic): the closed-loop mesh, and S1 on it against
an exact periodic solution at the optimal L2 rate p + 1 (the tangential derivative is right).

Exact solution. Equal tau and D, uniform H = (a / tau) h (|h| = 1), and a periodic equilibrium
m_eq(s) = c0 + Re(c1 exp(i q s)), q = 2 pi K / perimeter. S1 along the loop reads
-D A^{-1} m'' + (m - m_eq) / tau + H x m = 0 with A = I + tau [H]_x, and
m / tau + H x m = A m / tau. Each Fourier mode therefore decouples: m'' = -q^2 m gives

    m = m0 + Re(m1 exp(i q s)),   A m0 = c0,   (D q^2 A^{-1} + A / tau) m1 = c1 / tau

(real matrices, so Re commutes with them). The spin components are global axes, not tied to
the tangent, so the same solution holds on the square loop despite its kinks.

Measured (serial; 2 MPI ranks give the same errors to 1e-12 relative), perimeter 400 nm,
l_sf = 50 nm (a = 0, 1) and 200 nm (a = 10), relative L2 errors on the coarsest and finest
of 4 meshes (n cells, doubled each time) and the rates:

    geometry          a   p  n       error         rates
    circle-2d         0   1  16-128  3.3e-2 5.2e-4 1.993 1.998 2.000
    circle-2d         0   2  16-128  1.3e-3 2.6e-6 2.983 2.996 2.999
    circle-2d         10  1  32-256  7.1e-3 1.1e-4 2.018 2.005 2.001
    circle-2d         10  2  32-256  1.6e-4 3.1e-7 2.996 2.999 3.000
    square-3d-tilted  1   1  16-128  3.8e-2 5.9e-4 2.006 2.002 2.000
    square-3d-tilted  1   2  16-128  2.3e-3 4.5e-6 2.982 2.996 2.999
    square-3d-tilted  10  2  32-256  2.1e-4 4.1e-7 2.995 2.999 3.000

(the tilted 3D circle gives the digits of the 2D one). P2 on the straight-celled circle:
rates 2.03, 2.01 (geometric error O(h^2)).
"""

import dolfinx.fem as fem
import dolfinx.mesh
import numpy as np
import pytest
import ufl
from exact import rates

import fem_spin as fs
from fem_spin.errors import InputError
from fem_spin.core.fields import interpolate
from fem_spin.geometry.periodic import RING, SIDES, circle_ring, square_ring, tilted_plane
from fem_spin.geometry.interval import graded_nodes
from fem_spin.observables.sampling import integrate, l2_norm

PERIMETER, D = 400.0, 1e3  # nm, nm^2/ps
K = 2  # Fourier mode of m_eq
C0 = np.array([0.2, -0.1, 0.3])
C1 = np.array([1.0 + 0.5j, -0.3 + 0.8j, 0.6 - 0.2j])
H_DIR = np.array([1.0, 2.0, 2.0]) / 3.0  # not along a spin axis: all components couple
TILT = (1.0, -2.0, 2.0)  # normal of the tilted rings' plane
CENTER = (1.0, 2.0, 3.0)
L_SF = {0: 50.0, 1: 50.0, 10: 200.0}  # nm; a = 10: transverse wavelength 2 pi l_sf / a = 126 nm
CELLS = {0: 16, 1: 16, 10: 32}  # coarsest mesh (cells on the loop; h = 25 or 12.5 nm)


def cross_matrix(h):
    return np.array([[0.0, -h[2], h[1]], [h[2], 0.0, -h[0]], [-h[1], h[0], 0.0]])


def exact_periodic(path, a: float, tau: float):
    """m(x) = m0 + Re(m1 exp(i q s(x))) (module docstring) as a callable x -> (3, N)."""
    A = np.eye(3) + a * cross_matrix(H_DIR)
    q = 2 * np.pi * K / path.perimeter
    m1 = np.linalg.solve(D * q**2 * np.linalg.inv(A) + A / tau, C1 / tau)
    m0 = np.linalg.solve(A, C0)

    def m(x):
        s = path.arc_length(x)
        return m0[:, None] + np.real(m1[:, None] * np.exp(1j * q * s)[None, :])

    return m


def ring(comm, kind: str, n: int, p: int):
    if kind == "circle-2d":
        return circle_ring(comm, n, perimeter=PERIMETER, geometry_degree=p)
    if kind == "circle-3d-tilted":
        return circle_ring(comm, n, perimeter=PERIMETER, gdim=3, normal=TILT, center=CENTER,
                           geometry_degree=p)
    e1, e2 = tilted_plane(TILT)
    return square_ring(comm, PERIMETER / 4, n // 4, gdim=3, e1=e1, e2=e2, center=CENTER)


def relative_error(geo, a: float, p: int) -> float:
    comm = geo.mesh.comm
    tau = L_SF[a] ** 2 / D
    s, q = geo.arc_length_ufl(), 2 * np.pi * K / geo.perimeter
    m_eq = ufl.as_vector([C0[k] + C1[k].real * ufl.cos(q * s) - C1[k].imag * ufl.sin(q * s)
                          for k in range(3)])
    problem = fs.SteadySpinDiffusion(geo.mesh, fs.Material(D=D, tau=tau),
                                     B=tuple(a / tau * H_DIR), m_eq=m_eq, degree=p)
    info = problem.solve()  # no Dirichlet data: the loop has no boundary
    assert info.newton_iterations == 1
    exact = interpolate(exact_periodic(geo.path, a, tau),
                        fem.functionspace(geo.mesh, ("Lagrange", p + 3, (3,))))
    dx = ufl.dx(domain=geo.mesh, metadata={"quadrature_degree": 2 * p + 6})
    return l2_norm(comm, problem.m - exact, dx) / l2_norm(comm, exact, dx)


@pytest.mark.parametrize("kind", ["circle-2d", "circle-3d-tilted", "square-3d-tilted"])
@pytest.mark.parametrize("a", [0, 1, 10])
@pytest.mark.parametrize("p", [1, 2])
def test_periodic_exact_rates(comm, kind, a, p):
    """P1 and P2 (on curved P2 cells for the circle) converge at rate p + 1."""
    ns = CELLS[a] * 2 ** np.arange(4)
    errors = [relative_error(ring(comm, kind, int(n), p), a, p) for n in ns]
    observed = rates(PERIMETER / ns, errors)
    assert np.all(np.abs(observed - (p + 1)) < 0.1), (kind, a, p, errors, observed)
    assert errors[-1] < 1e-3


def test_polygon_limits_p2(comm):
    """On the straight-celled circle (geometry degree 1) the O(h^2) geometric error caps P2 at
    rate 2: why circle_ring offers geometry_degree=2."""
    errors = [relative_error(circle_ring(comm, n, perimeter=PERIMETER), 1, 2) for n in (32, 64)]
    assert abs(rates([2.0, 1.0], errors)[0] - 2.0) < 0.1, errors


def test_square_ring_geometry(comm):
    L = 7.0
    geo = square_ring(comm, L, 5)
    mesh = geo.mesh
    assert geo.facet_tags is None and geo.tags == {name: i + 1 for i, name in enumerate(SIDES)}
    assert geo.perimeter == pytest.approx(4 * L) and geo.stats["perimeter"] == 4 * L
    # a closed loop: as many vertices as cells (valid under MPI, unlike exterior facets)
    assert mesh.topology.index_map(0).size_global == mesh.topology.index_map(1).size_global == 20
    dx = ufl.Measure("dx", domain=mesh, subdomain_data=geo.cell_tags)
    for name in SIDES:
        assert integrate(comm, 1.0 * dx(geo.tag(name))) == pytest.approx(L)
    # the corners are nodes, at (L/2, -L/2), (L/2, L/2), ... counter-clockwise
    x = mesh.geometry.x
    corners = geo.path.point(geo.path.corners)
    assert np.allclose(corners[:, :2], [[3.5, -3.5], [3.5, 3.5], [-3.5, 3.5], [-3.5, -3.5]])
    found = comm.allreduce(sum(np.any(np.all(np.isclose(x, c), axis=1)) for c in corners))
    assert found >= 4
    # numpy arc length of the nodes: point(s(x)) = x; the UFL one integrates exactly
    assert np.allclose(geo.path.point(geo.arc_length(x.T)), x)
    assert integrate(comm, geo.arc_length_ufl() * dx) == pytest.approx((4 * L) ** 2 / 2)
    for k, name in enumerate(SIDES):  # s on side k runs over [kL, (k+1)L]
        mean_s = integrate(comm, geo.arc_length_ufl() * dx(geo.tag(name))) / L
        assert mean_s == pytest.approx((k + 0.5) * L)
    # side 0 runs along +y in the default plane
    assert np.allclose(geo.path.point([0.5 * L])[0], [L / 2, 0.0, 0.0])
    assert np.array_equal(geo.path.side(np.array([0.0, L, 2.5 * L, 4 * L - 1e-9])), [0, 1, 2, 3])


def test_graded_tilted_square(comm):
    L = 20.0
    nodes = graded_nodes(0.0, L, 2.0, [(0.0, 0.1), (L, 0.1)])
    e1, e2 = tilted_plane((0.0, 1.0, 1.0))
    geo = square_ring(comm, L, nodes, gdim=3, e1=e1, e2=e2, center=(5.0, 0.0, 0.0))
    n_cells = 4 * (len(nodes) - 1)
    assert geo.mesh.topology.index_map(1).size_global == n_cells
    assert geo.stats["h_min"] == pytest.approx(np.diff(nodes).min())
    x = geo.mesh.geometry.x
    normal = np.cross(e1, e2)
    assert np.allclose((x - [5.0, 0.0, 0.0]) @ normal, 0.0)  # in the tilted plane
    assert np.allclose(normal, np.array([0.0, 1.0, 1.0]) / np.sqrt(2))
    dx = ufl.Measure("dx", domain=geo.mesh)
    assert integrate(comm, 1.0 * dx) == pytest.approx(4 * L)


@pytest.mark.parametrize("degree", [1, 2])
def test_circle_ring_geometry(comm, degree):
    R = 3.0
    geo = circle_ring(comm, 24, radius=R, gdim=3, normal=(0.0, 0.0, -1.0), geometry_degree=degree)
    assert geo.tags == {RING: 1} and geo.facet_tags is None
    assert geo.perimeter == pytest.approx(2 * np.pi * R)
    length = integrate(comm, 1.0 * ufl.dx(domain=geo.mesh))
    polygon = 24 * 2 * R * np.sin(np.pi / 24)
    if degree == 1:
        assert length == pytest.approx(polygon)
    else:  # curved cells: much closer to 2 pi R than the polygon
        assert abs(length - 2 * np.pi * R) < 0.01 * abs(polygon - 2 * np.pi * R)
    x = geo.mesh.geometry.x
    assert np.allclose(np.linalg.norm(x, axis=1), R)
    assert np.allclose(geo.path.point(geo.arc_length(x.T)), x)
    # normal -z: counter-clockwise seen from -z, so s grows clockwise in the xy plane
    p = geo.path.point([0.0, 0.25 * geo.perimeter])
    assert np.cross(p[0], p[1]) @ [0.0, 0.0, -1.0] > 0


@pytest.mark.serial  # exterior_facet_indices is unreliable on the ring under MPI (measured)
def test_ring_has_no_boundary(comm):
    for geo in (circle_ring(comm, 10, radius=1.0), square_ring(comm, 1.0, 3)):
        geo.mesh.topology.create_connectivity(0, 1)
        assert len(dolfinx.mesh.exterior_facet_indices(geo.mesh.topology)) == 0


@pytest.mark.parametrize("call", [
    lambda c: circle_ring(c, 10),
    lambda c: circle_ring(c, 10, radius=1.0, perimeter=6.0),
    lambda c: circle_ring(c, 2, radius=1.0),
    lambda c: circle_ring(c, 10, radius=-1.0),
    lambda c: circle_ring(c, 10, radius=1.0, geometry_degree=3),
    lambda c: circle_ring(c, 10, radius=1.0, gdim=2, normal=(1.0, 0.0, 1.0)),
    lambda c: square_ring(c, 1.0, 0),
    lambda c: square_ring(c, 1.0, [0.0, 0.5, 0.9]),
    lambda c: square_ring(c, 1.0, 4, gdim=4),
    lambda c: square_ring(c, 1.0, 4, e1=(1.0, 0.0, 0.0), e2=(2.0, 0.0, 0.0)),
])
def test_ring_input_errors(comm, call):
    with pytest.raises(InputError):
        call(comm)
