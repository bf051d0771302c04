"""The self-consistent spin-transfer problem (paper Sec. V): spin accumulation m (S2) and
magnetization M (S3) advanced together.

    d_t m = div(Dt(H) grad m) - T^{-1}(m - m_eq) - H x m,      H = -gamma_e B + lambda M
    d_t M = -gamma M x B_eff + alpha M x d_t M + lam_M M x m

``B`` is the external field in tesla; the conduction electrons precess about it with the
same sense as M (``-gamma_e B`` in rad/ps, :mod:`fem_spin.physics.spin_diffusion`' convention
``d_t m = m x H``). ``m_eq`` defaults to ``m0 M`` per transport region.

Time discretisation (:mod:`fem_spin.stepping.schemes`): m with the chosen scheme (BDF2 by
default: L-stable for the stiff diffusion and precession of m), M with the implicit midpoint
rule of :mod:`fem_spin.problems.llg` (|M| = 1 exactly at the vertices), the torque with
``m_mid = (m + m_n)/2``; the S2 field uses ``M_theta`` at the S2 time. Both orders are 2 for
``bdf2`` and ``cn``.

* ``coupling="monolithic"``: one Newton (SNES) for (m, M, W) on the mixed space per step.
* ``coupling="staggered"``: an S2 step with M extrapolated from the history
  (``M* = M_n + theta w (M_n - M_nm1)``, ``w = dt/dt_prev``), then an LLG step with the new m
  (two Newton solves on the same mixed space, the other block held fixed). Explicit in the
  coupling, so conditionally stable in the coupling strength; for comparisons (on the
  switching pillar it needs dt <= 1 ps: benchmarks/results/issue16.md, eighth session).
* Each step ends with |M| = 1 made exact (:mod:`fem_spin.stepping.midpoint_rotation`).
* :meth:`CoupledSpinDynamics.solve_steady`: the time-independent coupled residual (S1 with
  H(M), zero torque and |M| = 1) solved directly with Newton from the current state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from functools import partial

import basix.ufl
import dolfinx.fem as fem
import numpy as np
import ufl

from fem_spin import physics
from fem_spin.core import linear_solvers
from fem_spin.core.blocked_space import blocked_space, field_maps, split
from fem_spin.core.boundary import check_drive
from fem_spin.core.fields import check_no_B, interpolable, jit_options, time_field
from fem_spin.core.newton import NewtonSolver
from fem_spin.core.problem import SpinTransportCore
from fem_spin.core.update_test import owned_entries
from fem_spin.errors import InputError
from fem_spin.parameters.magnet import GAMMA_E, Magnet
from fem_spin.parameters.transport import Dirichlet, Flux, Material
from fem_spin.physics.magnetization import (
    effective_field_residual,
    energy_density,
    llg_residual,
    pin_residual,
    steady_llg_residual,
)
from fem_spin.problems import coupled_solver
from fem_spin.problems.coupled_solver import LINEAR_SOLVERS
from fem_spin.problems.demag_coupling import DemagCoupling
from fem_spin.problems.llg import MagnetState, magnet_vertices, nonlinear_options, pinned_cells
from fem_spin.stepping.midpoint_rotation import MidpointRotation
from fem_spin.stepping.schemes import TimeStepper

__all__ = ["COUPLINGS", "CoupledSpinDynamics"]

log = logging.getLogger(__name__)

COUPLINGS = ("monolithic", "staggered")

#: (m, M, W) as one blocked P1 unknown where the class docstring says, its Jacobian BAIJ (the
#: same discrete problem); False: always the mixed space of three vectors (benchmarks).
BLOCKED_UNKNOWN = True


class CoupledSpinDynamics(TimeStepper):
    """Spin accumulation and magnetization, coupled (paper Sec. V).

    Args:
        mesh: DOLFINx mesh.
        materials: spin-transport :class:`fem_spin.Material` (one, or ``{cell tag: ...}``
            covering every cell), as for :class:`fem_spin.SteadySpinDiffusion`.
        magnets: :class:`Magnet` for the whole mesh or ``{cell tag: Magnet}`` (the cells
            where M is dynamic; other vertices keep ``M0``: fixed layers, spacers with M = 0).
        cell_tags, facet_tags: MeshTags.
        M0: initial magnetization (reduced; normalised in the magnets).
        B_T: external field in tesla: constant, Function/UFL or callable of the UFL time
            (the conduction spins precess about ``-gamma_e B_T + lam M``).
        m_init: initial spin accumulation (default zero).
        m_eq: equilibrium accumulation (default ``m0 M`` per transport region).
        dirichlet, flux: boundary data of m (:class:`fem_spin.Dirichlet`, :class:`fem_spin.Flux`).
        drive: ``s(t)`` multiplying the boundary data (a current pulse), default 1.
        scheme: time scheme of m (``"bdf2"``, ``"cn"``, ``"euler"``).
        coupling: ``"monolithic"`` or ``"staggered"``.
        degree: Lagrange degree of m (M is P1).
        gamma_e: gyromagnetic ratio of the conduction electrons (rad/(ps T)).
        petsc_options: merged on top of :data:`fem_spin.problems.llg.NONLINEAR_OPTIONS` and
            :data:`fem_spin.core.newton.DEFAULT_PETSC_OPTIONS` (MUMPS LU, Newton).
        demag: a :class:`fem_spin.Magnetostatics` of the device in its air: the
            demagnetizing field of the magnets (cells with ``Ms > 0``) joins the LLG's
            effective field and energy, implicit in the midpoint rule as in :class:`LLG`;
            ``mesh``, ``cell_tags``, ``facet_tags`` must be its ``submesh``,
            ``sub_cell_tags``, ``sub_facet_tags``.
        linear_solver: the monolithic Newton's linear solver: ``"direct"`` (MUMPS LU, a
            chord iteration), ``"block"`` (a field split, m by multigrid) or ``"auto"`` (block
            above ``BLOCK_MIN_DOFS`` dofs): :mod:`fem_spin.problems.coupled_solver`. The
            update test ``snes_stol`` (default ``UPDATE_TOL``) applies to each field.
        hierarchy: a :class:`fem_spin.core.linear_solvers.MeshHierarchy` whose finest mesh is
            ``mesh``: the block solver's m block by geometric multigrid on it (else GAMG).

    m of degree 1: one blocked P1 unknown (:mod:`fem_spin.core.blocked_space`): ``blocked``.
    """

    name = "coupled"

    def __init__(self, mesh, materials: Material | Mapping[int, Material],
                 magnets: Magnet | Mapping[int, Magnet], *, cell_tags=None, facet_tags=None,
                 M0, B_T=None, m_init=None, m_eq=None, dirichlet: Sequence[Dirichlet] = (),
                 flux: Sequence[Flux] = (), drive: Callable[[float], float] | None = None,
                 scheme: str = "bdf2", coupling: str = "monolithic", degree: int = 1,
                 quadrature_degree: int | None = None, gamma_e: float = GAMMA_E,
                 petsc_options: dict | None = None, B=None, demag=None,
                 linear_solver: str = "auto", hierarchy=None):
        check_no_B(B, "CoupledSpinDynamics")
        if coupling not in COUPLINGS:
            raise InputError(f"coupling must be one of {COUPLINGS}, got {coupling!r}")
        if linear_solver not in LINEAR_SOLVERS:
            raise InputError(f"linear_solver must be one of {LINEAR_SOLVERS}: {linear_solver!r}")
        if linear_solver == "block" and coupling != "monolithic":
            raise InputError("linear_solver='block' solves the monolithic step: use "
                             "coupling='monolithic', or linear_solver='direct'")
        if hierarchy is not None and (hierarchy.mesh is not mesh or degree != 1):
            raise InputError("hierarchy.mesh (its finest mesh) must be the problem's mesh, "
                             "and the multigrid needs degree = 1")
        if not (isinstance(gamma_e, int | float) and np.isfinite(gamma_e) and gamma_e > 0):
            raise InputError(f"gamma_e must be a positive number (rad/(ps T)), got {gamma_e!r}")
        self.core = core = SpinTransportCore(
            mesh, materials, cell_tags=cell_tags, facet_tags=facet_tags, dirichlet=dirichlet,
            flux=flux, degree=degree, quadrature_degree=quadrature_degree)
        self.coupling = coupling
        self.magnet = mg = MagnetState(mesh, magnets, cell_tags, M0,
                                       lam_of=self._transport_coupling, gamma_e=gamma_e)
        user = petsc_options or {}
        self.blocked = BLOCKED_UNKNOWN and degree == 1
        if self.blocked:
            V = blocked_space(mesh, 3)
            where = [(Vc, dofs) for _, Vc, dofs in field_maps(V, ("m", "M", "W"))]
            self._parts = partial(split, n_fields=3)
        else:
            V = fem.functionspace(mesh, basix.ufl.mixed_element([core.element, mg.element,
                                                                 mg.element]))
            where = [V.sub(0), V.sub(1), V.sub(2)]
            self._parts = ufl.split
        u = fem.Function(V, name="mMW")
        self._init_stepper(mesh, u, scheme, [("m", where[0], True), ("M", where[1], True),
                                             ("W", where[2], False)])
        (_, self.Vm, m_dofs), (_, V_M, M_dofs) = self.fields[0], self.fields[1]
        mg.set_space(V_M)
        if m_init is not None:
            m_start = fem.Function(self.Vm)
            m_start.interpolate(interpolable(mesh, m_init, self.Vm))
        for f in (self.u, self.u_n, self.u_nm1):
            f.x.array[M_dofs] = mg.M_pin.x.array
            if m_init is not None:
                f.x.array[m_dofs] = m_start.x.array

        self.dx, self.ds = core.dx, core.ds
        self.transport = sc = core.coefficients
        self.boundary = core.boundary_data(V if self.blocked else V.sub(0), drive)
        tc = self.tc
        self.B_s2 = time_field(mesh, B_T, tc.t_s, "B_T")  # at the S2 time
        self.B_llg = time_field(mesh, B_T, tc.t_mid, "B_T")  # at the LLG midpoint
        self.gamma_e = gamma_e
        self._m_eq_user = m_eq

        parts = self._parts
        m, M, W = parts(u)
        m_n, M_n, _ = parts(self.u_n)
        m_nm1, _, _ = parts(self.u_nm1)
        v, phi, psi = parts(ufl.TestFunction(V))
        M_theta = tc.theta * M + (1 - tc.theta) * M_n
        c = mg.c

        def s2(m_, M_s2):
            H, m_eq_ = self._field_and_equilibrium(M_s2)
            return physics.s2_residual(m_, m_n, m_nm1, v, a=(tc.a0, tc.a1, tc.a2), dt=tc.dt,
                                       theta=tc.theta, H=H, D=sc.D, tau=sc.tau, tau_A=sc.tau_A,
                                       m_eq=m_eq_, dx=self.dx,
                                       flux_terms=self.boundary.flux_terms)

        self.demag = demag
        demag_term = None
        if demag is not None:
            demag_term = self._demag_term = DemagCoupling(demag, V_M, M_dofs, mg, u, self.u_n)

        def s3(M_, W_, m_mid):
            mid = 0.5 * (M_ + M_n)
            F = (llg_residual(M_, M_n, W_, phi, dt=tc.dt, c=c, m=m_mid, dx=mg.dx)
                 + effective_field_residual(W_, mid, psi, c=c, B=self.B_llg, dx=mg.dx)
                 + pin_residual(M_, mg.M_pin, W_, phi, psi, mg.chi, mg.dx_all))
            return F if demag is None else F + demag_term.field_residual(psi)

        def with_demag(F, name):
            """NewtonSolver keywords for a residual with the LLG part (see LLG)."""
            if demag is None:
                return {"name": name}
            J = ufl.derivative(F + demag_term.jacobian_term(0.5 * (M + M_n), psi, mg.dx), u)
            return {"name": name, "J": J, "before_residual": demag_term.update_midpoint}

        bcs = self.boundary.bcs
        self._petsc_options = nonlinear_options(
            petsc_options if demag is None else {"snes_lag_jacobian": 100, "snes_max_it": 60,
                                                 **(petsc_options or {})})
        self._steady_options = nonlinear_options(  # with the field: linear convergence
            petsc_options if demag is None else {"snes_max_it": 150, **(petsc_options or {})},
            steady=True)
        common = dict(jit_options=jit_options(), log_level=logging.DEBUG,
                      matrix_kind="baij" if self.blocked else None,
                      field_update=owned_entries(u, [dofs for _, _, dofs in self.fields]))
        self._rotation = MidpointRotation(  # the step ends with |M| = 1 made exact
            lambda phi: llg_residual(M, M_n, W, phi, dt=tc.dt, c=c, m=0.5 * (m + m_n), dx=mg.dx),
            V_M, mg.dx, u, self.u_n, M_dofs, tc.dt, jit_options())
        if coupling == "monolithic":  # affine in u where M is pinned: AffineSplit
            common["affine"] = pinned_cells(V_M, mg.dx, M_dofs, (self.u_n, self.u_nm1))
            self.residual = s2(m, M_theta) + s3(M, W, 0.5 * (m + m_n))
            self.linear_solver = coupled_solver.choose(
                linear_solver, V.dofmap.index_map.size_global * V.dofmap.index_map_bs,
                demag is not None, user)
            step, self._block, self.solver_description = coupled_solver.step_solver(
                self.residual, u, bcs, kind=self.linear_solver,
                inside=lambda Vi: magnet_vertices(Vi, mg.dx).x.array > 0.5,
                options=self._petsc_options, user=user,
                kw=lambda name: with_demag(self.residual, name),
                common=common,
                hierarchy=hierarchy, wavenumber=lambda: linear_solvers.max_wavenumber(
                    mesh, self._field_and_equilibrium(M)[0], sc.D, sc.tau, sc.tau_A),
                fields=where if self.blocked else None, approximate_jacobian=demag is not None)
            self._solvers_ = [step]
        else:
            self.linear_solver, self.solver_description = "direct", "Newton + MUMPS LU"
            opts = dict(petsc_options=self._petsc_options, **common)
            # sub-step 1: S2 with the extrapolated magnetization, (M, W) held at u_star
            self.u_star = fem.Function(V, name="mMW_star")
            m_s, M_s, W_s = parts(self.u_star)
            F1 = (s2(m, M_s) + ufl.inner(M - M_s, phi) * mg.dx_all
                  + ufl.inner(W - W_s, psi) * mg.dx_all)
            # sub-step 2: LLG with m held at the S2 result
            F2 = s3(M, W, 0.5 * (m_s + m_n)) + ufl.inner(m - m_s, v) * self.dx
            self._solvers_ = [NewtonSolver(F1, u, bcs, name="staggered S2 step", **opts),
                              NewtonSolver(F2, u, bcs, **with_demag(F2, "staggered LLG step"),
                                           **opts)]
        self._steady = None

        # observables of the state at t_n
        m_o, M_o, _ = parts(self.u_n)
        self._forms = {
            "M": [fem.form(M_o[k] * mg.dx, jit_options=jit_options()) for k in range(3)],
            "torque": [fem.form(physics.sd_torque_density(M_o, m_o, c.lam_M)[k] * mg.dx,
                                jit_options=jit_options()) for k in range(3)],
            "m": [fem.form(m_o[k] * mg.dx, jit_options=jit_options()) for k in range(3)],
            "energy": fem.form(energy_density(M_o, c, self.B_llg) * mg.dx,
                               jit_options=jit_options()),
        }
        self._volume = mesh.comm.allreduce(fem.assemble_scalar(
            fem.form(fem.Constant(mesh, 1.0) * mg.dx, jit_options=jit_options())))
        log.info("coupled problem (%s, m: %s P%d, M: midpoint P1; %s): %d dofs", coupling,
                 scheme, degree, "one blocked unknown" if self.blocked else "mixed space",
                 V.dofmap.index_map.size_global * V.dofmap.index_map_bs)
        self._store_initial()

    def _transport_coupling(self, tag: int) -> float:
        """``lam`` of the transport material of magnet region ``tag`` (one material: its)."""
        materials = self.core.materials
        if len(materials) == 1:
            return next(iter(materials.values())).lam
        if tag not in materials:
            raise InputError(f"magnet region {tag} has no transport material: give it one in "
                             f"materials (its tags are {sorted(materials)})")
        return materials[tag].lam

    def set_drive(self, drive: Callable[[float], float] | None) -> None:
        """Replace the drive ``s(t)`` of the boundary data (e.g. between runs of a sweep)."""
        self.boundary.drive = check_drive(drive)

    def _field_and_equilibrium(self, M):
        """``H = -gamma_e B + lambda M`` and ``m_eq`` (default ``m0 M``) for a magnetization M."""
        sc = self.transport
        H = sc.lam * M
        if self.B_s2 is not None:
            H = -self.gamma_e * self.B_s2 + H
        if self._m_eq_user is None:
            m_eq = self.core.default_equilibrium(M)
        else:
            m_eq = time_field(self.mesh, self._m_eq_user, self.tc.t_s, "m_eq")
        return H, m_eq

    # -- stepping ---------------------------------------------------------------------------
    def _prepare(self, t: float, dt: float) -> None:
        self.boundary.update(t + dt, float(self.tc.t_s.value))

    def _solve(self) -> tuple[int, int]:
        if self.coupling == "monolithic":
            info = self._solvers_[0].solve()
            self._rotation.apply()
            return info.newton_iterations, info.linear_iterations
        # staggered: M extrapolated to the S2 time, then the LLG with the new m
        theta = float(self.tc.theta.value)
        w = 0.0 if self.dt_prev is None else float(self.tc.dt.value) / self.dt_prev
        un, unm1 = self.u_n.x.array, self.u_nm1.x.array
        self.u_star.x.array[:] = un + theta * w * (un - unm1)
        self.u.x.array[:] = self.u_star.x.array
        i1 = self._solvers_[0].solve()
        self.u_star.x.array[:] = self.u.x.array
        i2 = self._solvers_[1].solve()
        self._rotation.apply()
        return (i1.newton_iterations + i2.newton_iterations,
                i1.linear_iterations + i2.linear_iterations)

    def _solvers(self) -> list:
        return [*self._solvers_, self._steady, getattr(self, "_block", None)]

    # -- steady state -------------------------------------------------------------------------
    def solve_steady(self, t: float | None = None):
        """The steady self-consistent state (Sec. V): S1 with ``H(M)``, zero torque on M and
        |M| = 1 at the magnet vertices, solved with Newton from the current state (a good
        initial guess is needed: e.g. a short damped run). The result becomes the state.

        Args:
            t: time at which time-dependent data are evaluated (default ``self.t``).
        """
        self._check_open()
        t = self.t if t is None else float(t)
        self.tc.t_s.value = self.tc.t_mid.value = t
        self.boundary.update(t, t)
        mg, sc = self.magnet, self.transport
        if self._steady is None:
            V = self.u.function_space
            m, M, W = self._parts(self.u)
            v, phi, psi = self._parts(ufl.TestFunction(V))
            H, m_eq = self._field_and_equilibrium(M)
            F = (physics.s1_residual(m, v, H=H, D=sc.D, tau=sc.tau, tau_A=sc.tau_A, m_eq=m_eq,
                                     dx=self.dx, flux_terms=self.boundary.flux_terms)
                 + steady_llg_residual(M, W, phi, c=mg.c, m=m, dx=mg.dx)
                 + effective_field_residual(W, M, psi, c=mg.c, B=self.B_llg, dx=mg.dx)
                 + pin_residual(M, mg.M_pin, W, phi, psi, mg.chi, mg.dx_all))
            hook = J = None
            if self.demag is not None:
                F, hook, J = self._demag_term.steady(F, M, psi, mg.dx, self.u)
            self._steady = NewtonSolver(F, self.u, self.boundary.bcs,
                                        petsc_options=self._steady_options,
                                        jit_options=jit_options(), name="steady coupled",
                                        before_residual=hook, J=J)
        return self._solve_as_state(self._steady)

    # -- observables --------------------------------------------------------------------------
    def _vector(self, key: str) -> np.ndarray:
        return np.array([self.comm.allreduce(fem.assemble_scalar(f)) for f in self._forms[key]])

    def average_M(self) -> np.ndarray:
        """Volume average of M over the magnets (lumped; global)."""
        return self._vector("M") / self._volume

    def average_m(self) -> np.ndarray:
        """Volume average of the spin accumulation over the magnets (global)."""
        return self._vector("m") / self._volume

    def torque(self) -> np.ndarray:
        """s-d torque on the magnets, ``int lam_M M x m`` (rad/ps nm^3; divide by the magnet
        volume for the rate of change of the average M), global."""
        return self._vector("torque")

    def energy(self) -> float:
        """Micromagnetic energy (aJ) of M at t_n (without the s-d term; the magnetostatic
        energy included with ``demag``; global)."""
        e = 1e-9 * self.comm.allreduce(fem.assemble_scalar(self._forms["energy"]))
        if self.demag is not None:
            e += self.demag.energy(self._sub_array("M"))
        return e

    def norm_drift(self) -> float:
        """``max | |M(z)| - 1 |`` over the magnet vertices (global)."""
        return self.magnet.norm_drift(self._sub_array("M"), self.comm)

    @property
    def magnet_volume(self) -> float:
        """Volume of the magnets (nm^3; nm in 1D)."""
        return self._volume

    def observe(self) -> dict[str, float]:
        M, T, m = self.average_M(), self.torque() / self._volume, self.average_m()
        return {"Mx": M[0], "My": M[1], "Mz": M[2], "torque_x": T[0], "torque_y": T[1],
                "torque_z": T[2], "mx": m[0], "my": m[1], "mz": m[2],
                "energy_aJ": self.energy(), "norm_drift": self.norm_drift()}

    def output_functions(self) -> list[fem.Function]:
        if not hasattr(self, "_out"):
            self._out = {name: fem.Function(Vc, name=name) for name, Vc, _ in self.fields[:2]}
        for name, f in self._out.items():
            f.x.array[:] = self._sub_array(name)
        return list(self._out.values())
