"""Import a demo script of demos/ as a module (its main(argv) is then called in-process).

``load_demo(name)`` is :func:`fem_spin.app.cli.load_demo`, the loader of ``fem-spin demos
run``: from a source checkout it finds the repository's demos/ folder (and the package data
``fem_spin/demos`` in an installed wheel). tests/conftest.py puts this folder on sys.path, so
any test module can ``from demo_loader import load_demo``.
"""

from fem_spin.app.cli import load_demo

__all__ = ["load_demo"]
