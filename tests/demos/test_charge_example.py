"""examples/spin_valve_cocu.toml through `fem-spin run`'s runner: its resistance-area
products, CPP-GMR and torque(theta) equal the exact 1D solution of the same stack
(fem_spin.reference.valet_fert), and its case-file keys are validated."""

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from fem_spin.app.charge import rotated_vector
from fem_spin.app.runner import run_study
from fem_spin.app.schema.files import load_case
from fem_spin.app.tomltable import ConfigError
from fem_spin.parameters.charge import FEMTO
from fem_spin.reference.valet_fert import Junction, Layer, solve_stack

EXAMPLE = Path(__file__).parents[2] / "examples" / "spin_valve_cocu.toml"


def _exact(case, theta):
    layers, axes = [], []
    for name in case.geometry.stack:
        m = case.materials[name]
        axis = case.magnetization.axes[name].vector
        axis = None if not any(axis) else (rotated_vector(axis, (0, 1, 0), theta)
                                           if name == "free" else axis)
        axes.append(axis)
        layers.append(Layer(L=dict(zip(case.geometry.stack, (20.0, 10.0, 5.0)))[name],
                            sigma=m.sigma, D=m.D, tau=m.tau, beta=m.beta, lam=m.lam,
                            tau_A=m.tau_A, M=axis))
    junctions = [Junction(AR=itf.AR * FEMTO, gamma=itf.gamma, delta=itf.delta,
                          G_r=itf.G_mix.real / FEMTO, G_i=itf.G_mix.imag / FEMTO,
                          M=axes[k] if axes[k] is not None else axes[k + 1])
                 for k, (_, (itf, _), _) in enumerate(case.charge.interfaces)]
    return solve_stack(layers, junctions, j=1e11)


def test_spin_valve_example(comm, shared_tmp):
    case = load_case(EXAMPLE, ["charge.angle_sweep.angles_deg=[0.0, 60.0, 180.0]",
                               "outputs.pictures=false"])
    summary, results = run_study(case, comm, shared_tmp / "sv", command=["test"])
    assert summary["status"] == "success"
    sweep = summary["regions"]["angle_sweep"]
    exact = [_exact(case, th) for th in (0.0, 60.0, 180.0)]
    AR = np.array(sweep["AR_fOhm_m2"])
    # P2 on the graded mesh of the example (0.05-0.5 nm)
    assert np.allclose(AR, [e.AR / FEMTO for e in exact], rtol=1e-6), AR
    assert sweep["cpp_gmr"] == pytest.approx(exact[2].AR / exact[0].AR - 1, rel=1e-5)
    torque = np.array(summary["regions"]["charge"]["torque_A_per_m2"]["free"])
    assert np.abs(torque).max() == 0.0  # collinear at theta = 0
    from tests.conftest import read_csv

    table = read_csv(shared_tmp / "sv" / "angle_sweep.csv")
    T60 = np.array([table.column(f"torque_{c}_A_per_m2")[1] for c in "xyz"])
    T_ref = exact[1].torque(2)
    assert np.abs(T60 - T_ref).max() < 1e-4 * np.abs(T_ref).max(), (T60, T_ref)


@pytest.mark.parametrize("override, match", [
    ("materials.spacer.sigma=-1.0", "must be positive"),
    ("materials.free.beta=1.0", r"\|beta\| < 1"),
    ("charge.interfaces.0.AR=0.0", "AR must be a positive"),
    ("charge.interfaces.0.gamma=1.5", r"\|gamma\| < 1"),
    ("charge.interfaces.0.boundary='interface_7'", "no boundary named"),
    ("charge.electrodes.1.voltage=nan", "finite"),
])
def test_spin_valve_keys(override, match, comm, shared_tmp):
    with pytest.raises(ConfigError, match=match):
        case = load_case(EXAMPLE, [override])
        run_study(case, comm, shared_tmp / "bad", command=["test"])


def test_spin_valve_demo(shared_tmp):
    """demos/spin_valve.py (quick): the GMR against the Cu thickness and R(theta), torque(theta)
    equal the exact solution; its pictures exist."""
    from fem_spin.app.catalog import load_demo

    summary = load_demo("spin_valve").main(["--quick", "--out", str(shared_tmp / "demo")])
    assert summary["gmr_vs_cu"]["max_relative_error"] < 1e-6
    assert summary["angle"]["max_AR_relative_error"] < 1e-6
    assert summary["angle"]["max_torque_relative_error"] < 1e-4
    for png in ("profiles.png", "gmr_vs_cu.png", "angle.png"):
        assert (shared_tmp / "demo" / png).read_bytes().startswith(b"\x89PNG")


def test_switching_pillar_charge_case(comm, shared_tmp):
    """examples/switching_pillar_charge.toml ([charge] + [dynamics]) through the runner equals
    the same stack built with fem_spin.paper.charge_pillar and stepped by the API."""
    from fem_spin.paper import charge_pillar as cp
    from tests.conftest import read_csv

    case = load_case(EXAMPLE.with_name("switching_pillar_charge.toml"),
                     ["dynamics.drives=[5.0]", "dynamics.t_end=60.0", "outputs.pictures=false",
                      "dynamics.write_every=0"])
    # fixed 4 ps steps, as the API run below (the example's step control switched off)
    case = dataclasses.replace(case, dynamics=dataclasses.replace(case.dynamics, tol=None))
    summary, _ = run_study(case, comm, shared_tmp / "spc", command=["test"])
    assert summary["status"] == "success"
    trace = read_csv(shared_tmp / "spc" / "drive_5" / "trace.csv")
    with cp.pillar_llg(cp.with_current(cp.stack(), 5e11), theta_deg=5.0, ramp=10.0) as llg:
        llg.run(60.0, 4.0, progress_seconds=1e9)
        api = llg.trace_arrays()
    for key in ("Mx", "My", "Mz", "AR_fOhm_m2"):
        assert np.allclose(trace.column(key)[1:], api[key][1:], rtol=1e-8, atol=1e-12), key
