"""One S1 study from a validated :class:`~fem_spin.app.schema.Case`: mesh, magnetization, solve,
files. The thin layer between the case file and the library that ``fem-spin run`` uses.

:func:`run_case` writes one folder per run::

    input.toml            the case file as given (input.resolved.toml: with --set applied)
    fields.bp, fields_J.bp   VTX fields for ParaView (m, H, m_eq, M; the spin current J)
    <line>.csv, <line>.png   line profiles: s, coordinates, m (and M) along each polyline
    fields.png            a PyVista picture of m (2D and 3D meshes)
    summary.json          written first with status "running", last with "success" (or
                          "failed" and the error): a run that stopped early never claims
                          success

Every DOLFINx/PETSc object lives inside :func:`_simulate`, which returns numpy data only, and
the solver is closed there on all ranks together: pictures, drawn afterwards on rank 0, cannot
keep a collective object alive on one rank.
"""

from __future__ import annotations

import gc
import json
import logging
import math
import os
import platform
import re
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import dolfinx.fem as fem
import numpy as np
import ufl
from mpi4py import MPI

from fem_spin.app.schema import Case, check_boundaries
from fem_spin.core.fields import jit_options
from fem_spin.errors import InputError
from fem_spin.geometry.base import Geometry
from fem_spin.parameters.transport import Dirichlet, Flux
from fem_spin.problems.steady import SteadySpinDiffusion

__all__ = ["boundary_names", "build_geometry", "magnetization_field", "plot_csv", "run_case",
           "to_toml", "write_json"]

log = logging.getLogger(__name__)

STEPS = 5


def _step(k: int, message: str, *args: Any) -> None:
    log.info(f"[{k}/{STEPS}] {message}", *args)


# -- geometry ---------------------------------------------------------------------------------


def _graded_stack_nodes(layers: list[tuple[str, float]], x0: float, h_max: float,
                        h_interface: float, growth: float) -> np.ndarray:
    """Nodes of a 1D stack graded towards every internal interface: a layer with one
    internal interface is graded from it (mirrored when it is on the right), one between
    two is graded from both and mirror-symmetric. For two layers this is the CPP bilayer
    demo's mesh (``fem_spin.paper.bilayer.bilayer_nodes``)."""
    from fem_spin.geometry.interval import graded_nodes

    h_int = min(h_interface, h_max)
    nodes = [np.array([x0])]
    a, n = x0, len(layers)
    for i, (_, t) in enumerate(layers):
        b = a + t
        left, right = i > 0, i < n - 1
        if left and right:
            half = graded_nodes(0.0, t / 2, h_max, refine=[(0.0, h_int)], growth=growth)
            local = np.concatenate([half, t - half[-2::-1]])
            xs = a + local
        elif left:
            xs = a + graded_nodes(0.0, t, h_max, refine=[(0.0, h_int)], growth=growth)
        elif right:
            xs = b - graded_nodes(0.0, t, h_max, refine=[(0.0, h_int)], growth=growth)[::-1]
        else:
            xs = a + graded_nodes(0.0, t, h_max, growth=growth)
        xs[0], xs[-1] = a, b
        nodes.append(xs[1:])
        a = b
    return np.concatenate(nodes)


def build_geometry(comm: MPI.Comm, case: Case) -> Geometry:
    """The mesh of ``case.geometry`` (collective)."""
    g, p = case.geometry, case.geometry.params
    if g.kind == "multilayer":
        if p["mesher"] == "graded":
            from fem_spin.geometry.interval import layered_interval

            nodes = _graded_stack_nodes(list(g.layers), p["x0"], p["h_max"],
                                        p["h_interface"] or p["h_max"], p["growth"])
            ends = np.cumsum([t for _, t in g.layers]) + p["x0"]
            return layered_interval(comm, nodes, [(name, float(e)) for (name, _), e
                                                  in zip(g.layers, ends, strict=True)])
        from fem_spin.geometry.multilayer import Layer, multilayer

        layers = [Layer(name, t, case.materials[name]) for name, t in g.layers]
        return multilayer(comm, layers, l_da=p["h_interface"], points_per_l_da=1.0,
                          points_per_wavelength=p["points_per_wavelength"] or 20.0,
                          h_max=p["h_max"], growth=p["growth"], x0=p["x0"])
    if g.kind == "slab":
        from fem_spin.geometry.multilayer import Layer
        from fem_spin.geometry.slab import slab

        return slab(comm, [Layer(name, t) for name, t in g.layers], width=p["width"],
                    mode=p["mode"], h_max=p["h_max"], h_interface=p["h_interface"],
                    growth=p["growth"], origin=p["origin"])
    if g.kind == "pillar":
        from fem_spin.geometry.pillar import nanopillar

        rx, ry = p["radius"][0], p["radius"][-1]
        lead_radius = p["lead_radius"]
        return nanopillar(comm, list(g.layers), rx=rx, ry=ry, h_max=p["h_max"],
                          h_interface=p["h_interface"], leads=p["leads"],
                          lead_radius=None if lead_radius is None else
                          (lead_radius[0], lead_radius[-1]))
    if g.kind == "torus":
        from fem_spin.geometry.rings import torus

        return torus(comm, R=p["R"], r=p["r"], h_max=p["h_max"], sectors=p["sectors"])
    if g.kind == "square_torus":
        from fem_spin.geometry.rings import square_torus

        return square_torus(comm, L=p["side"], a=p["section"], h_max=p["h_max"])
    from fem_spin.geometry.interval import graded_nodes
    from fem_spin.geometry.periodic import circle_ring, square_ring

    if p["shape"] == "circle":
        return circle_ring(comm, p["cells"], radius=p["radius"])
    L = p["side"]
    half = graded_nodes(0.0, L / 2, p["h_max"], refine=[(0.0, p["h_corner"])],
                        growth=p["growth"])
    return square_ring(comm, L, np.concatenate([half, L - half[-2::-1]]))


def boundary_names(case: Case, geometry: Geometry) -> list[str]:
    """The mesh's facet names: its tag names that are not cell regions."""
    return sorted(set(geometry.tags) - set(case.geometry.regions))


def _interior(name: str) -> bool:
    """Interior facets (interfaces and cuts): ``ds`` does not integrate over them."""
    return name.startswith(("interface_", "cut_")) or "/" in name


# -- magnetization ----------------------------------------------------------------------------


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v)
    return v / n if n > 0 else v


def _constant(v) -> Callable[[np.ndarray], np.ndarray]:
    """The constant texture ``x -> v``."""
    v = np.asarray(v, dtype=float)
    return lambda x: np.tile(v[:, None], (1, np.shape(x)[1]))


def _unit_field(f):
    """The texture ``f`` scaled to unit length (zero vectors stay zero)."""
    def g(x: np.ndarray) -> np.ndarray:
        values = np.asarray(f(x), dtype=float)
        norm = np.linalg.norm(values, axis=0)
        return values / np.where(norm > 0, norm, 1.0)[None, :]

    return g


def _texture(spec, geometry: Geometry, case: Case):
    """(M texture ``x -> (3, N)``, its direction ``x -> (3, N)`` or None)."""
    from fem_spin import textures as tx

    p = spec.params
    if spec.kind == "uniform":
        v = np.asarray(p["value"], dtype=float)
        return _constant(v), _constant(_unit(v))
    if spec.kind == "vortex":
        t = tx.vortex(core_radius=p["core_radius"], center=p["center"], normal=p["normal"],
                      chirality=p["chirality"], polarity=p["polarity"])
        return t, t
    if spec.kind == "domain_wall":
        t = tx.domain_wall(p["wall"], width=p["width"], x0=p["x0"], normal=p["normal"],
                           easy_axis=p["easy_axis"], chirality=p["chirality"])
        return t, t
    if spec.kind == "ring":
        L, axes = p["side"], np.asarray(p.get("axes", tx.RING_AXES), dtype=float)
        if case.geometry.kind == "ring":
            arc = geometry.arc_length
        elif case.geometry.kind == "torus":
            R = case.geometry.params["R"]

            def arc(x):  # centreline arc length of the azimuth, from +x
                return R * np.mod(np.arctan2(x[1], x[0]), 2 * np.pi)
        else:
            from fem_spin.geometry.rings import square_torus_arc_length

            def arc(x):
                return square_torus_arc_length(x, L)
        M = tx.ring_magnetization(arc, L, p["l_da"], axes=axes)

        def direction(x):
            k = np.minimum(np.floor(np.mod(arc(x), 4 * L) / L), 3).astype(int)
            return axes[k].T

        return M, direction
    # layered
    g = case.geometry
    stack, c = g.stack, g.coordinate
    l_da = list(p["l_da"]) if len(p["l_da"]) > 1 else (p["l_da"][0] if p["l_da"] else 1.0)
    spacers = list(p["spacers"]) if len(p["spacers"]) > 1 else p["spacers"][0]
    axes = [spec.axes[name] for name in stack]
    if all(a.vector is not None for a in axes):
        vectors = np.array([a.vector for a in axes])
        M = tx.layered_magnetization(vectors, g.interfaces, l_da, axis_coordinate=c,
                                     spacers=spacers)
    else:
        ones = [(0.0, 0.0, 1.0)] * len(stack)
        profile = tx.layered_magnetization(ones, g.interfaces, l_da, axis_coordinate=c,
                                           spacers=spacers)

        def M(x):
            return profile(x)[2][None, :] * direction_raw(x)

    fields = layer_fields(spec, geometry, case)
    positions = np.asarray(g.interfaces, dtype=float)

    def direction_raw(x):
        return by_layer(fields, np.searchsorted(positions, np.asarray(x)[c], side="right"), x)

    return M, direction_raw


def by_layer(fields: list[Callable], layer: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``fields[layer[i]](x[:, i])`` for every point ``i``: (3, N)."""
    out = np.zeros((3, x.shape[1]))
    for k, f in enumerate(fields):
        mask = layer == k
        if mask.any():
            out[:, mask] = f(x[:, mask])
    return out


def layer_fields(spec, geometry: Geometry, case: Case) -> list[Callable]:
    """The textures ``x -> (3, N)`` of the layers of a layered ``spec``, in stack order."""
    return [_constant(a.vector) if a.vector is not None
            else _texture(a.texture, geometry, case)[0]
            for a in (spec.axes[name] for name in case.geometry.stack)]


def magnetization_field(case: Case, geometry: Geometry, degree: int):
    """``(M, direction)``: M as a Function in ``("Lagrange", degree, (3,))`` (None for kind
    'none'), and its direction texture (for m_eq = 'axis'; None if there is none)."""
    from fem_spin import textures as tx

    spec = case.magnetization
    if spec.kind == "none":
        return None, None
    if spec.kind == "file":
        path = Path(spec.params["path"])
        if not path.is_absolute() and case.source.name not in ("", "<case>"):
            path = Path(case.source.name).parent / path
        if not path.is_file():
            raise case.error(("magnetization", "path"), f"no such file: {path}")
        return tx.read_magnetization(path, geometry.mesh, name=spec.params["name"],
                                     degree=degree), None
    M, direction = _texture(spec, geometry, case)
    return tx.magnetization(geometry.mesh, M, degree=degree), direction


def _axis_m_eq(case: Case, geometry: Geometry, direction, M) -> fem.Function:
    """m_eq = m0 (of the cell's material) times the unit direction, per cell (DG0)."""
    mesh = geometry.mesh
    V0 = fem.functionspace(mesh, ("DG", 0, (3,)))
    f = fem.Function(V0, name="m_eq")
    f.interpolate(direction if direction is not None else M)
    values = f.x.array.reshape(-1, 3)
    norm = np.linalg.norm(values, axis=1)
    values /= np.where(norm > 0, norm, 1.0)[:, None]
    scale = np.zeros(len(values))
    for name, material in case.materials.items():
        cells = geometry.cell_tags.find(geometry.tags[name])
        scale[V0.dofmap.list[cells, 0]] = material.m0
    values *= scale[:, None]
    f.x.scatter_forward()
    return f


# -- the study --------------------------------------------------------------------------------


@dataclass
class Results:
    """What a run produced, as plain data (the same on every rank)."""

    mesh: dict[str, Any] = field(default_factory=dict)
    solve: dict[str, Any] = field(default_factory=dict)
    regions: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    grid: Any = None
    timings: dict[str, float] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # a dynamics run: traces, grids


def boundary_value(value, direction):
    """A constant vector, or +-(the unit direction of M) as a callable for "axis"/"-axis"."""
    if not isinstance(value, str):
        return value
    unit, sign = _unit_field(direction), -1.0 if value.startswith("-") else 1.0
    return lambda x: sign * unit(x)


def _problem(case: Case, geometry: Geometry, hierarchy=None
             ) -> tuple[SteadySpinDiffusion, Any]:
    M, direction = magnetization_field(case, geometry, case.degree)
    if case.m_eq == "material":
        m_eq = None
    elif case.m_eq == "zero":
        m_eq = (0.0, 0.0, 0.0)
    elif case.m_eq == "axis":
        m_eq = _axis_m_eq(case, geometry, direction, M)
    else:
        m_eq = case.m_eq
    materials = {geometry.tags[name]: mat for name, mat in case.materials.items()}
    problem = SteadySpinDiffusion(
        geometry.mesh, materials, cell_tags=geometry.cell_tags, facet_tags=geometry.facet_tags,
        M=M, B=case.B, m_eq=m_eq,
        dirichlet=[Dirichlet(geometry.tags[d.boundary], boundary_value(d.value, direction),
                             d.components) for d in case.dirichlet],
        flux=[Flux(geometry.tags[f.boundary], f.value) for f in case.flux],
        degree=case.degree, quadrature_degree=case.quadrature_degree,
        petsc_options=case.petsc_options, solver=case.linear_solver,
        hierarchy=hierarchy if case.degree == 1 else None)
    return problem, M


def _region_integrals(case: Case, geometry: Geometry, problem: SteadySpinDiffusion
                      ) -> dict[str, Any]:
    """Per region: measure (nm^d), mean m, and the s-d torque int lambda M x m (rad/ps nm^d).

    One compiled form per quantity: the integrals over each cell (a DG0 test function),
    summed per region over owned cells and over ranks."""
    mesh = geometry.mesh
    comm = mesh.comm
    tdim = mesh.topology.dim
    n_owned = mesh.topology.index_map(tdim).size_local
    V0 = fem.functionspace(mesh, ("DG", 0, (3,)))
    v = ufl.TestFunction(V0)
    dx = ufl.Measure("dx", domain=mesh, metadata={"quadrature_degree": 2 * case.degree + 1})
    quantities = {"m_integral": problem.m, "torque": problem.torque_density}
    per_cell = {}
    for name, expr in quantities.items():
        vec = fem.assemble_vector(fem.form(ufl.inner(expr, v) * dx, jit_options=jit_options()))
        per_cell[name] = vec.array.reshape(-1, 3)
    dofs = V0.dofmap.list[:, 0]
    volume = fem.assemble_vector(fem.form(v[0] * dx, jit_options=jit_options())).array
    volume = volume.reshape(-1, 3)[:, 0]
    out = {}
    for region, tag in ((r, geometry.tags[r]) for r in case.geometry.regions):
        cells = geometry.cell_tags.find(tag)
        cells = cells[cells < n_owned]
        d = dofs[cells]
        local = np.concatenate([[volume[d].sum()], per_cell["m_integral"][d].sum(axis=0),
                                per_cell["torque"][d].sum(axis=0)])
        total = comm.allreduce(local, op=MPI.SUM)
        out[region] = {"measure": float(total[0]),
                       "mean_m": [float(x) for x in total[1:4] / max(total[0], 1e-300)],
                       "torque": [float(x) for x in total[4:7]]}
    return out


def sample_lines(case: Case, m: fem.Function, M) -> dict[str, dict]:
    """The columns (s, coordinates, m and M components) of each line of ``case.lines``."""
    from fem_spin.observables.sampling import sample_line

    gdim = m.function_space.mesh.geometry.dim
    out = {}
    for line in case.lines:
        s_all, pts_all, m_all, M_all = [], [], [], []
        offset = 0.0
        for i, (p0, p1) in enumerate(zip(line.points[:-1], line.points[1:], strict=True)):
            s, pts, mv = sample_line(m, p0, p1, line.samples)
            Mv = sample_line(M, p0, p1, line.samples)[2] if M is not None else None
            start = 0 if i == 0 else 1
            s_all.append(s[start:] + offset)
            pts_all.append(pts[start:])
            m_all.append(mv[start:])
            if Mv is not None:
                M_all.append(Mv[start:])
            offset += float(np.linalg.norm(np.subtract(p1, p0)))
        pts = np.concatenate(pts_all)
        mv = np.concatenate(m_all)
        columns = {"s": np.concatenate(s_all)}
        columns.update({"xyz"[k]: pts[:, k] for k in range(max(gdim, len(line.points[0])))})
        columns.update({f"m{c}": mv[:, k] for k, c in enumerate("xyz")})
        if M_all:
            Mv = np.concatenate(M_all)
            columns.update({f"M{c}": Mv[:, k] for k, c in enumerate("xyz")})
        outside = int(np.count_nonzero(np.isnan(mv[:, 0])))
        if outside:
            log.warning("line %r: %d of %d points lie outside the mesh (NaN in the CSV)",
                        line.name, outside, len(mv))
        out[line.name] = columns
    return out


def mesh_step(comm: MPI.Comm, case: Case, r: Results):
    """Step 1 of a run: the mesh (refined ``case.refinements`` times: then also the
    hierarchy, else None), its boundary names checked against ``[drive]``; fills ``r.mesh``
    and ``r.timings["mesh"]`` (collective). Returns ``(geometry, hierarchy)``."""
    t0 = time.perf_counter()
    g = case.geometry
    _step(1, "meshing: %s (%dD)", g.kind, g.gdim)
    geometry = build_geometry(comm, case)
    hierarchy = None
    if case.refinements:
        from fem_spin.core.linear_solvers import refine_hierarchy
        from fem_spin.geometry.base import mesh_statistics

        log.info("refining the mesh uniformly %d time(s) (the multigrid hierarchy)",
                 case.refinements)
        hierarchy = refine_hierarchy(geometry.mesh, case.refinements,
                                     cell_tags=geometry.cell_tags,
                                     facet_tags=geometry.facet_tags)
        stats = {**mesh_statistics(hierarchy.mesh), "refinements": case.refinements,
                 "coarse_cells": geometry.stats["cells"],
                 "coarse_h_max": geometry.stats["h_max"]}
        geometry = Geometry(hierarchy.mesh, hierarchy.cell_tags, hierarchy.facet_tags,
                            geometry.tags, stats)
    facets = boundary_names(case, geometry)
    check_boundaries(case, facets)
    for f in case.flux:
        if _interior(f.boundary):
            raise case.error((*f.path, "boundary"), f"{f.boundary!r} is an interior facet: a "
                                                    "flux acts on the outer boundary only")
    r.timings["mesh"] = time.perf_counter() - t0
    r.mesh = {**{k: float(v) for k, v in geometry.stats.items()}, "gdim": g.gdim,
              "regions": {n: geometry.tags[n] for n in g.regions},
              "boundaries": {n: geometry.tags[n] for n in facets}}
    return geometry, hierarchy


def _simulate(comm: MPI.Comm, case: Case, folder: Path) -> Results:
    """Mesh, solve and write the field and line files; numpy data out (collective)."""
    from fem_spin.output import s1_output_fields, write_csv, write_fields

    r = Results()
    geometry, hierarchy = mesh_step(comm, case, r)

    t0 = time.perf_counter()
    _step(2, "magnetization and forms (P%d; compiling forms the first time takes a few "
             "seconds)", case.degree)
    problem, M = _problem(case, geometry, hierarchy)
    with problem:
        imap = problem.V.dofmap.index_map
        r.mesh["dofs"] = imap.size_global * problem.V.dofmap.index_map_bs
        r.timings["setup"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        _step(3, "solving S1 (%d dofs): assembly and %s", r.mesh["dofs"],
              problem.linear_solver.description)
        info = problem.solve()
        r.timings["solve"] = time.perf_counter() - t0
        r.solve = {"reason": info.reason, "newton_iterations": info.newton_iterations,
                   "linear_iterations": info.linear_iterations,
                   "residual_norms": list(info.residual_norms), "seconds": info.seconds,
                   "linear_solver": problem.linear_solver.description}

        t0 = time.perf_counter()
        _step(4, "writing fields %s and %d line profile(s) to %s", list(case.fields),
              len(case.lines), folder)
        if case.fields:
            functions = [f for f in s1_output_fields(problem) if f.name in case.fields]
            write_fields(comm, folder / "fields.bp", functions)
            r.files.append("fields.bp")
            if "J" in case.fields:
                r.files.append("fields_J.bp")
        r.lines = sample_lines(case, problem.m, M)
        for name, columns in r.lines.items():
            write_csv(comm, folder / f"{name}.csv", columns)
            r.files.append(f"{name}.csv")
        r.regions = _region_integrals(case, geometry, problem)
        if case.render and case.pictures and geometry.mesh.topology.dim >= 2:
            from fem_spin.render import gather_fields

            fields = {"m": problem.m} | ({"M": M} if M is not None else {})
            r.grid = gather_fields(geometry.mesh, fields)
        r.timings["output"] = time.perf_counter() - t0
    del problem, M, geometry
    return r


def _versions() -> dict[str, str]:
    import dolfinx
    import petsc4py
    from petsc4py import PETSc

    import fem_spin

    out = {"python": platform.python_version(), "fem_spin": fem_spin.__version__,
           "dolfinx": dolfinx.__version__, "petsc4py": petsc4py.__version__,
           "petsc": ".".join(map(str, PETSc.Sys.getVersion())), "numpy": np.__version__}
    for dist in ("gmsh", "mpi4py", "fenics-ufl", "fenics-ffcx", "fenics-basix"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out


def write_json(comm: MPI.Comm, path: Path, data: dict) -> None:
    """``data`` as JSON on rank 0, atomically (a ``.partial`` file renamed); not collective."""
    if comm.rank == 0:
        tmp = path.with_name(path.name + ".partial")
        tmp.write_text(json.dumps(data, indent=2, default=_json_default) + "\n")
        os.replace(tmp, path)


def _json_default(x: Any) -> Any:
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, Path):
        return str(x)
    raise TypeError(f"not JSON serializable: {type(x).__name__}")


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v) if math.isfinite(v) else ("nan" if math.isnan(v) else
                                                 ("inf" if v > 0 else "-inf"))
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_toml_value(x)}" for k, x in v.items()) \
            + " }"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")


def to_toml(data: dict, prefix: str = "") -> str:
    """TOML text of a dict (tables as ``[a.b]`` sections, lists of tables as ``[[a.b]]``)."""
    lines, tables = [], []
    for k, v in data.items():
        key = k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k)
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(v, dict):
            tables.append((full, v, False))
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            tables.append((full, v, True))
        else:
            lines.append(f"{key} = {_toml_value(v)}")
    out = "\n".join(lines) + ("\n" if lines else "")
    for full, v, many in tables:
        for item in (v if many else [v]):
            out += f"\n[[{full}]]\n" if many else f"\n[{full}]\n"
            out += to_toml(item, full)
    return out


def _prepare(comm: MPI.Comm, case: Case, folder: Path, summary: dict) -> None:
    """Create the folder, remove a stale summary, copy the input, mark the run as running."""
    error = None
    if comm.rank == 0:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "summary.json").unlink(missing_ok=True)
            (folder / "input.toml").write_text(case.source.text or to_toml(case.data))
            resolved = folder / "input.resolved.toml"
            if case.source.overrides:
                resolved.write_text(f"# {case.source.name} with --set "
                                    f"{' --set '.join(case.source.overrides.values())}\n"
                                    + to_toml(case.data))
            else:
                resolved.unlink(missing_ok=True)
            write_json(comm, folder / "summary.json", summary)
        except OSError as e:
            error = f"cannot write the output folder {folder}: {e.strerror or e}"
    error = comm.bcast(error, root=0)
    if error is not None:
        from fem_spin.errors import OutputError

        raise OutputError(error)


def run_case(case: Case, comm: MPI.Comm = MPI.COMM_WORLD, folder: str | Path | None = None,
             command: list[str] | None = None) -> dict:
    """Run the study of ``case`` into ``folder`` (default ``case.folder``); returns the summary.

    Collective. On an error the summary says ``"status": "failed"`` with the error, and the
    error is raised again.
    """
    folder = Path(case.folder if folder is None else folder)
    t_start = time.perf_counter()
    summary: dict[str, Any] = {
        "status": "running", "case": case.name, "description": case.description,
        "input": "input.toml", "case_file": case.source.name,
        "overrides": list(case.source.overrides.values()),
        "command": command if command is not None else sys.argv,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "mpi_ranks": comm.size, "versions": _versions(),
        "parameters": {
            "materials": {n: {"D": m.D, "tau": m.tau, "lam": m.lam, "m0": m.m0,
                              "l_sf": [math.sqrt(d * t) for d, t in zip(m.D3, m.tau3,
                                                                         strict=True)],
                              "a_max": [t * abs(m.lam) for t in m.tau3]}
                          for n, m in case.materials.items()},
            "m_eq": case.m_eq, "B": case.B, "degree": case.degree,
            "quadrature_degree": case.quadrature_degree, "petsc_options": case.petsc_options,
            "config": case.data,
        },
    }
    if case.dynamics is not None:
        summary["parameters"]["dynamics"] = asdict(case.dynamics)
    _prepare(comm, case, folder, summary)
    try:
        if case.dynamics is None:
            results = _simulate(comm, case, folder)
        else:
            from fem_spin.app.dynamics import simulate_dynamics

            results = simulate_dynamics(comm, case, folder)
        gc.collect()  # collective PETSc objects go away now, on every rank
        t0 = time.perf_counter()
        pngs = []
        if case.pictures:
            _step(5, "pictures (rank 0)")
            if comm.rank == 0:
                if case.dynamics is None:
                    pngs = pictures(case, folder, results.grid)
                else:
                    from fem_spin.app.dynamics import dynamics_pictures

                    pngs = dynamics_pictures(case, folder, results)
            pngs = comm.bcast(pngs, root=0)
        results.timings["pictures"] = time.perf_counter() - t0
        results.timings["total"] = time.perf_counter() - t_start
        timings = {k: comm.allreduce(v, op=MPI.MAX) for k, v in results.timings.items()}
        summary.update(status="success", mesh=results.mesh, solve=results.solve,
                       regions=results.regions, timings=timings,
                       files=["input.toml",
                              *(["input.resolved.toml"] if case.source.overrides else []),
                              *results.files, *pngs, "summary.json"],
                       pictures=pngs,
                       finished=datetime.now(UTC).isoformat(timespec="seconds"))
        write_json(comm, folder / "summary.json", summary)
        comm.barrier()
        log.info("done in %.1f s: %s, %d dofs, output in %s", timings["total"],
                 results.solve["reason"], results.mesh["dofs"], folder)
        return summary
    except BaseException as e:  # record it (rank 0, no collective call), then raise again
        summary.update(status="failed", error=f"{type(e).__name__}: {e}",
                       finished=datetime.now(UTC).isoformat(timespec="seconds"))
        try:
            write_json(comm, folder / "summary.json", summary)
        except Exception:  # the original error matters more
            pass
        raise


# -- pictures (rank 0, numpy data only) -------------------------------------------------------


def plot_csv(csv_path: str | Path, png_path: str | Path, title: str = "") -> Path:
    """A PNG line plot of a profile CSV: m components solid, M dashed, against the one
    coordinate that varies (or the arc length s). Any CSV with a header works: the first
    column is then the horizontal axis."""
    from matplotlib.figure import Figure

    csv_path, png_path = Path(csv_path), Path(png_path)
    with open(csv_path) as f:
        header = f.readline().strip().split(",")
    data = np.loadtxt(csv_path, delimiter=",", skiprows=1, ndmin=2)
    if data.shape[1] != len(header) or data.shape[0] < 2:
        raise InputError(f"{csv_path}: needs a header line and at least two rows of "
                         f"{len(header)} numbers")
    cols = {name: data[:, k] for k, name in enumerate(header)}
    coords = [c for c in "xyz" if c in cols and np.ptp(cols[c]) > 0]
    if len(coords) == 1:
        xname, xlabel = coords[0], f"{coords[0]} (nm)"
    elif "s" in cols:
        xname, xlabel = "s", "s, distance along the line (nm)"
    else:
        xname, xlabel = header[0], header[0]
    skip = {xname, "s", "x", "y", "z"} if xname in ("s", *"xyz") else {xname}
    colors = {"x": "tab:red", "y": "tab:green", "z": "tab:blue"}
    fig = Figure(figsize=(8, 4), layout="constrained")
    ax = fig.subplots()
    for name in header:
        if name in skip:
            continue
        comp = name[-1] if len(name) == 2 and name[0] in "mM" else None
        style = {"color": colors.get(comp, None), "lw": 1.3 if name[0] == "m" else 0.9,
                 "ls": "-" if name[0] != "M" else "--"}
        ax.plot(cols[xname], cols[name], label=f"${name[0]}_{name[1]}$" if comp else name,
                **style)
    ax.axhline(0.0, color="0.8", lw=0.6, zorder=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("m (spin accumulation), M dashed" if "mx" in cols else "")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, ncols=2)
    ax.set_title(title or csv_path.stem, fontsize=10)
    png_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = png_path.with_name(png_path.stem + ".partial.png")
    fig.savefig(tmp, dpi=110)
    os.replace(tmp, png_path)
    return png_path


def pictures(case: Case, folder: Path, grid) -> list[str]:
    """The PNGs of one result folder (rank 0): a plot of each line's CSV and, with a gathered
    ``grid``, the PyVista picture ``fields.png``; returns the file names written."""
    written = []
    for line in case.lines:
        png = plot_csv(folder / f"{line.name}.csv", folder / f"{line.name}.png",
                       f"{case.name}: {line.name}")
        written.append(png.name)
    if grid is not None:
        try:
            written.append(render_fields(case, folder / "fields.png", grid).name)
        except Exception as e:  # e.g. no OpenGL: the run's results stand, say so
            log.warning("the PyVista picture fields.png was not drawn (%s: %s); on a headless "
                        "machine set PYVISTA_OFF_SCREEN=true (and install libgl1/libosmesa6)",
                        type(e).__name__, e)
    return written


def render_fields(case: Case, path: Path, grid) -> Path:
    """m (and M) as arrows, |m| in colour: on the plane of a 2D mesh, or on the plane
    y = centre of a 3D one."""
    from fem_spin import render

    pts = grid.points
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    center = 0.5 * (lo + hi)
    points = None
    if case.geometry.gdim == 2:
        plane, view = (tuple(center), (0.0, 0.0, 1.0)), "xy"
        spacing = float(max(hi - lo)) / 18
        u = np.arange(lo[0] + spacing / 2, hi[0], spacing)
        v = np.arange(lo[1] + spacing / 2, hi[1], spacing)
        uu, vv = np.meshgrid(u, v, indexing="ij")
        points = np.column_stack([uu.ravel(), vv.ravel(), np.zeros(uu.size)])
    else:
        plane, view = (tuple(center), (0.0, 1.0, 0.0)), "xz"
    panels = [render.GlyphPanel(vectors="m", plane=plane, points=points, color_by="m:z",
                                view=view, title="m (colour: m_z)")]
    if "M" in grid.point_data:
        panels.append(render.GlyphPanel(vectors="M", plane=plane, points=points,
                                        color_by="M:z", view=view, title="M (colour: M_z)"))
    panels.append(render.ScalarPanel(scalars="m", planes=[plane] if points is None else [],
                                     view=view, title="magnitude of m",
                                     surface=points is not None))
    return render.render_panels(grid, path, panels, panel_size=(600, 500))

