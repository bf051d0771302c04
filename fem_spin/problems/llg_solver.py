"""The linear solve of the LLG step (:class:`fem_spin.problems.llg.LLG`) on its mixed (M, W)
space: through W's Schur complement on M (:mod:`fem_spin.core.lumped_schur`). W is the
lumped projection of the effective field, so eliminating it is exact; the LU is of ``S`` on
M, 3 unknowns per vertex instead of 6."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from mpi4py import MPI

from fem_spin.core.block_solver import field_split_setup, split_index_sets
from fem_spin.core.lumped_schur import LumpedSchur, routed_lu_options, schur_split_options
from fem_spin.core.newton_options import option_names

__all__ = ["W_SCHUR", "W_SCHUR_OPTIONS", "w_schur_solver"]

#: The LLG step's linear solve through W's Schur complement on M
#: (:mod:`fem_spin.core.lumped_schur`): W's rows (the lumped mass) by Jacobi, then ``S`` by
#: MUMPS LU. Exact, as the LU of the whole (M, W) system, with 3 unknowns per vertex instead
#: of 6. ``W_SCHUR = False``: the LU of the whole system.
W_SCHUR = True
W_SCHUR_OPTIONS: dict[str, object] = {"ksp_type": "preonly",
                                      **schur_split_options(w="W", keep="M")}


def w_schur_solver(V, maps, options: dict, user: Mapping[str, object] | None) -> dict:
    """NewtonSolver keywords for the (M, W) space ``V`` (``maps``: ``(collapsed space, dofs
    of V)`` of M and W, as the stepper's fields) that solve through W's Schur complement
    (:data:`W_SCHUR_OPTIONS`; the LU's ``pc_factor_*`` and ``mat_mumps_*`` options go to it),
    or ``{"petsc_options": options}`` when the user's options name a linear solver or M's and
    W's dofs do not pair by vertex on every rank."""
    plain = {"petsc_options": options}
    if not W_SCHUR or {"ksp_type", "pc_type"} & option_names(user):
        return plain
    x = [Vc.tabulate_dof_coordinates()[:Vc.dofmap.index_map.size_local] for Vc, _ in maps]
    if not V.mesh.comm.allreduce(x[0].shape == x[1].shape and np.array_equal(*x), op=MPI.LAND):
        return plain
    sets = split_index_sets(V, {"M": [0], "W": [1]}, fields=maps)
    schur = LumpedSchur(sets["M"], sets["W"])
    lu = routed_lu_options(options, "fieldsplit_M_")
    return {"petsc_options": {**options, **W_SCHUR_OPTIONS, **lu},
            "setup": field_split_setup(V, {"W": [1], "M": [0]}, fields=maps),
            "after_jacobian": schur.after_jacobian}
