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
from fem_spin.errors import InputError
from fem_spin.core.fields import as_vector_field, interpolate, jit_options, region_function
from fem_spin.parameters.transport import Dirichlet, Flux, Material
from fem_spin.core.newton import NewtonSolver, SolveInfo

__all__ = ["CoercivityWarning", "SteadySpinDiffusion", "dirichlet_bcs", "validate_inputs"]

log = logging.getLogger(__name__)


class CoercivityWarning(UserWarning):
    """The symmetric part of the diffusion tensor is not positive definite somewhere."""


def dirichlet_bcs(V: fem.FunctionSpace, facet_tags, d: Dirichlet) -> list[fem.DirichletBC]:
    """One DirichletBC per prescribed component of ``d`` on the facets tagged ``d.tag``, in the
    vector space ``V`` of m (or its sub-space of a mixed space). The value (a constant, UFL or
    a callable ``x -> (3, N)``) is interpolated once; ``bc.g`` holds it."""
    mesh = V.mesh
    fdim = mesh.topology.dim - 1
    mesh.topology.create_connectivity(fdim, mesh.topology.dim)
    facets = facet_tags.find(d.tag)
    value = d.value
    if not callable(value) and not isinstance(value, ufl.core.expr.Expr):
        value = as_vector_field(mesh, value, f"Dirichlet(tag={d.tag}).value").value
    bcs = []
    for k in d.components:
        Vk, _ = V.sub(k).collapse()
        if isinstance(value, np.ndarray):
            g = fem.Function(Vk)
            g.x.array[:] = value[k]
        elif isinstance(value, ufl.core.expr.Expr):
            g = interpolate(value[k], Vk)
        else:
            g = interpolate(lambda x, k=k, f=value: np.asarray(f(x), dtype=float)[k], Vk)
        dofs = fem.locate_dofs_topological((V.sub(k), Vk), fdim, facets)
        bcs.append(fem.dirichletbc(g, dofs, V.sub(k)))
    return bcs


# -- validation (before any collective DOLFINx call, so all ranks fail together) ------------


def validate_inputs(comm, materials, cell_tags, facet_tags, dirichlet, flux, degree) -> None:
    """Check the inputs of a spin-diffusion problem (S1, S2, coupled) on every rank alike:
    the degree, one :class:`Material` per tagged region covering every cell, boundary data on
    facet tags the mesh has. Raises :class:`InputError` naming the problem."""
    if not isinstance(degree, int) or degree < 1:
        raise InputError(f"degree must be an integer >= 1, got {degree!r}")
    for tag, mat in materials.items():
        if not isinstance(mat, Material):
            raise InputError(f"materials[{tag}] must be a fem_spin.Material, got {mat!r}")
    if len(materials) > 1 or cell_tags is not None:
        if cell_tags is None:
            raise InputError("several materials need cell_tags that mark their regions")
        present = _global_tags(comm, cell_tags)
        missing = sorted(set(materials) - present)
        if missing:
            raise InputError(f"materials given for cell tags {missing} that the mesh does not "
                             f"have; the mesh's cell tags are {sorted(present)}")
        untagged = sorted(present - set(materials))
        if untagged:
            raise InputError(f"no material for cell tags {untagged}: add them to materials")
        tdim = cell_tags.dim
        imap = cell_tags.topology.index_map(tdim)
        n_tagged = np.count_nonzero(np.isin(cell_tags.indices, np.arange(imap.size_local)))
        n_tagged = comm.allreduce(n_tagged)
        if n_tagged != imap.size_global:
            raise InputError(f"{imap.size_global - n_tagged} of {imap.size_global} cells carry "
                             "no cell tag, so they have no material: tag every cell")
    for bc in (*dirichlet, *flux):
        if not isinstance(bc, Dirichlet | Flux):
            raise InputError(f"boundary data must be Dirichlet(...) or Flux(...), got {bc!r}")
    wanted = sorted({bc.tag for bc in (*dirichlet, *flux)})
    if wanted:
        if facet_tags is None:
            raise InputError(f"boundary data on facet tags {wanted} need facet_tags: pass the "
                             "mesh's facet MeshTags (facet_tags=...)")
        present = _global_tags(comm, facet_tags)
        missing = [t for t in wanted if t not in present]
        if missing:
            raise InputError(f"boundary data on facet tags {missing}, which the mesh does not "
                             f"have; its facet tags are {sorted(present)}")


def _global_tags(comm: MPI.Comm, tags) -> set[int]:
    local = set() if tags is None else {int(t) for t in np.unique(tags.values)}
    return set().union(*comm.allgather(local))


class SteadySpinDiffusion:
    """Steady spin accumulation ``m`` solving S1 with a local field ``H = B + lambda M``.

    Args:
        mesh: a DOLFINx mesh (1D, 2D or 3D; ``m`` always has 3 spin components).
        materials: one :class:`Material` for the whole mesh, or ``{cell tag: Material}``
            covering every cell of ``cell_tags``.
        cell_tags, facet_tags: DOLFINx MeshTags (facet tags are needed for boundary data).
        M: reduced magnetization (Function, UFL 3-vector or constant), ``None`` for zero.
        B: external field in rad/ps (same kinds), ``None`` for zero.
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
    """

    def __init__(
        self,
        mesh,
        materials: Material | Mapping[int, Material],
        *,
        cell_tags=None,
        facet_tags=None,
        M=None,
        B=None,
        m_eq=None,
        dirichlet: Sequence[Dirichlet] = (),
        flux: Sequence[Flux] = (),
        degree: int = 1,
        quadrature_degree: int | None = None,
        petsc_options: dict | None = None,
        solver: str = "auto",
        hierarchy: linear_solvers.MeshHierarchy | None = None,
    ):
        comm = mesh.comm
        if isinstance(materials, Material):
            materials = {0: materials}
            cell_tags = None
        validate_inputs(comm, materials, cell_tags, facet_tags, dirichlet, flux, degree)
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
        self.mesh = mesh
        self.materials = dict(materials)
        self.cell_tags, self.facet_tags = cell_tags, facet_tags
        self.V = fem.functionspace(mesh, ("Lagrange", degree, (3,)))
        self.m = fem.Function(self.V, name="m")
        qd = 2 * degree + 1 if quadrature_degree is None else quadrature_degree
        self.dx = ufl.Measure("dx", domain=mesh, subdomain_data=cell_tags,
                              metadata={"quadrature_degree": qd})
        self.ds = ufl.Measure("ds", domain=mesh, subdomain_data=facet_tags,
                              metadata={"quadrature_degree": qd})

        # Region-wise coefficients (DG0): one compiled form for any parameter values.
        mats = self.materials.values()
        equal_tau = all(len(set(m.tau3)) == 1 for m in mats)
        equal_D = all(len(set(m.D3)) == 1 for m in mats)
        self.isotropic = all(m.isotropic for m in mats)

        def coefficient(get, scalar: bool, name: str):
            values = {t: (get(m)[0] if scalar else get(m)) for t, m in self.materials.items()}
            return region_function(mesh, cell_tags, values, () if scalar else (3,), name)

        self.D = coefficient(lambda m: m.D3, equal_D, "D")
        self.tau = coefficient(lambda m: m.tau3, equal_tau, "tau")
        self.lam = coefficient(lambda m: (m.lam,), True, "lambda")
        self.m0 = coefficient(lambda m: (m.m0,), True, "m0")

        self.M = as_vector_field(mesh, M, "M")
        self.B = as_vector_field(mesh, B, "B")
        self.H = physics.effective_field(self.B, self.M, self.lam)
        if self.B is None and self.M is None:
            self.H = fem.Constant(mesh, np.zeros(3))  # tied to the mesh, so it can be output
        if m_eq is None:
            zero = fem.Constant(mesh, np.zeros(3))
            self.m_eq = zero if self.M is None else self.m0 * self.M
        else:
            self.m_eq = as_vector_field(mesh, m_eq, "m_eq")
        self.Dt = physics.diffusion_tensor(self.H, self.D, self.tau)

        v = ufl.TestFunction(self.V)
        flux_terms = [
            (as_vector_field(mesh, f.value, f"Flux(tag={f.tag}).value"), self.ds(f.tag))
            for f in flux
        ]
        self.residual = physics.s1_residual(
            self.m, v, H=self.H, D=self.D, tau=self.tau, m_eq=self.m_eq, dx=self.dx,
            flux_terms=flux_terms,
        )
        self.bcs = [bc for d in dirichlet for bc in dirichlet_bcs(self.V, facet_tags, d)]
        if not self.isotropic:
            self.check_coercivity()
        ndofs = self.V.dofmap.index_map.size_global * self.V.dofmap.index_map_bs
        self._prolongations: list = []
        self.linear_solver = self._choose_solver(solver, hierarchy, ndofs)
        self._solver = NewtonSolver(
            self.residual, self.m, self.bcs, petsc_options=petsc_options,
            jit_options=jit_options(), base_options=self.linear_solver.options,
            setup=lambda ksp: linear_solvers.configure_multigrid(ksp, self._prolongations))
        log.info("S1 problem: P%d, %d dofs, %d region(s), %s tau_k, %d Dirichlet / %d flux "
                 "data; linear solver: %s", degree, ndofs, len(self.materials),
                 "equal" if equal_tau else "unequal", len(dirichlet), len(flux),
                 self.linear_solver.description)

    def _choose_solver(self, solver, hierarchy, ndofs) -> linear_solvers.SolverChoice:
        """Pick the linear solver; for multigrid, build the interpolations between levels."""
        k = None
        if hierarchy is not None and (solver == "iterative" or (
                solver == "auto" and ndofs > linear_solvers.DIRECT_MAX_DOFS)):
            k = linear_solvers.max_wavenumber(self.mesh, self.H, self.D, self.tau)
        choice = linear_solvers.select(solver, ndofs, hierarchy=hierarchy, wavenumber=k)
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
        return self._solver.solve()

    def close(self) -> None:
        """Free the PETSc solver on all ranks together (see :meth:`NewtonSolver.close`)."""
        if self._solver is not None:
            self._solver.close()
            self._solver = None
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
