"""The [modes] table (fem_spin.app.schema.modes): values typed, errors with key and line."""

import pytest

from fem_spin.app.schema import ConfigError, loads

PILLAR = """\
# Spin-wave modes of the CPP pillar's free layer (as demos/spin_wave_modes.py): the pillar,
# layers, materials and drive of examples/switching_pillar.toml, the free layer along the fixed
# layer (the P state). Per drive amplitude j (the bottom electrode's spin current times j,
# constant): the steady coupled state (S1 + zero torque), then the modes of the LLG linearized
# about it with the spin accumulation's dynamic response. The lowest mode's decay rate falls
# with j and crosses zero (the soft mode: the P state turns unstable) near j = 4.
name = "pillar_modes"
description = "Spin-wave modes of the CPP pillar's free layer against the drive current"

[geometry]
kind = "pillar"
layers = [
  { name = "fixed", thickness = 6.0 },
  { name = "spacer", thickness = 3.0 },
  { name = "free", thickness = 4.0 },
  { name = "cap", thickness = 7.0 },
]
radius = 6.0           # nm
h_max = 2.0            # nm

[materials.default]    # spacer and cap: non-magnetic
D = 1000.0             # nm^2/ps
tau = 10.0             # ps

[materials.fixed]
D = 1000.0
tau = 10.0
lam = -2.0             # rad/ps

[materials.free]
D = 1000.0
tau = 10.0
lam = -2.0

[magnetization]
kind = "layered"

[magnetization.axes]
fixed = [1.0, 0.0, 0.0]
spacer = [0.0, 0.0, 0.0]
cap = [0.0, 0.0, 0.0]
free = [1.0, 0.0, 0.0]

[drive]                # times j (modes.drives), constant in time

[[drive.flux]]
boundary = "electrode_bottom"
current_density = 8.637992748819967e11
polarization = [1.0, 0.0, 0.0]

[[drive.dirichlet]]
boundary = "electrode_top"
value = [0.0, 0.0, 0.0]

[modes]
n = 4
accumulation = "dynamic"
drives = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
write_modes = 4

[modes.magnets.free]
Ms = 1e6               # A/m
A_ex = 1.5e-11         # J/m
alpha = 0.1
K_u = 1e5              # J/m^3
easy_axis = [1.0, 0.0, 0.0]
K_d = "thin_film"
normal = [0.0, 0.0, 1.0]
"""


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def error_of(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        loads(text, "case.toml")
    return info.value


def test_modes_case_values():
    case = loads(PILLAR, "pm.toml")
    m = case.modes
    assert case.dynamics is None and case.fields == ()
    assert (m.n, m.sigma, m.B_T, m.accumulation, m.relax, m.write_modes) == (
        4, 0.0, None, "dynamic", True, 4)
    assert m.drives == (0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0)
    assert list(m.magnets) == ["free"] and m.magnets["free"].alpha == 0.1


@pytest.mark.parametrize("edit, key, needle, words", [
    (("n = 4", "nn = 4"), "modes.nn", "nn = 4", ["did you mean 'n'"]),
    (("n = 4", "n = 0"), "modes.n", "n = 0", [">= 1"]),
    (('accumulation = "dynamic"', 'accumulation = "dynamik"'), "modes.accumulation",
     "dynamik", ["did you mean 'dynamic'"]),
    (('accumulation = "dynamic"', 'accumulation = "none"'), "modes.drives", "drives =",
     ["act through the spin accumulation"]),
    (("write_modes = 4", "write_modes = 5"), "modes.write_modes", "write_modes = 5",
     ["at most n = 4"]),
    (("drives = [0.0, 1.0", "drives = [1.0, 1.0"), "modes.drives", "drives =",
     ["each drive amplitude once"]),
    (("[modes.magnets.free]", "[modes.magnets.fre]"), "modes.magnets.fre",
     "[modes.magnets.fre]", ["no region named", "did you mean 'free'"]),
    (("alpha = 0.1", "alpha = -0.1"), "modes.magnets.free.alpha", "alpha = -0.1",
     ["must not be negative"]),
    (("n = 4", "n = 4\nrelax = 1"), "modes.relax", "relax = 1", ["true or false"]),
    (("n = 4", 'n = 4\nsolver = "iterativ"'), "modes.solver", "iterativ",
     ["did you mean 'iterative'"]),
    (("n = 4", 'n = 4\nsolver = "iterative"'), "modes.solver", 'solver = "iterative"',
     ['accumulation = "none"', 'solver = "direct"']),
    (("n = 4", 'n = 4\nsigma = 0.1\nsolver = "iterative"'), "modes.sigma", "sigma = 0.1",
     ["sigma = 0 only"]),
    (("[drive]  ", "[drive]\nB_T = [0.0, 0.0, 1.0]  "), "drive.B_T", "B_T = [0.0, 0.0, 1.0]",
     ["modes.B_T", "tesla"]),
    (("[modes]\n", "[outputs]\nfields = [\"m\"]\n\n[modes]\n"), "outputs.fields",
     'fields = ["m"]', ["mode profiles"]),
])
def test_modes_errors_name_key_and_line(edit, key, needle, words):
    text = PILLAR.replace(*edit)
    assert text != PILLAR
    err = error_of(text)
    assert err.key == key, str(err)
    assert err.line == line_of(text, needle), str(err)
    for w in words:
        assert w in str(err)


def test_modes_needs_magnets_a_magnetization_and_one_study():
    text = PILLAR.split("[modes.magnets.free]")[0]
    err = error_of(text + "[modes.magnets]\n")
    assert err.key == "modes.magnets" and "at least one magnet" in str(err)
    start, end = PILLAR.index("[magnetization]"), PILLAR.index("[drive]")
    err = error_of(PILLAR[:start] + PILLAR[end:])
    assert err.key == "magnetization" and "about which the modes" in str(err)
    err = error_of(PILLAR + "\n[dynamics]\nt_end = 1.0\ndt = 1.0\n")
    assert err.key == "modes" and "not both" in str(err)


def test_modes_magnetostatics_table():
    """[modes.magnetostatics] as [dynamics.magnetostatics], with or without an accumulation;
    refused on geometries without air."""
    text = PILLAR.replace('accumulation = "dynamic"', 'accumulation = "none"').replace(
        "drives = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]\n", "")
    demag = "\n[modes.magnetostatics]\nair_radius = 20.0\ndegree = 1\n"
    m = loads(text + demag, "pm.toml").modes
    assert (m.magnetostatics.air_radius, m.magnetostatics.degree) == (20.0, 1)
    assert m.magnetostatics.exterior == "robin"
    both = loads(PILLAR + demag, "pm.toml").modes
    assert both.accumulation == "dynamic" and both.magnetostatics.air_radius == 20.0
    err = error_of(text + demag.replace("degree = 1", "degre = 1"))
    assert err.key == "modes.magnetostatics.degre" and "did you mean 'degree'" in str(err)
    assert "[modes.magnetostatics]" in str(err)
