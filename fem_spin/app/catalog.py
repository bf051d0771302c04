"""The bundled demos and example case files: where they are (package data of an installed
wheel, or the checkout's ``demos/`` and ``examples/``), their titles, and a demo imported as a
module (``fem-spin demos``, ``fem-spin examples``)."""

from __future__ import annotations

import importlib.resources
import importlib.util
import os
import sys
from pathlib import Path

import fem_spin
from fem_spin.errors import InputError

__all__ = ["demo_paths", "example_path", "example_paths", "load_demo", "title"]


def _repository() -> Path:
    return Path(fem_spin.__file__).resolve().parents[1]


def _bundled(kind: str) -> Path | None:
    """The folder of the bundled ``kind`` (``"demos"`` or ``"examples"``):
    ``$FEM_SPIN_DEMOS`` / ``$FEM_SPIN_EXAMPLES``, else the package data ``fem_spin/<kind>`` of
    an installed wheel, else the top-level folder ``<kind>/`` of the source checkout that
    fem_spin is imported from (also an editable install)."""
    env = os.environ.get(f"FEM_SPIN_{kind.upper()}")
    candidates = [Path(env)] if env else []
    candidates.append(Path(str(importlib.resources.files("fem_spin") / kind)))
    if (_repository() / "pyproject.toml").is_file():
        candidates.append(_repository() / kind)
    return next((c for c in candidates if c.is_dir()), None)


def demo_paths() -> dict[str, Path]:
    """The bundled demos by name (see :func:`_bundled` for where they are found)."""
    folder = _bundled("demos")
    if folder is None:
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.py")) if not p.name.startswith("_")}


def example_paths() -> dict[str, Path]:
    """The example case files by name (see :func:`_bundled` for where they are found)."""
    folder = _bundled("examples")
    return {} if folder is None else {p.stem: p for p in sorted(folder.glob("*.toml"))}


def example_path(name: str) -> Path:
    """The example case file ``name`` (e.g. ``"cpp_bilayer"``); InputError if there is none."""
    examples = example_paths()
    if name not in examples:
        raise InputError(f"no example case file named {name!r} (set FEM_SPIN_EXAMPLES to the "
                         f"examples/ folder of fem_spin); examples: {', '.join(examples)}")
    return examples[name]


def load_demo(name: str):
    """The demo ``name`` imported as a module (registered in ``sys.modules`` as
    ``fem_spin_demo_<name>``: dataclasses need it); ``module.main(argv)`` runs it."""
    demos = demo_paths()
    if name not in demos:
        import difflib

        close = difflib.get_close_matches(name, list(demos), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise InputError(f"no demo named {name!r}{hint}; demos: {', '.join(demos)}")
    spec = importlib.util.spec_from_file_location(f"fem_spin_demo_{name}", demos[name])
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def title(path: Path) -> str:
    """The first title line of a demo (``# # Title``) or a case file (``description``)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return ""
    for line in lines:
        text = line.strip()
        if text.startswith("# # "):
            return text[4:].strip()
        if text.startswith("description") and "=" in text:
            return text.split("=", 1)[1].strip().strip("\"'")
    return next((t.lstrip("# ").strip() for t in lines if t.strip().lstrip("#").strip()), "")
