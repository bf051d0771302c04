"""The coupled problem (S2 + LLG) with magnetostatics on a pillar in an air ball: the device's
submesh keeps the electrode and interface tags, the free layer's demagnetizing tensor is the
disc's (radius 6 nm, thickness 4 nm: N_zz = 0.5708, N_xx = 0.2146, the cylinder's
magnetometric factors) within 3 % at h = 2 nm with the P2 potential (1.5 % measured), and a
step keeps |M| = 1 with the magnetostatic energy positive."""

import numpy as np

import fem_spin as fs
from fem_spin.geometry.pillar import ELECTRODE_BOTTOM, ELECTRODE_TOP
from tests.helpers.pillar_in_air import pillar_in_air
from tests.helpers.switching_pillar import by_position


def test_pillar_with_magnetostatics(comm):
    geo, demag, args, keywords = pillar_in_air(comm, h_max=2.0, air_radius=25.0)
    tags = set(np.concatenate(comm.allgather(demag.sub_facet_tags.values)).tolist())
    assert {geo.tag(ELECTRODE_BOTTOM), geo.tag(ELECTRODE_TOP), 11, 12, 13} <= tags
    with fs.CoupledSpinDynamics(*args, **keywords) as p:
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


def test_block_solver_with_magnetostatics(comm):
    """The block solver (chosen explicitly: "auto" keeps the direct chord with magnetostatics)
    takes full Newton steps when the Jacobian approximates the demagnetizing field locally:
    no solve falls back to MUMPS (with the backtracking line search one of these 10 steps
    did, and then the next 3 went by MUMPS: 1.0 instead of 0.18 CPU s per step), and the
    states equal the direct chord's to the Newton tolerance."""
    states = {}
    for solver in ("direct", "block"):
        _, demag, args, keywords = pillar_in_air(comm, h_max=2.0, air_radius=25.0)
        with fs.CoupledSpinDynamics(*args, **keywords, linear_solver=solver) as p:
            for _ in range(10):
                p.step(2.0)
            if solver == "block":
                assert p._solvers_[0].direct is None  # the fallback was never made
            states[solver] = (*by_position(comm, p), p.norm_drift())
        demag.close()
    (M_d, m_d, _), (M_b, m_b, drift) = states["direct"], states["block"]
    assert np.max(np.abs(M_b - M_d)) < 1e-10
    assert np.max(np.abs(m_b - m_d)) < 1e-9 * np.max(np.abs(m_d))
    assert drift < 1e-12
