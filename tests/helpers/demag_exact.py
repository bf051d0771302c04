"""Exact demagnetizing factors (magnetometric: the volume-averaged field of uniform M).

- Ellipsoids of revolution: J. A. Osborn, Phys. Rev. 67 (1945) 351, Eqs. (2.6)-(2.9) (the
  field inside an ellipsoid is uniform, so the factor is exact and point-wise).
- Cylinders along z: the Fourier form of the magnetometric factor, ``N_zz = (2/t)
  int_0^inf J1(q a)^2 (1 - exp(-q t)) / q^2 dq`` (radius a, thickness t; it gives 0.3116 for
  t = 2a, the value tabulated by D.-X. Chen, J. A. Brug, R. B. Goldfarb, IEEE Trans. Magn. 27
  (1991) 3601; the limits 1 (t -> 0) and 8a/(3 pi t) (t -> inf)).
- The cube: N = 1/3 by symmetry (the trace of N is 1), so ``E = mu0 Ms^2 V / 6``.
- The sphere of radius R, uniform Ms M: ``u = Ms M.x / 3`` inside, the dipole
  ``u = Ms R^3 M.x / (3 |x|^3)`` outside.
"""

from __future__ import annotations

import numpy as np

__all__ = ["cylinder_nzz", "oblate_axial", "prolate_axial", "sphere_potential"]


def prolate_axial(m: float) -> float:
    """N along the long axis of a prolate spheroid with axis ratio m = a/b > 1 (Osborn)."""
    s = np.sqrt(m * m - 1.0)
    return (m / s * np.log(m + s) - 1.0) / (m * m - 1.0)


def oblate_axial(m: float) -> float:
    """N along the short (symmetry) axis of an oblate spheroid, m = a/c > 1 (Osborn)."""
    s = np.sqrt(m * m - 1.0)
    return m * m / (m * m - 1.0) * (1.0 - np.arcsin(s / m) / s)


def _j1(x: np.ndarray) -> np.ndarray:
    """Bessel J1 by its integral ``(1/pi) int_0^pi cos(tau - x sin tau)`` (trapezoid:
    exponentially accurate for x < ~300 with 401 points)."""
    tau = np.linspace(0.0, np.pi, 401)
    w = np.full(tau.size, 1.0)
    w[0] = w[-1] = 0.5
    out = np.empty_like(x)
    for k in range(0, len(x), 20000):
        out[k:k + 20000] = np.cos(tau[None, :] - np.outer(x[k:k + 20000], np.sin(tau))) @ w
    return out * (tau[1] - tau[0]) / np.pi


def cylinder_nzz(radius: float, thickness: float) -> float:
    """The magnetometric axial factor of a cylinder (Simpson on q a in [0, 400], plus the
    tail of the integrand's mean ``1 / (pi q a)``; about 1e-6 absolute)."""
    a, t = float(radius), float(thickness)
    q = np.linspace(1e-9, 400.0 / a, 200001)
    f = _j1(q * a) ** 2 * (-np.expm1(-q * t)) / q**2
    h = q[1] - q[0]
    integral = h / 3 * (f[0] + f[-1] + 4 * f[1:-1:2].sum() + 2 * f[2:-1:2].sum())
    tail = 1.0 / (np.pi * a) / (2.0 * (400.0 / a) ** 2)
    return 2.0 / t * (integral + tail)


def sphere_potential(x: np.ndarray, R: float, Ms_M) -> np.ndarray:
    """The exact potential (A/m x nm) of a uniformly magnetized sphere at points ``x`` (3, N)."""
    p = np.asarray(Ms_M, dtype=float)
    r = np.linalg.norm(x, axis=0)
    return np.where(r <= R, p @ x / 3.0, R**3 * (p @ x) / (3.0 * np.maximum(r, 1e-300) ** 3))
