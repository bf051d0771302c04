"""The geometry bundle and the gmsh -> DOLFINx path shared by all builders.

gmsh runs on rank 0 only; ``dolfinx.io.gmsh.model_to_mesh`` distributes the mesh and the tags.
Physical-group names are the single source of tag numbers (``Geometry.tags``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import dolfinx.cpp.mesh
import dolfinx.mesh
import numpy as np
from mpi4py import MPI

from fem_spin.errors import InputError

__all__ = ["Geometry", "cache_path", "gmsh_geometry", "mesh_statistics", "shared_facet_partitioner"]

log = logging.getLogger(__name__)


def check_positive(value, name: str, *, allow_zero: bool = False, allow_none: bool = False,
                   allow_inf: bool = False) -> float | None:
    """``value`` as a float if it is a positive finite real (``allow_zero``: or 0,
    ``allow_inf``: or inf, ``allow_none``: or None, returned as is), else an
    :class:`InputError` naming ``name`` (give the unit in it, e.g. ``"h_max (nm)"``)."""
    if value is None and allow_none:
        return None
    ok = (isinstance(value, numbers.Real) and not isinstance(value, bool)
          and (math.isfinite(value) or (allow_inf and value == math.inf))
          and (value > 0 or (allow_zero and value == 0)))
    if not ok:
        kind = "non-negative" if allow_zero else "positive"
        raise InputError(f"{name} must be a {kind}{'' if allow_inf else ' finite'} number"
                         f"{' or None' if allow_none else ''}, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class Geometry:
    """A mesh with cell tags, facet tags and the name -> tag map of its regions and boundaries.

    ``stats`` holds what was built (cells, h_min/h_max in nm, gmsh quality when known).
    """

    mesh: dolfinx.mesh.Mesh
    cell_tags: dolfinx.mesh.MeshTags | None
    facet_tags: dolfinx.mesh.MeshTags | None
    tags: dict[str, int] = field(default_factory=dict)
    stats: dict[str, float] = field(default_factory=dict)

    def tag(self, name: str) -> int:
        """Tag number of a named region or boundary (clear error if it does not exist)."""
        try:
            return self.tags[name]
        except KeyError:
            raise InputError(f"this geometry has no region or boundary named {name!r}; it has "
                             f"{sorted(self.tags)}") from None


def background_size(gmsh, fields) -> None:
    """Size the mesh by the smallest of the gmsh size ``fields`` (their Min as the background
    mesh) and by nothing else: no sizes from points, curvature or boundaries."""
    field = gmsh.model.mesh.field
    if len(fields) == 1:
        field.setAsBackgroundMesh(fields[0])
    else:
        fmin = field.add("Min")
        field.setNumbers(fmin, "FieldsList", list(fields))
        field.setAsBackgroundMesh(fmin)
    gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)
    gmsh.option.setNumber("Mesh.MeshSizeFromPoints", 0)
    gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", 0)


def shared_facet_partitioner():
    """Cell partitioner that ghosts the cells across process boundaries
    (``GhostMode.shared_facet``).

    Needed under MPI for interior-facet integrals ``dS`` over tagged interfaces on process
    boundaries, and in 1D so that a vertex between two ranks is not taken for a boundary point.
    """
    return dolfinx.mesh.create_cell_partitioner(dolfinx.mesh.GhostMode.shared_facet, 2)


def mesh_statistics(mesh: dolfinx.mesh.Mesh) -> dict[str, float]:
    """Global cell count and h_min / h_max (longest cell edge, nm)."""
    tdim = mesh.topology.dim
    imap = mesh.topology.index_map(tdim)
    h = dolfinx.cpp.mesh.h(mesh._cpp_object, tdim, np.arange(imap.size_local, dtype=np.int32))
    comm = mesh.comm
    h_min = comm.allreduce(float(h.min()) if len(h) else np.inf, op=MPI.MIN)
    h_max = comm.allreduce(float(h.max()) if len(h) else 0.0, op=MPI.MAX)
    return {"cells": float(imap.size_global), "h_min": h_min, "h_max": h_max}


def cache_path(cache_dir: str | Path, name: str, params: dict) -> Path:
    """``<cache_dir>/<name>-<hash of params>.msh`` (parameters keyed, so changed input rebuilds)."""
    text = json.dumps({"name": name, **params}, sort_keys=True, default=str)
    digest = hashlib.sha1(text.encode()).hexdigest()[:10]
    return Path(cache_dir) / f"{name}-{digest}.msh"


def gmsh_geometry(comm: MPI.Comm, name: str, build: Callable[..., None], *, gdim: int,
                  params: dict, cache_dir: str | Path | None = None) -> Geometry:
    """Build a gmsh model on rank 0 with ``build(gmsh)`` (it adds named physical groups and
    generates the mesh), or load it from the ``.msh`` cache, and distribute it.

    Args:
        comm: communicator.
        name: model name (cache files are ``<name>-<hash>.msh``).
        build: called on rank 0 with the initialised ``gmsh`` module.
        gdim: geometric dimension of the DOLFINx mesh.
        params: the parameters that determine the mesh (cache key, logged).
        cache_dir: folder of cached meshes, or None to always build.
    """
    import dolfinx.io.gmsh
    import gmsh  # only geometry modules import gmsh

    quality: dict[str, float] = {}
    error = None
    if comm.rank == 0:
        gmsh.initialize(interruptible=False)
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.model.add(name)
        try:
            cached = cache_path(cache_dir, name, params) if cache_dir is not None else None
            if cached is not None and cached.exists():
                gmsh.open(str(cached))
                log.info("mesh %s: read cached %s", name, cached)
            else:
                build(gmsh)
                if cached is not None:
                    cached.parent.mkdir(parents=True, exist_ok=True)
                    tmp = cached.with_suffix(".partial.msh")
                    gmsh.write(str(tmp))
                    tmp.replace(cached)
            dim = gmsh.model.getDimension()
            _, elements, _ = gmsh.model.mesh.getElements(dim)
            if dim >= 2 and len(elements):
                q = gmsh.model.mesh.getElementQualities(np.concatenate(elements), "minSICN")
                quality = {"quality_min": float(q.min()), "quality_mean": float(q.mean())}
        except Exception as e:  # report on every rank instead of leaving the others waiting
            error = f"{type(e).__name__}: {e}"
    error = comm.bcast(error, root=0)
    if error is not None:
        if comm.rank == 0:
            gmsh.finalize()
        raise InputError(f"building the {name} mesh with gmsh failed ({error}); check the "
                         f"geometry parameters {params}")
    try:
        data = dolfinx.io.gmsh.model_to_mesh(gmsh.model, comm, 0, gdim=gdim,
                                             partitioner=shared_facet_partitioner())
    finally:
        if comm.rank == 0:
            gmsh.finalize()
    tags = {k: int(v[1]) for k, v in data.physical_groups.items()}
    stats = mesh_statistics(data.mesh) | comm.bcast(quality, root=0)
    log.info("mesh %s: %d cells, h in [%.3g, %.3g] nm%s, tags %s", name, stats["cells"],
             stats["h_min"], stats["h_max"],
             f", quality (minSICN) min {stats['quality_min']:.2f} mean {stats['quality_mean']:.2f}"
             if "quality_min" in stats else "", tags)
    return Geometry(data.mesh, data.cell_tags, data.facet_tags, tags, stats)
