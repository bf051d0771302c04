"""The spin-wave pencil by an iterative inner solve (:mod:`fem_spin.core.eigen_spd`).

The pencil of :mod:`fem_spin.problems.modes` is ``s W (I - alpha J) y = J H y`` with the
tangent Hessian ``H = R^T S R`` (``Q^T = J R^T``), symmetric without a spin-transfer torque;
with the magnetostatic potential eliminated, ``H_eff = H + Y K^{-1} X``
(:mod:`~.mode_demag`), also symmetric. At a stable equilibrium ``H_eff`` is positive
definite, so shift-and-invert at ``sigma = 0``, ``(J H_eff)^{-1} B = H_eff^{-1} (J^{-1} B)``,
needs only symmetric solves with ``H_eff`` (:mod:`fem_spin.core.eigen_spd`: CG, or with the
potential MINRES on the saddle-point system; multigrid (GAMG) on ``H + c W``, ``c = 1/2
gamma mu0 Ms`` with magnetostatics, half the largest local demagnetizing stiffness since
``0 <= Y K^{-1} X <= gamma mu0 Ms W``, and on the potential's matrix ``K``).
Damping enters only ``B``. Not covered: a shift ``sigma != 0`` (``J H - sigma B`` is not
symmetric), a coupled spin accumulation (its ``dm`` has a mass: ``dynamic``), a spin torque
(``H`` not symmetric), an unstable equilibrium (CG breaks down): the direct solver
(``solver="direct"``) handles all of them.
"""

from __future__ import annotations

import logging

from petsc4py import PETSc

from fem_spin.core.eigen import EigenPairs
from fem_spin.core.eigen_spd import InnerStats, solve_spd_inverse
from fem_spin.errors import InputError

__all__ = ["AUTO_ITERATIVE_SIZE", "hessian_parts", "iterative_applies", "solve_iterative"]

log = logging.getLogger(__name__)

AUTO_ITERATIVE_SIZE = 200_000
"""``solver="auto"`` takes the iterative path above this many pencil unknowns (tangent plus
potential; benchmarks/modes_iterative.py)."""

SYMMETRY_TOL = 1e-10


def iterative_applies(modes, sigma: float) -> str | None:
    """Why the iterative path does not apply to ``modes`` at the shift ``sigma``, or None."""
    if sigma != 0.0:
        return (f"the iterative solver shifts at sigma = 0 only (J H - sigma B is not "
                f"symmetric), got sigma = {sigma!r}")
    couplings = getattr(modes, "couplings", None)
    if couplings is None:
        couplings = [] if modes.coupling is None else [modes.coupling]
    for coupling in couplings:
        if coupling.dynamic or not hasattr(coupling, "schur"):
            return (f"the iterative solver does not handle the coupling "
                    f"{type(coupling).__name__} (a coupled spin accumulation has dynamics of "
                    "its own)")
    if len(couplings) > 1:
        return "the iterative solver handles one coupling (the magnetostatic potential)"
    return None


def _coupling(modes):
    couplings = getattr(modes, "couplings", None)
    if couplings is None:
        return modes.coupling
    return couplings[0] if couplings else None


def _relative_asymmetry(M: PETSc.Mat) -> float:
    D = M.transpose(PETSc.Mat())
    D.axpy(-1.0, M)
    r = D.norm(PETSc.NormType.FROBENIUS) / max(M.norm(PETSc.NormType.FROBENIUS), 1e-300)
    D.destroy()
    return r


def _schur(modes):
    """``(Y, K, X)`` of the coupling, checked: ``Y = k X^T`` with ``k > 0``."""
    Y, K, X = _coupling(modes).schur
    Xt = X.transpose(PETSc.Mat())
    k = Y.norm(PETSc.NormType.FROBENIUS) / max(Xt.norm(PETSc.NormType.FROBENIUS), 1e-300)
    Xt.scale(k)
    Xt.axpy(-1.0, Y, structure=PETSc.Mat.Structure.DIFFERENT_NONZERO_PATTERN)
    off = Xt.norm(PETSc.NormType.FROBENIUS) / max(Y.norm(PETSc.NormType.FROBENIUS), 1e-300)
    Xt.destroy()
    if off > SYMMETRY_TOL:
        raise InputError(f"the magnetostatic block is not symmetric (relative {off:.2g}): "
                         "the iterative solver needs one gamma mu0 / Ms in all magnets; use "
                         "solver='direct'")
    return Y, K, X


def hessian_parts(modes) -> dict:
    """The keywords of :class:`~fem_spin.core.eigen_spd.SPDSolver` for ``H_eff`` of ``modes``
    (checked symmetric: InputError otherwise): ``schur``, ``preconditioner`` (``H + c W``
    with magnetostatics; the caller destroys it if it is not ``modes.H``), ``near_null``."""
    off = _relative_asymmetry(modes.H)
    if off > SYMMETRY_TOL:
        raise InputError(f"the tangent Hessian is not symmetric (relative {off:.2g}: a spin "
                         "torque of the accumulation m0?); the iterative solver needs a "
                         "symmetric one: use solver='direct'")
    tg = modes.tangent
    schur = None if _coupling(modes) is None else _schur(modes)
    P = modes.H
    if schur is not None:  # H + c W, c half the largest local demagnetizing stiffness
        P = modes.H.copy()
        W = tg.pencil_mass(modes.weights, 0.0 * modes.weights)
        P.axpy(0.5 * modes.gamma_mu0_Ms, W,
               structure=PETSc.Mat.Structure.SUBSET_NONZERO_PATTERN)
        W.destroy()
    return {"schur": schur, "preconditioner": P, "near_null": tg.cartesian_modes(modes.H)}


def solve_iterative(modes, *, nev: int, sigma: float = 0.0, tol: float = 1e-10,
                    inner_rtol: float | None = None,
                    stats: InnerStats | None = None) -> EigenPairs:
    """The ``nev`` eigenpairs of ``modes``' pencil nearest to 0 (see the module docstring).
    Raises InputError where the path does not apply, SolverError where CG breaks down."""
    reason = iterative_applies(modes, sigma)
    if reason is not None:
        raise InputError(f"{reason}; use solver='direct'")
    parts = hessian_parts(modes)
    F = modes.tangent.inverse_J_mass(modes.weights, modes._alpha)
    stats = stats if stats is not None else InnerStats()
    try:
        pairs = solve_spd_inverse(modes.H, F, nev=nev, tol=tol, inner_rtol=inner_rtol,
                                  stats=stats, **parts)
    finally:
        F.destroy()
        if parts["preconditioner"] is not modes.H:
            parts["preconditioner"].destroy()
    log.info("iterative modes: %d operator products, %d CG steps on H_eff (%.1f per solve), "
             "%d on K", stats.products, stats.cg_h, stats.cg_h / max(stats.products, 1),
             stats.cg_k)
    return pairs
