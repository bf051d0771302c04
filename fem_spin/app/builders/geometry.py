"""Case -> mesh: one builder per geometry kind, in a registry keyed like the schema's parsers,
and the first step of a run (mesh, refinements for the multigrid, boundary names checked)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import numpy as np
from mpi4py import MPI

from fem_spin.app.progress import step
from fem_spin.app.results import Results
from fem_spin.app.schema import Case, check_boundaries
from fem_spin.app.sizing import check_resolution, check_size
from fem_spin.core.linear_solvers import refine_hierarchy
from fem_spin.geometry.base import Geometry, mesh_statistics
from fem_spin.geometry.interval import layered_interval, stack_nodes
from fem_spin.geometry.multilayer import Layer, multilayer
from fem_spin.geometry.periodic import circle_ring, square_ring
from fem_spin.geometry.pillar import nanopillar
from fem_spin.geometry.rings import square_torus, torus
from fem_spin.geometry.slab import slab

__all__ = ["GEOMETRY_BUILDERS", "boundary_names", "build_geometry", "mesh_step"]

log = logging.getLogger(__name__)


GEOMETRY_BUILDERS: dict[str, Callable[[MPI.Comm, Case], Geometry]] = {}
"""Geometry kind -> its builder ``(comm, case) -> Geometry`` (collective), keyed like
:data:`fem_spin.app.schema.GEOMETRY_PARSERS`."""


def _kind(name: str):
    def register(builder):
        GEOMETRY_BUILDERS[name] = builder
        return builder

    return register


@_kind("multilayer")
def _multilayer(comm: MPI.Comm, case: Case) -> Geometry:
    g, p = case.geometry, case.geometry.params
    if p["mesher"] == "graded":
        nodes = stack_nodes([t for _, t in g.layers], p["h_max"],
                            p["h_interface"] or p["h_max"], x0=p["x0"], growth=p["growth"])
        ends = np.cumsum([t for _, t in g.layers]) + p["x0"]
        return layered_interval(comm, nodes, [(name, float(e)) for (name, _), e
                                              in zip(g.layers, ends, strict=True)])
    layers = [Layer(name, t, case.materials[name]) for name, t in g.layers]
    return multilayer(comm, layers, l_da=p["h_interface"], points_per_l_da=1.0,
                      points_per_wavelength=p["points_per_wavelength"] or 20.0,
                      h_max=p["h_max"], growth=p["growth"], x0=p["x0"])


@_kind("slab")
def _slab(comm: MPI.Comm, case: Case) -> Geometry:
    g, p = case.geometry, case.geometry.params
    return slab(comm, [Layer(name, t) for name, t in g.layers], width=p["width"],
                mode=p["mode"], h_max=p["h_max"], h_interface=p["h_interface"],
                growth=p["growth"], origin=p["origin"])


@_kind("pillar")
def _pillar(comm: MPI.Comm, case: Case) -> Geometry:
    g, p = case.geometry, case.geometry.params
    rx, ry = p["radius"][0], p["radius"][-1]
    lead_radius = p["lead_radius"]
    air = (case.dynamics.magnetostatics if case.dynamics is not None else
           case.modes.magnetostatics if case.modes is not None else None)
    return nanopillar(comm, list(g.layers), rx=rx, ry=ry, h_max=p["h_max"],
                      h_interface=p["h_interface"], leads=p["leads"],
                      lead_radius=None if lead_radius is None else
                      (lead_radius[0], lead_radius[-1]),
                      air_radius=None if air is None else air.air_radius,
                      h_air=None if air is None else air.h_air)


@_kind("torus")
def _torus(comm: MPI.Comm, case: Case) -> Geometry:
    p = case.geometry.params
    return torus(comm, R=p["R"], r=p["r"], h_max=p["h_max"], sectors=p["sectors"])


@_kind("square_torus")
def _square_torus(comm: MPI.Comm, case: Case) -> Geometry:
    p = case.geometry.params
    return square_torus(comm, L=p["side"], a=p["section"], h_max=p["h_max"])


@_kind("ring")
def _ring(comm: MPI.Comm, case: Case) -> Geometry:
    p = case.geometry.params
    if p["shape"] == "circle":
        return circle_ring(comm, p["cells"], radius=p["radius"])
    return square_ring(comm, p["side"], stack_nodes([p["side"]], p["h_max"], p["h_corner"],
                                                    growth=p["growth"], graded_ends=True))


def build_geometry(comm: MPI.Comm, case: Case) -> Geometry:
    """The mesh of ``case.geometry`` (collective)."""
    return GEOMETRY_BUILDERS[case.geometry.kind](comm, case)


def boundary_names(case: Case, geometry: Geometry) -> list[str]:
    """The mesh's facet names: its tag names that are not cell regions."""
    return sorted(set(geometry.tags) - set(case.geometry.regions))


def _interior(name: str) -> bool:
    """Interior facets (interfaces and cuts): ``ds`` does not integrate over them."""
    return name.startswith(("interface_", "cut_")) or "/" in name


def mesh_step(comm: MPI.Comm, case: Case, r: Results):
    """Step 1 of a run: the mesh (refined ``case.refinements`` times: then also the
    hierarchy, else None), its boundary names checked against ``[drive]``; fills ``r.mesh``
    and ``r.timings["mesh"]`` (collective). Returns ``(geometry, hierarchy)``."""
    t0 = time.perf_counter()
    g = case.geometry
    estimate = check_size(case, comm)  # refuses what cannot fit, before meshing
    step(1, "meshing: %s (%dD), %s", g.kind, g.gdim, estimate)
    geometry = build_geometry(comm, case)
    hierarchy = None
    if case.refinements:
        log.info("refining the mesh uniformly %d time(s) (the multigrid hierarchy)",
                 case.refinements)
        hierarchy = refine_hierarchy(geometry.mesh, case.refinements,
                                     cell_tags=geometry.cell_tags,
                                     facet_tags=geometry.facet_tags)
        stats = {**mesh_statistics(hierarchy.mesh), "refinements": case.refinements,
                 "coarse_cells": geometry.stats["cells"],
                 "coarse_h_max": geometry.stats["h_max"]}
        geometry = Geometry(hierarchy.mesh, hierarchy.cell_tags, hierarchy.facet_tags,
                            geometry.tags, stats)
    facets = boundary_names(case, geometry)
    check_boundaries(case, facets)
    check_resolution(case, geometry)
    for f in case.flux:
        if _interior(f.boundary):
            raise case.error((*f.path, "boundary"), f"{f.boundary!r} is an interior facet: a "
                                                    "flux acts on the outer boundary only")
    r.timings["mesh"] = time.perf_counter() - t0
    r.mesh = {**{k: float(v) for k, v in geometry.stats.items()}, "gdim": g.gdim,
              "regions": {n: geometry.tags[n] for n in g.regions},
              "boundaries": {n: geometry.tags[n] for n in facets}}
    return geometry, hierarchy
