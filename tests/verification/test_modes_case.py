"""A [modes] case through the runner (fem_spin.app.modes): files, summary, and the physics.

* A single magnetic layer (1D), uniform M along the field, thin-film hard axis: the lowest
  mode is the damped Kittel mode, exact on any mesh (modes.csv holds 10 digits).
(A case with the spin accumulation and a drive sweep, the CPP pillar: tests/demos/
test_spin_wave_demo.py, through the demo.)
"""

import numpy as np
import pytest

from fem_spin.app.runner import run_case
from fem_spin.app.schema import loads
from fem_spin.parameters.magnet import thin_film_anisotropy
from fem_spin.physics.spin_wave_theory import kittel

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
