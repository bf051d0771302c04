"""Typed, self-validating parameters of the spin-transport model.

Units: lengths nm, times ps, diffusion constants nm^2/ps, fields rad/ps (see
:mod:`fem_spin.physics.spin_diffusion`).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fem_spin.errors import InputError
from fem_spin.physics import scales

__all__ = ["Dirichlet", "Flux", "Material", "as_triple"]


def as_triple(value: float | Sequence[float], name: str) -> tuple[float, float, float]:
    """A scalar or 3-sequence as a tuple of three floats (raises InputError otherwise)."""
    if _is_real(value):
        t: tuple[float, ...] = (float(value),) * 3
    else:
        try:
            if isinstance(value, str | bytes):
                raise TypeError
            items = list(value)  # type: ignore[arg-type]
            if not all(_is_real(x) for x in items):
                raise TypeError
        except TypeError:
            raise InputError(f"{name} must be a number or three numbers, got {value!r}") from None
        t = tuple(float(x) for x in items)
        if len(t) != 3:
            raise InputError(f"{name} must be a number or three numbers (x, y, z), got {len(t)} "
                             f"numbers: {value!r}")
    if not all(math.isfinite(x) for x in t):
        raise InputError(f"{name} must be finite, got {t}")
    return t  # type: ignore[return-value]


def _is_real(x: Any) -> bool:
    """A real number (Python or numpy scalar, 0-d array), not a bool."""
    if isinstance(x, bool | np.bool_):
        return False
    if isinstance(x, np.ndarray):
        return x.ndim == 0 and np.issubdtype(x.dtype, np.number) and np.isrealobj(x)
    return isinstance(x, numbers.Real)


def _check_tag(tag: Any, owner: str) -> int:
    if isinstance(tag, bool | np.bool_) or not isinstance(tag, numbers.Integral):
        raise InputError(f"{owner}: the facet tag must be an integer, got {tag!r}")
    return int(tag)


def _check_vector_value(value: Any, owner: str, allow_callable: bool) -> None:
    """A boundary value: a UFL 3-vector (anything with ``ufl_shape``), a callable (if allowed)
    or a constant finite 3-vector."""
    kinds = ("a constant 3-vector, a callable x -> (3, N) array or a UFL 3-vector expression"
             if allow_callable else "a constant 3-vector or a UFL 3-vector expression")
    if hasattr(value, "ufl_shape"):
        if tuple(value.ufl_shape) != (3,):
            raise InputError(f"{owner}.value must be {kinds}, got UFL shape {value.ufl_shape}")
        return
    if callable(value):
        if not allow_callable:
            raise InputError(f"{owner}.value must be {kinds} (interpolate a callable into a "
                             f"Function first), got {value!r}")
        return
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        arr = None
    if arr is None or arr.shape != (3,) or not np.all(np.isfinite(arr)):
        raise InputError(f"{owner}.value must be {kinds}, got {value!r}")


@dataclass(frozen=True, kw_only=True)
class Material:
    """Transport parameters of one region (paper Eq. 66-74).

    Attributes:
        D: diffusion constant(s) ``D_p`` in nm^2/ps; one number or (D_x, D_y, D_z).
            The paper's 1e-3 m^2/s is 1e3 nm^2/ps.
        tau: spin relaxation time(s) ``tau_k`` in ps; one number or (tau_x, tau_y, tau_z).
        lam: s-d coupling ``lambda`` in rad/ps: ``H = B + lam * M`` with M reduced (|M| <= 1).
        m0: equilibrium accumulation (A/m) per unit reduced magnetization: ``m_eq = m0 * M``.
        tau_A: the time in the precession matrix ``A(H) = I + tau_A [H]x`` of Eq. 73 (ps; one
            number or three), None (default): ``tau``, as in the paper. The moment equation
            behind Eq. 71, ``J / tau_p + H x J = -(v_F^2 / 3) grad m``, puts the momentum
            time there; a short ``tau_A`` absorbs the transverse accumulation within
            nanometres (Zhang-Levy-Fert), ``docs/transverse-relaxation.md``.
        sigma: electrical conductivity (S/m; 1/sigma in Ohm m, 1 microOhm cm = 1e-8 Ohm m) for
            the charge-transport problem (:class:`fem_spin.ChargeSpinTransport`); None: the
            region carries no charge current (the spin-only problems ignore it).
        beta: bulk spin asymmetry of the conductivity, ``sigma_(up/down) = sigma (1 +/- beta)
            / 2`` along M (Valet-Fert's beta), ``|beta| < 1``; 0 in a normal metal.
    """

    D: float | tuple[float, float, float]
    tau: float | tuple[float, float, float]
    lam: float = 0.0
    m0: float = 0.0
    tau_A: float | tuple[float, float, float] | None = None
    sigma: float | None = None
    beta: float = 0.0

    def __post_init__(self) -> None:
        if self.sigma is not None and (not _is_real(self.sigma) or not math.isfinite(self.sigma)
                                       or self.sigma <= 0):
            raise InputError(f"Material.sigma must be a positive conductivity in S/m, got "
                             f"{self.sigma!r} (a resistivity rho in Ohm m is sigma = 1/rho)")
        if not _is_real(self.beta) or not abs(self.beta) < 1:
            raise InputError(f"Material.beta must be a spin asymmetry with |beta| < 1, got "
                             f"{self.beta!r}: beta = (sigma_up - sigma_down) / sigma")
        for name in ("D", "tau", "tau_A"):
            if getattr(self, name) is None:
                continue
            t = as_triple(getattr(self, name), f"Material.{name}")
            if min(t) <= 0:
                raise InputError(
                    f"Material.{name} must be positive, got {getattr(self, name)!r} "
                    f"({'nm^2/ps' if name == 'D' else 'ps'})"
                )
        if self.tau_A is not None and any(a > t for a, t in zip(
                as_triple(self.tau_A, "Material.tau_A"), self.tau3, strict=True)):
            raise InputError(f"Material.tau_A = {self.tau_A!r} ps exceeds tau = {self.tau!r} ps: "
                             "tau_A is the momentum (transverse) time, and a spin cannot flip "
                             "more often than the electron scatters; give tau_A <= tau")
        for name in ("lam", "m0"):
            x = getattr(self, name)
            if not _is_real(x) or not math.isfinite(x):
                raise InputError(f"Material.{name} must be a finite number, got {x!r}")

    @classmethod
    def from_spin_diffusion_length(cls, *, l_sf: float, D: float, **kw: Any) -> Material:
        """Material with ``tau = l_sf^2 / D`` (l_sf in nm, D in nm^2/ps)."""
        if l_sf <= 0:
            raise InputError(f"l_sf must be positive (nm), got {l_sf!r}")
        return cls(D=D, tau=scales.relaxation_time(l_sf, D), **kw)

    @property
    def D3(self) -> tuple[float, float, float]:
        return as_triple(self.D, "D")

    @property
    def tau3(self) -> tuple[float, float, float]:
        return as_triple(self.tau, "tau")

    @property
    def tau_A3(self) -> tuple[float, float, float]:
        """The times in ``A(H)`` per component (``tau`` unless ``tau_A`` is given)."""
        return self.tau3 if self.tau_A is None else as_triple(self.tau_A, "tau_A")

    @property
    def l_sf(self) -> tuple[float, float, float]:
        """Spin-diffusion lengths ``sqrt((1 - beta^2) D_k tau_k)`` (nm), per component (``beta``
        is 0 unless the material conducts a spin-polarized charge current,
        ``docs/charge-transport.md``)."""
        return tuple(scales.spin_diffusion_length((1 - self.beta**2) * d, t)  # type: ignore
                     for d, t in zip(self.D3, self.tau3, strict=True))

    def transverse_wavelength(self, H: float | None = None) -> float:
        """Wavelength ``2 pi l_sf / a`` (nm) of the transverse accumulation in a uniform field
        of magnitude ``H`` (rad/ps; default ``|lam|``, the exchange field of a saturated
        magnetization without external field); with unequal ``D_p`` / ``tau_k`` the shortest
        (smallest ``D_p``, largest ``tau_k``); ``inf`` for ``H = 0``."""
        H = abs(self.lam) if H is None else H
        if not _is_real(H) or not math.isfinite(H):
            raise InputError(f"H must be a finite field magnitude in rad/ps, got {H!r}")
        if self.tau_A is not None:
            return scales.transverse_lengths(min(self.D3), max(self.tau3), max(self.tau_A3),
                                             H)[1]
        tau = max(self.tau3)
        return scales.transverse_wavelength(scales.spin_diffusion_length(min(self.D3), tau),
                                            scales.coupling_strength(tau, H))

    @property
    def isotropic(self) -> bool:
        """All ``tau_k``, ``tau_A`` and ``D_p`` equal per kind (the closed-form,
        rotation-covariant case)."""
        return len(set(self.tau3)) == 1 and len(set(self.D3)) == 1 and len(set(self.tau_A3)) == 1


BoundaryValue = Sequence[float] | Callable[..., Any] | Any  # constant, x -> (3, N) array, or UFL


@dataclass(frozen=True)
class Dirichlet:
    """Prescribed spin accumulation on the facets tagged ``tag``.

    Attributes:
        tag: facet tag.
        value: a constant 3-vector, a callable ``x -> array (3, N)``, or a UFL 3-vector expression.
        components: which components of m are prescribed (others stay free; combine with
            :class:`Flux` to prescribe their spin current).
    """

    tag: int
    value: BoundaryValue
    components: tuple[int, ...] = field(default=(0, 1, 2))

    def __post_init__(self) -> None:
        owner = f"Dirichlet(tag={self.tag!r})"
        object.__setattr__(self, "tag", _check_tag(self.tag, owner))
        comps = self.components
        if isinstance(comps, numbers.Integral) and not isinstance(comps, bool):
            comps = (comps,)
        try:
            comps = tuple(comps)
        except TypeError:
            comps = ()
        if (
            not comps
            or any(isinstance(c, bool) or not isinstance(c, numbers.Integral) for c in comps)
            or any(int(c) not in (0, 1, 2) for c in comps)
            or len(set(comps)) != len(comps)
        ):
            raise InputError(
                f"{owner}.components must be distinct spin components out of (0, 1, 2) "
                f"(x, y, z), got {self.components!r}"
            )
        object.__setattr__(self, "components", tuple(int(c) for c in comps))
        _check_vector_value(self.value, owner, allow_callable=True)


@dataclass(frozen=True)
class Flux:
    """Spin current ``g = -J n`` injected through the facets tagged ``tag`` (A/m x nm/ps).

    Attributes:
        tag: facet tag.
        value: a constant 3-vector or a UFL 3-vector expression.
    """

    tag: int
    value: BoundaryValue

    def __post_init__(self) -> None:
        owner = f"Flux(tag={self.tag!r})"
        object.__setattr__(self, "tag", _check_tag(self.tag, owner))
        _check_vector_value(self.value, owner, allow_callable=False)
