"""S4 in the time domain: the magnetization fluctuations of Eq. 84
(:mod:`fem_spin.physics.fluctuations`) with the implicit midpoint rule.

The unknown is ``(C_r, C_i)``, the real and imaginary parts of ``C`` in a mixed P1 space (six
components). The equation is linear: each step is one Newton iteration (one MUMPS solve).
Time-independent sources (switched on at t = 0): the paper's ``i eps n_k x M`` and/or a given
``source = (s_r, s_i)`` (1/ps, UFL or Functions, e.g. a localized pulse).
"""

from __future__ import annotations

import logging

import basix.ufl
import dolfinx.fem as fem
import numpy as np
import ufl

from fem_spin.core.fields import interpolable, jit_options
from fem_spin.core.newton import NewtonSolver
from fem_spin.errors import InputError
from fem_spin.physics.fluctuations import (
    fluctuation_residual,
    precession_coefficient,
    source_term,
)
from fem_spin.stepping.schemes import TimeStepper

__all__ = ["MagnetizationFluctuations"]

log = logging.getLogger(__name__)


class MagnetizationFluctuations(TimeStepper):
    """Eq. 84 (``restored=False``) or the form with the mean-field term restored.

    Args:
        mesh: DOLFINx mesh (periodic rings have no boundary; elsewhere the boundary is free).
        M: the uniform magnetization (unit 3-vector; normalised).
        J0, J2: the exchange moments (rad/ps, rad/ps nm^2; Eq. 85-86, see
            :func:`fem_spin.physics.fluctuations.moments_from_exchange`).
        b: the field's precession rate (rad/ps) of the restored form.
        restored: the form with the mean-field term ``dM x J0 M`` restored.
        C0: initial ``(C_r, C_i)`` (callables ``x -> (3, N)``, constants or Functions; the
            longitudinal part must vanish); default zero.
        eps, k: the paper's source ``i eps n_k x M`` (eps = 0: none).
        source: a further source ``(s_r, s_i)`` (UFL vectors, 1/ps) or None.
    """

    name = "fluctuations"

    def __init__(self, mesh, *, M, J0: float = 0.0, J2: float, b: float = 0.0,
                 restored: bool = False, C0=None, eps: float = 0.0, k: int = 0, source=None,
                 petsc_options: dict | None = None):
        Mv = np.asarray(M, dtype=float).ravel()
        if Mv.shape != (3,) or not np.all(np.isfinite(Mv)) or np.linalg.norm(Mv) == 0:
            raise InputError(f"M must be a non-zero 3-vector, got {M!r}")
        for name, value in (("J0", J0), ("J2", J2), ("b", b), ("eps", eps)):
            if not np.isfinite(value):
                raise InputError(f"{name} must be a finite number, got {value!r}")
        if k not in (0, 1, 2):
            raise InputError(f"k (the component of n_k) must be 0, 1 or 2, got {k!r}")
        self.M_vec = Mv / np.linalg.norm(Mv)
        e = basix.ufl.element("Lagrange", mesh.basix_cell(), 1, shape=(3,))
        V = fem.functionspace(mesh, basix.ufl.mixed_element([e, e]))
        u = fem.Function(V, name="C")
        self._init_stepper(mesh, u, "midpoint", [("C_r", V.sub(0), True),
                                                 ("C_i", V.sub(1), True)])
        if C0 is not None:
            for (_, Vc, dofs), value in zip(self.fields, C0, strict=True):
                f = fem.Function(Vc)
                f.interpolate(interpolable(mesh, value, Vc))
                for w in (self.u, self.u_n, self.u_nm1):
                    w.x.array[dofs] = f.x.array
        Mc = fem.Constant(mesh, self.M_vec)
        self.restored = restored
        const = lambda x: fem.Constant(mesh, np.float64(x))  # noqa: E731
        self.J0, self.J2, self.b, self.eps = const(J0), const(J2), const(b), const(eps)
        g = precession_coefficient(self.J0, self.b, restored)
        Cr, Ci = ufl.split(u)
        Cr_n, Ci_n = ufl.split(self.u_n)
        vr, vi = ufl.TestFunctions(V)
        s_r, s_i = (None, None) if source is None else source
        s_i = source_term(self.eps, k, Mc) if s_i is None else s_i + source_term(self.eps, k, Mc)
        dx = ufl.Measure("dx", domain=mesh)
        args = dict(M=Mc, dt=self.tc.dt, g=g, J2=self.J2, dx=dx)
        self.residual = (fluctuation_residual(Cr, Cr_n, vr, source=s_r, **args)
                         + fluctuation_residual(Ci, Ci_n, vi, source=s_i, **args))
        self._solver = NewtonSolver(self.residual, u, [], petsc_options=petsc_options,
                                    jit_options=jit_options(), name="S4 step",
                                    log_level=logging.DEBUG)
        Cr_o, Ci_o = ufl.split(self.u_n)
        self._norm = fem.form((ufl.inner(Cr_o, Cr_o) + ufl.inner(Ci_o, Ci_o)) * dx,
                              jit_options=jit_options())
        zero = ufl.as_vector([0.0, 0.0, 0.0])
        s_r = zero if s_r is None else s_r
        self._work = fem.form((ufl.inner(s_r, Cr_o) + ufl.inner(s_i, Ci_o)) * dx,
                              jit_options=jit_options())
        self._store_initial()

    def _solve(self) -> tuple[int, int]:
        info = self._solver.solve()
        return info.newton_iterations, info.linear_iterations

    def _solvers(self) -> list:
        return [self._solver]

    def norm2(self) -> float:
        """``||C||^2 = int |C_r|^2 + |C_i|^2`` (nm^3) of the state at t_n (global)."""
        return self.comm.allreduce(fem.assemble_scalar(self._norm))

    def source_work(self) -> float:
        """``(s, C)`` (nm^3/ps) of the state at t_n: ``d_t ||C||^2 = 2 (s, C)``."""
        return self.comm.allreduce(fem.assemble_scalar(self._work))

    def observe(self) -> dict[str, float]:
        return {"norm2": self.norm2(), "source_work": self.source_work()}

    def output_functions(self) -> list[fem.Function]:
        return [self.field("C_r"), self.field("C_i")]
