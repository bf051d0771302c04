"""The [modes] table (fem_spin.app.schema.modes): values typed, errors with key and line."""

import pytest

from fem_spin.app.schema import ConfigError, loads
from tests.helpers import ROOT

PILLAR = (ROOT / "demos" / "pillar_modes.toml").read_text()


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
