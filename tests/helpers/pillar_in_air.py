"""The CPP pillar in an air ball for the coupled problem with magnetostatics (shared by
tests/verification/test_coupled_demag.py and test_blocked_unknown.py): fixed / spacer / free /
cap layers, a spin current injected at the bottom electrode, m = 0 at the top one."""

from __future__ import annotations

import numpy as np

import fem_spin as fs
from fem_spin.geometry.pillar import ELECTRODE_BOTTOM, ELECTRODE_TOP, OUTER, nanopillar
from fem_spin.physics.scales import spin_current

LAYERS = [("fixed", 6.0), ("spacer", 3.0), ("free", 4.0), ("cap", 7.0)]


def initial_magnetization(x):
    """M = x in the fixed layer, 0.2 rad off it in the free layer, 0 elsewhere."""
    out = np.zeros((3, x.shape[1]))
    out[0, x[2] < 6.0 + 1e-9] = 1.0
    free_layer = (x[2] > 9.0 - 1e-9) & (x[2] < 13.0 + 1e-9)
    out[0, free_layer], out[1, free_layer] = np.cos(0.2), np.sin(0.2)
    return out


def pillar_in_air(comm, *, h_max: float, air_radius: float):
    """``(geometry, Magnetostatics, CoupledSpinDynamics arguments, keywords)`` of the pillar
    (radius 6 nm) in its air ball."""
    geo = nanopillar(comm, LAYERS, rx=6.0, h_max=h_max, air_radius=air_radius)
    demag = fs.Magnetostatics(geo.mesh, geo.cell_tags, geo.facet_tags,
                              magnet_tags=[geo.tag(name) for name, _ in LAYERS],
                              outer_tag=geo.tag(OUTER), center=(0.0, 0.0, 10.0))
    fm = fs.Material(D=1e3, tau=10.0, lam=-2.0)
    nm = fs.Material(D=1e3, tau=10.0)
    materials = {geo.tag(n): (fm if n in ("fixed", "free") else nm) for n, _ in LAYERS}
    free = fs.Magnet(Ms=1e6, A_ex=1.5e-11, alpha=0.1, K_u=1e5, easy_axis=(1, 0, 0))
    args = (demag.submesh, materials, {geo.tag("free"): free})
    keywords = dict(cell_tags=demag.sub_cell_tags, facet_tags=demag.sub_facet_tags,
                    M0=initial_magnetization,
                    flux=[fs.Flux(geo.tag(ELECTRODE_BOTTOM), spin_current(4e12, (1, 0, 0)))],
                    dirichlet=[fs.Dirichlet(geo.tag(ELECTRODE_TOP), (0.0, 0.0, 0.0))],
                    demag=demag)
    return geo, demag, args, keywords
