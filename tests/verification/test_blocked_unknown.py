"""The coupled step on one blocked P1 unknown of 9 components (fem_spin.core.blocked_space,
BAIJ Jacobian) gives the steps of the mixed space of three P1 vectors to the Newton
tolerance: monolithic with the direct solver and with the block solver (its field split
built from an AIJ copy), and staggered; serially and under MPI."""

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from petsc4py import PETSc

from fem_spin.app.builders.geometry import mesh_step
from fem_spin.app.builders.problems import coupled_problem
from fem_spin.app.results import Results
from fem_spin.app.schema import load_case
from fem_spin.core.blocked_space import blocked_space, field_maps
from fem_spin.problems import coupled

CASE = Path(__file__).resolve().parents[2] / "examples" / "switching_pillar.toml"
BAIJ = (PETSc.Mat.Type.SEQBAIJ, PETSc.Mat.Type.MPIBAIJ)
AIJ = (PETSc.Mat.Type.SEQAIJ, PETSc.Mat.Type.MPIAIJ)
DRIVE = 5.5


def steps(comm, blocked: bool, coupling: str, n: int, solver: str = "direct"):
    """M and m (by node position) after ``n`` steps of 2 ps of the switching pillar meshed
    at h_max = 4 nm (0.8k dofs; refined once for the block solver's multigrid), and the
    types of the Jacobian and of the preconditioner's matrix."""
    old = coupled.BLOCKED_UNKNOWN
    coupled.BLOCKED_UNKNOWN = blocked
    try:
        case = load_case(CASE, [f"dynamics.drives=[{DRIVE}]", "geometry.h_max=4.0",
                                f"dynamics.coupling={coupling}",
                                f"solver.refinements={int(solver == 'iterative')}"])
        case = dataclasses.replace(case, linear_solver=solver)
        geometry, hierarchy = mesh_step(comm, case, Results())
        p = coupled_problem(case, geometry, hierarchy=hierarchy)
    finally:
        coupled.BLOCKED_UNKNOWN = old
    p.set_drive(case.dynamics.drive(DRIVE))
    with p:
        assert p.blocked == blocked
        for _ in range(n):
            p.step(case.dynamics.dt)
        step = p._solvers_[0]
        step = getattr(step, "primary", step)  # the block solver's FallbackSolver
        J, P = step.snes.getJacobian()[:2]
        kind = (J.getType(), P.getType())
        M, m = p.field("M"), p.field("m")
        owned = M.function_space.dofmap.index_map.size_local
        x = M.function_space.tabulate_dof_coordinates()[:owned]
        gather = lambda a: np.concatenate(comm.allgather(a))  # noqa: E731
        x, M, m = gather(x), gather(M.x.array[:3 * owned].reshape(-1, 3)), gather(
            m.x.array[:3 * owned].reshape(-1, 3))
        order = np.lexsort(np.round(x, 9).T)
        return M[order], m[order], kind


@pytest.mark.parametrize("coupling", ["monolithic", "staggered"])
def test_blocked_unknown_reproduces_mixed_space(comm, coupling):
    M_b, m_b, kind_b = steps(comm, True, coupling, 4)
    M_x, m_x, kind_x = steps(comm, False, coupling, 4)
    assert kind_b[0] in BAIJ and kind_b[1] in BAIJ, kind_b  # MUMPS factors the BAIJ
    assert kind_x[0] in AIJ, kind_x
    print(coupling, np.max(np.abs(M_b - M_x)), np.max(np.abs(m_b - m_x)) / np.max(np.abs(m_x)))
    assert np.max(np.abs(M_b - M_x)) < 1e-9
    assert np.max(np.abs(m_b - m_x)) < 1e-9 * np.max(np.abs(m_x))


def test_blocked_unknown_block_solver(comm):
    """The block solver (m by multigrid, (M, W) by MUMPS, a field split within the nodal
    blocks): on the blocked unknown its preconditioner is built from an AIJ copy."""
    M_b, m_b, kind_b = steps(comm, True, "monolithic", 4, "iterative")
    M_x, m_x, kind_x = steps(comm, False, "monolithic", 4, "iterative")
    assert kind_b[0] in BAIJ and kind_b[1] in AIJ, kind_b
    assert kind_x[0] in AIJ and kind_x[1] in AIJ, kind_x
    print("block", np.max(np.abs(M_b - M_x)), np.max(np.abs(m_b - m_x)) / np.max(np.abs(m_x)))
    assert np.max(np.abs(M_b - M_x)) < 1e-9
    assert np.max(np.abs(m_b - m_x)) < 1e-9 * np.max(np.abs(m_x))


def test_field_maps_take_each_fields_components(comm):
    """Field i of a blocked space is components 3i..3i+2 of every node, numbered as the
    collapsed P1 vector space numbers them."""
    import dolfinx.fem as fem
    import dolfinx.mesh as dm

    mesh = dm.create_unit_cube(comm, 3, 3, 3, dm.CellType.tetrahedron)
    V = blocked_space(mesh, 3)
    u = fem.Function(V)
    u.interpolate(lambda x: np.vstack([x[0] + 10 * k for k in range(9)]))
    for i, (name, Vc, dofs) in enumerate(field_maps(V, ("m", "M", "W"))):
        f = fem.Function(Vc)
        f.interpolate(lambda x, i=i: np.vstack([x[0] + 10 * (3 * i + k) for k in range(3)]))
        assert np.array_equal(u.x.array[dofs], f.x.array), name


def test_blocked_unknown_with_magnetostatics(comm):
    """With the demagnetizing field (the pillar in an air ball, P2 potential; the coupling
    reads M by its dofs): the same states after 2 steps as on the mixed space."""
    import fem_spin as fs
    from fem_spin.geometry.pillar import ELECTRODE_BOTTOM, ELECTRODE_TOP, OUTER, nanopillar
    from fem_spin.physics.scales import spin_current

    layers = [("fixed", 6.0), ("spacer", 3.0), ("free", 4.0), ("cap", 7.0)]

    def M0(x):
        out = np.zeros((3, x.shape[1]))
        out[0, x[2] < 6.0 + 1e-9] = 1.0
        free_layer = (x[2] > 9.0 - 1e-9) & (x[2] < 13.0 + 1e-9)
        out[0, free_layer], out[1, free_layer] = np.cos(0.2), np.sin(0.2)
        return out

    def run(blocked):
        geo = nanopillar(comm, layers, rx=6.0, h_max=3.0, air_radius=20.0)
        demag = fs.Magnetostatics(geo.mesh, geo.cell_tags, geo.facet_tags,
                                  magnet_tags=[geo.tag(n) for n, _ in layers],
                                  outer_tag=geo.tag(OUTER), center=(0.0, 0.0, 10.0))
        fm, nm = fs.Material(D=1e3, tau=10.0, lam=-2.0), fs.Material(D=1e3, tau=10.0)
        materials = {geo.tag(n): (fm if n in ("fixed", "free") else nm) for n, _ in layers}
        free = fs.Magnet(Ms=1e6, A_ex=1.5e-11, alpha=0.1, K_u=1e5, easy_axis=(1, 0, 0))
        old = coupled.BLOCKED_UNKNOWN
        coupled.BLOCKED_UNKNOWN = blocked
        try:
            p = fs.CoupledSpinDynamics(
                demag.submesh, materials, {geo.tag("free"): free},
                cell_tags=demag.sub_cell_tags, facet_tags=demag.sub_facet_tags, M0=M0,
                flux=[fs.Flux(geo.tag(ELECTRODE_BOTTOM), spin_current(4e12, (1, 0, 0)))],
                dirichlet=[fs.Dirichlet(geo.tag(ELECTRODE_TOP), (0.0, 0.0, 0.0))],
                demag=demag)
        finally:
            coupled.BLOCKED_UNKNOWN = old
        with p:
            assert p.blocked == blocked
            for _ in range(2):
                p.step(2.0)
            M, m = p.field("M"), p.field("m")
            owned = M.function_space.dofmap.index_map.size_local
            x = np.concatenate(comm.allgather(
                M.function_space.tabulate_dof_coordinates()[:owned]))
            M, m = (np.concatenate(comm.allgather(f.x.array[:3 * owned].reshape(-1, 3)))
                    for f in (M, m))
        demag.close()
        order = np.lexsort(np.round(x, 9).T)
        return M[order], m[order]

    (M_b, m_b), (M_x, m_x) = run(True), run(False)
    assert np.max(np.abs(M_b - M_x)) < 1e-12
    assert np.max(np.abs(m_b - m_x)) < 1e-12 * np.max(np.abs(m_x))
