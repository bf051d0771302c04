"""The Newton solver of the monolithic coupled step (:class:`fem_spin.CoupledSpinDynamics`).

* ``"direct"``: Newton on MUMPS as a chord iteration (:data:`fem_spin.core.newton.
  CHORD_OPTIONS`): the Jacobian and its LU are kept across Newton iterations and time steps
  and refreshed when the extra iterations since the last refresh have cost as much as the
  refresh (:class:`fem_spin.core.refresh_policy.RefreshPolicy`); a failed solve is repeated
  with a fresh Jacobian and LU, made once, then at every Newton iteration. The same steps as
  Newton with fresh LUs, to the Newton tolerance, 4.1x cheaper per step on the switching
  pillar's 4,347 dofs (``benchmarks/results/dynamics_issue16_sixth.md``). PETSc options of
  the user's that name a linear solver or a Jacobian lag (:data:`OWN_SOLVER_OPTIONS`)
  replace the chord: e.g. :data:`FRESH_NEWTON_OPTIONS`, a fresh LU at every Newton
  iteration. On one blocked unknown the LU is of W's Schur complement (:data:`CHORD_W_SCHUR`,
  :mod:`fem_spin.core.lumped_schur`): W eliminated exactly, (m, M) factored.
* ``"block"``: :func:`fem_spin.core.block_solver.block_solver`, with full Newton steps
  (:data:`BLOCK_FULL_STEPS`); a step it fails is repeated
  (:class:`fem_spin.core.fallback_solver.FallbackSolver`) by the same field split with m by
  MUMPS (with a mesh hierarchy), then by the chord's LU (of W's Schur complement on one
  blocked unknown, else of the whole Jacobian).
* ``"auto"``: block above :data:`BLOCK_MIN_DOFS` dofs (without magnetostatics, and unless the
  user's options name a ``ksp_type`` or ``pc_type``), else direct.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial

from fem_spin.core.block_solver import BlockPreconditioner, block_solver, split_index_sets
from fem_spin.core.fallback_solver import FallbackSolver
from fem_spin.core.lumped_schur import LumpedSchur, routed_lu_options, schur_split_options
from fem_spin.core.newton import CHORD_OPTIONS, NewtonSolver
from fem_spin.core.newton_options import option_names

__all__ = ["BLOCK_FULL_STEPS", "BLOCK_MIN_DOFS", "CHORD", "CHORD_W_SCHUR", "DIRECT_W_SCHUR",
           "FRESH_NEWTON_OPTIONS", "LINEAR_SOLVERS", "OWN_SOLVER_OPTIONS", "UPDATE_TOL", "choose",
           "direct_options", "step_solver"]

LINEAR_SOLVERS = ("auto", "direct", "block")

#: ``linear_solver="auto"`` uses the block solver above this many dofs.
BLOCK_MIN_DOFS = 20_000

#: User options that make the direct step plain Newton with them (no kept Jacobian or LU).
OWN_SOLVER_OPTIONS = frozenset({"ksp_type", "pc_type", "snes_lag_jacobian",
                                "snes_lag_preconditioner"})

#: Newton with a fresh Jacobian and MUMPS LU at every iteration (the direct step before the
#: chord became its default; for comparisons).
FRESH_NEWTON_OPTIONS: dict[str, object] = {"snes_lag_jacobian": 1,
                                           "snes_lag_preconditioner": 1}


#: The step's update test (``snes_stol``), per field in its own max norm (m, M, W:
#: :class:`fem_spin.core.update_test.FieldUpdateTest`). It was 1e-12 of the whole solution
#: (the direct chord; 1e-10 the block solver), for |M| = 1: at 1e-10 the chord's linear
#: convergence left |M| - 1 at 2e-12. Each step now ends with |M| made exact
#: (:mod:`fem_spin.stepping.midpoint_rotation`), so the test asks only for the accuracy:
#: 1e-9 moves the switching pillar's switching time by 2e-8 ps (its dt = 2 ps error: 0.5 ps).
UPDATE_TOL = 1e-9

#: The direct step's chord: :data:`fem_spin.core.newton.CHORD_OPTIONS` with full steps (its
#: residual need not fall at every iteration: with a backtracking line search the precessing
#: pillar, drive 6.5, took 49 s instead of 43; a step that diverges is repeated with fresh
#: matrices, then with the line search) and the update test :data:`UPDATE_TOL`.
CHORD: dict[str, object] = {**CHORD_OPTIONS, "snes_linesearch_type": "basic",
                            "snes_stol": UPDATE_TOL}


#: The block solver takes full Newton steps (``basic`` line search, unless the user names
#: one), as the direct chord does: a backtracking line search shortened the kept Jacobian's
#: steps (11.8 residuals per step for 7.7 Newton iterations at 199,773 dofs; with full steps
#: 9.3 for 7.3). Its last retry of a failed step (fresh matrices at every iteration) keeps the
#: merged options' line search (:data:`fem_spin.problems.llg.NONLINEAR_OPTIONS`: ``bt``).
#: False: the merged options' line search throughout (before issue 16's sixteenth session).
BLOCK_FULL_STEPS = True


#: The direct chord's linear solve on one blocked unknown (m, M, W per vertex): W's rows
#: (components 6-8, the lumped mass) by Jacobi, then W's Schur complement on (m, M)
#: (components 0-5, :class:`fem_spin.core.lumped_schur.LumpedSchur`) by MUMPS LU. Exact, as
#: the LU of the whole Jacobian, with fronts of 6 unknowns per vertex instead of 9.
CHORD_W_SCHUR: dict[str, object] = {
    "ksp_type": "preonly",
    **schur_split_options(),
    "pc_fieldsplit_block_size": 9,
    "pc_fieldsplit_0_fields": "6,7,8",
    "pc_fieldsplit_1_fields": "0,1,2,3,4,5",
}

#: On one blocked unknown, the direct chord factors W's Schur complement
#: (:data:`CHORD_W_SCHUR`); False: the whole Jacobian (BAIJ) by MUMPS.
DIRECT_W_SCHUR = True


def _w_schur(fields) -> bool:
    """Whether the chord's LU is of W's Schur complement (on one blocked unknown)."""
    return fields is not None and DIRECT_W_SCHUR


def _chord_lu(F, u, bcs, options: dict, fields, kw: dict, common: dict,
              fresh_options: dict | None = None) -> NewtonSolver:
    """The chord Newton of ``options`` (with a ``ksp_type``/``pc_type`` of an LU): on the
    blocked unknown of ``fields`` (m, M, W), the LU of W's Schur complement
    (:data:`CHORD_W_SCHUR`; the solver owns and closes it; the options of the LU, ``pc_factor_*``
    and ``mat_mumps_*``, go to it), else of the whole Jacobian."""
    extra = {}
    if _w_schur(fields):
        sets = split_index_sets(u.function_space, {"keep": [0, 1], "W": [2]}, fields=fields)
        schur = LumpedSchur(sets["keep"], sets["W"], per_vertex=(6, 3))
        options = {**options, **CHORD_W_SCHUR, **routed_lu_options(options, "fieldsplit_1_")}
        extra = {"aij_preconditioner": True, "after_jacobian": schur.after_jacobian}
    return NewtonSolver(F, u, bcs, petsc_options=options, fresh_options=fresh_options, **kw,
                        **common, **extra)


def choose(linear_solver: str, ndofs: int, demag: bool, user: Mapping[str, object]) -> str:
    """``"block"`` or ``"direct"`` for ``linear_solver`` (one of :data:`LINEAR_SOLVERS`);
    ``"auto"`` keeps the direct solver if the user's options name a ``ksp_type`` or
    ``pc_type`` (with or without the leading ``-``, as :func:`~fem_spin.core.newton.
    merged_options` reads them)."""
    if linear_solver == "block":
        return "block"
    if (linear_solver == "auto" and ndofs > BLOCK_MIN_DOFS and not demag
            and not {"ksp_type", "pc_type"} & option_names(user)):
        return "block"
    return "direct"


def direct_options(options: dict, user: Mapping[str, object]) -> dict:
    """The direct step's PETSc options: ``options`` (the merged defaults and user's) with
    :data:`CHORD` (under the user's own), unless the user's name their own linear solver or
    Jacobian lag (:data:`OWN_SOLVER_OPTIONS`)."""
    own = option_names(user)
    if OWN_SOLVER_OPTIONS & own:
        return options
    return {**options, **{k: v for k, v in CHORD.items() if k not in own}}


def _split_with_lu(F, u, bcs, V, inside, opts, kw, fallback, fields) -> FallbackSolver:
    """The block solver's field split with the accumulation by MUMPS instead of multigrid,
    itself falling back to ``fallback()``."""
    base, block, _ = block_solver(V, inside, fields=fields)
    return FallbackSolver(NewtonSolver(F, u, bcs, **kw, **{
        **opts, "base_options": base, "setup": block.setup,
        "after_jacobian": block.after_jacobian}), fallback)


def step_solver(F, u, bcs, *, kind: str, inside: Callable, options: dict,
                user: Mapping[str, object], kw: Callable[[str], dict], common: dict,
                hierarchy=None, wavenumber: Callable[[], float] = lambda: 0.0,
                fields=None, approximate_jacobian: bool = False
                ) -> tuple[NewtonSolver | FallbackSolver, BlockPreconditioner | None, str]:
    """``(solver, block preconditioner or None, description)`` of the step ``F(u) = 0``.

    Args:
        kind: ``"direct"`` or ``"block"`` (:func:`choose`).
        inside: the magnets' dofs of a collapsed (M, W) sub-space (boolean mask).
        options: the merged PETSc options of the step; ``user``: the user's own.
        kw: NewtonSolver keywords of the residual for a solver name (its hooks, Jacobian).
        common: NewtonSolver keywords of every solver (jit_options, log_level).
        hierarchy, wavenumber: the mesh hierarchy of the block solver's multigrid, and the
            largest wavenumber (1/nm) its coarse levels must resolve (called with one).
        fields: ``(collapsed space, dofs of u)`` of m, M, W when ``u`` is one blocked unknown
            (:mod:`fem_spin.core.blocked_space`; then the block solver's field split is built
            from an AIJ copy of the BAIJ Jacobian), else None (a mixed space).
        approximate_jacobian: the Jacobian leaves a dependence out (the magnetostatic field's,
            approximated locally): the block solver then takes full Newton steps (``basic``
            line search, unless the user names one), as the direct chord does. A Newton
            direction of such a Jacobian need not descend, and a backtracking line search
            failed where full steps converge (the pillar in its air ball, within 10 steps).
    """
    V = u.function_space
    if kind == "direct":
        opts = direct_options(options, user)
        if opts is options:
            return NewtonSolver(F, u, bcs, petsc_options=opts, **kw("coupled step"),
                                **common), None, "Newton + MUMPS LU"
        fresh = {"snes_linesearch_type": options.get("snes_linesearch_type", "basic")}
        lu = "MUMPS LU of W's Schur complement" if _w_schur(fields) else "MUMPS LU"
        return _chord_lu(F, u, bcs, opts, fields, kw("coupled step"), common, fresh), None, \
            f"Newton (chord) + {lu}, kept across iterations and steps"
    fresh = {"snes_linesearch_type": "basic" if approximate_jacobian else
             options.get("snes_linesearch_type", "basic")}
    if (BLOCK_FULL_STEPS or approximate_jacobian) and "snes_linesearch_type" not in \
            option_names(user):
        options = {**options, "snes_linesearch_type": "basic"}
    if "snes_stol" not in option_names(user):
        options = {**options, "snes_stol": UPDATE_TOL}
    k = 0.0 if hierarchy is None else wavenumber()
    base, block, desc = block_solver(V, inside, hierarchy, k, fields=fields)
    opts = dict(petsc_options=options, base_options=base, setup=block.setup,
                after_jacobian=block.after_jacobian, lag_refresh_its=40,
                aij_preconditioner=fields is not None, fresh_options=fresh, **common)
    step = NewtonSolver(F, u, bcs, **kw("coupled step"), **opts)
    fallback = partial(_chord_lu, F, u, bcs, {**options, **CHORD_OPTIONS}, fields,
                       kw("coupled step (MUMPS)"), common)
    if hierarchy is not None:  # before it, the same split with m by MUMPS
        fallback = partial(_split_with_lu, F, u, bcs, V, inside, opts,
                           kw("coupled step (m by MUMPS)"), fallback, fields)
    return FallbackSolver(step, fallback), block, desc + "; steps it fails by MUMPS"

