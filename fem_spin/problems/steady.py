"""The steady generalized spin-diffusion problem S1 (paper Eq. 71-75) on a DOLFINx mesh."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence

import dolfinx.fem as fem
import numpy as np
import ufl
from mpi4py import MPI

from fem_spin import physics
from fem_spin.core import linear_solvers
from fem_spin.core.cell_average import CellAverage, affine_simplex
from fem_spin.core.diffusion_kernel import diffusion_form
from fem_spin.core.fields import (
    as_vector_field,
    check_no_B,
    external_precession,
    interpolate,
    jit_options,
)
from fem_spin.core.linear_residual import LinearResidual
from fem_spin.core.newton import NewtonSolver, SolveInfo
from fem_spin.core.problem import SpinTransportCore
from fem_spin.errors import InputError
from fem_spin.parameters import GAMMA_E, Dirichlet, Flux, Material

__all__ = ["AVERAGE_TENSOR", "DIFFUSION_KERNEL", "LINEAR_RESIDUAL", "CoercivityWarning",
           "SteadySpinDiffusion", "UndrivenWarning"]

log = logging.getLogger(__name__)

#: ``tensor="quadrature"`` with P1 on affine simplices assembles the diffusion term from the
#: quadrature-rule average of ``Dt`` per cell (:mod:`fem_spin.core.cell_average`): the same
#: matrix to round-off, 2x cheaper; False: ``Dt`` evaluated in the kernel (benchmarks).
AVERAGE_TENSOR = True

#: With a single linear solve (``snes_type ksponly``: the iterative paths) the residual from
#: the assembled matrix, ``F = A m - b`` (:mod:`fem_spin.core.linear_residual`: the same to
#: round-off, no residual-form assembly); False: the residual form (benchmarks). Newton (the
#: direct path) keeps the form: its convergence test needs the form's round-off level.
LINEAR_RESIDUAL = True

#: With the per-cell ``Dt`` and ``A m - b``, ``A`` assembled by one kernel per cell made of
#: FFCx's kernel of the local terms and :mod:`fem_spin.core.diffusion_kernel`'s diffusion
#: term (the same matrix to round-off, 1.6x cheaper on tetrahedra); False: FFCx's kernel of
#: the whole form (benchmarks).
DIFFUSION_KERNEL = True


class CoercivityWarning(UserWarning):
    """The symmetric part of the diffusion tensor is not positive definite somewhere."""


class UndrivenWarning(UserWarning):
    """Nothing drives the spin accumulation: the solution is m = 0."""


class SteadySpinDiffusion:
    """Steady spin accumulation ``m`` solving S1 with a local field ``H = B + lambda M``.

    Args:
        mesh: a DOLFINx mesh (1D, 2D or 3D; ``m`` always has 3 spin components).
        materials: one :class:`Material` for the whole mesh, or ``{cell tag: Material}``
            covering every cell of ``cell_tags``.
        cell_tags, facet_tags: DOLFINx MeshTags (facet tags are needed for boundary data).
        M: reduced magnetization (Function, UFL 3-vector or constant), ``None`` for zero.
        B_T: external field in tesla (same kinds): the conduction spins precess about
            ``H = -gamma_e B_T + lam M``; or
        H_ext: the external precession vector in rad/ps instead (the paper's frequency units;
            ``H = H_ext + lam M``); ``None`` for none.
        m_eq: equilibrium accumulation; default ``m0 * M`` per region (zero without M).
        dirichlet: :class:`Dirichlet` data (per component) on tagged facets.
        flux: :class:`Flux` data (injected spin current) on tagged facets.
        degree: Lagrange degree of ``m``.
        quadrature_degree: default ``2 * degree + 1`` (set it explicitly: the rational
            coefficient ``A^{-1}(H)`` would otherwise drive UFL's estimate up).
        petsc_options: merged on top of the chosen solver configuration (the user's win).
        solver: ``"auto"`` (MUMPS up to :data:`fem_spin.core.linear_solvers.DIRECT_MAX_DOFS`
            dofs, the iterative path above), ``"direct"`` (MUMPS) or ``"iterative"`` (geometric
            multigrid on ``hierarchy``; algebraic GAMG without one, for weak coupling only).
        hierarchy: a :class:`fem_spin.core.linear_solvers.MeshHierarchy` whose finest mesh is
            ``mesh`` (from :func:`fem_spin.core.linear_solvers.refine_hierarchy`): enables the
            scalable multigrid solver.
        gamma_e: gyromagnetic ratio of the conduction electrons (rad/(ps T)).
        tensor: ``"quadrature"`` (default): ``Dt(H)`` at every quadrature point (for P1 on
            affine simplices assembled from its quadrature-rule average per cell, the same
            matrix to round-off: :data:`AVERAGE_TENSOR`); ``"cell"`` (P1 only): ``Dt`` at the
            cell midpoints (refreshed at each solve) and the diffusion term integrated with
            one point, exact for it: a consistent O(h^2) change of the coefficient
            (docs/solver-design.md; the rates are verified in tests/verification/test_mms.py).
        B: removed (it was the precession vector in rad/ps): raises an InputError that says
            what to pass instead.
    """

    def __init__(
        self,
        mesh,
        materials: Material | Mapping[int, Material],
        *,
        cell_tags=None,
        facet_tags=None,
        M=None,
        B_T=None,
        H_ext=None,
        m_eq=None,
        dirichlet: Sequence[Dirichlet] = (),
        flux: Sequence[Flux] = (),
        degree: int = 1,
        quadrature_degree: int | None = None,
        petsc_options: dict | None = None,
        solver: str = "auto",
        hierarchy: linear_solvers.MeshHierarchy | None = None,
        gamma_e: float = GAMMA_E,
        tensor: str = "quadrature",
        B=None,
    ):
        check_no_B(B, "SteadySpinDiffusion")
        if tensor not in ("quadrature", "cell") or (tensor == "cell" and degree != 1):
            raise InputError("tensor must be 'quadrature' or, for degree 1, 'cell'; got "
                             f"{tensor!r} with degree {degree}")
        core = SpinTransportCore(mesh, materials, cell_tags=cell_tags, facet_tags=facet_tags,
                                 dirichlet=dirichlet, flux=flux, degree=degree,
                                 quadrature_degree=quadrature_degree)
        if solver not in ("auto", "direct", "iterative"):
            raise InputError(f"solver must be 'auto', 'direct' or 'iterative', got {solver!r}")
        if hierarchy is not None:
            if not isinstance(hierarchy, linear_solvers.MeshHierarchy):
                raise InputError("hierarchy must be a fem_spin.core.linear_solvers.MeshHierarchy "
                                 f"(from refine_hierarchy), got {hierarchy!r}")
            if hierarchy.mesh is not mesh:
                raise InputError("hierarchy.mesh (its finest mesh) must be the problem's mesh: "
                                 "build the problem on hierarchy.mesh")
            if degree != 1:
                raise InputError("the multigrid solver (hierarchy=...) supports degree 1 only")
        self.core, self.mesh = core, mesh
        self.materials, self.cell_tags, self.facet_tags = (core.materials, core.cell_tags,
                                                           core.facet_tags)
        self.V = core.space()
        self.m = fem.Function(self.V, name="m")
        self.dx, self.ds = core.dx, core.ds
        c = core.coefficients
        self.isotropic = c.isotropic
        self.D, self.tau, self.tau_A, self.lam, self.m0 = c.D, c.tau, c.tau_A, c.lam, c.m0

        self.M = as_vector_field(mesh, M, "M")
        self.H_ext = external_precession(mesh, B_T, H_ext, gamma_e)
        self.H = physics.effective_field(self.H_ext, self.M, self.lam)
        if self.H_ext is None and self.M is None:
            self.H = core.zero()  # tied to the mesh, so it can be output
        self.m_eq = (core.default_equilibrium(self.M) if m_eq is None
                     else as_vector_field(mesh, m_eq, "m_eq"))
        if not dirichlet and not flux and (
                (m_eq is None and (self.M is None or all(m.m0 == 0 for m in
                                                         core.materials.values())))
                or (m_eq is not None and not callable(m_eq) and not hasattr(m_eq, "ufl_shape")
                    and not np.any(np.asarray(m_eq, dtype=float)))):
            msg = ("nothing drives the spin accumulation (no Dirichlet or Flux data, and m_eq "
                   "is zero): the solution is m = 0; give boundary data, or m_eq / "
                   "Material(m0=...) with a magnetization M")
            log.warning(msg)
            warnings.warn(msg, UndrivenWarning, stacklevel=2)
        self.Dt = physics.diffusion_tensor(self.H, self.D, self.tau_A)

        # Dt per cell (DG0), the diffusion term with one point: "cell", its midpoint value (an
        # O(h^2) change); "quadrature" with P1 on affine simplices, its average by the
        # quadrature rule, which gives the pointwise tensor's matrix to round-off (cheaper)
        self._Dt_cell: CellAverage | None = None
        cell = {}
        if tensor == "cell" or (AVERAGE_TENSOR and degree == 1 and affine_simplex(mesh)):
            qd = 1 if tensor == "cell" else self.dx.metadata()["quadrature_degree"]
            self._Dt_cell = CellAverage(self.Dt, mesh, qd, name="Dt")
            cell = {"Dt": self._Dt_cell.function, "dx_diffusion": self.dx.reconstruct(
                metadata={"quadrature_degree": 1})}

        self.boundary = core.boundary_data(self.V)
        self.residual = physics.s1_residual(
            self.m, ufl.TestFunction(self.V), H=self.H, D=self.D, tau=self.tau, m_eq=self.m_eq,
            dx=self.dx, flux_terms=self.boundary.flux_terms, tau_A=self.tau_A, **cell,
        )
        self.bcs = self.boundary.bcs
        if not self.isotropic:
            self.check_coercivity()
        ndofs = self.V.dofmap.index_map.size_global * self.V.dofmap.index_map_bs
        self._prolongations: list = []
        self.linear_solver = self._choose_solver(solver, hierarchy, ndofs, petsc_options)
        blocked = self.linear_solver.blocked
        self._galerkin = linear_solvers.GalerkinOperators(self._prolongations)
        self._solver = NewtonSolver(
            self.residual, self.m, self.bcs, petsc_options=petsc_options,
            jit_options=jit_options(), base_options=self.linear_solver.options,
            setup=lambda ksp: linear_solvers.configure_multigrid(ksp, self._prolongations),
            matrix_kind="baij" if blocked else None,
            after_jacobian=self._galerkin.update if blocked else None)
        self._linear = None
        if LINEAR_RESIDUAL and self._solver.options.get("snes_type") == "ksponly":
            self._linear = LinearResidual(
                self._solver, self.residual, self.m, self.bcs, jit_options=jit_options(),
                after_jacobian=self._galerkin.update if blocked else None,
                matrix_form=self._matrix_form())
        log.info("S1 problem: P%d, %d dofs, %d region(s), %s tau_k, %d Dirichlet / %d flux "
                 "data; linear solver: %s", degree, ndofs, len(self.materials),
                 "equal" if c.equal_tau else "unequal", len(dirichlet), len(flux),
                 self.linear_solver.description)

    def _matrix_form(self):
        """The Jacobian through :mod:`fem_spin.core.diffusion_kernel` (the diffusion term of
        the per-cell ``Dt`` by its own kernel, the local terms by FFCx's), or None."""
        if not DIFFUSION_KERNEL or self._Dt_cell is None:
            return None
        trial = ufl.TrialFunction(self.V)
        local = physics.s1_local_terms(trial, ufl.TestFunction(self.V), H=self.H,
                                       tau=self.tau, m_eq=self.m_eq, dx=self.dx,
                                       flux_terms=self.boundary.flux_terms)
        return diffusion_form(ufl.lhs(local), self._Dt_cell.function)

    def _choose_solver(self, solver, hierarchy, ndofs,
                       petsc_options) -> linear_solvers.SolverChoice:
        """Pick the linear solver; for multigrid, build the interpolations between levels."""
        k = None
        if hierarchy is not None and (solver == "iterative" or (
                solver == "auto" and ndofs > linear_solvers.DIRECT_MAX_DOFS)):
            k = linear_solvers.max_wavenumber(self.mesh, self.H, self.D, self.tau, self.tau_A)
        choice = linear_solvers.select(solver, ndofs, hierarchy=hierarchy, wavenumber=k,
                                       user_options=petsc_options)
        if choice.kind == "multigrid":
            spaces = [fem.functionspace(hierarchy.meshes[i], ("Lagrange", 1, (3,)))
                      for i in choice.levels[:-1]] + [self.V]
            self._prolongations = [
                linear_solvers.prolongation(spaces[j], spaces[j + 1],
                                            hierarchy.parent_cells[choice.levels[j]])
                for j in range(len(spaces) - 1)
            ]
        return choice

    def check_coercivity(self) -> float:
        """Smallest eigenvalue of ``sym(Dt)`` over cell midpoints (all ranks get the same value).

        With unequal ``tau_k`` or ``D_p`` and strong coupling it can be negative: the diffusion
        term then loses coercivity and non-decaying oscillatory modes are possible. That case is
        reported by a :class:`CoercivityWarning`.
        """
        V0 = fem.functionspace(self.mesh, ("DG", 0, (3, 3)))
        Dt = interpolate(self.Dt, V0).x.array.reshape(-1, 3, 3)
        sym = 0.5 * (Dt + Dt.transpose(0, 2, 1))
        local = np.linalg.eigvalsh(sym).min() if len(sym) else np.inf
        smallest = self.mesh.comm.allreduce(float(local), op=MPI.MIN)
        if smallest <= 0:
            msg = (f"the symmetric part of the spin-diffusion tensor has eigenvalue {smallest:.3g} "
                   "<= 0 somewhere: with unequal tau_k or D_p at strong coupling (a = tau|H| >> 1) "
                   "S1 is not coercive and may have non-decaying oscillatory modes; check the "
                   "parameters or refine until the solution converges")
            log.warning(msg)
            warnings.warn(msg, CoercivityWarning, stacklevel=3)
        return smallest

    def solve(self) -> SolveInfo:
        """Solve S1 with SNES (one Newton step for this linear problem); ``self.m`` holds m."""
        if self._solver is None:
            raise InputError("this problem was closed; create a new SteadySpinDiffusion")
        if self._Dt_cell is not None:  # the field may have changed since the last solve
            self._Dt_cell.update()
        if self._linear is not None:
            self._linear.refresh()
        return self._solver.solve()

    def close(self) -> None:
        """Free the PETSc solver on all ranks together (see :meth:`NewtonSolver.close`)."""
        if self._solver is not None:
            self._solver.close()
            self._solver = None
        if self._linear is not None:
            self._linear.destroy()
            self._linear = None
        self._galerkin.destroy()
        for P in self._prolongations:
            P.destroy()
        self._prolongations = []

    def __enter__(self) -> SteadySpinDiffusion:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def spin_current(self):
        """UFL spin-current tensor ``J^{kj}`` (Eq. 71), shape (3, gdim)."""
        return physics.spin_current(self.m, self.Dt)

    @property
    def torque_density(self):
        """UFL s-d torque density ``lambda M x m`` (zero without M)."""
        if self.M is None:
            return ufl.as_vector((0.0, 0.0, 0.0))
        return physics.sd_torque_density(self.M, self.m, self.lam)
