"""S4: the magnetization fluctuations of the paper's Sec. V (Eq. 82-86) as pure UFL.

For a uniform unit magnetization ``M`` (strong exchange, small field) the correlation
``C = M^{xk}_{ab}(y, z)`` (a complex 3-vector field in ``y`` for fixed ``k``, ``z``) obeys
(Eq. 84; ``physics.md`` S4)

    d_t C - (M . d_t C) M = -M x (J0 C + (J2/2) lap C) + i eps n_k x M           (as written)

with the moments of the exchange kernel (Eq. 85-86) ``J0 = int J(r) dr`` (rad/ps) and
``J2 = (1/3) int J(r) |r|^2 dr`` (rad/ps nm^2). Eq. 82 is Eq. 79 linearized with the
mean-field term ``dM x J0 M`` dropped; restored (``restored=True``) the ``J0`` terms cancel and
a field ``B = b M`` (``b`` in rad/ps, the precession rate of the field) enters:

    d_t C - (M . d_t C) M = -M x ((J2/2) lap C - b C) + i eps n_k x M              (restored)

With ``M = z`` and ``u = C_x + i C_y`` a plane wave ``u ~ exp(i (k x - omega t))`` has
``omega = J0 - J2 k^2 / 2`` (as written: a gap J0, zero at ``k^2 = 2 J0 / J2``) and
``omega = -(b + J2 k^2 / 2)`` (restored: gapless at ``b = 0``; the sign of Eq. 82's time
convention, opposite to Eq. 79's ``d_t M = M x B``). Eq. 84 as written is therefore the
restored form in a field ``b = -J0``.

The projection leaves the longitudinal part ``M . C`` undetermined; it is fixed by ``M . C = 0``
(the fluctuations are transverse), imposed at the new time level. Real arithmetic: ``C = C_r +
i C_i``; the real coefficients do not mix the parts, the source ``i eps n_k x M`` drives ``C_i``.
The operator is skew: ``(M x C, C) = 0`` and ``(grad C, grad(C x M)) = 0`` pointwise, so the
implicit midpoint rule conserves ``||C||^2`` without source (to the solver tolerance) and
``||C||^2`` changes by ``2 dt (s, C_mid)`` per step with a source ``s``.

Exchange moments from ``A_ex`` (:func:`moments_from_exchange`): the continuum exchange
precession ``gamma C_ex lap M`` (``C_ex = 2 A_ex / Ms``, T nm^2) is Eq. 79's ``(J2/2) lap M``,
so ``J2 = 2 gamma C_ex``; ``J0`` needs the kernel's range ``l``: ``J0 = J2 / l^2`` (a Gaussian
kernel of width ``l``; nearest neighbours on a simple cubic lattice of constant ``a``:
``l^2 = a^2 / 3``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import ufl

__all__ = ["fluctuation_residual", "kernel_moments", "moments_from_exchange",
           "plane_wave_frequency", "precession_coefficient", "source_term"]


def moments_from_exchange(C_ex: float, gamma: float, range_nm: float) -> tuple[float, float]:
    """``(J0, J2)`` in (rad/ps, rad/ps nm^2) from the exchange coefficient ``C_ex`` (T nm^2),
    ``gamma`` (rad/(ps T)) and the kernel range ``l`` (nm): ``J2 = 2 gamma C_ex``,
    ``J0 = J2 / l^2``."""
    J2 = 2.0 * gamma * C_ex
    return J2 / range_nm ** 2, J2


def kernel_moments(J: Callable[[np.ndarray], np.ndarray], r_max: float, n: int = 4000
                   ) -> tuple[float, float]:
    """Eq. 85-86 for an isotropic kernel ``J(r)`` (rad/ps per nm^3, numpy): ``J0 = int 4 pi r^2
    J dr``, ``J2 = (1/3) int 4 pi r^4 J dr`` (midpoint rule on ``[0, r_max]`` nm)."""
    r = (np.arange(n) + 0.5) * r_max / n
    w = 4.0 * np.pi * r ** 2 * J(r) * r_max / n
    return float(np.sum(w)), float(np.sum(w * r ** 2) / 3.0)


def precession_coefficient(J0, b, restored: bool):
    """The coefficient ``g`` of ``-M x (g C)``: ``J0`` as written, ``-b`` restored."""
    return -b if restored else J0


def plane_wave_frequency(k, J0: float, J2: float, b: float = 0.0, restored: bool = False):
    """``omega(k)`` (rad/ps) of ``u = C_x + i C_y ~ exp(i (k x - omega t))`` about ``M = z``."""
    return -(b + 0.5 * J2 * k ** 2) if restored else J0 - 0.5 * J2 * k ** 2


def source_term(eps, k: int, M):
    """The source ``eps n_k x M`` of the imaginary part (Eq. 84; ``n_k`` the k-th unit
    vector)."""
    n = ufl.as_vector([1.0 if i == k else 0.0 for i in range(3)])
    return eps * ufl.cross(n, M)


def fluctuation_residual(C, C_n, v, *, M, dt, g, J2, dx, source=None):
    """Implicit-midpoint residual of one real part of Eq. 84 (units 1/ps x nm^3)::

        (P (C - C_n)/dt, v) + (M . C)(M . v) + (g M x C_mid, v)
            - (J2/2)(grad C_mid, grad(v x M)) - (source, v)

    with ``P = I - M M^T``, ``C_mid = (C + C_n)/2``, ``g`` from :func:`precession_coefficient`
    and ``M`` uniform (the weak form of ``M x lap C`` uses ``grad M = 0``; no boundary term:
    periodic or free boundaries)."""
    dC = (C - C_n) / dt
    C_mid = 0.5 * (C + C_n)
    R = (ufl.inner(dC - ufl.dot(M, dC) * M, v) + ufl.dot(M, C) * ufl.dot(M, v)
         + g * ufl.inner(ufl.cross(M, C_mid), v)
         - 0.5 * J2 * ufl.inner(ufl.grad(C_mid), ufl.grad(ufl.cross(v, M)))) * dx
    if source is not None:
        R -= ufl.inner(source, v) * dx
    return R
