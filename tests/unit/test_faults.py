"""Faults around a run (issue 17), injected into real `fem-spin` processes, serially and under
`mpiexec -n 2`, each under a timeout: a full disk (a small tmpfs, where mounting works), an
I/O error on one rank only, a vanished or read-only folder; SIGTERM and SIGINT (sent by the
process to itself at a given step, and from outside); kill -9; a resumed dynamics run equals
the uninterrupted one; output folders are locked and never overwritten silently.

The faults are injected by tests/helpers/faulty_run.py. The case is a 1D bilayer with
coupled dynamics (a few seconds per run)."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import ROOT
from tests.helpers.cases import STACK_1D

pytestmark = pytest.mark.serial  # each test starts its own (MPI) processes

MPIEXEC = Path(sys.executable).parent / "mpiexec"
FEM_SPIN = Path(sys.executable).parent / "fem-spin"

CASE = 'name = "faults"\n' + STACK_1D + """\

[dynamics]
t_end = 20.0
dt = 0.5
tol = 1e-4
drives = [3.0, -3.0]
write_every = 2
checkpoint_every = 3
progress_seconds = 1e9

[dynamics.magnets.free]
Ms = 1e6
A_ex = 1.5e-11
alpha = 0.1

[[outputs.lines]]
name = "x"
points = [[0.0], [20.0]]
samples = 81

# Newton with fresh LUs, which keeps nothing across steps: a resumed run then equals the
# uninterrupted one to round-off. (The default chord keeps its Jacobian and LU, refreshed by
# measured costs: a resume gives the same steps to the Newton tolerance, which the step
# control amplifies by about 1/tol.)
[solver.petsc_options]
snes_lag_jacobian = 1
snes_lag_preconditioner = 1
"""


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1",
            "PYVISTA_OFF_SCREEN": "true", "MPLBACKEND": "Agg"}


def fem_spin(args, fault: str = "none", ranks: int = 1, timeout: float = 120,
             ) -> subprocess.CompletedProcess:
    """`fem-spin ARGS` with ``fault`` injected, on ``ranks`` MPI processes."""
    cmd = [sys.executable, "-m", "tests.helpers.faulty_run", fault, *map(str, args)]
    if ranks > 1:
        cmd = [str(MPIEXEC), "-n", str(ranks), *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          env=_env())


def status(folder: Path) -> tuple[int, str]:
    out = subprocess.run([sys.executable, "-m", "fem_spin.app.cli", "status", str(folder)],
                         capture_output=True, text=True, timeout=60, cwd=ROOT, env=_env())
    return out.returncode, out.stdout.strip()


def summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text())


@pytest.fixture(scope="module")
def case(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("faults") / "case.toml"
    path.write_text(CASE)
    return path


@pytest.fixture(scope="module")
def uninterrupted(case) -> Path:
    out = case.parent / "uninterrupted"
    r = fem_spin(["run", "-q", case, "--out", out])
    assert r.returncode == 0, r.stderr
    return out


def one_error_line(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.startswith("fem-spin: error:")]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr, stderr
    return lines[0]


# -- I/O errors ---------------------------------------------------------------------------------

@pytest.mark.parametrize("fault", ["enospc@fields:1", "enospc@csv"])
def test_io_error_on_one_rank_ends_every_rank(case, fault):
    """An I/O error on one rank only (the ranks disagree): every rank ends within seconds,
    exit status 1, one line naming the rank and the error; the summary says failed."""
    out = case.parent / f"io_{fault.replace('@', '_').replace(':', '_')}"
    t0 = time.perf_counter()
    r = fem_spin(["run", "-q", case, "--out", out], fault, ranks=2, timeout=90)
    assert time.perf_counter() - t0 < 60
    assert r.returncode == 1, r.stderr
    line = one_error_line(r.stderr)
    rank = fault.rsplit(":", 1)[-1] if "fields" in fault else "0"
    assert f"rank {rank}:" in line and "No space left on device" in line, line
    s = summary(out)
    assert s["status"] == "failed" and "No space left on device" in s["error"]
    assert status(out)[0] == 1


def test_vanished_folder(case):
    """The output folder deleted during a run: exit 1, one line, status failed."""
    out = case.parent / "vanish" / "run"
    r = fem_spin(["run", "-q", case, "--out", out], "vanish@5", timeout=90)
    assert r.returncode == 1, r.stderr
    line = one_error_line(r.stderr)
    assert (f"the output folder {out} no longer exists" in line
            or f"the output folder {out} was removed or cleared during the run" in line), line
    code, text = status(out)
    assert code in (1, 2), text  # failed, or no summary left at all ("no run here")
    assert "running" not in text


def _tmpfs(path: Path, size: str, *options: str) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join([f"size={size}", *options]),
                        "tmpfs", str(path)], capture_output=True, timeout=30)
    return r.returncode == 0


@pytest.fixture
def small_disk(tmp_path):
    disk = tmp_path / "disk"
    if not _tmpfs(disk, "64k"):
        pytest.skip("mounting a tmpfs needs root")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], timeout=30)


@pytest.mark.parametrize("ranks", [2])
def test_disk_full(case, small_disk, ranks):
    """A 64 kB tmpfs fills during the run: every rank ends, exit 1, one line saying the disk
    is full; the status 'failed' is written in place over the summary's reserved bytes."""
    out = small_disk / "run"
    r = fem_spin(["run", "-q", case, "--out", out, "--set", "dynamics.write_every=1"],
                 ranks=ranks, timeout=90)
    assert r.returncode == 1, r.stderr
    line = one_error_line(r.stderr)
    assert f"the file system of {out} is full" in line, line
    s = summary(out)
    assert s["status"] == "failed" and "is full" in s["error"]


def test_read_only_folder(case, tmp_path):
    """A read-only output folder: exit 1, one line; nothing claims to run."""
    ro = tmp_path / "ro"
    if _tmpfs(ro, "1m", "ro"):
        mounted = True
    elif os.geteuid() != 0:
        ro.mkdir(exist_ok=True)
        ro.chmod(0o555)
        mounted = False
    else:
        pytest.skip("neither a read-only tmpfs nor chmod (root) is available")
    try:
        r = fem_spin(["run", "-q", case, "--out", ro / "run"], timeout=90)
        assert r.returncode == 1, r.stderr
        line = one_error_line(r.stderr)
        assert "cannot write the output folder" in line and "Read-only" in line, line
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(ro)], timeout=30)


# -- signals --------------------------------------------------------------------------------

@pytest.mark.parametrize(("fault", "ranks", "code"), [("sigterm@5", 1, 143),
                                                      ("sigint@5", 2, 130)])
def test_signal_stops_with_a_checkpoint(case, fault, ranks, code):
    """SIGTERM / SIGINT at step 5: exit 143 / 130, status interrupted with the time reached
    and the resume command, a checkpoint at that step, the VTX series marked partial."""
    out = case.parent / f"sig_{fault.split('@')[0]}_{ranks}"
    r = fem_spin(["run", "-q", case, "--out", out], fault, ranks=ranks, timeout=90)
    assert r.returncode == code, r.stderr
    name = "SIGTERM" if code == 143 else "SIGINT"
    assert f"stopped by {name} at t = " in r.stderr and ", step 5" in r.stderr
    s = summary(out)
    assert s["status"] == "interrupted" and s["signal"] == name and s["steps"] == 5
    assert s["t_reached_ps"] > 0 and "--resume" in s["resume"]
    assert s["pid"] > 0 and s["host"] and len(s["pids"]) == ranks and s["started"]
    from fem_spin.stepping.checkpoint import read_checkpoint_meta

    meta = read_checkpoint_meta(out / "drive_3" / "checkpoint.npz")
    assert meta["steps"] == 5 and meta["t"] == s["t_reached_ps"]
    assert meta["extra"]["drive"] == 3.0 and meta["extra"]["case_hash"] == s["case_hash"]
    assert (out / "drive_3" / "fields.bp.partial").is_dir()
    assert not (out / "drive_3" / "fields.bp").exists()
    code_, text = status(out)
    assert code_ == 4 and "interrupted by " + name in text


def _start(args, ranks: int = 1) -> subprocess.Popen:
    cmd = [str(FEM_SPIN), *map(str, args)]
    if ranks > 1:
        cmd = [str(MPIEXEC), "-n", str(ranks), *cmd]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT, env=_env(), start_new_session=True)


def _wait_for_steps(proc: subprocess.Popen, trace: Path, timeout: float = 90) -> None:
    """Until the first checkpoint's trace exists (the run is stepping)."""
    t0 = time.perf_counter()
    while not trace.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.perf_counter() - t0 < timeout
        time.sleep(0.05)


@pytest.mark.parametrize("ranks", [2])
def test_sigterm_from_outside(case, ranks):
    """SIGTERM sent to a running `fem-spin` (to mpiexec, which forwards it to every rank):
    exit 143 and status interrupted; a slow case (many small steps) so it is still running."""
    out = case.parent / f"sigterm_outside_{ranks}"
    proc = _start(["run", "-q", case, "--out", out, "--set", "dynamics.tol=1e-7"], ranks)
    try:
        _wait_for_steps(proc, out / "drive_3" / "trace.csv")
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 143, err
    assert summary(out)["status"] == "interrupted"


def test_kill_9_is_dead(case):
    """kill -9 leaves "running" in the summary; `fem-spin status` sees the process is gone."""
    out = case.parent / "killed"
    proc = _start(["run", "-q", case, "--out", out, "--set", "dynamics.tol=1e-7"])
    try:
        _wait_for_steps(proc, out / "drive_3" / "trace.csv")
        code, text = status(out)
        assert code == 3 and "running since" in text, text
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert summary(out)["status"] == "running"
    code, text = status(out)
    assert code == 5 and "dead" in text, text


# -- resume ---------------------------------------------------------------------------------

def _state(folder: Path, drive: str) -> dict:
    with np.load(folder / drive / "checkpoint.npz") as f:
        return {k: f[k] for k in f.files if k != "meta"}


def test_resume_equals_the_uninterrupted_run(case, uninterrupted):
    """Stopped by SIGTERM at step 7 of the first drive on 2 ranks, resumed on 1 rank: every
    field and trace value of both drives equals the uninterrupted serial run to 1e-10 (step
    control, BDF2 history and the drive restored from the checkpoint)."""
    out = case.parent / "resumed"
    r = fem_spin(["run", "-q", case, "--out", out], "sigterm@7", ranks=2, timeout=90)
    assert r.returncode == 143, r.stderr
    # a changed case is refused, naming the key
    r = fem_spin(["run", "-q", case, "--resume", out, "--set", "dynamics.t_end=30"])
    assert r.returncode == 2 and "changed: dynamics.t_end" in r.stderr, r.stderr
    r = fem_spin(["run", "-q", case, "--resume", out])
    assert r.returncode == 0, r.stderr
    s = summary(out)
    assert s["status"] == "success" and s["resumed"][0]["status"] == "interrupted"
    assert s["solve"]["drives"][0]["resumed_at_ps"] > 0
    worst = 0.0
    for drive in ("drive_3", "drive_-3"):
        a, b = _state(uninterrupted, drive), _state(out, drive)
        assert a.keys() == b.keys()
        for k in a:
            assert a[k].shape == b[k].shape, k
            worst = max(worst, float(np.nanmax(np.abs(a[k] - b[k]))))
    assert worst <= 1e-10, worst
    assert (out / "drive_3" / "fields_part1.bp").is_dir()  # the series before the stop
    assert (out / "drive_3" / "fields.bp").is_dir()
    # resuming a finished run does nothing
    r = fem_spin(["run", "-q", case, "--resume", out])
    assert r.returncode == 0 and "nothing to resume" in r.stdout


def test_resume_skips_finished_drives(case, uninterrupted):
    """A sweep stopped in its second drive (each drive takes 87 steps): the first drive's
    result is kept, not rerun."""
    out = case.parent / "second_drive"
    r = fem_spin(["run", "-q", case, "--out", out], "sigterm@+110", timeout=90)
    assert r.returncode == 143, r.stderr
    assert (out / "drive_3" / "result.json").exists()
    before = (out / "drive_3" / "checkpoint.npz").stat().st_mtime_ns
    r = fem_spin(["run", case, "--resume", out])
    assert r.returncode == 0, r.stderr
    assert "done already" in r.stderr
    assert (out / "drive_3" / "checkpoint.npz").stat().st_mtime_ns == before
    a, b = _state(uninterrupted, "drive_-3"), _state(out, "drive_-3")
    assert max(float(np.nanmax(np.abs(a[k] - b[k]))) for k in a) <= 1e-10
