"""Block (field-split) preconditioning of a Newton on a mixed space or a blocked unknown.

The monolithic coupled step (:class:`fem_spin.CoupledSpinDynamics`) solves for the spin
accumulation m and the magnetization and its effective field (M, W) at once. Its Jacobian
has the block form ``[[A_mm, A_mM], [A_Mm, A_MM]]``: ``A_mm`` is the S2 operator (mass /
dt, diffusion, relaxation, precession; an elliptic P1 vector problem, solved by multigrid),
``A_MM`` the implicit-midpoint LLG with the exchange field (non-zero only in the thin
magnets; its own factorization is small). :func:`field_split_setup` gives PETSc's
``fieldsplit`` preconditioner the index sets of the sub-spaces; :data:`BLOCK_OPTIONS` is the
solver: GMRES on the Jacobian, preconditioned by block Gauss-Seidel (m, then the magnets'
(M, W), then the pinned (M, W) outside the magnets); :func:`block_solver` assembles it
for a coupled problem (docs/solver-design.md, "The block solver of the coupled step"). On
one blocked unknown (:mod:`fem_spin.core.blocked_space`) the fields are given explicitly,
and the split is built from an AIJ copy of the BAIJ Jacobian (a BAIJ matrix gives whole
nodal blocks only).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
from petsc4py import PETSc

from fem_spin.core.lumped_schur import MW_SCHUR_OPTIONS, LumpedSchur

__all__ = ["BLOCK_OPTIONS", "M_MULTIGRID_OPTIONS", "SPLIT_ORDER", "BlockPreconditioner",
           "block_solver", "field_split_setup", "split_index_sets"]

#: GMRES preconditioned by PCFIELDSPLIT (multiplicative: block Gauss-Seidel, in the order
#: :data:`SPLIT_ORDER`): the ``m`` block (here by MUMPS; by geometric multigrid with a mesh
#: hierarchy: :data:`M_MULTIGRID_OPTIONS`), then the ``MW`` block of the magnet vertices by
#: MUMPS (small: the magnets only; on one blocked unknown through W's Schur complement,
#: :data:`MW_SCHUR`), then the ``pinned`` (M, W) outside the magnets (rows ``M = M_pin``,
#: ``W = 0``: diagonal, so Jacobi is exact). Newton's linear tolerance follows
#: Eisenstat-Walker.
#: The Jacobian and the preconditioner are kept across Newton iterations and time steps and
#: refreshed as for :data:`fem_spin.core.newton.CHORD_OPTIONS` (each Newton iteration costs
#: one residual and one preconditioned GMRES solve with the kept matrix).
BLOCK_OPTIONS: dict[str, object] = {
    "ksp_type": "gmres",
    "ksp_pc_side": "right",
    "ksp_norm_type": "unpreconditioned",
    "ksp_rtol": 1e-9,
    "ksp_atol": 1e-50,
    "ksp_max_it": 100,
    "ksp_gmres_restart": 100,
    "snes_ksp_ew": True,
    # the first linear solve of a step to 3e-2 (PETSc's default 0.3 cost a Newton iteration:
    # a fresh Jacobian's step took 5-6 instead of 4; level 2: 118 -> 80 residuals and 80 ->
    # 70 linear solves in 10 steps, with full steps)
    "snes_ksp_ew_rtol0": 0.03,
    # then each linear solve to the last Newton iteration's residual ratio (alpha = 1, not
    # PETSc's golden ratio: that superlinear forcing suits a Newton that converges
    # superlinearly, and the chord on a kept Jacobian converges linearly; level 2, 20 steps:
    # 516 -> 338 preconditioner applications for 172 -> 182 residuals)
    "snes_ksp_ew_alpha": 1.0,
    # near convergence Eisenstat-Walker can ask for a linear residual below the round-off
    # floor of the assembled operator (measured: the refined pillar's switching, GMRES
    # stagnating at 1.8e-4 for ksp_rtol 1.2e-4, 1e-12 of the step's first residual): such
    # an inexact step is kept, as a Newton step; a third failure in one solve fails it (then
    # it is repeated with a fresh Jacobian and preconditioner)
    "snes_max_linear_solve_fail": 3,
    "pc_type": "fieldsplit",
    "pc_fieldsplit_type": "multiplicative",
    "fieldsplit_m_ksp_type": "preonly",
    "fieldsplit_m_pc_type": "lu",
    "fieldsplit_m_pc_factor_mat_solver_type": "mumps",
    "fieldsplit_pinned_ksp_type": "preonly",
    "fieldsplit_pinned_pc_type": "jacobi",
    "fieldsplit_MW_ksp_type": "preonly",
    "fieldsplit_MW_pc_type": "lu",
    "fieldsplit_MW_pc_factor_mat_solver_type": "mumps",
    "snes_lag_jacobian": -2,
    "snes_lag_jacobian_persists": True,
    "snes_lag_preconditioner": -2,
    "snes_lag_preconditioner_persists": True,
}


#: The ``m`` block's multigrid on BAIJ copies of its operators (the AIJ block of the field
#: split and its Galerkin products, formed by
#: :class:`fem_spin.core.linear_solvers.GalerkinOperators` at each refresh): the same
#: operators, faster products (issue 16, fifteenth session); False: PCMG's own Galerkin
#: products, AIJ.
BLOCKED_M_LEVELS = True

#: The order of the block Gauss-Seidel sweep over the splits. PCFIELDSPLIT forms each later
#: split's right-hand side with a product of its rows of the Jacobian; the pinned rows (the
#: identity, their update zero: M on its pinned value) last make those products the
#: magnets' rows and the pinned diagonal instead of all of m's rows (the same iterates; the
#: field split's application 31 -> 27.5 ms at 199,773 dofs). Before issue 16's sixteenth
#: session: ``("pinned", "m", "MW")``.
SPLIT_ORDER = ("m", "MW", "pinned")

#: On one blocked unknown, the ``MW`` split by W's Schur complement
#: (:mod:`fem_spin.core.lumped_schur`: a 4x smaller LU; at 199,773 dofs 8 ms per solve
#: instead of 21, the step 18 % cheaper); False: by MUMPS LU of the (M, W) block.
MW_SCHUR = True


def _fields(V, fields):
    """``(collapsed space, dofs)`` of each field: ``fields`` if given, else the sub-spaces."""
    if fields is not None:
        return list(fields)
    return [V.sub(i).collapse() for i in range(V.num_sub_spaces)]


def split_index_sets(V, groups: Mapping[str, Sequence[int]],
                     masks: Mapping[str, Callable] | None = None,
                     fields: Sequence | None = None) -> dict[str, PETSc.IS]:
    """Global index sets of the owned dofs of groups of fields of ``V``: the sub-spaces of a
    mixed space, or ``fields`` (``(collapsed space, dofs of V)`` each, e.g. the fields of a
    blocked space: :func:`fem_spin.core.blocked_space.field_maps`).

    A group of one blocked field keeps the order of its collapsed space (so that the
    sub-matrix is numbered as that space, block size ``bs``); a group of several is sorted.
    ``masks[name]``, if given, is called with each collapsed space and returns a boolean
    mask of its local dofs: the group keeps only those.
    """
    imap, bs_V = V.dofmap.index_map, V.dofmap.index_map_bs
    n_owned, first = imap.size_local * bs_V, imap.local_range[0] * bs_V
    maps = _fields(V, fields)
    sets = {}
    for name, subs in groups.items():
        parts, bs = [], 1
        for i in subs:
            Vi, dofs = maps[i]
            bs = Vi.dofmap.index_map_bs
            n = Vi.dofmap.index_map.size_local * bs
            owned = np.asarray(dofs).ravel()[:n]  # DOLFINx 0.11: a list of one array
            if np.any(owned >= n_owned):
                raise RuntimeError("a collapsed sub-space owns a dof its mixed space does not")
            if masks and name in masks:
                owned = owned[np.asarray(masks[name](Vi))[:n]]
            parts.append(owned + first)
        masked = bool(masks and name in masks)
        idx = parts[0] if len(parts) == 1 and not masked else np.sort(np.concatenate(parts))
        index_set = PETSc.IS().createGeneral(idx.astype(PETSc.IntType), comm=V.mesh.comm)
        if len(parts) == 1 and bs > 1 and not masked:
            index_set.setBlockSize(bs)
        sets[name] = index_set
    return sets


def field_split_setup(V, groups: Mapping[str, Sequence[int]],
                      masks: Mapping[str, Callable] | None = None, fields: Sequence | None = None
                      ) -> Callable[[PETSc.KSP], None]:
    """A ``setup`` for :class:`fem_spin.core.newton.NewtonSolver`: gives a ``fieldsplit`` PC
    the splits ``groups`` (name: field indices of ``V``, with ``masks`` and ``fields`` as for
    :func:`split_index_sets`); another PC is left alone."""
    def setup(ksp: PETSc.KSP) -> None:
        pc = ksp.getPC()
        if pc.getType() != PETSc.PC.Type.FIELDSPLIT:
            return
        sets = split_index_sets(V, groups, masks, fields)
        pc.setFieldSplitIS(*sets.items())
        ksp.setFromOptions()
    return setup


class BlockPreconditioner:
    """The field split of :data:`BLOCK_OPTIONS` on the mixed space ``V``, with the ``m`` block
    optionally by geometric multigrid on a mesh hierarchy (``prolongations`` of the collapsed
    sub-space 0, coarse to fine: :func:`fem_spin.core.linear_solvers.prolongation`).

    ``setup`` and ``after_jacobian`` are the hooks of :class:`fem_spin.core.newton.NewtonSolver`.
    PCFIELDSPLIT makes its sub-solvers when it is first set up, so the multigrid levels are
    given to the ``m`` sub-solver then (before its own set-up).
    """

    def __init__(self, V, groups: Mapping[str, Sequence[int]], prolongations=(),
                 masks: Mapping[str, Callable] | None = None, fields: Sequence | None = None,
                 schur: LumpedSchur | None = None):
        self.V, self.groups, self.masks, self.fields = V, dict(groups), masks, fields
        self.prolongations = list(prolongations)
        self.schur = schur
        self._configured = False
        self.galerkin = None
        if self.prolongations and BLOCKED_M_LEVELS:
            from fem_spin.core.linear_solvers import GalerkinOperators

            self.galerkin = GalerkinOperators(self.prolongations, blocked_fine=True)

    def setup(self, ksp: PETSc.KSP) -> None:
        field_split_setup(self.V, self.groups, self.masks, self.fields)(ksp)

    def after_jacobian(self, ksp: PETSc.KSP, J: PETSc.Mat, P: PETSc.Mat | None = None) -> None:
        pc = ksp.getPC()
        if pc.getType() != PETSc.PC.Type.FIELDSPLIT:
            return
        if self.schur is not None:
            self.schur.update(P)
        first = not self._configured
        self._configured = True
        configure = first and (self.prolongations or self.schur is not None)
        if not configure and self.galerkin is None:
            return
        # the field split set up now (its blocks extracted from this Jacobian)
        ksp.setOperators(J, J if P is None else P)
        pc.setUp()
        sub = dict(zip(self.groups, pc.getFieldSplitSubKSP(), strict=True))
        if first and self.prolongations:
            from fem_spin.core.linear_solvers import configure_multigrid

            configure_multigrid(sub["m"], self.prolongations)
        if first and self.schur is not None:
            self.schur.attach(sub["MW"].getPC())
        if self.galerkin is not None:  # the m multigrid's operators, at every refresh
            self.galerkin.update(sub["m"], sub["m"].getOperators()[1])

    def close(self) -> None:
        """Free the interpolations (collective: call on all ranks together)."""
        if self.galerkin is not None:
            self.galerkin.destroy()
            self.galerkin = None
        for P in self.prolongations:
            P.destroy()
        self.prolongations = []
        if self.schur is not None:
            self.schur.close()


#: The ``m`` block by the geometric multigrid of
#: :data:`fem_spin.core.linear_solvers.MULTIGRID_OPTIONS` (W-cycle, 3x3 point-block Jacobi,
#: Galerkin coarse operators, MUMPS coarse), smoothed by two GMRES steps instead of one
#: Chebyshev step, so the outer Krylov method is FGMRES. Chebyshev's real eigenvalue interval
#: does not fit this non-normal operator (the precession): as the drive built up, the
#: pillar's steps at 28k and 200k dofs needed 3x the GMRES iterations and failed at
#: t = 20-24 ps (tests/verification/test_block_solver.py). Richardson (0.7) with two
#: point-block Jacobi sweeps works too, 7 % slower (measured).
M_MULTIGRID_OPTIONS: dict[str, object] = {
    "ksp_type": "fgmres",
    "fieldsplit_m_pc_type": "mg",
    "fieldsplit_m_pc_mg_type": "multiplicative",
    "fieldsplit_m_pc_mg_cycle_type": "w",
    "fieldsplit_m_pc_mg_galerkin": "both",
    "fieldsplit_m_mg_levels_ksp_type": "gmres",
    "fieldsplit_m_mg_levels_ksp_max_it": 2,
    "fieldsplit_m_mg_levels_pc_type": "pbjacobi",
    "fieldsplit_m_mg_coarse_ksp_type": "preonly",
    "fieldsplit_m_mg_coarse_pc_type": "lu",
    "fieldsplit_m_mg_coarse_pc_factor_mat_solver_type": "mumps",
}


def block_solver(V, inside: Callable, hierarchy=None, wavenumber: float = 0.0, sub: int = 0,
                 fields: Sequence | None = None):
    """The block solver of a coupled Newton on the mixed space ``V`` (or the blocked space
    of ``fields``, as for :func:`split_index_sets`; field ``sub`` the accumulation m, the
    others (M, W), dynamic where ``inside(collapsed space)`` is True, pinned elsewhere):
    ``(options, BlockPreconditioner, description)``. With a
    :class:`fem_spin.core.linear_solvers.MeshHierarchy` whose coarser levels resolve
    ``wavenumber`` (1/nm), m by geometric multigrid; else by MUMPS (GAMG, tried, fails on
    it under MPI)."""
    import dolfinx.fem as fem

    from fem_spin.core import linear_solvers

    maps = _fields(V, fields)
    others = [i for i in range(len(maps)) if i != sub]
    groups = {name: {"pinned": others, "m": [sub], "MW": others}[name] for name in SPLIT_ORDER}
    masks = {"pinned": lambda Vi: ~np.asarray(inside(Vi)), "MW": inside}
    options = dict(BLOCK_OPTIONS)
    prolongations = []
    desc = "GMRES + field split: m by MUMPS (no hierarchy), (M, W) by MUMPS"
    if hierarchy is not None:
        ndofs = V.dofmap.index_map.size_global * V.dofmap.index_map_bs
        choice = linear_solvers.select("iterative", ndofs, hierarchy=hierarchy,
                                       wavenumber=wavenumber, blocked=False)
        if choice.kind == "multigrid":
            Vm = maps[sub][0]
            spaces = [fem.functionspace(hierarchy.meshes[i], ("Lagrange", 1, (3,)))
                      for i in choice.levels[:-1]] + [Vm]
            prolongations = [
                linear_solvers.prolongation(spaces[j], spaces[j + 1],
                                            hierarchy.parent_cells[choice.levels[j]])
                for j in range(len(spaces) - 1)]
            options.update(M_MULTIGRID_OPTIONS)
            if BLOCKED_M_LEVELS:  # the operators by GalerkinOperators (BlockPreconditioner)
                options["fieldsplit_m_pc_mg_galerkin"] = "none"
            desc = (f"{options['ksp_type'].upper()} + field split: m by geometric multigrid "
                    f"({len(choice.levels)} levels), (M, W) by MUMPS")
    schur = None
    if fields is not None and MW_SCHUR:  # one blocked unknown: (M, W) per vertex in MW
        options.update(MW_SCHUR_OPTIONS)
        M, W = others
        sets = split_index_sets(V, {"M": [M], "W": [W]}, {"M": inside, "W": inside}, maps)
        schur = LumpedSchur(sets["M"], sets["W"])
        desc = desc.replace("(M, W) by MUMPS", "(M, W) by W's Schur complement (MUMPS)")
    return options, BlockPreconditioner(V, groups, prolongations, masks, fields, schur), desc
