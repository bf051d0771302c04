"""The switching pillar of examples/switching_pillar.toml for the coupled step's solver tests
(test_block_solver, test_blocked_unknown, test_lumped_schur): the case with overrides, drive
j = 5.5, and its M and m gathered from all ranks by node position (comparable across
solvers, layouts and partitions)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from fem_spin.app.builders.geometry import mesh_step
from fem_spin.app.builders.problems import coupled_problem
from fem_spin.app.results import Results
from fem_spin.app.schema import load_case

CASE = Path(__file__).resolve().parents[2] / "examples" / "switching_pillar.toml"
DRIVE = 5.5


def pillar(comm, overrides: Sequence[str] = (), linear_solver: str = "auto",
           petsc_options: Mapping[str, object] | None = None):
    """``(CoupledSpinDynamics, dt)`` of the case with ``overrides`` (``--set`` strings), the
    drive set, ``linear_solver`` and ``petsc_options`` on top of the case's."""
    case = load_case(CASE, [f"dynamics.drives=[{DRIVE}]", *overrides])
    case = dataclasses.replace(case, linear_solver=linear_solver)
    if petsc_options:
        case = dataclasses.replace(case, petsc_options={**(case.petsc_options or {}),
                                                        **petsc_options})
    geometry, hierarchy = mesh_step(comm, case, Results())
    p = coupled_problem(case, geometry, hierarchy=hierarchy)
    p.set_drive(case.dynamics.drive(DRIVE))
    return p, case.dynamics.dt


def by_position(comm, p) -> tuple[np.ndarray, np.ndarray]:
    """M and m at t_n on all ranks, ordered by node position."""
    M, m = p.field("M"), p.field("m")
    owned = M.function_space.dofmap.index_map.size_local
    x = np.concatenate(comm.allgather(M.function_space.tabulate_dof_coordinates()[:owned]))
    M, m = (np.concatenate(comm.allgather(f.x.array[:3 * owned].reshape(-1, 3)))
            for f in (M, m))
    order = np.lexsort(np.round(x, 9).T)
    return M[order], m[order]
