"""Fields that jump across tagged interfaces, with continuous Lagrange spaces and ``dS`` only.

The regions are coloured so that the two sides of every interface differ in colour; each colour
has its own copy of the unknowns on the whole mesh, active on the cells of its regions. On an
interface facet both copies exist (the facet belongs to cells of both colours), so the jump
is ``u_B - u_A`` of two continuous fields: a plain interior-facet integral, under MPI too. The
dofs of a copy outside its colour's cells are fixed to zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import dolfinx.fem as fem
import dolfinx.la as la
import numpy as np

from fem_spin.errors import InputError

__all__ = ["cell_regions", "colour_regions", "facet_regions", "inactive_bcs"]


def cell_regions(mesh, cell_tags) -> np.ndarray:
    """The cell tag of every local cell (owned and ghost; -1 where untagged; 0 everywhere
    without cell tags: one region)."""
    tdim = mesh.topology.dim
    imap = mesh.topology.index_map(tdim)
    region = np.full(imap.size_local + imap.num_ghosts, -1 if cell_tags else 0, dtype=np.int64)
    if cell_tags is not None:
        region[cell_tags.indices] = cell_tags.values
    return region


def facet_regions(mesh, cell_tags, facet_tags, tag: int) -> set[int]:
    """The cell tags of the cells next to the facets tagged ``tag``, over all ranks."""
    tdim = mesh.topology.dim
    mesh.topology.create_connectivity(tdim - 1, tdim)
    f2c = mesh.topology.connectivity(tdim - 1, tdim)
    region = cell_regions(mesh, cell_tags)
    local = {int(region[c]) for f in facet_tags.find(tag) for c in f2c.links(f)}
    return set().union(*mesh.comm.allgather(local)) - {-1}


def colour_regions(regions: Iterable[int], pairs: Iterable[tuple[int, int]]) -> dict[int, int]:
    """Colours 0/1 per region such that each pair (the two sides of an interface) differs.

    Raises InputError if the interfaces make an odd cycle (no two-colouring exists)."""
    neighbours: dict[int, set[int]] = {r: set() for r in regions}
    for a, b in pairs:
        neighbours.setdefault(a, set()).add(b)
        neighbours.setdefault(b, set()).add(a)
    colour: dict[int, int] = {}
    for start in sorted(neighbours):
        if start in colour:
            continue
        colour[start] = 0
        stack = [start]
        while stack:
            r = stack.pop()
            for s in sorted(neighbours[r]):
                if s not in colour:
                    colour[s] = 1 - colour[r]
                    stack.append(s)
                elif colour[s] == colour[r]:
                    raise InputError(
                        f"the interfaces between regions form an odd cycle through regions {r} "
                        f"and {s}: fem_spin needs the regions on the two sides of every "
                        "interface to alternate (true for any stack of layers); split a region")
    return colour


def inactive_bcs(W, subspaces: Mapping[int, Iterable], cells: np.ndarray) -> list:
    """Zero Dirichlet conditions on the dofs of the scalar sub-spaces ``subspaces`` of ``W``
    that no cell of ``cells`` touches (a colour's copy outside its regions)."""
    bcs = []
    for sub in subspaces.values():
        for Wk in sub:
            Vk, parent = Wk.collapse()
            parent = parent[0] if isinstance(parent, list) else parent  # DOLFINx 0.11: [map]
            # a dof is active if a cell of the colour on any rank touches it
            touched = fem.Function(Vk)
            touched.x.array[Vk.dofmap.list[cells].ravel()] = 1.0
            touched.x.scatter_reverse(la.InsertMode.add)
            touched.x.scatter_forward()
            collapsed = np.flatnonzero(touched.x.array == 0).astype(np.int32)
            dofs = [np.asarray(parent, dtype=np.int32)[collapsed], collapsed]
            zero = fem.Function(Vk)
            bcs.append(fem.dirichletbc(zero, dofs, Wk))
    return bcs
