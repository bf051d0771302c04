"""The scales of the spin transport and the physical constants: the one home of l_sf, a and
the transverse wavelength (plain numbers; :mod:`fem_spin.core.linear_solvers` evaluates the
wavenumber over a mesh with the same formula in UFL).

Units: lengths nm, times ps, ``D`` nm^2/ps, fields ``H`` rad/ps.

* spin-diffusion length ``l_sf = sqrt(D tau)``;
* coupling strength ``a = tau |H|`` (the precession angle per relaxation time);
* the transverse accumulation ``m_+ = m_x + i m_y`` about a uniform ``H`` (equal ``D``, ``tau``)
  sees the diffusion tensor ``D / (1 + i a)`` and obeys ``-lap m_+ + (1 + i a)^2 / l_sf^2 m_+ = 0``:
  ``m_+ ~ exp(-(1 + i a) x / l_sf)`` decays over ``l_sf`` and oscillates with the wavelength
  ``2 pi l_sf / a`` (the wavenumber magnitude is ``|1 + i a| / l_sf``,
  :func:`fem_spin.core.linear_solvers.max_wavenumber` evaluates it over a mesh);
* with a separate time ``tau_A`` in ``A(H)`` (:class:`fem_spin.Material`), the transverse
  wavenumber is ``k = sqrt((1 + i tau_A |H|)(1 / tau + i |H|) / D)``
  (:func:`transverse_wavenumber`): decay length ``1 / Re k``, wavelength ``2 pi / Im k``.
  For ``tau_A -> 0`` it tends to the Zhang-Levy-Fert form
  ``k^2 = 1 / l_sf^2 + i / l_J^2`` with the precession length ``l_J = sqrt(D / |H|)``;
* a mesh of cell size ``h`` resolves it with ``wavelength / h`` cells per wavelength.
"""

from __future__ import annotations

import math

__all__ = [
    "GAMMA_E",
    "MU0",
    "MU_B_OVER_E",
    "cells_per_wavelength",
    "coupling_strength",
    "relaxation_time",
    "spin_current",
    "spin_diffusion_length",
    "transverse_lengths",
    "transverse_wavelength",
    "transverse_wavenumber",
]

GAMMA_E = 0.1760859627
"""Electron gyromagnetic ratio |gamma_e| = 1.760859627e11 rad/(s T) in rad/(ps T) (CODATA 2018)."""

MU0 = 1.25663706212e-6
"""Vacuum permeability in T m / A (N / A^2)."""

MU_B_OVER_E = 9.2740100657e-24 / 1.602176634e-19
"""Bohr magneton over the elementary charge, mu_B / e in m^2/s (CODATA 2018): the spin
current (as A/m x m/s of accumulation, ``docs/units.md``) carried by 1 A/m^2 of fully
polarized charge current."""


def spin_diffusion_length(D: float, tau: float) -> float:
    """``l_sf = sqrt(D tau)`` (nm) for ``D`` in nm^2/ps and ``tau`` in ps."""
    return math.sqrt(D * tau)


def relaxation_time(l_sf: float, D: float) -> float:
    """``tau = l_sf^2 / D`` (ps) for ``l_sf`` in nm and ``D`` in nm^2/ps."""
    return l_sf**2 / D


def coupling_strength(tau: float, H: float) -> float:
    """``a = tau |H|`` (``tau`` in ps, ``H`` in rad/ps)."""
    return tau * abs(H)


def transverse_wavelength(l_sf: float, a: float) -> float:
    """Wavelength ``2 pi l_sf / a`` (nm) of the precessing transverse accumulation
    (``inf`` for ``a = 0``: nothing precesses)."""
    return math.inf if a == 0 else 2.0 * math.pi * l_sf / abs(a)


def cells_per_wavelength(h: float, l_sf: float, a: float) -> float:
    """How many cells of size ``h`` (nm) span one transverse wavelength."""
    return transverse_wavelength(l_sf, a) / h


def transverse_wavenumber(D: float, tau: float, tau_A: float, H: float) -> complex:
    """The complex wavenumber ``k`` (1/nm, ``Re k > 0``) of the transverse accumulation
    ``m_+ ~ exp(-k x)`` in a uniform field ``|H|`` (rad/ps): ``k^2 = (1 + i tau_A |H|)
    (1 / tau + i |H|) / D`` (``D`` nm^2/ps; ``tau``, the relaxation time, and ``tau_A``, the
    time in ``A(H)``, in ps)."""
    k = ((1 + 1j * tau_A * abs(H)) * (1 / tau + 1j * abs(H)) / D) ** 0.5
    return k if k.real > 0 else -k


def transverse_lengths(D: float, tau: float, tau_A: float, H: float) -> tuple[float, float]:
    """``(decay length 1 / Re k, wavelength 2 pi / Im k)`` (nm) of the transverse
    accumulation (:func:`transverse_wavenumber`; the wavelength is ``inf`` for ``H = 0``)."""
    k = transverse_wavenumber(D, tau, tau_A, H)
    return 1.0 / k.real, (math.inf if k.imag == 0 else 2.0 * math.pi / abs(k.imag))


def spin_current(current_density: float, polarization) -> tuple[float, float, float]:
    """The spin current (A/m x nm/ps, ``docs/units.md``) injected by a charge current density
    ``current_density`` (A/m^2) polarized along ``polarization`` (a vector of length P <= 1):
    ``g = P J mu_B / e``, times 1e-3 for m/s -> nm/ps."""
    scale = current_density * MU_B_OVER_E * 1e-3
    return tuple(float(scale * p) for p in polarization)  # type: ignore[return-value]
