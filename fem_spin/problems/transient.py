"""S2: transient generalized spin diffusion (paper Eq. 70 with the tensor of Eq. 71-72).

    d_t m = div( Dt(H) grad m ) - T^{-1} (m - m_eq) - H x m ,     H = B(t, x) + lambda M

(``shared/physics.md`` S2; same units and conventions as S1 in :mod:`fem_spin.physics.spin_diffusion`: H in
rad/ps is the precession vector, ``d_t m = m x H`` without diffusion and relaxation).
Time discretisation: :mod:`fem_spin.stepping.schemes` (backward Euler, Crank-Nicolson in its
midpoint form, variable-step BDF2), one SNES reused for every step.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence

import dolfinx.fem as fem
import numpy as np
import ufl

from fem_spin import physics
from fem_spin.stepping.schemes import TimeStepper
from fem_spin.errors import InputError
from fem_spin.core.fields import as_vector_field, jit_options, region_function
from fem_spin.parameters.transport import Dirichlet, Flux, Material
from fem_spin.problems.steady import dirichlet_bcs, validate_inputs
from fem_spin.core.newton import NewtonSolver

__all__ = ["SpinCoefficients", "TransientSpinDiffusion", "time_field"]

log = logging.getLogger(__name__)


def time_field(mesh, value, t: fem.Constant, name: str):
    """A field that may depend on time: ``None``, a constant 3-vector, a Function / UFL
    3-vector, or a callable ``value(t)`` of the UFL time ``t`` (a ``fem.Constant``, ps)
    returning one of those. Returns a UFL 3-vector (or None)."""
    if callable(value) and not isinstance(value, ufl.core.expr.Expr):
        value = value(t)
    return as_vector_field(mesh, value, name)


class SpinCoefficients:
    """Region-wise (DG0) spin-transport coefficients D, tau, lambda, m0 of S1/S2 (as in
    :class:`fem_spin.SteadySpinDiffusion`: one compiled form for any parameter values)."""

    def __init__(self, mesh, materials: Mapping[int, Material], cell_tags):
        mats = materials.values()
        equal_tau = all(len(set(m.tau3)) == 1 for m in mats)
        equal_D = all(len(set(m.D3)) == 1 for m in mats)
        self.isotropic = all(m.isotropic for m in mats)

        def coefficient(get, scalar: bool, name: str):
            values = {t: (get(m)[0] if scalar else get(m)) for t, m in materials.items()}
            return region_function(mesh, cell_tags, values, () if scalar else (3,), name)

        self.D = coefficient(lambda m: m.D3, equal_D, "D")
        self.tau = coefficient(lambda m: m.tau3, equal_tau, "tau")
        self.lam = coefficient(lambda m: (m.lam,), True, "lambda")
        self.m0 = coefficient(lambda m: (m.m0,), True, "m0")


def check_drive(drive):
    """A drive must be None or a callable ``t (ps) -> float``."""
    if drive is not None and not callable(drive):
        raise InputError(f"drive must be a callable t (ps) -> float, got {drive!r}")
    return drive


class BoundaryData:
    """Dirichlet conditions and injected fluxes of m, scaled by a drive ``s(t)``.

    Dirichlet values are interpolated once (``g0``) and set to ``s(t_{n+1}) g0`` before each
    step; fluxes carry the factor as a ``fem.Constant`` set to ``s(t_n + theta dt)``.
    """

    def __init__(self, mesh, Vm, facet_tags, ds, dirichlet: Sequence[Dirichlet],
                 flux: Sequence[Flux], drive: Callable[[float], float] | None):
        self.drive = check_drive(drive)
        self.scale = fem.Constant(mesh, np.float64(1.0 if drive is None else drive(0.0)))
        self.flux_terms = [
            (self.scale * as_vector_field(mesh, f.value, f"Flux(tag={f.tag}).value"), ds(f.tag))
            for f in flux
        ]
        self.bcs: list[fem.DirichletBC] = []
        self._values: list[tuple[fem.Function, np.ndarray]] = []
        for d in dirichlet:
            for bc in dirichlet_bcs(Vm, facet_tags, d):
                self.bcs.append(bc)
                self._values.append((bc.g, bc.g.x.array.copy()))

    def update(self, t_new: float, t_flux: float) -> None:
        """Set the data for a step ending at ``t_new`` whose fluxes act at ``t_flux``."""
        if self.drive is None and self.scale.value == 1.0:
            return
        s_new = 1.0 if self.drive is None else float(self.drive(t_new))
        self.scale.value = 1.0 if self.drive is None else float(self.drive(t_flux))
        for g, g0 in self._values:
            g.x.array[:] = s_new * g0


def _materials(materials, cell_tags):
    if isinstance(materials, Material):
        return {0: materials}, None
    return dict(materials), cell_tags


class TransientSpinDiffusion(TimeStepper):
    """Spin accumulation ``m(x, t)`` solving S2 with a local field ``H = B(t, x) + lambda M``.

    Arguments as for :class:`fem_spin.SteadySpinDiffusion`, plus:

    Args:
        B: precession field (rad/ps): as for S1, or a callable ``B(t)`` of the UFL time
            ``t`` (a ``fem.Constant`` in ps) returning a UFL 3-vector, e.g.
            ``lambda t: ufl.as_vector((0, 0, w0 * ufl.cos(2 * t)))``; it is evaluated at
            ``t_n + theta dt``.
        m_init: initial accumulation (constant, callable ``x -> (3, N)``, Function or UFL);
            default zero.
        drive: ``s(t)`` multiplying all boundary data (Dirichlet values and fluxes), e.g.
            a current pulse; default 1.
        scheme: ``"bdf2"`` (default), ``"cn"`` or ``"euler"`` (see
            :mod:`fem_spin.stepping.schemes`).
    """

    name = "S2"

    def __init__(self, mesh, materials: Material | Mapping[int, Material], *,
                 cell_tags=None, facet_tags=None, M=None, B=None, m_eq=None, m_init=None,
                 dirichlet: Sequence[Dirichlet] = (), flux: Sequence[Flux] = (),
                 drive: Callable[[float], float] | None = None, scheme: str = "bdf2",
                 degree: int = 1, quadrature_degree: int | None = None,
                 petsc_options: dict | None = None):
        materials, cell_tags = _materials(materials, cell_tags)
        validate_inputs(mesh.comm, materials, cell_tags, facet_tags, dirichlet,
                                      flux, degree)
        V = fem.functionspace(mesh, ("Lagrange", degree, (3,)))
        m = fem.Function(V, name="m")
        if m_init is not None:
            m.interpolate(_interpolable(mesh, m_init, V))
        self._init_stepper(mesh, m, scheme, [("m", None, True)])
        self.V, self.materials = V, materials
        self.cell_tags, self.facet_tags = cell_tags, facet_tags
        qd = 2 * degree + 1 if quadrature_degree is None else quadrature_degree
        self.dx = ufl.Measure("dx", domain=mesh, subdomain_data=cell_tags,
                              metadata={"quadrature_degree": qd})
        self.ds = ufl.Measure("ds", domain=mesh, subdomain_data=facet_tags,
                              metadata={"quadrature_degree": qd})
        self.coefficients = c = SpinCoefficients(mesh, materials, cell_tags)
        self.M = as_vector_field(mesh, M, "M")
        self.B = time_field(mesh, B, self.tc.t_s, "B")
        self.H = physics.effective_field(self.B, self.M, c.lam)
        if m_eq is None:
            self.m_eq = (fem.Constant(mesh, np.zeros(3)) if self.M is None else c.m0 * self.M)
        else:
            self.m_eq = time_field(mesh, m_eq, self.tc.t_s, "m_eq")
        self.boundary = BoundaryData(mesh, V, facet_tags, self.ds, dirichlet, flux, drive)
        tc = self.tc
        v = ufl.TestFunction(V)
        self.residual = physics.s2_residual(
            m, self.u_n, self.u_nm1, v, a=(tc.a0, tc.a1, tc.a2), dt=tc.dt, theta=tc.theta,
            H=self.H, D=c.D, tau=c.tau, m_eq=self.m_eq, dx=self.dx,
            flux_terms=self.boundary.flux_terms)
        self._solver = NewtonSolver(self.residual, m, self.boundary.bcs,
                                    petsc_options=petsc_options, jit_options=jit_options(),
                                    name="S2 step", log_level=logging.DEBUG)
        ndofs = V.dofmap.index_map.size_global * V.dofmap.index_map_bs
        log.info("S2 problem: P%d, %d dofs, scheme %s, %d region(s)", degree, ndofs, scheme,
                 len(materials))
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


def _interpolable(mesh, value, V):
    """Something ``Function.interpolate`` accepts: a callable, a Function, or an Expression."""
    if isinstance(value, fem.Function) or (callable(value)
                                           and not isinstance(value, ufl.core.expr.Expr)):
        return value
    expr = as_vector_field(mesh, value, "initial value")
    if isinstance(expr, fem.Constant):
        arr = np.asarray(expr.value, dtype=float)
        return lambda x: np.tile(arr[:, None], (1, x.shape[1]))
    return fem.Expression(expr, V.element.interpolation_points, jit_options=jit_options())
