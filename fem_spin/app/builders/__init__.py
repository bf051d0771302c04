"""Case -> DOLFINx objects: the mesh (:mod:`~fem_spin.app.builders.geometry`), the magnetization
(:mod:`~fem_spin.app.builders.magnetization`), the problem (:mod:`~fem_spin.app.builders.problems`).
The geometry and texture builders are registries keyed like the schema's parsers."""
