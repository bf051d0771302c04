"""gmsh layer builders: 1D multilayer and 2D CPP/CIP slabs (measures, tags, grading, cache,
input errors) and an S1 solve on the graded 1D multilayer."""

import math
import shutil
import tempfile
from pathlib import Path

import dolfinx.fem as fem
import dolfinx.mesh
import numpy as np
import pytest
import ufl
from mpi4py import MPI

import fem_spin as fs
from fem_spin.core.fields import interpolate
from fem_spin.geometry.interval import layered_interval
from fem_spin.geometry.multilayer import (
    INTERFACE,
    LEFT,
    RIGHT,
    Layer,
    layer_materials,
    multilayer,
)
from fem_spin.geometry.slab import ELECTRODE_LEFT, ELECTRODE_RIGHT, SIDE, slab
from fem_spin.observables.sampling import integrate, l2_norm
from tests.helpers.exact import uniform_field_1d

L_SF, D = 100.0, 1e3  # nm, nm^2/ps
TAU = L_SF**2 / D  # 10 ps
STACK = [("fm_a", 10.0), ("spacer", 1.5), ("fm_b", 7.25)]  # name, thickness (nm)


@pytest.fixture
def shared_tmp(comm):
    """A temporary folder with the same path on every rank (made on rank 0)."""
    path = comm.bcast(tempfile.mkdtemp(prefix="fem_spin_geo_") if comm.rank == 0 else None)
    yield Path(path)
    comm.barrier()
    if comm.rank == 0:
        shutil.rmtree(path, ignore_errors=True)


def layers(material=None):
    return [Layer(name, t, material) for name, t in STACK]


def measure(geo, kind: str, name: str | None = None) -> float:
    """Global length/area of the cells (kind "dx") or boundary facets ("ds") tagged ``name``."""
    tags = geo.cell_tags if kind == "dx" else geo.facet_tags
    m = ufl.Measure(kind, domain=geo.mesh, subdomain_data=tags)
    return integrate(geo.mesh.comm, 1.0 * (m if name is None else m(geo.tag(name))))


def interior_facet_measure(geo, name: str) -> float:
    """Global measure of the (interior) facets tagged ``name``, summed over owned facets (``dS``
    would miss facets on a process boundary of an unghosted mesh)."""
    mesh = geo.mesh
    fdim = mesh.topology.dim - 1
    ft = geo.facet_tags
    facets = ft.indices[ft.values == geo.tag(name)]
    facets = facets[facets < mesh.topology.index_map(fdim).size_local]
    if fdim == 0:
        local = float(len(facets))
    else:
        nodes = dolfinx.mesh.entities_to_geometry(mesh, fdim, facets)
        x = mesh.geometry.x[nodes]
        local = float(np.linalg.norm(x[:, 1] - x[:, 0], axis=1).sum())
    return mesh.comm.allreduce(local)


def global_tag_values(comm, tags) -> set[int]:
    return set().union(*comm.allgather({int(v) for v in np.unique(tags.values)}))


# -- 1D multilayer -------------------------------------------------------------------------

def test_multilayer_measures_tags_grading(comm):
    x0 = -11.5  # the spacer's left face at x = -1.5, its right face at 0
    geo = multilayer(comm, layers(), x0=x0, l_da=0.5, wavelength=8.0, h_max=1.0)
    total = sum(t for _, t in STACK)
    assert geo.mesh.geometry.dim == 1
    assert measure(geo, "dx") == pytest.approx(total, rel=1e-12)
    for name, t in STACK:
        assert measure(geo, "dx", name) == pytest.approx(t, rel=1e-12)
    assert [geo.tag(name) for name, _ in STACK] == [1, 2, 3]
    assert global_tag_values(comm, geo.cell_tags) == {1, 2, 3}
    # end points: the point measure counts each once; the interfaces are interior points
    assert measure(geo, "ds", LEFT) == pytest.approx(1.0)
    assert measure(geo, "ds", RIGHT) == pytest.approx(1.0)
    # (no check of the untagged ds: with the unghosted meshes of model_to_mesh, DOLFINx 0.11
    # counts a 1D process-boundary vertex as exterior, see FEniCS/dolfinx#4525)
    names = [INTERFACE.format(i) for i in (1, 2)]
    assert all(interior_facet_measure(geo, n) == 1.0 for n in names)
    assert global_tag_values(comm, geo.facet_tags) == {geo.tag(n) for n in (LEFT, RIGHT, *names)}
    xmin = comm.allreduce(float(geo.mesh.geometry.x[:, 0].min()), op=MPI.MIN)
    assert xmin == pytest.approx(x0)

    # grading: h = l_da / 5 at the interfaces, wavelength / 20 = 0.4 nm elsewhere
    s = geo.stats
    assert {"cells", "h_min", "h_max", "h_interface", "target_h_interface", "target_h_max",
            "wavelength"} <= set(s)
    assert s["target_h_interface"] == pytest.approx(0.1)
    assert s["target_h_max"] == pytest.approx(0.4)
    assert s["h_interface"] <= 0.1 * (1 + 1e-9)
    assert s["h_min"] > 0.05
    assert 0.3 < s["h_max"] <= 0.4 * (1 + 1e-9)
    # graded, not uniform: far fewer cells than a uniform mesh at h_interface
    assert s["cells"] < 0.5 * total / 0.1


def test_transverse_wavelength():
    mat = fs.Material.from_spin_diffusion_length(l_sf=L_SF, D=D, lam=100.0 / TAU)
    assert mat.transverse_wavelength() == pytest.approx(2 * math.pi * L_SF / 100.0)
    assert mat.transverse_wavelength(10.0 / TAU) == pytest.approx(2 * math.pi * L_SF / 10.0)
    assert fs.Material(D=D, tau=TAU).transverse_wavelength() == math.inf


def test_multilayer_wavelength_from_materials(comm):
    mat = fs.Material.from_spin_diffusion_length(l_sf=L_SF, D=D, lam=20.0 / TAU)  # a = 20
    geo = multilayer(comm, layers(mat))
    assert geo.stats["wavelength"] == pytest.approx(2 * math.pi * L_SF / 20.0)
    assert geo.stats["h_max"] <= geo.stats["wavelength"] / 20 * (1 + 1e-9)


def test_multilayer_exact_uniform_field(comm):
    """S1 with a uniform field on a 3-layer stack of one material: the exact solution."""
    a, length = 10.0, 100.0
    mat = fs.Material(D=D, tau=TAU)
    stack = [Layer("a", 30.0, mat), Layer("b", 40.0, mat), Layer("c", 30.0, mat)]
    wavelength = mat.transverse_wavelength(a / TAU)  # 62.8 nm
    geo = multilayer(comm, stack, l_da=1.0, wavelength=wavelength)  # 20 points: for P2
    m_left, m_right = (0.3, -0.5, 1.0), (1.0, 0.2, -0.4)
    problem = fs.SteadySpinDiffusion(
        geo.mesh, layer_materials(stack, geo), cell_tags=geo.cell_tags,
        facet_tags=geo.facet_tags, H_ext=(0.0, 0.0, a / TAU),
        dirichlet=[fs.Dirichlet(geo.tag(LEFT), m_left), fs.Dirichlet(geo.tag(RIGHT), m_right)],
        degree=2)
    problem.solve()
    exact = interpolate(uniform_field_1d(a, L_SF, length, m_left, m_right),
                        fem.functionspace(geo.mesh, ("Lagrange", 5, (3,))))
    dx = ufl.dx(domain=geo.mesh, metadata={"quadrature_degree": 10})
    error = l2_norm(comm, problem.m - exact, dx) / l2_norm(comm, exact, dx)
    assert error < 1e-3, error  # 1.9e-4 on a uniform mesh with 20 points per wavelength


def test_multilayer_matches_mesh1d(comm):
    """Two materials: the gmsh multilayer and mesh1d.layered_interval on the same nodes give the
    same solution (same tags -> materials, same end tags)."""
    mats = [fs.Material.from_spin_diffusion_length(l_sf=L_SF, D=D, lam=1.0, m0=1.0),
            fs.Material.from_spin_diffusion_length(l_sf=40.0, D=300.0, lam=3.0, m0=0.5)]
    stack = [Layer("fm_a", 20.0, mats[0]), Layer("fm_b", 15.0, mats[1])]
    geo = multilayer(comm, stack, x0=-20.0, l_da=0.5)
    nodes = np.unique(np.concatenate(comm.allgather(geo.mesh.geometry.x[:, 0])))
    ref = layered_interval(comm, nodes, [("fm_a", 0.0), ("fm_b", 15.0)])
    sums = []
    for g in (geo, ref):
        problem = fs.SteadySpinDiffusion(
            g.mesh, layer_materials(stack, g), cell_tags=g.cell_tags, facet_tags=g.facet_tags,
            M=(0.0, 0.6, 0.8),
            dirichlet=[fs.Dirichlet(g.tag(LEFT), (0.0, 0.0, -1.0)),
                       fs.Dirichlet(g.tag(RIGHT), (0.0, 1.0, 0.0))])
        problem.solve()
        sums.append([integrate(comm, (problem.m, problem.dx(g.tag(n)))) for n in ("fm_a", "fm_b")])
    assert np.abs(sums[0][0]).max() > 0.1
    np.testing.assert_allclose(sums[0], sums[1], rtol=1e-9, atol=1e-12)


# -- 2D slabs ------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["cpp", "cip"])
def test_slab_measures_tags_grading(comm, mode):
    width = 12.0
    geo = slab(comm, layers(), width=width, mode=mode, h_max=2.0, h_interface=0.3,
               origin=(1.0, -2.0))
    total = sum(t for _, t in STACK)
    assert geo.mesh.geometry.dim == 2
    assert measure(geo, "dx") == pytest.approx(total * width, rel=1e-12)
    for name, t in STACK:
        assert measure(geo, "dx", name) == pytest.approx(t * width, rel=1e-12)
    assert global_tag_values(comm, geo.cell_tags) == {1, 2, 3}
    # electrodes: the outer edges of constant x, spanning one layer (CPP) or all (CIP)
    electrode = width if mode == "cpp" else total
    side = total if mode == "cpp" else width
    assert measure(geo, "ds", ELECTRODE_LEFT) == pytest.approx(electrode, rel=1e-12)
    assert measure(geo, "ds", ELECTRODE_RIGHT) == pytest.approx(electrode, rel=1e-12)
    assert measure(geo, "ds", SIDE) == pytest.approx(2 * side, rel=1e-12)
    assert measure(geo, "ds") == pytest.approx(2 * (electrode + side), rel=1e-12)
    low = [comm.allreduce(float(geo.mesh.geometry.x[:, k].min()), op=MPI.MIN) for k in (0, 1)]
    np.testing.assert_allclose(low, [1.0, -2.0])
    names = [INTERFACE.format(i) for i in (1, 2)]
    for name in names:
        assert interior_facet_measure(geo, name) == pytest.approx(width, rel=1e-12)
    assert global_tag_values(comm, geo.facet_tags) == {
        geo.tag(n) for n in (ELECTRODE_LEFT, ELECTRODE_RIGHT, SIDE, *names)}

    s = geo.stats
    assert {"cells", "h_min", "h_max", "quality_min", "quality_mean", "h_interface",
            "target_h_interface", "target_h_max"} <= set(s)
    assert s["quality_min"] > 0.5
    # gmsh sizes are target edge lengths: a triangle's longest edge is up to ~1.3 times that
    assert s["h_interface"] <= 1.4 * 0.3
    assert s["h_max"] > 3 * s["h_interface"]
    assert s["h_max"] <= 1.4 * 2.0


def test_slab_single_layer_no_interfaces(comm):
    geo = slab(comm, [Layer("bulk", 5.0)], width=4.0, mode="cip", h_max=1.0, h_interface=0.1)
    assert measure(geo, "dx", "bulk") == pytest.approx(20.0, rel=1e-12)
    assert measure(geo, "ds", ELECTRODE_LEFT) == pytest.approx(5.0, rel=1e-12)
    assert "interface_1" not in geo.tags
    assert geo.stats["h_min"] > 0.5  # nothing to refine


# -- cache and input errors ----------------------------------------------------------------

@pytest.mark.parametrize("builder", ["multilayer", "slab"])
def test_msh_cache(comm, shared_tmp, builder):
    def build(h):
        if builder == "multilayer":
            return multilayer(comm, layers(), l_da=0.5, h_max=h, cache_dir=shared_tmp)
        return slab(comm, layers(), width=5.0, h_max=h, h_interface=0.5, cache_dir=shared_tmp)

    def files():
        return comm.bcast({p.name: p.stat().st_mtime_ns for p in shared_tmp.iterdir()}
                          if comm.rank == 0 else None)

    first = build(1.0)
    cached = files()
    assert len(cached) == 1 and next(iter(cached)).startswith(builder)
    second = build(1.0)
    assert files() == cached  # read, not rewritten
    assert second.tags == first.tags
    for key in ("cells", "h_min", "h_max"):
        assert second.stats[key] == pytest.approx(first.stats[key], rel=1e-12)
    for name, _ in STACK:
        assert measure(second, "dx", name) == pytest.approx(measure(first, "dx", name))
    build(0.8)  # other parameters: another file
    assert len(files()) == 2


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Layer("a", -1.0), "thickness must be a positive"),
        (lambda: Layer("", 1.0), "name must be a non-empty string"),
        (lambda: Layer("a", 1.0, material="Co"), "material must be a fem_spin.Material"),
        (lambda: multilayer(None, []), "non-empty list of Layer"),
        (lambda: multilayer(None, [Layer("a", 1.0), Layer("a", 2.0)]), "duplicates \\['a'\\]"),
        (lambda: multilayer(None, [Layer("left", 1.0)]), "taken by boundary names"),
        (lambda: multilayer(None, [("a", 1.0)]), "layers\\[0\\] must be a Layer"),
        (lambda: multilayer(None, [Layer("a", 1.0)], l_da=0.0), "l_da"),
        (lambda: multilayer(None, [Layer("a", 1.0)], wavelength=-3.0), "wavelength"),
        (lambda: multilayer(None, [Layer("a", 1e4)], h_max=1e-4), "about .* cells"),
        (lambda: slab(None, [Layer("a", 1.0)], width=1.0, h_max=0.1, mode="x"), "mode must be"),
        (lambda: slab(None, [Layer("a", 1.0)], width=0.0, h_max=0.1), "width"),
        (lambda: slab(None, [Layer("side", 1.0)], width=1.0, h_max=0.1), "taken by boundary"),
        (lambda: layer_materials([Layer("a", 1.0)], None), "no material"),
    ],
)
def test_invalid_input(make, message):
    with pytest.raises(fs.InputError, match=message):
        make()
