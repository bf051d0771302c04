"""The reference values of tests/regression/reference_values.toml (numbers from earlier runs,
each with its source)."""

import functools
import tomllib
from decimal import Decimal

from tests.helpers import ROOT

REFERENCE_FILE = ROOT / "tests" / "regression" / "reference_values.toml"


@functools.cache
def _all() -> dict:
    with open(REFERENCE_FILE, "rb") as f:
        return tomllib.load(f)


def reference(*keys: str) -> dict:
    """The table at ``keys`` (e.g. ``reference("paper_1d", "readings")``)."""
    table = _all()
    for key in keys:
        table = table[key]
    return table


def printed(value: str, rel: float) -> tuple[float, float]:
    """A value as printed (a string such as ``"0.0067"``) and its tolerance: half a unit in the
    last printed digit plus ``rel`` times the value."""
    d = Decimal(value)
    half_unit = 0.5 * 10.0 ** d.as_tuple().exponent
    return float(d), half_unit + rel * abs(float(d))
