"""The charge + spin-diffusion model through a magnetization texture: the spin helix, solved
exactly (fem_spin.reference.zhang_li), and its local limit, the Zhang-Li torque with
u = -(gamma/gamma_e) beta j mu_B / (e Ms (1 + xi^2)), xi = -1/(lam tau). This is the mapping
that runs muMAG SP5 through fem_spin's own transport model (benchmarks/sp5.py --model
spin-diffusion): magnum.fe's l_sf = 10 nm, l_J = 2.236 nm (xi = 0.05), beta = 0.9."""

import dolfinx.fem as fem
import numpy as np
import pytest

from fem_spin.geometry.multilayer import Layer, multilayer
from fem_spin.observables import sample_points
from fem_spin.parameters.charge import Electrode, conductor
from fem_spin.parameters.magnet import GAMMA_E
from fem_spin.physics.magnetization import conserving_torque_coupling
from fem_spin.problems.charge import ChargeSpinTransport
from fem_spin.reference.zhang_li import helix_accumulation, zhang_li_limit

L, J = 300.0, 1e12  # wire length (nm), current density (A/m^2)
MS, GAMMA = 8e5, 0.17595  # permalloy; SP5's gamma0 / mu0 (rad/(ps T))
# D = 1e3 nm^2/ps, tau = 0.1 ps (sqrt(D tau) = 10 nm), lam = -200 rad/ps (l_J = 2.236 nm)
SP5 = dict(sigma=5e6, beta=0.9, D=1e3, lam=-200.0, tau_A=1e-5)


def _material():
    # tau = l_sf^2 / ((1 - beta^2) D) = 0.1 ps
    return conductor(l_sf=10.0 * np.sqrt(1 - 0.9**2), **SP5)


def _helix_run(comm, k, h, degree=2):
    geo = multilayer(comm, [Layer("wire", L)], h_max=h, wavelength=np.inf, x0=-L / 2)
    V = fem.functionspace(geo.mesh, ("Lagrange", 2, (3,)))
    M = fem.Function(V, name="M")
    M.interpolate(lambda x: np.stack([np.cos(k * x[0]), np.sin(k * x[0]), 0 * x[0]]))
    mat = _material()
    with ChargeSpinTransport(
            geo.mesh, {geo.tags["wire"]: mat}, cell_tags=geo.cell_tags,
            facet_tags=geo.facet_tags, M=M, degree=degree,
            electrodes=[Electrode(tag=geo.tags["left"], current_density=J),
                        Electrode(tag=geo.tags["right"], voltage=0.0)]) as p:
        p.solve()
        x = np.linspace(-30.0, 30.0, 61)  # far from the contacts (> 10 l_sf)
        pts = np.stack([x, 0 * x, 0 * x], axis=1)
        m = sample_points(p.function("m"), pts)
    return x, m, mat


@pytest.mark.parametrize("k", [0.02, 0.4])
def test_helix_accumulation_converges_to_exact(comm, k):
    """P2 on meshes h and h/2: the error in the middle of the wire falls at rate >= 2.5, to
    below 1e-4 of the accumulation's size."""
    errors = []
    for h in (1.0, 0.5):
        x, m, mat = _helix_run(comm, k, h)
        exact = helix_accumulation(mat, J, k, x)
        errors.append(np.max(np.abs(m - exact)) / np.max(np.abs(exact)))
    rate = np.log2(errors[0] / errors[1])
    assert errors[1] < 1e-4, errors
    assert rate > 2.5, (errors, rate)


def test_helix_torque_is_zhang_li_in_the_local_limit(comm):
    """The s-d torque lam_M M x m of the exact helix accumulation is the Zhang-Li torque of
    zhang_li_limit to (1 - beta^2) xi k^2 l_J^2 (3.8e-6 at k = 0.02/nm; 0.76 % at k = 0.4/nm,
    where the exact correction factor is checked), and the FEM accumulation gives it too."""
    mat = _material()
    zl = zhang_li_limit(mat, (J, 0.0, 0.0), MS, GAMMA, GAMMA_E)
    assert zl.xi == pytest.approx(0.05, rel=1e-12)
    assert np.linalg.norm(zl.u) * 1e3 == pytest.approx(0.9 * 72.35 * GAMMA / GAMMA_E / 1.0025,
                                                       rel=1e-3)
    lam_M = conserving_torque_coupling(mat.lam, GAMMA, MS, GAMMA_E)
    l_J2 = mat.D3[0] / abs(mat.lam)
    for k in (0.02, 0.4):
        x, m_fem, _ = _helix_run(comm, k, 0.5)
        M = np.stack([np.cos(k * x), np.sin(k * x), 0 * x], axis=1)
        dM = k * np.stack([-np.sin(k * x), np.cos(k * x), 0 * x], axis=1)  # d_x M
        uD = zl.u[0] * dM  # (u.grad) M
        zhang_li = -uD + zl.xi * np.cross(M, uD)
        correction = 1 + (1 - mat.beta**2) * zl.xi * k**2 * l_J2 / (1 + zl.xi**2)
        for m in (helix_accumulation(mat, J, k, x), m_fem):
            torque = lam_M * np.cross(M, m)
            err = np.max(np.abs(torque * correction - zhang_li)) / np.max(np.abs(zhang_li))
            assert err < 2e-4, (k, err)
        if k > 0.1:  # the non-local correction is resolved: 0.76 %
            torque = lam_M * np.cross(M, helix_accumulation(mat, J, k, x))
            off = np.max(np.abs(torque - zhang_li)) / np.max(np.abs(zhang_li))
            assert off == pytest.approx(1 - 1 / correction, rel=1e-6)

