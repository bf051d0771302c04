"""fem_spin.render: the gathered serial grid of a distributed mesh, and pictures (glyphs,
slices, surfaces) written by rank 0, serially and under mpiexec -n 2."""

import fem_spin  # noqa: F401  (must precede the DOLFINx imports)

# isort: split
import dolfinx.fem as fem
import dolfinx.mesh
import numpy as np
import pytest
import ufl

from fem_spin import render
from fem_spin.errors import InputError
from tests.helpers.pictures import assert_picture


def cube(comm):
    return dolfinx.mesh.create_box(comm, [[0.0, 0.0, 0.0], [2.0, 1.0, 1.0]], [6, 3, 3],
                                   dolfinx.mesh.CellType.tetrahedron)


def test_gather_fields_is_the_serial_grid(comm):
    """Every mesh node once, with the P1 values of the fields at that node, on rank 0."""
    mesh = cube(comm)
    x = ufl.SpatialCoordinate(mesh)
    V = fem.functionspace(mesh, ("Lagrange", 2, (3,)))
    u = fem.Function(V)
    u.interpolate(lambda p: np.stack([p[0], p[1] * p[2], -p[2]]))
    grid = render.gather_fields(mesh, {"u": u, "s": x[0] + 2 * x[1]})
    if comm.rank != 0:
        assert grid is None
        return
    assert grid.points.shape == (7 * 4 * 4, 3)
    assert len(grid.cell_types) == 6 * 3 * 3 * 6 and set(grid.cell_types) == {10}
    p = grid.points
    np.testing.assert_allclose(grid.point_data["u"], np.column_stack([p[:, 0], p[:, 1] * p[:, 2],
                                                                      -p[:, 2]]), atol=1e-12)
    np.testing.assert_allclose(grid.point_data["s"], p[:, 0] + 2 * p[:, 1], atol=1e-12)
    vtk = grid.to_pyvista()
    assert vtk.n_points == len(p) and vtk.n_cells == len(grid.cell_types)
    assert vtk.volume == pytest.approx(2.0, rel=1e-12)


def test_render_writes_pictures(comm, shared_dir):
    """Glyphs (lattice and explicit points) and scalars on slices and on the surface."""
    mesh = cube(comm)
    x = ufl.SpatialCoordinate(mesh)
    field = ufl.as_vector((ufl.sin(x[0]), ufl.cos(x[0]), x[2]))
    grid = render.gather_fields(mesh, {"m": field})
    if comm.rank == 0:
        out = shared_dir / "render"
        plane = ((1.0, 0.5, 0.5), (0.0, 1.0, 0.0))
        path = render.render_glyphs(grid, out / "glyphs.png", vectors="m", plane=plane,
                                    color_by="m:z", title="test glyphs")
        assert_picture(path, min_bytes=10_000)
        points = np.column_stack([np.linspace(0.1, 1.9, 9), np.full(9, 0.5), np.full(9, 0.5)])
        path = render.render_panels(grid, out / "panels.png", [
            render.GlyphPanel(vectors="m", points=points, view="iso", title="points"),
            render.ScalarPanel(scalars="m:x", planes=[plane], title="slice"),
            render.ScalarPanel(scalars="m", surface=True, title="surface"),
        ], panel_size=(400, 300))
        assert_picture(path, min_bytes=10_000)
        with pytest.raises(InputError, match="no field"):
            render.render_scalar(grid, out / "never.png", scalars="missing")
        with pytest.raises(InputError, match="not a vector field"):
            render.render_glyphs(grid, out / "never.png", vectors="nothing")
        assert not (out / "never.png").exists()
    comm.barrier()
