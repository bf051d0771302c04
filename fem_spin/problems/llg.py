"""S3: the Landau-Lifshitz-Gilbert equation for the magnetization (paper Eq. 77-79, Eq. 12).

Strong form (units of :class:`~fem_spin.parameters.magnet.Magnet`: T, rad/ps, nm, ps)::

    d_t M = -gamma M x B_eff + alpha M x d_t M + lam_M M x m,       |M| = 1
    B_eff = C_ex lap M + B_K (M.e_u) e_u - B_D (M.n) n + B(t, x)

with ``C_ex = 2 A_ex / Ms`` (T nm^2), ``B_K = 2 K_u / Ms``, ``B_D = K_d / Ms`` (T; the hard-axis
term of Eq. 12), free boundaries ``d_n M = 0``, and the s-d torque from the spin accumulation.

Discretisation (Bartels & Prohl, SIAM J. Numer. Anal. 44 (2006) 1405): P1 for ``M`` and for
an auxiliary field ``W`` (the effective field), every term integrated with the vertex
quadrature rule (mass lumping), and the implicit midpoint rule ``M_mid = (M + M_n)/2``::

    (W, psi)_h + C_ex (grad M_mid, grad psi)
        - (B_K (M_mid.e_u) e_u - B_D (M_mid.n) n + B, psi)_h = 0
    ((M - M_n)/dt + gamma M_mid x W - alpha M_mid x (M - M_n)/dt - lam_M M_mid x m_mid, phi)_h = 0

With the vertex rule the second equation holds at every vertex z, and every term but the first
is ``M_mid(z) x (...)``: dotting with ``M_mid(z)`` gives ``|M(z)|^2 = |M_n(z)|^2`` exactly (up to
the Newton tolerance). Without the s-d torque and for a time-independent ``B`` the discrete
energy obeys ``E(M) - E(M_n) = -(alpha / gamma) Ms dt ||(M - M_n)/dt||_h^2``: it decreases
monotonically with damping, and is conserved without. Order 2 in time.

Regions: the equation is solved on the cells of the magnets given; every other vertex keeps
its initial magnetization (a pinned layer, or M = 0 in a non-magnetic spacer) through the
vertex-wise identity ``(1 - chi)(M - M_pin) = 0``, ``(1 - chi) W = 0`` (``chi`` = 1 on the
vertices of magnet cells): the exchange term of a magnet integrates over its own cells, which
is the free boundary condition on its surfaces and interfaces.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from dataclasses import replace

import basix.ufl
import dolfinx.fem as fem
import numpy as np
import ufl
from dolfinx import la
from mpi4py import MPI

from fem_spin.core.affine_split import AffineCells
from fem_spin.core.fields import check_no_B, interpolable, jit_options, time_field
from fem_spin.core.measures import vertex_measure
from fem_spin.core.newton import NewtonSolver
from fem_spin.core.regions import MagnetCoefficients, as_magnets
from fem_spin.errors import InputError
from fem_spin.parameters.magnet import GAMMA_E, Magnet
from fem_spin.physics.magnetization import (
    conserving_torque_coupling,
    effective_field_residual,
    energy_density,
    llg_residual,
    pin_residual,
    steady_llg_residual,
    zhang_li_torque,
)
from fem_spin.problems.demag_coupling import DemagCoupling
from fem_spin.problems.llg_solver import w_schur_solver
from fem_spin.stepping.schemes import TimeStepper

__all__ = ["LLG", "MagnetState", "SpinConservationWarning", "magnet_vertices",
           "nonlinear_options", "spin_conserving_magnets"]

log = logging.getLogger(__name__)

NONLINEAR_OPTIONS = {"snes_linesearch_type": "bt", "snes_rtol": 1e-12, "snes_stol": 1e-10}
"""Defaults of the nonlinear (LLG, coupled) solvers, under the user's petsc_options: a
backtracking line search keeps Newton converging for steps well beyond the precession period
of the stiffest (exchange) modes, where the full Newton step can diverge; the iteration stops
when the residual fell by 1e-12 or the Newton update is below 1e-10 of the solution (Newton
converges quadratically: the next update would be ~1e-20), so |M| is kept to round-off
without asking the residual to fall below its round-off floor."""


STEADY_OPTIONS = {"snes_linesearch_type": "basic"}
"""Steady (time-independent) solves start from a good guess: full Newton steps, so that the
update test ends the iteration once the residual reaches its round-off floor (a line search
fails there)."""


def nonlinear_options(petsc_options: dict | None, steady: bool = False) -> dict:
    """:data:`NONLINEAR_OPTIONS` (and :data:`STEADY_OPTIONS`) updated with the user's."""
    return {**NONLINEAR_OPTIONS, **(STEADY_OPTIONS if steady else {}), **(petsc_options or {})}


# -- pure UFL -----------------------------------------------------------------------------------


def magnet_vertices(V, dx_magnets) -> fem.Function:
    """Indicator ``chi`` in the P1 vector space ``V`` (all three components equal): 1 at the
    vertices of magnet cells, 0 elsewhere (parallel-safe: the vertex weights are assembled
    and summed over ranks). Use ``chi[0]`` in forms."""
    psi = ufl.TestFunction(V)
    w = fem.assemble_vector(fem.form((psi[0] + psi[1] + psi[2]) * dx_magnets,
                                     jit_options=jit_options()))
    w.scatter_reverse(la.InsertMode.add)
    chi = fem.Function(V, name="chi")
    chi.x.array[:] = (w.array > 0).astype(float)
    chi.x.scatter_forward()
    return chi


def pinned_cells(V, dx_magnets, dofs, history) -> AffineCells:
    """The owned cells of ``V``'s mesh none of whose vertices is a vertex of a magnet cell
    (:func:`magnet_vertices`): there M is pinned, so the coupled residual is affine in the
    unknown (:class:`~fem_spin.core.affine_split.AffineCells`). ``dofs``: M's dofs in the
    unknown (for each dof of ``V``), whose owned ones outside the magnets are held;
    ``history``: the unknown's history Functions (``u_n``, ...)."""
    dynamic = magnet_vertices(V, dx_magnets).x.array > 0.5
    owned = V.mesh.topology.index_map(V.mesh.topology.dim).size_local
    cells = np.flatnonzero(~dynamic.reshape(-1, 3)[:, 0][V.dofmap.list[:owned]].any(axis=1))
    index_map = history[0].function_space.dofmap.index_map
    held = np.asarray(dofs)[~dynamic]
    held = held[held < index_map.size_local * history[0].function_space.dofmap.index_map_bs]
    return AffineCells(cells.astype(np.int32), tuple(history), held)


class SpinConservationWarning(UserWarning):
    """A magnet's ``lam_M`` overrides the spin-conserving torque coupling."""


def spin_conserving_magnets(magnets: Mapping[int, Magnet], lam_of, gamma_e: float
                            ) -> dict[int, Magnet]:
    """The magnets with ``lam_M`` derived where it is None: ``-lam gamma / (gamma_e Ms)``
    (:func:`~fem_spin.physics.magnetization.conserving_torque_coupling`) with ``lam =
    lam_of(tag)`` the s-d coupling of the accumulation acting on that magnet region, so that
    the exchange conserves the total spin; ``lam_of(tag)`` None: no accumulation acts (a left-out
    ``lam_M`` is 0). A given ``lam_M`` that differs from the derived one is kept, with a
    :class:`SpinConservationWarning`."""
    out = {}
    for tag, mag in magnets.items():
        lam = lam_of(tag)
        if lam is None:
            out[tag] = replace(mag, lam_M=0.0) if mag.lam_M is None else mag
            continue
        derived = conserving_torque_coupling(lam, mag.gamma, mag.Ms, gamma_e)
        if mag.lam_M is None:
            out[tag] = replace(mag, lam_M=derived)
            continue
        if not np.isclose(mag.lam_M, derived, rtol=1e-12, atol=0.0):
            msg = (f"Magnet.lam_M = {mag.lam_M:g} rad/ps per A/m (region {tag}) overrides the "
                   f"spin-conserving coupling -lam gamma/(gamma_e Ms) = {derived:.6g}: the "
                   "total spin of the accumulation and the magnetization is not conserved "
                   "(leave lam_M out to derive it)")
            log.warning(msg)
            warnings.warn(msg, SpinConservationWarning, stacklevel=5)
        out[tag] = mag
    return out


class MagnetState:
    """The (M, W) part shared by :class:`LLG` and the coupled solver: coefficients, measures,
    the magnet-vertex indicator and the initial (= pinned) magnetization, normalised at the
    magnet vertices, in the P1 vector space ``V_M`` of M (a collapsed sub-space).
    """

    def __init__(self, mesh, magnets, cell_tags, M0, lam_of, gamma_e: float = GAMMA_E):
        by_tag, self.cell_tags = as_magnets(magnets, cell_tags)
        self.magnets = spin_conserving_magnets(by_tag, lam_of, gamma_e)
        if M0 is None:
            raise InputError("the initial magnetization M0 is required")
        self.M0 = M0
        self.c = MagnetCoefficients(mesh, self.magnets, self.cell_tags)
        dxv = vertex_measure(mesh, self.cell_tags)
        self.dx_all = vertex_measure(mesh)
        self.dx = dxv if self.c.tags is None else dxv(self.c.tags)
        self.element = basix.ufl.element("Lagrange", mesh.basix_cell(), 1, shape=(3,))

    def set_space(self, V_M: fem.FunctionSpace) -> None:
        """Build ``chi`` and ``M_pin`` in ``V_M`` (the collapsed space of M)."""
        mesh = V_M.mesh
        self.chi_vec = magnet_vertices(V_M, self.dx)
        self.chi = self.chi_vec[0]
        self.M_pin = fem.Function(V_M, name="M_pin")
        self.M_pin.interpolate(interpolable(mesh, self.M0, V_M))
        values = self.M_pin.x.array.reshape(-1, 3)
        inside = self.inside
        norms = np.linalg.norm(values[inside], axis=1)
        if mesh.comm.allreduce(bool(np.any(norms < 1e-12)), op=MPI.LOR):
            raise InputError("the initial magnetization vanishes at a vertex of a magnet: "
                             "it must have a direction (|M| > 0) everywhere in the magnets")
        values[inside] /= norms[:, None]
        self.M_pin.x.scatter_forward()

    @property
    def inside(self) -> np.ndarray:
        """Mask of the (local) nodes of ``V_M`` that belong to a magnet."""
        return self.chi_vec.x.array[0::3] > 0.5

    def norm_drift(self, M_values: np.ndarray, comm) -> float:
        """``max | |M(z)| - 1 |`` over the magnet vertices (global)."""
        values = M_values.reshape(-1, 3)[self.inside]
        local = float(np.max(np.abs(np.linalg.norm(values, axis=1) - 1))) if len(values) else 0.0
        return comm.allreduce(local, op=MPI.MAX)


class LLG(TimeStepper):
    """Magnetization dynamics (S3) with the midpoint rule; |M| = 1 at every magnet vertex.

    Args:
        mesh: DOLFINx mesh (1D, 2D, 3D or a 1D ring).
        magnets: one :class:`Magnet` for the whole mesh, or ``{cell tag: Magnet}``; the other
            cells are not magnetic and their vertices keep ``M0`` (pinned).
        cell_tags: cell MeshTags (needed with a dict of magnets).
        M0: initial magnetization (callable ``x -> (3, N)``, constant, Function or UFL);
            normalised at the magnet vertices.
        B_T: external field in tesla: constant, Function/UFL, or a callable of the UFL time
            (evaluated at the midpoint ``t_n + dt/2``).
        m: spin accumulation (A/m) exerting the torque ``lam_M M x m`` (Function, UFL or a
            callable of the UFL time; evaluated at the midpoint), None for none.
        lam: the s-d coupling of the conduction electrons (rad/ps, ``Material.lam``): a
            magnet's ``lam_M`` left None is derived from it so that spin is conserved
            (:func:`fem_spin.physics.magnetization.conserving_torque_coupling`); needed when
            ``m`` is given and a magnet has no ``lam_M``.
        petsc_options: merged on top of :data:`fem_spin.problems.llg.NONLINEAR_OPTIONS` and
            :data:`fem_spin.core.newton.DEFAULT_PETSC_OPTIONS` (MUMPS LU, Newton).
        demag: a :class:`fem_spin.problems.magnetostatics.Magnetostatics` of the magnets in
            their air: the demagnetizing field ``B_d = -mu0 grad u`` joins ``B_eff`` and
            its energy the energy; ``mesh`` and ``cell_tags`` must be its ``submesh`` and
            ``sub_cell_tags``. The field is implicit (``u`` the potential of ``M_mid`` at
            every Newton iterate, see :mod:`fem_spin.problems.demag_coupling`; the Jacobian
            is then kept for the whole step, ``snes_lag_jacobian``, unless the user's options
            say otherwise).
        zhang_li: ``(u, xi)``: the Zhang-Li torque of a current through the texture
            (:func:`fem_spin.physics.magnetization.zhang_li_torque`) with the drift velocity
            ``u`` (nm/ps; a constant 3-vector or a callable of the UFL time, e.g. from
            :func:`~fem_spin.physics.magnetization.zhang_li_velocity`) and ``xi``.
    """

    name = "LLG"

    def __init__(self, mesh, magnets, *, cell_tags=None, M0, B_T=None, m=None, lam=None,
                 petsc_options: dict | None = None, B=None, demag=None, zhang_li=None):
        check_no_B(B, "LLG")
        if m is not None and lam is None and any(
                mag.lam_M is None for mag in as_magnets(magnets, cell_tags)[0].values()):
            raise InputError("the torque of the given spin accumulation m needs each "
                             "Magnet's lam_M (rad/ps per A/m), or the transport coupling "
                             "lam=... (rad/ps) to derive the spin-conserving one")
        self.magnet = mg = MagnetState(mesh, magnets, cell_tags, M0,
                                       lam_of=lambda tag: None if m is None else lam)
        V = fem.functionspace(mesh, basix.ufl.mixed_element([mg.element, mg.element]))
        u = fem.Function(V, name="MW")
        self._init_stepper(mesh, u, "midpoint", [("M", V.sub(0), True), ("W", V.sub(1), False)])
        _, V_M, M_dofs = self.fields[0]
        mg.set_space(V_M)
        for f in (self.u, self.u_n, self.u_nm1):
            f.x.array[M_dofs] = mg.M_pin.x.array
        tc = self.tc
        self.B_T = time_field(mesh, B_T, tc.t_mid, "B_T")
        self.m = time_field(mesh, m, tc.t_mid, "m")
        M, W = ufl.split(u)
        M_n, _ = ufl.split(self.u_n)
        phi, psi = ufl.TestFunctions(V)
        M_mid = 0.5 * (M + M_n)
        c = mg.c
        self.demag = demag
        self._demag_term = None
        if demag is not None:
            self._demag_term = DemagCoupling(demag, V_M, M_dofs, mg, self.u, self.u_n)
        torque = None
        if zhang_li is not None:
            try:
                u_zl, xi = zhang_li
                xi = float(xi)
            except (TypeError, ValueError):
                raise InputError(f"zhang_li must be (u, xi): the drift velocity (nm/ps) and "
                                 f"the non-adiabaticity, got {zhang_li!r}") from None
            self.zhang_li_u = time_field(mesh, u_zl, tc.t_mid, "zhang_li u")
            torque = zhang_li_torque(M_mid, self.zhang_li_u, xi)
        self.residual = (
            llg_residual(M, M_n, W, phi, dt=tc.dt, c=c, m=self.m, dx=mg.dx, torque=torque)
            + effective_field_residual(W, M_mid, psi, c=c, B=self.B_T, dx=mg.dx)
            + pin_residual(M, mg.M_pin, W, phi, psi, mg.chi, mg.dx_all))
        J = None
        if demag is not None:
            self.residual += self._demag_term.field_residual(psi)
            J = ufl.derivative(self.residual + self._demag_term.jacobian_term(
                M_mid, psi, mg.dx), u)
        self._petsc_options = nonlinear_options(
            petsc_options if demag is None else {"snes_lag_jacobian": 100, "snes_max_it": 60,
                                              **(petsc_options or {})})
        self._steady_options = nonlinear_options(petsc_options, steady=True)
        self._solver = NewtonSolver(
            self.residual, u, [], jit_options=jit_options(), name="LLG step",
            log_level=logging.DEBUG, J=J,
            before_residual=None if demag is None else self._demag_term.update_midpoint,
            **w_schur_solver(V, [(Vc, dofs) for _, Vc, dofs in self.fields],
                             self._petsc_options, petsc_options))
        self._steady = None
        # energy and averages of the state at t_n (field at t_mid of the last step)
        Mn = self.u_n.sub(0)
        self._energy = fem.form(energy_density(Mn, c, self.B_T) * mg.dx,
                                jit_options=jit_options())
        self._average = [fem.form(Mn[k] * mg.dx, jit_options=jit_options()) for k in range(3)]
        self._volume = mesh.comm.allreduce(
            fem.assemble_scalar(fem.form(fem.Constant(mesh, 1.0) * mg.dx,
                                         jit_options=jit_options())))
        n_owned = V_M.dofmap.index_map.size_local
        log.info("LLG problem: %d magnet vertices, %d dofs",
                 mesh.comm.allreduce(int(np.count_nonzero(mg.inside[:n_owned]))),
                 V.dofmap.index_map.size_global * V.dofmap.index_map_bs)
        self._store_initial()

    @property
    def M(self) -> fem.Function:
        """The magnetization at ``self.t`` (a new Function in the P1 vector space)."""
        return self.field("M")

    def _solve(self) -> tuple[int, int]:
        info = self._solver.solve()
        return info.newton_iterations, info.linear_iterations

    def _solvers(self) -> list:
        return [self._solver, self._steady]

    # -- observables ------------------------------------------------------------------------
    def energy(self) -> float:
        """Micromagnetic energy of the state at t_n in aJ (1e-18 J), with B at the last
        step's midpoint time, the magnetostatic energy included (global)."""
        e = 1e-9 * self.comm.allreduce(fem.assemble_scalar(self._energy))
        if self.demag is not None:
            e += self.demag.energy(self._sub_array("M"))
        return e

    def average_M(self) -> np.ndarray:
        """Volume average of M over the magnets (lumped, global)."""
        return np.array([self.comm.allreduce(fem.assemble_scalar(f)) for f in self._average]
                        ) / self._volume

    def norm_drift(self) -> float:
        """``max | |M(z)| - 1 |`` over the magnet vertices at t_n (global)."""
        return self.magnet.norm_drift(self._sub_array("M"), self.comm)

    def observe(self) -> dict[str, float]:
        Mx, My, Mz = self.average_M()
        return {"Mx": Mx, "My": My, "Mz": Mz, "energy_aJ": self.energy(),
                "norm_drift": self.norm_drift()}

    def output_functions(self) -> list[fem.Function]:
        if not hasattr(self, "_out"):
            self._out = fem.Function(self.fields[0][1], name="M")
        self._out.x.array[:] = self._sub_array("M")
        return [self._out]

    # -- steady state -----------------------------------------------------------------------
    def solve_steady(self, t: float | None = None):
        """Solve the time-independent LLG (zero torque, |M| = 1 at magnet vertices) with
        Newton from the current state; the result becomes the state (history reset).

        Args:
            t: the time at which time-dependent data are evaluated (default ``self.t``).
        Returns:
            :class:`fem_spin.SolveInfo`.
        """
        self._check_open()
        mg = self.magnet
        t = self.t if t is None else float(t)
        self.tc.t_mid.value = t
        if self._steady is None:
            V = self.u.function_space
            M, W = ufl.split(self.u)
            phi, psi = ufl.TestFunctions(V)
            F = (steady_llg_residual(M, W, phi, c=mg.c, m=self.m, dx=mg.dx)
                 + effective_field_residual(W, M, psi, c=mg.c, B=self.B_T, dx=mg.dx)
                 + pin_residual(M, mg.M_pin, W, phi, psi, mg.chi, mg.dx_all))
            hook = J = None
            if self.demag is not None:
                F, hook, J = self._demag_term.steady(F, M, psi, mg.dx, self.u)
            self._steady = NewtonSolver(F, self.u, [], petsc_options=self._steady_options,
                                        jit_options=jit_options(), name="steady LLG",
                                        before_residual=hook, J=J)
        return self._solve_as_state(self._steady)
