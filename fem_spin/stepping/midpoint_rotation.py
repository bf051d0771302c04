"""The midpoint rule's ``|M| = |M_n|`` made exact at the end of a step, whatever the Newton
tolerance.

The LLG rows of the midpoint rule (:func:`fem_spin.physics.magnetization.llg_residual`,
lumped: one quadrature point per vertex) read, at a magnet vertex ``z`` (1/ps)::

    R(z) = (M - M_n)/dt - M_mid x Z,      M_mid = (M + M_n)/2,

``Z`` (rad/ps) being everything else: the field ``-gamma W``, the damping ``alpha dM/dt``,
the s-d torque's ``lam_M m``. Solved exactly, ``M - M_n`` is orthogonal to ``M_mid``, so
``|M| = |M_n|``. Newton stops at a tolerance: R is small, not zero, and ``|M|`` drifts by about
that much per step. From the iterate, ``Z``'s part across ``M_mid`` is known::

    Z_perp = ((M - M_n)/dt - R) x M_mid / |M_mid|^2,

and the midpoint equation with ``Z_perp`` held is linear in M, solved at each vertex by the
Cayley rotation (``a = dt Z_perp / 2``)::

    (I + [a]x) M = (I - [a]x) M_n,

an orthogonal map of ``M_n``: ``|M| = |M_n|`` to round-off. M moves from the iterate by
``O(dt |R|)``, the Newton tolerance. The residual is assembled on the magnets' cells only.
"""

from __future__ import annotations

import dolfinx.fem as fem
import dolfinx.la as la
import numpy as np
import ufl

__all__ = ["ROTATION", "MidpointRotation", "cayley_rotation"]

#: Steps end with the rotation; False: M as Newton left it (for comparisons).
ROTATION = True


def cayley_rotation(M_n: np.ndarray, a: np.ndarray) -> np.ndarray:
    """``(I + [a]x)^{-1} (I - [a]x) M_n`` row by row (``(n, 3)`` arrays): M_n rotated about
    ``a`` by ``2 atan |a|``."""
    y = M_n - np.cross(a, M_n)
    return (y - np.cross(a, y) + np.einsum("ij,ij->i", a, y)[:, None] * a) / (
        1.0 + np.einsum("ij,ij->i", a, a))[:, None]


class MidpointRotation:
    """The rotation that ends a step of the midpoint rule (module docstring).

    Args:
        rows: ``rows(phi)``: the LLG rows as a UFL form in the test function ``phi`` of
            ``V_M`` (the collapsed space of M), e.g. :func:`fem_spin.physics.magnetization.
            llg_residual` with the step's unknowns, on the magnets' vertex measure ``dx``.
        u, u_n: the step's unknown and the previous state; ``M_dofs``: M's dofs in them
            (local, ghosts included), numbered as ``V_M``'s.
        dt: the time step's Constant (ps).
        jit_options: FFCx/CFFI JIT options.
    """

    def __init__(self, rows, V_M: fem.FunctionSpace, dx, u: fem.Function, u_n: fem.Function,
                 M_dofs: np.ndarray, dt: fem.Constant, jit_options=None):
        phi = ufl.TestFunction(V_M)
        self._rows = fem.form(rows(phi), jit_options=jit_options)
        w = fem.assemble_vector(fem.form(ufl.inner(ufl.as_vector([1.0, 1.0, 1.0]), phi) * dx,
                                         jit_options=jit_options))
        w.scatter_reverse(la.InsertMode.add)
        n = V_M.dofmap.index_map.size_local
        self._nodes = np.flatnonzero(w.array[: 3 * n].reshape(-1, 3)[:, 0] > 0)
        self._w = w.array.reshape(-1, 3)[self._nodes]
        self.u, self.u_n, self.dt = u, u_n, dt
        self._dofs = M_dofs.reshape(-1, 3)[self._nodes]

    def apply(self) -> None:
        """Rotate M of ``u`` at the (owned) magnet vertices (collective)."""
        if not ROTATION:
            return
        R = fem.assemble_vector(self._rows)
        R.scatter_reverse(la.InsertMode.add)
        dt = float(self.dt.value)
        M = self.u.x.array[self._dofs]
        M_n = self.u_n.x.array[self._dofs]
        r = R.array.reshape(-1, 3)[self._nodes] / self._w
        mid = 0.5 * (M + M_n)
        z = np.cross((M - M_n) / dt - r, mid) / np.einsum("ij,ij->i", mid, mid)[:, None]
        self.u.x.array[self._dofs] = cayley_rotation(M_n, 0.5 * dt * z)
        self.u.x.scatter_forward()
