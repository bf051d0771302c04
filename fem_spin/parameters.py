"""Typed, self-validating parameters of the spin-transport model.

Units: lengths nm, times ps, diffusion constants nm^2/ps, fields rad/ps (see
:mod:`fem_spin.physics`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fem_spin.errors import InputError

__all__ = ["Material", "Dirichlet", "Flux", "as_triple"]


def as_triple(value: float | Sequence[float], name: str) -> tuple[float, float, float]:
    """A scalar or 3-sequence as a tuple of three floats (raises InputError otherwise)."""
    try:
        if isinstance(value, int | float):
            t = (float(value),) * 3
        else:
            t = tuple(float(x) for x in value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number or three numbers, got {value!r}") from None
    if len(t) != 3:
        raise InputError(f"{name} must be a number or three numbers (x, y, z), got {len(t)}")
    if not all(math.isfinite(x) for x in t):
        raise InputError(f"{name} must be finite, got {t}")
    return t  # type: ignore[return-value]


@dataclass(frozen=True, kw_only=True)
class Material:
    """Transport parameters of one region (paper Eq. 66-74).

    Attributes:
        D: diffusion constant(s) ``D_p`` in nm^2/ps; one number or (D_x, D_y, D_z).
            The paper's 1e-3 m^2/s is 1e3 nm^2/ps.
        tau: spin relaxation time(s) ``tau_k`` in ps; one number or (tau_x, tau_y, tau_z).
        lam: s-d coupling ``lambda`` in rad/ps: ``H = B + lam * M`` with M reduced (|M| <= 1).
        m0: equilibrium accumulation per unit reduced magnetization: ``m_eq = m0 * M``.
    """

    D: float | tuple[float, float, float]
    tau: float | tuple[float, float, float]
    lam: float = 0.0
    m0: float = 0.0

    def __post_init__(self) -> None:
        for name in ("D", "tau"):
            t = as_triple(getattr(self, name), f"Material.{name}")
            if min(t) <= 0:
                raise InputError(
                    f"Material.{name} must be positive, got {getattr(self, name)!r} "
                    f"({'nm^2/ps' if name == 'D' else 'ps'})"
                )
        for name in ("lam", "m0"):
            x = getattr(self, name)
            if not isinstance(x, int | float) or not math.isfinite(x):
                raise InputError(f"Material.{name} must be a finite number, got {x!r}")

    @classmethod
    def from_spin_diffusion_length(cls, *, l_sf: float, D: float, **kw: Any) -> Material:
        """Material with ``tau = l_sf^2 / D`` (l_sf in nm, D in nm^2/ps)."""
        if l_sf <= 0:
            raise InputError(f"l_sf must be positive (nm), got {l_sf!r}")
        return cls(D=D, tau=l_sf**2 / D, **kw)

    @property
    def D3(self) -> tuple[float, float, float]:
        return as_triple(self.D, "D")

    @property
    def tau3(self) -> tuple[float, float, float]:
        return as_triple(self.tau, "tau")

    @property
    def isotropic(self) -> bool:
        """All ``tau_k`` equal and all ``D_p`` equal (the closed-form, rotation-covariant case)."""
        return len(set(self.tau3)) == 1 and len(set(self.D3)) == 1


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
        if not self.components or any(c not in (0, 1, 2) for c in self.components):
            raise InputError(
                f"Dirichlet(tag={self.tag}).components must be a non-empty subset of (0, 1, 2), "
                f"got {self.components!r}"
            )


@dataclass(frozen=True)
class Flux:
    """Spin current ``g = -J n`` injected through the facets tagged ``tag`` (nm/ps units of m).

    Attributes:
        tag: facet tag.
        value: a constant 3-vector or a UFL 3-vector expression.
    """

    tag: int
    value: BoundaryValue
