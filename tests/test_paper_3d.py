"""The paper's applications in 3D (demos pillar_3d and torus_3d) and fem_spin.render.

The demos run in-process at their ``--coarse`` setting (seconds), serially and under
``mpiexec -n 2``; every number checked here comes from their summaries, which are global.
The thresholds are justified where they are asserted; the measured values at the coarse
setting are quoted next to them.
"""

import json
from pathlib import Path

import fem_spin  # noqa: F401  (must precede the DOLFINx imports)

# isort: split
import dolfinx.fem as fem
import dolfinx.mesh
import numpy as np
import pytest
from demo_loader import load_demo
import ufl
from mpi4py import MPI

from fem_spin import render
from fem_spin.errors import InputError



@pytest.fixture(scope="module")
def pillar(shared_dir):
    out = shared_dir / "pillar"
    summary = load_demo("pillar_3d").main(["--coarse", "--out", str(out)])
    return summary, out


@pytest.fixture(scope="module")
def torus(shared_dir):
    out = shared_dir / "torus"
    summary = load_demo("torus_3d").main(["--coarse", "--out", str(out)])
    return summary, out


def read_csv(path: Path):
    with open(path) as f:
        header = f.readline().strip().split(",")
    return header, np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)


def assert_picture(path: Path, min_bytes: int = 20_000, min_std: float = 0.02):
    """A PNG that is not blank: large enough and with varying pixels."""
    from matplotlib.image import imread

    data = path.read_bytes()
    assert data.startswith(b"\x89PNG"), path
    assert len(data) > min_bytes, (path, len(data))
    pixels = imread(path)[..., :3]
    assert pixels.std() > min_std, (path, pixels.std())


def assert_outputs(summary: dict, out: Path, csv_files: dict, bp_folders: list[str]):
    on_disk = json.loads((out / "summary.json").read_text())
    assert on_disk == json.loads(json.dumps(summary))
    assert on_disk["parameters"]["mpi_ranks"] == MPI.COMM_WORLD.size
    for name, first in csv_files.items():
        header, data = read_csv(out / name)
        assert header[0] == first, (name, header)
        if name != "torus_thick_edges.csv":
            assert header[1:4] == ["mx", "my", "mz"], (name, header)
        assert data.shape[1] == len(header) and np.all(np.isfinite(data)), name
    for name in bp_folders:
        assert (out / name).is_dir(), name
    for name in summary["pictures"]:
        assert_picture(out / name)


# -- the pillar ------------------------------------------------------------------------------


def test_pillar_files(pillar):
    summary, out = pillar
    assert_outputs(summary, out, {"uniform_axis.csv": "z", "vortex_axis.csv": "z",
                                  "vortex_mid_free.csv": "x", "vortex_local_1d.csv": "r"},
                   ["uniform_fields.bp", "vortex_fields.bp"])
    assert set(summary["pictures"]) == {"uniform_axis.png", "vortex_profiles.png",
                                        "uniform_fields.png", "vortex_fields.png"}


def test_pillar_reproduces_the_1d_bilayer(pillar):
    """Laterally uniform layers: the exact 3D solution is the 1D one, so the difference on the
    axis is the 3D discretization error. Checked three ways:

    * it falls under refinement faster than 0.6 per step h = 2 -> 1.5 nm (P2 in L2: h^3 gives
      (1.5/2)^3 = 0.42; measured 0.43) while the 1D reference is converged (< 1e-4;
      measured 2e-6);
    * it is of the size of another measure of the discretization error, the (spurious)
      difference between the axis and a line at 0.8 R (ratio 0.94 and 1.09 measured; bound 2);
    * at h = 1.5 nm (4.2 cells per 6.3 nm wavelength) it is below 0.3 (measured 0.20).
    """
    uniform = summary_part(pillar, "uniform")
    runs = uniform["resolutions"]
    assert [r["h_nm"] for r in runs] == [2.0, 1.5]
    assert uniform["reference_1d_rel_error_estimate"] < 1e-4
    e = [r["rel_l2_axis_vs_1d"] for r in runs]
    assert e[1] < 0.6 * e[0], e
    for r in runs:
        assert r["rel_l2_axis_vs_1d"] < 2.0 * r["rel_l2_off_axis_vs_axis"], r
    assert e[1] < 0.3, e
    # the 1D profile is the paper's small-sample one: a transverse accumulation of ~5
    assert 4.5 < uniform["max_abs_m_1d"][0] < 5.5
    # torques on the layers: 3D vs 1D per unit area x cross-section (12 % at h = 1.5 nm)
    for layer, diff in uniform["torque_finest_rel_diff_vs_1d"].items():
        assert diff < 0.2, (layer, diff)


def summary_part(fixture, key: str) -> dict:
    return fixture[0]["results"][key]


def test_pillar_vortex_varies_laterally(pillar):
    """The vortex case: the accumulation at mid free layer varies across the pillar (lateral
    variation ~1, against ~0.04 for the uniform layers at the same coarse mesh), the torque
    density is largest off the core, and the 3D torque on the free layer is far below the
    independent-columns estimate (measured 28x at h = 2 nm; asserted > 5x)."""
    vortex = summary_part(pillar, "vortex")
    assert vortex["lateral_variation_m_mid_free"] > 0.5
    assert vortex["lateral_variation_m_mid_free_uniform"] < 0.1
    assert vortex["torque_density_mid_free_max"] > 10 * vortex["torque_density_mid_free_at_axis"]
    assert vortex["m_axis_vs_edge_rel_l2"] > 0.5
    t3d = vortex["torque_rad_per_ps_nm3"]["free"][2]
    t1d = vortex["torque_z_local_1d_rad_per_ps_nm3"]["free"]
    assert t3d < 0 and t1d < 0
    assert abs(t1d) > 5 * abs(t3d), (t3d, t1d)


# -- the torus -------------------------------------------------------------------------------


def test_torus_files(torus):
    summary, out = torus
    assert_outputs(summary, out, {"torus_thin_centreline.csv": "s",
                                  "torus_thick_centreline.csv": "s",
                                  "torus_thick_edges.csv": "s"},
                   ["torus_thin_fields.bp", "torus_thick_fields.bp"])
    assert set(summary["pictures"]) == {"torus_profiles.png", "torus_thin_fields.png",
                                        "torus_thick_fields.png"}


def test_thin_torus_matches_the_ring(torus):
    """Thin torus (r/R = 0.1): on the centreline it is the 1D ring up to the discretization
    error, which falls under refinement (measured 1.2e-2 -> 2.5e-3 for h = 2 -> 1.5 nm;
    a model difference O((r/R)^2) would not fall), and the tube is thin enough that inner and
    outer edges agree to 1 % (measured 0.16 %)."""
    runs = summary_part(torus, "thin")["resolutions"]
    e = [r["rel_l2_centreline_vs_ring"] for r in runs]
    assert e[1] < 0.6 * e[0], e
    assert e[1] < 0.01, e
    for r in runs:
        assert r["rel_l2_inner_vs_outer"] < 0.01, r


def test_thick_torus_shows_curvature(torus):
    """Thick torus (r/R = 0.5): the centreline differs from the ring by a converged model
    difference (2.94 % at h = 3.5 nm, 2.94 % at 2.5 nm; > 3x the thin torus's discretization
    error), the accumulation varies across the tube between the inner and outer edge
    (9.5 %), and it does so radially: at equal distance from the axis, the point above the
    centreline equals the centreline value (0.09 %)."""
    thin = summary_part(torus, "thin")["resolutions"][-1]
    thick = summary_part(torus, "thick")
    assert 0.01 < thick["rel_l2_centreline_vs_ring"] < 0.1
    assert thick["rel_l2_centreline_vs_ring"] > 3 * thin["rel_l2_centreline_vs_ring"]
    assert thick["rel_l2_inner_vs_outer"] > 0.05
    assert thick["rel_l2_inner_vs_outer"] > 10 * thin["rel_l2_inner_vs_outer"]
    assert thick["rel_l2_top_vs_centreline"] < 0.2 * thick["rel_l2_inner_vs_outer"]


# -- fem_spin.render -------------------------------------------------------------------------


def cube(comm):
    return dolfinx.mesh.create_box(comm, [[0.0, 0.0, 0.0], [2.0, 1.0, 1.0]], [6, 3, 3],
                                   dolfinx.mesh.CellType.tetrahedron)


def test_gather_fields_is_the_serial_grid(comm):
    """Every mesh node once, with the P1 values of the fields at that node, on rank 0."""
    mesh = cube(comm)
    x = ufl.SpatialCoordinate(mesh)
    V = fem.functionspace(mesh, ("Lagrange", 2, (3,)))
    u = fem.Function(V)
    u.interpolate(lambda p: np.stack([p[0], p[1] * p[2], -p[2]]))
    grid = render.gather_fields(mesh, {"u": u, "s": x[0] + 2 * x[1]})
    if comm.rank != 0:
        assert grid is None
        return
    assert grid.points.shape == (7 * 4 * 4, 3)
    assert len(grid.cell_types) == 6 * 3 * 3 * 6 and set(grid.cell_types) == {10}
    p = grid.points
    np.testing.assert_allclose(grid.point_data["u"], np.column_stack([p[:, 0], p[:, 1] * p[:, 2],
                                                                      -p[:, 2]]), atol=1e-12)
    np.testing.assert_allclose(grid.point_data["s"], p[:, 0] + 2 * p[:, 1], atol=1e-12)
    vtk = grid.to_pyvista()
    assert vtk.n_points == len(p) and vtk.n_cells == len(grid.cell_types)
    assert vtk.volume == pytest.approx(2.0, rel=1e-12)


def test_render_writes_pictures(comm, shared_dir):
    """Glyphs (lattice and explicit points) and scalars on slices and on the surface."""
    mesh = cube(comm)
    x = ufl.SpatialCoordinate(mesh)
    field = ufl.as_vector((ufl.sin(x[0]), ufl.cos(x[0]), x[2]))
    grid = render.gather_fields(mesh, {"m": field})
    if comm.rank == 0:
        out = shared_dir / "render"
        plane = ((1.0, 0.5, 0.5), (0.0, 1.0, 0.0))
        path = render.render_glyphs(grid, out / "glyphs.png", vectors="m", plane=plane,
                                    color_by="m:z", title="test glyphs")
        assert_picture(path, min_bytes=10_000)
        points = np.column_stack([np.linspace(0.1, 1.9, 9), np.full(9, 0.5), np.full(9, 0.5)])
        path = render.render_panels(grid, out / "panels.png", [
            render.GlyphPanel(vectors="m", points=points, view="iso", title="points"),
            render.ScalarPanel(scalars="m:x", planes=[plane], title="slice"),
            render.ScalarPanel(scalars="m", surface=True, title="surface"),
        ], panel_size=(400, 300))
        assert_picture(path, min_bytes=10_000)
        with pytest.raises(InputError, match="no field"):
            render.render_scalar(grid, out / "never.png", scalars="missing")
        with pytest.raises(InputError, match="not a vector field"):
            render.render_glyphs(grid, out / "never.png", vectors="nothing")
        assert not (out / "never.png").exists()
    comm.barrier()
