"""Closed-form spin-wave frequencies (numpy), the references of the mode solver's tests.

Units: fields T, ``gamma`` rad/(ps T), ``C_ex = 2 A_ex / Ms`` T nm^2, wave numbers 1/nm,
``s`` in rad/ps.
"""

from __future__ import annotations

import numpy as np

__all__ = ["bessel_j", "bessel_jp_zero", "damped_pair", "kittel", "uniform_mode"]


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
