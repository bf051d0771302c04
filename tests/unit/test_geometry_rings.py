"""The periodic 1D rings (fem_spin.geometry.periodic): the closed-loop meshes of the square and
the circle, their arc length, tags and input errors. (S1 on them against an exact periodic
solution: tests/verification/test_periodic_ring.py.)"""

import dolfinx.mesh
import numpy as np
import pytest
import ufl

from fem_spin.errors import InputError
from fem_spin.geometry.interval import graded_nodes
from fem_spin.geometry.periodic import RING, SIDES, circle_ring, square_ring, tilted_plane
from fem_spin.observables.sampling import integrate


def test_square_ring_geometry(comm):
    L = 7.0
    geo = square_ring(comm, L, 5)
    mesh = geo.mesh
    assert geo.facet_tags is None and geo.tags == {name: i + 1 for i, name in enumerate(SIDES)}
    assert geo.perimeter == pytest.approx(4 * L) and geo.stats["perimeter"] == 4 * L
    # a closed loop: as many vertices as cells (valid under MPI, unlike exterior facets)
    assert mesh.topology.index_map(0).size_global == mesh.topology.index_map(1).size_global == 20
    dx = ufl.Measure("dx", domain=mesh, subdomain_data=geo.cell_tags)
    for name in SIDES:
        assert integrate(comm, 1.0 * dx(geo.tag(name))) == pytest.approx(L)
    # the corners are nodes, at (L/2, -L/2), (L/2, L/2), ... counter-clockwise
    x = mesh.geometry.x
    corners = geo.path.point(geo.path.corners)
    assert np.allclose(corners[:, :2], [[3.5, -3.5], [3.5, 3.5], [-3.5, 3.5], [-3.5, -3.5]])
    found = comm.allreduce(sum(np.any(np.all(np.isclose(x, c), axis=1)) for c in corners))
    assert found >= 4
    # numpy arc length of the nodes: point(s(x)) = x; the UFL one integrates exactly
    assert np.allclose(geo.path.point(geo.arc_length(x.T)), x)
    assert integrate(comm, geo.arc_length_ufl() * dx) == pytest.approx((4 * L) ** 2 / 2)
    for k, name in enumerate(SIDES):  # s on side k runs over [kL, (k+1)L]
        mean_s = integrate(comm, geo.arc_length_ufl() * dx(geo.tag(name))) / L
        assert mean_s == pytest.approx((k + 0.5) * L)
    # side 0 runs along +y in the default plane
    assert np.allclose(geo.path.point([0.5 * L])[0], [L / 2, 0.0, 0.0])
    assert np.array_equal(geo.path.side(np.array([0.0, L, 2.5 * L, 4 * L - 1e-9])), [0, 1, 2, 3])


def test_graded_tilted_square(comm):
    L = 20.0
    nodes = graded_nodes(0.0, L, 2.0, [(0.0, 0.1), (L, 0.1)])
    e1, e2 = tilted_plane((0.0, 1.0, 1.0))
    geo = square_ring(comm, L, nodes, gdim=3, e1=e1, e2=e2, center=(5.0, 0.0, 0.0))
    n_cells = 4 * (len(nodes) - 1)
    assert geo.mesh.topology.index_map(1).size_global == n_cells
    assert geo.stats["h_min"] == pytest.approx(np.diff(nodes).min())
    x = geo.mesh.geometry.x
    normal = np.cross(e1, e2)
    assert np.allclose((x - [5.0, 0.0, 0.0]) @ normal, 0.0)  # in the tilted plane
    assert np.allclose(normal, np.array([0.0, 1.0, 1.0]) / np.sqrt(2))
    dx = ufl.Measure("dx", domain=geo.mesh)
    assert integrate(comm, 1.0 * dx) == pytest.approx(4 * L)


@pytest.mark.parametrize("degree", [1, 2])
def test_circle_ring_geometry(comm, degree):
    R = 3.0
    geo = circle_ring(comm, 24, radius=R, gdim=3, normal=(0.0, 0.0, -1.0), geometry_degree=degree)
    assert geo.tags == {RING: 1} and geo.facet_tags is None
    assert geo.perimeter == pytest.approx(2 * np.pi * R)
    length = integrate(comm, 1.0 * ufl.dx(domain=geo.mesh))
    polygon = 24 * 2 * R * np.sin(np.pi / 24)
    if degree == 1:
        assert length == pytest.approx(polygon)
    else:  # curved cells: much closer to 2 pi R than the polygon
        assert abs(length - 2 * np.pi * R) < 0.01 * abs(polygon - 2 * np.pi * R)
    x = geo.mesh.geometry.x
    assert np.allclose(np.linalg.norm(x, axis=1), R)
    assert np.allclose(geo.path.point(geo.arc_length(x.T)), x)
    # normal -z: counter-clockwise seen from -z, so s grows clockwise in the xy plane
    p = geo.path.point([0.0, 0.25 * geo.perimeter])
    assert np.cross(p[0], p[1]) @ [0.0, 0.0, -1.0] > 0


@pytest.mark.serial  # exterior_facet_indices is unreliable on the ring under MPI (measured)
def test_ring_has_no_boundary(comm):
    for geo in (circle_ring(comm, 10, radius=1.0), square_ring(comm, 1.0, 3)):
        geo.mesh.topology.create_connectivity(0, 1)
        assert len(dolfinx.mesh.exterior_facet_indices(geo.mesh.topology)) == 0


@pytest.mark.parametrize("call", [
    lambda c: circle_ring(c, 10),
    lambda c: circle_ring(c, 10, radius=1.0, perimeter=6.0),
    lambda c: circle_ring(c, 2, radius=1.0),
    lambda c: circle_ring(c, 10, radius=-1.0),
    lambda c: circle_ring(c, 10, radius=1.0, geometry_degree=3),
    lambda c: circle_ring(c, 10, radius=1.0, gdim=2, normal=(1.0, 0.0, 1.0)),
    lambda c: square_ring(c, 1.0, 0),
    lambda c: square_ring(c, 1.0, [0.0, 0.5, 0.9]),
    lambda c: square_ring(c, 1.0, 4, gdim=4),
    lambda c: square_ring(c, 1.0, 4, e1=(1.0, 0.0, 0.0), e2=(2.0, 0.0, 0.0)),
])
def test_ring_input_errors(comm, call):
    with pytest.raises(InputError):
        call(comm)
