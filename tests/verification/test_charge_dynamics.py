"""The charge-driven LLG (fem_spin.problems.charge_dynamics): its torque is the transport's,
and the current's sign decides which state it destabilizes, at the rate of the macrospin
threshold computed from the transport's torque efficiency."""

import dolfinx.fem as fem
import numpy as np
import pytest
import ufl
from mpi4py import MPI

from fem_spin.core.measures import vertex_measure
from fem_spin.paper import charge_pillar as cp


def test_torque_is_the_transports():
    """The torque density lam M x m that the LLG sees (m projected on the free layer's
    vertices) integrates to the steady transport's torque on the free layer (to the lumped
    quadrature's O(h^2))."""
    s = cp.with_current(cp.stack(), 1e11)
    tg = s.geometry.tags
    with cp.pillar_llg(s, theta_deg=60.0, ramp=0.0) as llg:
        M = llg.M
        dxv = vertex_measure(s.geometry.mesh, s.geometry.cell_tags)(tg["free"])
        lam = cp.CO.lam
        lumped = [MPI.COMM_WORLD.allreduce(fem.assemble_scalar(fem.form(
            lam * ufl.cross(M, llg.m_accumulation)[k] * dxv))) for k in range(3)]
        transport = llg.transport
        dx = transport.measures.dx(tg["free"])
        exact = [MPI.COMM_WORLD.allreduce(fem.assemble_scalar(fem.form(
            lam * ufl.cross(transport.M, transport.field("m"))[k] * dx))) for k in range(3)]
    lumped, exact = np.array(lumped), np.array(exact)
    assert np.linalg.norm(exact) > 0
    assert np.linalg.norm(lumped - exact) < 2e-2 * np.linalg.norm(exact), (lumped, exact)


@pytest.mark.serial  # a scan; MPI pass: tests/demos/test_charge_example.py
@pytest.mark.parametrize("antiparallel", [False, True], ids=["P", "AP"])
def test_current_sign_and_threshold(antiparallel):
    """Starting 5 degrees off P (AP): at 1.5 x the macrospin threshold of the transport's
    torque efficiency a current of the destabilizing sign (j > 0 for P, j < 0 for AP) pumps
    energy into the precession, at 0.5 x the precession decays, and (P) the opposite current
    damps it faster."""
    s = cp.stack()
    eta = cp.torque_efficiency(s, 178.0 if antiparallel else 2.0)
    j_c = cp.critical_current_estimate(eta) * (-1 if antiparallel else 1)
    gain = {}
    for f in (1.5, 0.5) if antiparallel else (1.5, 0.5, -1.5):  # noqa: B007
        with cp.pillar_llg(cp.with_current(s, f * j_c), theta_deg=5.0,
                           antiparallel=antiparallel, ramp=0.0) as llg:
            gain[f] = cp.precession_growth(llg, 300.0, 4.0, 132.0)  # two periods
    assert gain[1.5] > 0 > gain[0.5], gain
    if not antiparallel:
        assert gain[0.5] > gain[-1.5], gain
