"""What `fem-spin` refuses or warns about before and around a run (issue 17, items 4-6, 8):
sizes that cannot fit (estimated before meshing), unresolved physics (--strict), non-empty or
locked output folders (--overwrite), bad PETSc options (also `fem-spin check`), and inputs that
used to be accepted silently. In-process, serially and under MPI."""

import json
import math

import pytest
from mpi4py import MPI

from fem_spin.app import sizing
from fem_spin.app.cli import main
from fem_spin.app.folder import RunLock, process_info
from fem_spin.app.schema import load_case, loads
from tests.helpers import EXAMPLES

rank0 = MPI.COMM_WORLD.rank == 0
FAST = ["--set", "outputs.pictures=false", "--set", "outputs.lines.0.samples=101"]


def err_line(capsys) -> str:
    err = capsys.readouterr().err
    if not rank0:
        return ""
    lines = [ln for ln in err.splitlines() if ln.startswith("fem-spin: error:")]
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize(("example", "override", "at_least_gb"), [
    ("pillar_3d", "geometry.h_max=0.01", 1e4),
    ("slab_2d", "solver.refinements=5", 1.0),
    ("torus_3d", "geometry.h_max=0.02", 1e3),
])
def test_sizes_that_cannot_fit_are_refused_before_meshing(shared_dir, capsys, example,
                                                          override, at_least_gb):
    """Refused at once (no meshing, no folder) with the estimate and the limit, which is
    configurable."""
    out = shared_dir / f"too_big_{example}"
    argv = ["run", str(EXAMPLES / f"{example}.toml"), "--set", override, "--out", str(out)]
    assert main([*argv, "--max-memory", "0.5"]) == 2
    line = err_line(capsys)
    if rank0:
        assert "the mesh would have about" in line and "dofs" in line, line
        assert "more than the limit of 0.5 GB (--max-memory" in line, line
    assert not out.exists()
    case = load_case(EXAMPLES / f"{example}.toml", [override])
    assert sizing.estimate(case).memory_gb > at_least_gb


def test_the_estimate_is_within_a_factor_two(comm):
    """The estimate against the built mesh: pillar (3D) and slab (2D), cells and dofs."""
    from fem_spin.app.builders.geometry import build_geometry

    for example, sets in (("pillar_3d", ["geometry.h_max=1.5"]),
                          ("slab_2d", ["geometry.h_max=2.0"])):
        case = load_case(EXAMPLES / f"{example}.toml", sets)
        est = sizing.estimate(case)
        cells = build_geometry(comm, case).stats["cells"]
        assert 0.5 < est.cells / cells < 2.0, (example, est.cells, cells)


def test_unresolved_wavelength_warns_and_strict_refuses(shared_dir, capsys, caplog):
    """a_max = 1000 on pillar_3d: a 0.63 nm wavelength on 3 nm cells."""
    sets = ["--set", "materials.default.a_max=1000", "--set", "geometry.h_max=3.0", *FAST]
    argv = ["run", str(EXAMPLES / "pillar_3d.toml"), *sets]
    assert main([*argv, "--strict", "--out", str(shared_dir / "strict")]) == 2
    line = err_line(capsys)
    if rank0:
        assert "the mesh does not resolve the physics" in line and "wavelength" in line, line
        assert "--strict" in line
    with caplog.at_level("WARNING"):
        assert main(["-q", *argv, "--out", str(shared_dir / "warned")]) == 0
    if rank0:
        assert "nodes per wavelength, fewer than 5" in caplog.text


def test_unresolved_spin_diffusion_length_warns(shared_dir, caplog):
    """l_sf = 1e-3 nm on cpp_bilayer (cells of 1 nm)."""
    with caplog.at_level("WARNING"):
        assert main(["-q", "run", str(EXAMPLES / "cpp_bilayer.toml"), "--set",
                     "materials.default.l_sf=1e-3", "--set", "geometry.h_max=1.0", *FAST,
                     "--out", str(shared_dir / "lsf")]) == 0
    if rank0:
        assert "for a spin-diffusion length of 0.001 nm" in caplog.text


def test_output_folders_are_not_overwritten_silently(shared_dir, capsys):
    """A second run into a folder is refused; --overwrite clears the stale files; a folder
    that holds no run is never cleared; a folder locked by a live run is refused."""
    out = shared_dir / "folder"
    argv = ["-q", "run", str(EXAMPLES / "cpp_bilayer.toml"), "--set", "geometry.h_max=2.0",
            *FAST, "--out", str(out)]
    assert main(argv) == 0
    if rank0:
        (out / "stale.png").write_bytes(b"old picture")
    MPI.COMM_WORLD.barrier()
    assert main(argv) == 2
    line = err_line(capsys)
    if rank0:
        assert f"the output folder {out} is not empty" in line and "--overwrite" in line
    assert main([*argv, "--overwrite"]) == 0
    assert not (out / "stale.png").exists()
    assert json.loads((out / "summary.json").read_text())["status"] == "success"

    other = shared_dir / "not_a_run"
    if rank0:
        other.mkdir()
        (other / "thesis.tex").write_text("precious")
    MPI.COMM_WORLD.barrier()
    assert main([*argv[:-1], str(other), "--overwrite"]) == 2
    if rank0:
        assert "holds no run" in err_line(capsys)
    assert (other / "thesis.tex").read_text() == "precious"

    lock = RunLock(out, process_info(MPI.COMM_SELF)) if rank0 else None  # a live run
    try:
        assert main([*argv, "--overwrite"]) == 2
        line = err_line(capsys)
        if rank0:
            assert "another run (pid" in line and f"is writing into {out}" in line, line
    finally:
        if lock is not None:
            lock.release()


def test_bad_petsc_options_are_found_up_front(shared_dir, capsys):
    """`fem-spin check` and `run` name the option and its line; nothing is computed."""
    text = (EXAMPLES / "cpp_bilayer.toml").read_text() + (
        '\n[solver.petsc_options]\nksp_type = "nonexistent_ksp"\n')
    path = shared_dir / "bad_ksp.toml"
    if rank0:
        path.write_text(text)
    MPI.COMM_WORLD.barrier()
    line_no = len(text.splitlines())
    for command in ("check", "run"):
        assert main([command, str(path)]) == 2
        line = err_line(capsys)
        if rank0:
            assert line.startswith(f"fem-spin: error: {path}:{line_no}: "
                                   "solver.petsc_options.ksp_type: PETSc rejects"), line
    for options, words in (('{pc_type = "hypre"}', "no such type"),
                           ('{ksp_max_it = 2.5}', "wrong kind"),
                           ('{pc_factor_mat_solver_type = "pastix"}', "not installed")):
        assert main(["check", str(EXAMPLES / "cpp_bilayer.toml"), "--set",
                     f"solver.petsc_options={options}"]) == 2
        if rank0:
            assert words in err_line(capsys)
        else:
            capsys.readouterr()


@pytest.mark.parametrize(("text", "old", "new", "words"), [
    ("cpp_bilayer", "value = [0.0, 0.0, -1.0]", 'value = "-axis"', None),
    ("cpp_bilayer", "fm_right = { theta_deg = 90.0 }", "fm_right = { theta_deg = 1e300 }",
     "must lie in [-720, 720] degrees"),
    ("slab_2d", "h_interface = 0.2", "h_interface = 1e3", "must not exceed h_max"),
])
def test_silent_inputs_are_refused(text, old, new, words):
    source = (EXAMPLES / f"{text}.toml").read_text()
    assert old in source
    if words is None:  # "-axis" on fm_left (a magnet) is fine
        loads(source.replace(old, new, 1))
        return
    with pytest.raises(Exception, match=words.replace("[", r"\[").replace("]", r"\]")):
        loads(source.replace(old, new, 1))


def test_axis_on_a_layer_without_magnetization_is_refused():
    """Dirichlet "axis" at the end of a layer whose axis is 0 would mean m = 0 there."""
    source = """
[geometry]
kind = "multilayer"
layers = [{ name = "nm", thickness = 10.0 }, { name = "fm", thickness = 10.0 }]
mesher = "graded"
h_max = 1.0
[materials.default]
D = 1000.0
l_sf = 10.0
lam = 1.0
[magnetization]
kind = "layered"
l_da = 0.6
axes = { nm = [0.0, 0.0, 0.0], fm = [0.0, 0.0, 1.0] }
[[drive.dirichlet]]
boundary = "left"
value = "axis"
"""
    with pytest.raises(Exception, match="'axis' on 'left' is the magnetization direction of the "
                                        "layer 'nm' there, which has none"):
        loads(source)
    loads(source.replace('boundary = "left"', 'boundary = "right"'))
    with pytest.raises(Exception, match="h_interface: must not exceed h_max = 1.0 nm"):
        loads(source.replace("h_max = 1.0", "h_max = 1.0\nh_interface = 2.0"))
    assert math.isfinite(sizing.estimate(loads(source.replace('"left"', '"right"'))).dofs)


def test_switching_time_picture_says_when_nothing_switched():
    from fem_spin.plotting import switching_time_figure

    fig = switching_time_figure([3.0, -3.0], [None, None], title="t")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == ["no drive switched\n(drives 3, -3)"]
    assert fig.axes[0].get_legend().get_texts()[0].get_text() == "not switched"
    fig = switching_time_figure([3.0, 4.0], [None, 80.0], title="t")
    assert not fig.axes[0].texts
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == [
        "switched", "not switched"]


def test_off_screen_defaults_without_a_display(monkeypatch):
    """Without DISPLAY the render package chooses off-screen rendering itself (no VTK X
    warning); a user's choice is kept."""
    from fem_spin.render.headless import headless_defaults

    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("PYVISTA_OFF_SCREEN", raising=False)
    monkeypatch.setenv("VTK_DEFAULT_OPENGL_WINDOW", "vtkXOpenGLRenderWindow")
    headless_defaults()
    import os

    assert os.environ["PYVISTA_OFF_SCREEN"] == "true"
    assert os.environ["VTK_DEFAULT_OPENGL_WINDOW"] == "vtkXOpenGLRenderWindow"


def test_dynamics_failure_names_time_step_and_fitting_advice(shared_dir, capsys):
    """A time step whose Newton cannot converge: the message names the drive, the time and
    the step, and the advice fits the direct solver in use (never "use the direct solver")."""
    from tests.unit.test_faults import CASE

    path = shared_dir / "failing_dyn.toml"
    if rank0:
        path.write_text(CASE.replace("tol = 1e-4\n", ""))
    MPI.COMM_WORLD.barrier()
    out = shared_dir / "failing_dyn"
    assert main(["-q", "run", str(path), "--out", str(out), "--set",
                 "solver.petsc_options={snes_max_it = 0}"]) == 1
    line = err_line(capsys)
    if rank0:
        assert "drive j = 3: at t = 0 ps, step 0:" in line, line
        assert "lower dynamics.dt" in line and "use the direct solver" not in line, line
    MPI.COMM_WORLD.barrier()  # rank 0 writes the failed summary (no collective call there)
    assert json.loads((out / "summary.json").read_text())["status"] == "failed"
