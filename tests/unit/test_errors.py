"""Bad input and failed solves give a fem_spin error that names the problem."""

import dolfinx.mesh
import numpy as np
import pytest
import ufl

import fem_spin as fs
from fem_spin.core.newton import OPTIONS_PREFIX
from fem_spin.geometry.interval import layered_interval
from fem_spin.paper.bilayer import BilayerCase
from fem_spin.paper.ring import solve_ring

MAT = fs.Material(D=1e3, tau=10.0)
DATA_L, DATA_R = (0.3, -0.5, 1.0), (1.0, 0.2, -0.4)


@pytest.fixture
def geo(comm):
    """1D, two layers (cell tags 1, 2 on [0, 40] and [40, 100]), end facets tagged 1, 2."""
    return layered_interval(comm, np.linspace(0.0, 100.0, 51), [("a", 40.0), ("b", 100.0)])


def ends(geo):
    return [fs.Dirichlet(geo.tags["left"], DATA_L), fs.Dirichlet(geo.tags["right"], DATA_R)]


# -- parameters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"D": -1.0, "tau": 1.0}, r"Material\.D must be positive, got -1\.0 \(nm\^2/ps\)"),
        ({"D": 0, "tau": 1.0}, r"Material\.D must be positive"),
        ({"D": 1.0, "tau": 0.0}, r"Material\.tau must be positive, got 0\.0 \(ps\)"),
        ({"D": 1.0, "tau": (1.0, -2.0, 1.0)}, r"Material\.tau must be positive"),
        ({"D": (1.0, 2.0), "tau": 1.0},
         r"Material\.D must be a number or three numbers \(x, y, z\), got 2 numbers"),
        ({"D": 1.0, "tau": (1.0, 2.0, 3.0, 4.0)}, r"Material\.tau .* got 4 numbers"),
        ({"D": "fast", "tau": 1.0}, r"Material\.D must be a number or three numbers, got 'fast'"),
        ({"D": 1.0, "tau": float("nan")}, r"Material\.tau must be finite"),
        ({"D": 1.0, "tau": 1.0, "lam": float("inf")}, r"Material\.lam must be a finite number"),
        ({"D": 1.0, "tau": 1.0, "m0": "1"}, r"Material\.m0 must be a finite number"),
    ],
)
def test_material_rejects_bad_values(kwargs, message):
    with pytest.raises(fs.InputError, match=message):
        fs.Material(**kwargs)


def test_material_accepts_numpy_numbers():
    mat = fs.Material(D=np.float32(2.0), tau=np.array([1.0, 2.0, 3.0]), lam=np.int64(1))
    assert mat.D3 == (2.0, 2.0, 2.0) and mat.tau3 == (1.0, 2.0, 3.0)


def test_spin_diffusion_length_must_be_positive():
    with pytest.raises(fs.InputError, match="l_sf must be positive"):
        fs.Material.from_spin_diffusion_length(l_sf=0.0, D=1.0)


@pytest.mark.parametrize("components", [(0, 3), (-1,), (), (1, 1), ("x",), 1.5])
def test_dirichlet_components_out_of_range(components):
    with pytest.raises(fs.InputError, match=r"Dirichlet\(tag=1\)\.components must be distinct "
                                            r"spin components out of \(0, 1, 2\)"):
        fs.Dirichlet(1, DATA_L, components=components)


def test_dirichlet_single_component_as_int():
    assert fs.Dirichlet(1, DATA_L, components=2).components == (2,)


@pytest.mark.parametrize("cls", [fs.Dirichlet, fs.Flux])
def test_boundary_value_must_be_a_3_vector(cls):
    name = cls.__name__
    with pytest.raises(fs.InputError, match=rf"{name}\(tag=1\)\.value must be a constant "
                                            r"3-vector.*got \(1\.0, 2\.0\)"):
        cls(1, (1.0, 2.0))
    with pytest.raises(fs.InputError, match=rf"{name}\(tag=1\)\.value .* got UFL shape \(2,\)"):
        cls(1, ufl.as_vector((1.0, 2.0)))
    with pytest.raises(fs.InputError, match=rf"{name}\(tag='left'\): the facet tag must be an "
                                            "integer"):
        cls("left", DATA_L)


def test_flux_value_cannot_be_a_callable():
    with pytest.raises(fs.InputError, match="interpolate a callable into a Function first"):
        fs.Flux(1, lambda x: x)


# -- problem set-up --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [fs.Dirichlet, fs.Flux])
def test_boundary_data_on_missing_facet_tag(comm, geo, kind):
    with pytest.raises(fs.InputError, match=r"boundary data on facet tags \[7\], which the mesh "
                                            r"does not have; its facet tags are \[1, 2, 101\]"):
        fs.SteadySpinDiffusion(geo.mesh, MAT, facet_tags=geo.facet_tags,
                               **{kind.__name__.lower(): [kind(1, DATA_L), kind(7, DATA_L)]})


def test_boundary_data_without_facet_tags(comm, geo):
    with pytest.raises(fs.InputError, match=r"boundary data on facet tags \[1, 2\] need "
                                            r"facet_tags: pass the mesh's facet MeshTags"):
        fs.SteadySpinDiffusion(geo.mesh, MAT, dirichlet=ends(geo))


def test_boundary_data_of_wrong_type(comm, geo):
    with pytest.raises(fs.InputError, match=r"must be Dirichlet\(\.\.\.\) or Flux\(\.\.\.\)"):
        fs.SteadySpinDiffusion(geo.mesh, MAT, facet_tags=geo.facet_tags,
                               dirichlet=[(1, DATA_L)])


def test_materials_for_missing_cell_tag(comm, geo):
    with pytest.raises(fs.InputError, match=r"materials given for cell tags \[5\] that the mesh "
                                            r"does not have; the mesh's cell tags are \[1, 2\]"):
        fs.SteadySpinDiffusion(geo.mesh, {1: MAT, 2: MAT, 5: MAT}, cell_tags=geo.cell_tags)


def test_cell_tag_without_material(comm, geo):
    with pytest.raises(fs.InputError, match=r"no material for cell tags \[2\]: add them to "
                                            "materials"):
        fs.SteadySpinDiffusion(geo.mesh, {1: MAT}, cell_tags=geo.cell_tags)


def test_untagged_cells_have_no_material(comm, geo):
    mesh = geo.mesh
    imap = mesh.topology.index_map(1)
    cells = np.arange(imap.size_local + imap.num_ghosts, dtype=np.int32)
    left = cells[dolfinx.mesh.compute_midpoints(mesh, 1, cells)[:, 0] < 40.0]
    partial = dolfinx.mesh.meshtags(mesh, 1, left, np.full(len(left), 1, dtype=np.int32))
    with pytest.raises(fs.InputError, match=r"30 of 50 cells carry no cell tag, so they have no "
                                            "material: tag every cell"):
        fs.SteadySpinDiffusion(mesh, {1: MAT}, cell_tags=partial)


def test_several_materials_need_cell_tags(comm, geo):
    with pytest.raises(fs.InputError, match="several materials need cell_tags"):
        fs.SteadySpinDiffusion(geo.mesh, {1: MAT, 2: MAT})


def test_material_of_wrong_type(comm, geo):
    with pytest.raises(fs.InputError, match=r"materials\[2\] must be a fem_spin\.Material"):
        fs.SteadySpinDiffusion(geo.mesh, {1: MAT, 2: {"D": 1.0}}, cell_tags=geo.cell_tags)


@pytest.mark.parametrize("name", ["B_T", "H_ext", "M", "m_eq"])
@pytest.mark.parametrize("value", [(1.0, 2.0), (1.0, 2.0, 3.0, 4.0), "z", (0.0, np.nan, 1.0)])
def test_field_must_be_a_3_vector(comm, geo, name, value):
    with pytest.raises(fs.InputError, match=rf"{name} must be a constant 3-vector, a DOLFINx "
                                            "Function or a UFL 3-vector expression"):
        fs.SteadySpinDiffusion(geo.mesh, MAT, **{name: value})


@pytest.mark.parametrize("problem", ["SteadySpinDiffusion", "TransientSpinDiffusion", "LLG",
                                     "CoupledSpinDynamics"])
def test_the_removed_B_fails_clearly(comm, geo, problem):
    """B was a precession vector in rad/ps in S1/S2 and tesla in the LLG/coupled problems: an
    old call fails, naming B_T (tesla) and H_ext (rad/ps), instead of reading rad/ps as T."""
    magnet = fs.Magnet(Ms=1e6)
    args = {"SteadySpinDiffusion": (MAT,), "TransientSpinDiffusion": (MAT,),
            "LLG": (magnet,), "CoupledSpinDynamics": (MAT, magnet)}[problem]
    extra = {"M0": (0.0, 0.0, 1.0)} if problem in ("LLG", "CoupledSpinDynamics") else {}
    with pytest.raises(fs.InputError, match=rf"{problem}\(B=\.\.\.\): the external field is "
                                            r"given in tesla .* B_T=.* H_ext="):
        getattr(fs, problem)(geo.mesh, *args, B=(0.0, 0.0, 10.0), **extra)


def test_both_field_forms_refused(comm, geo):
    with pytest.raises(fs.InputError, match="B_T \\(tesla\\) or H_ext \\(rad/ps\\), not both"):
        fs.SteadySpinDiffusion(geo.mesh, MAT, B_T=(0.0, 0.0, 1.0), H_ext=(0.0, 0.0, 1.0))


def test_B_T_is_minus_H_ext_over_gamma_e(comm, geo):
    """The same precession from B_T in tesla and from H_ext = -gamma_e B_T."""
    kw = dict(facet_tags=geo.facet_tags, dirichlet=ends(geo), M=(1.0, 0.0, 0.0))
    with fs.SteadySpinDiffusion(geo.mesh, MAT, B_T=(0.0, 0.3, 1.0), **kw) as a, \
            fs.SteadySpinDiffusion(geo.mesh, MAT, H_ext=(0.0, -0.3 * fs.GAMMA_E, -fs.GAMMA_E),
                                   **kw) as b:
        a.solve()
        b.solve()
        assert np.max(np.abs(a.m.x.array - b.m.x.array)) < 1e-12
        assert np.max(np.abs(a.m.x.array)) > 0.1


def test_ufl_field_of_wrong_shape(comm, geo):
    x = ufl.SpatialCoordinate(geo.mesh)
    with pytest.raises(fs.InputError, match=r"M must be a 3-vector field, got UFL shape \(2,\)"):
        fs.SteadySpinDiffusion(geo.mesh, MAT, M=ufl.as_vector((x[0], 1.0)))


@pytest.mark.parametrize("degree", [0, -1, 1.0, "1"])
def test_degree_must_be_a_positive_integer(comm, geo, degree):
    with pytest.raises(fs.InputError, match=r"degree must be an integer >= 1, got"):
        fs.SteadySpinDiffusion(geo.mesh, MAT, degree=degree)


def test_petsc_options_must_be_a_dict(comm, geo):
    with pytest.raises(fs.InputError, match="petsc_options must be a dict of PETSc option names"):
        fs.SteadySpinDiffusion(geo.mesh, MAT, petsc_options=["ksp_type", "gmres"])


@pytest.mark.parametrize("name", ["snes_mf_operator", "-snes_mf"])
def test_matrix_free_jacobian_options_are_refused(comm, geo, name):
    """PETSc's finite-difference Jacobian replaces the matrix fem_spin assembles into: a
    clear InputError naming the option, not error 101 inside the solve."""
    with pytest.raises(fs.InputError, match=r"petsc_options \['snes_mf.*not supported"):
        fs.SteadySpinDiffusion(geo.mesh, MAT, petsc_options={name: True})


# -- failed solves ---------------------------------------------------------------------------


def test_diverging_linear_solver_raises_solver_error(comm, geo):
    """Unpreconditioned GMRES with 2 iterations cannot solve S1: SNES must see the failed
    linear solve and the error must name the reasons and the iteration counts."""
    problem = fs.SteadySpinDiffusion(
        geo.mesh, MAT, facet_tags=geo.facet_tags, H_ext=(0.0, 0.0, 0.1), dirichlet=ends(geo),
        petsc_options={"ksp_type": "gmres", "pc_type": "none", "ksp_max_it": 2},
    )
    with pytest.raises(fs.SolverError) as info:
        problem.solve()
    message = str(info.value)
    assert "S1 did not converge: SNES reason DIVERGED_LINEAR_SOLVE" in message
    assert "after 0 Newton iterations (2 linear iterations in total)" in message
    assert "(ksp_type gmres, pc_type none) ended with KSP reason DIVERGED_MAX_IT after 2 " \
           "iterations" in message
    assert "last residual norms: " in message
    assert "use the direct solver" in message
    assert problem._solver.snes.getConvergedReason() < 0


def test_newton_iteration_limit_raises_solver_error(comm, geo):
    problem = fs.SteadySpinDiffusion(geo.mesh, MAT, facet_tags=geo.facet_tags,
                                     dirichlet=ends(geo), petsc_options={"snes_max_it": 0})
    with pytest.raises(fs.SolverError, match=r"SNES reason DIVERGED_MAX_IT after 0 Newton "
                                             r"iterations.*snes_max_it = 0"):
        problem.solve()


def test_petsc_errors_become_solver_errors(comm, geo):
    """With PETSc told to raise on non-convergence, the error still names the reasons."""
    problem = fs.SteadySpinDiffusion(
        geo.mesh, MAT, facet_tags=geo.facet_tags, dirichlet=ends(geo),
        petsc_options={"ksp_type": "gmres", "pc_type": "none", "ksp_max_it": 2,
                       "ksp_error_if_not_converged": True},
    )
    with pytest.raises(fs.SolverError, match=r"PETSc raised inside the solve \(error code \d+: "
                                             r"KSPSolve\(\) has not converged, reason DIVERGED_ITS"
                                             r"\).*KSP reason DIVERGED_MAX_IT after 2 iterations"):
        problem.solve()


def test_options_do_not_leak_between_problems(comm, geo):
    """A failing problem's options (here: PETSc errors, 2 GMRES iterations) must not reach the
    next problem, which uses the defaults."""
    from petsc4py import PETSc

    bad = fs.SteadySpinDiffusion(
        geo.mesh, MAT, facet_tags=geo.facet_tags, dirichlet=ends(geo),
        petsc_options={"ksp_type": "gmres", "pc_type": "none", "ksp_max_it": 2,
                       "snes_error_if_not_converged": True},
    )
    with pytest.raises(fs.SolverError):
        bad.solve()
    assert not [k for k in PETSc.Options().getAll() if k.startswith(OPTIONS_PREFIX)]
    good = fs.SteadySpinDiffusion(geo.mesh, MAT, facet_tags=geo.facet_tags, dirichlet=ends(geo))
    info = good.solve()
    assert info.reason.startswith("CONVERGED") and info.newton_iterations == 1
    assert not good._solver.snes.getErrorIfNotConverged()
    # repeated solves report their own residual history, not the accumulated one
    good.m.x.array[:] = 0.0
    assert len(good.solve().residual_norms) == len(info.residual_norms) == 2


def test_mumps_options_reach_the_factorization(comm, geo):
    problem = fs.SteadySpinDiffusion(geo.mesh, MAT, facet_tags=geo.facet_tags,
                                     dirichlet=ends(geo), petsc_options={"mat_mumps_icntl_14": 57})
    problem.solve()
    factor = problem._solver.snes.getKSP().getPC().getFactorMatrix()
    assert factor.getMumpsIcntl(14) == 57


# -- solver options ------------------------------------------------------------------------


def test_iterative_solver_with_ilu(comm, geo):
    """pc_type ilu works serially (the default MUMPS solver type is dropped: MUMPS has no ILU);
    in parallel PETSc has no ILU for MPI matrices and the error says so."""
    problem = fs.SteadySpinDiffusion(
        geo.mesh, MAT, facet_tags=geo.facet_tags, H_ext=(0.0, 0.0, 0.1), dirichlet=ends(geo),
        petsc_options={"ksp_type": "gmres", "pc_type": "ilu", "ksp_rtol": 1e-12},
    )
    if comm.size == 1:
        assert problem.solve().reason.startswith("CONVERGED")
    else:
        with pytest.raises(fs.SolverError, match=r"error code 92: Could not locate a solver "
                                                 r"type for factorization type ILU.*bjacobi"):
            problem.solve()


# -- the paper's cases (fem_spin.paper) ---------------------------------------------------


def test_bilayer_case_validation():
    with pytest.raises(fs.InputError):
        BilayerCase(theta=90.0, reading="iv")
    with pytest.raises(fs.InputError):
        BilayerCase(theta=90.0, l_da=0.0)
    assert BilayerCase(theta=90.0, length=10.0, reading="ii").name == \
        "bilayer_ii_L10_lda0.6_theta90"


def test_ring_rejects_reading_i(comm):
    with pytest.raises(fs.InputError, match="no electrodes"):
        solve_ring(comm, "i", 10.0)


def test_undriven_s1_warns():
    """An S1 problem with no boundary data and a zero m_eq solves to m = 0: it says so."""
    import dolfinx.mesh
    from mpi4py import MPI

    from fem_spin import Material, SteadySpinDiffusion
    from fem_spin.problems.steady import UndrivenWarning

    mesh = dolfinx.mesh.create_unit_interval(MPI.COMM_WORLD, 8)
    with pytest.warns(UndrivenWarning, match="nothing drives the spin accumulation"):
        SteadySpinDiffusion(mesh, Material(D=1e3, tau=10.0)).close()
    with pytest.warns(UndrivenWarning):
        SteadySpinDiffusion(mesh, Material(D=1e3, tau=10.0), m_eq=(0.0, 0.0, 0.0)).close()


def test_dynamics_solver_advice_does_not_promise_a_resume():
    """A failed time step's advice (lower dt, or step control) means a changed case, which
    --resume refuses: the advice says to run the case again."""
    from pathlib import Path

    from fem_spin.app.schema import load_case
    from fem_spin.app.solver_advice import solver_advice

    case = load_case(Path(__file__).parents[2] / "examples" / "switching_pillar.toml", [])
    advice = solver_advice(case)
    assert "dynamics.dt" in advice and "dynamics.tol" in advice
    assert "run the case again" in advice and "then resume" not in advice
