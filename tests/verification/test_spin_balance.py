"""Total spin of a closed stack under the s-d exchange: conserved by the derived torque.

The accumulation m (A/m: gamma_e times the spin density) and the magnetization Ms M (spin
density -Ms M / gamma) exchange spin through S2's -lam M x m and the LLG's lam_M M x m; with
lam_M = -lam gamma / (gamma_e Ms) (derived when Magnet.lam_M is left out) the total

    S = int m dx / gamma_e - (Ms / gamma) int M dx

is constant without relaxation, damping, anisotropy or field (exchange conserves int M; the
boundaries are closed). Discretely (Crank-Nicolson for m, the midpoint rule for M: the same
midpoint products in both) the only imbalance is the quadrature of M x m (consistent for m,
lumped at the vertices for M): O(h^2). With the opposite sign of lam_M the imbalance is O(1).
"""

import dolfinx.fem as fem
import dolfinx.mesh
import numpy as np
import pytest
import ufl

import fem_spin as fs

LENGTH = 20.0  # nm
LAM = 2.0  # rad/ps: H = lam M
MS, GAMMA = 1e6, fs.GAMMA_E  # A/m, rad/(ps T)
SCALE = 2e5  # A/m: an accumulation whose spin is comparable with the magnet's


def M0(x):
    theta = 0.3 + 0.5 * x[0] / LENGTH
    return np.vstack([np.sin(theta), np.zeros_like(theta), np.cos(theta)])


def m_init(x):
    s = np.pi * x[0] / LENGTH
    return SCALE * np.vstack([np.cos(s), np.sin(s), 0.3 + 0 * s])


def run(comm, cells: int, lam_M=None, t_end=4.0, dt=0.05):
    """(S(0), S(t_end), the spin moved out of m) of the closed 1D stack."""
    mesh = dolfinx.mesh.create_interval(comm, cells, [0.0, LENGTH])
    material = fs.Material(D=1e2, tau=1e9, lam=LAM)  # relaxation negligible over t_end
    magnet = fs.Magnet(Ms=MS, A_ex=1e-12, alpha=0.0, gamma=GAMMA, lam_M=lam_M)
    problem = fs.CoupledSpinDynamics(mesh, material, magnet, M0=M0, m_init=m_init,
                                     scheme="cn")

    def spin():
        m = problem.field("m")
        integral = [comm.allreduce(fem.assemble_scalar(fem.form(m[k] * ufl.dx)))
                    for k in range(3)]
        M_lumped = problem.average_M() * problem.magnet_volume
        return np.array(integral) / fs.GAMMA_E - MS / GAMMA * M_lumped, np.array(integral)

    with problem:
        s0, m0 = spin()
        problem.run(t_end, dt, progress_seconds=1e9)
        s1, m1 = spin()
    return s0, s1, np.linalg.norm(m1 - m0) / fs.GAMMA_E


@pytest.mark.serial  # a rate; MPI pass: test_opposite_sign_breaks_the_balance
def test_total_spin_conserved_at_second_order(comm):
    errors, moved = [], []
    for cells in (8, 16, 32):
        s0, s1, transferred = run(comm, cells)
        errors.append(np.linalg.norm(s1 - s0) / transferred)
        moved.append(transferred)
    rates = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    # a real exchange of spin happened (a sizeable part of the magnet's spin moves)
    assert min(moved) > 0.05 * MS / GAMMA * LENGTH
    np.testing.assert_allclose(rates, 2.0, atol=0.2)
    assert errors[-1] < 2e-3


def test_opposite_sign_breaks_the_balance(comm):
    derived = fs.physics.magnetization.conserving_torque_coupling(LAM, GAMMA, MS, fs.GAMMA_E)
    assert derived == pytest.approx(-LAM / MS)  # gamma = gamma_e
    with pytest.warns(fs.SpinConservationWarning, match="not conserved"):
        s0, s1, transferred = run(comm, 16, lam_M=-derived)
    assert np.linalg.norm(s1 - s0) / transferred > 0.5
    # a given lam_M equal to the derived one is no override: no warning, the same balance
    s0, s1, transferred = run(comm, 16, lam_M=derived)
    assert np.linalg.norm(s1 - s0) / transferred < 1e-2
