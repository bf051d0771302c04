"""Spin-wave eigenmodes (fem_spin.problems.modes) against closed forms
(fem_spin.physics.spin_wave_theory).

* Kittel: the uniform mode of a film (in-plane field; normal field) and of an ellipsoid (the
  demagnetizing factors as the effective anisotropies ``K_d = (N_z - N_x) mu0 Ms^2`` along z and
  ``K_u = -(N_y - N_x) mu0 Ms^2 / 2`` along y), damped: the discrete uniform mode is exact
  (exchange vanishes on constants), so s = -Gamma + i omega agrees to round-off.
* Exchange modes of the periodic 1D ring (perimeter P = 4L): omega = gamma (B + C_ex k^2),
  k = 2 pi j / P, j = 0, 1, 1, 2, 2, 3, 3 (cos and sin); with damping alpha the pair
  s = gamma (B + C_ex k^2)(-alpha + i) / (1 + alpha^2). The lumped P1 error is O(h^2).
* In-plane exchange modes of a thin cylinder (2D disc, free boundary): k = j'_{m,n} / R, the
  zeros of J_m' (m >= 1 doubly degenerate). Polygonal rim and P1: O(h^2).

Measured (serial; benchmarks/spin_wave_convergence.py for the longer sweep): ring j = 3 mode,
n = 8, 16, 32 cells per side: relative errors 2.74e-2, 6.91e-3, 1.73e-3 (rates 1.99, 2.00);
disc R = 20 nm, (m, n) = (2, 1): h = 4, 2, 1 nm: 1.7e-2, 5.0e-3, 1.26e-3.
"""

import numpy as np
import pytest

from fem_spin.errors import InputError
from fem_spin.geometry.disc import disc
from fem_spin.geometry.periodic import square_ring
from fem_spin.parameters import magnet as magnet_module
from fem_spin.parameters.magnet import Magnet, thin_film_anisotropy
from fem_spin.physics.spin_wave_theory import bessel_jp_zero, kittel, uniform_mode
from fem_spin.problems.modes import SpinWaveModes
from tests.helpers.exact import rates

MS, A_EX = 8e5, 1.3e-11
MU0 = magnet_module.MU0


def box(comm):
    import dolfinx.mesh
    return dolfinx.mesh.create_box(comm, [[0, 0, 0], [20, 16, 4]], [4, 3, 2])


@pytest.mark.parametrize("case", ["film_in_plane", "film_normal", "ellipsoid"])
def test_kittel_uniform_mode(comm, case):
    B, alpha = 0.08, 0.02
    if case == "film_in_plane":  # M0 || B || x, hard axis z
        mag = Magnet(Ms=MS, A_ex=A_EX, alpha=alpha, K_d=thin_film_anisotropy(MS))
        M0, field, B12 = (1, 0, 0), (B, 0, 0), (B, B + MU0 * MS)
    elif case == "film_normal":  # M0 || B || z above saturation
        B = 1.3
        mag = Magnet(Ms=MS, A_ex=A_EX, alpha=alpha, K_d=thin_film_anisotropy(MS))
        M0, field, B12 = (0, 0, 1), (0, 0, B), (B - MU0 * MS, B - MU0 * MS)
    else:  # prolate-ish ellipsoid: N = (0.2, 0.3, 0.5)
        N = np.array([0.2, 0.3, 0.5])
        mag = Magnet(Ms=MS, A_ex=A_EX, alpha=alpha, K_d=(N[2] - N[0]) * MU0 * MS ** 2,
                     K_u=-(N[1] - N[0]) * MU0 * MS ** 2 / 2, easy_axis=(0, 1, 0))
        M0, field = (1, 0, 0), (B, 0, 0)
        B12 = (B + (N[1] - N[0]) * MU0 * MS, B + (N[2] - N[0]) * MU0 * MS)
    modes = SpinWaveModes(box(comm), mag, M0=M0, B_T=field).solve(1, tol=1e-13)
    exact = kittel(mag.gamma, *B12, alpha)
    assert abs(modes.s[0] - exact) < 1e-10 * abs(exact)
    assert modes.frequency_GHz[0] > 1.0 and modes.decay_rate_per_ns[0] > 0.0


def test_extra_stiffness_hook(comm):
    """A linear field given through ``extra_stiffness`` (here a hard axis along y, as a
    magnetostatic term would enter) gives the modes of the same field given as K_u < 0."""
    import ufl

    K_u, B = -2e5, 0.08
    ey = ufl.as_vector([0.0, 1.0, 0.0])
    with_K = Magnet(Ms=MS, A_ex=A_EX, alpha=0.01, K_u=K_u, easy_axis=(0, 1, 0))
    plain = Magnet(Ms=MS, A_ex=A_EX, alpha=0.01)
    B_K = 2 * K_u / MS

    def hard_axis(dM, v, c, dx):  # -gamma (B_K (dM.y) y, v)_h
        return -c.gamma * B_K * ufl.dot(dM, ey) * ufl.dot(v, ey) * dx

    a = SpinWaveModes(box(comm), with_K, M0=(1, 0, 0), B_T=(B, 0, 0)).solve(3).s
    b = SpinWaveModes(box(comm), plain, M0=(1, 0, 0), B_T=(B, 0, 0),
                      extra_stiffness=hard_axis).solve(3).s
    assert np.allclose(a, b, rtol=1e-9)
    assert abs(a[0] - kittel(plain.gamma, B - B_K, B, 0.01)) < 1e-9 * abs(a[0])


def test_solver_options_are_per_solve(comm):
    """PETSc options of one solve (an iterative inner solve here) give the same modes and do
    not stay in the options database."""
    from petsc4py import PETSc

    modes = SpinWaveModes(box(comm), Magnet(Ms=MS, A_ex=A_EX), M0=(1, 0, 0), B_T=(0.1, 0, 0))
    lu = modes.solve(3).s
    it = modes.solve(3, options={"st_ksp_type": "gmres", "st_pc_type": "sor",
                                 "st_ksp_rtol": 1e-13}).s
    assert np.allclose(lu, it, rtol=1e-8)
    assert not PETSc.Options().hasName("modes_st_pc_type")


def test_bad_input(comm):
    mag = Magnet(Ms=MS, A_ex=A_EX)
    with pytest.raises(InputError, match="not an equilibrium"):
        SpinWaveModes(box(comm), mag, M0=(1, 0, 0), B_T=(0, 0.1, 0))
    with pytest.raises(InputError, match="lam_M"):  # a torque without its coupling
        SpinWaveModes(box(comm), mag, M0=(1, 0, 0), m0=(1e3, 0, 0))
    modes = SpinWaveModes(box(comm), mag, M0=(1, 0, 0), B_T=(0.1, 0, 0))
    with pytest.raises(InputError, match="positive integer"):
        modes.solve(0)


def test_periodic_exchange_modes_rate(comm):
    mag = Magnet(Ms=MS, A_ex=A_EX, alpha=0.01)
    side, B, js = 25.0, 0.05, [0, 1, 1, 2, 2, 3, 3]
    exact = np.array([uniform_mode(mag.gamma, B, mag.exchange_coefficient,
                                   2 * np.pi * j / (4 * side), mag.alpha) for j in js])
    errors = []
    for n in (8, 16, 32):
        geo = square_ring(comm, side, n)
        s = SpinWaveModes(geo.mesh, mag, M0=(0, 0, 1), B_T=(0, 0, B)).solve(len(js)).s
        err = np.abs(s - exact) / np.abs(exact)
        assert err[0] < 1e-12  # the uniform mode is exact
        assert np.allclose(s[1::2], s[2::2], rtol=1e-9)  # cos/sin degenerate
        # the damping ratio Gamma / omega = alpha of an isotropic mode holds on every mesh
        assert np.allclose(-s.real / s.imag, mag.alpha, rtol=1e-8)
        errors.append(err[-1])
    r = rates([side / 8, side / 16, side / 32], errors)
    assert errors[-1] < 2e-3
    assert np.all(np.abs(r - 2.0) < 0.05), r


def test_disc_bessel_modes_rate(comm):
    mag = Magnet(Ms=MS, A_ex=A_EX)
    R, B = 20.0, 0.05
    ks = [0.0] + [bessel_jp_zero(1, 1)] * 2 + [bessel_jp_zero(2, 1)] * 2 + [bessel_jp_zero(0, 1)]
    exact = np.array([uniform_mode(mag.gamma, B, mag.exchange_coefficient, k / R).imag
                      for k in ks])
    errors = []
    hs = (4.0, 2.0)
    for h in hs:
        geo = disc(comm, R, h)
        w = SpinWaveModes(geo.mesh, mag, M0=(0, 0, 1), B_T=(0, 0, B)).solve(6).s.imag
        errors.append(np.abs(w - exact) / exact)
    errors = np.array(errors)
    assert np.all(errors[:, 0] < 1e-12)
    r = rates(hs, errors[:, 1:].max(axis=1))
    assert errors[-1, 1:].max() < 8e-3
    assert r[0] > 1.8, r


def test_bessel_zeros():
    """The zeros of J_m' used above, against Abramowitz & Stegun Table 9.5."""
    table = {(0, 1): 3.83171, (1, 1): 1.84118, (2, 1): 3.05424, (1, 2): 5.33144,
             (3, 1): 4.20119}
    for (m, k), x in table.items():
        assert abs(bessel_jp_zero(m, k) - x) < 6e-6
