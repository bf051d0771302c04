"""Unit tests: parameters, case files, errors, output, textures, geometry, observables, CLI."""
