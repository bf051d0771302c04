"""Before meshing: how big will the run be? After meshing: does the mesh resolve the physics?

:func:`estimate` predicts cells, dofs and memory of a case from its geometry (volume over
the cell volume at ``h_max``; gmsh's tetrahedra fill about ``6 h^3`` per ``h^3``, its
triangles ``2.3`` per ``h^2``), the uniform refinements and the degree; the memory model is
calibrated on ``examples/pillar_3d.toml`` with MUMPS (serial, this machine: 4.4k dofs 0.22 GB,
13k dofs 0.31 GB, 38k dofs 0.66 GB, 156k dofs 3.5 GB: a 0.25 GB base plus
0.46 GB (N / 37653)^1.38 in 3D). It is an estimate (within a factor of about 2): its purpose is
to refuse a run that cannot fit (``--set geometry.h_max=0.01``) before minutes of meshing.
The limit is ``--max-memory GB`` or ``FEM_SPIN_MAX_MEMORY_GB``, by default 80 % of this
machine's memory.

:func:`check_resolution` warns (an error under ``--strict``) when the mean node spacing of a
region (mean cell size / degree) exceeds a fifth of its transverse wavelength ``2 pi / Im k``
or half of its spin-diffusion length (:mod:`fem_spin.physics.scales`).
"""

from __future__ import annotations

import contextvars
import logging
import math
import os
from dataclasses import dataclass

import numpy as np
from mpi4py import MPI

from fem_spin.app.schema import Case
from fem_spin.errors import InputError
from fem_spin.physics import scales

__all__ = ["NODES_PER_L_SF", "NODES_PER_WAVELENGTH", "Estimate", "check_resolution",
           "check_size", "estimate", "max_memory", "strict"]

log = logging.getLogger(__name__)

NODES_PER_WAVELENGTH = 5.0
NODES_PER_L_SF = 2.0
strict: contextvars.ContextVar[bool] = contextvars.ContextVar("strict", default=False)
"""``--strict``: unresolved physics is an error, not a warning."""
limit_gb: contextvars.ContextVar[float | None] = contextvars.ContextVar("limit_gb", default=None)
"""``--max-memory GB`` (None: ``FEM_SPIN_MAX_MEMORY_GB``, else 80 % of the memory)."""


@dataclass(frozen=True)
class Estimate:
    cells: float
    dofs: float
    memory_gb: float

    def __str__(self) -> str:
        return (f"about {self.cells:.3g} cells, {self.dofs:.3g} dofs and {self.memory_gb:.3g} GB "
                "of memory (an estimate, within a factor of about 2)")


def _cells(case: Case) -> float:
    g, p = case.geometry, case.geometry.params
    thickness = sum(t for _, t in g.layers)
    h = p.get("h_max") or 1.0
    h_i = p.get("h_interface") or h
    interfaces = max(len(g.layers) - 1, 0)
    if g.kind == "ring":
        return float(p["cells"]) if p.get("cells") else 4 * p["side"] / min(h, p["h_corner"])
    if g.kind == "multilayer":
        grading = 2 * math.log(max(h / h_i, 1.0)) / math.log(p.get("growth") or 1.2)
        return thickness / h + interfaces * (grading + 1)
    if g.kind == "slab":
        return 2.3 * (p["width"] * thickness / h**2 + interfaces * p["width"] * h / h_i**2)
    if g.kind == "pillar":
        rx, ry = p["radius"][0], p["radius"][-1]
        area = math.pi * rx * ry
        leads = p.get("leads") or (0.0, 0.0)
        lr = p.get("lead_radius") or p["radius"]
        volume = area * thickness + math.pi * lr[0] * lr[-1] * sum(leads)
        return 6.0 * (volume / h**3 + interfaces * area * h / h_i**3)
    if g.kind == "torus":
        return 6.0 * 2 * math.pi**2 * p["R"] * p["r"] ** 2 / h**3
    if g.kind == "square_torus":
        return 6.0 * 4 * p["side"] * p["section"] ** 2 / h**3
    raise InputError(f"no size estimate for geometry kind {g.kind!r}")


def estimate(case: Case, ranks: int = 1) -> Estimate:
    """Cells, dofs and memory (GB, all ranks together) of ``case``, before meshing."""
    d = case.geometry.gdim
    cells = _cells(case) * (2**d) ** case.refinements
    vertices = cells / {1: 1.0, 2: 2.0, 3: 5.5}[d]
    dofs = 3 * vertices * case.degree**d + (6 * vertices if case.dynamics is not None else 0)
    base = 0.25 * ranks
    if d == 3 and case.linear_solver != "iterative":
        solve = 0.46 * (dofs / 37653) ** 1.38
    elif d == 2 and case.linear_solver != "iterative":
        solve = 4e-6 * dofs * max(math.log2(max(dofs, 2.0)) / 10, 1.0)
    else:
        solve = 2e-6 * dofs
    return Estimate(cells, dofs, base + solve)


def max_memory() -> tuple[float, str]:
    """The memory limit (GB) and where it comes from."""
    if limit_gb.get() is not None:
        return float(limit_gb.get()), "--max-memory"
    env = os.environ.get("FEM_SPIN_MAX_MEMORY_GB")
    if env:
        try:
            return float(env), "FEM_SPIN_MAX_MEMORY_GB"
        except ValueError:
            raise InputError(f"FEM_SPIN_MAX_MEMORY_GB must be a number (GB), got {env!r}") \
                from None
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    return 0.8 * total, "80 % of this machine's memory"


def check_size(case: Case, comm: MPI.Comm) -> Estimate:
    """Refuse (:class:`InputError`) a case whose estimate exceeds the memory limit."""
    est = estimate(case, comm.size)
    limit, source = max_memory()
    if est.memory_gb > limit:
        raise InputError(f"{case.name}: the mesh would have {est}, more than the limit of "
                         f"{limit:.3g} GB ({source}; set --max-memory GB or "
                         "FEM_SPIN_MAX_MEMORY_GB to change it): raise geometry.h_max or "
                         "lower solver.refinements")
    log.debug("size estimate: %s (limit %.3g GB)", est, limit)
    return est


def check_resolution(case: Case, geometry) -> list[str]:
    """Per region: node spacing above wavelength / 5 or l_sf / 2 (collective)."""
    import dolfinx

    mesh = geometry.mesh
    tdim = mesh.topology.dim
    n_owned = mesh.topology.index_map(tdim).size_local
    problems = []
    for region, material in case.materials.items():
        if region not in geometry.tags or geometry.cell_tags is None:
            continue
        cells = geometry.cell_tags.find(geometry.tags[region])
        cells = cells[cells < n_owned].astype(np.int32)
        h = dolfinx.cpp.mesh.h(mesh._cpp_object, tdim, cells)
        total, count = mesh.comm.allreduce(np.array([h.sum(), len(h)], dtype=float))
        if count == 0:
            continue
        h_cell = total / count / case.degree  # the mean node spacing of the region
        h_max = h_cell
        l_sf = min(material.l_sf)
        tau = min(material.tau3)
        wavelength = (scales.transverse_lengths(min(material.D3), tau, min(material.tau_A3),
                                                material.lam)[1] if material.lam else math.inf)
        if wavelength / h_max < NODES_PER_WAVELENGTH:
            problems.append(f"region {region!r}: nodes {h_max:.3g} nm apart (mean) for a "
                            f"transverse wavelength of {wavelength:.3g} nm "
                            f"({wavelength / h_max:.2g} nodes per wavelength, fewer than "
                            f"{NODES_PER_WAVELENGTH:g})")
        if l_sf / h_max < NODES_PER_L_SF:
            problems.append(f"region {region!r}: nodes {h_max:.3g} nm apart (mean) for a "
                            f"spin-diffusion length of {l_sf:.3g} nm")
    if problems:
        text = ("the mesh does not resolve the physics: " + "; ".join(problems)
                + ": lower geometry.h_max (or h_interface), raise solver.refinements or "
                "solver.degree")
        if strict.get():
            raise InputError(f"{case.name}: {text} (an error under --strict)")
        log.warning("%s: %s (the result is not to be trusted)", case.name, text)
    return problems


def add_options(parser) -> None:
    """``--strict`` and ``--max-memory GB`` of the case commands (run, check, mesh)."""
    parser.add_argument("--strict", action="store_true",
                        help="an unresolved mesh (transverse wavelength, l_sf) is an error")
    parser.add_argument("--max-memory", type=float, metavar="GB", default=None,
                        help="refuse a case whose size estimate needs more memory (default: "
                             "FEM_SPIN_MAX_MEMORY_GB, else 80%% of this machine's)")


def apply_options(args) -> None:
    """Take ``--strict`` and ``--max-memory`` from the parsed arguments."""
    strict.set(bool(getattr(args, "strict", False)))
    limit_gb.set(getattr(args, "max_memory", None))
