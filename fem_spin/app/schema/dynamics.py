"""The ``[dynamics]`` table of a case file: a time-domain study (S2 + LLG, paper Sec. V).

With ``[dynamics]`` the case runs :class:`fem_spin.CoupledSpinDynamics` instead of
the steady S1 solve: the spin accumulation (transient spin diffusion) and the magnetization of
the ``[dynamics.magnets.<region>]`` (Landau-Lifshitz-Gilbert) advance together, once per
drive amplitude of a sweep. The boundary data of ``[drive]`` are multiplied by
``j s(t)``, ``s(t) = 1 - exp(-t / ramp)`` (``ramp = 0``: a step)::

    [dynamics]
    t_end = 600.0            # ps
    dt = 2.0                 # ps (the first step when tol is given)
    tol = 1e-3               # optional: local error tolerance of the step control (max
                             # norm per step of M's error, and of m's relative to its scale)
    scheme = "bdf2"          # bdf2 | cn | euler (of m; M: midpoint rule)
    coupling = "monolithic"  # monolithic | staggered (for comparisons: it needs smaller
                             # steps; the switching pillar: dt <= 1 ps instead of 2)
    drives = [5.0, 5.5]      # amplitudes j (default [1.0])
    ramp = 10.0              # ps
    B_T = [0.0, 0.0, 0.0]    # external field in tesla (H = -gamma_e B_T + lam M)
    switch_axis = [1, 0, 0]  # reversal is measured along it (default: the easy axis)
    write_every = 5          # VTX fields every N steps (0: never)
    progress_seconds = 10.0
    checkpoint_every = 0     # checkpoint.npz every N steps (0: by time only)
    checkpoint_minutes = 10.0  # and every this many wall minutes (0: by steps only);
                             # `fem-spin run case.toml --resume FOLDER` continues from it

    [dynamics.magnets.free]  # the regions whose M is dynamic
    Ms = 1e6                 # A/m
    A_ex = 1.5e-11           # J/m
    alpha = 0.1
    K_u = 1e5                # J/m^3, along easy_axis
    easy_axis = [1.0, 0.0, 0.0]
    K_d = "thin_film"        # J/m^3, or "thin_film" = mu0 Ms^2 (hard axis along normal)
    normal = [0.0, 0.0, 1.0]
    lam_M = 0.1              # rad/ps per A/m: an expert override of the spin-conserving
                             # -lam gamma / (gamma_e Ms) (docs/units.md); leave it out

    [dynamics.magnetostatics]  # optional: the demagnetizing field (geometry kind "pillar")
    air_radius = 30.0        # nm: the air ball around the device (centred on it)
    h_air = 10.0             # nm: mesh size at the ball's sphere (default grows from h_max)
    exterior = "robin"       # robin | dirichlet (docs/magnetostatics.md)
    degree = 2               # 1 | 2: the potential's Lagrange degree
    [dynamics.magnetostatics.pinned]  # optional: pinned magnetic layers' stray field
    polarizer = 1.4e6        # A/m: Ms of a region that is not a dynamic magnet; its M is the
                             # initial magnetization's, its field acts on the magnets (B_T)

With ``[dynamics.magnetostatics]`` a magnet's ``K_d`` (the thin-film term) is usually left out:
the demagnetizing field replaces it.

Only :mod:`fem_spin.app.schema.case` calls :func:`parse_dynamics`; nothing here touches a mesh.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fem_spin.app.tomltable import Table
from fem_spin.errors import InputError
from fem_spin.problems.coupled import COUPLINGS
from fem_spin.stepping.schemes import SPIN_SCHEMES

__all__ = ["DYNAMIC_FIELDS", "DynamicsSpec", "MagnetostaticsSpec", "parse_dynamics"]

MAGNETOSTATICS_GEOMETRIES = ("pillar",)
"""The geometry kinds whose builder can put the device in an air ball."""

DYNAMIC_FIELDS = ("m", "M")
_MAGNET_KEYS = ("Ms", "A_ex", "alpha", "gamma", "K_u", "easy_axis", "K_d", "normal", "lam_M")


@dataclass(frozen=True)
class MagnetostaticsSpec:
    """A validated ``[dynamics.magnetostatics]`` table (lengths in nm)."""

    air_radius: float
    h_air: float | None
    exterior: str
    degree: int
    pinned: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class DynamicsSpec:
    """A validated ``[dynamics]`` table (times in ps, B_T in tesla).

    Attributes:
        magnets: region name -> :class:`fem_spin.Magnet`.
        drives: the amplitudes j of the sweep; ramp: the switch-on time (ps, 0 for a step).
        switch_axis: the axis along which reversal is measured.
        others: as in the table (see the module docstring).
    """

    t_end: float
    dt: float
    tol: float | None
    scheme: str
    coupling: str
    magnets: dict[str, Any]
    drives: tuple[float, ...]
    ramp: float
    B_T: tuple[float, float, float] | None
    gamma_e: float | None
    switch_axis: tuple[float, float, float]
    write_every: int
    progress_seconds: float
    checkpoint_every: int = 0
    checkpoint_minutes: float = 10.0
    magnetostatics: MagnetostaticsSpec | None = None

    def drive(self, j: float):
        """``s(t) = j (1 - exp(-t / ramp))`` (``j`` for ``ramp = 0``) for the boundary data."""
        ramp = self.ramp
        if ramp == 0:
            return lambda t: j
        return lambda t: j * (1.0 - np.exp(-t / ramp))


def _magnet(t: Table):
    from fem_spin.parameters.magnet import Magnet, thin_film_anisotropy

    t.allow(_MAGNET_KEYS, " in a magnet")
    values: dict[str, Any] = {"Ms": t.number("Ms", positive=True, unit="A/m")}
    for key, unit, sign in (("A_ex", "J/m", "nonnegative"), ("alpha", "", "nonnegative"),
                            ("gamma", "rad/(ps T)", "positive"), ("K_u", "J/m^3", ""),
                            ("lam_M", "rad/ps per A/m", "")):
        if t.has(key):
            values[key] = t.number(key, unit=unit, positive=sign == "positive",
                                   nonnegative=sign == "nonnegative")
    for key in ("easy_axis", "normal"):
        if t.has(key):
            v = t.vector(key)
            if math.hypot(*v) == 0:
                raise t.error(key, "must be a non-zero direction")
            values[key] = v
    if t.has("K_d"):
        if isinstance(t.get("K_d"), str):
            t.string("K_d", choices=("thin_film",))
            values["K_d"] = thin_film_anisotropy(values["Ms"])
        else:
            values["K_d"] = t.number("K_d", unit="J/m^3 or \"thin_film\"")
    try:
        return Magnet(**values)
    except InputError as e:  # the checks above should make this unreachable
        raise t.error(None, str(e)) from None


CHECKPOINT_KEYS = ("checkpoint_every", "checkpoint_minutes")


def _magnetostatics(d: Table, geometry_kind: str, regions: tuple[str, ...],
                    magnets, section: str = "dynamics") -> MagnetostaticsSpec | None:
    if not d.has("magnetostatics"):
        return None
    t = d.table("magnetostatics")
    t.allow(("air_radius", "h_air", "exterior", "degree", "pinned"),
            f" in [{section}.magnetostatics]")
    if geometry_kind not in MAGNETOSTATICS_GEOMETRIES:
        raise t.error(None, f"magnetostatics needs an air region around the device, which the "
                            f"geometry kind {geometry_kind!r} does not build; kinds that do: "
                            f"{list(MAGNETOSTATICS_GEOMETRIES)}")
    degree = t.integer("degree", 2, minimum=1)
    if degree > 2:
        raise t.error("degree", f"must be 1 or 2 (the potential's Lagrange degree), got "
                                f"{degree}")
    pinned = {}
    if t.has("pinned"):
        p = t.table("pinned")
        p.known(regions, "region", geometry_kind)
        for name in p.data:
            if name in magnets:
                raise p.error(name, f"{name!r} is a dynamic magnet ([{section}.magnets.{name}]): "
                                    "its field is the demagnetizing field already; pinned "
                                    "lists the fixed magnetic layers")
            pinned[name] = p.number(name, positive=True, unit="A/m")
    return MagnetostaticsSpec(
        air_radius=t.number("air_radius", positive=True, unit="nm"),
        h_air=t.number("h_air", None, positive=True, unit="nm"),
        exterior=t.string("exterior", "robin", choices=("robin", "dirichlet")),
        degree=degree, pinned=pinned)


def parse_dynamics(root: Table, regions: tuple[str, ...], geometry_kind: str) -> DynamicsSpec:
    """Validate ``root``'s ``[dynamics]`` table (it must exist)."""
    d = root.table("dynamics")
    d.allow(("t_end", "dt", "tol", "scheme", "coupling", "magnets", "drives", "ramp", "B", "B_T",
             "gamma_e", "switch_axis", "write_every", "progress_seconds", "magnetostatics",
             *CHECKPOINT_KEYS),
            " in [dynamics]")
    t_end = d.number("t_end", positive=True, unit="ps")
    dt = d.number("dt", positive=True, unit="ps")
    if dt > t_end:
        raise d.error("dt", f"the time step ({dt} ps) is longer than the run (t_end = "
                            f"{t_end} ps)")
    tol = d.number("tol", None, positive=True)
    mags = d.table("magnets")
    if not mags.data:
        raise mags.error(None, "needs at least one magnet: [dynamics.magnets.<region>] with "
                               "Ms, A_ex, alpha, ... (the regions whose M is dynamic)")
    mags.known(regions, "region", geometry_kind)
    magnets = {name: _magnet(mags.table(name)) for name in regions if mags.has(name)}
    drives = d.numbers("drives", (1.0,))
    if len(set(drives)) != len(drives):
        raise d.error("drives", "each drive amplitude once (they name the output folders)")
    if d.has("B"):
        raise d.error("B", "the external field is dynamics.B_T, in tesla (since fem_spin 0.2)")
    B_T = d.vector("B_T", None)
    gamma_e = d.number("gamma_e", None, positive=True, unit="rad/(ps T)")
    first = next(iter(magnets.values()))
    axis = d.vector("switch_axis", first.easy_axis)
    if math.hypot(*axis) == 0:
        raise d.error("switch_axis", "must be a non-zero direction")
    return DynamicsSpec(
        t_end=t_end, dt=dt, tol=tol,
        scheme=d.string("scheme", "bdf2", choices=SPIN_SCHEMES),
        coupling=d.string("coupling", "monolithic", choices=COUPLINGS),
        magnets=magnets, drives=tuple(drives),
        ramp=d.number("ramp", 0.0, nonnegative=True, unit="ps"), B_T=B_T, gamma_e=gamma_e,
        switch_axis=tuple(axis),
        write_every=d.integer("write_every", 0, minimum=0),
        progress_seconds=d.number("progress_seconds", 10.0, positive=True, unit="s"),
        checkpoint_every=d.integer("checkpoint_every", 0, minimum=0),
        checkpoint_minutes=d.number("checkpoint_minutes", 10.0, nonnegative=True,
                                    unit="minutes"),
        magnetostatics=_magnetostatics(d, geometry_kind, regions, magnets))
