"""S1's cheaper assembly gives the same discrete problem, serial and under MPI:

* the quadrature-rule average of the diffusion tensor per cell (fem_spin.core.cell_average,
  the default for P1 on simplices) gives the pointwise tensor's Jacobian, residual and
  solution to round-off: for P1 the gradients are constant in a cell, so the rule's sum over
  its points factors into (average of Dt) x (constant gradients);
* the residual from the assembled matrix, F = A m - b (fem_spin.core.linear_residual), is
  DOLFINx's residual of the form with its Dirichlet lifting, to round-off."""

from __future__ import annotations

import dolfinx.mesh as dm
import numpy as np
import pytest

import fem_spin as fs
from fem_spin.problems import steady
from fem_spin.textures import magnetization, vortex
from tests.helpers.mms import solve_mms

ISOTROPIC = {"D": 1.0, "tau": 1.0}
ANISOTROPIC = {"D": (1.0, 0.8, 1.2), "tau": (1.0, 0.7, 1.3)}
#: one case of each comparison runs in the MPI pass too; its twin only serially (cell-local
#: arithmetic: the parallel assembly is the same code)
SERIAL_TWIN = pytest.mark.serial


def _relative(A, B) -> float:
    C = A.copy()
    C.axpy(-1.0, B)
    return C.norm() / B.norm()


def _both(build, flag="AVERAGE_TENSOR"):
    """(new, old) problems from ``build()`` with ``steady.<flag>`` True / False."""
    problems = []
    for value in (True, False):
        setattr(steady, flag, value)
        try:
            problems.append(build())
        finally:
            setattr(steady, flag, True)
    return problems


def _residuals_agree(p_new, p_old) -> float:
    """Relative difference of the two residuals at 1.5 x the solution (not a solution)."""
    X = p_old.m.x.petsc_vec.copy()
    X.scale(1.5)
    F = []
    for p in (p_new, p_old):
        F.append(p._solver._problem.b.duplicate())
        p._solver.snes.computeFunction(X, F[-1])
    assert F[1].norm() > 1e-3 * X.norm()
    return _relative(*F)


@pytest.mark.parametrize(("dim", "n", "a", "params", "qd"),
                         [(2, 8, 1.0, ANISOTROPIC, 3), (3, 4, 30.0, ISOTROPIC, 2),
                          (3, 4, 3.0, ANISOTROPIC, 4)])
def test_average_equals_pointwise_tensor(comm, dim, n, a, params, qd, monkeypatch):
    # the manufactured case: H, D and tau_k all vary or differ per component; the helper's
    # quadrature degree 2p + 2 = 4, the others through the QEXTRA of the helper
    monkeypatch.setattr("tests.helpers.mms.QEXTRA", qd - 2)
    (e_avg, p_avg, _), (e_pt, p_pt, _) = _both(
        lambda: solve_mms(comm, dim, n, 1, a=a, **params))
    assert p_avg._Dt_cell is not None and p_pt._Dt_cell is None
    J = [p._solver._problem.A for p in (p_avg, p_pt)]
    assert _relative(*J) < 1e-13, _relative(*J)
    assert _relative(p_avg.m.x.petsc_vec, p_pt.m.x.petsc_vec) < 1e-11
    assert abs(e_avg - e_pt) < 1e-10 * e_pt
    assert _residuals_agree(p_avg, p_pt) < 1e-12
    for p in (p_avg, p_pt):
        p.close()


def test_average_follows_the_magnetization(comm, monkeypatch):
    """A changed M is averaged again at the next solve (S1 inside a staggered loop); the
    average evaluated in chunks of 100 cells (the default chunk exceeds this mesh)."""
    monkeypatch.setattr("fem_spin.core.cell_average.CHUNK", 100)
    mesh = dm.create_box(comm, [[0, 0, 0], [32, 32, 8]], [8, 8, 2], dm.CellType.tetrahedron)
    mesh.topology.create_connectivity(2, 3)
    left = np.sort(dm.locate_entities_boundary(mesh, 2, lambda x: np.isclose(x[0], 0.0)))
    ft = dm.meshtags(mesh, 2, left.astype(np.int32), np.full(len(left), 1, np.int32))

    def build():
        M = magnetization(mesh, vortex(core_radius=4.0, center=(16.0, 16.0, 0.0)))
        p = fs.SteadySpinDiffusion(mesh, fs.Material(D=1e3, tau=10.0, lam=3.0, m0=0.5),
                                   facet_tags=ft, M=M, dirichlet=[fs.Dirichlet(1, (0, 0, 1))],
                                   quadrature_degree=2, solver="direct")
        p.solve()
        return p

    problems = _both(build)
    for p in problems:  # the vortex core moved: M(x) -> M(x - 3 nm e_x), renormalised
        M = magnetization(mesh, vortex(core_radius=4.0, center=(19.0, 16.0, 0.0)))
        p.M.x.array[:] = M.x.array
        p.solve()
    assert _relative(problems[0].m.x.petsc_vec, problems[1].m.x.petsc_vec) < 1e-11
    J = [p._solver._problem.A for p in problems]
    assert _relative(*J) < 1e-13
    for p in problems:
        p.close()


@pytest.mark.parametrize(("dim", "n", "a", "params"),
                         [pytest.param(2, 8, 1.0, ANISOTROPIC, marks=SERIAL_TWIN),
                          (3, 4, 30.0, ISOTROPIC)])
def test_linear_residual_equals_form_residual(comm, dim, n, a, params, monkeypatch):
    # Dirichlet data on all components and on one component (a sub-space), fluxes elsewhere;
    # one linear solve (ksponly, as on the iterative paths), here by LU. The reference is
    # DOLFINx's residual with the lifting (the packed one leaves it out: it is compared
    # below at an iterate that violates the Dirichlet data)
    monkeypatch.setattr("fem_spin.core.newton.PACKED_RESIDUAL", False)
    (e_new, p_new, i_new), (e_old, p_old, _) = _both(
        lambda: solve_mms(comm, dim, n, 1, a=a, petsc_options={"snes_type": "ksponly"},
                          **params), "LINEAR_RESIDUAL")
    assert p_new._linear is not None and p_old._linear is None
    assert _relative(p_new.m.x.petsc_vec, p_old.m.x.petsc_vec) < 1e-11
    assert abs(e_new - e_old) < 1e-10 * e_old
    assert i_new.newton_iterations == 1
    # a second solve (A and b assembled again) from the solution keeps it
    first = p_new.m.x.petsc_vec.copy()
    p_new.solve()
    assert _relative(p_new.m.x.petsc_vec, first) < 1e-12
    assert _residuals_agree(p_new, p_old) < 1e-12  # (sets the old problem's m to 1.5 m)
    for p in (p_new, p_old):
        p.close()


@pytest.mark.parametrize(("a", "params"),
                         [(30.0, ISOTROPIC), pytest.param(3.0, ANISOTROPIC, marks=SERIAL_TWIN)])
def test_diffusion_kernel_equals_ffcx(comm, a, params, monkeypatch):
    """The matrix of A m - b from one kernel per cell, FFCx's of the local terms followed by
    fem_spin.core.diffusion_kernel's diffusion term, is FFCx's matrix of the whole form, and
    so is the solution (H, D_p and tau_k all vary or differ per component: Dt is neither
    symmetric nor diagonal)."""
    monkeypatch.setattr("tests.helpers.mms.QEXTRA", 0)  # the benchmark's degree 2
    (e_new, p_new, _), (e_old, p_old, _) = _both(
        lambda: solve_mms(comm, 3, 4, 1, a=a, petsc_options={"snes_type": "ksponly"},
                          **params), "DIFFUSION_KERNEL")
    assert p_new._linear._J_matrix is not p_new._linear._J
    assert p_old._linear._J_matrix is p_old._linear._J
    J = [p._solver._problem.A for p in (p_new, p_old)]
    assert _relative(*J) < 1e-14, _relative(*J)
    assert _relative(p_new.m.x.petsc_vec, p_old.m.x.petsc_vec) < 1e-12
    assert abs(e_new - e_old) < 1e-10 * e_old
    for p in (p_new, p_old):
        p.close()
