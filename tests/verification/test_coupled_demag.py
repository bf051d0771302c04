"""The coupled problem (S2 + LLG) with magnetostatics on a pillar in an air ball: the device's
submesh keeps the electrode and interface tags, the free layer's demagnetizing tensor is the
disc's (radius 6 nm, thickness 4 nm: N_zz = 0.5708, N_xx = 0.2146, the cylinder's
magnetometric factors) within 3 % at h = 2 nm with the P2 potential (1.5 % measured), and a
step keeps |M| = 1 with the magnetostatic energy positive."""

import numpy as np

import fem_spin as fs
from fem_spin.geometry.pillar import ELECTRODE_BOTTOM, ELECTRODE_TOP, OUTER, nanopillar
from fem_spin.physics.scales import spin_current

LAYERS = [("fixed", 6.0), ("spacer", 3.0), ("free", 4.0), ("cap", 7.0)]


def test_pillar_with_magnetostatics(comm):
    geo = nanopillar(comm, LAYERS, rx=6.0, h_max=2.0, air_radius=25.0)
    device = [geo.tag(name) for name, _ in LAYERS]
    demag = fs.Magnetostatics(geo.mesh, geo.cell_tags, geo.facet_tags, magnet_tags=device,
                              outer_tag=geo.tag(OUTER), center=(0.0, 0.0, 10.0))
    tags = set(np.concatenate(comm.allgather(demag.sub_facet_tags.values)).tolist())
    assert {geo.tag(ELECTRODE_BOTTOM), geo.tag(ELECTRODE_TOP), 11, 12, 13} <= tags
    fm = fs.Material(D=1e3, tau=10.0, lam=-2.0)
    nm = fs.Material(D=1e3, tau=10.0)
    materials = {geo.tag(n): (fm if n in ("fixed", "free") else nm) for n, _ in LAYERS}
    free = fs.Magnet(Ms=1e6, A_ex=1.5e-11, alpha=0.1, K_u=1e5, easy_axis=(1, 0, 0))

    def M0(x):
        out = np.zeros((3, x.shape[1]))
        out[0, x[2] < 6.0 + 1e-9] = 1.0
        free_layer = (x[2] > 9.0 - 1e-9) & (x[2] < 13.0 + 1e-9)
        out[0, free_layer], out[1, free_layer] = np.cos(0.2), np.sin(0.2)
        return out

    with fs.CoupledSpinDynamics(
            demag.submesh, materials, {geo.tag("free"): free}, cell_tags=demag.sub_cell_tags,
            facet_tags=demag.sub_facet_tags, M0=M0,
            flux=[fs.Flux(geo.tag(ELECTRODE_BOTTOM), spin_current(4e12, (1, 0, 0)))],
            dirichlet=[fs.Dirichlet(geo.tag(ELECTRODE_TOP), (0.0, 0.0, 0.0))],
            demag=demag) as p:
        N = p._demag_term.N
        assert abs(N[2, 2] / 0.5708 - 1) < 0.03 and abs(N[0, 0] / 0.2146 - 1) < 0.03, N
        E0 = p.energy()
        p.step(2.0)
        p.step(2.0)
        assert p.norm_drift() < 1e-9
        assert np.linalg.norm(p.average_M()) > 0.99
        assert p.demag.energy(p._sub_array("M")) > 0
        assert np.isfinite(E0)
    demag.close()
