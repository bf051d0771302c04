"""The case: a TOML description of one study, validated before any computation.

:func:`~fem_spin.app.schema.files.load_case` reads a case file (``fem-spin run case.toml``),
applies ``--set`` overrides and returns a :class:`Case`: typed, checked values only (numbers
finite, lengths and times positive, names known, combinations possible). Every problem raises
a :class:`ConfigError` that names the key path (``materials.fm_left.tau``) and, where it can be
found, the line of the file. Nothing here touches DOLFINx: :mod:`fem_spin.app.runner` turns a
Case into a mesh, a problem and files. Boundary names are checked against the mesh once it
exists (:func:`check_boundaries`).

The tables of a case file (``examples/*.toml`` show each in use), each with its parser module::

    name, description          the case (name: output folder and file names)
    [geometry]                 kind = multilayer | slab | pillar | torus | square_torus | ring
                               (schema.geometry: a registry of one parser per kind)
    [materials.<region>]       D, tau or l_sf, lam or a_max, m0 ([materials.default]: the rest)
    [magnetization]            kind = none | uniform | layered | vortex | domain_wall | ring | file
                               (schema.texture: a registry of one parser per kind)
    [drive]                    m_eq, B_T or H_ext, [[drive.dirichlet]], [[drive.flux]]
    [solver]                   degree, quadrature_degree, linear_solver, refinements,
                               [solver.petsc_options]                     (schema.outputs)
    [outputs]                  folder, fields, pictures, render, [[outputs.lines]]
    [charge]                   optional: electrodes and N/F interfaces; the device is driven by a
                               charge current (schema.charge, docs/charge-transport.md)
    [dynamics]                 optional: a time-domain study instead (S2 + LLG, a drive sweep;
                               :mod:`fem_spin.app.schema.dynamics`)
    [modes]                    optional: a spin-wave eigenmode study instead
                               (:mod:`fem_spin.app.schema.modes`)

Units (``docs/units.md``): lengths nm, times ps, D nm^2/ps, lam rad/ps, fields B_T in tesla
(H_ext in rad/ps), m in A/m, angles degrees.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from fem_spin.app.schema.charge import ChargeSpec, parse_charge
from fem_spin.app.schema.drive import BoundarySpec, parse_drive
from fem_spin.app.schema.dynamics import DYNAMIC_FIELDS, DynamicsSpec, parse_dynamics
from fem_spin.app.schema.geometry import GeometrySpec, parse_geometry
from fem_spin.app.schema.materials import parse_materials
from fem_spin.app.schema.modes import ModesSpec, parse_modes
from fem_spin.app.schema.outputs import Line, parse_outputs, parse_solver
from fem_spin.app.schema.texture import TextureSpec, parse_texture
from fem_spin.app.tomltable import NAME, ConfigError, KeyPath, Source, Table
from fem_spin.parameters import Material

__all__ = ["Case", "check_boundaries", "parse_case"]


@dataclass(frozen=True)
class Case:
    """A validated case file.

    Attributes:
        name, description: the case.
        geometry, materials (region -> Material), magnetization: the device.
        m_eq: ``"material"`` (m0 M per region), ``"zero"``, ``"axis"`` (m0 times the unit
            axis, per cell) or a constant vector.
        B_T: external field (T) or None; H_ext: or as a precession vector (rad/ps);
        dirichlet, flux: boundary data.
        degree, quadrature_degree, petsc_options: the discretization and the solver.
        linear_solver: ``"auto"``, ``"direct"`` or ``"iterative"`` (S1, and the coupled
            step of a [dynamics] case: ``"iterative"`` is its block solver; see
            :class:`fem_spin.SteadySpinDiffusion`); refinements: uniform refinements of the
            built mesh, the hierarchy of the scalable multigrid solver (0: none).
        folder, fields, lines, pictures, render: the outputs.
        dynamics: the time-domain study (:class:`~fem_spin.app.schema.dynamics.DynamicsSpec`),
            None for a steady S1 study.
        charge: electrodes and interfaces (:class:`~fem_spin.app.schema.charge.ChargeSpec`)
            of a device driven by a charge current, None for S1's boundary data.
        data: the TOML data (after ``--set`` overrides); source: where it came from.
    """

    name: str
    description: str
    geometry: GeometrySpec
    materials: dict[str, Material]
    magnetization: TextureSpec
    m_eq: str | tuple[float, float, float]
    B_T: tuple[float, float, float] | None
    H_ext: tuple[float, float, float] | None
    dirichlet: tuple[BoundarySpec, ...]
    flux: tuple[BoundarySpec, ...]
    degree: int
    quadrature_degree: int | None
    petsc_options: dict[str, Any]
    folder: str
    fields: tuple[str, ...]
    lines: tuple[Line, ...]
    pictures: bool
    render: bool
    dynamics: DynamicsSpec | None = None
    charge: ChargeSpec | None = None
    linear_solver: str = "auto"
    refinements: int = 0
    modes: ModesSpec | None = None
    data: dict[str, Any] = field(default_factory=dict)
    source: Source = field(default_factory=Source)

    def error(self, path: KeyPath, message: str) -> ConfigError:
        """A :class:`ConfigError` located in this case's file."""
        return self.source.error(path, message)


TOP_LEVEL = ("name", "description", "geometry", "materials", "magnetization", "drive",
             "solver", "outputs", "dynamics", "charge", "modes")


def parse_case(data: Any, source: Source | None = None, default_name: str = "case") -> Case:
    """Validate TOML data (a dict, e.g. from ``tomllib``) into a :class:`Case`.

    Raises:
        ConfigError: the first problem found, with its key path (and line, with a source).
    """
    source = source or Source()
    root = Table(data, (), source, "a table of the case (the whole file)")
    root.allow(TOP_LEVEL, " at the top level")
    name = root.string("name", default_name if NAME.match(default_name) else "case", name=True)
    description = root.string("description", "")
    geometry = parse_geometry(root)
    materials = parse_materials(root, geometry)
    dynamic = root.has("dynamics")
    if dynamic and root.has("modes"):
        raise root.error("modes", "a case is one study: [dynamics] (time domain) or [modes] "
                                  "(eigenmodes), not both")
    texture = parse_texture(root.table("magnetization", {}), geometry,  # sharp layers
                            dynamic=dynamic or root.has("modes") or root.has("charge"))
    drive = parse_drive(root, geometry, texture, dynamic=dynamic or root.has("modes"))
    dynamics = parse_dynamics(root, geometry.regions, geometry.kind) if dynamic else None
    modes = parse_modes(root, geometry.regions, geometry.kind) if root.has("modes") else None
    outputs = parse_outputs(root, name, geometry, texture)
    if dynamics is not None:
        _dynamic_checks(root, dynamics, texture, outputs)
    if modes is not None:
        _modes_checks(root, modes, texture, outputs)
    charge = parse_charge(root, geometry, materials) if root.has("charge") else None
    if charge is not None:
        if modes is not None:
            raise root.error("charge", "a case is one study: [modes] or [charge], not both")
        if drive["dirichlet"] or drive["flux"]:
            bc = (drive["dirichlet"] or drive["flux"])[0]
            raise source.error(bc.path, "a [charge] case is driven by its electrodes (spin "
                                        "reservoirs): remove [[drive.dirichlet]] and "
                                        "[[drive.flux]]")
    elif (modes is None or modes.accumulation != "none") and not _driven(drive, texture,
                                                                           materials):
        raise root.error("drive", "nothing drives the spin accumulation (no dirichlet or flux "
                                  "data, and m_eq is zero: m_eq = 'zero', or m0 = 0 in every "
                                  "material, or no magnetization): the solution would be m = 0")
    if geometry.kind == "ring" and (drive["dirichlet"] or drive["flux"]):
        bc = (drive["dirichlet"] or drive["flux"])[0]
        raise source.error((*bc.path, "boundary"), "a ring is a closed loop without boundary: "
                                                   "drive it with m_eq (and materials' m0)")
    return Case(name=name, description=description, geometry=geometry, materials=materials,
                magnetization=texture, **drive, **parse_solver(root, geometry), **outputs,
                dynamics=dynamics, charge=charge, modes=modes, data=data, source=source)


def _modes_checks(root: Table, modes: ModesSpec, texture: TextureSpec,
                  outputs: dict[str, Any]) -> None:
    """What a [modes] case needs besides its table; fixes the output fields (the modes)."""
    if texture.kind == "none":
        raise root.error("magnetization", "a [modes] case needs the magnetization about which "
                                          "the modes are computed: [magnetization] with a "
                                          "kind other than 'none'")
    if root.table("solver", {}).has("linear_solver"):
        raise root.source.error(("solver", "linear_solver"), "a [modes] case factorizes its "
                                "pencil with MUMPS: remove linear_solver")
    if root.table("outputs", {}).has("fields"):
        raise root.source.error(("outputs", "fields"), "a [modes] case writes the mode "
                                "profiles (modes.write_modes), not fields")
    outputs["fields"] = ()


def _dynamic_checks(root: Table, dynamics: DynamicsSpec, texture: TextureSpec,
                    outputs: dict[str, Any]) -> None:
    """What a [dynamics] case needs besides its table; fixes the default output fields."""
    if texture.kind == "none":
        raise root.error("magnetization", "a [dynamics] case needs the initial magnetization: "
                                          "[magnetization] with a kind other than 'none'")
    if texture.kind == "layered":
        for region in dynamics.magnets:
            axis = texture.axes[region]
            if axis.vector is not None and math.hypot(*axis.vector) == 0:
                raise root.source.error(("magnetization", "axes", region),
                                        f"{region!r} is a magnet ([dynamics.magnets."
                                        f"{region}]): its initial axis must be a direction, "
                                        "not zero")
    if root.has("charge") and root.table("solver", {}).has("linear_solver"):
        raise root.source.error(("solver", "linear_solver"), "a [dynamics] case with [charge] "
                                "solves each time step with Newton + MUMPS: remove "
                                "linear_solver (PETSc options go in [solver.petsc_options])")
    o = root.table("outputs", {})
    if not o.has("fields"):
        outputs["fields"] = DYNAMIC_FIELDS
    for f in outputs["fields"]:
        if f not in DYNAMIC_FIELDS:
            raise o.error("fields", f"a [dynamics] case writes the time series of "
                                    f"{' and '.join(DYNAMIC_FIELDS)}; {f!r} is for steady "
                                    "cases")


def _driven(drive: dict[str, Any], texture: TextureSpec, materials: dict[str, Material]
            ) -> bool:
    """Whether anything makes m non-zero (boundary data or a non-zero m_eq)."""
    if drive["dirichlet"] or drive["flux"]:
        return True
    m_eq = drive["m_eq"]
    if not isinstance(m_eq, str):
        return any(m_eq)
    return m_eq != "zero" and texture.kind != "none" and any(m.m0 for m in materials.values())


def check_boundaries(case: Case, available: Iterable[str]) -> None:
    """After meshing: every boundary named in ``[drive]`` must be one of the mesh's facet
    names ``available`` (raises a :class:`ConfigError` listing them)."""
    names = sorted(available)
    charge = () if case.charge is None else (
        BoundarySpec(n, (0.0, 0.0, 0.0), path=p)
        for n, _, p in (*case.charge.electrodes, *case.charge.interfaces))
    for bc in (*case.dirichlet, *case.flux, *charge):
        if bc.boundary not in names:
            if not names:
                raise case.error((*bc.path, "boundary"), f"this {case.geometry.kind} mesh has "
                                                         "no boundaries")
            close = difflib.get_close_matches(bc.boundary, names, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise case.error((*bc.path, "boundary"),
                             f"the {case.geometry.kind} mesh has no boundary named "
                             f"{bc.boundary!r}{hint}; its boundaries: {', '.join(names)}")
