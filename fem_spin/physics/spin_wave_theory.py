"""Closed-form spin-wave frequencies (numpy), the references of the mode solver's tests.

Units: fields T, ``gamma`` rad/(ps T), ``C_ex = 2 A_ex / Ms`` T nm^2, wave numbers 1/nm,
``s`` in rad/ps.
"""

from __future__ import annotations

import numpy as np

__all__ = ["bessel_j", "bessel_jp_zero", "damped_pair", "kittel", "uniform_mode",
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
