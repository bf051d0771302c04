"""The case-file schema: TOML tables validated into a typed :class:`Case` before anything is
computed. One parser module per table; the geometry and texture kinds are registries
(:data:`GEOMETRY_PARSERS`, :data:`TEXTURE_PARSERS`) keyed like the builders of
:mod:`fem_spin.app.builders`. Errors are :class:`ConfigError` s with the file, line and key path
(and a "did you mean"). Nothing here touches DOLFINx."""

from fem_spin.app.schema.case import Case, check_boundaries, parse_case
from fem_spin.app.schema.drive import BoundarySpec
from fem_spin.app.schema.dynamics import DynamicsSpec
from fem_spin.app.schema.files import apply_override, load_case, loads
from fem_spin.app.schema.geometry import GEOMETRY_KINDS, GEOMETRY_PARSERS, GeometrySpec
from fem_spin.app.schema.modes import ModesSpec
from fem_spin.app.schema.outputs import Line
from fem_spin.app.schema.texture import TEXTURE_KINDS, TEXTURE_PARSERS, Axis, TextureSpec
from fem_spin.app.tomltable import ConfigError, Source

__all__ = ["GEOMETRY_KINDS", "GEOMETRY_PARSERS", "TEXTURE_KINDS", "TEXTURE_PARSERS", "Axis",
           "BoundarySpec", "Case", "ConfigError", "DynamicsSpec", "GeometrySpec", "Line",
           "ModesSpec", "Source", "TextureSpec", "apply_override", "check_boundaries",
           "load_case", "loads", "parse_case"]
