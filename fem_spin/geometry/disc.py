"""A 2D disc or annulus (a thin cylinder's or ring's cross-section) in the xy plane.

Cell tag ``"disc"`` (1), boundary facets ``"rim"`` (2; the outer and, for an annulus, the inner
circle). Used for in-plane modes of thin cylinders and rings (the out-of-plane coordinate
drops out of a thin film's modes with a uniform profile across the thickness).
"""

from __future__ import annotations

from mpi4py import MPI

from fem_spin.errors import InputError
from fem_spin.geometry.base import Geometry, check_positive, gmsh_geometry

__all__ = ["DISC", "RIM", "disc"]

DISC, RIM = "disc", "rim"


def disc(comm: MPI.Comm, radius: float, h: float, *, inner_radius: float = 0.0,
         cache_dir=None) -> Geometry:
    """A disc of ``radius`` (nm), or an annulus with ``inner_radius`` > 0, meshed with
    triangles of size ``h`` (nm)."""
    radius = check_positive(radius, "radius")
    h = check_positive(h, "h")
    inner = check_positive(inner_radius, "inner_radius", allow_zero=True)
    if inner >= radius:
        raise InputError(f"inner_radius ({inner:g} nm) must be smaller than the radius "
                         f"({radius:g} nm)")

    def build(gmsh) -> None:
        occ = gmsh.model.occ
        surface = occ.addDisk(0.0, 0.0, 0.0, radius, radius)
        if inner > 0:
            hole = occ.addDisk(0.0, 0.0, 0.0, inner, inner)
            (out, _) = occ.cut([(2, surface)], [(2, hole)])
            surface = out[0][1]
        occ.synchronize()
        gmsh.model.addPhysicalGroup(2, [surface], 1, name=DISC)
        rims = [c for _, c in gmsh.model.getBoundary([(2, surface)], oriented=False)]
        gmsh.model.addPhysicalGroup(1, rims, 2, name=RIM)
        gmsh.option.setNumber("Mesh.CharacteristicLengthMin", h)
        gmsh.option.setNumber("Mesh.CharacteristicLengthMax", h)
        gmsh.model.mesh.generate(2)

    return gmsh_geometry(comm, "disc", build, gdim=2,
                         params={"radius": radius, "h": h, "inner_radius": inner},
                         cache_dir=cache_dir)
