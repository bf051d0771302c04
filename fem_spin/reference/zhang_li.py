"""The spin-diffusion model's Zhang-Li limit, and its exact solution for a spin helix.

A charge current ``j`` (A/m^2) through a ferromagnet whose magnetization ``M`` varies in space
carries the spin current ``-beta (mu_B/e) s (x) j`` along the majority axis ``s = -M``
(:mod:`fem_spin.physics.charge`); its divergence ``beta (mu_B/e) (j.grad) M`` is the source of a
transverse accumulation. Where ``M`` varies slowly on the scales ``l_J = sqrt(D / |lam|)`` and
``l_sf = sqrt(D tau)``, the accumulation is local (diffusion drops out):

    m/tau + lam M x m = -b (j^.grad) M ,     b = beta (mu_B / e) |j|      (A/m x nm/ps)

and its torque ``lam_M M x m`` with the spin-conserving ``lam_M = -lam gamma / (gamma_e Ms)``
is exactly the Zhang-Li torque (S. Zhang, Z. Li, PRL 93, 127204 (2004)) in Gilbert form,

    d_t M = ... - (u.grad) M + xi M x (u.grad) M ,
    u = -(gamma / gamma_e) beta j mu_B / (e Ms (1 + xi^2)) ,    xi = -1 / (lam tau)

(:func:`fem_spin.physics.magnetization.zhang_li_torque`): ``beta`` plays the polarization
``P``, and ``xi = l_J^2 / l_sf^2 = tau_ex / tau_sf`` is positive for fem_spin's ferromagnetic
sign ``lam < 0`` (``docs/llg-mapping.md``). The mapping is magnum.fe's (Abert et al., Sci. Rep.
5, 14855 (2015), with its ``beta' = beta``).

For the helix ``M = (cos kx, sin kx, 0)`` and ``j`` along x the model is solved exactly in the
frame that turns with ``M`` (constant components along ``e_r = M``, ``e_phi = d_x M / k`` and
``e_z``): ``m = B e_phi + C e_z`` with

    B = -b k / (1/tau + lam^2 tau + (1 - beta^2) D k^2) ,   C = -lam tau B ,

the Zhang-Li torque with ``u`` divided by ``1 + (1 - beta^2) xi k^2 l_J^2 / (1 + xi^2)``: the
longitudinal diffusion of the turning accumulation is the helix's non-local correction. The
potential ``A(H)`` of Eq. 73 acts on none of these spin currents (each is along ``M``), so the
solution holds for any ``tau_A``.

Units: nm, ps, A/m, A/m^2, rad/ps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fem_spin.physics.scales import MU_B_OVER_E

__all__ = ["ZhangLi", "helix_accumulation", "zhang_li_limit"]


@dataclass(frozen=True)
class ZhangLi:
    """The Zhang-Li parameters of a spin-diffusion material: ``u`` (nm/ps, a 3-vector: the drift
    velocity of :func:`fem_spin.physics.magnetization.zhang_li_velocity`), ``xi``, and the
    polarization ``P`` that :func:`zhang_li_velocity` needs to give the same ``u``."""

    u: np.ndarray
    xi: float
    P: float


def zhang_li_limit(material, current_density, Ms: float, gamma: float,
                   gamma_e: float) -> ZhangLi:
    """The Zhang-Li torque that ``material`` (a :class:`fem_spin.Material` with ``beta``,
    ``tau`` (isotropic), ``lam``) exerts on a magnet (``Ms`` in A/m, ``gamma`` in rad/(ps T))
    in its local limit, for the current density ``current_density`` (A/m^2, a 3-vector)."""
    tau = material.tau3[0]
    if material.lam == 0 or len(set(material.tau3)) != 1:
        raise ValueError("the Zhang-Li limit needs lam != 0 and an isotropic tau")
    xi = -1.0 / (material.lam * tau)
    P = gamma / gamma_e * material.beta
    j = np.asarray(current_density, dtype=float)
    u = -P * j * MU_B_OVER_E / (Ms * (1.0 + xi * xi)) * 1e-3
    return ZhangLi(u=u, xi=xi, P=P)


def helix_accumulation(material, current_density: float, k: float, x: np.ndarray
                       ) -> np.ndarray:
    """The exact accumulation ``m`` (A/m, shape (n, 3)) at positions ``x`` (nm) of the helix
    ``M = (cos kx, sin kx, 0)`` (``k`` in 1/nm) driven by ``current_density`` (A/m^2) along x,
    far from contacts; ``material`` as in :func:`zhang_li_limit`, ``D`` isotropic."""
    D, tau, lam, beta = material.D3[0], material.tau3[0], material.lam, material.beta
    b = beta * MU_B_OVER_E * current_density * 1e-3  # A/m x nm/ps
    B = -b * k / (1.0 / tau + lam**2 * tau + (1.0 - beta**2) * D * k**2)
    C = -lam * tau * B
    x = np.asarray(x, dtype=float)
    e_phi = np.stack([-np.sin(k * x), np.cos(k * x), 0 * x], axis=1)
    e_z = np.zeros_like(e_phi)
    e_z[:, 2] = 1.0
    return B * e_phi + C * e_z
