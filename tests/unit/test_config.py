"""Case files are validated before any computation: every error names its key path and, where
it can, its line. (Malformed input of any kind gives a ConfigError, never another exception:
the hypothesis fuzzers in test_config_fuzz.py.)"""

import math
import tomllib

import numpy as np
import pytest

from fem_spin.app.schema import ConfigError, apply_override, check_boundaries, load_case, loads
from tests.helpers import EXAMPLES
from tests.helpers.cases import BILAYER


def line_of(text: str, needle: str, nth: int = 0) -> int:
    """1-based line number of the nth line containing needle."""
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[nth]


def error_of(text: str, *overrides: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        loads(text, "case.toml", overrides)
    return info.value


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.stem)
def test_examples_are_valid(path):
    case = load_case(path)
    assert case.name == path.stem
    assert set(case.materials) == set(case.geometry.regions)
    assert case.lines, "every example writes a line profile"


def test_valid_case_values():
    case = loads(BILAYER, "case.toml")
    assert case.geometry.kind == "multilayer" and case.geometry.gdim == 1
    assert case.geometry.interfaces == (10.0,)
    assert case.magnetization.axes["fm_right"].vector == pytest.approx((0.0, -1.0, 0.0))
    assert case.dirichlet[1].value == "axis"
    assert case.lines[0].samples == 201 and case.lines[1].samples == 11
    assert case.folder == "output/bi" and case.degree == 1


@pytest.mark.parametrize("edit, key, needle, words", [
    # unknown key, with a suggestion, at its line
    (("tau = 10.0", "taus = 10.0"), "materials.fm_left.taus", "taus", ["did you mean 'tau'"]),
    # wrong type
    (("D = 1000.0", 'D = "fast"'), "materials.fm_left.D", 'D = "fast"', ["must be a number"]),
    # negative time, zero length
    (("tau = 10.0", "tau = -1.0"), "materials.fm_left.tau", "tau = -1.0", ["positive", "ps"]),
    (("h_max = 1.0", "h_max = 0"), "geometry.h_max", "h_max = 0", ["positive", "nm"]),
    # bad choice with a suggestion
    (('kind = "layered"', 'kind = "layerd"'), "magnetization.kind", "layerd",
     ["did you mean 'layered'"]),
    # an unknown region
    (("[materials.fm_right]", "[materials.fm_rigth]"), "materials.fm_rigth", "fm_rigth",
     ["no region named", "did you mean 'fm_right'"]),
    # impossible combinations
    (("lam = 10.0\n\n[materials.fm_right]", "lam = 10.0\nl_sf = 100.0\n\n[materials.fm_right]"),
     "materials.fm_left", "[materials.fm_left]", ["exactly one of tau"]),
    (('m_eq = "zero"', 'm_eq = "zero"\nB_T = [0, 0, 1, 2]'), "drive.B_T", "B_T = [0, 0, 1, 2]",
     ["three numbers"]),
    # the removed precession-vector key (rad/ps before 0.2): a clear error, not 1 rad/ps as 1 T
    (('m_eq = "zero"', 'm_eq = "zero"\nB = [0, 0, 1]'), "drive.B", "B = [0, 0, 1]",
     ["tesla", "B_T", "H_ext"]),
    # a key of the second [[outputs.lines]]
    (("samples = 11", "samples = 1"), "outputs.lines[1].samples", "samples = 1",
     ["between 2 and"]),
])
def test_errors_name_key_and_line(edit, key, needle, words):
    text = BILAYER.replace(*edit)
    assert text != BILAYER
    err = error_of(text)
    assert err.key == key, str(err)
    assert err.line == line_of(text, needle), str(err)
    assert str(err).startswith(f"case.toml:{err.line}: {key}: ")
    for w in words:
        assert w in str(err)


def test_more_impossible_combinations():
    torus = """[geometry]\nkind = "torus"\nR = 10.0\nr = 2.0\nh_max = 1.0\n
[materials.default]\nD = 1.0\ntau = 1.0\nm0 = 1.0\n
[magnetization]\nkind = "layered"\nl_da = 1.0\n"""
    err = error_of(torus)
    assert err.key == "magnetization.kind" and "needs a stack of layers" in str(err)
    # the tube must be thinner than the ring
    err = error_of(torus.replace("r = 2.0", "r = 20.0"))
    assert err.key == "geometry.r" and err.line == 4
    # nothing drives m
    err = error_of(BILAYER.replace("[[drive.dirichlet]]", "[[drive.dirichlet_]]"))
    assert err.key == "drive.dirichlet_"  # unknown key first
    no_drive = BILAYER.split("[[drive.dirichlet]]")[0]
    err = error_of(no_drive)
    assert err.key == "drive" and "m = 0" in str(err)
    # a ring has no boundary
    ring = (EXAMPLES / "ring_1d.toml").read_text() + (
        '\n[[drive.dirichlet]]\nboundary = "left"\nvalue = [0, 0, 1]\n')
    err = error_of(ring)
    assert err.key == "drive.dirichlet[0].boundary" and "closed loop" in str(err)
    # "axis" needs a magnetization
    err = error_of(BILAYER.replace('kind = "layered"', 'kind = "none"').replace(
        "l_da = 0.6\naxes = { fm_left = [0, 0, 1], fm_right = { theta_deg = 90 } }\n", ""))
    assert err.key == "drive.dirichlet[1].value" and "none" in str(err)
    # the same component twice on one boundary
    err = error_of(BILAYER.replace('boundary = "right"', 'boundary = "left"'))
    assert err.key == "drive.dirichlet[1].components" and "already prescribed" in str(err)


SWITCHING = (EXAMPLES / "switching_pillar.toml").read_text()


def test_dynamics_case_values():
    """[dynamics] of the switching example: the demo's parameters, typed."""
    from fem_spin import thin_film_anisotropy

    case = loads(SWITCHING, "sw.toml")
    d = case.dynamics
    assert (d.t_end, d.dt, d.tol, d.scheme, d.coupling) == (600.0, 2.0, None, "bdf2",
                                                           "monolithic")
    assert d.drives == (5.0, 5.5, 6.5) and d.ramp == 10.0 and d.write_every == 5
    free = d.magnets["free"]
    assert list(d.magnets) == ["free"] and free.Ms == 1e6 and free.alpha == 0.1
    assert free.K_d == pytest.approx(thin_film_anisotropy(1e6)) and free.lam_M is None  # derived
    # the drive as a charge current: 8.638e11 A/m^2 along +x injects 5e4 A/m x nm/ps
    (flux,) = case.flux
    assert flux.value[1:] == (0.0, 0.0) and flux.value[0] == pytest.approx(5e4, rel=1e-14)
    assert d.switch_axis == (1.0, 0.0, 0.0) and case.fields == ("m", "M")
    assert d.drive(2.0)(0.0) == 0.0 and d.drive(2.0)(1e9) == 2.0
    assert d.drive(2.0)(10.0) == pytest.approx(2.0 * (1 - np.exp(-1.0)))
    assert loads(SWITCHING, overrides=["dynamics.ramp=0"]).dynamics.drive(3.0)(0.0) == 3.0
    # the default switch axis is the first magnet's easy axis
    no_axis = SWITCHING.replace("switch_axis = [1.0, 0.0, 0.0]\n", "").replace(
        "easy_axis = [1.0, 0.0, 0.0]", "easy_axis = [0.0, 2.0, 0.0]")
    assert loads(no_axis).dynamics.switch_axis == (0.0, 1.0, 0.0)
    assert loads(BILAYER).dynamics is None


@pytest.mark.parametrize("edit, key, needle, words", [
    (("t_end = 600.0", "t_ned = 600.0"), "dynamics.t_ned", "t_ned", ["did you mean 't_end'"]),
    (("dt = 2.0", "dt = -2.0"), "dynamics.dt", "dt = -2.0", ["positive", "ps"]),
    (("dt = 2.0", "dt = 700.0"), "dynamics.dt", "dt = 700.0", ["longer than the run"]),
    (("drives = [5.0, 5.5, 6.5]", "drives = [5.0, 5.0]"), "dynamics.drives", "drives =",
     ["each drive amplitude once"]),
    (("[dynamics.magnets.free]", "[dynamics.magnets.fre]"), "dynamics.magnets.fre",
     "[dynamics.magnets.fre]", ["no region named", "did you mean 'free'"]),
    (("alpha = 0.1", "alpha = -0.1"), "dynamics.magnets.free.alpha", "alpha = -0.1",
     ["must not be negative"]),
    (("Ms = 1e6", "Ms = 0"), "dynamics.magnets.free.Ms", "Ms = 0", ["positive", "A/m"]),
    (('K_d = "thin_film"', 'K_d = "thin"'), "dynamics.magnets.free.K_d", 'K_d = "thin"',
     ["did you mean 'thin_film'"]),
    (('scheme = "bdf2"', ""), None, None, None),  # absent: default (checked below)
    (("ramp = 10.0", "ramp = -1.0"), "dynamics.ramp", "ramp = -1.0", ["must not be negative"]),
    (("write_every = 5", "write_every = 2.5"), "dynamics.write_every", "write_every = 2.5",
     ["integer"]),
    # impossible combinations
    (('kind = "layered"', 'kind = "layered"\nl_da = 0.6'), "magnetization.l_da",
     "l_da = 0.6", ["sharp layers", "remove l_da"]),
    (("[drive]", "[drive]\nB_T = [0.0, 0.0, 1.0]"), "drive.B_T", "B_T = [0.0, 0.0, 1.0]",
     ["dynamics.B_T", "tesla"]),
    (("[drive]", '[drive]\nm_eq = "axis"'), "drive.m_eq", 'm_eq = "axis"', ["M moves"]),
    (("free = [0.984807753012208, 0.17364817766693033, 0.0]", "free = [0.0, 0.0, 0.0]"),
     "magnetization.axes.free", "axes =", ["is a magnet", "not zero"]),
    (("[[outputs.lines]]", '[outputs]\nfields = ["m", "J"]\n\n[[outputs.lines]]'),
     "outputs.fields", 'fields = ["m", "J"]', ["time series of m and M"]),
])
def test_dynamics_errors_name_key_and_line(edit, key, needle, words):
    text = SWITCHING.replace(*edit)
    if key is None:
        assert loads(text).dynamics.scheme == "bdf2"
        return
    assert text != SWITCHING
    err = error_of(text)
    assert err.key == key, str(err)
    assert err.line == line_of(text, needle), str(err)
    for w in words:
        assert w in str(err)


def test_solver_refinements():
    case = loads(BILAYER)
    assert (case.linear_solver, case.refinements) == ("auto", 0)
    slab = (EXAMPLES / "slab_2d.toml").read_text()
    case = loads(slab, overrides=["solver.refinements=2", "solver.linear_solver=direct"])
    assert (case.linear_solver, case.refinements, case.degree) == ("direct", 2, 2)
    err = error_of(slab, "solver.refinements=2", "solver.linear_solver=iterative")
    assert err.key == "solver.linear_solver" and "degree = 1 only" in str(err)
    err = error_of(slab, "solver.refinements=-1")
    assert err.key == "solver.refinements" and "between 0 and 5" in str(err)
    err = error_of(slab, "solver.linear_solver=multigrid")
    assert err.key == "solver.linear_solver" and "'iterative'" in str(err)
    err = error_of(BILAYER + "\n[solver]\nrefinements = 1\n")
    assert err.key == "solver.refinements" and "1D mesh" in str(err)
    assert err.line == line_of(BILAYER + "\n[solver]\nrefinements = 1\n", "refinements")
    # a [dynamics] case: "iterative" is the coupled step's block solver; with [charge]: refused
    assert loads(SWITCHING, overrides=["solver.linear_solver=iterative"]).linear_solver == \
        "iterative"
    charge = (EXAMPLES / "switching_pillar_charge.toml").read_text()
    err = error_of(charge, "solver.linear_solver=iterative")
    assert err.key == "solver.linear_solver" and "Newton + MUMPS" in str(err)


def test_dynamics_needs_magnets_and_a_magnetization():
    text = SWITCHING.split("[dynamics.magnets.free]")[0]
    err = error_of(text)
    assert err.key == "dynamics" and "missing table [dynamics.magnets]" in str(err)
    err = error_of(text + "[dynamics.magnets]\n")
    assert err.key == "dynamics.magnets" and "at least one magnet" in str(err)
    start = SWITCHING.index("[magnetization]")
    end = SWITCHING.index("[drive]")
    err = error_of(SWITCHING[:start] + SWITCHING[end:])
    assert err.key == "magnetization" and "initial magnetization" in str(err)


def test_invalid_toml_and_files(tmp_path):
    err = error_of("a = 1\nb = = 2\nc = 3\n")
    assert err.line == 2 and "not valid TOML" in str(err) and str(err).startswith("case.toml:2:")
    err = error_of("a = 1\nb = [1, 2\n")
    assert err.line == 2 and "Unclosed array" in str(err)
    with pytest.raises(ConfigError, match="cannot read the case file"):
        load_case(tmp_path / "missing.toml")


def test_overrides(tmp_path):
    path = tmp_path / "bi.toml"
    path.write_text(BILAYER)
    case = load_case(path, ["magnetization.axes.fm_right.theta_deg=45",
                            "outputs.lines.0.samples=33", "solver.degree=2",
                            "outputs.folder=somewhere"])
    s = math.sqrt(0.5)
    assert case.magnetization.axes["fm_right"].vector == pytest.approx((0.0, -s, s))
    assert case.lines[0].samples == 33 and case.degree == 2 and case.folder == "somewhere"
    assert case.source.overrides["solver.degree"] == "solver.degree=2"
    err = error_of(BILAYER, "geometry.h_max=-2")
    assert err.key == "geometry.h_max" and "--set geometry.h_max=-2" in str(err)
    for bad in ("no_equals", "outputs.lines.7.samples=3", "name.x=1", "a..b=1"):
        with pytest.raises(ConfigError, match="--set"):
            apply_override(tomllib.loads(BILAYER), bad)


def test_boundaries_checked_against_the_mesh():
    case = loads(BILAYER.replace('boundary = "right"', 'boundary = "rigth"'), "case.toml")
    check_boundaries(loads(BILAYER), ["left", "right"])
    with pytest.raises(ConfigError) as info:
        check_boundaries(case, ["left", "right"])
    err = info.value
    assert err.key == "drive.dirichlet[1].boundary"
    assert err.line == line_of(BILAYER, 'boundary = "right"')
    assert "did you mean 'right'" in str(err) and "its boundaries: left, right" in str(err)


@pytest.mark.parametrize("flux, words", [
    ('value = [1.0, 0.0, 0.0], current_density = 1e12, polarization = [1.0, 0.0, 0.0]',
     ["value = [...]", "current_density"]),
    ('current_density = 1e12, polarization = [1.0, 1.0, 0.0]', ["0 < P <= 1", "1.41421"]),
    ('current_density = -1e12, polarization = [1.0, 0.0, 0.0]', ["positive", "A/m^2"]),
])
def test_flux_as_a_polarized_current(flux, words):
    """[[drive.flux]] as a charge current: P J mu_B / e (A/m x nm/ps), or a clear error."""
    text = SWITCHING.replace(
        'current_density = 8.637992748819967e11, polarization = [1.0, 0.0, 0.0]', flux)
    with pytest.raises(ConfigError) as err:
        loads(text, "sw.toml")
    assert "drive.flux" in str(err.value)
    for w in words:
        assert w in str(err.value)
    half = SWITCHING.replace("polarization = [1.0, 0.0, 0.0]", "polarization = [0.0, 0.5, 0.0]")
    (f,) = loads(half).flux
    assert f.value == pytest.approx((0.0, 0.5 * 8.637992748819967e11 * 5.788381798170701e-8,
                                     0.0), rel=1e-14)
