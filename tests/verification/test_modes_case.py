"""A [modes] case through the runner (fem_spin.app.modes): files, summary, and the physics.

* A single magnetic layer (1D), uniform M along the field, thin-film hard axis: the lowest
  mode is the damped Kittel mode, exact on any mesh (modes.csv holds 10 digits).
* The CPP pillar's free layer (demos/pillar_modes.toml, coarse) with the dynamic spin
  accumulation: the lowest mode's decay rate falls monotonically with the drive and crosses
  zero between two drives; soft_drive is that crossing. (That this eigenvalue is right:
  benchmarks/spin_wave_modes.py checks it against the time-domain coupled simulation.)
"""

import json

import numpy as np
import pytest

from fem_spin.app.runner import run_case
from fem_spin.app.schema import loads
from fem_spin.parameters.magnet import thin_film_anisotropy
from fem_spin.physics.spin_wave_theory import kittel
from tests.helpers import ROOT

FILM = """\
name = "film_modes"
[geometry]
kind = "multilayer"
layers = [{ name = "fm", thickness = 10.0 }]
h_max = 2.0
[materials.default]
D = 1000.0
tau = 10.0
[magnetization]
kind = "uniform"
value = [1.0, 0.0, 0.0]
[modes]
n = 2
B_T = [0.05, 0.0, 0.0]
[modes.magnets.fm]
Ms = 8e5
A_ex = 1.3e-11
alpha = 0.02
K_d = "thin_film"
normal = [0.0, 0.0, 1.0]
"""


def read_csv(path):
    header = path.read_text().splitlines()[0].split(",")
    return {k: v for k, v in zip(header, np.loadtxt(path, delimiter=",", skiprows=1,
                                                    ndmin=2).T, strict=True)}


def test_film_kittel_case(comm, shared_tmp):
    case = loads(FILM, "film.toml")
    summary = run_case(case, comm, shared_tmp / "film")
    assert summary["status"] == "success" and summary["solve"]["soft_drive"] is None
    c = read_csv(shared_tmp / "film" / "modes.csv")
    mag = case.modes.magnets["fm"]
    exact = kittel(mag.gamma, 0.05, 0.05 + thin_film_anisotropy(8e5) / 8e5, 0.02)
    assert c["frequency_GHz"][0] == pytest.approx(exact.imag * 1e3 / (2 * np.pi), rel=1e-9)
    assert c["decay_rate_per_ns"][0] == pytest.approx(-exact.real * 1e3, rel=1e-9)
    assert (shared_tmp / "film" / "modes_j0.bp").is_dir()


def test_pillar_soft_mode_case(comm, shared_tmp):
    text = (ROOT / "demos" / "pillar_modes.toml").read_text()
    case = loads(text, "pm.toml", ["geometry.h_max=3.0", "modes.drives=[0.0, 3.0, 6.0]",
                                   "modes.n=2", "modes.write_modes=1"])
    summary = run_case(case, comm, shared_tmp / "pillar")
    c = read_csv(shared_tmp / "pillar" / "modes.csv")
    low = c["mode"] == 0
    gamma = c["decay_rate_per_ns"][low]
    assert np.all(np.diff(gamma) < 0) and gamma[0] > 0 > gamma[-1]
    assert np.all(np.diff(c["frequency_GHz"][low]) < 0)
    soft = summary["solve"]["soft_drive"]
    assert soft == pytest.approx(3.0 + 3.0 * gamma[1] / (gamma[1] - gamma[2]))
    saved = json.loads((shared_tmp / "pillar" / "summary.json").read_text())
    assert saved["solve"]["soft_drive"] == soft
    assert "modes_vs_drive.png" in saved["files"]
