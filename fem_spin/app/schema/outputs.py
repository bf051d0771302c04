"""``[solver]`` (discretization and solver) and ``[outputs]`` (folder, fields, pictures, lines)."""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import Any

from fem_spin.app.schema.geometry import GeometrySpec
from fem_spin.app.schema.petsc import petsc_option_problem
from fem_spin.app.schema.texture import TextureSpec
from fem_spin.app.tomltable import Table, check_number, type_name

__all__ = ["FIELDS", "LINEAR_SOLVERS", "Line", "parse_outputs", "parse_solver"]

FIELDS = ("m", "H", "m_eq", "M", "J")


@dataclass(frozen=True)
class Line:
    """A line profile: a polyline through ``points`` (nm), ``samples`` points per segment."""

    name: str
    points: tuple[tuple[float, ...], ...]
    samples: int


LINEAR_SOLVERS = ("auto", "direct", "iterative")


def parse_solver(root: Table, geometry: GeometrySpec) -> dict[str, Any]:
    s = root.table("solver", {})
    s.allow(("degree", "quadrature_degree", "linear_solver", "refinements", "petsc_options"))
    opts = s.table("petsc_options", {})
    options = {}
    for key, value in opts.data.items():
        if not isinstance(value, str | int | float | bool) or not str(key).strip("-"):
            raise opts.error(str(key), f"PETSc option values must be strings, numbers or "
                                       f"booleans, got {type_name(value)}")
        if isinstance(value, float) and not math.isfinite(value):
            raise opts.error(str(key), f"must be finite, got {value}")
        options[str(key).lstrip("-")] = value
    problem = petsc_option_problem(options)
    if problem is not None:
        raise opts.error(next(str(k) for k in opts.data if str(k).lstrip("-") == problem[0]),
                         problem[1])
    degree = s.integer("degree", 1, minimum=1, maximum=4)
    linear_solver = s.string("linear_solver", "auto", choices=LINEAR_SOLVERS)
    refinements = s.integer("refinements", 0, minimum=0, maximum=5)
    if refinements and geometry.kind in ("multilayer", "ring"):
        raise s.error("refinements", f"a {geometry.kind} is a 1D mesh, solved directly: make it "
                                     "finer with geometry.h_max instead")
    if refinements and degree > 1 and linear_solver == "iterative":
        raise s.error("linear_solver", "the multigrid solver on the refined meshes works with "
                                       "degree = 1 only: set degree = 1, or linear_solver = "
                                       "'direct'")
    return {"degree": degree,
            "quadrature_degree": s.integer("quadrature_degree", None, minimum=0, maximum=30),
            "petsc_options": options, "linear_solver": linear_solver,
            "refinements": refinements}


def parse_outputs(root: Table, name: str, geometry: GeometrySpec, texture: TextureSpec
             ) -> dict[str, Any]:
    o = root.table("outputs", {})
    o.allow(("folder", "fields", "pictures", "render", "lines"))
    available = [f for f in FIELDS if f != "M" or texture.kind != "none"]
    fields = o.get("fields", list(available))
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise o.error("fields", f"must be a list of field names out of {', '.join(FIELDS)}")
    for i, f in enumerate(fields):
        if f not in FIELDS:
            close = difflib.get_close_matches(f, list(FIELDS), n=1, cutoff=0.5)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise o.error("fields", f"[{i}]: unknown field {f!r}{hint}; fields: "
                                    f"{', '.join(FIELDS)}")
        if f not in available:
            raise o.error("fields", f"{f!r} is not available: magnetization kind is 'none'")
    folder = o.string("folder", f"output/{name}")
    if not folder.strip():
        raise o.error("folder", "must not be empty")
    lines = []
    for t in o.tables("lines"):
        t.allow(("name", "points", "samples"), " in [[outputs.lines]]")
        line_name = t.string("name", name=True)
        if line_name in [x.name for x in lines] or line_name in ("summary", "input"):
            raise t.error("name", f"{line_name!r} is taken: line names must be unique and "
                                  "not 'summary' or 'input'")
        points = t.get("points")
        if not isinstance(points, list) or len(points) < 2:
            raise t.error("points", "must be a list of at least two points, e.g. "
                                    "[[-100.0], [100.0]] (nm)")
        pts = []
        for i, pt in enumerate(points):
            if not isinstance(pt, list) or not 1 <= len(pt) <= 3:
                raise t.error("points", f"[{i}]: a point is a list of 1 to 3 coordinates (nm), "
                                        f"got {pt!r:.60}")
            pts.append(tuple(check_number(c, lambda m, i=i, t=t: t.error("points",
                                                                        f"[{i}]: {m}"))
                             for c in pt))
        if len({len(p) for p in pts}) != 1:
            raise t.error("points", "all points must have the same number of coordinates")
        if len(pts[0]) < geometry.gdim:
            raise t.error("points", f"the mesh is {geometry.gdim}D: give {geometry.gdim} "
                                    f"coordinates per point")
        for i in range(1, len(pts)):
            if pts[i] == pts[i - 1]:
                raise t.error("points", f"[{i}] repeats the point before it: a segment needs "
                                        "two different points")
        lines.append(Line(line_name, tuple(pts),
                          t.integer("samples", 201, minimum=2, maximum=1_000_000)))
    return {"folder": folder, "fields": tuple(fields), "lines": tuple(lines),
            "pictures": o.boolean("pictures", True),
            "render": o.boolean("render", geometry.gdim >= 2)}
