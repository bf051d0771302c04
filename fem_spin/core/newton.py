"""PETSc SNES (Newton) solve of fem_spin's residuals, with defaults that work and clear failures."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import dolfinx.fem.petsc
import numpy as np
from mpi4py import MPI
from petsc4py import PETSc

from fem_spin.core import affine_split, refresh_policy, update_test
from fem_spin.core import solver_diagnosis as diagnosis
from fem_spin.core.newton_options import (
    CHORD_OPTIONS,
    DEFAULT_PETSC_OPTIONS,
    LAGGED_LU_OPTIONS,
    merged_options,
)
from fem_spin.core.packed_residual import PackedResidual
from fem_spin.core.refresh_policy import RefreshPolicy
from fem_spin.core.sparse_copy import aij_copy
from fem_spin.core.update_test import FieldUpdateTest
from fem_spin.errors import SolverError

__all__ = ["CHORD_OPTIONS", "DEFAULT_PETSC_OPTIONS", "LAGGED_LU_OPTIONS", "OPTIONS_PREFIX",
           "NewtonSolver", "SolveInfo", "merged_options"]

log = logging.getLogger(__name__)

OPTIONS_PREFIX = "fem_spin_"

#: Residuals by :class:`~fem_spin.core.packed_residual.PackedResidual` (the coefficients packed
#: once per solve, no lifting); False: DOLFINx's (for comparisons).
PACKED_RESIDUAL = True

#: GMRES iterations per Newton iteration above which a lagged LU is refreshed.
LAG_REFRESH_ITS = 6

#: Newton iterations per solve above which a lagged Jacobian and LU are refreshed anyway;
#: below, :class:`~fem_spin.core.refresh_policy.RefreshPolicy` weighs the measured costs.
LAG_REFRESH_NEWTON = 16

_PETSC_ERR_MISSING_FACTOR = 92  # PETSc has no factorization of that kind for the matrix


@dataclass(frozen=True)
class SolveInfo:
    """What a solve did: SNES reason, Newton and total linear iterations, residual norms, time."""

    reason: str
    newton_iterations: int
    linear_iterations: int
    residual_norms: tuple[float, ...]
    seconds: float


class NewtonSolver:
    """One SNES for one residual; reused across solves (MUMPS under MPI leaks per new KSP).

    Args:
        F: UFL residual form in ``u``.
        u: the unknown Function (holds the initial guess, receives the solution).
        bcs: Dirichlet conditions.
        petsc_options: user options merged on top of :data:`DEFAULT_PETSC_OPTIONS`, without
            prefix (e.g. ``{"ksp_type": "gmres"}``); set under the prefix ``fem_spin_``.
        jit_options: FFCx/CFFI JIT options.
        name: what is solved (used in messages).
        base_options: a solver configuration (e.g. from :mod:`fem_spin.core.linear_solvers`)
            between the defaults and the user's options.
        setup: called with the KSP after the options are read (and while they are set), e.g.
            to give a multigrid preconditioner its levels.
        log_level: logging level of the one line each solve logs (DEBUG for time steps,
            whose progress the stepper reports).
        matrix_kind: the PETSc type of the Jacobian, default AIJ; ``"baij"`` stores the
            nodal blocks of a blocked space (block size 3: faster insertion and products).
        after_jacobian: called as ``after_jacobian(ksp, J)`` after each Jacobian evaluation
            (e.g. to form Galerkin coarse operators PCMG cannot form from a BAIJ matrix);
            with ``aij_preconditioner``, as ``after_jacobian(ksp, J, P)``. If it is a method
            of an object with ``close()``, :meth:`close` closes that object too.
        aij_preconditioner: with ``matrix_kind="baij"``, the preconditioner is built from an
            AIJ copy ``P`` of the Jacobian, refilled after each evaluation (a field split
            that takes components within the nodal blocks, which BAIJ cannot give); without
            the values that are zero in every state, it is the Krylov operator too
            (:mod:`fem_spin.core.sparse_copy`).
        before_residual: called (no arguments) whenever ``u`` holds a new iterate, before
            the residual is assembled: to update coefficients that depend on ``u`` through
            a solve of their own (the magnetostatic potential). The Jacobian does not see
            that dependence: Newton becomes a fixed-point-accelerated (inexact) Newton that
            converges to the exact solution of the full residual.
        J: the Jacobian form (default: the derivative of ``F``), e.g. with a local
            approximation of such a left-out dependence, to speed Newton up.
        lag_refresh_its: linear iterations per Newton iteration above which a kept
            (lagged) preconditioner is refreshed (default :data:`LAG_REFRESH_ITS`).
        fresh_options: PETSc options of the last retry of a failed lagged solve, with fresh
            matrices at every Newton iteration (e.g. the line search of a true Newton).
        field_update: the owned entries of each field of ``u`` (in its PETSc vector): the
            update test ``snes_stol`` then applies to each field in its own max norm
            (:class:`~fem_spin.core.update_test.FieldUpdateTest`), not to the whole vector.
        affine: the cells where ``F`` is affine in ``u`` (:class:`~fem_spin.core.affine_split.
            AffineCells`): there the residual is a product with its Jacobian, kept.
    """

    def __init__(self, F, u, bcs, *, petsc_options=None, jit_options=None, name="S1",
                 base_options=None, setup=None, log_level: int = logging.INFO,
                 matrix_kind: str | None = None, after_jacobian=None, before_residual=None,
                 J=None, lag_refresh_its: int = LAG_REFRESH_ITS,
                 fresh_options: dict | None = None, aij_preconditioner: bool = False,
                 field_update=None, affine=None):
        self.options = merged_options(petsc_options, base_options)
        self.fresh_options = dict(fresh_options or {})
        self.lag_refresh_its = lag_refresh_its
        self._refresh = RefreshPolicy(LAG_REFRESH_NEWTON)
        self.name = name
        self.log_level = log_level  # of the line each solve logs (time steps: DEBUG)
        # The options are in PETSc's global database only while they are read (here, and
        # during each solve, when MUMPS reads its -mat_mumps_* options), then removed: left
        # there, they would leak into every later solver with the same prefix. (They are not
        # passed to NonlinearProblem: its clean-up misses options set under a pushed prefix.)
        self._problem = dolfinx.fem.petsc.NonlinearProblem(
            F,
            u,
            bcs=bcs,
            J=J,
            petsc_options_prefix=OPTIONS_PREFIX,
            jit_options=jit_options,
            kind=matrix_kind,
        )
        self._P_copy, self._fill = None, None
        self._split = None if before_residual or not PACKED_RESIDUAL else (
            affine_split.for_solver(self._problem, F, J, bcs, affine, matrix_kind))
        # the hook's owner (e.g. a field split's objects) is closed with the solver
        owner = getattr(after_jacobian, "__self__", None)
        self._hook_owner = owner if callable(getattr(owner, "close", None)) else None
        if after_jacobian is not None or aij_preconditioner or self._split is not None:
            problem, bcs_, split = self._problem, list(bcs or []), self._split
            hook = after_jacobian or (lambda *matrices: None)
            if aij_preconditioner:
                self._P_copy = aij_copy(problem.A, problem.J, problem.u, bcs_)
            copy = self._P_copy
            fill = self._fill = affine_split.copy_fill(split, copy, matrix_kind)

            def jacobian(snes, x, J, P):
                if fill is not None:  # the copy filled without the whole matrix
                    fill.refill(x)
                elif split is not None:
                    split.jacobian(x, problem.A)
                else:
                    dolfinx.fem.petsc.assemble_jacobian(snes, x, problem.A, None, problem.u,
                                                        problem.J, None, bcs_)
                if copy is None:
                    hook(snes.getKSP(), problem.A)
                    return
                if fill is None:
                    copy.refill(problem.A)
                hook(snes.getKSP(), copy.operator, copy.P)

            problem.solver.setJacobian(jacobian, problem.A if copy is None else copy.operator,
                                       problem.P_mat if copy is None else copy.P)
        with self._options_set():
            self._problem.solver.setFromOptions()
            if setup is not None:
                setup(self._problem.solver.getKSP())
        test = None
        if field_update is not None and update_test.PER_FIELD:
            test = FieldUpdateTest(field_update, float(self.options["snes_stol"]))
            self._problem.solver.setConvergenceTest(test)
        self._problem.solver.setConvergenceHistory(reset=True)
        self._problem.solver.getKSP().setConvergenceHistory(length=10000, reset=True)
        # line searches of the current solve (a list: no reference cycle); not a KSP pre-solve
        # hook, which would replace Eisenstat-Walker's; the field test also keeps the direction
        self._line_searches = [0]
        self._problem.solver.setLineSearchPreCheck(
            diagnosis.count_line_search if test is None else test.precheck,
            args=(self._line_searches,))
        # whether the current solve is stopped when it will not converge in time
        # (diagnosis.watch_kept_jacobian, on the convergence history; a dict: no cycle)
        self._watch = {"on": False, "stopped": False}
        self._problem.solver.setMonitor(diagnosis.watch_kept_jacobian, args=(self._watch,))
        # the residual: packed once per solve without the lifting (PackedResidual); with a
        # before_residual hook, coefficients change at every evaluation: DOLFINx's
        self._packed: PackedResidual | affine_split.AffineSplit | None = None
        if before_residual is not None:
            self._hook_residual(bcs, before_residual)
        elif PACKED_RESIDUAL:
            self._packed = self._split or PackedResidual(self._problem.F, self._problem.u, bcs)
            self._problem.solver.setFunction(self._packed.evaluate, self._problem.b)

    def _hook_residual(self, bcs, before_residual) -> None:
        problem = self._problem
        ctx = {"u": problem.u, "residual": problem.F, "jacobian": problem.J, "bcs": bcs}

        def residual(snes, x, b):
            x.ghostUpdate(addv=PETSc.InsertMode.INSERT, mode=PETSc.ScatterMode.FORWARD)
            dolfinx.fem.petsc.assign(x, problem.u)
            before_residual()
            dolfinx.fem.petsc.assemble_residual(snes, x, b, **ctx)

        problem.solver.setFunction(residual, problem.b)

    @contextmanager
    def _options_set(self) -> Iterator[None]:
        opts = PETSc.Options(OPTIONS_PREFIX)
        for k, v in self.options.items():
            opts[k] = v
        try:
            yield
        finally:
            for k in self.options:
                opts.delValue(k)

    @property
    def snes(self) -> PETSc.SNES:
        return self._problem.solver

    def close(self) -> None:
        """Destroy the PETSc objects now, on all ranks together (collective).

        Leaving it to the garbage collector can hang an MPI run: one rank may free the solver
        (a collective destroy) at a different moment than the others."""
        if self._problem is not None:
            self._problem.__del__()
            self._problem = None
        for obj in (self._fill, self._P_copy, self._split):
            if obj is not None:
                obj.destroy()
        self._P_copy = self._fill = self._split = None
        owner, self._hook_owner = self._hook_owner, None
        if owner is not None:
            owner.close()

    @property
    def lagged(self) -> bool:
        """Whether the preconditioner is kept across solves (:data:`LAGGED_LU_OPTIONS`)."""
        return str(self.options.get("snes_lag_preconditioner", 1)) in ("-1", "-2")

    @property
    def kept_jacobian(self) -> bool:
        """Whether an iteration may use a Jacobian made at an earlier iterate: kept across
        solves (:attr:`lagged`) or within one (``snes_lag_jacobian`` > 1)."""
        return (self.lagged or self._lag_jacobian
                or int(self.options.get("snes_lag_jacobian", 1)) > 1)

    def solve(self) -> SolveInfo:
        """Solve; raise :class:`SolverError` naming the reason if SNES or its KSP fails.

        With a lagged preconditioner a failed solve is repeated from its initial guess with
        fresh matrices, made once and kept, then (if that fails too) at every iteration. A
        Jacobian kept within a solve only (``snes_lag_jacobian`` > 1): a failed solve is
        repeated with a Jacobian at every iteration."""
        if not self.lagged:
            if not self.kept_jacobian:
                return self._solve()
            return self._solve_else_fresh_jacobian()
        u = self._problem.u
        start = u.x.array.copy()
        try:
            info = self._solve(watch=True)
        except SolverError as e:
            # first with matrices made fresh and kept (mostly enough: the kept ones had aged),
            # from the stopped attempt's iterate if it lowered |F|, else from the initial
            # guess; then from the guess with fresh matrices at every Newton iteration
            log.debug("%s; solving with the matrices made fresh once", str(e)[:160])
            norms = self._history()
            if not (refresh_policy.GO_ON and self._watch["stopped"] and norms[-1] < norms[0]):
                u.x.array[:] = start
            self._set_lag(-2)
            self._refresh.refresh()
            try:
                info = self._solve()  # recorded below as the solve after a refresh
            except SolverError as again:
                log.debug("%s; solving with the matrices fresh at every iteration",
                          str(again)[:160])
                u.x.array[:] = start
                self._set_lag(1)
                try:
                    return self._solve()
                finally:
                    self._set_lag(-2)
                    self._refresh.refresh()
        refresh = False
        if self._lag_jacobian:  # the measured costs decide (RefreshPolicy); the same on all ranks
            seconds = self.snes.comm.tompi4py().allreduce(info.seconds, op=MPI.MAX)
            refresh = self._refresh.record(seconds, info.newton_iterations)
        if info.linear_iterations > self.lag_refresh_its * max(info.newton_iterations, 1):
            refresh = True
            self._refresh.refresh()
        if refresh:
            self._set_lag(-2)
        return info

    def _solve_else_fresh_jacobian(self) -> SolveInfo:
        u = self._problem.u
        start = u.x.array.copy()
        try:
            return self._solve()
        except SolverError as e:
            log.debug("%s; solving with a Jacobian at every iteration", str(e)[:160])
        u.x.array[:] = start
        lag = self.options["snes_lag_jacobian"]
        self._set_jacobian_lag(1)
        try:
            return self._solve()
        finally:
            self._set_jacobian_lag(lag)

    def _set_jacobian_lag(self, lag) -> None:
        with self._options_set():
            PETSc.Options(OPTIONS_PREFIX)["snes_lag_jacobian"] = lag
            self.snes.setFromOptions()

    @property
    def _lag_jacobian(self) -> bool:
        return str(self.options.get("snes_lag_jacobian", 1)) in ("-1", "-2")

    def _set_lag(self, lag: int) -> None:
        """SNES preconditioner lag (-2: rebuild at the next Jacobian evaluation, then keep; 1:
        rebuild every time), through the options (petsc4py has no SNESSetLagPreconditioner)."""
        with self._options_set():
            opts = PETSc.Options(OPTIONS_PREFIX)
            opts["snes_lag_preconditioner"] = lag
            if self._lag_jacobian:
                opts["snes_lag_jacobian"] = lag
            for k, v in (self.fresh_options if lag == 1 else {}).items():
                opts[k] = v
            self.snes.setFromOptions()

    def _solve(self, watch: bool = False) -> SolveInfo:
        """One SNES solve; ``watch``: stopped as soon as it is predicted not to converge
        within ``snes_max_it`` (a kept Jacobian's first attempt)."""
        snes = self.snes
        t0 = time.perf_counter()
        self._line_searches[0] = 0
        self._watch.update(on=watch, stopped=False)
        if self._packed is not None:
            self._packed.refresh()
        try:
            with self._options_set():
                self._problem.solve()
        except PETSc.Error as e:
            lines = [ln.strip() for ln in str(e).splitlines() if ln.strip()]
            detail = re.sub(r"^\[\d+\]\s*", "", lines[-1]) if lines else ""
            if e.ierr == _PETSC_ERR_MISSING_FACTOR:
                hint = (
                    "The preconditioner does not exist for this matrix type (in parallel, ILU "
                    "needs pc_type bjacobi with sub_pc_type ilu): pick another one, or the "
                    "default direct solver."
                )
            else:
                hint = self._hint()
            raise SolverError(
                f"{self.name}: PETSc raised inside the solve (error code {e.ierr}: {detail}): "
                f"{self._state()}. {hint}"
            ) from None
        finally:
            self._watch["on"] = False
        seconds = time.perf_counter() - t0
        reason = snes.getConvergedReason()
        info = SolveInfo(
            reason=diagnosis.reason_name(PETSc.SNES.ConvergedReason, reason),
            newton_iterations=snes.getIterationNumber(),
            linear_iterations=snes.getLinearSolveIterations(),
            residual_norms=self._history(),
            seconds=seconds,
        )
        if reason <= 0:
            raise SolverError(f"{self.name} did not converge: {self._state()}. {self._hint()}")
        if diagnosis.line_search_failed(info.reason, self._line_searches[0],
                                        info.newton_iterations) and (
                self.kept_jacobian or info.newton_iterations == 0):
            raise SolverError(
                f"{self.name}: the line search found no decrease of |F| along the update "
                f"({'a kept Jacobian' if self.kept_jacobian else 'at the initial guess'}; PETSc "
                f"reports it as {info.reason}): {self._state()}. {self._hint()}")
        log.log(
            self.log_level,
            "%s solved: %s, %d Newton / %d linear iterations, |F| %s, %.2f s",
            self.name,
            info.reason,
            info.newton_iterations,
            info.linear_iterations,
            " -> ".join(f"{r:.2e}" for r in info.residual_norms) or "not recorded (ksponly)",
            seconds,
        )
        return info

    def _history(self) -> tuple[float, ...]:
        return tuple(float(r) for r in np.asarray(self.snes.getConvergenceHistory()[0]))

    def _state(self) -> str:
        return diagnosis.state(self.snes, self._history())

    def _hint(self) -> str:
        return diagnosis.hint(self.snes)
