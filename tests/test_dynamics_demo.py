"""demos/switching_pillar.py at a coarse resolution (serially and under mpiexec -n 2)."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
from mpi4py import MPI

DEMOS = Path(__file__).resolve().parents[1] / "demos"

COARSE = ["--h-max", "3.0", "--radius", "5.0", "--t-end", "40", "--dt", "4.0",
          "--progress", "1e9"]


def load_demo(name: str):
    spec = importlib.util.spec_from_file_location(f"demo_{name}", DEMOS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_profile(path: Path):
    with open(path) as f:
        header = f.readline().strip().split(",")
    return header, np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)


@pytest.fixture(scope="module")
def shared_dir(tmp_path_factory):
    """A fresh folder, the same path on every rank."""
    comm = MPI.COMM_WORLD
    path = str(tmp_path_factory.mktemp("dynamics_demo")) if comm.rank == 0 else None
    return Path(comm.bcast(path, root=0))


def test_switching_pillar_outputs(shared_dir):
    """Files, traces, |M| conservation, and the sense of the spin-transfer torque: a drive
    j > 0 (electron spin along p: moment along -p) pushes the free layer away from p, j < 0
    towards it."""
    demo = load_demo("switching_pillar")
    out = shared_dir / "switching"
    summary = demo.main([*COARSE, "--drives", "6,-6", "--write-every", "4", "--frames", "5",
                         "--out", str(out)])
    on_disk = json.loads((out / "summary.json").read_text())
    assert on_disk == json.loads(json.dumps(summary))
    assert summary["discretization"]["mpi_ranks"] == MPI.COMM_WORLD.size
    header, data = read_profile(out / "drive_6" / "trace.csv")
    for column in ("t", "Mx", "My", "Mz", "torque_x", "mx", "energy_aJ", "norm_drift"):
        assert column in header
    t = data[:, header.index("t")]
    assert t[0] == 0.0 and abs(t[-1] - 40.0) < 1e-9 and len(t) == 11
    assert np.max(data[:, header.index("norm_drift")]) < 1e-10
    assert (out / "drive_6" / "fields.bp").is_dir()  # VTX series of the first drive
    assert (out / "drive_6" / "checkpoint.npz").is_file()
    assert not (out / "drive_-6" / "fields.bp").exists()
    for png in ("traces.png", "switching_time.png", "drive_6/frames/frame_0002.png"):
        assert (out / png).read_bytes().startswith(b"\x89PNG")
    assert (out / "animation.gif").read_bytes().startswith(b"GIF8")  # 3 frames, first drive
    pos, neg = summary["results"]
    assert pos["drive"] == 6.0 and neg["drive"] == -6.0
    # same start (reset between drives), opposite torques: away from p for j > 0 (the
    # anti-damping torque pumps energy into the precession), towards p for j < 0
    _, neg_trace = read_profile(out / "drive_-6" / "trace.csv")
    energy = header.index("energy_aJ")
    assert data[0, energy] == neg_trace[0, energy]
    assert data[-1, energy] > neg_trace[-1, energy]
    assert pos["final_M"][0] < neg["final_M"][0]
    assert pos["switching_time_ps"] is None  # 40 ps is too short to switch
    assert pos["final_state"] == neg["final_state"] == "not switched"


def test_switching_time_detection():
    demo = load_demo("switching_pillar")
    trace = {"t": np.array([0.0, 1.0, 2.0]), "Mx": np.array([1.0, 0.5, -0.5]),
             "My": np.zeros(3), "Mz": np.zeros(3)}
    assert demo.switching_time(trace) == 1.5
    trace["Mx"] = np.array([1.0, 0.5, 0.2])
    assert demo.switching_time(trace) is None
    t = np.linspace(0.0, 100.0, 101)
    zeros = np.zeros_like(t)
    assert demo.final_state({"t": t, "Mx": -0.9 + zeros, "My": zeros, "Mz": zeros}) == "switched"
    assert demo.final_state({"t": t, "Mx": np.cos(t), "My": zeros, "Mz": zeros}) == "precessing"
    assert demo.final_state({"t": t, "Mx": 0.9 + zeros, "My": zeros, "Mz": zeros}) == \
        "not switched"
