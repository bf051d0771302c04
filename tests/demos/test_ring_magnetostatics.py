"""demos/ring_magnetostatics.py at a coarse resolution: the vortex stays a vortex (circulation
1, <M> = 0) with the exchange energy of the ideal vortex, 2 pi A t ln(R_o/R_i), and no
magnetostatic energy to speak of; the uniform start bends into an onion (circulation 0,
<M_x> large); both energies decrease (the implicit field keeps the energy law)."""

import json

import numpy as np
import pytest

from fem_spin.app.catalog import load_demo


def test_ring_states(comm, shared_dir):
    out = shared_dir / "ring"
    summary = load_demo("ring_magnetostatics").main(
        ["--h", "5", "--t-end", "40", "--dt", "5", "--out", str(out)])
    vortex, onion = summary["states"]["vortex"], summary["states"]["onion"]
    exchange = 2 * np.pi * 1.3e-11 * 5e-9 * np.log(2.0) * 1e18  # aJ
    assert vortex["energy_aJ"] == pytest.approx(exchange, rel=0.02)
    assert vortex["circulation"] > 0.99 and np.linalg.norm(vortex["average_M"]) < 1e-3
    assert abs(onion["circulation"]) < 0.05 and onion["average_M"][0] > 0.8
    assert onion["energy_aJ"] > vortex["energy_aJ"]
    assert vortex["energy_decreasing"] and onion["energy_decreasing"]
    assert max(vortex["norm_drift"], onion["norm_drift"]) < 1e-9
    comm.barrier()
    assert json.loads((out / "summary.json").read_text())["lower_energy_state"] == "vortex"
    assert (out / "states.png").read_bytes().startswith(b"\x89PNG")
    assert (out / "traces.csv").exists()
