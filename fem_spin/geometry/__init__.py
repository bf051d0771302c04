"""Device geometries: each builder returns one :class:`Geometry` bundle (mesh, cell tags, facet
tags, name -> tag map, mesh statistics). gmsh runs on rank 0; meshes are distributed with
ghosted shared facets.

- :func:`multilayer` 1D CPP multilayer, graded at interfaces and to the precession wavelength
- :func:`slab` 2D layered rectangle, CPP or CIP, electrode edges tagged
- :func:`nanopillar` 3D CPP pillar of stacked (elliptic) cylinders with optional leads
- :func:`torus` 3D torus; :func:`square_torus` the paper's ring with four tagged sides
- :func:`magnet_in_air` a magnet (sphere, ellipsoid, box, disc, ring) in an air ball (and shell)
- :func:`circle_ring`, :func:`square_ring` periodic 1D rings (closed manifold meshes)
"""

from fem_spin.geometry.air import magnet_in_air
from fem_spin.geometry.base import Geometry, gmsh_geometry, mesh_statistics
from fem_spin.geometry.multilayer import Layer, layer_materials, multilayer
from fem_spin.geometry.periodic import RingGeometry, RingPath, circle_ring, square_ring
from fem_spin.geometry.pillar import nanopillar
from fem_spin.geometry.rings import square_torus, square_torus_arc_length, torus
from fem_spin.geometry.slab import slab

__all__ = [
    "Geometry",
    "Layer",
    "RingGeometry",
    "RingPath",
    "circle_ring",
    "gmsh_geometry",
    "layer_materials",
    "magnet_in_air",
    "mesh_statistics",
    "multilayer",
    "nanopillar",
    "slab",
    "square_ring",
    "square_torus",
    "square_torus_arc_length",
    "torus",
]
