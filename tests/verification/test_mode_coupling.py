"""Spin waves coupled to the spin accumulation (fem_spin.problems.mode_coupling) against the
closed form of a uniform magnet and accumulation (a 1D interval, free boundaries: the
uniform mode is exact on any mesh).

About M0 = z, B = b z, steady m_s = m0 M0 (H = h z, h = lam - gamma_e b), the transverse parts
u = y_1 + i y_2 of dM and x of dm (M0 x -> i) obey

    s (1 - i alpha) u = i [K u + lam_M x],            K = gamma b - lam_M m0
    s x = -(x - m0 u)/tau - i h x + i lam m0 u        (S2 linearized; quasi-static: s x -> 0)

so x = m0 u (1/tau + i lam) / (s + 1/tau + i h): quasi-static a closed form for s, dynamic a
quadratic in s (the magnon and the accumulation's own mode). The numbers: tau = 1 ps,
lam = 2 rad/ps, m0 = 3e4 A/m, b = 0.5 T, alpha = 0.01, lam_M = -2.5e-6 rad/ps per A/m (the
spin-conserving one): uncoupled s = -8.80e-4 + 0.0880i, quasi-static s = +5.65e-4 + 0.0853i
(anti-damped: the accumulation that follows M adiabatically is rotated by its precession about
h != lam), dynamic s = -9.07e-4 + 0.0880i (the lag of dm behind dM turns the torque into
extra damping: 0.907/ns against Gilbert's 0.880/ns). The quasi-static response misses because
the static torques cancel (K holds -lam_M m0, x ~ m0 u): a 4 % error of x (|s| against
|1/tau + i h|) is a 3 % error of omega when lam_M m0 (0.075 rad/ps) ~ gamma b (0.088).
"""

import dolfinx.mesh
import numpy as np
import pytest

import fem_spin as fs
from fem_spin.parameters.magnet import GAMMA_E, Magnet
from fem_spin.parameters.transport import Material
from fem_spin.problems.mode_coupling import coupled_modes

TAU, LAM, M0, B, ALPHA = 1.0, 2.0, 3e4, 0.5, 0.01


@pytest.fixture(scope="module")
def coupled():
    mesh = dolfinx.mesh.create_interval(fs_comm(), 4, [0.0, 10.0])
    mat = Material(D=1e3, tau=TAU, lam=LAM, m0=M0)
    mag = Magnet(Ms=8e5, A_ex=1.3e-11, alpha=ALPHA)
    cp = fs.CoupledSpinDynamics(mesh, mat, mag, M0=(0, 0, 1), B_T=(0, 0, B),
                                m_init=(0, 0, M0))
    cp.solve_steady()
    return cp


def fs_comm():
    from mpi4py import MPI
    return MPI.COMM_WORLD


def closed_form(cp, dynamic):
    mag = cp.magnet.magnets[0]
    lam_M, g = mag.lam_M, mag.gamma
    h = LAM - GAMMA_E * B
    K = g * B - lam_M * M0
    c = M0 * (1 / TAU + 1j * LAM)
    if not dynamic:
        return np.array([1j * (K + lam_M * c / (1 / TAU + 1j * h)) / (1 - 1j * ALPHA)])
    # s (1 - i alpha)(s + 1/tau + i h) = i [K (s + 1/tau + i h) + lam_M c]
    a = 1 - 1j * ALPHA
    d = 1 / TAU + 1j * h
    return np.roots([a, a * d - 1j * K, -1j * (K * d + lam_M * c)])


@pytest.mark.parametrize("dynamic", [False, True])
def test_uniform_mode_with_accumulation(coupled, dynamic):
    exact = closed_form(coupled, dynamic)
    exact = np.array([complex(z.real, abs(z.imag)) for z in exact])  # omega >= 0 of each pair
    s = coupled_modes(coupled, dynamic=dynamic).solve(3, tol=1e-12).s
    for z in exact:
        assert np.min(np.abs(s - z)) < 1e-7 * abs(z), (s, exact)  # MPI: 2e-8 measured
    magnon = exact[np.argmin(np.abs(exact.imag - 0.088))]
    uncoupled = 1j * coupled.magnet.magnets[0].gamma * B / (1 - 1j * ALPHA)
    assert abs(magnon.real - uncoupled.real) > 1e-2 * abs(uncoupled.real)  # not negligible
