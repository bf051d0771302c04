"""Property-based (hypothesis) fuzzing of the case-file loader: malformed input of any kind,
random trees, mutated examples and random text, gives a ConfigError or a Case, never another
exception. Only this module needs hypothesis (in the `test` extra): without it, it is skipped
alone.

FEM_SPIN_FUZZ_EXAMPLES sets the number of examples per test (default 150).
"""

import copy
import os
import tomllib

import pytest

import fem_spin  # noqa: F401  (before hypothesis pulls in anything else)
from fem_spin.app.schema import ConfigError, Source, loads, parse_case
from tests.helpers import EXAMPLES
from tests.helpers.cases import BILAYER

hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies

KEYS = ["name", "geometry", "kind", "layers", "thickness", "h_max", "materials", "default",
        "D", "tau", "l_sf", "lam", "m0", "magnetization", "axes", "l_da", "drive", "m_eq",
        "dirichlet", "flux", "boundary", "value", "solver", "degree", "outputs", "lines",
        "points", "samples", "fields", "multilayer", "ring", "pillar", "fm_left", "radius",
        "side", "shape", "theta_deg", "components", "petsc_options", "x", "zz", "dynamics",
        "magnets", "drives", "t_end", "dt", "tol", "Ms", "K_d", "free", "switch_axis"]
scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
           | st.text(max_size=12) | st.sampled_from(KEYS))
trees = st.recursive(scalars, lambda kids: st.lists(kids, max_size=4)
                     | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), kids,
                                       max_size=5), max_leaves=25)
SETTINGS = hypothesis.settings(max_examples=int(os.environ.get("FEM_SPIN_FUZZ_EXAMPLES", 150)),
                               deadline=None, database=None,
                               suppress_health_check=list(hypothesis.HealthCheck))


def _leaves(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _leaves(v, (*path, i))
    yield path


def _set(node, path, value):
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value


def _parse(data):
    try:
        parse_case(data, Source("fuzz.toml", BILAYER))
    except ConfigError as e:
        assert str(e) and e.file == "fuzz.toml"


@pytest.mark.serial
@SETTINGS
@hypothesis.given(trees)
def test_random_trees(data):
    _parse(data)


@pytest.mark.serial
@SETTINGS
@hypothesis.given(st.data())
def test_mutated_examples(data):
    """A valid case with one value replaced or one key removed: a ConfigError or a Case."""
    name = data.draw(st.sampled_from(sorted(p.name for p in EXAMPLES.glob("*.toml"))))
    base = tomllib.loads((EXAMPLES / name).read_text())
    paths = [p for p in _leaves(base) if p]
    path = data.draw(st.sampled_from(paths))
    mutated = copy.deepcopy(base)
    if data.draw(st.booleans()):
        _set(mutated, path, data.draw(trees))
    else:
        parent = mutated
        for p in path[:-1]:
            parent = parent[p]
        del parent[path[-1]]
    _parse(mutated)


@pytest.mark.serial
@SETTINGS
@hypothesis.given(st.text(alphabet=st.sampled_from(list('[]{}=".,\n #abkmxz0123456789-_'))
                          | st.characters(), max_size=200),
                  st.lists(st.text(max_size=30), max_size=3))
def test_random_text(text, overrides):
    for t in (text, BILAYER + text, text + BILAYER):
        try:
            loads(t, "fuzz.toml", overrides)
        except ConfigError as e:
            assert str(e)
