"""Charge transport coupled to the spin accumulation as pure UFL (``docs/charge-transport.md``).

The unknowns are the electrochemical potential ``phi`` (V) and the spin accumulation written as
a potential, ``mu`` (V, a 3-vector along the spin). The spin channels are quantized along the
majority-spin axis ``s``: the local spin of the magnet, ``s = -M`` for fem_spin's ``M`` along the
magnetic moment (``docs/llg-mapping.md``); the majority (along ``s``) and minority channels have
the electrochemical potentials ``phi -/+ mu.s``. The accumulation in the units of S1 is
``m = chi mu`` with ``chi = mu_B sigma / (e D)`` (A/m per V, :func:`spin_susceptibility`), so
that the model is S1 multiplied by ``sigma / D`` where no charge current flows and ``beta = 0``.

Bulk (a region of conductivity ``sigma``, bulk spin asymmetry ``beta``, majority axis ``s``):

    j = -sigma (grad phi - beta grad(mu)^T s)                    charge current, A/m^2
    J = -sigma A^{-1}(H) (grad mu - beta s (x) grad phi)         spin current, A/m^2
    div j = 0,   div J + sigma / D ((mu - mu_eq) / tau + H x mu) = 0

``J`` is the spin current of S1 (Eq. 71, ``-Dt grad m``) plus the drift of the spin carried by
the charge current, both through the same precession matrix ``A(H)`` of Eq. 73, in
charge-current units: ``J_S1 = (mu_B / e) J``. In the collinear case the two equations are the
two-current model of Valet and Fert (1993) with channel conductivities ``sigma (1 +/- beta)/2``.

Interface (an internal facet between side 1 and side 2, ``[x] = x_2 - x_1``; conductances per
area in 1/(Ohm m^2); ``s`` the majority axis of the magnetic side):

    j   = -G ([phi] - gamma s.[mu])
    J   = -G (s.[mu] - gamma [phi]) s - 2 G_r [mu]_perp - 2 G_i s x [mu]
    spin current leaving side 1:  J + G_sf mu_1 / 2;   entering side 2:  J - G_sf mu_2 / 2

with ``G = 1 / (AR* (1 - gamma^2))`` (Valet-Fert's interface resistance ``AR*`` and asymmetry
``gamma``), the spin-mixing conductance ``G_mix = G_r + i G_i`` per spin channel (circuit
theory, Brataas, Nazarov and Bauer; ``G_r = G / 2`` for a non-magnetic interface), and the
interface spin-flip conductance ``G_sf = delta^2 / AR*`` (a lumped pi-network of a thin
spin-flipping layer, ``delta = t / l_sf`` of that layer).

Units: lengths nm (gradients per nm: ``sigma`` in S/m times a gradient in V/nm is
``NM_PER_M sigma grad phi`` in A/m^2), potentials V, currents A/m^2, times ps, ``D`` nm^2/ps,
``H`` rad/ps.
"""

from __future__ import annotations

import ufl

from fem_spin.physics.scales import MU_B_OVER_E
from fem_spin.physics.spin_diffusion import inverse_precession_matrix

__all__ = [
    "NM_PER_M",
    "charge_current",
    "interface_currents",
    "interface_residual",
    "bulk_residual",
    "spin_current",
    "spin_susceptibility",
    "sd_torque_density",
]

NM_PER_M = 1e9
"""Gradients are per nm: a conductivity ``sigma`` in S/m times a gradient in V/nm is
``1e9 sigma grad phi`` in A/m^2."""


def spin_susceptibility(sigma, D):
    """``chi = mu_B sigma / (e D)`` (A/m per V): the accumulation ``m = chi mu`` of S1's units
    for the spin potential ``mu`` (V); ``sigma`` in S/m, ``D`` in nm^2/ps (1 nm^2/ps is
    1e-6 m^2/s). The Einstein relation of the two-current model (``sigma = e^2 N D``)."""
    return MU_B_OVER_E * sigma / (D * 1e-6)


def charge_current(phi, mu, s, sigma, beta):
    """Charge current density ``j = -sigma (grad phi - beta grad(mu)^T s)`` (A/m^2)."""
    grad_phi = ufl.grad(phi)
    if s is None:
        return -NM_PER_M * sigma * grad_phi
    return -NM_PER_M * sigma * (grad_phi - beta * ufl.dot(ufl.grad(mu).T, s))


def spin_current(phi, mu, s, H, sigma, beta, tau_A):
    """Spin-current tensor ``J^{kj} = -sigma (A^{-1}(H) (grad mu - beta s (x) grad phi))^{kj}``
    (rows spin, columns flow; A/m^2; ``mu_B / e`` times it is S1's spin current in A/m x m/s).
    ``tau_A`` is the time in ``A(H)`` (Eq. 73), as in S1."""
    G = ufl.grad(mu)
    if s is not None:
        G = G - beta * ufl.outer(s, ufl.grad(phi))
    return -NM_PER_M * sigma * inverse_precession_matrix(H, tau_A) * G


def bulk_residual(phi, mu, psi, v, *, s, H, sigma, beta, D, tau, tau_A, mu_eq, dx):
    """Weak residual of the bulk equations ``div j = 0`` and
    ``div J + sigma/D ((mu - mu_eq)/tau + H x mu) = 0`` (tested with ``psi``, ``v``; boundary
    and interface currents are added by the caller). In A/m^2 x nm^2 per unit test function.

    Args:
        phi, mu, psi, v: potential, spin potential and their test functions.
        s: the majority-spin axis, ``-M`` (None: a normal metal); H: precession vector (rad/ps).
        sigma (S/m), beta, D (nm^2/ps), tau, tau_A (ps): region coefficients; mu_eq (V).
    """
    j = charge_current(phi, mu, s, sigma, beta)
    J = spin_current(phi, mu, s, H, sigma, beta, tau_A)
    source = NM_PER_M * sigma / D * ((mu - mu_eq) / tau + ufl.cross(H, mu))
    return (-ufl.inner(j, ufl.grad(psi)) - ufl.inner(J, ufl.grad(v))
            + ufl.inner(source, v)) * dx


def interface_currents(jump_phi, jump_mu, s, *, G, gamma, G_r, G_i):
    """Charge and spin current per area through an interface from side 1 to side 2 (A/m^2)
    for the jumps ``[phi]`` (V) and ``[mu]`` (V), the majority-spin axis ``s`` of the magnetic
    side (None for a normal/normal interface) and the conductances ``G``, ``G_r``, ``G_i``
    (1/(Ohm m^2))."""
    if s is None:
        return -G * jump_phi, -G * jump_mu
    mu_par = ufl.dot(s, jump_mu)
    j = -G * (jump_phi - gamma * mu_par)
    perp = jump_mu - mu_par * s
    J = (-G * (mu_par - gamma * jump_phi) * s - 2 * G_r * perp
         - 2 * G_i * ufl.cross(s, jump_mu))
    return j, J


def interface_residual(phi1, mu1, psi1, v1, phi2, mu2, psi2, v2, s, *, G, gamma, G_r, G_i,
                       G_sf, dS):
    """Weak interface terms: the currents of :func:`interface_currents` leave side 1 and enter
    side 2; the spin-flip conductance ``G_sf`` removes ``G_sf mu_i / 2`` on each side. The
    arguments are the (already restricted) values on the interface facets."""
    j, J = interface_currents(phi2 - phi1, mu2 - mu1, s, G=G, gamma=gamma, G_r=G_r, G_i=G_i)
    F = j * (psi1 - psi2) + ufl.inner(J, v1 - v2)
    F += 0.5 * G_sf * (ufl.inner(mu1, v1) + ufl.inner(mu2, v2))
    return F * dS


def sd_torque_density(M, mu, lam, chi):
    """s-d torque density ``lam M x m`` (A/m per ps) with ``m = chi mu`` (Eq. 79): the spin
    per time that the accumulation gives to the magnetization, as in S1."""
    return lam * chi * ufl.cross(M, mu)
