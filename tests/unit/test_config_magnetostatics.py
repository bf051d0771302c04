"""[dynamics.magnetostatics] in case files: typed values, and clear errors (key path and line)
for unknown keys, bad values and geometry kinds that build no air."""

import numpy as np
import pytest

from fem_spin.app.schema import ConfigError, loads
from tests.helpers import EXAMPLES

CASE = (EXAMPLES / "switching_pillar_magnetostatics.toml").read_text()


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_values():
    spec = loads(CASE).dynamics.magnetostatics
    assert (spec.air_radius, spec.h_air, spec.exterior, spec.degree) == (30.0, None, "robin", 2)
    spec = loads(CASE, overrides=["dynamics.magnetostatics.degree=1",
                                  "dynamics.magnetostatics.h_air=8.0",
                                  'dynamics.magnetostatics.exterior="dirichlet"']
                 ).dynamics.magnetostatics
    assert (spec.h_air, spec.exterior, spec.degree) == (8.0, "dirichlet", 1)
    plain = (EXAMPLES / "switching_pillar.toml").read_text()
    assert loads(plain).dynamics.magnetostatics is None


@pytest.mark.parametrize("edit, key, needle, words", [
    (("air_radius = 30.0", "air_radius = -3.0"), "dynamics.magnetostatics.air_radius",
     "air_radius = -3.0", ["positive", "nm"]),
    (('exterior = "robin"', 'exterior = "shel"'), "dynamics.magnetostatics.exterior",
     'exterior = "shel"', ["robin", "dirichlet"]),
    (("degree = 2", "degree = 3"), "dynamics.magnetostatics.degree", "degree = 3",
     ["1 or 2"]),
    (("degree = 2", "degre = 2"), "dynamics.magnetostatics.degre", "degre = 2",
     ["did you mean 'degree'"]),
])
def test_errors_name_key_and_line(edit, key, needle, words):
    text = CASE.replace(*edit)
    assert text != CASE
    with pytest.raises(ConfigError) as info:
        loads(text, "case.toml")
    err = info.value
    assert err.key == key, str(err)
    assert err.line == line_of(text, needle), str(err)
    for w in words:
        assert w in str(err)


def test_needs_a_geometry_with_air():
    """Only the pillar builder puts the device in an air ball: other kinds are refused."""
    text = CASE.replace('kind = "pillar"', 'kind = "slab"').replace("radius = 6.0",
                                                                    "width = 12.0")
    with pytest.raises(ConfigError) as info:
        loads(text, "case.toml")
    err = info.value
    assert err.key == "dynamics.magnetostatics", str(err)
    assert "air region" in str(err) and "'slab'" in str(err) and "['pillar']" in str(err)


PINNED = CASE.replace("degree = 2\n", "degree = 2\n[dynamics.magnetostatics.pinned]\n"
                      "fixed = 1.4e6          # A/m\n", 1)


def test_pinned_layers():
    assert PINNED != CASE
    assert loads(PINNED).dynamics.magnetostatics.pinned == {"fixed": 1.4e6}
    assert loads(CASE).dynamics.magnetostatics.pinned == {}
    for edit, words in ((("fixed = 1.4e6", "fixd = 1.4e6"), ["did you mean 'fixed'"]),
                        (("fixed = 1.4e6", "free = 1.4e6"), ["dynamic magnet"]),
                        (("fixed = 1.4e6", "fixed = -1.0"), ["positive", "A/m"])):
        text = PINNED.replace(*edit)
        with pytest.raises(ConfigError) as info:
            loads(text, "case.toml")
        assert info.value.line == line_of(text, edit[1]), str(info.value)
        for w in words:
            assert w in str(info.value)


def test_pinned_layer_field_reaches_the_free_layer(comm):
    """The fixed layer (M along +x) acts on the free layer through its stray field, which on
    the pillar's axis beside an in-plane magnetized disc points against its magnetization
    (the dipolar coupling that favours antiparallel layers): -0.079 T on average at h = 3 nm."""
    import dolfinx.fem as fem
    import ufl

    from fem_spin.app.builders.geometry import build_geometry
    from fem_spin.app.builders.problems import coupled_problem

    averages = []
    for B_T in ([0.0, 0.0, 0.0], [0.1, 0.0, -0.05]):  # the external field adds to it
        case = loads(PINNED, overrides=["geometry.h_max=3.0", f"dynamics.B_T={B_T}"])
        geometry = build_geometry(comm, case)
        problem = coupled_problem(case, geometry)
        dx = ufl.Measure("dx", domain=problem.mesh, subdomain_data=problem.core.cell_tags)
        free = geometry.tag("free")
        B = problem.B_llg
        volume = comm.allreduce(fem.assemble_scalar(fem.form(1.0 * dx(free))))
        averages.append(np.array([comm.allreduce(fem.assemble_scalar(fem.form(B[k] * dx(free))))
                                  for k in range(3)]) / volume)
        problem.close()
    assert -0.2 < averages[0][0] < -0.01, averages
    assert np.allclose(averages[1] - averages[0], [0.1, 0.0, -0.05], rtol=0, atol=1e-12)
