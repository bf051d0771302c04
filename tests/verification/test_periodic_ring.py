"""S1 on the periodic 1D rings (fem_spin.geometry.periodic) against an exact periodic solution
at the optimal L2 rate p + 1 (the tangential derivative is right). (The ring meshes themselves:
tests/unit/test_geometry_rings.py.)

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
import numpy as np
import pytest
import ufl

import fem_spin as fs
from fem_spin.core.fields import interpolate
from fem_spin.geometry.periodic import circle_ring, square_ring, tilted_plane
from fem_spin.observables.sampling import l2_norm
from tests.helpers.exact import rates

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
                                     H_ext=tuple(a / tau * H_DIR), m_eq=m_eq, degree=p)
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
