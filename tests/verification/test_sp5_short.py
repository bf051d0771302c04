"""A very short run of benchmarks/sp5.py (muMAG SP5 with magnetostatics and the Zhang-Li
torque) on a coarse mesh: the files it writes, |M| = 1, and the sign of the vortex's first
response, <m_y> rising and <m_x> falling as in the reference curve (magnum.np, whose <m_y>
rises by 0.050 in the first 50 ps). The full run and its deviation from the reference:
benchmarks/results/sp5.md."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import read_csv

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "sp5.py"


def test_sp5_short_run(comm, shared_tmp):
    spec = importlib.util.spec_from_file_location("sp5_benchmark", SCRIPT)
    sp5 = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sp5)
    summary = sp5.main(["--h", "10", "--relax", "20", "--relax-dt", "5", "--t-end", "30",
                        "--dt", "5", "--out", str(shared_tmp)])
    comm.barrier()
    table = read_csv(shared_tmp / "sp5_trace_zhang_li.csv")
    assert table.header == ["t_ns", "mx", "my", "mz"]
    assert table.data.shape == (7, 4)
    assert np.allclose(table.column("t_ns"), np.arange(7) * 0.005)
    assert summary["norm_drift"] < 1e-9
    dmy = np.diff(table.column("my"))
    assert np.all(dmy > 0), dmy  # the reference's <m_y> rises over the first 0.3 ns
    assert summary["parameters"]["u_m_per_s"][0] < -72.1  # against J (+x)
    assert (shared_tmp / "sp5_zhang_li.json").exists()


def test_sp5_short_run_spin_diffusion(comm, shared_tmp):
    """The same start through fem_spin's charge + spin-diffusion model (ChargeDrivenLLG with
    magnetostatics, the current through the film's x faces): the vortex answers in the same
    sense as under the Zhang-Li torque that is the model's local limit, and the summary
    records the mapping (xi = 0.05, u = SP5's 72.17 m/s in the local limit)."""
    spec = importlib.util.spec_from_file_location("sp5_benchmark", SCRIPT)
    sp5 = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sp5)
    summary = sp5.main(["--h", "10", "--relax", "20", "--relax-dt", "5", "--t-end", "20",
                        "--dt", "5", "--model", "spin-diffusion", "--out", str(shared_tmp)])
    comm.barrier()
    table = read_csv(shared_tmp / "sp5_trace.csv")
    assert table.header == ["t_ns", "mx", "my", "mz"]
    assert table.data.shape == (5, 4)
    assert summary["norm_drift"] < 1e-9
    assert np.all(np.diff(table.column("my")) > 0)
    limit = summary["parameters"]["zhang_li_limit"]
    assert limit["xi"] == pytest.approx(0.05)
    assert limit["u_m_per_s"][0] == pytest.approx(-72.17, rel=1e-3)
    assert summary["parameters"]["l_J_nm"] == pytest.approx(np.sqrt(5.0))
    assert summary["parameters"]["l_sf_transverse_nm"] == pytest.approx(10.0)


@pytest.mark.serial  # a rate; MPI pass: test_sp5_short_run
def test_nonlocal_torque_fit_converges(comm):
    """benchmarks/sp5_nonlocal.py on coarse meshes (the converged figures, h = 3 nm, in
    benchmarks/results/sp5.md): the spin-diffusion torque on the vortex fitted to the
    Zhang-Li form. Its drift velocity approaches SP5's u and the fit's residual falls as h
    does (from h = 8 to 6 nm)."""
    spec = importlib.util.spec_from_file_location(
        "sp5_nonlocal", SCRIPT.parent / "sp5_nonlocal.py")
    nonlocal_ = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(nonlocal_)
    rows = [r for r in nonlocal_.run([8.0, 6.0], [10.0], comm=comm) if r["region"] == "film"]
    coarse, fine = rows
    assert abs(fine["u_eff_over_u"] - 1) < abs(coarse["u_eff_over_u"] - 1) < 0.1
    assert fine["residual"] < coarse["residual"] < 0.3
    assert fine["xi_eff"] > 0.05  # the diffusion adds non-adiabaticity (0.10 at h = 3 nm)
