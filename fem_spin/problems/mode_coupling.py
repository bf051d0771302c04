"""Spin waves coupled to the spin accumulation: the coupled S1/S2 + LLG problem
(:class:`fem_spin.CoupledSpinDynamics`) linearized about its steady state.

With ``N(m, M)`` the steady S1 residual (``H = -gamma_e B + lam M``, ``m_eq = m0 M``; the flux
data do not depend on m or M), a mode ``(dM, dm) ~ exp(s t)`` obeys

    s W (I - alpha J) y = J R^T S R y + J R^T T dm          (fem_spin.problems.modes)
    s Mm dm             = -N_m dm - N_M R y                   (Mm: S2's mass; 0: quasi-static)

``N_m``, ``N_M`` the derivatives of ``N`` (UFL ``derivative``) at ``(m_s, M_s)``, ``dm = 0`` on
the Dirichlet boundaries of m, ``T dm = (lam_M dm, v)_h``. The static part of the s-d torque
(``lam_M dM x m_s``) is in the precession field ``f0`` of ``S``. The quasi-static pencil
(``dynamic=False``) lets the accumulation follow M instantly (its response time ``tau`` is far
below a precession period); ``dynamic=True`` keeps S2's own relaxation and precession, which
adds the accumulation's (heavily damped) modes to the spectrum. The quasi-static form is
accurate only where ``lam_M m_s`` is small against the precession field: the static torques
cancel, so its small error in ``dm`` shifts frequency and damping at first order
(tests/verification/test_mode_coupling.py); :func:`coupled_modes` is dynamic by default.
"""

from __future__ import annotations

import dolfinx.fem as fem
import dolfinx.fem.petsc as fem_petsc
import ufl

from fem_spin import physics
from fem_spin.core.fields import jit_options
from fem_spin.physics.spin_waves import sd_torque_linear
from fem_spin.problems.mode_demag import DemagModeCoupling
from fem_spin.problems.modes import SpinWaveModes

__all__ = ["AccumulationCoupling", "coupled_modes"]


class AccumulationCoupling:
    """The ``dm`` block of the pencil from a :class:`CoupledSpinDynamics` at its steady state
    (call its ``solve_steady`` first)."""

    def __init__(self, coupled, dynamic: bool = False):
        self.coupled, self.dynamic = coupled, dynamic
        core = coupled.core
        self.Vm = fem.functionspace(coupled.mesh, core.element)
        self.m_s = fem.Function(self.Vm, name="m_s")
        self.m_s.interpolate(coupled.field("m"))
        self.bcs = core.boundary_data(self.Vm).bcs

    def blocks(self, modes: SpinWaveModes):
        """The ``dm`` blocks of the pencil of ``modes``: ``(A_ym, A_my, A_mm, B_mm)``
        (:func:`fem_spin.problems.modes.augment`)."""
        cp, tg, jit = self.coupled, modes.tangent, jit_options()
        sc = cp.transport
        m = fem.Function(self.Vm)
        m.x.array[:] = self.m_s.x.array
        M = fem.Function(modes.V)
        M.x.array[:] = modes.M0.x.array
        v = ufl.TestFunction(self.Vm)
        H, m_eq = cp._field_and_equilibrium(M)
        N = physics.s1_residual(m, v, H=H, D=sc.D, tau=sc.tau, tau_A=sc.tau_A, m_eq=m_eq,
                                dx=cp.dx)
        dm, dM = ufl.TrialFunction(self.Vm), ufl.TrialFunction(modes.V)

        def matrix(form, bcs, diag=1.0):
            K = fem_petsc.assemble_matrix(fem.form(form, jit_options=jit), bcs=bcs, diag=diag)
            K.assemble()
            return K

        N_m = matrix(ufl.derivative(N, m, dm), self.bcs)
        N_M = matrix(ufl.derivative(N, M, dM), self.bcs)
        T = matrix(sd_torque_linear(dm, ufl.TestFunction(modes.V), c=modes.magnet.c,
                                    dx=modes.magnet.dx), self.bcs)
        A_ym = tg.Q.transposeMatMult(T)
        A_my = N_M.matMult(tg.R)
        A_my.scale(-1.0)
        N_m.scale(-1.0)
        if self.dynamic:
            B_mm = matrix(ufl.inner(dm, v) * cp.dx, self.bcs, diag=0.0)
        else:
            B_mm = N_m.duplicate()
            B_mm.zeroEntries()
        for K in (N_M, T):
            K.destroy()
        return A_ym, A_my, N_m, B_mm


def coupled_modes(coupled, *, dynamic: bool = True, equilibrium_tol: float = 1e-6
                  ) -> SpinWaveModes:
    """The spin-wave modes of a :class:`CoupledSpinDynamics` about its current (steady)
    state, with the accumulation's response (quasi-static, or ``dynamic``) and, if the
    problem has one, its magnetostatic field (:class:`~fem_spin.problems.mode_demag.
    DemagModeCoupling`)."""
    mg = coupled.magnet
    M_s = coupled.field("M")
    coupling = AccumulationCoupling(coupled, dynamic=dynamic)
    couplings = [coupling] if coupled.demag is None else [coupling,
                                                          DemagModeCoupling(coupled.demag)]
    B_T = coupled.B_llg
    magnets = mg.magnets if mg.cell_tags is not None else mg.magnets[0]
    return SpinWaveModes(coupled.mesh, magnets, cell_tags=mg.cell_tags, M0=M_s, B_T=B_T,
                         m0=coupling.m_s, coupling=couplings, equilibrium_tol=equilibrium_tol)
