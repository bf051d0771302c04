"""The application layer: case files -> runs -> reports, and the ``fem-spin`` command.

- :mod:`~fem_spin.app.schema`: the case-file schema (one parser per table; registries of
  geometry and texture kinds), validated before anything is computed;
- :mod:`~fem_spin.app.builders`: case -> mesh, magnetization, problem (registries keyed like the
  schema);
- :mod:`~fem_spin.app.runner`: :func:`run_case`, one runner for steady
  (:mod:`~fem_spin.app.steady`) and dynamic (:mod:`~fem_spin.app.dynamics`) studies;
- :mod:`~fem_spin.app.report`: pictures and their redraw; :mod:`~fem_spin.app.summary`;
- :mod:`~fem_spin.app.cli`: ``fem-spin run | check | mesh | plot | demos | examples``.

The library (everything in :mod:`fem_spin` outside this package) never imports it.
"""

from fem_spin.app.runner import run_case, run_study
from fem_spin.app.schema import Case, load_case, loads

__all__ = ["Case", "load_case", "loads", "run_case", "run_study"]
