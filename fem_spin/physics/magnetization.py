"""S3: the Landau-Lifshitz-Gilbert terms as pure UFL (paper Eq. 77-79 and Eq. 12).

Units of :class:`~fem_spin.parameters.magnet.Magnet`: fields in T, ``gamma`` in rad/(ps T),
``lam_M`` in rad/ps, lengths nm, times ps; ``M`` the reduced magnetization (|M| = 1)::

    d_t M = -gamma M x B_eff + alpha M x d_t M + lam_M M x m
    B_eff = C_ex lap M + B_K (M.e_u) e_u - B_D (M.n) n + B = -(1/Ms) dE/dM

with ``C_ex = 2 A_ex / Ms`` (T nm^2), ``B_K = 2 K_u / Ms``, ``B_D = K_d / Ms`` (T). Each term is
a field (T) or an energy density (J/m^3); ``c`` is any object carrying the region-wise
coefficients ``gamma, alpha, C_ex, B_K, B_D, e_u, n, lam_M, Ms`` (UFL scalars / vectors), e.g.
:class:`fem_spin.problems.llg.MagnetCoefficients`. ``dx`` is the lumped (vertex) measure of the
magnets: the discretization is explained in :mod:`fem_spin.problems.llg`.
"""

from __future__ import annotations

import numpy as np
import ufl

from fem_spin.physics.scales import MU_B_OVER_E
from fem_spin.physics.spin_diffusion import sd_torque_density

__all__ = [
    "conserving_torque_coupling",
    "effective_field_residual",
    "energy_density",
    "llg_residual",
    "local_field",
    "pin_residual",
    "steady_llg_residual",
    "zhang_li_torque",
    "zhang_li_velocity",
]


def local_field(M, c, B=None):
    """The local part of the effective field (T): uniaxial anisotropy, the Eq. 12 hard axis
    and the Zeeman field, ``B_K (M.e_u) e_u - B_D (M.n) n + B``."""
    f = c.B_K * ufl.dot(M, c.e_u) * c.e_u - c.B_D * ufl.dot(M, c.n) * c.n
    return f if B is None else f + B


def effective_field_residual(W, M, psi, *, c, B, dx):
    """``W = B_eff(M)`` as a lumped L2 projection: ``(W, psi)_h + C_ex (grad M, grad psi)
    - (local_field(M), psi)_h`` (``dx`` the vertex measure of the magnets)."""
    return (ufl.inner(W, psi) * dx + c.C_ex * ufl.inner(ufl.grad(M), ufl.grad(psi)) * dx
            - ufl.inner(local_field(M, c, B), psi) * dx)


def llg_residual(M, M_n, W, phi, *, dt, c, m=None, dx, torque=None):
    """Implicit-midpoint Gilbert residual ``((M - M_n)/dt + gamma M_mid x W
    - alpha M_mid x (M - M_n)/dt - lam_M M_mid x m - T, phi)_h`` (``W`` the field at the
    midpoint, ``m`` the spin accumulation at the midpoint or None, ``T`` a further torque
    (rad/ps) at the midpoint or None, e.g. :func:`zhang_li_torque`)."""
    M_mid = 0.5 * (M + M_n)
    dMdt = (M - M_n) / dt
    R = dMdt + c.gamma * ufl.cross(M_mid, W) - c.alpha * ufl.cross(M_mid, dMdt)
    if m is not None:
        R -= sd_torque_density(M_mid, m, c.lam_M)
    if torque is not None:
        R -= torque
    return ufl.inner(R, phi) * dx


def zhang_li_torque(M, u, xi):
    """The Zhang-Li spin-transfer torque (rad/ps) of a current through a magnetization texture
    (S. Zhang, Z. Li, PRL 93 (2004) 127204; A. Thiaville et al., EPL 69 (2005) 990), in
    Gilbert form, with the drift velocity ``u`` (nm/ps) and the non-adiabaticity ``xi``::

        d_t M = ... - (u.grad) M + xi M x (u.grad) M

    written as ``M x (M x (u.grad) M) + xi M x (u.grad) M`` (equal for |M| = 1): every term is
    ``M x (...)``, so the midpoint rule keeps |M| = 1 at every vertex. ``u`` is
    :func:`zhang_li_velocity`."""
    D = ufl.dot(ufl.grad(M), u)  # (u.grad) M
    return ufl.cross(M, ufl.cross(M, D)) + xi * ufl.cross(M, D)


def zhang_li_velocity(current_density, polarization: float, Ms: float, xi: float):
    """The drift velocity ``u`` (nm/ps, a 3-vector) of the Zhang-Li torque for the charge
    current density ``current_density`` (A/m^2, a 3-vector) of polarization ``P``, the
    mumax3 / magnum.np convention::

        u = -P J mu_B / (e Ms (1 + xi^2))

    (m/s, times 1e-3 for nm/ps): along the electrons' flow, against ``J`` for ``P > 0``. For
    muMAG SP5 (J = 1e12 A/m^2, P = 1, Ms = 8e5 A/m, xi = 0.05) ``|u| = 72.17 m/s``."""
    J = np.asarray(current_density, dtype=float)
    return -polarization * J * MU_B_OVER_E / (Ms * (1.0 + xi * xi)) * 1e-3


def steady_llg_residual(M, W, phi, *, c, m=None, dx):
    """Time-independent LLG: zero torque ``M x (gamma W - lam_M m) = 0`` and ``|M| = 1``,
    combined as ``M x (gamma W - lam_M m) + (|M|^2 - 1) M / 2`` (the two parts are orthogonal,
    so both vanish at a zero)."""
    field = c.gamma * W if m is None else c.gamma * W - c.lam_M * m
    R = ufl.cross(M, field) + 0.5 * (ufl.dot(M, M) - 1.0) * M
    return ufl.inner(R, phi) * dx


def pin_residual(M, M_pin, W, phi, psi, chi, dx_all):
    """At the vertices outside the magnets (``chi = 0``): ``M = M_pin``, ``W = 0``."""
    return (ufl.inner((1 - chi) * (M - M_pin), phi) * dx_all
            + ufl.inner((1 - chi) * W, psi) * dx_all)


def energy_density(M, c, B=None):
    """Micromagnetic energy density (J/m^3): ``Ms [ C_ex/2 |grad M|^2 - B_K/2 (M.e_u)^2
    + B_D/2 (M.n)^2 - B.M ]`` = ``A_ex |grad M|^2 - K_u (M.e_u)^2 + K_d/2 (M.n)^2
    - Ms B.M``. Integrated over nm^3 it gives 1e-27 J."""
    e = (0.5 * c.C_ex * ufl.inner(ufl.grad(M), ufl.grad(M))
         - 0.5 * c.B_K * ufl.dot(M, c.e_u) ** 2 + 0.5 * c.B_D * ufl.dot(M, c.n) ** 2)
    if B is not None:
        e -= ufl.dot(B, M)
    return c.Ms * e


def conserving_torque_coupling(lam: float, gamma: float, Ms: float, gamma_e: float) -> float:
    """The s-d torque coupling ``lam_M`` (rad/ps per A/m) for which the exchange between the
    spin accumulation and the magnetization conserves the total spin (Eq. 79 with S2's
    ``-H x m``, ``H = lam M + ...``; ``docs/units.md``):

        d_t (m / gamma_e) = -lam M x m / gamma_e ,   d_t (-Ms M / gamma) = +lam M x m / gamma_e
        =>  lam_M = -lam gamma / (gamma_e Ms)

    with ``m`` in A/m (the accumulated spin density times ``gamma_e``, along the spin), ``Ms``
    in A/m (the moment density; its spin density ``Ms / gamma`` is antiparallel to ``M``),
    ``lam`` in rad/ps and the gyromagnetic ratios in rad/(ps T).
    """
    return -lam * gamma / (gamma_e * Ms)
