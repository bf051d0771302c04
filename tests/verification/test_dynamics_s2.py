"""S2, transient spin diffusion: temporal orders against exact solutions, time-dependent
field, relaxation to the S1 steady state, step control."""

import numpy as np
import pytest
import ufl

import fem_spin as fs
from fem_spin import TransientSpinDiffusion
from fem_spin.geometry.interval import layered_interval
from fem_spin.textures import domain_wall
from tests.helpers.exact import rates

L, D, TAU = 100.0, 1e3, 10.0  # nm, nm^2/ps, ps
ORDER = {"euler": 1, "cn": 2, "bdf2": 2}


def cross_matrix(h):
    return np.array([[0, -h[2], h[1]], [h[2], 0, -h[0]], [-h[1], h[0], 0]])


def mode_error(comm, scheme: str, steps: int, n: int = 16, T: float = 4.0) -> float:
    """A cosine mode ``c(t) cos(k x)`` on [0, L] (zero-flux ends) in a uniform field H.

    On a uniform P1 mesh ``cos(k x_j)`` is an exact eigenvector of the stiffness/mass pencil
    with eigenvalue ``mu = 6/h^2 (1 - cos kh)/(2 + cos kh)``, so the semi-discrete solution is
    ``c(t) = exp(L t) c0`` with ``L = -(mu D A^{-1} + A/tau)`` (A of Eq. 73): the error
    measured against it is the time-discretisation error alone.
    """
    H = np.array([0.2, 0.1, 0.5])  # rad/ps, a = tau |H| ~ 5.5, all components of Dt active
    c0 = np.array([0.3, -0.2, 0.5])
    k, h = np.pi / L, L / n
    mu = 6 / h**2 * (1 - np.cos(k * h)) / (2 + np.cos(k * h))
    A = np.eye(3) + TAU * cross_matrix(H)
    ev, P = np.linalg.eig(-(mu * D * np.linalg.inv(A) + A / TAU))
    geo = layered_interval(comm, np.linspace(0, L, n + 1), [("bulk", L)])
    with TransientSpinDiffusion(geo.mesh, fs.Material(D=D, tau=TAU), H_ext=H, scheme=scheme,
                                m_init=lambda x: c0[:, None] * np.cos(k * x[0])[None, :]) as p:
        for _ in range(steps):
            p.step(T / steps)
        exact_c = (P @ np.diag(np.exp(ev * p.t)) @ np.linalg.solve(P, c0)).real
        x = p.V.tabulate_dof_coordinates()[:, 0]
        local = np.max(np.abs(p.m.x.array.reshape(-1, 3) - exact_c * np.cos(k * x)[:, None]))
    return comm.allreduce(local, op=max)


@pytest.mark.parametrize("scheme", ["euler", "cn", "bdf2"])
def test_s2_temporal_order_diffusion_mode(comm, scheme):
    steps = np.array([10, 20, 40, 80])
    errors = [mode_error(comm, scheme, int(s)) for s in steps]
    observed = rates(1.0 / steps, errors)
    assert np.all(np.abs(observed - ORDER[scheme]) < 0.1), (errors, observed)


def uniform_error(comm, scheme: str, steps: int, T: float = 4.0) -> float:
    """Uniform m in a time-dependent field ``H(t) = w(t) z``, ``w = w0 (1 + sin(t/2) / 2)``:
    ``m_+ = m_+(0) exp(-t/tau - i Phi(t))``, ``Phi = w0 (t + 1 - cos(t/2))``,
    ``m_z = m_z(0) exp(-t/tau)`` exactly (in space and time)."""
    w0 = 0.8
    m0 = np.array([0.6, 0.0, 0.8])
    geo = layered_interval(comm, np.linspace(0, 10.0, 3), [("bulk", 10.0)])

    def B(t):
        return ufl.as_vector((0.0, 0.0, w0 * (1 + 0.5 * ufl.sin(0.5 * t))))

    with TransientSpinDiffusion(geo.mesh, fs.Material(D=D, tau=TAU), H_ext=B, scheme=scheme,
                                m_init=m0) as p:
        for _ in range(steps):
            p.step(T / steps)
        t = p.t
        mp = (m0[0] + 1j * m0[1]) * np.exp(-t / TAU - 1j * w0 * (t + 1 - np.cos(0.5 * t)))
        exact = np.array([mp.real, mp.imag, m0[2] * np.exp(-t / TAU)])
        local = np.max(np.abs(p.m.x.array.reshape(-1, 3) - exact))
    return comm.allreduce(local, op=max)


# the MPI pass runs euler's (the field's evaluation at the scheme's time is the same code)
@pytest.mark.parametrize("scheme", ["euler", pytest.param("cn", marks=pytest.mark.serial),
                                    pytest.param("bdf2", marks=pytest.mark.serial)])
def test_s2_temporal_order_time_dependent_field(comm, scheme):
    """``B(t)`` given as a UFL expression of the time Constant, evaluated at the scheme's
    time (t_{n+1} for euler/bdf2, t_{n+1/2} for cn): the orders hold."""
    steps = np.array([160, 320, 640])
    errors = [uniform_error(comm, scheme, int(s)) for s in steps]
    observed = rates(1.0 / steps, errors)
    assert np.all(np.abs(observed - ORDER[scheme]) < 0.1), (errors, observed)


def test_s2_relaxes_to_s1(comm):
    """A Bloch wall in M, Dirichlet data at the ends switched on smoothly (the drive
    ``1 - exp(-t / 2 ps)``): S2 from m = 0 relaxes to the S1 steady solution (every mode decays
    at least as fast as exp(-t/tau)); the step control lets the step grow as the transient
    dies out."""
    n = 100
    geo = layered_interval(comm, np.linspace(-50.0, 50.0, n + 1), [("bulk", 50.0)])
    material = fs.Material(D=D, tau=TAU, lam=2.0, m0=0.3)
    M = fs.textures.magnetization(geo.mesh, domain_wall("bloch", width=10.0))
    data = [fs.Dirichlet(geo.tags["left"], (0.0, 0.0, -1.0)),
            fs.Dirichlet(geo.tags["right"], (0.0, 1.0, 0.0))]
    kw = dict(facet_tags=geo.facet_tags, M=M, H_ext=(0.05, 0.0, 0.0), dirichlet=data)
    with fs.SteadySpinDiffusion(geo.mesh, material, **kw) as s1:
        s1.solve()
        steady = s1.m.x.array.copy()
    with TransientSpinDiffusion(geo.mesh, material, scheme="bdf2",
                                drive=lambda t: 1 - np.exp(-t / 2.0), **kw) as s2:
        run = s2.run(40 * TAU, dt=0.05, tol=1e-3, progress_seconds=1e9)
        diff = comm.allreduce(np.max(np.abs(s2.m.x.array - steady)), op=max)
    scale = comm.allreduce(np.max(np.abs(steady)), op=max)
    assert diff / scale < 1e-7, diff
    assert run.steps < 100, run.steps  # the controlled step grows from 0.05 ps to > tau
    assert run.trace["dt"][-2] > TAU, run.trace["dt"]


def test_s2_rejects_bad_input(comm):
    geo = layered_interval(comm, np.linspace(0, 1.0, 3), [("bulk", 1.0)])
    with pytest.raises(fs.InputError, match="scheme"):
        TransientSpinDiffusion(geo.mesh, fs.Material(D=D, tau=TAU), scheme="rk4")
    with TransientSpinDiffusion(geo.mesh, fs.Material(D=D, tau=TAU)) as p:
        with pytest.raises(fs.InputError, match="positive"):
            p.step(-1.0)
