"""Closed-form spin-wave frequencies (numpy), the references of the mode solver's tests.

Units: fields T, ``gamma`` rad/(ps T), ``C_ex = 2 A_ex / Ms`` T nm^2, wave numbers 1/nm,
``s`` in rad/ps.
"""

from __future__ import annotations

import numpy as np

__all__ = ["bessel_j", "bessel_jp_zero", "damped_pair", "film_backward_volume",
           "film_forward_volume", "film_surface_mode", "kalinikos_slavin", "kittel",
           "film_decay_rate", "uniform_mode", "volume_mode_wavenumber",
           "vortex_gyrotropic_pole_free"]


def damped_pair(K1: float, K2: float, alpha: float) -> complex:
    """The eigenvalue ``s = -Gamma + i omega`` (rad/ps) of a uniform mode whose tangent
    stiffness is ``diag(K1, K2)`` (rad/ps): the root of ``(1 + alpha^2) s^2
    + alpha (K1 + K2) s + K1 K2 = 0`` with ``omega >= 0``; undamped ``omega = sqrt(K1 K2)``."""
    a, b, c = 1 + alpha ** 2, alpha * (K1 + K2), K1 * K2
    disc = complex(b * b - 4 * a * c)
    s = (-b + np.sqrt(disc)) / (2 * a)
    return complex(s.real, abs(s.imag))


def kittel(gamma: float, B1: float, B2: float, alpha: float = 0.0) -> complex:
    """Kittel: the uniform mode with the stiffness fields ``B1``, ``B2`` (T) along the two
    tangent directions, e.g. an in-plane magnetized film along the field ``B``:
    ``B1 = B``, ``B2 = B + mu0 Ms`` (``omega = gamma sqrt(B (B + mu0 Ms))``); an ellipsoid
    with demagnetizing factors ``N``: ``B1 = B + (N_1 - N_0) mu0 Ms``,
    ``B2 = B + (N_2 - N_0) mu0 Ms``."""
    return damped_pair(gamma * B1, gamma * B2, alpha)


def uniform_mode(gamma: float, B: float, C_ex: float, k: float, alpha: float = 0.0) -> complex:
    """An exchange mode of wave number ``k`` about ``M0 || B``, isotropic:
    ``omega = gamma (B + C_ex k^2)`` (undamped)."""
    K = gamma * (B + C_ex * k * k)
    return damped_pair(K, K, alpha)


def bessel_j(m: int, x, n: int = 64):
    """``J_m(x)`` by the trapezoidal rule of Bessel's integral ``(1/pi) int_0^pi cos(m t - x
    sin t) dt`` (spectrally accurate for a periodic integrand: 1e-15 for x < 20 with n 64)."""
    t = (np.arange(2 * n) + 0.5) * np.pi / n
    x = np.asarray(x, dtype=float)
    return np.mean(np.cos(m * t - x[..., None] * np.sin(t)), axis=-1)


def bessel_jp_zero(m: int, k: int) -> float:
    """The k-th positive zero of ``J_m'`` (k = 1, 2, ...; for m = 0 the zero at x = 0 is not
    counted): bracketed on a grid and refined by bisection to round-off."""
    def d(x):
        return (0.5 * (bessel_j(m - 1, x) - bessel_j(m + 1, x)) if m > 0
                else -bessel_j(1, x))
    x = np.linspace(1e-6, 10.0 + 3.2 * k + m, 4000)
    y = d(x)
    roots = np.flatnonzero(np.sign(y[:-1]) * np.sign(y[1:]) < 0)
    a, b = x[roots[k - 1]], x[roots[k - 1] + 1]
    for _ in range(60):
        c = 0.5 * (a + b)
        if np.sign(d(c)) == np.sign(d(a)):
            a = c
        else:
            b = c
    return 0.5 * (a + b)


def _disc_charge_transform(t: np.ndarray) -> np.ndarray:
    """``I(t) = int_0^1 J_1(t r) r dr``: Bessel's integral of ``J_1`` over ``[0, 2 pi)``
    (trapezoid, ``t + 64`` points) with the ``r`` integral in closed form."""
    out = np.empty_like(t)
    for i, ti in enumerate(t):
        tau = 2 * np.pi * np.arange(int(ti) + 64) / (int(ti) + 64)
        a = ti * np.sin(tau)
        big = np.abs(a) >= 1e-3
        b, tb, ts, sm = a[big], tau[big], tau[~big], a[~big]
        g = np.empty_like(tau)
        g[big] = -np.sin(tb - b) / b + (np.cos(tb - b) - np.cos(tb)) / b**2
        g[~big] = np.cos(ts) / 2 + sm * np.sin(ts) / 3 - sm**2 * np.cos(ts) / 8  # series
        out[i] = g.mean()
    return out


def vortex_gyrotropic_pole_free(gamma: float, mu0Ms: float, beta: float, *,
                                thin: bool = False) -> float:
    """``omega_G`` (rad/ps) of a vortex in a disc of aspect ratio ``beta = L / R`` in the
    side-charge-free ("pole-free", two-vortex) model of Guslienko et al., J. Appl. Phys. 91,
    8037 (2002), with the full thickness dependence of the magnetostatic energy (no
    exchange, a point core). The core displaced by ``X`` turns ``M`` by
    ``dM_r = -X sin(phi) (1/r - r/R^2)`` (zero at the rim): volume charges
    ``-2 Ms X sin(phi) / R^2``, uniform through the thickness, of energy
    ``2 pi mu0 Ms^2 L X^2 F(beta)``,
    ``F(beta) = int_0^inf I(t)^2 f(beta t) dt / t``, ``f(x) = 1 - (1 - e^-x) / x``,
    ``I(t) = int_0^1 J_1(t r) r dr``; against the gyrovector ``2 pi Ms L / gamma``:
    ``omega_G = 2 gamma mu0 Ms F(beta)``. ``thin=True``: ``f(x) = x / 2``, the thin-disc
    limit, ``omega_G = gamma mu0 Ms beta int I^2 dt``, 0.17 % below the paper's
    ``(5 / 9 pi) gamma mu0 Ms beta`` (its ``(20/9) gamma Ms beta``, CGS). The integral is
    taken to ``t = 400`` (step 0.05; the truncation costs about 1e-7 relative)."""
    t = np.linspace(0.0, 400.0, 8001)[1:]
    x = beta * t
    f = x / 2 if thin else 1.0 - (1.0 - np.exp(-x)) / x
    y = np.concatenate([[0.0], _disc_charge_transform(t) ** 2 * f / t])
    F = float(np.sum(0.5 * (y[1:] + y[:-1]) * np.diff(np.concatenate([[0.0], t]))))
    return 2.0 * gamma * mu0Ms * F


# -- extended films (fem_spin.problems.film_dispersion): omega in rad/ps, k in 1/nm ---------


def film_surface_mode(gamma: float, B: float, mu0Ms: float, k: float, d: float) -> float:
    """Damon-Eshbach (J. Phys. Chem. Solids 19, 308 (1961)): the surface mode of an in-plane
    magnetized film (``M0 || B`` in the plane, ``k`` perpendicular to it), no exchange, exact:
    ``omega^2 = omega_H (omega_H + omega_M) + (omega_M^2 / 4)(1 - exp(-2 k d))``
    (``omega_H = gamma B``, ``omega_M = gamma mu0 Ms``; fields T, ``d`` nm)."""
    wH, wM = gamma * B, gamma * mu0Ms
    return float(np.sqrt(wH * (wH + wM) + 0.25 * wM * wM * (1.0 - np.exp(-2.0 * k * d))))


def _x_tan_x(c: float) -> float:
    """The root ``x`` in ``(0, pi/2)`` of ``x tan x = c`` (``c > 0``), by bisection."""
    a, b = 0.0, 0.5 * np.pi
    for _ in range(200):
        m = 0.5 * (a + b)
        if m * np.tan(m) < c:
            a = m
        else:
            b = m
    return 0.5 * (a + b)


def volume_mode_wavenumber(k: float, d: float) -> float:
    """The thickness wave number ``q = 2 x / d`` (1/nm) of the lowest backward- and
    forward-volume modes without exchange (``x tan x = k d / 2``): their out-of-plane (BV) or
    in-plane transverse (FV) magnetization is ``cos(q z)`` across the film."""
    return 2.0 * _x_tan_x(0.5 * k * d) / d


def film_backward_volume(gamma: float, B: float, mu0Ms: float, k: float, d: float) -> float:
    """The lowest backward-volume mode (``M0 || B || k`` in the plane), no exchange, exact:
    Walker's equation ``mu psi'' = k^2 psi`` in the film (``mu = -s^2``, Polder's
    ``1 + kappa``), ``psi = sin(k z / s)`` (odd: the even-in-z magnetization) matched to
    ``exp(-k|z|)`` with ``b_z`` continuous: ``tan(k d / 2 s) = s``, i.e. ``x tan x = k d / 2``
    with ``x = k d / (2 s)``; then ``omega^2 = omega_H^2 + omega_H omega_M / (1 + s^2)``. For
    ``k d -> 0``, ``s^2 -> k d / 2``: Kittel less ``omega_H omega_M k d / 2``."""
    wH, wM = gamma * B, gamma * mu0Ms
    if k * d == 0.0:
        return float(np.sqrt(wH * (wH + wM)))
    x = _x_tan_x(0.5 * k * d)
    s2 = (0.5 * k * d / x) ** 2
    return float(np.sqrt(wH * wH + wH * wM / (1.0 + s2)))


def film_forward_volume(gamma: float, B: float, mu0Ms: float, k: float, d: float) -> float:
    """The lowest forward-volume mode (``M0 || B`` along the normal, ``B > mu0 Ms``), no
    exchange, exact: ``psi'' = mu k^2 psi`` in the film, ``psi = cos(s k z)`` (``mu = -s^2``)
    matched to ``exp(-k|z|)`` with ``psi'`` continuous: ``s tan(s k d / 2) = 1``, i.e.
    ``x tan x = k d / 2`` with ``x = s k d / 2``; then ``omega^2 = omega_i^2 + omega_i omega_M
    / (1 + s^2)`` with the internal ``omega_i = gamma (B - mu0 Ms)``."""
    wi, wM = gamma * (B - mu0Ms), gamma * mu0Ms
    if k * d == 0.0:
        return float(wi)
    x = _x_tan_x(0.5 * k * d)
    s2 = (2.0 * x / (k * d)) ** 2
    return float(np.sqrt(wi * wi + wi * wM / (1.0 + s2)))


def film_decay_rate(geometry: str, gamma: float, B: float, mu0Ms: float, k: float, d: float,
                    alpha: float) -> float:
    """The Gilbert decay rate ``Gamma`` (rad/ps) of the exact exchange-free film modes above,
    to first order in ``alpha``: ``Gamma = alpha omega d omega / d omega_H`` (the
    perturbation of the undamped mode; for Kittel ``alpha (K1 + K2) / 2``). ``geometry``
    ``"DE"``: ``alpha (omega_H + omega_M / 2)``, whatever k; ``"BV"``: ``alpha (omega_H +
    omega_M / (2 (1 + s^2)))``; ``"FV"``: ``alpha (omega_i + omega_M / (2 (1 + s^2)))`` (``s``
    of :func:`film_backward_volume`, :func:`film_forward_volume`; ``B`` the applied field)."""
    wM = gamma * mu0Ms
    if geometry == "DE":
        return alpha * (gamma * B + 0.5 * wM)
    if geometry not in ("BV", "FV"):
        raise ValueError(f"geometry must be DE, BV or FV, got {geometry!r}")
    x = _x_tan_x(0.5 * k * d) if k * d > 0 else 0.0
    if geometry == "BV":
        s2 = (0.5 * k * d / x) ** 2 if x > 0 else 0.0
        return alpha * (gamma * B + 0.5 * wM / (1.0 + s2))
    s2 = (2.0 * x / (k * d)) ** 2 if x > 0 else np.inf
    return alpha * (gamma * (B - mu0Ms) + 0.5 * wM / (1.0 + s2))


def kalinikos_slavin(gamma: float, B_int: float, mu0Ms: float, C_ex: float, k: float,
                     d: float, *, theta: float, phi: float, n: int = 0) -> float:
    """Kalinikos & Slavin (J. Phys. C 19, 7013 (1986)), the diagonal (uniform-profile)
    approximation of the dipole-exchange modes with unpinned surfaces:
    ``omega_n^2 = (omega_H + omega_M l^2 K^2)(omega_H + omega_M l^2 K^2 + omega_M F_nn)`` with
    ``K^2 = k^2 + (n pi / d)^2``, ``omega_M l^2 = gamma C_ex`` (``C_ex = 2 A_ex / Ms``),
    ``omega_H = gamma B_int`` (the INTERNAL field: ``B - mu0 Ms`` for a normal ``M0``) and

        F_nn = P + sin^2(theta) (1 - P (1 + cos^2 phi) + omega_M P (1 - P) sin^2(phi)
               / (omega_H + omega_M l^2 K^2))

    (``theta`` the angle of ``M0`` from the normal, ``phi`` the angle of ``k`` from ``M0``'s
    in-plane projection). ``n = 0``: ``P = 1 - (1 - exp(-k d)) / (k d)``; ``n >= 1`` only at
    ``k = 0`` here (``P_nn = 0``: the standing waves, exact at ``k = 0``). Limits: ``theta
    = pi/2, phi = 0``: ``F = 1 - P`` (backward volume); ``phi = pi/2``: ``omega^2 = Omega
    (Omega + omega_M) + omega_M^2 P (1 - P)``, Damon-Eshbach to O((kd)^2); ``theta = 0``:
    ``F = P`` (forward volume)."""
    if n > 0 and k != 0.0:
        raise ValueError("kalinikos_slavin: the modes n >= 1 are implemented at k = 0 only")
    K2 = k * k + (n * np.pi / d) ** 2
    W = gamma * (B_int + C_ex * K2)
    wM = gamma * mu0Ms
    P = 0.0 if (n > 0 or k * d == 0.0) else 1.0 - (1.0 - np.exp(-k * d)) / (k * d)
    F = P + np.sin(theta) ** 2 * (1.0 - P * (1.0 + np.cos(phi) ** 2)
                                  + wM * P * (1.0 - P) * np.sin(phi) ** 2 / W)
    return float(np.sqrt(W * (W + wM * F)))
