"""Typed, self-validating parameters of the magnetization dynamics (S3) and of time stepping.

Units (SI-consistent, with fem_spin's nm and ps): saturation magnetization ``Ms`` in A/m,
exchange stiffness ``A_ex`` in J/m, anisotropy constants in J/m^3, fields in tesla (T),
the gyromagnetic ratio ``gamma`` in rad/(ps T), the s-d torque coupling ``lam_M`` in rad/ps per
A/m of the spin accumulation (``docs/units.md``).
The derived coefficients the UFL forms use are given in T and T nm^2 (see :class:`Magnet`).
``docs/llg-mapping.md`` maps the paper's Eq. 79 onto these conventions.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from fem_spin.errors import InputError
from fem_spin.physics.scales import GAMMA_E, MU0

__all__ = ["GAMMA_E", "MU0", "Magnet", "thin_film_anisotropy"]

_NM2_PER_M2 = 1e18


def thin_film_anisotropy(Ms: float) -> float:
    """The constant ``K`` of the paper's Eq. 12, ``E = (1/2) K int (M . n)^2``, for an
    infinite thin film: the shape anisotropy ``K = mu0 Ms^2`` (J/m^3, ``Ms`` in A/m), i.e. a
    demagnetizing field ``-mu0 Ms (M . n) n`` along the film normal."""
    if not _real(Ms) or Ms <= 0:
        raise InputError(f"Ms must be a positive number (A/m), got {Ms!r}")
    return MU0 * float(Ms) * float(Ms)  # inf (refused by Magnet) rather than OverflowError


def _real(x: Any) -> bool:
    return (isinstance(x, numbers.Real) and not isinstance(x, bool)
            and math.isfinite(float(x)))


def _unit(v: Sequence[float], name: str) -> tuple[float, float, float]:
    try:
        arr = np.asarray(v, dtype=float).ravel()
    except (TypeError, ValueError):
        arr = None
    if arr is None or arr.shape != (3,) or not np.all(np.isfinite(arr)) or not arr.any():
        raise InputError(f"Magnet.{name} must be a non-zero finite 3-vector, got {v!r}")
    return tuple(float(x) for x in arr / np.linalg.norm(arr))  # type: ignore[return-value]


@dataclass(frozen=True, kw_only=True)
class Magnet:
    """Micromagnetic parameters of one magnetic region (the Landau-Lifshitz-Gilbert equation).

    The reduced magnetization ``M`` (|M| = 1, the magnetization is ``Ms M``; M points along
    the magnetic moment, the usual micromagnetic convention) obeys, in tesla and rad/ps,

        d_t M = -gamma M x B_eff + alpha M x d_t M + lam_M M x m

        B_eff = (2 A_ex / Ms) lap M + (2 K_u / Ms)(M . e_u) e_u - (K_d / Ms)(M . n) n + B

    the variational derivative ``B_eff = -(1/Ms) dE/dM`` of the energy density (J/m^3)

        e(M) = A_ex |grad M|^2 - K_u (M . e_u)^2 + (1/2) K_d (M . n)^2 - Ms B . M .

    Attributes:
        Ms: saturation magnetization (A/m), > 0.
        A_ex: exchange stiffness (J/m), >= 0 (permalloy 1.3e-11).
        alpha: Gilbert damping, >= 0.
        gamma: gyromagnetic ratio (rad/(ps T)), > 0; default :data:`GAMMA_E`.
        K_u: uniaxial anisotropy constant (J/m^3); > 0 easy axis, < 0 easy plane.
        easy_axis: the uniaxial axis ``e_u`` (normalised).
        K_d: the hard-axis (thin-film demagnetizing) constant ``K`` of the paper's Eq. 12
            (J/m^3); :func:`thin_film_anisotropy` gives ``mu0 Ms^2`` for a thin film.
        normal: the film normal ``n`` of the Eq. 12 term (normalised).
        lam_M: s-d torque coupling (rad/ps per A/m of the spin accumulation m): the torque
            ``lam_M M x m`` (paper Eq. 79's ``lambda m`` term). None (default): derived by the
            coupled problem from the region's ``Material.lam`` so that the total spin is
            conserved, ``-lam gamma / (gamma_e Ms)``
            (:func:`fem_spin.physics.magnetization.conserving_torque_coupling`); a number is
            an expert override (a warning says that spin is then not conserved).
    """

    Ms: float
    A_ex: float = 0.0
    alpha: float = 0.0
    gamma: float = GAMMA_E
    K_u: float = 0.0
    easy_axis: tuple[float, float, float] = (0.0, 0.0, 1.0)
    K_d: float = 0.0
    normal: tuple[float, float, float] = (0.0, 0.0, 1.0)
    lam_M: float | None = None

    def __post_init__(self) -> None:
        for name in ("Ms", "A_ex", "alpha", "gamma", "K_u", "K_d", "lam_M"):
            if name == "lam_M" and self.lam_M is None:
                continue
            if not _real(getattr(self, name)):
                raise InputError(f"Magnet.{name} must be a finite number, got "
                                 f"{getattr(self, name)!r}")
        for name, unit in (("Ms", "A/m"), ("gamma", "rad/(ps T)")):
            if getattr(self, name) <= 0:
                raise InputError(f"Magnet.{name} must be positive ({unit}), got "
                                 f"{getattr(self, name)!r}")
        for name, unit in (("A_ex", "J/m"), ("alpha", "")):
            if getattr(self, name) < 0:
                raise InputError(f"Magnet.{name} must be >= 0{' (' + unit + ')' if unit else ''}"
                                 f", got {getattr(self, name)!r}")
        object.__setattr__(self, "easy_axis", _unit(self.easy_axis, "easy_axis"))
        object.__setattr__(self, "normal", _unit(self.normal, "normal"))

    @property
    def exchange_coefficient(self) -> float:
        """``2 A_ex / Ms`` in T nm^2 (the exchange field is this times lap M, lap in 1/nm^2)."""
        return 2.0 * self.A_ex / self.Ms * _NM2_PER_M2

    @property
    def anisotropy_field(self) -> float:
        """``B_K = 2 K_u / Ms`` (T)."""
        return 2.0 * self.K_u / self.Ms

    @property
    def hard_axis_field(self) -> float:
        """``B_D = K_d / Ms`` (T): the Eq. 12 field is ``-B_D (M . n) n``."""
        return self.K_d / self.Ms

    @property
    def wall_width(self) -> float:
        """Bloch-wall width parameter ``sqrt(A_ex / K_u)`` in nm (needs K_u > 0)."""
        if self.K_u <= 0:
            raise InputError("the wall width sqrt(A_ex/K_u) needs an easy axis (K_u > 0)")
        return math.sqrt(self.A_ex / self.K_u) * 1e9

    @property
    def exchange_length(self) -> float:
        """``sqrt(2 A_ex / (mu0 Ms^2))`` in nm."""
        return math.sqrt(2.0 * self.A_ex / (MU0 * self.Ms**2)) * 1e9
