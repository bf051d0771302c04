"""The residual with its coefficients packed once per solve (fem_spin.core.packed_residual)
equals DOLFINx's SNES residual (with the lifting) at iterates that satisfy the Dirichlet data;
a coupled time step gives the same state with either."""

import basix.ufl
import dolfinx.fem as fem
import dolfinx.fem.petsc as fp
import dolfinx.mesh as dm
import numpy as np
import pytest
import ufl
from mpi4py import MPI

from fem_spin.core import newton
from fem_spin.core.packed_residual import PackedResidual


def _problem(comm, family):
    mesh = dm.create_unit_cube(comm, 4, 3, 3)
    if family == "mixed":
        el = basix.ufl.element("Lagrange", "tetrahedron", 1, shape=(3,))
        V = fem.functionspace(mesh, basix.ufl.mixed_element([el, el]))
    else:  # a space whose packing is not a plain gather (dof transformations)
        V = fem.functionspace(mesh, ("N1curl", 1))
    u, u_n = fem.Function(V), fem.Function(V)
    rng = np.random.default_rng(1 + comm.rank)
    u_n.x.array[:] = rng.random(len(u_n.x.array))
    u_n.x.scatter_forward()
    k = fem.Function(fem.functionspace(mesh, ("DG", 0)))
    k.x.array[:] = 1.0 + rng.random(len(k.x.array))
    k.x.scatter_forward()
    v = ufl.TestFunction(V)
    if family == "mixed":
        a, b = ufl.split(u)
        an, _ = ufl.split(u_n)
        va, vb = ufl.split(v)
        F = (ufl.inner(a - an, va) + k * ufl.inner(ufl.grad(a), ufl.grad(va))
             + ufl.inner(ufl.cross(a, b) + b * ufl.dot(a, a), vb)) * ufl.dx
        F += ufl.inner(an, va) * k * ufl.ds
        Vs = V.sub(0)
    else:
        F = (ufl.inner(u - u_n, v) + k * ufl.inner(ufl.curl(u), ufl.curl(v))
             + ufl.dot(u, u) * ufl.inner(u, v)) * ufl.dx
        Vs = V
    facets = dm.locate_entities_boundary(mesh, 2, lambda x: np.isclose(x[0], 0.0))
    dofs = fem.locate_dofs_topological(Vs, 2, facets)
    if family == "mixed":
        g = fem.Function(Vs.collapse()[0])
        g.x.array[:] = 0.3
        bcs = [fem.dirichletbc(g, fem.locate_dofs_topological((Vs, g.function_space), 2,
                                                              facets), Vs)]
    else:
        g = fem.Function(V)
        g.x.array[:] = 0.3
        bcs = [fem.dirichletbc(g, dofs)]
    return u, u_n, k, fem.form(F), fem.form(ufl.derivative(F, u)), bcs


def _comparison(packed, u, F, J, bcs):
    """``compare(tag)``: the packed residual at ``u`` is DOLFINx's (with the lifting)."""
    b_ref = fp.create_vector(F.function_spaces[0])
    b, x = b_ref.duplicate(), b_ref.duplicate()

    def compare(tag):
        fp.assign(u, x)
        x.ghostUpdate()
        fp.assemble_residual(None, x, b_ref, u, F, J, bcs)
        packed.evaluate(None, x, b)
        scale = b_ref.norm()
        b.axpy(-1.0, b_ref)
        assert scale > 1.0 and b.norm() < 1e-12 * scale, (tag, b.norm(), scale)
    return compare


@pytest.mark.parametrize("family", ["mixed", "N1curl"])
def test_packed_residual_equals_dolfinx(comm, family):
    u, u_n, k, F, J, bcs = _problem(comm, family)
    packed = PackedResidual(F, u, bcs)
    compare = _comparison(packed, u, F, J, bcs)
    rng = np.random.default_rng(7 + comm.rank)

    u.x.array[:] = rng.random(len(u.x.array))
    packed.refresh()  # sets the Dirichlet data on the iterate
    compare("first evaluation of a solve")
    # the gather of u's columns, found at the first evaluation (none with transformations)
    assert packed.packer._gather_found and (packed.packer._gather is None) == (
        family == "N1curl")
    u.x.array[:] += 0.5 * rng.random(len(u.x.array))  # a Newton update: zero on those rows
    for bc in bcs:
        bc.set(u.x.array)
    u.x.scatter_forward()
    compare("a new iterate, the packing reused")
    u_n.x.array[:] *= -2.0  # the next step: other coefficients change
    k.x.array[:] += 1.0
    packed.refresh()
    compare("a new solve, repacked")


def test_history_gathered_others_packed_when_changed(comm):
    """With ``u_n`` as history it is re-gathered at a solve's start (not packed): the
    residual stays DOLFINx's after ``u_n`` changes, with one full packing; a changed other
    coefficient (k) is noticed and packed again."""
    u, u_n, k, F, J, bcs = _problem(comm, "mixed")
    packed = PackedResidual(F, u, bcs, history=(u_n,))
    compare = _comparison(packed, u, F, J, bcs)
    rng = np.random.default_rng(5 + comm.rank)

    u.x.array[:] = rng.random(len(u.x.array))
    for step in range(3):  # new time steps: u_n changes
        u_n.x.array[:] = rng.random(len(u_n.x.array))
        u_n.x.scatter_forward()
        packed.refresh()
        compare(f"step {step}")
    assert packed.packer.full_packs == 1
    k.x.array[:] += 1.0
    packed.refresh()
    compare("k changed")
    assert packed.packer.full_packs == 2


@pytest.mark.parametrize("linear_solver", ["direct", "block"])
def test_coupled_step_same_state(comm, monkeypatch, linear_solver):
    """Three coupled steps of the switching pillar (h_max = 4 nm refined once, 4.3k dofs)
    give the same M and m with the packed residual as with DOLFINx's, to the Newton
    tolerance (the update test stops Newton at 1e-10 of the solution). With MUMPS the states
    are bitwise equal (the lifting adds exact zeros); with GMRES they differ by 3e-13."""
    from tests.verification.test_block_solver import pillar

    states = []
    for flag in (False, True):
        monkeypatch.setattr(newton, "PACKED_RESIDUAL", flag)
        problem, dt = pillar(comm, ["geometry.h_max=4.0", "solver.refinements=1"],
                             linear_solver)
        with problem:
            step = problem._solvers_[0]
            assert (getattr(step, "primary", step)._packed is not None) == flag
            for _ in range(3):
                problem.step(dt)
            states.append([problem.field(name).x.array.copy() for name in ("M", "m")])
    for k, name in enumerate(("M", "m")):
        ref, new = states[0][k], states[1][k]
        scale = comm.allreduce(float(np.max(np.abs(ref))), op=MPI.MAX)
        diff = comm.allreduce(float(np.max(np.abs(new - ref))), op=MPI.MAX)
        assert diff < 1e-10 * scale, (name, diff / scale)  # measured 0 / 3e-13 (block, m)
