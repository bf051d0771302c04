"""S4 (Eq. 84, fem_spin.problems.fluctuations) on the periodic 1D ring (square loop, perimeter
P = 100 nm, M = z normal to its plane), in the paper's form and with the mean-field term
restored. J0, J2 from a permalloy-like C_ex = 32.5 T nm^2 and a kernel range of 1 nm
(J0 = 11.44 rad/ps, J2 = 11.44 rad/ps nm^2); b = 0.3 rad/ps.

* Plane-wave dispersion: u = C_x + i C_y = exp(i k s), k = 4 pi / P. The implicit midpoint
  rule turns a semi-discrete frequency w_h into the phase per step 2 atan(w_h dt / 2), so
  w_h = (2/dt) tan(theta/2) is measured free of time error and compared with
  omega = J0 - J2 k^2/2 (as written: 11.350 rad/ps) and -(b + J2 k^2/2) (restored:
  -0.390 rad/ps): errors 1.17e-3, 2.91e-4, 7.26e-5 rad/ps at 8, 16, 32 cells per side for
  both forms (rate 2.00; the J0 and b terms are exact). The raw theta/dt against w_h: rate 2
  in dt.
* Localized source: a Gaussian pulse s_i = -e_y exp(-((s - P/2)/w)^2) (w = 5 nm, switched on
  at t = 0) against the exact Fourier-series response u_k(T) = f_k (1 - exp(-i w_k T)) /
  (i w_k) (the Green's function of d_t u = -i w(k) u + f) at T = 1 ps, dt proportional to h:
  relative nodal max errors 0.209, 0.0535, 0.0135 (as written, rates 1.96, 1.99; the gap
  J0 T = 11 rad dominates the time error) and 1.01e-2, 2.57e-3, 6.44e-4 (restored, rates
  1.98, 1.99) on 16, 32, 64 cells per side with 20, 40, 80 steps.
* The skew operator: ||C||^2 is conserved without source, and changes by 2 dt (s, C_mid) per
  step with it, to round-off.
"""

import numpy as np
import pytest
import ufl
from mpi4py import MPI

from fem_spin.geometry.periodic import square_ring
from fem_spin.physics.fluctuations import moments_from_exchange, plane_wave_frequency
from fem_spin.problems.fluctuations import MagnetizationFluctuations
from tests.helpers.exact import rates

SIDE = 25.0
P = 4 * SIDE
J0, J2 = moments_from_exchange(32.5, 0.176, 1.0)
B_RATE = 0.3
K = 2 * np.pi * 2 / P
WIDTH = 5.0


def plane_wave(comm, n, restored, dt, steps):
    """(theta/dt, (2/dt) tan(theta/2)) of the plane wave on n cells per side."""
    geo = square_ring(comm, SIDE, n)
    s = geo.arc_length
    C0 = (lambda x: np.stack([np.cos(K * s(x)), np.sin(K * s(x)), 0 * x[0]]), (0.0, 0.0, 0.0))
    pr = MagnetizationFluctuations(geo.mesh, M=(0, 0, 1), J0=J0, J2=J2, b=B_RATE,
                                   restored=restored, C0=C0)
    n0 = pr.norm2()

    def u():
        c = pr.field("C_r").x.array.reshape(-1, 3)
        n_owned = pr.field("C_r").function_space.dofmap.index_map.size_local
        return (c[:, 0] + 1j * c[:, 1])[:n_owned]

    u_prev, phase = u(), 0.0
    for _ in range(steps):
        pr.step(dt)
        u_new = u()
        phase -= np.angle(comm.allreduce(np.vdot(u_prev, u_new)))
        u_prev = u_new
    assert abs(pr.norm2() / n0 - 1) < 1e-12  # the skew operator conserves ||C||^2
    theta = phase / steps
    return theta / dt, 2 / dt * np.tan(theta / 2)


@pytest.mark.parametrize("restored", [False, True])
def test_plane_wave_dispersion(comm, restored):
    exact = plane_wave_frequency(K, J0, J2, B_RATE, restored)
    cells = (8, 16, 32)
    semi = [plane_wave(comm, n, restored, 0.01, 4)[1] for n in cells]
    err_h = np.abs(np.array(semi) - exact)
    r = rates([SIDE / n for n in cells], err_h)
    assert err_h[-1] < 1e-4 and np.all(np.abs(r - 2) < 0.02), (err_h, r)
    dts = (0.04, 0.02, 0.01)
    err_t = [abs(plane_wave(comm, 16, restored, dt, 4)[0] - semi[1]) for dt in dts]
    assert np.all(np.abs(rates(dts, err_t) - 2) < 0.05), err_t


def exact_pulse_response(s_nodes, T, restored, n_fft=4096):
    """u = C_x + i C_y of C_i at arc lengths s_nodes and time T (Fourier series)."""
    s = np.arange(n_fft) * P / n_fft
    g = sum(np.exp(-((s - P / 2 + j * P) / WIDTH) ** 2) for j in (-1, 0, 1))
    f_k = np.fft.fft(-1j * g) / n_fft  # the source -e_y g(s) as s_x + i s_y
    k = 2 * np.pi * np.fft.fftfreq(n_fft, d=P / n_fft)
    w = plane_wave_frequency(k, J0, J2, B_RATE, restored)
    x = w * T
    small = np.abs(x) < 1e-10
    factor = np.where(small, T, (1 - np.exp(-1j * np.where(small, 1.0, x)))
                      / (1j * np.where(small, 1.0, w)))
    coef = f_k * factor
    return np.exp(1j * np.outer(s_nodes, k)) @ coef


@pytest.mark.parametrize("restored", [False, True])
def test_localized_source_response(comm, restored):
    T, errors, hs = 1.0, [], []
    for n, steps in ((16, 20), (32, 40), (64, 80)):
        geo = square_ring(comm, SIDE, n)
        s = geo.arc_length_ufl()
        pulse = ufl.exp(-((s - P / 2) / WIDTH) ** 2)
        src = (None, ufl.as_vector([0.0, -pulse, 0.0]))
        pr = MagnetizationFluctuations(geo.mesh, M=(0, 0, 1), J0=J0, J2=J2, b=B_RATE,
                                       restored=restored, source=src)
        dt = T / steps
        for _ in range(steps):
            before, work0 = pr.norm2(), pr.source_work()
            pr.step(dt)
            balance = pr.norm2() - before - dt * (work0 + pr.source_work())
            assert abs(balance) < 1e-11 * max(pr.norm2(), 1e-30)
        Ci = pr.field("C_i")
        n_owned = Ci.function_space.dofmap.index_map.size_local
        x = Ci.function_space.tabulate_dof_coordinates()[:n_owned]
        c = Ci.x.array.reshape(-1, 3)[:n_owned]
        exact = exact_pulse_response(geo.arc_length(x.T), T, restored)
        err = comm.allreduce(float(np.max(np.abs(c[:, 0] + 1j * c[:, 1] - exact))), op=MPI.MAX)
        errors.append(err / comm.allreduce(float(np.max(np.abs(exact))), op=MPI.MAX))
        hs.append(SIDE / n)
    r = rates(hs, errors)
    assert errors[-1] < 2e-2 and np.all(r > 1.9), (errors, r)


def test_bad_input(comm):
    from fem_spin.errors import InputError

    mesh = square_ring(comm, SIDE, 4).mesh
    with pytest.raises(InputError, match="non-zero 3-vector"):
        MagnetizationFluctuations(mesh, M=(0, 0, 0), J0=J0, J2=J2)
    with pytest.raises(InputError, match="k \\(the component"):
        MagnetizationFluctuations(mesh, M=(0, 0, 1), J0=J0, J2=J2, eps=1.0, k=3)
    with pytest.raises(InputError, match="J2 must be a finite"):
        MagnetizationFluctuations(mesh, M=(0, 0, 1), J0=J0, J2=float("nan"))


def test_kernel_moments_gaussian():
    """Eq. 85-86 of a Gaussian kernel J0 (2 pi l^2)^(-3/2) exp(-r^2 / 2 l^2): (J0, J0 l^2),
    the pair that moments_from_exchange gives for its range l."""
    from fem_spin.physics.fluctuations import kernel_moments

    ell, j0 = 1.3, 7.0
    J = lambda r: j0 * (2 * np.pi * ell * ell) ** -1.5 * np.exp(-r * r / (2 * ell * ell))  # noqa: E731
    m0, m2 = kernel_moments(J, r_max=12 * ell, n=20000)
    assert m0 == pytest.approx(j0, rel=1e-8) and m2 == pytest.approx(j0 * ell * ell, rel=1e-8)
    J0_, J2_ = moments_from_exchange(32.5, 0.176, ell)
    assert J2_ == pytest.approx(2 * 0.176 * 32.5) and J0_ == pytest.approx(J2_ / ell ** 2)
