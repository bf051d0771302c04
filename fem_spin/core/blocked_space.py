"""Several P1 vector fields as one blocked unknown: the nodal layout of a matrix in BAIJ.

A mixed space of P1 vectors numbers its dofs field by field, so its Jacobian goes into AIJ
value by value; the same fields as one P1 element of ``n * 3`` components number them node by
node, and the Jacobian goes into BAIJ in dense ``3n x 3n`` blocks, more than 10x faster to
insert (``benchmarks/jacobian_layout.py``). :func:`blocked_space` makes that space,
:func:`split` its fields in UFL (as ``ufl.split`` does for a mixed space) and
:func:`field_maps` the collapsed space of each field with the dofs it takes in the blocked
one (as ``V.sub(i).collapse()`` does for a mixed space).
"""

from __future__ import annotations

from collections.abc import Sequence

import dolfinx.fem as fem
import numpy as np
import ufl

__all__ = ["blocked_space", "field_maps", "split"]

SIZE = 3  # components of each field


def blocked_space(mesh, n_fields: int) -> fem.FunctionSpace:
    """The P1 space of ``n_fields`` 3-vectors, blocked by node."""
    return fem.functionspace(mesh, ("Lagrange", 1, (SIZE * n_fields,)))


def split(w, n_fields: int) -> tuple:
    """The 3-vector fields of a Function, test or trial function of :func:`blocked_space`."""
    return tuple(ufl.as_vector([w[SIZE * i + k] for k in range(SIZE)])
                 for i in range(n_fields))


def field_maps(V: fem.FunctionSpace, names: Sequence[str]
               ) -> list[tuple[str, fem.FunctionSpace, np.ndarray]]:
    """``(name, collapsed P1 3-vector space, dofs of V)`` of each field of a blocked space.

    The collapsed space numbers the nodes as ``V`` does (both are P1 on the same mesh); this
    is checked, so that field ``i``'s dof ``3 node + k`` is ``V``'s ``bs node + 3 i + k``.
    """
    Vc = fem.functionspace(V.mesh, ("Lagrange", 1, (SIZE,)))
    imap, cmap = V.dofmap.index_map, Vc.dofmap.index_map
    if (imap.size_local != cmap.size_local or not np.array_equal(imap.ghosts, cmap.ghosts)
            or not np.array_equal(V.dofmap.list, Vc.dofmap.list)):
        raise RuntimeError("the blocked space and a P1 vector space number their nodes "
                           "differently")
    bs = V.dofmap.index_map_bs
    nodes = np.arange(imap.size_local + imap.num_ghosts, dtype=np.int64)[:, None]
    return [(name, Vc, (bs * nodes + SIZE * i + np.arange(SIZE)).ravel())
            for i, name in enumerate(names)]
