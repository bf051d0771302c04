"""The paper's applications in 3D (demos pillar_3d and torus_3d).

The demos run in-process at their ``--coarse`` setting (seconds), serially and under
``mpiexec -n 2``; every number checked here comes from their summaries, which are global.
The bounds (tables paper_3d.* of reference_values.toml) were set around values measured at
the coarse setting, which the file quotes with their source, or follow from theory where it
says so.
"""

import json
from pathlib import Path

import numpy as np
import pytest
from mpi4py import MPI

from fem_spin.app.catalog import load_demo
from tests.helpers.bp import bp_nodes
from tests.helpers.pictures import assert_picture
from tests.helpers.reference import reference

REF = reference("paper_3d")


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


def assert_outputs(summary: dict, out: Path, csv_files: dict, bp_folders: list[str],
                   read_csv) -> dict[str, dict[str, np.ndarray]]:
    """summary.json, the CSV line data, the pictures and the VTX fields (returned, each node
    once)."""
    on_disk = json.loads((out / "summary.json").read_text())
    assert on_disk == json.loads(json.dumps(summary))
    assert on_disk["parameters"]["mpi_ranks"] == MPI.COMM_WORLD.size
    for name, first in csv_files.items():
        header, data = read_csv(out / name)
        assert header[0] == first, (name, header)
        if name != "torus_thick_edges.csv":
            assert header[1:4] == ["mx", "my", "mz"], (name, header)
        assert data.shape[1] == len(header) and np.all(np.isfinite(data)), name
    for name in summary["pictures"]:
        assert_picture(out / name)
    fields = {}
    for name in bp_folders:  # the VTX fields, read back
        fields[name] = nodes = bp_nodes(out / name)
        assert set(nodes) == {"x", "m", "H", "m_eq", "M"}, (name, set(nodes))
        assert all(np.all(np.isfinite(v)) for v in nodes.values()), name
        assert set(bp_nodes(out / name.replace(".bp", "_J.bp"))) == {"x", "J"}, name
    return fields


# -- the pillar ------------------------------------------------------------------------------


def test_pillar_files(pillar, read_csv):
    """The files; the fields at every P2 node of the written meshes (the finest uniform one, the
    vortex one): m = -z on the bottom electrode (z = 0), m = the free layer's axis = M on the
    top one (z = 2L), m_eq = 0 (reading (i)), H = lambda M; the axis profile starts and ends
    with the same values."""
    summary, out = pillar
    fields = assert_outputs(summary, out, {"uniform_axis.csv": "z", "vortex_axis.csv": "z",
                                           "vortex_mid_free.csv": "x",
                                           "vortex_local_1d.csv": "r"},
                            ["uniform_fields.bp", "vortex_fields.bp"], read_csv)
    assert set(summary["pictures"]) == {"uniform_axis.png", "vortex_profiles.png",
                                        "uniform_fields.png", "vortex_fields.png"}
    p, results = summary["parameters"], summary["results"]
    top, lam = 2 * p["layer_thickness_nm"], p["lambda_rad_per_ps"]
    dofs = {"uniform_fields.bp": results["uniform"]["resolutions"][-1]["dofs"],
            "vortex_fields.bp": results["vortex"]["dofs"]}
    for name, f in fields.items():
        assert 3 * len(f["x"]) == dofs[name], name
        z = f["x"][:, 2]
        bottom, upper = np.abs(z) < 1e-9, np.abs(z - top) < 1e-9
        assert bottom.sum() > 10 and upper.sum() > 10, name
        np.testing.assert_allclose(f["m"][bottom], np.tile([0.0, 0.0, -1.0], (bottom.sum(), 1)),
                                   atol=1e-12, err_msg=name)
        np.testing.assert_allclose(f["m"][upper], f["M"][upper], atol=1e-12, err_msg=name)
        np.testing.assert_allclose(np.linalg.norm(f["m"][upper], axis=1), 1.0, atol=1e-12)
        assert np.all(f["m_eq"] == 0.0), name
        np.testing.assert_allclose(f["H"], lam * f["M"], rtol=0, atol=1e-12, err_msg=name)
    n_right = [0.0, -1.0, 0.0]  # theta = 90 deg
    np.testing.assert_allclose(fields["uniform_fields.bp"]["M"][np.abs(
        fields["uniform_fields.bp"]["x"][:, 2] - top) < 1e-9][0], n_right, atol=1e-12)
    header, axis = read_csv(out / "uniform_axis.csv")
    np.testing.assert_allclose(axis[[0, -1], 0], [0.0, top], atol=1e-12)
    np.testing.assert_allclose(axis[0, 1:4], [0.0, 0.0, -1.0], atol=1e-12)
    np.testing.assert_allclose(axis[-1, 1:4], n_right, atol=1e-12)


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
    ref = REF["pillar_uniform"]
    uniform = summary_part(pillar, "uniform")
    runs = uniform["resolutions"]
    assert [r["h_nm"] for r in runs] == [2.0, 1.5]
    assert uniform["reference_1d_rel_error_estimate"] < ref["max_reference_1d_error"]
    e = [r["rel_l2_axis_vs_1d"] for r in runs]
    assert e[1] < ref["max_refinement_ratio"] * e[0], e
    for r in runs:
        assert r["rel_l2_axis_vs_1d"] < \
            ref["max_ratio_axis_vs_1d_over_off_axis"] * r["rel_l2_off_axis_vs_axis"], r
    assert e[1] < ref["max_rel_l2_axis_vs_1d_finest"], e
    # the 1D profile is the paper's small-sample one: a transverse accumulation of ~5
    low, high = ref["max_abs_m_1d"]
    assert low < uniform["max_abs_m_1d"][0] < high
    # torques on the layers: 3D vs 1D per unit area x cross-section (12 % at h = 1.5 nm)
    for layer, diff in uniform["torque_finest_rel_diff_vs_1d"].items():
        assert diff < ref["max_torque_rel_diff_vs_1d"], (layer, diff)


def summary_part(fixture, key: str) -> dict:
    return fixture[0]["results"][key]


def test_pillar_vortex_varies_laterally(pillar):
    """The vortex case: the accumulation at mid free layer varies across the pillar (lateral
    variation ~1, against ~0.04 for the uniform layers at the same coarse mesh), the torque
    density is largest off the core, and the 3D torque on the free layer is far below the
    independent-columns estimate (measured 28x at h = 2 nm; asserted > 5x)."""
    ref = REF["pillar_vortex"]
    vortex = summary_part(pillar, "vortex")
    assert vortex["lateral_variation_m_mid_free"] > ref["min_lateral_variation"]
    assert vortex["lateral_variation_m_mid_free_uniform"] < ref["max_lateral_variation_uniform"]
    assert vortex["torque_density_mid_free_max"] > \
        ref["min_ratio_torque_density_max_over_axis"] * vortex["torque_density_mid_free_at_axis"]
    assert vortex["m_axis_vs_edge_rel_l2"] > ref["min_m_axis_vs_edge"]
    t3d = vortex["torque_rad_per_ps_nm3"]["free"][2]
    t1d = vortex["torque_z_local_1d_rad_per_ps_nm3"]["free"]
    assert t3d < 0 and t1d < 0
    assert abs(t1d) > ref["min_ratio_torque_1d_over_3d"] * abs(t3d), (t3d, t1d)


# -- the torus -------------------------------------------------------------------------------


def test_torus_files(torus, read_csv):
    """The files; the fields at every P2 node of the finest thin torus and of the thick one:
    m_eq = m0 M (reading (iii)), H = lambda M, |M| <= 1, and the accumulation is driven
    (|m| reaches a sizeable fraction of m_eq)."""
    summary, out = torus
    fields = assert_outputs(summary, out, {"torus_thin_centreline.csv": "s",
                                           "torus_thick_centreline.csv": "s",
                                           "torus_thick_edges.csv": "s"},
                            ["torus_thin_fields.bp", "torus_thick_fields.bp"], read_csv)
    assert set(summary["pictures"]) == {"torus_profiles.png", "torus_thin_fields.png",
                                        "torus_thick_fields.png"}
    p, results = summary["parameters"], summary["results"]
    dofs = {"torus_thin_fields.bp": results["thin"]["resolutions"][-1]["dofs"],
            "torus_thick_fields.bp": results["thick"]["dofs"]}
    for name, f in fields.items():
        assert 3 * len(f["x"]) == dofs[name], name
        np.testing.assert_allclose(f["m_eq"], p["m0"] * f["M"], rtol=0, atol=1e-12)
        np.testing.assert_allclose(f["H"], p["lambda_rad_per_ps"] * f["M"], rtol=0, atol=1e-12)
        assert np.linalg.norm(f["M"], axis=1).max() <= 1 + 1e-12, name
        assert np.linalg.norm(f["m"], axis=1).max() > 0.3, name  # not zero: 0.64, 0.62


def test_thin_torus_matches_the_ring(torus):
    """Thin torus (r/R = 0.1): on the centreline it is the 1D ring up to the discretization
    error, which falls under refinement (measured 1.2e-2 -> 2.5e-3 for h = 2 -> 1.5 nm;
    a model difference O((r/R)^2) would not fall), and the tube is thin enough that inner and
    outer edges agree to 1 % (measured 0.16 %)."""
    ref = REF["torus_thin"]
    runs = summary_part(torus, "thin")["resolutions"]
    e = [r["rel_l2_centreline_vs_ring"] for r in runs]
    assert e[1] < ref["max_refinement_ratio"] * e[0], e
    assert e[1] < ref["max_rel_l2_centreline_vs_ring"], e
    for r in runs:
        assert r["rel_l2_inner_vs_outer"] < ref["max_rel_l2_inner_vs_outer"], r


def test_thick_torus_shows_curvature(torus):
    """Thick torus (r/R = 0.5): the centreline differs from the ring by a converged model
    difference (2.94 % at h = 3.5 nm, 2.94 % at 2.5 nm; > 3x the thin torus's discretization
    error), the accumulation varies across the tube between the inner and outer edge
    (9.5 %), and it does so radially: at equal distance from the axis, the point above the
    centreline equals the centreline value (0.09 %)."""
    ref = REF["torus_thick"]
    thin = summary_part(torus, "thin")["resolutions"][-1]
    thick = summary_part(torus, "thick")
    low, high = ref["rel_l2_centreline_vs_ring"]
    assert low < thick["rel_l2_centreline_vs_ring"] < high
    assert thick["rel_l2_centreline_vs_ring"] > \
        ref["min_ratio_centreline_vs_thin"] * thin["rel_l2_centreline_vs_ring"]
    assert thick["rel_l2_inner_vs_outer"] > ref["min_rel_l2_inner_vs_outer"]
    assert thick["rel_l2_inner_vs_outer"] > \
        ref["min_ratio_inner_vs_outer_over_thin"] * thin["rel_l2_inner_vs_outer"]
    assert thick["rel_l2_top_vs_centreline"] < \
        ref["max_ratio_top_over_inner_vs_outer"] * thick["rel_l2_inner_vs_outer"]
