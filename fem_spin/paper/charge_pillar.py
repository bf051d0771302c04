"""The switching pillar driven by a charge current through a real fixed layer, as a 1D stack
(the current flows along the pillar's axis; the free layer's shape anisotropy is the thin-film
term): Co(6, pinned) / Cu(3) / Co(4, free) / Cu(7) between two spin reservoirs, the layer
thicknesses of ``examples/switching_pillar.toml``, with the Co/Cu parameters of
``examples/spin_valve_cocu.toml`` (Bass and Pratt 2007, 4.2 K).

Sign of the current: ``j > 0`` flows from the fixed layer into the free one (electrons from
the free layer into the fixed one), which destabilizes the parallel state.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from mpi4py import MPI

from fem_spin.geometry.interval import layered_interval, stack_nodes
from fem_spin.parameters import Magnet, thin_film_anisotropy
from fem_spin.parameters.charge import Electrode, Interface, conductor
from fem_spin.problems.charge import ChargeSpinTransport
from fem_spin.problems.charge_dynamics import ChargeDrivenLLG

__all__ = ["PillarStack", "critical_current_estimate", "pillar_llg", "pillar_transport",
           "precession_growth", "stack", "torque_efficiency", "with_current"]

LAYERS = ("fixed", "spacer", "free", "cap")
THICKNESS = (6.0, 3.0, 4.0, 7.0)  # nm
CO = conductor(sigma=1.6667e7, beta=0.46, l_sf=59.0, D=1e3, lam=-500.0, tau_A=0.002)
CU = conductor(sigma=1.6667e8, l_sf=500.0, D=1e3)
CO_CU = dict(AR=0.51, gamma=0.77, delta=0.33, G_mix=(0.55, 0.0))
FREE = Magnet(Ms=1e6, A_ex=1.5e-11, alpha=0.01, K_u=1e5, easy_axis=(1.0, 0.0, 0.0),
              K_d=thin_film_anisotropy(1e6), normal=(0.0, 0.0, 1.0))


@dataclass(frozen=True)
class PillarStack:
    geometry: object
    materials: dict
    interfaces: list
    electrodes: list


def stack(comm=MPI.COMM_WORLD, h_max: float = 0.25, h_interface: float = 0.05,
          j: float = 1e11) -> PillarStack:
    """The 1D stack, its materials, interfaces and electrodes (current ``j`` A/m^2 into the
    fixed layer's end, the other end at 0 V)."""
    ends = np.cumsum(THICKNESS)
    geo = layered_interval(comm, stack_nodes(THICKNESS, h_max, h_interface),
                           list(zip(LAYERS, ends, strict=True)))
    tg = geo.tags
    mats = {tg[n]: (CO if n in ("fixed", "free") else CU) for n in LAYERS}
    interfaces = [Interface(tag=tg[f"interface_{i}"], **CO_CU) for i in (1, 2, 3)]
    electrodes = [Electrode(tag=tg["left"], current_density=j),
                  Electrode(tag=tg["right"], voltage=0.0)]
    return PillarStack(geo, mats, interfaces, electrodes)


def initial_state(theta_deg: float, antiparallel: bool):
    """M0: fixed along +x; free at ``theta_deg`` in the plane from +x (or from -x)."""
    ends = np.cumsum(THICKNESS)
    th = np.deg2rad(theta_deg)
    sign = -1.0 if antiparallel else 1.0

    def M0(x):
        z = x[0]
        out = np.zeros((3, z.size))
        out[0][z <= ends[0] + 1e-9] = 1.0
        free = (z >= ends[1] - 1e-9) & (z <= ends[2] + 1e-9)
        out[0][free], out[1][free] = sign * np.cos(th), np.sin(th)
        return out

    return M0


def pillar_llg(s: PillarStack, *, theta_deg: float = 5.0, antiparallel: bool = False,
               ramp: float = 10.0, free: Magnet = FREE) -> ChargeDrivenLLG:
    """The charge-driven LLG of the free layer, the current ramped in over ``ramp`` ps."""
    tg = s.geometry.tags
    return ChargeDrivenLLG(
        s.geometry.mesh, s.materials, {tg["free"]: free}, cell_tags=s.geometry.cell_tags,
        facet_tags=s.geometry.facet_tags, M0=initial_state(theta_deg, antiparallel),
        interfaces=s.interfaces, electrodes=s.electrodes,
        drive=lambda t: 1.0 - np.exp(-t / ramp) if ramp > 0 else 1.0)


def pillar_transport(s: PillarStack, theta_deg: float) -> ChargeSpinTransport:
    """The steady transport with the free layer at ``theta_deg`` from the fixed one (in the
    plane), for the torque and the resistance."""
    import dolfinx.fem as fem

    V = fem.functionspace(s.geometry.mesh, ("DG", 0, (3,)))
    M = fem.Function(V)
    th = np.deg2rad(theta_deg)
    tg = s.geometry.tags
    values = M.x.array.reshape(-1, 3)
    for name, axis in (("fixed", (1.0, 0.0, 0.0)), ("free", (np.cos(th), np.sin(th), 0.0))):
        values[V.dofmap.list[s.geometry.cell_tags.find(tg[name]), 0]] = axis
    return ChargeSpinTransport(s.geometry.mesh, s.materials, cell_tags=s.geometry.cell_tags,
                               facet_tags=s.geometry.facet_tags, M=M,
                               interfaces=s.interfaces, electrodes=s.electrodes)


def torque_efficiency(s: PillarStack, theta_deg: float) -> float:
    """``eta = -tau_theta / (j sin theta)``: the in-plane spin torque on the free layer
    (charge-current units) along ``e_theta = z x M_free``, per current density and
    sin(theta), with the sign of the magnetization's response: the magnet's spin is
    ``-Ms M / gamma``, so M turns against the spin it gains; ``eta > 0``: a positive current
    turns the free layer away from the fixed one."""
    tg = s.geometry.tags
    with pillar_transport(s, theta_deg) as p:
        p.solve()
        T = p.torque(tg["free"])
        j = p.electrode_current(tg["left"])
    th = np.deg2rad(theta_deg)
    e_theta = np.array([-np.sin(th), np.cos(th), 0.0])
    return float(-(T @ e_theta) / (j * np.sin(th)))


def critical_current_estimate(eta: float, free: Magnet = FREE, t_free: float = THICKNESS[2]
                              ) -> float:
    """The macrospin instability threshold (Sun, PRB 62, 570 (2000); Katine et al. 2000) with
    the torque efficiency ``eta`` of the transport: ``j_c = (2 e / hbar) alpha Ms t (B_K +
    B_D / 2) / eta`` (A/m^2; ``B_K = 2 K_u / Ms``, ``B_D = K_d / Ms`` in T, ``t`` in nm)."""
    two_e_over_hbar = 2 * 1.602176634e-19 / 1.054571817e-34
    B = free.anisotropy_field + 0.5 * free.hard_axis_field
    return two_e_over_hbar * free.alpha * free.Ms * t_free * 1e-9 * B / eta


def precession_growth(llg: ChargeDrivenLLG, t_end: float, dt: float, window: float) -> float:
    """Run to ``t_end``; ``log(a_end / a_start)`` of the precession amplitude ``a``, the
    standard deviation of ``(<M_y>, <M_z>)`` over the first and the last ``window`` ps (a
    whole number of periods): > 0 when the current pumps the precession (unstable), < 0 when
    it decays. The amplitude about the orbit's own centre, which the field-like torque
    shifts, unlike the energy or the angle from the easy axis."""
    llg.run(t_end, dt, progress_seconds=1e9)
    trace = llg.trace_arrays()
    t = trace["t"]

    def amplitude(mask):
        return np.sqrt(trace["My"][mask].var() + trace["Mz"][mask].var())

    return float(np.log(amplitude(t >= t[-1] - window) / amplitude(t <= t[0] + window)))


def with_current(s: PillarStack, j: float) -> PillarStack:
    return replace(s, electrodes=[replace(s.electrodes[0], current_density=j),
                                  s.electrodes[1]])
