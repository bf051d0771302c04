"""Parameters of charge transport: conductors, N/F interfaces, electrodes.

Units: conductivity S/m, resistance-area products fOhm m^2 (1e-15 Ohm m^2, the unit of CPP
experiments), conductances per area 1/(fOhm m^2) (1e15 / (Ohm m^2)), potentials V, current
densities A/m^2, lengths nm (``docs/charge-transport.md``).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

from fem_spin.errors import InputError
from fem_spin.parameters.transport import Material

__all__ = ["FEMTO", "Electrode", "Interface", "conductor"]

FEMTO = 1e-15
"""1 fOhm m^2 in Ohm m^2."""


def _real(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool) and math.isfinite(x)


def conductor(*, sigma: float, l_sf: float, D: float, beta: float = 0.0, **kw: Any) -> Material:
    """A :class:`Material` from a conductivity (S/m), spin asymmetry and the measured spin
    diffusion length ``l_sf`` (nm): ``tau = l_sf^2 / ((1 - beta^2) D)``, the relaxation time
    that makes the longitudinal decay length of the charge + spin model ``l_sf`` (its
    longitudinal diffusion constant is ``(1 - beta^2) D``)."""
    if not _real(l_sf) or l_sf <= 0:
        raise InputError(f"l_sf must be a positive length in nm, got {l_sf!r}")
    if not _real(D) or D <= 0:
        raise InputError(f"D must be a positive diffusion constant in nm^2/ps, got {D!r}")
    if not _real(beta) or not abs(beta) < 1:
        raise InputError(f"beta must satisfy |beta| < 1, got {beta!r}")
    return Material(D=D, tau=l_sf**2 / ((1 - beta**2) * D), sigma=sigma, beta=beta, **kw)


@dataclass(frozen=True, kw_only=True)
class Interface:
    """An interface between two regions: the internal facets tagged ``tag``.

    Attributes:
        tag: facet tag of the interface (interior facets between exactly two regions).
        AR: Valet-Fert's interface resistance ``AR*`` (fOhm m^2): the spin channels have
            ``AR_(up/down) = 2 AR* (1 -/+ gamma)``, the interface ``AR* (1 - gamma^2)``.
        gamma: interface spin asymmetry, ``|gamma| < 1``.
        G_mix: spin-mixing conductance per spin channel ``G_r + i G_i`` (1/(fOhm m^2)), a
            complex number or ``(G_r, G_i)``; None: ``G / 2`` with ``G = 1 / (AR* (1 -
            gamma^2))``, the value of a non-magnetic interface. It governs the spin current
            transverse to M (magnetoelectronic circuit theory).
        delta: interface spin flip (Bass-Pratt's delta = t / l_sf of the interfacial layer):
            a spin-flip conductance ``delta^2 / AR*`` lumped on the two sides.
        magnet: the cell tag of the magnetic side, whose M sets the axis of gamma and G_mix;
            None: the side whose material has ``beta != 0`` or ``lam != 0`` (a normal/normal
            interface when neither has).
    """

    tag: int
    AR: float
    gamma: float = 0.0
    G_mix: complex | tuple[float, float] | None = None
    delta: float = 0.0
    magnet: int | None = None

    def __post_init__(self) -> None:
        own = f"Interface(tag={self.tag!r})"
        if isinstance(self.tag, bool) or not isinstance(self.tag, numbers.Integral):
            raise InputError(f"{own}: the facet tag must be an integer")
        if not _real(self.AR) or self.AR <= 0:
            raise InputError(f"{own}.AR must be a positive resistance-area product in fOhm m^2, "
                             f"got {self.AR!r}")
        if not _real(self.gamma) or not abs(self.gamma) < 1:
            raise InputError(f"{own}.gamma must satisfy |gamma| < 1, got {self.gamma!r}")
        if not _real(self.delta) or self.delta < 0:
            raise InputError(f"{own}.delta must be >= 0, got {self.delta!r}")
        if self.G_mix is not None:
            g = self.G_mix
            try:
                g = complex(*g) if isinstance(g, tuple | list) else complex(g)
            except (TypeError, ValueError):
                raise InputError(f"{own}.G_mix must be a complex number or (G_r, G_i) in "
                                 f"1/(fOhm m^2), got {self.G_mix!r}") from None
            if not (math.isfinite(g.real) and math.isfinite(g.imag)) or g.real < 0:
                raise InputError(f"{own}.G_mix must have a finite, non-negative real part "
                                 f"G_r (1/(fOhm m^2)), got {self.G_mix!r}")
            object.__setattr__(self, "G_mix", g)
        if self.magnet is not None and (isinstance(self.magnet, bool)
                                        or not isinstance(self.magnet, numbers.Integral)):
            raise InputError(f"{own}.magnet must be a cell tag (integer) or None")

    @property
    def G(self) -> float:
        """Interface conductance per area (1/(Ohm m^2))."""
        return 1.0 / (self.AR * FEMTO * (1.0 - self.gamma**2))

    @property
    def mixing(self) -> tuple[float, float]:
        """``(G_r, G_i)`` in 1/(Ohm m^2)."""
        if self.G_mix is None:
            return self.G / 2, 0.0
        return self.G_mix.real / FEMTO, self.G_mix.imag / FEMTO

    @property
    def G_sf(self) -> float:
        """Interface spin-flip conductance per area ``delta^2 / AR*`` (1/(Ohm m^2))."""
        return self.delta**2 / (self.AR * FEMTO)


@dataclass(frozen=True, kw_only=True)
class Electrode:
    """A contact on the boundary facets tagged ``tag``: a fixed potential ``voltage`` (V) or a
    current ``current_density`` (A/m^2, into the device). The contact is a spin reservoir
    (``mu = 0``) unless ``spin_reservoir=False`` (no spin current through it)."""

    tag: int
    voltage: float | None = None
    current_density: float | None = None
    spin_reservoir: bool = True

    def __post_init__(self) -> None:
        own = f"Electrode(tag={self.tag!r})"
        if isinstance(self.tag, bool) or not isinstance(self.tag, numbers.Integral):
            raise InputError(f"{own}: the facet tag must be an integer")
        if (self.voltage is None) == (self.current_density is None):
            raise InputError(f"{own}: give exactly one of voltage (V) or current_density "
                             "(A/m^2)")
        value = self.voltage if self.current_density is None else self.current_density
        if not _real(value):
            raise InputError(f"{own}: the voltage or current density must be a finite number, "
                             f"got {value!r}")
