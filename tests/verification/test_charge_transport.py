"""Charge + spin transport (fem_spin.problems.charge) against exact and circuit-theory results.

References, each independent of the finite-element code:
- the two-current series-resistor model (l_sf -> infinity), in closed form;
- the exact 1D solution of the model (fem_spin.reference.valet_fert: exponentials per layer,
  Valet and Fert 1993, extended to non-collinear layers), checked itself against the closed
  form;
- magnetoelectronic circuit theory (fem_spin.reference.circuit; Brataas, Nazarov and Bauer
  2000), checked against its closed-form conductance G(theta) and Slonczewski's angular form.
"""

import numpy as np
import pytest
from mpi4py import MPI

from fem_spin.core.fields import region_function
from fem_spin.geometry.multilayer import Layer as MeshLayer
from fem_spin.geometry.multilayer import multilayer
from fem_spin.observables import sample_points
from fem_spin.parameters.charge import FEMTO, Electrode, Interface, conductor
from fem_spin.problems.charge import ChargeSpinTransport
from fem_spin.reference.circuit import SpinValve, spin_valve, spin_valve_conductance
from fem_spin.reference.valet_fert import Junction, Layer, solve_stack

J = 1e11  # A/m^2
B_F, SIG_F, SIG_N = 0.46, 1e7, 5e7  # Co-like bulk asymmetry; conductivities (S/m)
L_F, L_N = 20.0, 200.0  # spin-diffusion lengths (nm)
AR_I, GAMMA = 0.5, 0.7  # interface AR* (fOhm m^2), asymmetry


def _stack(comm, thicknesses, h):
    names = [f"l{i}" for i in range(len(thicknesses))]
    return multilayer(comm, [MeshLayer(n, t) for n, t in zip(names, thicknesses, strict=True)],
                      h_max=h, wavelength=np.inf), names


def _fem(comm, thicknesses, kinds, axes, h, degree=2, interfaces=None, **material):
    """Solve a 1D stack; kinds 'F'/'N' per layer, axes the unit M per layer (None in N)."""
    geo, names = _stack(comm, thicknesses, h)
    tags = geo.tags
    F = conductor(sigma=SIG_F, beta=B_F, l_sf=L_F, D=1e3, **material)
    N = conductor(sigma=SIG_N, l_sf=L_N, D=1e3)
    mats = {tags[n]: (F if k == "F" else N) for n, k in zip(names, kinds, strict=True)}
    M = region_function(geo.mesh, geo.cell_tags,
                        {tags[n]: (0.0, 0.0, 0.0) if a is None else tuple(a)
                         for n, a in zip(names, axes, strict=True)}, (3,), "M")
    itf = dict(AR=AR_I, gamma=GAMMA) if interfaces is None else interfaces
    problem = ChargeSpinTransport(
        geo.mesh, mats, cell_tags=geo.cell_tags, facet_tags=geo.facet_tags, M=M,
        interfaces=[Interface(tag=tags[f"interface_{i}"], **itf)
                    for i in range(1, len(names))] if itf else [],
        electrodes=[Electrode(tag=tags["left"], current_density=J),
                    Electrode(tag=tags["right"], voltage=0.0)], degree=degree)
    problem.solve()
    return problem, geo, names, (F, N)


def _exact(thicknesses, kinds, axes, F, N, interfaces=None):
    layers = [Layer(L=t, sigma=m.sigma, D=1e3, tau=m.tau, beta=m.beta, lam=m.lam,
                    tau_A=m.tau_A, M=a)
              for t, k, a in zip(thicknesses, kinds, axes, strict=True)
              for m in [F if k == "F" else N]]
    itf = dict(AR=AR_I, gamma=GAMMA) if interfaces is None else interfaces
    junctions = []
    for a, b in zip(axes[:-1], axes[1:], strict=True):
        if not itf:
            junctions.append(None)
            continue
        G_mix = itf.get("G_mix")
        kw = {} if G_mix is None else dict(G_r=G_mix[0] / FEMTO, G_i=G_mix[1] / FEMTO)
        junctions.append(Junction(AR=itf["AR"] * FEMTO, gamma=itf.get("gamma", 0.0),
                                  delta=itf.get("delta", 0.0), M=a if a is not None else b,
                                  **kw))
    return solve_stack(layers, junctions, j=J)


def _series(thicknesses, kinds, signs):
    """Two-current series resistor (no spin flip): AR of the parallel channels (fOhm m^2)."""
    rho_F = 1 / (SIG_F * (1 - B_F**2))  # Valet-Fert rho*
    channels = []
    for s in (1, -1):  # spin along +z, -z
        r = 0.0
        for t, k, sg in zip(thicknesses, kinds, signs, strict=True):
            r += (2 * rho_F * (1 - s * sg * B_F) if k == "F" else 2 / SIG_N) * t * 1e-9
        r += sum(2 * AR_I * FEMTO * (1 - s * sg * GAMMA) for sg in signs if sg)
        channels.append(r)
    return channels[0] * channels[1] / (channels[0] + channels[1]) / FEMTO


def test_series_resistor_limit():
    """l_sf -> infinity: the exact model and the FEM give the two-current series resistors."""
    comm = MPI.COMM_WORLD
    t, kinds = [5.0, 10.0, 5.0], ["F", "N", "F"]
    for sign in (1, -1):
        axes = [(0, 0, 1), None, (0, 0, sign)]
        expected = _series(t, kinds, [1, 0, sign])
        layers = [Layer(L=ti, sigma=SIG_F if k == "F" else SIG_N, D=1e3, tau=1e9,
                        beta=B_F if k == "F" else 0.0, M=a)
                  for ti, k, a in zip(t, kinds, axes, strict=True)]
        ref = solve_stack(layers, [Junction(AR=AR_I * FEMTO, gamma=GAMMA, M=axes[0]),
                                   Junction(AR=AR_I * FEMTO, gamma=GAMMA, M=axes[2])], j=J)
        assert ref.AR / FEMTO == pytest.approx(expected, rel=1e-6)
        geo, names = _stack(comm, t, 0.5)
        tags = geo.tags
        F = conductor(sigma=SIG_F, beta=B_F, l_sf=1e6, D=1e3)
        N = conductor(sigma=SIG_N, l_sf=1e6, D=1e3)
        M = region_function(geo.mesh, geo.cell_tags, {tags["l0"]: (0, 0, 1), tags["l1"]: (0, 0, 0),
                                                      tags["l2"]: (0, 0, sign)}, (3,), "M")
        with ChargeSpinTransport(
                geo.mesh, {tags["l0"]: F, tags["l1"]: N, tags["l2"]: F},
                cell_tags=geo.cell_tags, facet_tags=geo.facet_tags, M=M,
                interfaces=[Interface(tag=tags[f"interface_{i}"], AR=AR_I, gamma=GAMMA)
                            for i in (1, 2)],
                electrodes=[Electrode(tag=tags["left"], current_density=J),
                            Electrode(tag=tags["right"], voltage=0.0)]) as p:
            p.solve()
            # the spin reservoirs at the ends keep a (tiny, ~t / l_sf) spin relaxation
            assert p.resistance_area(tags["left"], tags["right"]) == pytest.approx(expected,
                                                                                  rel=1e-5)


@pytest.mark.parametrize("sign", [1, -1], ids=["P", "AP"])
def test_valet_fert_spin_valve(sign):
    """Collinear F/N/F: AR equals the exact solution (P2: 1e-9 relative), the profiles of mu
    and J too (to the interpolation error), and P1 converges at rate 2."""
    comm = MPI.COMM_WORLD
    t, kinds, axes = [5.0, 10.0, 5.0], ["F", "N", "F"], [(0, 0, 1), None, (0, 0, sign)]
    p, geo, _, (F, N) = _fem(comm, t, kinds, axes, h=0.5)
    ref = _exact(t, kinds, axes, F, N)
    AR = p.resistance_area(geo.tags["left"], geo.tags["right"])
    assert AR == pytest.approx(ref.AR / FEMTO, rel=1e-9)
    # profiles inside the layers (the fields jump at the interfaces)
    x = np.concatenate([np.linspace(0.1, 4.9, 9), np.linspace(5.1, 14.9, 9),
                        np.linspace(15.1, 19.9, 9)])
    points = np.c_[x, np.zeros((len(x), 2))]
    mu_h = sample_points(p.function("mu"), points)[:, 2]
    J_h = sample_points(p.function("J"), points).reshape(len(x), 3, -1)[:, 2, 0]
    mu_ref, J_ref = ref.mu(x)[:, 2], ref.J(x)[:, 2]
    # between the nodes: the P2 interpolation error, O(h^3), 4e-7 at h = 0.5 nm
    assert np.abs(mu_h - mu_ref).max() < 1e-6 * np.abs(mu_ref).max()
    # J from the gradient of P2 (a P1 field): second order, 1e-3 at h = 0.5 nm
    assert np.abs(J_h - J_ref).max() < 3e-3 * np.abs(J_ref).max()
    p.close()
    errors = []
    for h in (1.0, 0.5):
        q, g, _, _ = _fem(comm, t, kinds, axes, h=h, degree=1)
        errors.append(abs(q.resistance_area(g.tags["left"], g.tags["right"]) / (ref.AR / FEMTO)
                          - 1))
        q.close()
    assert np.log2(errors[0] / errors[1]) > 1.9


def test_multilayer():
    """[F/N]x3/F, collinear, alternating magnets: AR equals the exact solution to 1e-9."""
    comm = MPI.COMM_WORLD
    t = [4.0, 6.0, 3.0, 6.0, 5.0, 6.0, 4.0]
    kinds = ["F", "N"] * 3 + ["F"]
    axes = [(0, 0, 1), None, (0, 0, -1), None, (0, 0, 1), None, (0, 0, -1)]
    p, geo, _, (F, N) = _fem(comm, t, kinds, axes, h=0.5)
    ref = _exact(t, kinds, axes, F, N)
    assert p.resistance_area(geo.tags["left"], geo.tags["right"]) == pytest.approx(
        ref.AR / FEMTO, rel=1e-9)
    p.close()


def test_noncollinear_spin_valve():
    """Non-collinear F/N/F with s-d precession (lam, tau_A), mixing conductance G_r + i G_i and
    interface spin flip: AR and the torque on the free layer equal the exact solution (P2 to
    1e-8), P1 at rate 2."""
    comm = MPI.COMM_WORLD
    th = np.deg2rad(70)
    t, kinds = [6.0, 10.0, 6.0], ["F", "N", "F"]
    axes = [(0, 0, 1), None, (np.sin(th), 0, np.cos(th))]
    itf = dict(AR=AR_I, gamma=GAMMA, delta=0.2, G_mix=(0.55, 0.05))
    errors = []
    for degree, h in ((2, 0.4), (1, 0.4), (1, 0.2)):
        p, geo, names, (F, N) = _fem(comm, t, kinds, axes, h=h, degree=degree, interfaces=itf,
                                      lam=2.0, tau_A=0.5)
        ref = _exact(t, kinds, axes, F, N, interfaces=itf)
        AR = p.resistance_area(geo.tags["left"], geo.tags["right"])
        T, T_ref = p.torque(geo.tags["l2"]), ref.torque(2)
        e = (abs(AR / (ref.AR / FEMTO) - 1), np.abs(T - T_ref).max() / np.abs(T_ref).max())
        p.close()
        if degree == 2:
            assert e[0] < 1e-8 and e[1] < 1e-8, e
        else:
            errors.append(e)
    rates = np.log2(np.array(errors[0]) / np.array(errors[1]))
    assert np.all(rates > 1.9), rates


def test_circuit_theory():
    """Circuit theory: its conductance equals the closed form G(theta), its torque has
    Slonczewski's angular form a sin(theta) / (1 + chi cos(theta)); the exact diffusive model
    tends to it (AR and torque, error ~ 1/s) as the ferromagnets become ideal reservoirs
    (conductivity x s, spin relaxation time / s, s-d coupling lam tau = 10 s)."""
    G = 1 / (AR_I * FEMTO * (1 - GAMMA**2))
    G_r = 0.55 / FEMTO
    thetas = np.deg2rad(np.linspace(5, 175, 18))
    valves = [spin_valve(th, G=G, gamma=GAMMA, G_r=G_r, j=J) for th in thetas]
    closed = spin_valve_conductance(thetas, G=G, gamma=GAMMA, G_r=G_r)
    assert np.allclose([1 / v.AR for v in valves], closed, rtol=1e-12)
    tp = np.array([v.torque2 @ [np.cos(th), 0, -np.sin(th)] for v, th in zip(valves, thetas,
                                                                            strict=True)])
    A = np.c_[np.sin(thetas), -tp * np.cos(thetas)]
    (a, chi), *_ = np.linalg.lstsq(A, tp, rcond=None)
    assert np.abs(A @ [a, chi] - tp).max() < 1e-12 * np.abs(tp).max()
    th = np.deg2rad(60)
    axis = [np.sin(th), 0, np.cos(th)]
    # the reservoirs' majority axes are -M (M along the moment)
    c = SpinValve([0, 0, -1], -np.asarray(axis), G, GAMMA, G_r, 0.0, J)
    errors = []
    for s in (10, 100, 1000):
        tau = 0.1 / s
        F = dict(sigma=1e8 * s, D=1e3, tau=tau, lam=10 * s / tau)
        layers = [Layer(L=20, M=[0, 0, 1], **F), Layer(L=1 / s, sigma=1e8 * s, D=1e3, tau=1e6),
                  Layer(L=20, M=axis, **F)]
        ref = solve_stack(layers, [Junction(AR=AR_I * FEMTO, gamma=GAMMA, G_r=G_r, M=[0, 0, 1]),
                                   Junction(AR=AR_I * FEMTO, gamma=GAMMA, G_r=G_r, M=axis)], j=J)
        errors.append((abs(ref.AR / c.AR - 1),
                       np.abs(ref.torque(2) - c.torque2).max() / np.abs(c.torque2).max()))
    errors = np.array(errors)
    assert np.all(errors[-1] < 1e-3), errors
    assert np.all(np.log10(errors[1] / errors[2]) > 0.9), errors


def test_reduces_to_s1_without_charge_current():
    """beta = 0 and no charge current (both electrodes at 0 V, spin reservoirs): the spin
    accumulation m = chi mu equals S1's (SteadySpinDiffusion) with the same field, m_eq and
    transverse time, to round-off: the spin equation is S1 times sigma / D."""
    comm = MPI.COMM_WORLD
    geo, names = _stack(comm, [30.0], 0.5)
    tags = geo.tags
    mat = conductor(sigma=2e7, l_sf=40.0, D=1e3, lam=3.0, m0=1e3, tau_A=0.5)
    M = lambda x: np.stack([np.sin(x[0] / 7), np.zeros_like(x[0]), np.cos(x[0] / 7)])  # noqa: E731
    import dolfinx.fem as fem

    V = fem.functionspace(geo.mesh, ("Lagrange", 1, (3,)))
    Mf = fem.Function(V)
    Mf.interpolate(M)
    with ChargeSpinTransport(geo.mesh, mat, facet_tags=geo.facet_tags, M=Mf, B_T=(0.0, 0.5, 0.0),
                             electrodes=[Electrode(tag=tags["left"], voltage=0.0),
                                         Electrode(tag=tags["right"], voltage=0.0)]) as p:
        p.solve()
        m_charge = p.function("m")
    from fem_spin import Dirichlet, SteadySpinDiffusion

    with SteadySpinDiffusion(geo.mesh, mat, facet_tags=geo.facet_tags, M=Mf, B_T=(0.0, 0.5, 0.0),
                             dirichlet=[Dirichlet(tags["left"], (0, 0, 0)),
                                        Dirichlet(tags["right"], (0, 0, 0))]) as s1:
        s1.solve()
        points = np.c_[np.linspace(0.1, 29.9, 40), np.zeros((40, 2))]
        m_s1 = sample_points(s1.m, points)
    m_h = sample_points(m_charge, points)
    assert np.abs(m_s1).max() > 50  # a real accumulation (A/m), driven by m_eq = m0 M
    assert np.abs(m_h - m_s1).max() < 1e-9 * np.abs(m_s1).max()


def test_pillar_3d_equals_1d():
    """A 3D pillar of uniform non-collinear layers (P1 tetrahedra, 2 and 1 nm) converges to
    the exact 1D solution at rate 2 (AR; the error includes that of the faceted side wall)."""
    from fem_spin.geometry.pillar import interface_name, nanopillar

    comm = MPI.COMM_WORLD
    F = conductor(sigma=SIG_F, beta=B_F, l_sf=L_F, D=1e3, lam=2.0, tau_A=0.5)
    N = conductor(sigma=SIG_N, l_sf=L_N, D=1e3)
    th = np.deg2rad(70)
    M2 = (np.sin(th), 0.0, np.cos(th))
    itf = dict(AR=AR_I, gamma=GAMMA, G_mix=(0.55, 0.05))
    ref = _exact([6.0, 10.0, 6.0], ["F", "N", "F"], [(0, 0, 1), None, M2], F, N, itf)
    errors = []
    for h in (2.0, 1.0):
        geo = nanopillar(comm, [("f1", 6.0), ("n", 10.0), ("f2", 6.0)], rx=5.0, h_max=h)
        tg = geo.tags
        M = region_function(geo.mesh, geo.cell_tags, {tg["f1"]: (0, 0, 1.0), tg["n"]: (0, 0, 0),
                                                      tg["f2"]: M2}, (3,), "M")
        with ChargeSpinTransport(
                geo.mesh, {tg["f1"]: F, tg["n"]: N, tg["f2"]: F}, cell_tags=geo.cell_tags,
                facet_tags=geo.facet_tags, M=M,
                interfaces=[Interface(tag=tg[interface_name("f1", "n")], **itf),
                            Interface(tag=tg[interface_name("n", "f2")], **itf)],
                electrodes=[Electrode(tag=tg["electrode_bottom"], current_density=J),
                            Electrode(tag=tg["electrode_top"], voltage=0.0)]) as p:
            p.solve()
            AR = p.resistance_area(tg["electrode_bottom"], tg["electrode_top"])
            T = p.torque(tg["f2"], area=p.electrode_area(tg["electrode_bottom"]))
        errors.append(abs(AR / (ref.AR / FEMTO) - 1))
        assert np.abs(T - ref.torque(2)).max() < 2e-3 * np.abs(ref.torque(2)).max()
    assert errors[1] < 1.5e-3 and np.log2(errors[0] / errors[1]) > 1.8, errors


def test_serial_equals_parallel():
    """The same non-collinear valve solved on this rank alone and on all ranks."""
    results = []
    for comm in (MPI.COMM_SELF, MPI.COMM_WORLD):
        th = np.deg2rad(50)
        p, geo, _, _ = _fem(comm, [6.0, 10.0, 6.0], ["F", "N", "F"],
                            [(0, 0, 1), None, (np.sin(th), 0, np.cos(th))], h=0.5, degree=1,
                            interfaces=dict(AR=AR_I, gamma=GAMMA, G_mix=(0.5, 0.1)), lam=2.0)
        results.append([p.resistance_area(geo.tags["left"], geo.tags["right"]),
                        *p.torque(geo.tags["l2"])])
        p.close()
    assert np.allclose(results[0], results[1], rtol=1e-11, atol=0)
