"""Shift-and-invert at ``sigma = 0`` without a factorization: pencils ``A = J H_eff``, ``H_eff``
symmetric (positive definite at a stable equilibrium).

For ``A x = s B x`` with ``A = J H_eff`` (``J`` invertible, cheap) the shift-and-invert
operator at ``sigma = 0`` is ``A^{-1} B = H_eff^{-1} (J^{-1} B)``: one solve with the symmetric
``H_eff`` per Krylov step, iterative instead of an LU factorization. ``s = 1 / theta`` for the
eigenvalues ``theta`` of the operator (Krylov-Schur, largest magnitude).

* ``H_eff = H``: CG preconditioned by algebraic multigrid (PETSc's GAMG) on ``H`` (CG breaks
  down where ``H`` is not positive definite: a SolverError says so).
* ``H_eff = H + Y K^{-1} X`` (eliminated quasi-static unknowns, ``Y = k X^T``, ``k > 0``,
  ``K`` symmetric positive definite): MINRES on the symmetric saddle-point system
  ``[[H, Y], [Y^T, -k K]]`` preconditioned by ``diag(GAMG(P), GAMG(K) / k)`` (default), or
  CG on ``H_eff`` with a whole inner CG for each ``K^{-1}`` (``method="nested"``, about 5
  times slower).

The memory is that of the matrices and the multigrid hierarchies; the price is
``(Krylov steps) x (inner iterations)`` products.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from petsc4py import PETSc
from slepc4py import SLEPc

from fem_spin.core.eigen import EigenPairs, shell_eps
from fem_spin.errors import SolverError

__all__ = ["InnerStats", "SPDSolver", "solve_spd_inverse"]

BREAKDOWN = ("CG broke down ({reason}): the {what} is not positive definite (an unstable or "
             "marginal equilibrium, a zero mode such as free exchange without a field, or a "
             "non-symmetric coupling); use the direct solver (solver='direct'), which handles "
             "any pencil")


@dataclass
class InnerStats:
    """Counters of the inner solves: products with the operator, CG iterations of ``H_eff``
    and of ``K`` (0 without a Schur term)."""

    products: int = 0
    cg_h: int = 0
    cg_k: int = 0


def _gamg(P: PETSc.Mat, prefix: str, near_null: list[PETSc.Vec] | None) -> PETSc.PC:
    pc = PETSc.PC().create(P.getComm())
    pc.setOptionsPrefix(prefix)
    pc.setOperators(P, P)
    pc.setType(PETSc.PC.Type.GAMG)
    if near_null:
        P.setNearNullSpace(PETSc.NullSpace().create(vectors=near_null, comm=P.getComm()))
    pc.setFromOptions()
    pc.setUp()
    return pc


class _ApplyPC:
    """A PETSc Python PC applying ``pc`` (GAMG on an assembled matrix): the multigrid's
    smoothers then work with that matrix, not with the (costly) shell operator."""

    def __init__(self, pc: PETSc.PC):
        self.pc = pc

    def apply(self, pc, x, y):
        self.pc.apply(x, y)


def _cg(A: PETSc.Mat, P: PETSc.Mat, rtol: float, prefix: str,
        near_null: list[PETSc.Vec] | None = None) -> tuple[PETSc.KSP, PETSc.PC]:
    """CG on ``A`` preconditioned by GAMG on ``P`` (the KSP and the GAMG PC)."""
    gamg = _gamg(P, prefix + "mg_", near_null)
    ksp = PETSc.KSP().create(A.getComm())
    ksp.setOptionsPrefix(prefix)
    ksp.setOperators(A, P)
    ksp.setType(PETSc.KSP.Type.CG)
    ksp.setTolerances(rtol=rtol, atol=0.0, max_it=5000)
    ksp.setNormType(PETSc.KSP.NormType.UNPRECONDITIONED)
    pc = ksp.getPC()
    pc.setType(PETSc.PC.Type.PYTHON)
    pc.setPythonContext(_ApplyPC(gamg))
    ksp.setFromOptions()
    ksp.setUp()
    return ksp, gamg


def _check(ksp: PETSc.KSP, what: str) -> int:
    reason = ksp.getConvergedReason()
    if reason < 0:
        names = {v: k for k, v in vars(PETSc.KSP.ConvergedReason).items() if k.isupper()}
        name = names.get(reason, reason)
        if reason in (-5, -7, -8, -9, -10):
            raise SolverError(BREAKDOWN.format(reason=name, what=what))
        raise SolverError(f"CG on the {what} did not converge ({name}, "
                          f"{ksp.getIterationNumber()} iterations): loosen inner_rtol or use "
                          "the direct solver (solver='direct')")
    return ksp.getIterationNumber()


class _Schur:
    """``y -> H y + Y K^{-1} X y`` (a PETSc Python Mat)."""

    def __init__(self, H, Y, K, X, rtol, stats):
        self.H, self.Y, self.X, self.stats = H, Y, X, stats
        self.kspK, self.pcK = _cg(K, K, rtol, "modes_iter_k_")
        self.b, self.u = K.createVecs()
        self.t = H.createVecLeft()
        self.error: SolverError | None = None

    def mult(self, mat, x, y):
        if self.error is not None:
            y.zeroEntries()
            return
        self.H.mult(x, y)
        self.X.mult(x, self.b)
        self.kspK.solve(self.b, self.u)
        try:
            self.stats.cg_k += _check(self.kspK, "potential's matrix K")
        except SolverError as exc:  # kept for SPDSolver.solve (not raised through PETSc)
            self.error = exc
            y.zeroEntries()
            return
        self.Y.mult(self.u, self.t)
        y.axpy(1.0, self.t)


class _BlockPC:
    """``diag(GAMG(P), GAMG(K) / k)`` on ``(y, u)`` (each rank's entries: its ``n`` of ``y``,
    then its ``u``), a PETSc Python PC."""

    def __init__(self, pcH: PETSc.PC, pcK: PETSc.PC, k: float, H, K):
        self.pcH, self.pcK, self.k = pcH, pcK, k
        self.xy, self.yy = H.createVecs()
        self.xu, self.yu = K.createVecs()
        self.n = self.xy.getLocalSize()

    def apply(self, pc, x, y):
        n, a = self.n, x.getArray(readonly=True)
        self.xy.getArray()[:] = a[:n]
        self.xu.getArray()[:] = a[n:]
        self.pcH.apply(self.xy, self.yy)
        self.pcK.apply(self.xu, self.yu)
        out = y.getArray()
        out[:n] = self.yy.getArray(readonly=True)
        out[n:] = self.yu.getArray(readonly=True) / self.k


class _Saddle:
    """``H_eff x = b`` as the symmetric indefinite system ``[[H, Y], [Y^T, -k K]] (x, u) =
    (b, 0)`` (``Y = k X^T``: its Schur complement is ``H_eff``) by MINRES, preconditioned by
    ``diag(GAMG(P), GAMG(K) / k)``: one product with ``K`` and one multigrid cycle per step
    instead of a whole inner solve."""

    def __init__(self, H, Y, K, X, P, near_null, rtol, stats):
        comm = H.getComm()
        self.k = k = Y.norm(PETSc.NormType.FROBENIUS) / X.norm(PETSc.NormType.FROBENIUS)
        Yt = Y.transpose(PETSc.Mat())
        mK = K.copy()
        mK.scale(-k)
        nest = PETSc.Mat().createNest([[H, Y], [Yt, mK]], comm=comm)
        self.A = nest.convert("aij", PETSc.Mat())
        for M in (nest, Yt, mK):
            M.destroy()
        self.pcH = _gamg(P, "modes_iter_h_mg_", near_null)
        self.pcK = _gamg(K, "modes_iter_k_mg_", None)
        self.ksp = PETSc.KSP().create(comm)
        self.ksp.setOptionsPrefix("modes_iter_h_")
        self.ksp.setOperators(self.A)
        self.ksp.setType(PETSc.KSP.Type.MINRES)
        self.ksp.setTolerances(rtol=rtol, atol=0.0, max_it=20000)
        pc = self.ksp.getPC()
        pc.setType(PETSc.PC.Type.PYTHON)
        pc.setPythonContext(_BlockPC(self.pcH, self.pcK, k, H, K))
        self.ksp.setFromOptions()
        self.ksp.setUp()
        self.rhs, self.sol = self.A.createVecs()
        self.n = H.getLocalSize()[0]
        self.stats = stats

    def solve(self, b, x):
        n = self.n
        r = self.rhs.getArray()
        r[:] = 0.0
        r[:n] = b.getArray(readonly=True)
        self.sol.zeroEntries()
        self.ksp.solve(self.rhs, self.sol)
        x.getArray()[:] = self.sol.getArray(readonly=True)[:n]
        self.stats.cg_h += _check(self.ksp, "tangent Hessian with the potential (MINRES)")

    def destroy(self):
        for obj in (self.ksp, self.pcH, self.pcK, self.A, self.rhs, self.sol):
            obj.destroy()


class SPDSolver:
    """``x = H_eff^{-1} b`` by CG + GAMG (``schur``, ``preconditioner``, ``near_null``, ``rtol``
    as for :func:`solve_spd_inverse`); ``solve(b, x)`` raises SolverError where CG breaks down
    (``H_eff`` not positive definite)."""

    def __init__(self, H: PETSc.Mat, *, schur=None, preconditioner: PETSc.Mat | None = None,
                 near_null: list[PETSc.Vec] | None = None, rtol: float = 1e-12,
                 stats: InnerStats | None = None, method: str = "minres"):
        comm = H.getComm()
        self.stats = stats if stats is not None else InnerStats()
        n, N = H.getLocalSize()[0], H.getSize()[0]
        self.shell = self.ctx = self.saddle = None
        self.error: SolverError | None = None
        if schur is not None and method == "minres":
            P = preconditioner if preconditioner is not None else H
            self.saddle = _Saddle(H, *schur, P, near_null, rtol, self.stats)
            return
        if schur is not None:
            Y, K, X = schur
            self.ctx = _Schur(H, Y, K, X, rtol, self.stats)
            self.shell = PETSc.Mat().createPython(((n, N), (n, N)), self.ctx, comm=comm)
            self.shell.setUp()
        P = preconditioner if preconditioner is not None else H
        self.ksp, self.pc = _cg(self.shell if self.shell is not None else H, P, rtol,
                                "modes_iter_h_", near_null)

    def solve(self, b: PETSc.Vec, x: PETSc.Vec) -> None:
        if self.saddle is not None:
            try:
                self.saddle.solve(b, x)
            except SolverError as exc:
                self.error = exc
                raise
            return
        try:
            self.ksp.solve(b, x)
            if self.ctx is not None and self.ctx.error is not None:
                raise self.ctx.error
            self.stats.cg_h += _check(self.ksp, "tangent Hessian")
        except SolverError as exc:
            self.error = exc
            raise
        except PETSc.Error as exc:
            self.error = (self.ctx.error if self.ctx is not None and self.ctx.error is not None
                          else SolverError(f"CG on the tangent Hessian failed ({exc})"))
            raise self.error from None

    def destroy(self) -> None:
        if self.saddle is not None:
            self.saddle.destroy()
            return
        for obj in (self.ksp, self.pc, self.shell, self.ctx and self.ctx.kspK,
                    self.ctx and self.ctx.pcK):
            if obj is not None:
                obj.destroy()


class _Inverse:
    """``y -> H_eff^{-1} (F y)``: the shift-and-invert operator at ``sigma = 0``."""

    def __init__(self, spd: SPDSolver, F):
        self.spd, self.F = spd, F
        self.rhs = F.createVecLeft()

    def mult(self, mat, x, y):
        if self.spd.error is not None:  # a failed solve: zeros end SLEPc's run (an
            y.zeroEntries()  # exception raised inside SLEPc leaves it unusable)
            return
        self.F.mult(x, self.rhs)
        try:
            self.spd.solve(self.rhs, y)
        except (SolverError, PETSc.Error):
            y.zeroEntries()
            return
        self.spd.stats.products += 1


def solve_spd_inverse(H: PETSc.Mat, F: PETSc.Mat, *, nev: int, schur=None,
                      preconditioner: PETSc.Mat | None = None,
                      near_null: list[PETSc.Vec] | None = None, tol: float = 1e-10,
                      inner_rtol: float | None = None, max_it: int = 500,
                      stats: InnerStats | None = None) -> EigenPairs:
    """The ``nev`` (at least) eigenpairs nearest to 0 of ``A x = s B x`` with
    ``A^{-1} B = H_eff^{-1} F`` (``F = J^{-1} B``).

    Args:
        H: the symmetric positive definite leading part of ``H_eff``.
        F: ``J^{-1} B``.
        schur: ``(Y, K, X)`` with ``H_eff = H + Y K^{-1} X`` (``Y`` proportional to ``X^T``,
            ``K`` symmetric positive definite), or None.
        preconditioner: the matrix GAMG works on for ``H_eff`` (default ``H``).
        near_null: the near null space of that matrix for GAMG (the smooth modes).
        tol: SLEPc's tolerance; inner_rtol: the CGs' relative tolerance (default
            ``tol / 100``: the operator must be exact to below the eigen tolerance).
    """
    comm = H.getComm()
    rtol = inner_rtol if inner_rtol is not None else tol * 1e-2
    n, N = H.getLocalSize()[0], H.getSize()[0]
    spd = SPDSolver(H, schur=schur, preconditioner=preconditioner, near_null=near_null,
                    rtol=rtol, stats=stats)
    op, eps = shell_eps(_Inverse(spd, F), n, N, comm, nev=nev, tol=tol, max_it=max_it)
    try:
        eps.solve()
        if spd.error is not None:
            raise spd.error
        nconv = eps.getConverged()
        if nconv < nev:
            raise SolverError(f"the iterative eigensolver converged {nconv} of {nev} "
                              "eigenpairs: raise max_it, or use solver='direct'")
        values, vectors, errors = [], [], []
        for i in range(nconv):
            vr, vi = op.createVecs()
            theta = complex(eps.getEigenpair(i, vr, vi))
            values.append(1.0 / theta)
            vectors.append((vr, vi))
            errors.append(eps.computeError(i, SLEPc.EPS.ErrorType.RELATIVE))
    finally:
        for obj in (eps, op, spd):
            obj.destroy()
    return EigenPairs(np.array(values), vectors, np.array(errors))
