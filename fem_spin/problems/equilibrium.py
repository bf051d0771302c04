"""An equilibrium of the LLG by Newton's method in the local tangent basis, with the
Hessian of the spin-wave pencil (:mod:`fem_spin.problems.modes`): for fields with unknowns of
their own (the magnetostatic potential) whose Jacobian the LLG's steady Newton leaves out.

At a state ``M`` (unit at the magnet vertices) with the precession field ``F(M)`` (rad/ps),
the torque ``-M x F`` in the tangent coordinates is ``-Q^T (w F)`` (``w`` the vertex volumes;
zero at an equilibrium). At ``M + R y`` it is ``-Q^T (w F) + A y`` to first order, ``A`` the
pencil's stiffness (:class:`~fem_spin.problems.modes.SpinWaveModes`, the augmented one with
the coupling's rows, e.g. ``du``), so a Newton step solves

    A [y; du] = [Q^T (w F(M)); 0]        and sets   M <- (M + R y) / |M + R y|

at every magnet vertex, the step scaled down where it would turn a vertex by more than
``max_step`` (the term ``dM x F_perp`` of a non-equilibrium ``F`` is left out: it
vanishes at the solution, so the convergence stays superlinear). Each step assembles the
pencil at the current ``M`` and factorizes it (MUMPS). Start close to the equilibrium, e.g.
after a short damped LLG run.
"""

from __future__ import annotations

import logging

import numpy as np
from mpi4py import MPI
from petsc4py import PETSc

from fem_spin.core.eigen_spd import SPDSolver
from fem_spin.errors import InputError, SolverError
from fem_spin.problems.mode_iterative import hessian_parts
from fem_spin.problems.modes import SpinWaveModes

__all__ = ["tangent_newton"]

log = logging.getLogger(__name__)


def _torque(modes: SpinWaveModes) -> float:
    """``max |M0 x F0| / max |F0|`` over the magnet vertices (global)."""
    tg, comm = modes.tangent, modes.comm
    F = tg.at_vertices(modes.F0)
    t = comm.allreduce(float(np.max(np.linalg.norm(np.cross(tg.M0, F), axis=1),
                                    initial=0.0)), op=MPI.MAX)
    s = comm.allreduce(float(np.max(np.linalg.norm(F, axis=1), initial=0.0)), op=MPI.MAX)
    return t / max(s, 1e-300)


def tangent_newton(mesh, magnets, *, M0, cell_tags=None, B_T=None, coupling_factory=None,
                   tol: float = 1e-9, max_it: int = 30, max_step: float = 0.2,
                   solver: str = "direct"):
    """Newton's method for the equilibrium near ``M0`` (see the module docstring).

    Args:
        mesh, magnets, cell_tags, M0, B_T: as for :class:`SpinWaveModes` (``M0`` a Function
            in its P1 vector space, or anything it accepts).
        coupling_factory: ``() -> coupling`` (e.g. ``lambda: DemagModeCoupling(demag)``), a
            new one for each step, or None.
        tol: the largest relative torque ``max|M x F| / max|F|`` accepted.
        max_step: the largest change ``|dM|`` at a vertex in one step (the step is scaled
            down to it: a damped Newton method far from the equilibrium).
        solver: ``"direct"`` (MUMPS on the pencil's ``A``) or ``"iterative"`` (``A = J H_eff``:
            CG + GAMG on the symmetric ``H_eff``, :mod:`~.mode_iterative`; needs ``H_eff``
            positive definite, i.e. a start near a stable equilibrium).
    Returns:
        ``(M, history)``: the equilibrium (a P1 vector Function on ``mesh``) and the relative
        torque before each step.
    """
    if solver not in ("direct", "iterative"):
        raise InputError(f"solver must be 'direct' or 'iterative', got {solver!r}")
    history = []
    M = M0
    for _ in range(max_it + 1):
        modes = SpinWaveModes(mesh, magnets, cell_tags=cell_tags, M0=M, B_T=B_T,
                              coupling=None if coupling_factory is None
                              else coupling_factory(), equilibrium_tol=np.inf)
        history.append(_torque(modes))
        log.info("tangent Newton: relative torque %.3e", history[-1])
        if history[-1] <= tol:
            return modes.M0, history
        tg = modes.tangent
        F = tg.at_vertices(modes.F0) * modes.weights[:, None]
        rhs, y = modes.A.createVecs()
        r = rhs.getArray()
        r[:] = 0.0
        n = 2 * tg.n_local
        r[:n:2] = -np.sum(tg.e2 * F, axis=1)
        r[1:n:2] = np.sum(tg.e1 * F, axis=1)
        if solver == "iterative":
            y.destroy()
            y = _iterative_step(modes, r[:n])
            ksp = None
        else:
            ksp = PETSc.KSP().create(modes.comm)
            ksp.setOperators(modes.A)
            ksp.setType("preonly")
            ksp.getPC().setType("lu")
            ksp.getPC().setFactorSolverType("mumps")
            ksp.solve(rhs, y)
        dM = tg.lift(_head(y, n))
        big = modes.comm.allreduce(float(np.max(np.linalg.norm(dM, axis=1), initial=0.0)),
                                   op=MPI.MAX)
        new = tg.M0 + dM * min(1.0, max_step / max(big, 1e-300))
        new /= np.linalg.norm(new, axis=1)[:, None]
        M = modes.M0.copy()
        M.x.array.reshape(-1, 3)[tg.nodes] = new
        M.x.scatter_forward()
        for obj in (ksp, rhs, y, modes.A, modes.B, modes.H):
            if obj is not None:
                obj.destroy()
    raise SolverError(f"the tangent Newton iteration did not reach the relative torque "
                      f"{tol:g} in {max_it} steps (history {history}): start closer to the "
                      "equilibrium (a longer damped LLG run)")


def _iterative_step(modes, r: np.ndarray) -> PETSc.Vec:
    """``y`` of ``J H_eff y = r`` (the tangent block): ``H_eff y = -J r`` by CG."""
    parts = hessian_parts(modes)
    spd = SPDSolver(modes.H, rtol=1e-10, **parts)
    b, y = modes.H.createVecs()
    rr = r.reshape(-1, 2)
    b.getArray().reshape(-1, 2)[:] = np.column_stack([rr[:, 1], -rr[:, 0]])  # -J r
    try:
        spd.solve(b, y)
    finally:
        spd.destroy()
        b.destroy()
        if parts["preconditioner"] is not modes.H:
            parts["preconditioner"].destroy()
    return y


def _head(v: PETSc.Vec, n: int) -> PETSc.Vec:
    return PETSc.Vec().createWithArray(v.getArray(readonly=True)[:n].copy(),
                                       comm=PETSc.COMM_SELF)
