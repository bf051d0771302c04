"""A magnet in a ball of air (and an optional air shell): the mesh of the magnetostatic
potential (:mod:`fem_spin.physics.magnetostatics`).

The magnet (one of :data:`SHAPES`, centred at the origin) sits in a ball of air of radius
``air_radius``; with ``shell_radius`` a spherical shell ``air_radius < r < shell_radius``
follows (the region a shell transformation maps to infinity). The mesh size is ``h_magnet``
in the magnet and grows linearly with the distance from it to ``h_air`` at the outer sphere
(default ``h_magnet air_radius / extent``, ``extent`` the magnet's radius: cells growing in
proportion to the distance, so that the air's share of the error falls like the magnet's,
O(h_magnet^2) in the energy); the shell is meshed with ``h_shell`` (default
``h_air``).

Tags (names are the constants below; numbers via ``Geometry.tag(name)``): cells
:data:`MAGNET` (1), :data:`AIR` (2), :data:`SHELL` (3); facets :data:`OUTER` (1, the outer
sphere) and :data:`SURFACE` (2, the magnet's surface).
"""

from __future__ import annotations

import logging
from pathlib import Path

from mpi4py import MPI

from fem_spin.errors import InputError
from fem_spin.geometry.base import Geometry, background_size, check_positive, gmsh_geometry

__all__ = ["AIR", "MAGNET", "OUTER", "SHAPES", "SHELL", "SURFACE", "magnet_in_air"]

log = logging.getLogger(__name__)

MAGNET, AIR, SHELL = "magnet", "air", "shell"
OUTER, SURFACE = "outer", "magnet_surface"

SHAPES = {
    "sphere": ("radius",),
    "ellipsoid": ("a", "b", "c"),  # semi-axes along x, y, z
    "box": ("lx", "ly", "lz"),  # edge lengths, centred at the origin
    "disc": ("radius", "thickness"),  # cylinder along z
    "ring": ("outer_radius", "inner_radius", "thickness"),  # annulus along z
}
"""The magnet shapes and their dimensions (nm)."""


def _dims(shape: str, dims: dict) -> dict[str, float]:
    if shape not in SHAPES:
        raise InputError(f"unknown magnet shape {shape!r}; choose one of {sorted(SHAPES)}")
    names = SHAPES[shape]
    if not isinstance(dims, dict) or set(dims) != set(names):
        raise InputError(f"a {shape} magnet needs the dimensions {list(names)} (nm), got "
                         f"{dims!r}")
    out = {k: check_positive(dims[k], f"{shape} {k} (nm)") for k in names}
    if shape == "ring" and out["inner_radius"] >= out["outer_radius"]:
        raise InputError(f"a ring needs inner_radius < outer_radius, got {out}")
    return out


def magnet_extent(shape: str, dims: dict) -> float:
    """Radius (nm) of the smallest ball about the origin that holds the magnet."""
    d = _dims(shape, dims)
    if shape == "sphere":
        return d["radius"]
    if shape == "ellipsoid":
        return max(d["a"], d["b"], d["c"])
    if shape == "box":
        return 0.5 * (d["lx"] ** 2 + d["ly"] ** 2 + d["lz"] ** 2) ** 0.5
    r = d["radius"] if shape == "disc" else d["outer_radius"]
    return (r**2 + 0.25 * d["thickness"] ** 2) ** 0.5


def magnet_in_air(comm: MPI.Comm, shape: str, dims: dict, *, air_radius: float,
                  h_magnet: float, h_air: float | None = None,
                  shell_radius: float | None = None, h_shell: float | None = None,
                  cache_dir: str | Path | None = None) -> Geometry:
    """Tetrahedral mesh of a magnet in air (see the module docstring).

    Args:
        comm: communicator.
        shape: one of :data:`SHAPES`; dims: its dimensions (nm).
        air_radius: radius of the air ball (nm), larger than the magnet.
        h_magnet: mesh size in the magnet (nm); h_air: at the air ball's surface (nm).
        shell_radius: outer radius of the air shell (nm), None for no shell.
        h_shell: mesh size in the shell (nm).
        cache_dir: folder of cached ``.msh`` files, None to always build.
    """
    d = _dims(shape, dims)
    R1 = check_positive(air_radius, "air_radius (nm)")
    extent = magnet_extent(shape, d)
    if R1 <= extent:
        raise InputError(f"air_radius ({R1} nm) must exceed the magnet's extent "
                         f"({extent:.4g} nm from the origin)")
    h_m = check_positive(h_magnet, "h_magnet (nm)")
    h_a = h_m * R1 / extent if h_air is None else check_positive(h_air, "h_air (nm)")
    R2 = check_positive(shell_radius, "shell_radius (nm)", allow_none=True)
    if R2 is not None and R2 <= R1:
        raise InputError(f"shell_radius ({R2} nm) must exceed air_radius ({R1} nm)")
    h_s = None if R2 is None else (h_a if h_shell is None
                                   else check_positive(h_shell, "h_shell (nm)"))

    def build(gmsh) -> None:
        _build(gmsh, shape, d, R1, R2, h_m, h_a, h_s, extent)

    params = {"shape": shape, "dims": d, "R1": R1, "R2": R2, "h_magnet": h_m, "h_air": h_a,
              "h_shell": h_s}
    return gmsh_geometry(comm, "magnet_in_air", build, gdim=3, params=params,
                         cache_dir=cache_dir)


def _magnet(occ, shape: str, d: dict) -> int:
    if shape == "sphere":
        return occ.addSphere(0, 0, 0, d["radius"])
    if shape == "ellipsoid":
        tag = occ.addSphere(0, 0, 0, 1.0)
        occ.dilate([(3, tag)], 0, 0, 0, d["a"], d["b"], d["c"])
        return tag
    if shape == "box":
        return occ.addBox(-d["lx"] / 2, -d["ly"] / 2, -d["lz"] / 2, d["lx"], d["ly"], d["lz"])
    t = d["thickness"]
    if shape == "disc":
        return occ.addCylinder(0, 0, -t / 2, 0, 0, t, d["radius"])
    outer = occ.addCylinder(0, 0, -t / 2, 0, 0, t, d["outer_radius"])
    inner = occ.addCylinder(0, 0, -t / 2, 0, 0, t, d["inner_radius"])
    out, _ = occ.cut([(3, outer)], [(3, inner)])
    return out[0][1]


def _build(gmsh, shape, d, R1, R2, h_m, h_a, h_s, extent) -> None:
    """gmsh model (rank 0 only): volumes, fragment, physical groups, size fields, mesh."""
    occ = gmsh.model.occ
    mag = _magnet(occ, shape, d)
    air = occ.addSphere(0, 0, 0, R1)
    balls = [(3, air)] if R2 is None else [(3, occ.addSphere(0, 0, 0, R2)), (3, air)]
    _, pieces = occ.fragment(balls[:1], balls[1:] + [(3, mag)])
    occ.synchronize()
    mag_v = {t for _, t in pieces[-1]}
    air_v = {t for _, t in pieces[-2]} - mag_v if R2 is not None else {
        t for _, t in pieces[0]} - mag_v
    shell_v = ({t for _, t in pieces[0]} - mag_v - air_v) if R2 is not None else set()
    if not mag_v or not air_v or (R2 is not None and not shell_v):
        raise RuntimeError(f"fragment gave magnet {mag_v}, air {air_v}, shell {shell_v}")
    everything = [(3, t) for t in mag_v | air_v | shell_v]
    outer = [abs(t) for _, t in gmsh.model.getBoundary(everything, combined=True,
                                                       oriented=False)]
    surface = sorted({abs(t) for _, t in gmsh.model.getBoundary(
        [(3, t) for t in mag_v], combined=True, oriented=False)})
    gmsh.model.addPhysicalGroup(3, sorted(mag_v), tag=1, name=MAGNET)
    gmsh.model.addPhysicalGroup(3, sorted(air_v), tag=2, name=AIR)
    if shell_v:
        gmsh.model.addPhysicalGroup(3, sorted(shell_v), tag=3, name=SHELL)
    gmsh.model.addPhysicalGroup(2, sorted(outer), tag=1, name=OUTER)
    gmsh.model.addPhysicalGroup(2, surface, tag=2, name=SURFACE)

    field = gmsh.model.mesh.field
    dist = field.add("Distance")
    field.setNumbers(dist, "SurfacesList", surface)
    field.setNumber(dist, "Sampling", 100)
    grow = field.add("MathEval")  # h_magnet on the magnet, h_air at the air ball's surface
    slope = (h_a - h_m) / max(R1 - extent, 1e-12)
    field.setString(grow, "F", f"{h_m} + {max(slope, 0.0)} * F{dist}")
    inside = field.add("Restrict")
    const = field.add("MathEval")
    field.setString(const, "F", f"{h_m}")
    field.setNumber(inside, "InField", const)
    field.setNumbers(inside, "VolumesList", sorted(mag_v))
    fields = [grow, inside]
    if shell_v:
        sh = field.add("Restrict")
        sconst = field.add("MathEval")
        field.setString(sconst, "F", f"{h_s}")
        field.setNumber(sh, "InField", sconst)
        field.setNumbers(sh, "VolumesList", sorted(shell_v))
        fields.append(sh)
    background_size(gmsh, fields)
    gmsh.option.setNumber("Mesh.MeshSizeMax", max(h_a, h_s or 0.0))
    gmsh.model.mesh.generate(3)
    log.debug("magnet_in_air: %s %s in R1 = %g nm%s", shape, d, R1,
              "" if R2 is None else f", shell to R2 = {R2} nm")
