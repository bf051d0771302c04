"""The demos run at a coarse resolution (serially and under mpiexec -n 2) and get the physics right.

Each demo's ``main(argv)`` is called in-process, writing into a folder that is the same on
every MPI rank (created on rank 0, its path broadcast).
"""

import json
from pathlib import Path

import numpy as np
import pytest
from mpi4py import MPI

from fem_spin.app.catalog import load_demo
from fem_spin.paper.bilayer import L_SF, bisector_rotation, transverse
from fem_spin.textures import bilayer_axis_right

COARSE = ["--h-max", "1.0", "--samples", "801"]  # P2; seconds, not minutes


@pytest.fixture(scope="module")
def cpp_bilayer():
    return load_demo("cpp_bilayer")


def read_profile(path: Path):
    with open(path) as f:
        header = f.readline().strip().split(",")
    return header, np.loadtxt(path, delimiter=",", skiprows=1)


def run_bilayer(demo, out: Path, theta: float, *extra: str):
    """The demo's profile.csv is the case runner's line: s, x, m and M."""
    summary = demo.main([*COARSE, "--theta", str(theta), "--out", str(out), *extra])
    header, data = read_profile(out / "profile.csv")
    assert header == ["s", "x", "mx", "my", "mz", "Mx", "My", "Mz"]
    return summary, data[:, 1], data[:, 2:5]


def test_cpp_bilayer_outputs(cpp_bilayer, shared_dir):
    """theta = 90: files, end values, transverse accumulation, the mirror symmetry."""
    out = shared_dir / "cpp_theta90"
    length, theta = 100.0, np.deg2rad(90.0)
    summary, x, m = run_bilayer(cpp_bilayer, out, 90.0)

    # the CSV spans [-L, L] and carries the Dirichlet data at the ends
    assert x[0] == pytest.approx(-length, abs=1e-12) and x[-1] == pytest.approx(length, abs=1e-12)
    assert np.all(np.isfinite(m))
    np.testing.assert_allclose(m[0], [0.0, 0.0, -1.0], atol=1e-8)
    np.testing.assert_allclose(m[-1], [0.0, -np.sin(theta), np.cos(theta)], atol=1e-8)

    # the other files exist; the summary (written last) is complete and global
    png = (out / "profile.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    assert (out / "fields.bp").is_dir() and (out / "input.toml").is_file()
    on_disk = json.loads((out / "summary.json").read_text())
    assert on_disk == json.loads(json.dumps(summary))
    assert on_disk["solve"]["reason"].startswith("CONVERGED")
    assert on_disk["discretization"]["mpi_ranks"] == MPI.COMM_WORLD.size
    assert on_disk["discretization"]["dofs"] == 3 * (2 * on_disk["discretization"]["cells"] + 1)

    # orthogonal layers: a large transverse accumulation (zero at the ends, by the data)
    assert 0.3 < summary["results"]["peak_m_perp"] < 0.6
    perp = transverse(x, m, bilayer_axis_right(theta))
    assert perp[0] < 1e-8 and perp[-1] < 1e-8

    # m(x) = -R m(-x), R the pi rotation swapping the axes; the mesh is mirror-symmetric, so
    # the discrete solution inherits the symmetry up to round-off
    R = bisector_rotation(theta)
    np.testing.assert_allclose(x[::-1], -x, atol=1e-10)
    np.testing.assert_allclose(m, -(m[::-1] @ R.T), atol=1e-8)
    # ... and, as M(x) = R M(-x), the s-d torques lambda M x m on the layers: T_R = -R T_L
    torque = summary["results"]["torque_rad_per_ps_nm"]
    np.testing.assert_allclose(torque["right"], -R @ np.asarray(torque["left"]), atol=1e-8)


def test_cpp_bilayer_collinear_exact(cpp_bilayer, shared_dir):
    """theta = 0: H is parallel to z everywhere, so the transverse components vanish
    identically and, since D_zz = D whatever a(x), m_z = sinh(x/l_sf)/sinh(L/l_sf) exactly,
    independent of the interface width."""
    out = shared_dir / "cpp_theta0"
    length = 100.0
    _, x, m = run_bilayer(cpp_bilayer, out, 0.0, "--l-da", "3.0", "--length", str(length))
    l_sf = L_SF
    assert np.max(np.abs(m[:, :2])) < 1e-12
    np.testing.assert_allclose(m[:, 2], np.sinh(x / l_sf) / np.sinh(length / l_sf), atol=1e-6)
    np.testing.assert_allclose(m[:, 2], -m[::-1, 2], atol=1e-10)  # odd


def test_cpp_bilayer_orthogonal_largest(cpp_bilayer, shared_dir):
    """The paper's Figs. 8-11 finding, which reading (i) reproduces for L = 100 nm: the
    transverse accumulation is largest for orthogonal magnetizations."""
    peak = {}
    for theta in (45.0, 90.0, 135.0):
        summary, _, _ = run_bilayer(cpp_bilayer, shared_dir / f"cpp_theta{theta:g}", theta)
        peak[theta] = summary["results"]["peak_m_perp"]
    assert peak[90.0] > 1.1 * max(peak[45.0], peak[135.0]), peak


def test_cpp_bilayer_rejects_bad_arguments(cpp_bilayer, shared_dir):
    """Arguments are checked before any collective call: every rank exits the same way."""
    for bad in (["--l-da", "0"], ["--h-max", "-1"], ["--degree", "0"]):
        with pytest.raises(SystemExit):
            cpp_bilayer.main([*bad, "--out", str(shared_dir / "never")])
