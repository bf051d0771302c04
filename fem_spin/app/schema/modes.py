"""The ``[modes]`` table of a case file: a spin-wave eigenmode study
(:mod:`fem_spin.problems.modes`).

With ``[modes]`` the case computes the eigenmodes of the LLG about the equilibrium reached from
``[magnetization]`` (relaxed first), optionally coupled to the spin accumulation of the case's
materials and ``[drive]``, once per drive amplitude (the drive's boundary data times ``j``,
constant in time)::

    [modes]
    n = 6                     # modes per state (the lowest frequencies)
    sigma = 0.0               # rad/ps: the shift (eigenvalues nearest to it)
    B_T = [0.0, 0.0, 0.1]     # static external field (T)
    accumulation = "dynamic"  # none | dynamic | quasi_static: the spin accumulation's response
    drives = [0.0, 2.0, 4.0]  # amplitudes j (with an accumulation; default [0.0])
    relax = true              # relax M to an equilibrium first (LLG, or the coupled steady
                              # state); false: M must be one already
    write_modes = 4           # VTX profiles of the first N modes per drive (0: none)
    solver = "direct"         # direct (MUMPS) | iterative (CG + GAMG on the symmetric
                              # Hessian: sigma = 0, accumulation "none" only; far less
                              # memory on large meshes) | auto (iterative above 2e5 unknowns)

    [modes.magnets.free]      # the magnets, as [dynamics.magnets.<region>]
    Ms = 1e6
    ...

    [modes.magnetostatics]    # optional: the demagnetizing field, keys as
    air_radius = 30.0         # [dynamics.magnetostatics] (geometry kind "pillar"): in the
                              # equilibrium and in the modes, with or without an accumulation;
                              # [modes.magnetostatics.pinned]: fixed layers' stray field

Only :mod:`fem_spin.app.schema.case` calls :func:`parse_modes`; nothing here touches a mesh.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fem_spin.app.schema.dynamics import MagnetostaticsSpec, _magnet, _magnetostatics
from fem_spin.app.tomltable import Table

__all__ = ["ACCUMULATIONS", "SOLVERS", "ModesSpec", "parse_modes"]

ACCUMULATIONS = ("none", "dynamic", "quasi_static")
SOLVERS = ("direct", "iterative", "auto")


@dataclass(frozen=True)
class ModesSpec:
    """A validated ``[modes]`` table (sigma in rad/ps, B_T in tesla); see the module
    docstring."""

    n: int
    sigma: float
    B_T: tuple[float, float, float] | None
    accumulation: str
    drives: tuple[float, ...]
    relax: bool
    write_modes: int
    magnets: dict[str, Any]
    magnetostatics: MagnetostaticsSpec | None = None
    solver: str = "direct"


def parse_modes(root: Table, regions: tuple[str, ...], geometry_kind: str) -> ModesSpec:
    """Validate ``root``'s ``[modes]`` table (it must exist)."""
    d = root.table("modes")
    d.allow(("n", "sigma", "B_T", "accumulation", "drives", "relax", "write_modes", "magnets",
             "magnetostatics", "solver"), " in [modes]")
    mags = d.table("magnets")
    if not mags.data:
        raise mags.error(None, "needs at least one magnet: [modes.magnets.<region>] with Ms, "
                               "A_ex, alpha, ... (the regions whose modes are computed)")
    mags.known(regions, "region", geometry_kind)
    magnets = {name: _magnet(mags.table(name)) for name in regions if mags.has(name)}
    accumulation = d.string("accumulation", "none", choices=ACCUMULATIONS)
    drives = d.numbers("drives", (0.0,))
    if len(set(drives)) != len(drives):
        raise d.error("drives", "each drive amplitude once (they name the output folders)")
    if accumulation == "none" and tuple(drives) != (0.0,):
        raise d.error("drives", "drive amplitudes act through the spin accumulation: set "
                                "accumulation = \"dynamic\" (or \"quasi_static\")")
    n = d.integer("n", 6, minimum=1)
    write = d.integer("write_modes", min(n, 4), minimum=0)
    if write > n:
        raise d.error("write_modes", f"at most n = {n} modes are computed")
    relax = d.get("relax", True)
    if not isinstance(relax, bool):
        raise d.error("relax", f"must be true or false, got {relax!r}")
    demag = _magnetostatics(d, geometry_kind, regions, magnets, "modes")
    sigma = d.number("sigma", 0.0, unit="rad/ps")
    solver = d.string("solver", "direct", choices=SOLVERS)
    if solver == "iterative" and sigma != 0.0:
        raise d.error("sigma", "the iterative solver shifts at sigma = 0 only: remove sigma or "
                               "set solver = \"direct\"")
    if solver == "iterative" and accumulation != "none":
        raise d.error("solver", "the iterative solver needs accumulation = \"none\" (a coupled "
                                "spin accumulation makes the pencil non-symmetric): set "
                                "solver = \"direct\"")
    return ModesSpec(n=n, sigma=sigma, B_T=d.vector("B_T", None), accumulation=accumulation,
                     drives=tuple(drives), relax=relax, write_modes=write, magnets=magnets,
                     magnetostatics=demag, solver=solver)
