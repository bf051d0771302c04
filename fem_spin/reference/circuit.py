"""Magnetoelectronic circuit theory of an F|N|F spin valve (Brataas, Nazarov and Bauer,
Phys. Rev. Lett. 84, 2481 (2000); Eur. Phys. J. B 22, 99 (2001)).

Two ferromagnetic reservoirs (no spin accumulation, magnetizations ``M1``, ``M2``) and a
normal-metal node (potential ``phi_N``, spin potential ``mu_N``) without spin flip, joined by
two interfaces with the laws of :func:`fem_spin.physics.charge.interface_currents`
(conductance ``G``, polarization ``gamma``, mixing conductance ``G_r + i G_i`` per spin). The
node conserves charge and spin; the transverse spin current entering a reservoir is the torque
on it. It is the limit of the diffusive model when the ferromagnets are ideal reservoirs (no
resistance, instant spin relaxation and dephasing) and the spacer is thin and spin-conserving.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SpinValve", "spin_valve", "spin_valve_conductance"]


def _cross_matrix(M):
    return np.array([[0, -M[2], M[1]], [M[2], 0, -M[0]], [-M[1], M[0], 0]])


def _interface(M, G, gamma, G_r, G_i):
    """``(j, J)`` as affine maps of the jumps ``(d_phi, d_mu)``: rows of a 4 x 4 matrix."""
    P = np.eye(3) - np.outer(M, M)
    K = np.zeros((4, 4))
    K[0, 0], K[0, 1:] = -G, G * gamma * M
    K[1:, 0] = G * gamma * M
    K[1:, 1:] = -G * np.outer(M, M) - 2 * G_r * P - 2 * G_i * _cross_matrix(M)
    return K


class SpinValve:
    """Solution for a current density ``j`` (A/m^2) from F1 to F2: ``AR`` (Ohm m^2), the node
    state ``phi_N``, ``mu_N`` and the spin currents ``J1`` (F1 -> N) and ``J2`` (N -> F2)
    (A/m^2, charge-current units); ``torque1``, ``torque2``: the transverse spin current each
    reservoir absorbs (spin gained by F1 is ``-J1`` transverse, by F2 ``J2`` transverse)."""

    def __init__(self, M1, M2, G, gamma, G_r, G_i, j):
        M1, M2 = (np.asarray(M, float) / np.linalg.norm(M) for M in (M1, M2))
        K = _interface(M1, G, gamma, G_r, G_i)
        L = _interface(M2, G, gamma, G_r, G_i)
        # unknowns x = (phi_1, phi_N, mu_N); phi_2 = 0; F reservoirs have mu = 0
        # interface 1: jumps (phi_N - phi_1, mu_N); interface 2: jumps (-phi_N, -mu_N)
        A = np.zeros((5, 5))
        rhs = np.zeros(5)
        D1 = np.zeros((4, 5))
        D1[0, 0], D1[0, 1] = -1, 1
        D1[1:, 2:] = np.eye(3)
        D2 = np.zeros((4, 5))
        D2[0, 1] = -1
        D2[1:, 2:] = -np.eye(3)
        C1, C2 = K @ D1, L @ D2  # (j, J) through each interface as rows over x
        A[0], rhs[0] = C1[0], j
        A[1], rhs[1] = C2[0], j
        A[2:] = C1[1:] - C2[1:]
        x = np.linalg.solve(A, rhs)
        self.j, self.phi_N, self.mu_N = j, x[1], x[2:]
        self.AR = x[0] / j
        self.J1, self.J2 = C1[1:] @ x, C2[1:] @ x
        self.torque1 = -(self.J1 - (self.J1 @ M1) * M1)
        self.torque2 = self.J2 - (self.J2 @ M2) * M2


def spin_valve(theta: float, *, G: float, gamma: float, G_r: float, G_i: float = 0.0,
               j: float = 1.0) -> SpinValve:
    """The symmetric spin valve with ``M1 = z`` and ``M2`` at angle ``theta`` (rad) in the
    x-z plane."""
    return SpinValve([0, 0, 1], [np.sin(theta), 0, np.cos(theta)], G, gamma, G_r, G_i, j)


def spin_valve_conductance(theta, *, G: float, gamma: float, G_r: float):
    """Closed form of the symmetric valve's conductance per area (1/(Ohm m^2)) for a real
    mixing conductance: ``G(theta) = (G/2) [1 - gamma^2 tan^2(theta/2) / (tan^2(theta/2)
    + eta)]`` with ``eta = 2 G_r / G`` (Brataas, Nazarov and Bauer 2000)."""
    t2 = np.tan(np.asarray(theta, float) / 2) ** 2
    eta = 2 * G_r / G
    return 0.5 * G * (1 - gamma**2 * t2 / (t2 + eta))
