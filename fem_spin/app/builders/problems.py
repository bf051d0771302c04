"""Case + mesh -> problem: the S1 problem of a steady study, the coupled problem of a dynamics
study, with the case's named regions and boundaries turned into tags."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import numpy as np
import ufl
from mpi4py import MPI

from fem_spin.app.builders.magnetization import (
    axis_equilibrium,
    initial_magnetization,
    magnetization_field,
    unit_field,
)
from fem_spin.app.schema import Case
from fem_spin.errors import InputError
from fem_spin.geometry.base import Geometry
from fem_spin.geometry.pillar import AIR, OUTER
from fem_spin.parameters import GAMMA_E, Dirichlet, Flux
from fem_spin.parameters.charge import Electrode, Interface
from fem_spin.problems import (
    LLG,
    ChargeDrivenLLG,
    CoupledSpinDynamics,
    Magnetostatics,
    SteadySpinDiffusion,
)

__all__ = ["boundary_value", "charge_llg_problem", "charge_parameters", "coupled_problem",
           "magnetostatics", "modes_states", "pinned_stray_field", "steady_problem"]

log = logging.getLogger(__name__)


def boundary_value(value, direction):
    """A constant vector, or +-(the unit direction of M) as a callable for "axis"/"-axis"."""
    if not isinstance(value, str):
        return value
    unit, sign = unit_field(direction), -1.0 if value.startswith("-") else 1.0
    return lambda x: sign * unit(x)


def steady_problem(case: Case, geometry: Geometry, hierarchy=None
             ) -> tuple[SteadySpinDiffusion, Any]:
    """The S1 problem of ``case`` on ``geometry`` and its magnetization (a Function or None)."""
    M, direction = magnetization_field(case, geometry, case.degree)
    if case.m_eq == "material":
        m_eq = None
    elif case.m_eq == "zero":
        m_eq = (0.0, 0.0, 0.0)
    elif case.m_eq == "axis":
        m_eq = axis_equilibrium(case, geometry, direction, M)
    else:
        m_eq = case.m_eq
    materials = {geometry.tags[name]: mat for name, mat in case.materials.items()}
    problem = SteadySpinDiffusion(
        geometry.mesh, materials, cell_tags=geometry.cell_tags, facet_tags=geometry.facet_tags,
        M=M, B_T=case.B_T, H_ext=case.H_ext, m_eq=m_eq,
        dirichlet=[Dirichlet(geometry.tags[d.boundary], boundary_value(d.value, direction),
                             d.components) for d in case.dirichlet],
        flux=[Flux(geometry.tags[f.boundary], f.value) for f in case.flux],
        degree=case.degree, quadrature_degree=case.quadrature_degree,
        petsc_options=case.petsc_options, solver=case.linear_solver,
        hierarchy=hierarchy if case.degree == 1 else None)
    return problem, M


def magnetostatics(case: Case, geometry: Geometry, spec=None) -> Magnetostatics | None:
    """The :class:`Magnetostatics` of a case with ``[dynamics.magnetostatics]`` (or the given
    ``spec``, e.g. ``[modes.magnetostatics]``) on its mesh (the device in an air ball centred
    on it), or None."""
    spec = case.dynamics.magnetostatics if spec is None else spec
    if spec is None:
        return None
    x = geometry.mesh.geometry.x
    comm = geometry.mesh.comm
    lo, hi = np.empty(3), np.empty(3)  # (the pickle-based allreduce cannot MIN arrays)
    comm.Allreduce(np.min(x, axis=0, initial=np.inf), lo, op=MPI.MIN)
    comm.Allreduce(np.max(x, axis=0, initial=-np.inf), hi, op=MPI.MAX)
    air = geometry.tag(AIR)
    device = [t for name, t in geometry.tags.items()
              if name in case.geometry.regions and t != air]
    return Magnetostatics(geometry.mesh, geometry.cell_tags, geometry.facet_tags,
                          magnet_tags=device, exterior=spec.exterior,
                          outer_tag=geometry.tag(OUTER), center=tuple(0.5 * (lo + hi)),
                          degree=spec.degree)


def pinned_stray_field(case: Case, geometry: Geometry, demag: Magnetostatics, M0, B_T,
                       pinned: dict[str, float] | None = None):
    """``B_T`` plus the stray field of the pinned layers (``pinned``: region -> Ms, default
    ``[dynamics.magnetostatics.pinned]``), each magnetized along the initial magnetization
    ``M0`` (a callable x -> (3, N))."""
    if not callable(M0):
        raise InputError("[magnetostatics.pinned] needs a layered or analytic "
                         "[magnetization] (a direction at every point of the pinned layers)")
    pinned = case.dynamics.magnetostatics.pinned if pinned is None else pinned
    stray = demag.stray_field({geometry.tags[n]: Ms for n, Ms in pinned.items()}, M0)
    log.info("stray field of the pinned layers %s: up to %.4g T on the device", list(pinned),
             demag.comm.allreduce(float(np.max(np.abs(stray.x.array), initial=0.0)),
                                  op=MPI.MAX))
    return stray if B_T is None else stray + ufl.as_vector(B_T)


def coupled_problem(case: Case, geometry: Geometry, study=None, hierarchy=None):
    """The coupled S2 + LLG problem of a ``[dynamics]`` case on ``geometry`` (``study``: the
    spec with the magnets, B_T and magnetostatics, default ``case.dynamics``; with
    ``[dynamics.magnetostatics]`` (``[modes.magnetostatics]``): on the device's submesh, with
    the demagnetizing field;
    ``hierarchy``: the refined meshes, for the block solver's multigrid)."""
    dyn = case.dynamics if study is None else study
    demag = None if dyn.magnetostatics is None else magnetostatics(case, geometry,
                                                                   dyn.magnetostatics)
    if demag is not None:
        geometry = replace(geometry, mesh=demag.submesh, cell_tags=demag.sub_cell_tags,
                           facet_tags=demag.sub_facet_tags)
    M0, direction = initial_magnetization(case, geometry)
    B_T = dyn.B_T
    if demag is not None and dyn.magnetostatics.pinned:
        B_T = pinned_stray_field(case, geometry, demag, M0, B_T, dyn.magnetostatics.pinned)
    m_eq = {"material": None, "zero": (0.0, 0.0, 0.0)}.get(case.m_eq, case.m_eq) \
        if isinstance(case.m_eq, str) else case.m_eq
    tags = geometry.tags
    return CoupledSpinDynamics(
        geometry.mesh, {tags[n]: mat for n, mat in case.materials.items()},
        {tags[n]: magnet for n, magnet in dyn.magnets.items()},
        cell_tags=geometry.cell_tags, facet_tags=geometry.facet_tags, M0=M0, B_T=B_T,
        m_eq=m_eq,
        dirichlet=[Dirichlet(tags[d.boundary], boundary_value(d.value, direction),
                             d.components) for d in case.dirichlet],
        flux=[Flux(tags[f.boundary], f.value) for f in case.flux],
        degree=case.degree, quadrature_degree=case.quadrature_degree,
        petsc_options=case.petsc_options,
        demag=demag, **(dict(linear_solver="direct") if study is not None else dict(
            scheme=dyn.scheme, coupling=dyn.coupling,
            linear_solver={"iterative": "block"}.get(case.linear_solver, case.linear_solver),
            hierarchy=hierarchy if demag is None and case.degree == 1 else None,
            gamma_e=GAMMA_E if dyn.gamma_e is None else dyn.gamma_e)))


def modes_states(case: Case, geometry: Geometry):
    """The problem whose (relaxed) states the modes of a ``[modes]`` case are computed about:
    the coupled problem with an accumulation, else the LLG of the magnets (collective)."""
    spec, tags = case.modes, geometry.tags
    if spec.accumulation != "none":
        return coupled_problem(case, geometry, study=spec)
    demag, B_T = None, spec.B_T
    if spec.magnetostatics is not None:  # the LLG on the device's submesh, with the field
        demag = magnetostatics(case, geometry, spec.magnetostatics)
        geometry = replace(geometry, mesh=demag.submesh, cell_tags=demag.sub_cell_tags,
                           facet_tags=demag.sub_facet_tags)
    M0, _ = initial_magnetization(case, geometry)
    if demag is not None and spec.magnetostatics.pinned:
        B_T = pinned_stray_field(case, geometry, demag, M0, B_T, spec.magnetostatics.pinned)
    return LLG(geometry.mesh, {tags[n]: magnet for n, magnet in spec.magnets.items()},
               cell_tags=geometry.cell_tags, M0=M0, B_T=B_T,
               petsc_options=case.petsc_options, demag=demag)


def charge_parameters(case: Case, geometry: Geometry) -> tuple[list, list]:
    """The ``[charge]`` interfaces and electrodes with the mesh's tags."""
    tags = geometry.tags
    interfaces = [Interface(tag=tags[name], AR=itf.AR, gamma=itf.gamma, G_mix=itf.G_mix,
                            delta=itf.delta, magnet=None if magnet is None else tags[magnet])
                  for name, (itf, magnet), _ in case.charge.interfaces]
    electrodes = [Electrode(tag=tags[name], voltage=e.voltage,
                            current_density=e.current_density,
                            spin_reservoir=e.spin_reservoir)
                  for name, e, _ in case.charge.electrodes]
    return interfaces, electrodes


def charge_llg_problem(case: Case, geometry: Geometry) -> ChargeDrivenLLG:
    """The LLG of a ``[dynamics]`` case's magnets driven by its ``[charge]`` electrodes."""
    dyn = case.dynamics
    M0, _ = initial_magnetization(case, geometry)
    tags = geometry.tags
    interfaces, electrodes = charge_parameters(case, geometry)
    return ChargeDrivenLLG(
        geometry.mesh, {tags[n]: mat for n, mat in case.materials.items()},
        {tags[n]: magnet for n, magnet in dyn.magnets.items()}, cell_tags=geometry.cell_tags,
        facet_tags=geometry.facet_tags, M0=M0, interfaces=interfaces, electrodes=electrodes,
        B_T=dyn.B_T, petsc_options=case.petsc_options,
        gamma_e=GAMMA_E if dyn.gamma_e is None else dyn.gamma_e)
