"""The README's first script runs as written (serially and under MPI) and gives m = -z and n_R
at the ends."""

import numpy as np

from tests.helpers import ROOT


def test_readme_example():
    text = (ROOT / "README.md").read_text()
    start = text.index("```python") + len("```python")
    code = text[start : text.index("```", start)]
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    m = namespace["m"]
    assert namespace["info"].reason.startswith("CONVERGED")
    np.testing.assert_allclose(m[0], [0.0, 0.0, -1.0], atol=1e-10)
    np.testing.assert_allclose(m[-1], [0.0, -1.0, 0.0], atol=1e-10)
    assert np.abs(m[:, :2]).max() > 0.1  # transverse accumulation at theta = 90 degrees
