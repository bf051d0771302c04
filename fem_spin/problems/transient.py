"""S2: transient generalized spin diffusion (paper Eq. 70 with the tensor of Eq. 71-72).

    d_t m = div( Dt(H) grad m ) - T^{-1} (m - m_eq) - H x m ,     H = B(t, x) + lambda M

(``shared/physics.md`` S2; same units and conventions as S1 in
:mod:`fem_spin.physics.spin_diffusion`: H in rad/ps is the precession vector, ``d_t m = m x H``
without diffusion and relaxation).
Time discretisation: :mod:`fem_spin.stepping.schemes` (backward Euler, Crank-Nicolson in its
midpoint form, variable-step BDF2), one SNES reused for every step.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence

import dolfinx.fem as fem
import ufl

from fem_spin import physics
from fem_spin.core.boundary import check_drive
from fem_spin.core.fields import (
    as_vector_field,
    check_no_B,
    external_precession,
    interpolable,
    jit_options,
    time_field,
)
from fem_spin.core.newton import NewtonSolver
from fem_spin.core.problem import SpinTransportCore
from fem_spin.parameters import GAMMA_E, Dirichlet, Flux, Material
from fem_spin.stepping.schemes import TimeStepper

__all__ = ["TransientSpinDiffusion"]

log = logging.getLogger(__name__)


class TransientSpinDiffusion(TimeStepper):
    """Spin accumulation ``m(x, t)`` solving S2 with a local field ``H = B(t, x) + lambda M``.

    Arguments as for :class:`fem_spin.SteadySpinDiffusion`, plus:

    Args:
        B_T, H_ext: the external field in tesla or as a precession vector in rad/ps, as for
            S1, or a callable ``f(t)`` of the UFL time ``t`` (a ``fem.Constant`` in ps)
            returning a UFL 3-vector, e.g. ``lambda t: ufl.as_vector((0, 0, w0 * ufl.cos(2 *
            t)))``; evaluated at ``t_n + theta dt``.
        m_init: initial accumulation (constant, callable ``x -> (3, N)``, Function or UFL);
            default zero.
        drive: ``s(t)`` multiplying all boundary data (Dirichlet values and fluxes), e.g.
            a current pulse; default 1.
        scheme: ``"bdf2"`` (default), ``"cn"`` or ``"euler"`` (see
            :mod:`fem_spin.stepping.schemes`).
    """

    name = "S2"

    def __init__(self, mesh, materials: Material | Mapping[int, Material], *,
                 cell_tags=None, facet_tags=None, M=None, B_T=None, H_ext=None, m_eq=None,
                 m_init=None, gamma_e: float = GAMMA_E, B=None,
                 dirichlet: Sequence[Dirichlet] = (), flux: Sequence[Flux] = (),
                 drive: Callable[[float], float] | None = None, scheme: str = "bdf2",
                 degree: int = 1, quadrature_degree: int | None = None,
                 petsc_options: dict | None = None):
        check_no_B(B, "TransientSpinDiffusion")
        core = SpinTransportCore(mesh, materials, cell_tags=cell_tags, facet_tags=facet_tags,
                                 dirichlet=dirichlet, flux=flux, degree=degree,
                                 quadrature_degree=quadrature_degree)
        V = core.space()
        m = fem.Function(V, name="m")
        if m_init is not None:
            m.interpolate(interpolable(mesh, m_init, V))
        self._init_stepper(mesh, m, scheme, [("m", None, True)])
        self.core, self.V, self.materials = core, V, core.materials
        self.cell_tags, self.facet_tags = core.cell_tags, core.facet_tags
        self.dx, self.ds = core.dx, core.ds
        self.coefficients = c = core.coefficients
        self.M = as_vector_field(mesh, M, "M")
        self.H_ext = external_precession(mesh, B_T, H_ext, gamma_e, self.tc.t_s)
        self.H = physics.effective_field(self.H_ext, self.M, c.lam)
        self.m_eq = (core.default_equilibrium(self.M) if m_eq is None
                     else time_field(mesh, m_eq, self.tc.t_s, "m_eq"))
        self.boundary = core.boundary_data(V, drive)
        tc = self.tc
        v = ufl.TestFunction(V)
        self.residual = physics.s2_residual(
            m, self.u_n, self.u_nm1, v, a=(tc.a0, tc.a1, tc.a2), dt=tc.dt, theta=tc.theta,
            H=self.H, D=c.D, tau=c.tau, tau_A=c.tau_A, m_eq=self.m_eq, dx=self.dx,
            flux_terms=self.boundary.flux_terms)
        self._solver = NewtonSolver(self.residual, m, self.boundary.bcs,
                                    petsc_options=petsc_options, jit_options=jit_options(),
                                    name="S2 step", log_level=logging.DEBUG)
        ndofs = V.dofmap.index_map.size_global * V.dofmap.index_map_bs
        log.info("S2 problem: P%d, %d dofs, scheme %s, %d region(s)", degree, ndofs, scheme,
                 len(core.materials))
        self._store_initial()

    def set_drive(self, drive: Callable[[float], float] | None) -> None:
        """Replace the drive ``s(t)`` of the boundary data (e.g. between runs of a sweep)."""
        self.boundary.drive = check_drive(drive)

    @property
    def m(self) -> fem.Function:
        """The spin accumulation at the current time ``self.t``."""
        return self.u_n

    def _prepare(self, t: float, dt: float) -> None:
        self.boundary.update(t + dt, float(self.tc.t_s.value))

    def _solve(self) -> tuple[int, int]:
        info = self._solver.solve()
        return info.newton_iterations, info.linear_iterations

    def _solvers(self) -> list:
        return [self._solver]

    def output_functions(self) -> list[fem.Function]:
        if not hasattr(self, "_out"):
            self._out = fem.Function(self.V, name="m")
        self._out.x.array[:] = self.u_n.x.array
        return [self._out]
