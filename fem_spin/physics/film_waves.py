"""Spin waves of an extended film with magnetostatics: the Bloch (plane-wave) form of the
linearized LLG across the thickness, as pure UFL.

A film ``-d/2 < z < d/2`` (normal z, extended in x and y) with a uniform equilibrium ``M0``
and a wave ``dM(z) e^{ikx}``, ``du(z) e^{ikx}`` (``k`` along x, in 1/nm): every gradient is
``(ik, 0, d/dz)``. The linearized LLG of :mod:`fem_spin.physics.spin_waves`,
``s dM = M0 x (S dM)`` with

    S dM = -gamma C_ex lap dM - gamma B_loc(dM) - gamma B_d(dM) + f0 dM ,   B_d = -mu0 grad du

and the potential of the magnetostatic field (:mod:`fem_spin.physics.magnetostatics`)
``lap du = div(Ms dM)``, in all space. Outside the film ``du'' = k^2 du``, decaying:
``du ~ exp(-k |z|)``, so ``d_n du = -k du`` on both surfaces EXACTLY (no air mesh): the weak
form of the potential is

    K(du, w) = (du', w') + k^2 (du, w) + k [du w]_{z = +-d/2} = (Ms dM, conj grad w)

The tangent basis ``e1, e2 = M0 x e1`` (constant; ``dM = a e1 + b e2``) is chosen with
``e1 . x = 0`` and ``e2 . z = 0`` (``M0`` in the plane: ``e1 = z``; ``M0 = z``: ``e1 = y``).
Then the undamped problem is REAL in ``a = alpha``, ``b = i beta``, ``du = p`` (``alpha``,
``beta``, ``p`` real functions of z) with ``s = i omega``:

    S_1[alpha] + gamma mu0 e1z p'        = -omega beta          (the e1 component)
    S_2[beta]  + gamma mu0 k e2x p       = -omega alpha         (the e2 component / i)
    (p', w') + k^2 (p, w) + k [p w] = Ms (e1z alpha, w') + Ms k e2x (beta, w)

``S_i[f] = gamma C_ex (f'' -> k^2 f - f'') + (f0 - gamma b_ii) f`` (``b_ii = e_i . B_loc(e_i)``,
``e1 . B_loc(e2) = 0`` required). Scaled by ``gamma mu0 / Ms``, the potential row makes the
pencil ``A x = omega B x`` symmetric: ``A = [[S, G], [G^T, -(gamma mu0 / Ms) K]]``,
``B = -[[0, M], [M, 0]]`` on ``(alpha, beta)`` and 0 on ``p``. Eliminating ``p`` gives the
energy's Hessian ``S + (gamma mu0 / Ms) ... >= 0``: the frequencies ``omega`` are real and the
shift-and-invert with a REAL shift targets them directly (a positive ``omega`` is a mode of
``e^{i(kx + omega t)}``, i.e. of the wave vector ``-k``; for the symmetric film
``omega(k) = omega(-k)``).

Units (``docs/units.md``): z, d nm; k 1/nm; ``gamma`` rad/(ps T), ``C_ex = 2 A_ex / Ms``
T nm^2, fields T, ``omega`` rad/ps, ``Ms`` A/m, ``p`` A (A/m x nm), ``mu0`` T m/A. The forms
are per unit film area: ``A``'s magnetization block in rad/ps x nm, ``B`` in nm.
"""

from __future__ import annotations

from fem_spin.physics.scales import MU0

__all__ = ["bloch_demag_coupling", "bloch_mass", "bloch_potential", "bloch_stiffness"]


def bloch_stiffness(y, v, *, k, gamma, C_ex, stiff, dx):
    """``sum_i gamma C_ex ((y_i', v_i') + k^2 (y_i, v_i)) + (stiff_i y_i, v_i)`` (rad/ps x nm):
    exchange and the local stiffness ``stiff_i = f0 - gamma b_ii`` (rad/ps) of the two
    components ``y = (alpha, beta)`` (natural, unpinned surfaces)."""
    a = 0
    for i in range(2):
        a += (gamma * C_ex * (y[i].dx(0) * v[i].dx(0) + k * k * y[i] * v[i])
              + stiff[i] * y[i] * v[i]) * dx
    return a


def bloch_demag_coupling(p, v, *, k, gamma, e1z, e2x, dx):
    """``G``: ``gamma mu0 (e1z (p', v_1) + k e2x (p, v_2))`` (rad/ps x nm; ``p`` in A): the
    magnetostatic field ``-gamma B_d = gamma mu0 (ik p, 0, p')`` in the two tangent components
    (the second divided by i). Its transpose (``p`` and ``v`` swapped for ``w`` and ``y``) is
    the potential's source ``(gamma mu0 / Ms) x Ms (e1z (alpha, w') + k e2x (beta, w))``."""
    return gamma * MU0 * (e1z * p.dx(0) * v[0] + k * e2x * p * v[1]) * dx


def bloch_potential(p, w, *, k, gamma, Ms, dx, ds):
    """``-(gamma mu0 / Ms) K(p, w)``: the potential's block, ``K = (p', w') + k^2 (p, w)
    + k (p, w)_surfaces`` (the exterior ``exp(-k|z|)`` as the exact Robin term)."""
    K = (p.dx(0) * w.dx(0) + k * k * p * w) * dx + k * p * w * ds
    return -gamma * MU0 / Ms * K


def bloch_mass(y, v, *, dx):
    """``B``: ``-((beta, v_1) + (alpha, v_2))`` (nm): ``s a = -S_2``, ``s b = S_1`` with
    ``s = i omega``, ``a = alpha``, ``b = i beta``."""
    return -(y[1] * v[0] + y[0] * v[1]) * dx
