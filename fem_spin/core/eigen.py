"""Generalized eigenproblems ``A x = s B x`` with SLEPc: shift-and-invert through MUMPS.

Real PETSc: a non-symmetric real pencil has real eigenvalues and complex-conjugate pairs; an
eigenvector of a complex ``s`` is returned as its real and imaginary parts. The shift
``sigma`` is real: with ``which="magnitude"`` the eigenvalues nearest to it come first (for a
spin-wave pencil ``s = -Gamma +- i omega`` at ``sigma = 0``: the lowest frequencies).
``B`` may be singular (quasi-static blocks): shift-and-invert maps its infinite eigenvalues
to 0, far from the wanted ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from petsc4py import PETSc
from slepc4py import SLEPc

from fem_spin.errors import SolverError

__all__ = ["EigenPairs", "shell_eps", "solve_pencil", "solve_reduced"]


@dataclass
class EigenPairs:
    """``values[i]`` (complex) with the vector ``vectors[i] = (re, im)`` (PETSc Vecs) and the
    relative residual ``errors[i] = ||A x - s B x|| / ||s x||`` reported by SLEPc."""

    values: np.ndarray
    vectors: list[tuple[PETSc.Vec, PETSc.Vec]]
    errors: np.ndarray


def solve_pencil(A: PETSc.Mat, B: PETSc.Mat, *, nev: int, sigma: float = 0.0,
                 tol: float = 1e-10, max_it: int = 500, ncv: int | None = None,
                 prefix: str = "modes_", options: dict | None = None) -> EigenPairs:
    """The ``nev`` (at least) eigenpairs of ``A x = s B x`` nearest to the real shift
    ``sigma`` (Krylov-Schur, shift-and-invert, LU by MUMPS); ``options`` further PETSc options
    under ``prefix`` for this solve (e.g. ``{"eps_tol": 1e-12}``; an iterative inner solve,
    ``{"st_ksp_type": "gmres", "st_pc_type": "sor", "st_ksp_rtol": 1e-12}``, converges but was
    24 times slower than MUMPS on a 5000-vertex disc, and GAMG fails on this non-symmetric
    pencil; at ``sigma = 0`` with ``A = J H``, ``H`` symmetric, :mod:`fem_spin.core.eigen_spd`
    solves with ``H`` instead: CG/MINRES + GAMG)."""
    comm = A.getComm()
    eps = SLEPc.EPS().create(comm)
    eps.setOptionsPrefix(prefix)
    eps.setOperators(A, B)
    eps.setProblemType(SLEPc.EPS.ProblemType.GNHEP)
    eps.setType(SLEPc.EPS.Type.KRYLOVSCHUR)
    eps.setDimensions(nev=nev, ncv=ncv if ncv is not None else max(2 * nev + 10, 30))
    eps.setTolerances(tol=tol, max_it=max_it)
    eps.setTarget(sigma)
    eps.setWhichEigenpairs(SLEPc.EPS.Which.TARGET_MAGNITUDE)
    st = eps.getST()
    st.setType(SLEPc.ST.Type.SINVERT)
    st.setShift(sigma)
    ksp = st.getKSP()
    ksp.setType(PETSc.KSP.Type.PREONLY)
    pc = ksp.getPC()
    pc.setType(PETSc.PC.Type.LU)
    pc.setFactorSolverType("mumps")
    opts = PETSc.Options()
    for key, value in (options or {}).items():
        opts[f"{prefix}{key}"] = value
    eps.setFromOptions()
    for key in options or {}:  # these options belong to this solve only
        del opts[f"{prefix}{key}"]
    try:
        eps.solve()
    except PETSc.Error as exc:
        eps.destroy()
        raise SolverError(f"the eigensolver failed ({exc}): a singular A - sigma B (a zero "
                          "mode, e.g. free exchange without a field) needs a shift sigma that "
                          "is not an eigenvalue") from exc
    nconv = eps.getConverged()
    if nconv < nev:
        eps.destroy()
        raise SolverError(f"the eigensolver converged {nconv} of {nev} eigenpairs: raise "
                          "max_it or ncv, or move the shift sigma")
    values, vectors, errors = [], [], []
    for i in range(nconv):
        vr, vi = A.createVecs()
        s = eps.getEigenpair(i, vr, vi)
        values.append(complex(s))
        vectors.append((vr, vi))
        errors.append(eps.computeError(i, SLEPc.EPS.ErrorType.RELATIVE))
    eps.destroy()
    return EigenPairs(np.array(values), vectors, np.array(errors))


class _Reduced:
    """``x -> head((A - sigma B)^{-1} [B_yy x; 0])``: shift-and-invert restricted to the
    leading block (the other unknowns are eliminated, e.g. a quasi-static field)."""

    def __init__(self, ksp: PETSc.KSP, B_yy: PETSc.Mat, n_local: int):
        self.ksp, self.B_yy, self.n = ksp, B_yy, n_local
        self.rhs, self.sol = ksp.getOperators()[0].createVecs()
        self.tmp = B_yy.createVecLeft()

    def mult(self, mat, x, y):
        self.B_yy.mult(x, self.tmp)
        r = self.rhs.getArray()
        r[:] = 0.0
        r[:self.n] = self.tmp.getArray(readonly=True)
        self.ksp.solve(self.rhs, self.sol)
        y.getArray()[:] = self.sol.getArray(readonly=True)[:self.n]


def shell_eps(context, n: int, N: int, comm, *, nev: int, tol: float, max_it: int):
    """``(op, eps)``: the shell operator of ``context`` (its ``mult``; ``n`` local, ``N``
    global rows) and a Krylov-Schur EPS for its largest eigenvalues ``theta`` (a
    shift-and-invert operator: ``s = sigma + 1 / theta``)."""
    op = PETSc.Mat().createPython(((n, N), (n, N)), context, comm=comm)
    op.setUp()
    eps = SLEPc.EPS().create(comm)
    eps.setOperators(op)
    eps.setProblemType(SLEPc.EPS.ProblemType.NHEP)
    eps.setType(SLEPc.EPS.Type.KRYLOVSCHUR)
    eps.setDimensions(nev=nev, ncv=max(2 * nev + 10, 30))
    eps.setTolerances(tol=tol, max_it=max_it)
    eps.setWhichEigenpairs(SLEPc.EPS.Which.LARGEST_MAGNITUDE)
    return op, eps


def solve_reduced(A: PETSc.Mat, B: PETSc.Mat, B_yy: PETSc.Mat, *, nev: int,
                  sigma: float = 0.0, tol: float = 1e-10, max_it: int = 500) -> EigenPairs:
    """Eigenpairs of ``A x = s B x`` whose leading block ``y`` (of ``B_yy``'s size, the first
    entries of each rank's part of ``x``) carries the dynamics, the rest of ``x`` being
    quasi-static (zero rows of ``B``): Krylov-Schur on the shell operator ``y -> head((A -
    sigma B)^{-1} [B_yy y; 0])`` (LU by MUMPS once), ``s = sigma + 1/theta``. Returns the
    ``y`` parts of the eigenvectors."""
    comm = A.getComm()
    C = A.duplicate(copy=True)
    C.axpy(-sigma, B, structure=PETSc.Mat.Structure.DIFFERENT_NONZERO_PATTERN)
    ksp = PETSc.KSP().create(comm)
    ksp.setOperators(C)
    ksp.setType(PETSc.KSP.Type.PREONLY)
    pc = ksp.getPC()
    pc.setType(PETSc.PC.Type.LU)
    pc.setFactorSolverType("mumps")
    ksp.setUp()
    n = B_yy.getLocalSize()[0]
    N = B_yy.getSize()[0]
    op, eps = shell_eps(_Reduced(ksp, B_yy, n), n, N, comm, nev=nev, tol=tol, max_it=max_it)
    eps.solve()
    nconv = eps.getConverged()
    if nconv < nev:
        raise SolverError(f"the reduced eigensolver converged {nconv} of {nev} eigenpairs")
    values, vectors, errors = [], [], []
    for i in range(nconv):
        vr, vi = op.createVecs()
        theta = complex(eps.getEigenpair(i, vr, vi))
        values.append(sigma + 1.0 / theta)
        vectors.append((vr, vi))
        errors.append(eps.computeError(i, SLEPc.EPS.ErrorType.RELATIVE))
    for obj in (eps, op, ksp, C):
        obj.destroy()
    return EigenPairs(np.array(values), vectors, np.array(errors))
