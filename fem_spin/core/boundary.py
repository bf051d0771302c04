"""Boundary data of the spin accumulation: Dirichlet conditions per component, injected spin
currents (fluxes), both scaled by a drive ``s(t)`` in time-dependent problems, and the
validation of a problem's inputs (run on every rank alike, before any collective call, so all
ranks fail together)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import dolfinx.fem as fem
import numpy as np
import ufl

from fem_spin.core.fields import as_vector_field, interpolate
from fem_spin.core.regions import global_tags
from fem_spin.errors import InputError
from fem_spin.parameters import Dirichlet, Flux, Material

__all__ = ["BoundaryData", "check_drive", "dirichlet_bcs", "validate_inputs"]


def dirichlet_bcs(V: fem.FunctionSpace, facet_tags, d: Dirichlet) -> list[fem.DirichletBC]:
    """One DirichletBC per prescribed component of ``d`` on the facets tagged ``d.tag``, in the
    vector space ``V`` of m (or its sub-space of a mixed space). The value (a constant, UFL or
    a callable ``x -> (3, N)``) is interpolated once; ``bc.g`` holds it."""
    mesh = V.mesh
    fdim = mesh.topology.dim - 1
    mesh.topology.create_connectivity(fdim, mesh.topology.dim)
    facets = facet_tags.find(d.tag)
    value = d.value
    if not callable(value) and not isinstance(value, ufl.core.expr.Expr):
        value = as_vector_field(mesh, value, f"Dirichlet(tag={d.tag}).value").value
    bcs = []
    for k in d.components:
        Vk, _ = V.sub(k).collapse()
        if isinstance(value, np.ndarray):
            g = fem.Function(Vk)
            g.x.array[:] = value[k]
        elif isinstance(value, ufl.core.expr.Expr):
            g = interpolate(value[k], Vk)
        else:
            g = interpolate(lambda x, k=k, f=value: np.asarray(f(x), dtype=float)[k], Vk)
        dofs = fem.locate_dofs_topological((V.sub(k), Vk), fdim, facets)
        bcs.append(fem.dirichletbc(g, dofs, V.sub(k)))
    return bcs


def check_drive(drive):
    """A drive must be None or a callable ``t (ps) -> float``."""
    if drive is not None and not callable(drive):
        raise InputError(f"drive must be a callable t (ps) -> float, got {drive!r}")
    return drive


class BoundaryData:
    """Dirichlet conditions and injected fluxes of m, scaled by a drive ``s(t)``.

    Dirichlet values are interpolated once (``g0``) and set to ``s(t_{n+1}) g0`` before each
    step; fluxes carry the factor as a ``fem.Constant`` set to ``s(t_n + theta dt)``.
    """

    def __init__(self, mesh, Vm, facet_tags, ds, dirichlet: Sequence[Dirichlet],
                 flux: Sequence[Flux], drive: Callable[[float], float] | None):
        self.drive = check_drive(drive)
        self.scale = fem.Constant(mesh, np.float64(1.0 if drive is None else drive(0.0)))
        self.flux_terms = [
            (self.scale * as_vector_field(mesh, f.value, f"Flux(tag={f.tag}).value"), ds(f.tag))
            for f in flux
        ]
        self.bcs: list[fem.DirichletBC] = []
        self._values: list[tuple[fem.Function, np.ndarray]] = []
        for d in dirichlet:
            for bc in dirichlet_bcs(Vm, facet_tags, d):
                self.bcs.append(bc)
                self._values.append((bc.g, bc.g.x.array.copy()))

    def update(self, t_new: float, t_flux: float) -> None:
        """Set the data for a step ending at ``t_new`` whose fluxes act at ``t_flux``."""
        if self.drive is None and self.scale.value == 1.0:
            return
        s_new = 1.0 if self.drive is None else float(self.drive(t_new))
        self.scale.value = 1.0 if self.drive is None else float(self.drive(t_flux))
        for g, g0 in self._values:
            g.x.array[:] = s_new * g0


def validate_inputs(comm, materials, cell_tags, facet_tags, dirichlet, flux, degree) -> None:
    """Check the inputs of a spin-diffusion problem (S1, S2, coupled) on every rank alike:
    the degree, one :class:`Material` per tagged region covering every cell, boundary data on
    facet tags the mesh has. Raises :class:`InputError` naming the problem."""
    if not isinstance(degree, int) or degree < 1:
        raise InputError(f"degree must be an integer >= 1, got {degree!r}")
    for tag, mat in materials.items():
        if not isinstance(mat, Material):
            raise InputError(f"materials[{tag}] must be a fem_spin.Material, got {mat!r}")
    if len(materials) > 1 or cell_tags is not None:
        if cell_tags is None:
            raise InputError("several materials need cell_tags that mark their regions")
        present = global_tags(comm, cell_tags)
        missing = sorted(set(materials) - present)
        if missing:
            raise InputError(f"materials given for cell tags {missing} that the mesh does not "
                             f"have; the mesh's cell tags are {sorted(present)}")
        untagged = sorted(present - set(materials))
        if untagged:
            raise InputError(f"no material for cell tags {untagged}: add them to materials")
        tdim = cell_tags.dim
        imap = cell_tags.topology.index_map(tdim)
        n_tagged = np.count_nonzero(np.isin(cell_tags.indices, np.arange(imap.size_local)))
        n_tagged = comm.allreduce(n_tagged)
        if n_tagged != imap.size_global:
            raise InputError(f"{imap.size_global - n_tagged} of {imap.size_global} cells carry "
                             "no cell tag, so they have no material: tag every cell")
    for bc in (*dirichlet, *flux):
        if not isinstance(bc, Dirichlet | Flux):
            raise InputError(f"boundary data must be Dirichlet(...) or Flux(...), got {bc!r}")
    wanted = sorted({bc.tag for bc in (*dirichlet, *flux)})
    if wanted:
        if facet_tags is None:
            raise InputError(f"boundary data on facet tags {wanted} need facet_tags: pass the "
                             "mesh's facet MeshTags (facet_tags=...)")
        present = global_tags(comm, facet_tags)
        missing = [t for t in wanted if t not in present]
        if missing:
            raise InputError(f"boundary data on facet tags {missing}, which the mesh does not "
                             f"have; its facet tags are {sorted(present)}")
