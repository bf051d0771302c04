"""Exact solutions used by the verification tests (shared/physics.md, 'Exact solutions')."""

from __future__ import annotations

import numpy as np


def uniform_field_1d(a: float, l_sf: float, L: float, m_left, m_right):
    """S1 on [0, L] with H = (a/tau) z, equal tau and D, m_eq = 0, Dirichlet data at both ends.

    m_z'' = m_z / l_sf^2 and m_+ = m_x + i m_y obeys m_+'' = (1 + i a)^2 m_+ / l_sf^2, so
    m = [m(0) sinh(k (L - x)) + m(L) sinh(k x)] / sinh(k L) with k = 1/l_sf (z) or
    (1 + i a)/l_sf (transverse). Returns a callable x -> array (3, N).
    """
    m_left, m_right = np.asarray(m_left, float), np.asarray(m_right, float)
    k_z, k_p = 1.0 / l_sf, (1.0 + 1j * a) / l_sf

    def profile(k, left, right, x):
        return (left * np.sinh(k * (L - x)) + right * np.sinh(k * x)) / np.sinh(k * L)

    def m(x: np.ndarray) -> np.ndarray:
        s = x[0]
        mp = profile(k_p, m_left[0] + 1j * m_left[1], m_right[0] + 1j * m_right[1], s)
        mz = profile(k_z, m_left[2], m_right[2], s)
        return np.stack([mp.real, mp.imag, np.real(mz)])

    return m


def rates(h, errors) -> np.ndarray:
    """Observed convergence rates log(e_i/e_{i+1}) / log(h_i/h_{i+1})."""
    h, e = np.asarray(h, float), np.asarray(errors, float)
    return np.log(e[:-1] / e[1:]) / np.log(h[:-1] / h[1:])
