"""Import a demo script from demos/ as a module (its main() is then called in-process)."""

import importlib.util
import sys
from pathlib import Path

DEMOS = Path(__file__).resolve().parents[1] / "demos"


def load_demo(name: str):
    """The module of ``demos/<name>.py``, registered in sys.modules (dataclasses need it)."""
    spec = importlib.util.spec_from_file_location(f"demo_{name}", DEMOS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
