"""Spin waves with magnetostatics: the demagnetizing field in the eigenmode pencil
(:mod:`fem_spin.problems.modes`).

The modes live on the device's submesh of a :class:`~fem_spin.problems.magnetostatics.
Magnetostatics` (``mesh=demag.submesh``); its potential ``u`` lives on the whole mesh (device
and air). Two parts (:mod:`fem_spin.physics.magnetostatics` has the equations):

* the static field ``B_d(M0) = -mu0 grad u0`` of the equilibrium joins the effective field
  ``W0`` (projected with the lumped mass and exact quadrature, as in the LLG, so an LLG
  equilibrium with ``demag=`` is an equilibrium here);
* the linearized field ``B_d(dM) = -mu0 grad du`` with ``K du = (Ms dM, grad v)`` (``K`` the
  potential's matrix) enters ``S`` as ``-gamma (B_d(dM), v) = gamma mu0 (grad du, v)``. With
  ``du`` as unknowns of their own (quasi-static: no mass) the pencil is

      s W (I - alpha J) y = A_yy y + Q^T G P^T du
                      0   = -P C R y + K du

  ``G = gamma mu0 (grad du_s, v)`` and ``C = (Ms dM, grad v_s)`` assembled on the submesh
  (``du_s``, ``v_s`` in the potential's space there), ``P`` the injection of the submesh's
  potential nodes into the whole mesh's. ``du`` is eliminated in the solve
  (:func:`fem_spin.core.eigen.solve_reduced`): only the modes of ``y`` appear.

  Since ``Q^T = J R^T`` and ``G = (gamma mu0 / Ms) C^T`` (one magnet material), eliminating
  ``du`` leaves ``A = J H_eff``, ``H_eff = R^T S R + Y K^{-1} X`` with ``Y = R^T G P^T``,
  ``X = P C R = (Ms / gamma mu0) Y^T``: symmetric, the demagnetizing energy's Hessian added
  to the local one (``schur``, for :func:`fem_spin.core.eigen_spd.solve_spd_inverse`).
"""

from __future__ import annotations

import dolfinx.fem as fem
import dolfinx.fem.petsc as fem_petsc
import numpy as np
import ufl
from petsc4py import PETSc

from fem_spin.core.fields import jit_options
from fem_spin.errors import InputError
from fem_spin.physics.magnetostatics import MU0, demag_field_residual

__all__ = ["DemagModeCoupling"]


class DemagModeCoupling:
    """The ``du`` block of the spin-wave pencil from a :class:`Magnetostatics` (quasi-static).

    Give it as ``coupling=`` to :class:`~fem_spin.problems.modes.SpinWaveModes` built on
    ``demag.submesh`` (with ``cell_tags=demag.sub_cell_tags`` for several regions)."""

    dynamic = False

    def __init__(self, demag):
        self.demag = demag

    def _dx(self, modes):
        mg = modes.magnet
        dx = ufl.Measure("dx", domain=modes.mesh, subdomain_data=mg.cell_tags)
        return dx if mg.c.tags is None else dx(mg.c.tags)

    def static_field(self, modes, psi):
        """``+ mu0 (grad u0, psi)``: the term of the projection ``(W0, psi)_h - ... = 0`` of
        the equilibrium's demagnetizing field (T nm^3; ``u0`` the potential of ``M0``)."""
        demag = self.demag
        if modes.mesh is not demag.submesh:
            raise InputError("spin-wave modes with magnetostatics must be solved on "
                             "Magnetostatics.submesh (pass mesh=demag.submesh, "
                             "cell_tags=demag.sub_cell_tags)")
        demag.solve_in(modes.V, modes.magnet.c.Ms, modes.M0.x.array)
        return demag_field_residual(demag.u_sub, psi, self._dx(modes))

    def _injection(self) -> PETSc.Mat:
        """``P``: the submesh's potential dofs into the whole mesh's (0/1 entries)."""
        demag = self.demag
        Vs, Vp = demag.V_sub, demag.V
        ims, imp = Vs.dofmap.index_map, Vp.dofmap.index_map
        owned = np.arange(ims.size_local, dtype=np.int32)
        cols = ims.local_to_global(owned).astype(PETSc.IntType)
        rows = imp.local_to_global(demag.to_parent[owned].astype(np.int32)
                                   ).astype(PETSc.IntType)
        P = PETSc.Mat().createAIJ(((imp.size_local, imp.size_global),
                                   (ims.size_local, ims.size_global)), nnz=(1, 1),
                                  comm=demag.comm)
        P.setOption(PETSc.Mat.Option.NEW_NONZERO_ALLOCATION_ERR, False)
        for r, c in zip(rows, cols):
            P.setValue(r, c, 1.0)
        P.assemble()
        return P

    def blocks(self, modes):
        """The ``du`` blocks of the pencil of ``modes``: ``(A_yu, A_uy, K, 0)``
        (:func:`fem_spin.problems.modes.augment`)."""
        demag, tg, jit = self.demag, modes.tangent, jit_options()
        c, dx = modes.magnet.c, self._dx(modes)
        dM, v = ufl.TrialFunction(modes.V), ufl.TestFunction(modes.V)
        du, vu = ufl.TrialFunction(demag.V_sub), ufl.TestFunction(demag.V_sub)

        def matrix(form):
            K = fem_petsc.assemble_matrix(fem.form(form, jit_options=jit))
            K.assemble()
            return K

        G = matrix(c.gamma * MU0 * ufl.inner(ufl.grad(du), v) * dx)
        C = matrix(c.Ms * ufl.inner(dM, ufl.grad(vu)) * dx)
        P = self._injection()
        GP = G.matTransposeMult(P)
        A_yu = tg.Q.transposeMatMult(GP)
        X = P.matMult(C.matMult(tg.R))
        A_uy = X.copy()
        A_uy.scale(-1.0)
        K = demag.A
        # H_eff = H + Y K^{-1} X (A = J H_eff): the iterative solve's Schur complement
        self.schur = (tg.R.transposeMatMult(GP), K, X)
        B_uu = K.duplicate()
        B_uu.zeroEntries()
        for M in (G, C, P, GP):
            M.destroy()
        return A_yu, A_uy, K, B_uu
