"""The residual of a linear problem from its assembled matrix: ``F(x) = A x - b``.

SNES evaluates the residual form at every iterate. For a linear problem (S1) the matrix ``A``
(Dirichlet rows and columns eliminated, unit diagonal) and the lifted right-hand side ``b``
(``L`` with the Dirichlet values lifted, ``b = g`` on the Dirichlet rows) give the same
residual as DOLFINx's (``F(x) + J (g - x)`` on the free rows, ``x - g`` on the Dirichlet
rows) to round-off, without assembling the residual form, whose kernel repeats the
Jacobian's work cell by cell. ``A`` and ``b`` are assembled once per solve (at the first
residual or Jacobian evaluation after :meth:`LinearResidual.refresh`), which also saves the
second residual assembly of a Newton solve.
"""

from __future__ import annotations

import dolfinx.fem as fem
import dolfinx.fem.petsc as fp
import dolfinx.mesh as dm
import numpy as np
import ufl
from petsc4py import PETSc

__all__ = ["LinearResidual"]


class LinearResidual:
    """Install ``F(x) = A x - b`` and a once-per-solve Jacobian on a
    :class:`~fem_spin.core.newton.NewtonSolver` of a residual that is affine in its unknown.

    Args:
        solver: the NewtonSolver (of ``F`` in ``u``).
        F: the UFL residual, affine in ``u``.
        u: the unknown Function.
        bcs: the Dirichlet conditions.
        jit_options: FFCx/CFFI JIT options.
        after_jacobian: as for NewtonSolver (e.g. Galerkin coarse operators), or None.
        matrix_form: a compiled form of the same matrix to assemble ``A`` from (e.g.
            :func:`fem_spin.core.diffusion_kernel.diffusion_form`); default the Jacobian's.
    """

    def __init__(self, solver, F, u, bcs, *, jit_options=None, after_jacobian=None,
                 matrix_form=None):
        problem = solver._problem
        # F affine in u: its matrix is its derivative and L = -F(0). (UFL's lhs / rhs split
        # walks the expression as a tree: about 6 s for S1's rational tensor, on any mesh.)
        a = ufl.derivative(F, u, ufl.TrialFunction(u.function_space))
        self._L = fem.form(-ufl.replace(F, {u: ufl.zero(*u.ufl_shape)}), jit_options=jit_options)
        self._J = problem.J
        self._J_matrix = problem.J if matrix_form is None else matrix_form
        self._bcs = list(bcs or [])
        self._J_lift = self._lifting_form(a, u.function_space, jit_options)
        self._A = problem.A
        self._b = problem.b.duplicate()
        self._after = after_jacobian
        self._stale = True
        snes = problem.solver
        snes.setFunction(self._residual, problem.b)
        snes.setJacobian(self._jacobian, problem.A, problem.P_mat)

    def _lifting_form(self, a, V, jit_options):
        """The matrix form on the cells with a Dirichlet dof only (lifting skips the other
        cells anyway, after packing their coefficients); the full form if ``a`` has integrals
        other than whole-mesh cell integrals."""
        if not self._bcs or any(i.integral_type() != "cell" or i.subdomain_id() != "everywhere"
                                for i in a.integrals()):
            return self._J
        mesh = V.mesh
        tdim = mesh.topology.dim
        imap = mesh.topology.index_map(tdim)
        n_cells = imap.size_local + imap.num_ghosts
        blocks = np.concatenate([bc.dof_indices()[0] for bc in self._bcs]) // V.dofmap.bs
        marked = np.zeros(V.dofmap.index_map.size_local + V.dofmap.index_map.num_ghosts, bool)
        marked[blocks] = True
        cells = np.flatnonzero(marked[V.dofmap.list[:n_cells]].any(axis=1)).astype(np.int32)
        tags = dm.meshtags(mesh, tdim, cells, np.ones(len(cells), dtype=np.int32))
        dx = ufl.Measure("dx", domain=mesh, subdomain_data=tags)
        restricted = ufl.Form([i.reconstruct(subdomain_id=1, subdomain_data=dx.subdomain_data())
                               for i in a.integrals()])
        return fem.form(restricted, jit_options=jit_options)

    def refresh(self) -> None:
        """The coefficients may have changed: assemble ``A`` and ``b`` at the next evaluation."""
        self._stale = True

    def _assemble(self, snes: PETSc.SNES) -> None:
        A, b = self._A, self._b
        A.zeroEntries()
        fp.assemble_matrix(A, self._J_matrix, bcs=self._bcs)
        A.assemble()
        if self._after is not None:
            self._after(snes.getKSP(), A)
        with b.localForm() as local:
            local.set(0.0)
        fp.assemble_vector(b, self._L)
        fp.apply_lifting(b, [self._J_lift], bcs=[self._bcs])
        b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        fp.set_bc(b, self._bcs)
        self._stale = False

    def _residual(self, snes, x, F) -> None:
        if self._stale:
            self._assemble(snes)
        self._A.mult(x, F)
        F.axpy(-1.0, self._b)

    def _jacobian(self, snes, x, J, P) -> None:
        if self._stale:
            self._assemble(snes)

    def destroy(self) -> None:
        self._b.destroy()
