"""The problem core: what every problem of the spin accumulation ``m`` is built from.

:class:`SpinTransportCore` takes the user's inputs of a spin-transport problem (materials per
region, boundary data, degree), validates them on every rank alike, and holds the region
coefficients (DG0), the measures and the finite element of ``m``. The steady (S1), transient
(S2) and coupled (S2 + S3) problems compose it; each writes its residual as a sum of the
terms of :mod:`fem_spin.physics`, so a new physics (an electric potential, a magnetostatic
potential, a mode problem) adds its term and its unknown without copying this set-up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import basix.ufl
import dolfinx.fem as fem
import numpy as np

from fem_spin.core.boundary import BoundaryData, validate_inputs
from fem_spin.core.measures import Measures
from fem_spin.core.regions import SpinCoefficients, as_materials
from fem_spin.parameters import Dirichlet, Flux, Material

__all__ = ["SpinTransportCore"]


class SpinTransportCore:
    """Validated inputs, coefficients and measures of a spin-transport problem.

    Args:
        mesh: DOLFINx mesh (1D, 2D or 3D; ``m`` has 3 spin components).
        materials: one :class:`Material` (the whole mesh) or ``{cell tag: Material}``
            covering every cell of ``cell_tags``.
        cell_tags, facet_tags: MeshTags (facet tags for boundary data and interfaces).
        dirichlet, flux: boundary data of m.
        degree: Lagrange degree of m.
        quadrature_degree: default ``2 degree + 1``.

    Attributes: ``materials``, ``cell_tags`` (None for one material), ``facet_tags``,
    ``coefficients`` (:class:`~fem_spin.core.regions.SpinCoefficients`), ``measures`` and its
    ``dx``, ``ds``, ``element`` (the vector P``degree`` element of m).
    """

    def __init__(self, mesh, materials: Material | Mapping[int, Material], *, cell_tags=None,
                 facet_tags=None, dirichlet: Sequence[Dirichlet] = (),
                 flux: Sequence[Flux] = (), degree: int = 1,
                 quadrature_degree: int | None = None):
        materials, cell_tags = as_materials(materials, cell_tags)
        validate_inputs(mesh.comm, materials, cell_tags, facet_tags, dirichlet, flux, degree)
        self.mesh = mesh
        self.materials, self.cell_tags, self.facet_tags = materials, cell_tags, facet_tags
        self.dirichlet, self.flux = tuple(dirichlet), tuple(flux)
        self.degree = degree
        qd = 2 * degree + 1 if quadrature_degree is None else quadrature_degree
        self.measures = Measures.build(mesh, cell_tags, facet_tags, qd)
        self.dx, self.ds = self.measures.dx, self.measures.ds
        self.coefficients = SpinCoefficients(mesh, materials, cell_tags)
        self.element = basix.ufl.element("Lagrange", mesh.basix_cell(), degree, shape=(3,))

    def space(self) -> fem.FunctionSpace:
        """The vector Lagrange space of m on its own."""
        return fem.functionspace(self.mesh, ("Lagrange", self.degree, (3,)))

    def boundary_data(self, Vm, drive: Callable[[float], float] | None = None) -> BoundaryData:
        """The Dirichlet conditions and fluxes in ``Vm`` (the space of m, or its sub-space of a
        mixed space), scaled by ``drive(t)``."""
        return BoundaryData(self.mesh, Vm, self.facet_tags, self.ds, self.dirichlet, self.flux,
                            drive)

    def zero(self) -> fem.Constant:
        """A zero 3-vector tied to the mesh."""
        return fem.Constant(self.mesh, np.zeros(3))

    def default_equilibrium(self, M):
        """``m_eq = m0 M`` per region, zero without a magnetization."""
        return self.zero() if M is None else self.coefficients.m0 * M
