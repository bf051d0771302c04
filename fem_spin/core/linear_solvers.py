"""Linear solvers for S1: direct MUMPS for small problems, geometric multigrid for large ones.

S1 at strong coupling (``a = tau |H| >> 1``) is a weakly damped Helmholtz-type problem: in the
frame of the local field the transverse accumulation ``m_x + i m_y`` obeys
``-lap m_+ + (1 + i a)^2 / l_sf^2 m_+ = ...``, wavenumber ``|k| = |1 + i a| / l_sf`` and damping
ratio ``2 / a``. Algebraic multigrid (GAMG) fails on it because its coarse spaces do not
represent the oscillatory error (``docs/solver-design.md``); geometric multigrid works if its
coarsest grid resolves the wavelength. At a fixed device and fixed physics ``|k|`` is fixed,
so the coarse grid is fixed and refining the fine mesh adds levels: the iteration count then
stays bounded under refinement.

The scalable path therefore needs a nested mesh hierarchy, made by :func:`refine_hierarchy`
from a coarse mesh (:mod:`fem_spin.core.hierarchy`); the multigrid preconditioner
(:data:`MULTIGRID_OPTIONS`) uses the P1 interpolation between the levels (:func:`prolongation`),
Galerkin coarse operators
``P^T A P``, one Chebyshev step with exact 3x3 nodal-block Jacobi (``pbjacobi``) as smoother
and MUMPS on the coarsest level kept, which is the
coarsest one with ``|k| h <= COARSE_KH`` (:func:`coarse_level`). Without a hierarchy the
iterative path is algebraic (GMRES + GAMG), which is only reliable for weak coupling.

:func:`select` makes the automatic choice used by
:class:`fem_spin.SteadySpinDiffusion` (``solver="auto"``): direct below
:data:`DIRECT_MAX_DOFS`, multigrid above it when a hierarchy is given.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import dolfinx.fem as fem
import ufl
from mpi4py import MPI
from petsc4py import PETSc

from fem_spin.core.hierarchy import MeshHierarchy, mesh_size, prolongation, refine_hierarchy
from fem_spin.core.newton_options import option_names
from fem_spin.errors import InputError

__all__ = [
    "ALGEBRAIC_OPTIONS",
    "BLOCKED_JACOBIAN",
    "BLOCKED_MULTIGRID_OPTIONS",
    "COARSE_KH",
    "DIRECT_MAX_DOFS",
    "DIRECT_OPTIONS",
    "GalerkinOperators",
    "MULTIGRID_OPTIONS",
    "MeshHierarchy",
    "SolverChoice",
    "coarse_level",
    "configure_multigrid",
    "max_wavenumber",
    "mesh_size",
    "prolongation",
    "refine_hierarchy",
    "select",
]

log = logging.getLogger(__name__)

#: ``solver="auto"`` uses MUMPS up to this many dofs (global, all 3 components) and the
#: iterative path above it (measured crossover: docs/solver-design.md).
DIRECT_MAX_DOFS = 100_000

#: The coarsest multigrid level kept is the coarsest one with ``|k| h_max <= COARSE_KH``
#: (``h_max`` its longest edge): about 2 pi / COARSE_KH = 3 longest edges per wavelength.
COARSE_KH = 2.0

#: The multigrid path assembles the Jacobian as BAIJ (:data:`BLOCKED_MULTIGRID_OPTIONS`);
#: False: AIJ with PCMG's own Galerkin products (the same iterates, slower).
BLOCKED_JACOBIAN = True

#: Where :class:`GalerkinOperators` forms a multigrid's operators (S1's BAIJ path, the coupled
#: step's m split), the smoothed coarser levels use BAIJ copies of them (their products 1.8x
#: faster than AIJ's; the same operators); False: the AIJ products.
BLOCKED_LEVELS = True

#: Chebyshev steps on the intermediate levels (neither the finest nor the coarsest; the
#: finest keeps one). At a = 100 two steps there take 29 instead of 34 iterations for a small
#: cost, as the intermediate level, near the coarse level's ``|k| h``, smooths the wave least
#: (docs/solver-design.md, issue 16, fifteenth session).
INTERMEDIATE_SMOOTHING = 2

#: Exact LU (MUMPS): one Newton step of the linear S1 reaches round-off.
DIRECT_OPTIONS: dict[str, object] = {
    "ksp_type": "preonly",
    "pc_type": "lu",
    "pc_factor_mat_solver_type": "mumps",
}

_KRYLOV: dict[str, object] = {
    # S1 is linear: one linear solve; a failed KSP gives SNES reason DIVERGED_LINEAR_SOLVE
    "snes_type": "ksponly",
    # right preconditioning: ksp_rtol applies to the true residual ||b - A x|| / ||b||
    "ksp_type": "gmres",
    "ksp_pc_side": "right",
    "ksp_norm_type": "unpreconditioned",
    "ksp_gmres_restart": 150,
    "ksp_rtol": 1e-8,
    "ksp_atol": 1e-50,
    "ksp_max_it": 300,
}

#: Geometric multigrid (PCMG) on a :class:`MeshHierarchy`; the levels and interpolations are
#: set by :func:`configure_multigrid`. The smoother inverts the 3x3 nodal blocks exactly
#: (``pbjacobi``), so it sees the full complex-like diffusion coefficient ``D / (1 + i a)``
#: (a scalar Jacobi would see only its tiny real part); one Chebyshev step scales it. Unlike
#: SOR (block Jacobi between ranks), it is the same on any number of ranks, and it is 2x
#: cheaper per cycle (docs/solver-design.md).
MULTIGRID_OPTIONS: dict[str, object] = {
    **_KRYLOV,
    "pc_type": "mg",
    "pc_mg_type": "multiplicative",
    "pc_mg_cycle_type": "w",
    "pc_mg_galerkin": "both",
    "mg_levels_ksp_type": "chebyshev",
    "mg_levels_ksp_max_it": 1,
    "mg_levels_pc_type": "pbjacobi",
    "mg_coarse_ksp_type": "preonly",
    "mg_coarse_pc_type": "lu",
    "mg_coarse_pc_factor_mat_solver_type": "mumps",
}

#: The same multigrid on the blocked Jacobian (BAIJ, 3x3 nodal blocks: faster assembly and
#: products, docs/solver-design.md). PETSc has no PtAP for BAIJ, so PCMG does not form the
#: coarse operators: :class:`GalerkinOperators` forms the same ``P^T A P`` from an AIJ copy of
#: the Jacobian after each Jacobian evaluation.
BLOCKED_MULTIGRID_OPTIONS: dict[str, object] = {**MULTIGRID_OPTIONS, "pc_mg_galerkin": "none"}

#: Algebraic fallback without a hierarchy: GMRES + GAMG with Richardson/SOR smoothing (the
#: default Chebyshev smoother needs an SPD operator). Robust for a <~ 1-10 only.
ALGEBRAIC_OPTIONS: dict[str, object] = {
    **_KRYLOV,
    "pc_type": "gamg",
    "mg_levels_ksp_type": "richardson",
    "mg_levels_pc_type": "sor",
}


# -- physics scale ---------------------------------------------------------------------------


def max_wavenumber(mesh, H, D, tau, tau_A=None) -> float:
    """Largest transverse wavenumber ``|k|`` (1/nm) over the mesh, evaluated at cell midpoints:
    ``|k|^2 = |1 + i tau_A |H|| |1 / tau + i |H|| / D`` (:mod:`fem_spin.physics.scales`;
    ``|1 + i a| / l_sf`` for ``tau_A = tau``), with the largest ``tau_k`` in ``a`` and the
    smallest ``D_p`` and ``tau_k`` elsewhere.
    """
    def smallest(x):
        return ufl.min_value(ufl.min_value(x[0], x[1]), x[2]) if ufl.shape(x) else x

    def largest(x):
        return ufl.max_value(ufl.max_value(x[0], x[1]), x[2]) if ufl.shape(x) else x

    h = ufl.sqrt(ufl.dot(H, H))
    if tau_A is None or tau_A is tau:
        a = largest(tau) * h
        k = ufl.sqrt(1 + a**2) / ufl.sqrt(smallest(D) * smallest(tau))
    else:
        a = largest(tau_A) * h
        rate = ufl.sqrt(1 / smallest(tau) ** 2 + h**2)
        k = ufl.sqrt(ufl.sqrt(1 + a**2) * rate / smallest(D))
    from fem_spin.core.fields import interpolate

    V0 = fem.functionspace(mesh, ("DG", 0))
    values = interpolate(k, V0).x.array
    n = V0.dofmap.index_map.size_local
    local = float(values[:n].max()) if n else 0.0
    return mesh.comm.allreduce(local, op=MPI.MAX)


def coarse_level(sizes: Sequence[float], k: float, kh: float = COARSE_KH) -> int:
    """Index of the coarsest level with ``k h <= kh`` (the finest if none qualifies).

    Args:
        sizes: longest edge of each level, coarse to fine.
        k: wavenumber (1/length), e.g. from :func:`max_wavenumber`.
    """
    for i, h in enumerate(sizes):
        if k * h <= kh:
            return i
    return len(sizes) - 1


def configure_multigrid(ksp: PETSc.KSP, prolongations: Sequence[PETSc.Mat]) -> None:
    """Give a KSP whose PC is ``mg`` its levels and interpolations (coarse to fine); another
    PC (the user chose one) is left alone. Call while the options are in the database."""
    pc = ksp.getPC()
    if pc.getType() != PETSc.PC.Type.MG:
        return
    pc.setMGLevels(len(prolongations) + 1)
    for level, P in enumerate(prolongations, start=1):
        pc.setMGInterpolation(level, P)
    ksp.setFromOptions()  # the new level smoothers read the mg_levels_* / mg_coarse_* options


class GalerkinOperators:
    """The Galerkin coarse operators ``A_{l-1} = P_l^T A_l P_l`` of a PCMG, formed here and set
    on its levels: for a BAIJ Jacobian, whose PtAP PETSc lacks, from an AIJ copy of it (made
    by MatConvert, then refilled in place). The symbolic products are made once and reused.

    Args:
        prolongations: the interpolations, coarse to fine (as for :func:`configure_multigrid`).
        blocked_fine: an AIJ fine matrix is smoothed through a BAIJ copy of it as well (for a
            PC that gets the AIJ matrix, e.g. a field split's block: faster products).
    """

    def __init__(self, prolongations: Sequence[PETSc.Mat], blocked_fine: bool = False):
        self.prolongations = list(prolongations)
        self.blocked_fine = blocked_fine
        self.fine_blocked: PETSc.Mat | None = None
        self.coarse: list[PETSc.Mat | None] = [None] * len(self.prolongations)
        # BAIJ copies of the smoothed coarser levels' operators (not the LU level's, level 0)
        self.blocked: list[PETSc.Mat | None] = [None] * len(self.prolongations)
        self.fine: PETSc.Mat | None = None

    def update(self, ksp: PETSc.KSP, A: PETSc.Mat) -> None:
        """Recompute the coarse operators from the fine matrix ``A`` and give them to the
        levels of ``ksp``'s PCMG (another PC, e.g. the user's LU, is left alone)."""
        pc = ksp.getPC()
        if pc.getType() != PETSc.PC.Type.MG or not self.prolongations:
            return
        fine = A
        if A.getType() not in (PETSc.Mat.Type.SEQAIJ, PETSc.Mat.Type.MPIAIJ):
            # petsc4py: out=None would convert A in place; an empty out is MAT_INITIAL_MATRIX,
            # a filled one MAT_REUSE_MATRIX
            self.fine = A.convert(PETSc.Mat.Type.AIJ, out=self.fine or PETSc.Mat())
            fine = self.fine
        for i in range(len(self.prolongations) - 1, -1, -1):
            if self.coarse[i] is None:
                self.coarse[i] = fine.ptap(self.prolongations[i])
            else:
                fine.ptap(self.prolongations[i], result=self.coarse[i])
            fine = self.coarse[i]
        for level, C in enumerate(self.coarse):
            if level > 0 and BLOCKED_LEVELS and C.getBlockSize() > 1:
                self.blocked[level] = C.convert(PETSc.Mat.Type.BAIJ,
                                                out=self.blocked[level] or PETSc.Mat())
                C = self.blocked[level]
            pc.getMGSmoother(level).setOperators(C, C)
        if self.blocked_fine and A.getBlockSize() > 1 and A.getType() in (
                PETSc.Mat.Type.SEQAIJ, PETSc.Mat.Type.MPIAIJ):
            # the finest smoother keeps this operator (PCMG sets the PC's own only on a
            # smoother without operators); the residual before restriction uses it too
            self.fine_blocked = A.convert(PETSc.Mat.Type.BAIJ,
                                          out=self.fine_blocked or PETSc.Mat())
            pc.getMGSmoother(len(self.coarse)).setOperators(self.fine_blocked,
                                                            self.fine_blocked)

    def destroy(self) -> None:
        for C in [*self.coarse, *self.blocked, self.fine, self.fine_blocked]:
            if C is not None:
                C.destroy()
        self.coarse = [None] * len(self.prolongations)
        self.blocked = [None] * len(self.prolongations)
        self.fine = self.fine_blocked = None


# -- the choice -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SolverChoice:
    """What :func:`select` chose.

    Attributes:
        kind: ``"direct"``, ``"multigrid"`` or ``"algebraic"``.
        options: the PETSc options (without prefix) before the user's are merged on top.
        levels: hierarchy levels used by multigrid, coarse to fine (indices into the hierarchy).
        description: one line for logs and reports.
        blocked: assemble the Jacobian as BAIJ (3x3 blocks) and form the coarse operators
            with :class:`GalerkinOperators` (multigrid on a 3-vector space).
    """

    kind: str
    options: dict = field(default_factory=dict)
    levels: tuple[int, ...] = ()
    description: str = ""
    blocked: bool = False


_SOLVERS = ("auto", "direct", "iterative")


def select(solver: str, ndofs: int, *, hierarchy: MeshHierarchy | None = None,
           wavenumber: float | None = None, direct_max_dofs: int | None = None,
           kh: float | None = None, blocked: bool | None = None,
           user_options: dict | None = None) -> SolverChoice:
    """Choose the linear solver for S1.

    Args:
        solver: ``"direct"`` (MUMPS), ``"iterative"`` (multigrid on ``hierarchy``, else
            algebraic) or ``"auto"`` (direct up to ``direct_max_dofs`` dofs, else iterative).
        ndofs: global number of dofs.
        hierarchy: nested meshes (the problem's mesh is ``hierarchy.mesh``).
        wavenumber: largest ``|k|`` (1/nm, :func:`max_wavenumber`): picks the coarse level.
        direct_max_dofs, kh: default :data:`DIRECT_MAX_DOFS` and :data:`COARSE_KH`.
        blocked: the multigrid on a BAIJ Jacobian (:data:`BLOCKED_MULTIGRID_OPTIONS`; the
            same operator, preconditioner and iterates as AIJ, faster); False: AIJ and PCMG's
            own Galerkin products (:data:`MULTIGRID_OPTIONS`). Default
            :data:`BLOCKED_JACOBIAN`.
        user_options: the PETSc options the user gives (merged on top of the choice's): if
            they set ``mg_levels_ksp_max_it`` (every level's count), the intermediate levels'
            :data:`INTERMEDIATE_SMOOTHING` is left out, as it would take precedence there.
    """
    direct_max_dofs = DIRECT_MAX_DOFS if direct_max_dofs is None else direct_max_dofs
    kh = COARSE_KH if kh is None else kh
    if solver not in _SOLVERS:
        raise InputError(f"solver must be one of {_SOLVERS}, got {solver!r}")
    if solver == "auto":
        solver = "direct" if ndofs <= direct_max_dofs else "iterative"
        if solver == "iterative" and hierarchy is None:
            log.warning("%d dofs > %d, but no mesh hierarchy: using the direct solver (MUMPS; "
                        "memory grows fast). For the scalable multigrid solver build the mesh "
                        "with fem_spin.core.linear_solvers.refine_hierarchy and pass hierarchy=.",
                        ndofs, direct_max_dofs)
            solver = "direct"
    if solver == "direct":
        return SolverChoice("direct", dict(DIRECT_OPTIONS), (), "direct (MUMPS LU)")
    if hierarchy is None:
        return SolverChoice("algebraic", dict(ALGEBRAIC_OPTIONS), (),
                            "GMRES + GAMG (algebraic; reliable for weak coupling only)")
    sizes = [mesh_size(m) for m in hierarchy.meshes]
    k = 0.0 if wavenumber is None else wavenumber
    first = coarse_level(sizes, k, kh)
    levels = tuple(range(first, len(sizes)))
    if len(levels) == 1:
        if ndofs > direct_max_dofs:
            log.warning("no coarser level of the hierarchy resolves the wavelength (|k| = %.3g, "
                        "needs |k| h <= %g): using the direct solver on %d dofs. Check that the "
                        "finest mesh resolves the wavelength at all (2 pi / |k|).", k, kh, ndofs)
        return SolverChoice("direct", dict(DIRECT_OPTIONS), (),
                            f"direct (MUMPS LU): no coarser level resolves the wavelength "
                            f"(|k| h = {k * sizes[-2]:.2f} > {kh:g} one level down)"
                            if len(sizes) > 1 else "direct (MUMPS LU): a one-level hierarchy")
    desc = (f"GMRES + geometric multigrid, {len(levels)} level(s), coarse level {first} "
            f"(h = {sizes[first]:.3g}, |k| h = {k * sizes[first]:.2f}) by MUMPS")
    # the PCMG's levels are numbered 0 (coarse) .. len(levels) - 1 (finest)
    intermediate = {f"mg_levels_{i}_ksp_max_it": INTERMEDIATE_SMOOTHING
                    for i in range(1, len(levels) - 1)
                    if "mg_levels_ksp_max_it" not in option_names(user_options)}
    if BLOCKED_JACOBIAN if blocked is None else blocked:
        return SolverChoice("multigrid", {**BLOCKED_MULTIGRID_OPTIONS, **intermediate}, levels,
                            desc + ", BAIJ", blocked=True)
    return SolverChoice("multigrid", {**MULTIGRID_OPTIONS, **intermediate}, levels, desc)
