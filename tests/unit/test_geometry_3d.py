"""3D device meshes (nanopillar, torus, square torus): tags, measures, mesh statistics, S1.

Curved boundaries are meshed by flat facets with vertices on the exact surface, so volumes and
areas carry an O(h^2) geometric error. For a convex curve of total turning 2 pi split into arcs
c_i <= h (gmsh splits curves evenly), the lost area is sum_i kappa_i c_i^3 / 12 <= pi h^2 / 6:
relative h^2 / (6 rx ry) for an elliptic disc; a circle's perimeter loses the relative
(h / r)^2 / 24. A torus (tube curvature 1/r dominant) loses about the disc's relative
(h / r)^2 / 6 of its volume. Those estimates (h the gmsh mesh size there) are the tolerances
below, and a refinement checks the rate 2. Flat-faced regions (the square torus) are exact to
round-off.
"""

import math

import dolfinx.cpp.mesh
import dolfinx.fem as fem
import dolfinx.mesh
import numpy as np
import pytest
import ufl
from mpi4py import MPI

import fem_spin as fs
from fem_spin.errors import InputError
from fem_spin.geometry.periodic import RingPath
from fem_spin.geometry.pillar import (
    ELECTRODE_BOTTOM,
    ELECTRODE_TOP,
    LEAD_BOTTOM,
    LEAD_TOP,
    SIDE,
    interface_name,
    nanopillar,
)
from fem_spin.geometry.rings import (
    SURFACE,
    TORUS,
    cut_name,
    sector_name,
    side_name,
    square_torus,
    square_torus_arc_length,
    torus,
)
from fem_spin.observables.sampling import integrate

LAYERS = [("fixed", 10.0), ("spacer", 2.0), ("free", 6.0)]  # nm
RADIUS, H_PILLAR, H_INTERFACE = 10.0, 4.0, 2.0  # nm
R_TORUS, R_TUBE, H_TORUS = 20.0, 5.0, 2.0  # nm
L_RING, A_RING, H_RING = 30.0, 6.0, 3.0  # nm


@pytest.fixture(scope="module")
def pillar():
    return nanopillar(MPI.COMM_WORLD, LAYERS, rx=RADIUS, h_max=H_PILLAR,
                      h_interface=H_INTERFACE)


# -- helpers --------------------------------------------------------------------------------
def volume(geo, name=None) -> float:
    dx = ufl.Measure("dx", domain=geo.mesh, subdomain_data=geo.cell_tags)
    one = fem.Constant(geo.mesh, 1.0)
    return integrate(geo.mesh.comm, (one, dx if name is None else dx(geo.tag(name))))


def boundary_area(geo, name) -> float:
    ds = ufl.Measure("ds", domain=geo.mesh, subdomain_data=geo.facet_tags)
    return integrate(geo.mesh.comm, (fem.Constant(geo.mesh, 1.0), ds(geo.tag(name))))


def facet_coordinates(geo, name, owned_only=False) -> np.ndarray:
    """Vertex coordinates (n, 3, 3) of the local facets tagged ``name``."""
    mesh = geo.mesh
    mesh.topology.create_connectivity(2, 3)
    facets = geo.facet_tags.find(geo.tag(name))
    if owned_only:
        facets = facets[facets < mesh.topology.index_map(2).size_local]
    return mesh.geometry.x[dolfinx.mesh.entities_to_geometry(mesh, 2, facets)]


def facet_area(geo, name) -> float:
    """Area of tagged facets summed from their triangles (works for interior facets in any
    ghost mode, unlike dS)."""
    x = facet_coordinates(geo, name, owned_only=True)
    local = 0.5 * np.linalg.norm(np.cross(x[:, 1] - x[:, 0], x[:, 2] - x[:, 0]), axis=1).sum()
    return geo.mesh.comm.allreduce(float(local))


def global_count(geo, tags, name) -> int:
    """Number of owned entities carrying tag ``name``, over all ranks."""
    imap = geo.mesh.topology.index_map(tags.dim)
    return geo.mesh.comm.allreduce(int(np.sum(tags.find(geo.tag(name)) < imap.size_local)))


def check_stats(geo):
    s = geo.stats
    assert s["cells"] == geo.mesh.topology.index_map(3).size_global
    assert 0 < s["h_min"] <= s["h_max"]
    assert 0 < s["quality_min"] <= s["quality_mean"] <= 1
    assert s["quality_min"] > 0.2  # no slivers at these resolutions (measured 0.29-0.33)


def check_all_cells_tagged(geo):
    imap = geo.mesh.topology.index_map(3)
    owned = geo.cell_tags.indices < imap.size_local
    assert geo.mesh.comm.allreduce(int(owned.sum())) == imap.size_global


def periodic_distance(s, target, period):
    return np.abs(np.mod(s - target + period / 2, period) - period / 2)


def ellipse_perimeter(rx, ry):
    t = np.linspace(0.0, 2 * np.pi, 2001)[:-1]  # trapezoid rule: spectral for periodic f
    return float(np.mean(np.hypot(rx * np.sin(t), ry * np.cos(t))) * 2 * np.pi)


# -- nanopillar -----------------------------------------------------------------------------
def test_pillar_tags_and_measures(pillar):
    names = [n for n, _ in LAYERS]
    ifaces = [interface_name(a, b) for a, b in zip(names[:-1], names[1:], strict=True)]
    assert set(pillar.tags) == {*names, ELECTRODE_BOTTOM, ELECTRODE_TOP, SIDE, *ifaces}
    assert [pillar.tag(n) for n in names] == [1, 2, 3]
    for name in names:
        assert global_count(pillar, pillar.cell_tags, name) > 0
    for name in (ELECTRODE_BOTTOM, ELECTRODE_TOP, SIDE, *ifaces):
        assert global_count(pillar, pillar.facet_tags, name) > 0
    check_all_cells_tagged(pillar)
    check_stats(pillar)

    disc = math.pi * RADIUS**2
    lost_disc = math.pi * H_PILLAR**2 / 6  # area a polygon of chords <= h loses
    for name, t in LAYERS:
        h = H_INTERFACE if name == "spacer" else H_PILLAR  # spacer lies within the refined band
        deficit = disc * t - volume(pillar, name)
        assert 0 <= deficit <= t * math.pi * h**2 / 6, (name, deficit)
    for name in (ELECTRODE_BOTTOM, ELECTRODE_TOP):
        assert 0 <= disc - boundary_area(pillar, name) <= lost_disc
    for name in ifaces:
        assert 0 <= disc - facet_area(pillar, name) <= math.pi * H_INTERFACE**2 / 6
    height = sum(t for _, t in LAYERS)
    wall = 2 * math.pi * RADIUS * height
    assert abs(boundary_area(pillar, SIDE) / wall - 1) <= (H_PILLAR / RADIUS) ** 2 / 24


def test_pillar_boundary_vertices_on_their_surfaces(pillar):
    """Each facet group lies where it should: the discs at z = 0 and top, the wall on r = R."""
    height = sum(t for _, t in LAYERS)
    tol = 1e-9 * height
    assert np.all(np.abs(facet_coordinates(pillar, ELECTRODE_BOTTOM)[..., 2]) < tol)
    assert np.all(np.abs(facet_coordinates(pillar, ELECTRODE_TOP)[..., 2] - height) < tol)
    side = facet_coordinates(pillar, SIDE)
    assert np.all(np.abs(np.hypot(side[..., 0], side[..., 1]) - RADIUS) < 1e-6 * RADIUS)
    z = 0.0
    for (lower, t), (upper, _) in zip(LAYERS[:-1], LAYERS[1:], strict=True):
        z += t
        iface = facet_coordinates(pillar, interface_name(lower, upper))
        assert np.all(np.abs(iface[..., 2] - z) < tol)


def test_pillar_interface_refinement(pillar):
    """Cells on the interfaces have about h_interface, cells far from them about h_max."""
    mesh, comm = pillar.mesh, pillar.mesh.comm
    n = mesh.topology.index_map(3).size_local
    cells = np.arange(n, dtype=np.int32)
    h = dolfinx.cpp.mesh.h(mesh._cpp_object, 3, cells)
    z = dolfinx.mesh.compute_midpoints(mesh, 3, cells)[:, 2]
    spacer = np.isin(cells, pillar.cell_tags.find(pillar.tag("spacer")))
    far = z < 10.0 - (0.5 * H_INTERFACE + 2 * (H_PILLAR - H_INTERFACE))  # beyond the grading

    def mean(mask):
        return comm.allreduce(float(h[mask].sum())) / comm.allreduce(int(mask.sum()))

    # h is a cell's longest edge, its edges scatter around the target: measured 1.30 and 1.44
    assert H_INTERFACE < mean(spacer) < 1.7 * H_INTERFACE
    assert H_PILLAR < mean(far) < 1.7 * H_PILLAR


def test_pillar_interface_ds(pillar):
    """``dS(interface)`` needs the shared-facet ghost mode under MPI."""
    comm = pillar.mesh.comm
    ghosts = comm.allreduce(pillar.mesh.topology.index_map(3).num_ghosts)
    assert comm.size == 1 or ghosts > 0  # gmsh_geometry distributes with shared-facet ghosts
    dS = ufl.Measure("dS", domain=pillar.mesh, subdomain_data=pillar.facet_tags)
    one = fem.Constant(pillar.mesh, 1.0)
    name = interface_name("fixed", "spacer")
    assert integrate(comm, (one("+"), dS(pillar.tag(name)))) == pytest.approx(
        facet_area(pillar, name), rel=1e-12)


def test_elliptical_pillar_with_wide_leads(comm):
    rx, ry, lead = 5.0, 8.0, (7.0, 10.0)  # ry > rx: the ellipse's major axis along y
    layers, t_lead, h = [("fm", 4.0), ("nm", 2.0)], 3.0, 2.5
    geo = nanopillar(comm, layers, rx=rx, ry=ry, h_max=h, leads=(t_lead, t_lead),
                     lead_radius=lead)
    assert {geo.tag(n) for n in ("fm", "nm", LEAD_BOTTOM, LEAD_TOP)} == {1, 2, 3, 4}
    assert geo.tag("fm") == 1 and geo.tag(LEAD_BOTTOM) == 3
    assert interface_name(LEAD_BOTTOM, "fm") in geo.tags
    check_all_cells_tagged(geo)
    check_stats(geo)
    # the mesh spans the leads' semi-axes along the right directions
    x = geo.mesh.geometry.x
    extent = [comm.allreduce(float(np.abs(x[:, i]).max()), op=MPI.MAX) for i in (0, 1)]
    assert extent == pytest.approx(list(lead), rel=1e-6)  # gmsh places nodes to ~1e-8
    pillar_area, lead_area = math.pi * rx * ry, math.pi * lead[0] * lead[1]
    for name, t in layers:
        assert 0 <= pillar_area * t - volume(geo, name) <= t * math.pi * h**2 / 6
    for name in (LEAD_BOTTOM, LEAD_TOP):
        assert 0 <= lead_area * t_lead - volume(geo, name) <= t_lead * math.pi * h**2 / 6
    for name in (ELECTRODE_BOTTOM, ELECTRODE_TOP):
        assert 0 <= lead_area - boundary_area(geo, name) <= math.pi * h**2 / 6
    # side = pillar wall + lead walls + the two exposed rims of the leads; estimates: a wall
    # of perimeter P loses at most P (h kappa_max)^2 / 24 per unit height, each rim is off by
    # at most the two discs' pi h^2 / 6
    t_pillar = sum(t for _, t in layers)
    walls = [(ellipse_perimeter(rx, ry) * t_pillar, max(rx, ry) / min(rx, ry) ** 2),
             (2 * ellipse_perimeter(*lead) * t_lead, max(lead) / min(lead) ** 2)]
    exact = sum(w for w, _ in walls) + 2 * (lead_area - pillar_area)
    tol = sum(w * (h * kappa) ** 2 / 24 for w, kappa in walls) + 4 * math.pi * h**2 / 6
    assert abs(boundary_area(geo, SIDE) - exact) <= tol  # measured 3.5 of 23
    # side vertices between the rims lie on the pillar's ellipse, the others on the leads'
    x = facet_coordinates(geo, SIDE).reshape(-1, 3)
    tol_z = 1e-9 * t_lead
    on_pillar = (x[:, 2] > t_lead + tol_z) & (x[:, 2] < t_lead + t_pillar - tol_z)
    on_lead = (x[:, 2] < t_lead - tol_z) | (x[:, 2] > t_lead + t_pillar + tol_z)
    for mask, (ax, ay) in ((on_pillar, (rx, ry)), (on_lead, lead)):
        assert np.all(np.abs(np.hypot(x[mask, 0] / ax, x[mask, 1] / ay) - 1) < 1e-6)


def test_pillar_s1_layers_and_electrodes(pillar):
    """S1 with one Material per layer, m prescribed on the bottom electrode and a spin
    current injected through the top one: without a field every component solves
    ``(D m')' = m / tau`` in z, so the mean of m over the top electrode is the 1D value."""
    comm = pillar.mesh.comm
    mats = {"fixed": (1e3, 10.0), "spacer": (2e3, 50.0), "free": (1e3, 15.0)}  # D, l_sf
    m_bottom, g_top = np.array([1.0, 0.0, -0.5]), np.array([0.0, 100.0, 0.0])
    materials = {pillar.tag(n): fs.Material.from_spin_diffusion_length(l_sf=l, D=D)
                 for n, (D, l) in mats.items()}
    problem = fs.SteadySpinDiffusion(
        pillar.mesh, materials, cell_tags=pillar.cell_tags, facet_tags=pillar.facet_tags,
        dirichlet=[fs.Dirichlet(pillar.tag(ELECTRODE_BOTTOM), m_bottom)],
        flux=[fs.Flux(pillar.tag(ELECTRODE_TOP), g_top)])
    problem.solve()
    assert np.all(np.isfinite(problem.m.x.array))

    # exact: (m, q = D m') propagated through the layers, q0 chosen so that q(top) = g
    T = np.eye(2)
    for name, t in LAYERS:
        D, l = mats[name]
        c, s = math.cosh(t / l), math.sinh(t / l)
        T = np.array([[c, s * l / D], [s * D / l, c]]) @ T
    q0 = (g_top - T[1, 0] * m_bottom) / T[1, 1]
    m_top = T[0, 0] * m_bottom + T[0, 1] * q0

    ds = ufl.Measure("ds", domain=pillar.mesh, subdomain_data=pillar.facet_tags)
    top = ds(pillar.tag(ELECTRODE_TOP))
    mean = integrate(comm, (problem.m, top)) / integrate(comm, (fem.Constant(pillar.mesh, 1.0),
                                                                 top))
    # P1 with h = 4 nm against l_sf = 10-15 nm: O((h / l_sf)^2), measured 1.7 %
    assert np.abs(mean - m_top).max() < 0.03 * np.abs(m_top).max(), (mean, m_top)


# -- torus ----------------------------------------------------------------------------------
def torus_errors(comm, h):
    geo = torus(comm, R=R_TORUS, r=R_TUBE, h_max=h)
    exact_v, exact_a = 2 * math.pi**2 * R_TORUS * R_TUBE**2, 4 * math.pi**2 * R_TORUS * R_TUBE
    return geo, 1 - volume(geo) / exact_v, 1 - boundary_area(geo, SURFACE) / exact_a


def test_torus(comm):
    geo, dv, da = torus_errors(comm, H_TORUS)
    assert set(geo.tags) == {TORUS, SURFACE}
    assert global_count(geo, geo.facet_tags, SURFACE) > 0
    check_all_cells_tagged(geo)
    check_stats(geo)
    estimate = (H_TORUS / R_TUBE) ** 2 / 6  # the tube's disc estimate (measured: 0.72 of it)
    assert 0 < dv <= estimate
    assert 0 < da <= estimate / 2  # measured 0.18 of the volume estimate
    x = facet_coordinates(geo, SURFACE)
    rho = np.hypot(x[..., 0], x[..., 1])
    assert np.all(np.abs(np.hypot(rho - R_TORUS, x[..., 2]) - R_TUBE) < 1e-6 * R_TUBE)

    # O(h^2): halving h divides both errors by about 4
    _, dv2, da2 = torus_errors(comm, 2 * H_TORUS)
    assert 1.7 < math.log2(dv2 / dv) < 2.3
    assert 1.7 < math.log2(da2 / da) < 2.3


def test_torus_sectors(comm):
    n, h = 3, 2.5
    geo = torus(comm, R=R_TORUS, r=R_TUBE, h_max=h, sectors=n)
    assert set(geo.tags) == {SURFACE, *(sector_name(k) for k in range(n)),
                             *(cut_name(k) for k in range(n))}
    check_all_cells_tagged(geo)
    check_stats(geo)
    estimate = (h / R_TUBE) ** 2 / 6
    for k in range(n):
        dv = 1 - volume(geo, sector_name(k)) / (2 * math.pi**2 * R_TORUS * R_TUBE**2 / n)
        assert 0 < dv <= estimate
        assert 0 < 1 - facet_area(geo, cut_name(k)) / (math.pi * R_TUBE**2) <= estimate
        # the cut at azimuth 2 pi k / n
        x = facet_coordinates(geo, cut_name(k)).reshape(-1, 3)
        phi = 2 * math.pi * k / n
        assert np.all(np.abs(-math.sin(phi) * x[:, 0] + math.cos(phi) * x[:, 1]) < 1e-6)
        assert np.all(math.cos(phi) * x[:, 0] + math.sin(phi) * x[:, 1] > 0)
    # sector k lies in the azimuth wedge [2 pi k / n, 2 pi (k + 1) / n]
    for k in range(n):
        cells = geo.cell_tags.find(geo.tag(sector_name(k)))
        mid = dolfinx.mesh.compute_midpoints(geo.mesh, 3, cells)
        phi = np.mod(np.arctan2(mid[:, 1], mid[:, 0]), 2 * math.pi)
        assert np.all(np.floor(phi / (2 * math.pi / n)) == k)


# -- square torus ---------------------------------------------------------------------------
def test_square_torus(comm, tmp_path):
    geo = square_torus(comm, L=L_RING, a=A_RING, h_max=H_RING, cache_dir=tmp_path)
    sides, cuts = [side_name(k) for k in range(4)], [cut_name(k) for k in range(4)]
    assert set(geo.tags) == {SURFACE, *sides, *cuts}
    check_all_cells_tagged(geo)
    check_stats(geo)
    # flat faces: exact to round-off
    for name in sides:
        assert volume(geo, name) == pytest.approx(L_RING * A_RING**2, rel=1e-10)
    assert volume(geo) == pytest.approx(4 * L_RING * A_RING**2, rel=1e-10)
    assert boundary_area(geo, SURFACE) == pytest.approx(16 * L_RING * A_RING, rel=1e-10)
    for name in cuts:
        assert facet_area(geo, name) == pytest.approx(math.sqrt(2) * A_RING**2, rel=1e-10)
    # cut k is the diagonal face through corner c_k = R(k pi/2) (L/2, -L/2)
    for k, name in enumerate(cuts):
        x = facet_coordinates(geo, name).reshape(-1, 3)
        angle = -math.pi / 4 + k * math.pi / 2
        corner = L_RING / math.sqrt(2) * np.array([math.cos(angle), math.sin(angle)])
        direction = corner / np.linalg.norm(corner)
        offset = x[:, :2] - corner
        assert np.all(np.abs(offset[:, 0] * direction[1] - offset[:, 1] * direction[0]) < 1e-9)
    # side k runs from corner k: the arc length of its cells lies in [k L, (k + 1) L], and
    # on cut k it is k L
    for k, name in enumerate(sides):
        cells = geo.cell_tags.find(geo.tag(name))
        s = square_torus_arc_length(dolfinx.mesh.compute_midpoints(geo.mesh, 3, cells).T,
                                    L_RING)
        assert np.all((k * L_RING < s) & (s < (k + 1) * L_RING))
    for k, name in enumerate(cuts):
        s = square_torus_arc_length(facet_coordinates(geo, name).reshape(-1, 3).T, L_RING)
        assert np.all(periodic_distance(s, k * L_RING, 4 * L_RING) < 1e-6)
    # the cache gives the same mesh back
    again = square_torus(comm, L=L_RING, a=A_RING, h_max=H_RING, cache_dir=tmp_path)
    assert again.tags == geo.tags
    assert again.stats == pytest.approx(geo.stats)


def test_square_torus_arc_length():
    L, a = 10.0, 2.0
    # on the centreline: the arc length of the 1D periodic square ring (same corners, sides)
    s = np.linspace(0.0, 4 * L, 41)[:-1]
    points = RingPath(kind="square", size=L).point(s)
    assert np.all(periodic_distance(square_torus_arc_length(points.T, L), s, 4 * L) < 1e-9)
    mid = np.array([[5, 0, -5, 0], [0, 5, 0, -5], [0, 0, 0, 0]], dtype=float)
    assert square_torus_arc_length(mid, L) == pytest.approx([5, 15, 25, 35])
    # the outer and inner corners of cut 1 (at c_1 = (L/2, L/2)) both map to s = L
    cut = np.array([[5 + a / 2, 5 - a / 2], [5 + a / 2, 5 - a / 2]])
    assert square_torus_arc_length(cut, L) == pytest.approx([L, L])


# -- input validation (raised on every rank before any collective call) ----------------------
@pytest.mark.parametrize("kwargs", [
    {"layers": []},
    {"layers": [("a", 1.0), ("a", 2.0)]},
    {"layers": [("a", -1.0)]},
    {"layers": [(SIDE, 1.0)]},
    {"layers": [("a", 1.0)], "rx": 0.0},
    {"layers": [("a", 1.0)], "h_interface": 5.0, "h_max": 1.0},
    {"layers": [("a", 1.0)], "leads": (1.0, 1.0), "lead_radius": 2.0},
    {"layers": [("a", 1.0)], "lead_radius": 20.0},
])
def test_pillar_rejects_bad_input(comm, kwargs):
    args = {"rx": 5.0, "h_max": 2.0} | kwargs
    layers = args.pop("layers")
    with pytest.raises(InputError):
        nanopillar(comm, layers, **args)


@pytest.mark.parametrize("build, kwargs", [
    (torus, {"R": 5.0, "r": 5.0, "h_max": 1.0}),
    (torus, {"R": 5.0, "r": 1.0, "h_max": 1.0, "sectors": 0}),
    (torus, {"R": 5.0, "r": 1.0, "h_max": -1.0}),
    (square_torus, {"L": 5.0, "a": 5.0, "h_max": 1.0}),
    (square_torus, {"L": float("nan"), "a": 1.0, "h_max": 1.0}),
])
def test_rings_reject_bad_input(comm, build, kwargs):
    with pytest.raises(InputError):
        build(comm, **kwargs)
