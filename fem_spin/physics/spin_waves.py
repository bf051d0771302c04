"""Spin waves: the LLG (S3, Eq. 79 with Gilbert damping) linearized about an equilibrium, as
pure UFL.

Units of :class:`~fem_spin.parameters.magnet.Magnet` (T, rad/ps, nm, ps; ``m`` in A/m). Write
the LLG as ``d_t M = -M x F + alpha M x d_t M`` with the precession field (rad/ps)

    F = gamma B_eff - lam_M m ,      B_eff = C_ex lap M + B_K (M.e_u) e_u - B_D (M.n) n + B

About an equilibrium ``M0`` (``M0 x F0 = 0``, so ``F0 = f0 M0`` with ``f0 = M0 . F0``) a small
``dM`` (``M0 . dM = 0``) obeys

    d_t dM - alpha M0 x d_t dM = M0 x [ S dM + lam_M dm ] ,
    S dM = -gamma B_eff'(dM) + f0 dM = -gamma C_ex lap dM - gamma B_loc(dM) + f0 dM

(``B_loc`` the local field of :func:`fem_spin.physics.magnetization.local_field` without the
Zeeman part, linear in M; ``dm`` the response of the spin accumulation). ``S`` is the Hessian
of the energy on the tangent space (in rad/ps): the equilibrium is stable where it is positive.
Tested with ``v`` and integrated with the lumped (vertex) rule as in
:mod:`fem_spin.problems.llg`, the weak form of ``S`` is :func:`tangent_stiffness`. A linear
field ``B_lin(dM)`` of another physics (magnetostatics) adds ``-gamma (B_lin(dM), v)`` to it
(argument ``extra``) and its static field to ``F0``.
"""

from __future__ import annotations

import ufl

from fem_spin.physics.magnetization import local_field

__all__ = ["precession_field", "sd_torque_linear", "tangent_stiffness"]


def precession_field(W0, c, m0=None):
    """``F0 = gamma W0 - lam_M m0`` (rad/ps): the precession field of the equilibrium, with
    ``W0 = B_eff(M0)`` (T) and ``m0`` the steady spin accumulation (A/m) or None."""
    F = c.gamma * W0
    return F if m0 is None else F - c.lam_M * m0


def tangent_stiffness(dM, v, *, c, f0, dx, extra=None):
    """The weak form of ``S`` (rad/ps x nm^3): ``gamma C_ex (grad dM, grad v) - gamma (B_loc(dM),
    v)_h + (f0 dM, v)_h`` with ``f0 = M0 . F0`` (rad/ps, a P1 scalar) and ``dx`` the vertex
    measure of the magnets; ``extra`` a further bilinear form (e.g. ``-gamma (B_lin(dM), v)``)."""
    a = (c.gamma * c.C_ex * ufl.inner(ufl.grad(dM), ufl.grad(v)) * dx
         - c.gamma * ufl.inner(local_field(dM, c), v) * dx
         + f0 * ufl.inner(dM, v) * dx)
    return a if extra is None else a + extra


def sd_torque_linear(dm, v, *, c, dx):
    """The s-d torque's field part ``(lam_M dm, v)_h`` (rad/ps x nm^3): the linearized torque
    ``lam_M (M0 x dm + dM x m0)`` is ``M0 x (lam_M dm)`` plus the ``dM x m0`` part, which is
    ``M0 x (-(lam_M M0.m0) dM)`` on the tangent space and sits in ``f0``."""
    return c.lam_M * ufl.inner(dm, v) * dx
