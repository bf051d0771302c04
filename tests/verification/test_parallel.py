"""The same S1 problem on all ranks (COMM_WORLD, distributed) and on one rank (COMM_SELF) gives
the same solution norms and observables to 1e-10 relative. Meaningful under mpiexec -n 2."""

import dolfinx.fem as fem
import numpy as np
import pytest
import ufl
from mpi4py import MPI

import fem_spin as fs
from fem_spin.core.fields import interpolate
from fem_spin.geometry.interval import graded_nodes, layered_interval
from fem_spin.observables.sampling import integrate, l2_norm, sample_line
from fem_spin.textures import bilayer_magnetization
from tests.helpers.mms import FLUX, solve_mms

# on one rank COMM_WORLD is COMM_SELF: nothing to compare (make test-mpi and test-ranks run it)
pytestmark = pytest.mark.skipif(MPI.COMM_WORLD.size == 1,
                                reason="compares a distributed run with a single-rank one: "
                                       "run under mpiexec -n 2 or more")


def observables(problem, line) -> np.ndarray:
    comm = problem.mesh.comm
    n = ufl.FacetNormal(problem.mesh)
    values = [
        l2_norm(comm, problem.m, problem.dx),
        l2_norm(comm, ufl.grad(problem.m), problem.dx),
        *integrate(comm, (problem.m, problem.dx)),
        *integrate(comm, (problem.spin_current, problem.dx)).ravel(),
        *integrate(comm, (problem.torque_density, problem.dx)),
        *integrate(comm, (problem.spin_current * n, line["ds"](problem))),
        *sample_line(problem.m, line["p0"], line["p1"], 7)[2].ravel(),
    ]
    return np.asarray(values)


def bilayer(comm):
    geo = layered_interval(comm, graded_nodes(-30.0, 30.0, 1.0, [(0.0, 0.1)]),
                           [("left", 0.0), ("right", 30.0)])
    x = ufl.SpatialCoordinate(geo.mesh)
    mat = fs.Material.from_spin_diffusion_length(l_sf=20.0, D=1e3, lam=2.0, m0=0.5)
    problem = fs.SteadySpinDiffusion(
        geo.mesh, {1: mat, 2: fs.Material(D=800.0, tau=0.3, lam=1.0, m0=-0.2)},
        cell_tags=geo.cell_tags, facet_tags=geo.facet_tags,
        M=interpolate(bilayer_magnetization(np.deg2rad(60.0), 2.0),
                      fem.functionspace(geo.mesh, ("Lagrange", 2, (3,)))),
        H_ext=ufl.as_vector((0.1, 0.0, 0.3 * ufl.tanh(x[0] / 5.0))),
        dirichlet=[fs.Dirichlet(geo.tags["left"], (0.0, 0.0, -1.0))],
        flux=[fs.Flux(geo.tags["right"], (0.01, 0.02, -0.03))], degree=2)
    problem.solve()
    return problem


CASES = {
    "1d-bilayer": (bilayer, {"p0": [-30.0], "p1": [30.0], "ds": lambda p: p.ds(2)}),
    "2d-mms": (lambda c: solve_mms(c, 2, 12, 2, a=10.0, D=1.0, tau=1.0)[1],
               {"p0": [0.1, 0.0], "p1": [0.9, 1.0], "ds": lambda p: p.ds(FLUX)}),
    "3d-mms": (lambda c: solve_mms(c, 3, 5, 2, a=1.0, D=(1.0, 1.5, 0.8), tau=(1.0, 0.7, 1.3))[1],
               {"p0": [0.0, 0.2, 0.3], "p1": [1.0, 0.7, 0.6], "ds": lambda p: p.ds(FLUX)}),
    # P1 with one linear solve: A m - b, the per-cell tensor and its diffusion kernel
    "3d-mms-p1-linear": (lambda c: solve_mms(c, 3, 6, 1, a=3.0, D=(1.0, 1.5, 0.8),
                                             tau=(1.0, 0.7, 1.3),
                                             petsc_options={"snes_type": "ksponly"})[1],
                         {"p0": [0.0, 0.2, 0.3], "p1": [1.0, 0.7, 0.6],
                          "ds": lambda p: p.ds(FLUX)}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_distributed_equals_single_rank(case):
    build, line = CASES[case]
    distributed = observables(build(MPI.COMM_WORLD), line)
    single = observables(build(MPI.COMM_SELF), line)
    assert np.all(np.isfinite(distributed))
    scale = np.abs(single).max()
    np.testing.assert_allclose(distributed, single, rtol=1e-10, atol=1e-10 * scale)
    # every rank holds the same numbers
    gathered = MPI.COMM_WORLD.allgather(distributed)
    assert all(np.array_equal(g, distributed) for g in gathered)


@pytest.mark.parametrize("solver", ["direct", "iterative"])
def test_coupled_steps_distributed_equal_single_rank(solver):
    """The coupled step (S2 + LLG on the blocked unknown; the direct chord through W's Schur
    complement, or the block solver with the magnets' (M, W) by it): the switching pillar at
    h_max = 4 nm, 4 steps, the same M and m on all ranks as on one, to the Newton tolerance.
    (Not refined: DOLFINx's uniform refinement does not split each tetrahedron's inner
    octahedron along the same diagonal on every partition, so refined meshes differ between
    rank counts: docs/hpc.md.)"""
    refinements = 0
    from tests.helpers.switching_pillar import by_position, pillar

    states = []
    for comm in (MPI.COMM_WORLD, MPI.COMM_SELF):
        p, dt = pillar(comm, ["geometry.h_max=4.0", f"solver.refinements={refinements}"], solver)
        with p:
            assert p.blocked and "Schur" in p.solver_description, p.solver_description
            for _ in range(4):
                p.step(dt)
            states.append(by_position(comm, p))
    (M, m), (M1, m1) = states
    print(solver, np.max(np.abs(M - M1)), np.max(np.abs(m - m1)) / np.max(np.abs(m1)))
    assert np.max(np.abs(M - M1)) < 1e-9
    assert np.max(np.abs(m - m1)) < 1e-9 * np.max(np.abs(m1))
