"""The transverse relaxation time tau_A (the time in A(H), Eq. 73) apart from tau_sf.

With equal D and tau and a uniform field H = H z, the transverse accumulation m_+ = m_x + i m_y
of S1 obeys m_+'' = k^2 m_+ with k^2 = (1 + i tau_A H)(1/tau + i H) / D
(fem_spin.physics.scales.transverse_wavenumber); on [0, L] with m(0) = x, m(L) = 0 it is
m_+ = sinh(k (L - x)) / sinh(k L), and m_z = 0. For tau_A -> 0, k tends to the
Zhang-Levy-Fert wavenumber k^2 = 1/l_sf^2 + i/l_J^2, l_J = sqrt(D/H) (the precession length).
"""

import math

import dolfinx.fem as fem
import dolfinx.mesh
import numpy as np
import pytest
import ufl
from mpi4py import MPI

import fem_spin as fs
from fem_spin.physics import scales

D, TAU, H = 1e3, 10.0, 10.0  # nm^2/ps, ps, rad/ps: l_sf = 100 nm, a = 100 (the paper's)
LENGTH = 100.0  # nm


def exact(x, k: complex):
    """UFL (m_x, m_y, m_z) of sinh(k (L - x)) / sinh(k L) for a complex k."""
    a, b = k.real * (LENGTH - x[0]), k.imag * (LENGTH - x[0])
    num_r, num_i = ufl.sinh(a) * ufl.cos(b), ufl.cosh(a) * ufl.sin(b)
    s = 1.0 / np.sinh(k * LENGTH)
    return ufl.as_vector((num_r * s.real - num_i * s.imag, num_r * s.imag + num_i * s.real, 0.0))


def solve(comm, cells: int, degree: int, tau_A: float | None):
    mesh = dolfinx.mesh.create_interval(comm, cells, [0.0, LENGTH])
    fdim = 0
    left = dolfinx.mesh.locate_entities_boundary(mesh, fdim, lambda x: np.isclose(x[0], 0.0))
    right = dolfinx.mesh.locate_entities_boundary(mesh, fdim,
                                                  lambda x: np.isclose(x[0], LENGTH))
    facets = np.concatenate([left, right]).astype(np.int32)
    values = np.concatenate([np.full(len(left), 1), np.full(len(right), 2)]).astype(np.int32)
    order = np.argsort(facets)
    tags = dolfinx.mesh.meshtags(mesh, fdim, facets[order], values[order])
    material = fs.Material(D=D, tau=TAU, tau_A=tau_A)
    problem = fs.SteadySpinDiffusion(mesh, material, facet_tags=tags, H_ext=(0.0, 0.0, H),
                                     degree=degree,
                                     dirichlet=[fs.Dirichlet(1, (1.0, 0.0, 0.0)),
                                                fs.Dirichlet(2, (0.0, 0.0, 0.0))])
    with problem:
        problem.solve()
        m = problem.m.copy()
    return mesh, m


def l2_error(comm, mesh, m, k: complex, degree: int) -> float:
    x = ufl.SpatialCoordinate(mesh)
    e = m - exact(x, k)
    dx = ufl.Measure("dx", domain=mesh, metadata={"quadrature_degree": 2 * degree + 6})
    local = fem.assemble_scalar(fem.form(ufl.inner(e, e) * dx))
    return math.sqrt(comm.allreduce(local, op=MPI.SUM))


@pytest.mark.parametrize("degree", [1, 2])
def test_exact_solution_rate(comm, degree):
    """tau_A = 0.1 ps (decay 21.7 nm, wavelength 57.3 nm): L2 errors at rate p + 1."""
    tau_A = 0.1
    k = scales.transverse_wavenumber(D, TAU, tau_A, H)
    errors = []
    for cells in (40, 80, 160):
        mesh, m = solve(comm, cells, degree, tau_A)
        errors.append(l2_error(comm, mesh, m, k, degree))
    rates = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert errors[-1] < (2e-3 if degree == 1 else 2e-5)
    np.testing.assert_allclose(rates, degree + 1, atol=0.15)


def test_lengths_against_the_review_table():
    """Decay length / wavelength for tau_A = 10, 1, 0.1, 0.01 ps at tau_sf = 10 ps,
    D = 1e3 nm^2/ps, |H| = 10 rad/ps (shared/notes/physics-review.md, gap 4): 100/6.3,
    58/20, 22/57, 15/85 nm; tau_A = tau gives the paper's 2 pi l_sf / a."""
    expected = {10.0: (100.0, 6.3), 1.0: (58.0, 20.0), 0.1: (22.0, 57.0), 0.01: (15.0, 85.0)}
    for tau_A, (decay, wavelength) in expected.items():
        got = scales.transverse_lengths(D, TAU, tau_A, H)
        assert got[0] == pytest.approx(decay, rel=0.03)
        assert got[1] == pytest.approx(wavelength, rel=0.03)
    exact_paper = scales.transverse_wavelength(math.sqrt(D * TAU), TAU * H)
    assert scales.transverse_lengths(D, TAU, TAU, H)[1] == pytest.approx(exact_paper, rel=1e-4)
    assert fs.Material(D=D, tau=TAU, lam=H).transverse_wavelength() == exact_paper
    assert fs.Material(D=D, tau=TAU, lam=H, tau_A=1.0).transverse_wavelength() == \
        pytest.approx(scales.transverse_lengths(D, TAU, 1.0, H)[1], rel=1e-14)


def test_zhang_levy_fert_limit(comm):
    """tau_A -> 0: k -> sqrt(1/l_sf^2 + i/l_J^2) at first order in tau_A H, and the FE
    solution at tau_A = 1e-4 ps matches the Zhang-Levy-Fert profile."""
    l_sf, l_J = math.sqrt(D * TAU), math.sqrt(D / H)
    k_zlf = (1 / l_sf**2 + 1j / l_J**2) ** 0.5
    diffs = [abs(scales.transverse_wavenumber(D, TAU, t, H) - k_zlf) / abs(k_zlf)
             for t in (1e-2, 1e-3, 1e-4)]
    np.testing.assert_allclose(np.log10(np.array(diffs[:-1]) / np.array(diffs[1:])), 1.0,
                               atol=0.02)
    assert diffs[-1] < 1e-3
    # decay length and wavelength of the ZLF limit: l_J sqrt(2) and 2 pi l_J sqrt(2) for
    # l_J << l_sf (here 14.1 and 88.9 nm; exact: 1/Re k, 2 pi/Im k)
    assert 1 / k_zlf.real == pytest.approx(math.sqrt(2) * l_J, rel=0.01)
    mesh, m = solve(comm, 200, 2, 1e-4)
    err = l2_error(comm, mesh, m, k_zlf, 2)
    x = ufl.SpatialCoordinate(mesh)
    norm = math.sqrt(comm.allreduce(fem.assemble_scalar(fem.form(
        ufl.inner(exact(x, k_zlf), exact(x, k_zlf)) * ufl.dx)), op=MPI.SUM))
    assert err / norm < 1e-3


def test_default_is_the_paper(comm):
    """tau_A not given: the same Function as tau in the forms, and tau_A = tau given
    explicitly gives the same solution to round-off."""
    _, m_default = solve(comm, 60, 2, None)
    _, m_equal = solve(comm, 60, 2, TAU)
    assert np.max(np.abs(m_default.x.array - m_equal.x.array)) < 1e-12
    mesh = dolfinx.mesh.create_interval(comm, 4, [0.0, 1.0])
    c = fs.core.regions.SpinCoefficients(mesh, {0: fs.Material(D=D, tau=TAU)}, None)
    assert c.tau_A is c.tau


def test_tau_A_inputs():
    with pytest.raises(fs.InputError, match="tau_A must be positive"):
        fs.Material(D=D, tau=TAU, tau_A=-1.0)
    with pytest.raises(fs.InputError, match="exceeds tau .* momentum"):
        fs.Material(D=D, tau=TAU, tau_A=2 * TAU)  # physically impossible: tau_p > tau_sf
    assert fs.Material(D=D, tau=TAU, tau_A=TAU).tau_A3 == (TAU,) * 3  # the paper's choice
    assert fs.Material(D=D, tau=TAU, tau_A=(1.0, 1.0, 2.0)).tau_A3 == (1.0, 1.0, 2.0)
    assert not fs.Material(D=D, tau=TAU, tau_A=(1.0, 1.0, 2.0)).isotropic
    from fem_spin.app.schema import ConfigError, loads

    base = """
[geometry]
kind = "multilayer"
layers = [{ name = "fm", thickness = 10.0 }]
mesher = "graded"
h_max = 1.0
[materials.fm]
D = 1000.0
tau = 10.0
lam = 10.0
{extra}
[drive]
dirichlet = [{ boundary = "left", value = [1.0, 0.0, 0.0] }]
"""
    case = loads(base.replace("{extra}", "tau_A = 0.5"))
    assert case.materials["fm"].tau_A == 0.5
    with pytest.raises(ConfigError, match=r"materials\.fm\.tau_A"):
        loads(base.replace("{extra}", "tau_A = -0.5"))
