"""Case -> DOLFINx objects: the mesh (:mod:`~fem_spin.app.build.geometry`), the magnetization
(:mod:`~fem_spin.app.build.magnetization`), the problem (:mod:`~fem_spin.app.build.problems`).
The geometry and texture builders are registries keyed like the schema's parsers."""
