"""The magnetostatic field in the LLG's Newton iteration.

The midpoint rule needs ``B_d(M_mid)``, a non-local linear function of ``M``. Its Jacobian
(dense) is left out: before every evaluation of the residual the potential of the current
iterate's ``M_mid = (M + M_n) / 2`` is solved on the air mesh (one substitution with the
factorized Laplacian, :class:`~fem_spin.problems.magnetostatics.Magnetostatics`), so Newton
converges (linearly) to the solution of the full implicit-midpoint residual: the field is
implicit, the discrete energy law and ``|M| = 1`` hold as without it. The Jacobian carries the
local approximation ``B_d ~ -mu0 Ms N M`` with ``N`` the magnets' volume-averaged
demagnetizing tensor (exact for a uniformly magnetized ellipsoid); measured, it saves little:
the non-local part dominates (about 11 iterations per 5 ps step of a permalloy film against 3-4
without magnetostatics, docs/magnetostatics.md).
"""

from __future__ import annotations

import dolfinx.fem as fem
import numpy as np
import ufl

from fem_spin.errors import InputError
from fem_spin.physics.magnetostatics import MU0, demag_field_residual
from fem_spin.problems.magnetostatics import demagnetizing_tensor

__all__ = ["DemagCoupling"]


class DemagCoupling:
    """Links a :class:`Magnetostatics` to the (M, W) unknown of an LLG-type problem.

    Args:
        demag: the Magnetostatics; V_M: the collapsed space of M; M_dofs: its dofs in ``u``;
        mg: the problem's ``MagnetState``; u, u_n: the unknown and the previous state.
    """

    def __init__(self, demag, V_M, M_dofs: np.ndarray, mg, u, u_n):
        if V_M.mesh is not demag.submesh:
            raise InputError("with magnetostatics the problem must be solved on "
                             "Magnetostatics.submesh (pass mesh=demag.submesh, "
                             "cell_tags=demag.sub_cell_tags, facet_tags=demag.sub_facet_tags)")
        self.N = demagnetizing_tensor(demag, mg.c.Ms)
        demag.attach(V_M, mg.c.Ms)
        self.Ms = mg.c.Ms
        self.N_const = fem.Constant(V_M.mesh, np.asarray(self.N, dtype=float))
        self.demag, self.M_dofs, self.u, self.u_n = demag, M_dofs, u, u_n
        dx = ufl.Measure("dx", domain=V_M.mesh, subdomain_data=mg.cell_tags)
        self.dx = dx if mg.c.tags is None else dx(mg.c.tags)

    def field_residual(self, psi):
        """``+ mu0 (grad u, psi)`` for the effective-field equation (exact quadrature)."""
        return demag_field_residual(self.demag.u_sub, psi, self.dx)

    def jacobian_term(self, M, psi, dx_h):
        """``+ mu0 Ms (N M, psi)_h``: the local approximation of the field's term, added to
        the residual only to form the Jacobian."""
        return MU0 * self.Ms * ufl.inner(self.N_const * M, psi) * dx_h

    def steady(self, F, M, psi, dx_h, u):
        """``(F, before_residual, J)`` of a steady solve: the residual with the field's term,
        the hook that solves the potential of each iterate, and the Jacobian with the field's
        local approximation."""
        F = F + self.field_residual(psi)
        return F, self.update_state, ufl.derivative(F + self.jacobian_term(M, psi, dx_h), u)

    def update_midpoint(self) -> None:
        """The potential of ``M_mid`` of the current iterate (a time step)."""
        self.demag.solve(0.5 * (self.u.x.array[self.M_dofs] + self.u_n.x.array[self.M_dofs]))

    def update_state(self) -> None:
        """The potential of ``M`` of the current iterate (the steady problem)."""
        self.demag.solve(self.u.x.array[self.M_dofs])
