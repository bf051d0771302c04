"""Integration measures of a problem: cells ``dx``, boundary facets ``ds``, interior facets
``dS`` (tagged interfaces; under MPI the mesh needs the shared-facet ghost mode, see
:func:`fem_spin.geometry.base.shared_facet_partitioner`) and the lumped vertex rule."""

from __future__ import annotations

from dataclasses import dataclass

import ufl

__all__ = ["Measures", "vertex_measure"]


@dataclass(frozen=True)
class Measures:
    """``dx`` over tagged cells, ``ds`` over tagged boundary facets, ``dS`` over tagged
    interior facets, all with one quadrature degree."""

    dx: ufl.Measure
    ds: ufl.Measure
    dS: ufl.Measure

    @classmethod
    def build(cls, mesh, cell_tags, facet_tags, quadrature_degree: int) -> Measures:
        md = {"quadrature_degree": quadrature_degree}
        return cls(
            dx=ufl.Measure("dx", domain=mesh, subdomain_data=cell_tags, metadata=md),
            ds=ufl.Measure("ds", domain=mesh, subdomain_data=facet_tags, metadata=md),
            dS=ufl.Measure("dS", domain=mesh, subdomain_data=facet_tags, metadata=md),
        )


def vertex_measure(mesh, cell_tags=None) -> ufl.Measure:
    """Cell measure with the vertex quadrature rule (the lumped mass of P1)."""
    return ufl.Measure("dx", domain=mesh, subdomain_data=cell_tags,
                       metadata={"quadrature_rule": "vertex", "quadrature_degree": 1})
