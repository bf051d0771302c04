"""Magnetization dynamics driven by a charge current: the LLG (S3) of the magnets with the s-d
torque of the spin accumulation that the current builds through a polarizing layer, N/F
interfaces and spacers (:class:`~fem_spin.problems.charge.ChargeSpinTransport`).

The accumulation is quasi-static: it relaxes in picoseconds (``tau``, and a spin crosses a
nanometre layer in ``L^2 / D`` ~ 1e-3 ps), the magnetization moves in hundreds. Before each LLG
step from ``t`` to ``t + dt`` the steady charge + spin problem is solved for the magnetization
extrapolated to the midpoint ``t + dt/2`` (from the last two states; normalised) and the
current at that time; the midpoint rule of the LLG then sees the accumulation of its own
midpoint to second order in ``dt``. The torque takes the accumulation's part transverse to
the magnetization it was solved for: the longitudinal part follows M instantly and exerts no
torque (with it, the lag of the extrapolation would act as a spurious damping). The torque
coupling ``lam_M`` of each magnet is derived from its region's ``lam`` so that spin is
conserved (``docs/units.md``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import dolfinx.fem as fem
import numpy as np
import ufl
from dolfinx import la

from fem_spin.core.fields import jit_options, unit_rows
from fem_spin.core.measures import vertex_measure
from fem_spin.core.regions import as_magnets
from fem_spin.errors import InputError
from fem_spin.parameters import GAMMA_E, Magnet, Material
from fem_spin.parameters.charge import Electrode, Interface
from fem_spin.problems.charge import ChargeSpinTransport
from fem_spin.problems.llg import LLG, spin_conserving_magnets

__all__ = ["ChargeDrivenLLG"]


class ChargeDrivenLLG(LLG):
    """The LLG of ``magnets`` driven by the current through ``electrodes``.

    Args:
        mesh, cell_tags, facet_tags: the device (regions tagged; interfaces and electrodes
            tagged facets).
        materials: ``{cell tag: Material}`` with ``sigma`` everywhere (as
            :class:`ChargeSpinTransport`).
        magnets: ``{cell tag: Magnet}``: the regions whose M moves; every other vertex keeps
            ``M0`` (a pinned polarizer).
        M0: initial magnetization.
        interfaces, electrodes: as :class:`ChargeSpinTransport`; the electrodes' currents and
            voltages are scaled by ``drive(t)``.
        drive: ``t (ps) -> scale``, default 1.
        B_T: a constant external field (T).
        petsc_options: for the LLG's Newton solver.
        demag: a :class:`fem_spin.Magnetostatics` of the magnets in their air (as
            :class:`LLG`); the device is then its ``submesh`` with its tags.
    """

    name = "charge-driven LLG"

    def __init__(self, mesh, materials: Mapping[int, Material], magnets: Mapping[int, Magnet],
                 *, cell_tags, facet_tags, M0, interfaces: Sequence[Interface] = (),
                 electrodes: Sequence[Electrode] = (), drive: Callable[[float], float] | None
                 = None, B_T=None, petsc_options: dict | None = None,
                 gamma_e: float = GAMMA_E, demag=None):
        magnets, cell_tags = as_magnets(magnets, cell_tags)
        missing = sorted(set(magnets) - set(materials))
        if missing:
            raise InputError(f"magnets {missing} have no Material (their s-d coupling lam sets "
                             "the torque)")
        magnets = spin_conserving_magnets(magnets, lambda tag: materials[tag].lam, gamma_e)
        if drive is not None and not callable(drive):
            raise InputError(f"drive must be a callable t (ps) -> scale, got {drive!r}")
        self.drive = drive
        V = fem.functionspace(mesh, ("Lagrange", 1, (3,)))
        self.m_accumulation = fem.Function(V, name="m")
        self.m_transverse = fem.Function(V, name="m_perp")  # the part that exerts the torque
        super().__init__(mesh, magnets, cell_tags=cell_tags, M0=M0, B_T=B_T,
                         m=self.m_transverse, petsc_options=petsc_options, demag=demag)
        self.M_transport = fem.Function(V, name="M_transport")
        self.M_transport.interpolate(self.M)
        self.transport = ChargeSpinTransport(
            mesh, materials, cell_tags=cell_tags, facet_tags=facet_tags, M=self.M_transport,
            B_T=B_T, interfaces=interfaces, electrodes=electrodes, gamma_e=gamma_e)
        # nodal values of m on the magnets from their own cells (lumped projection)
        dxv = vertex_measure(mesh, cell_tags)(tuple(magnets))
        v = ufl.TestFunction(V)
        self._m_form = fem.form(ufl.inner(self.transport.field("m"), v) * dxv,
                                jit_options=jit_options())
        weight = fem.assemble_vector(fem.form(ufl.inner(ufl.as_vector((1.0, 1.0, 1.0)), v)
                                              * dxv, jit_options=jit_options()))
        weight.scatter_reverse(la.InsertMode.add)
        weight.scatter_forward()
        self._weight = weight.array.copy()
        names = [e for e in electrodes]
        current = [e.tag for e in names if e.current_density is not None]
        voltage = [e.tag for e in names if e.voltage is not None]
        self._pair = (current[0], voltage[0]) if current else (
            (voltage[0], voltage[1]) if len(voltage) > 1 else None)
        mg = self.magnet
        Mn = self.u_n.sub(0)
        m = self.m_accumulation
        self._m_avg = [fem.form(m[k] * mg.dx, jit_options=jit_options()) for k in range(3)]
        torque = mg.c.lam_M * ufl.cross(Mn, m)
        self._torque_avg = [fem.form(torque[k] * mg.dx, jit_options=jit_options())
                            for k in range(3)]
        self._update_accumulation(0.0, 0.0)

    def set_drive(self, drive: Callable[[float], float] | None) -> None:
        """Replace the drive ``t (ps) -> scale`` of the electrodes (between runs)."""
        if drive is not None and not callable(drive):
            raise InputError(f"drive must be a callable t (ps) -> scale, got {drive!r}")
        self.drive = drive
        if self.dt_prev is None:  # at the start of a run: the accumulation of the new drive
            self._update_accumulation(self.t, 0.0)

    def reset(self) -> None:
        super().reset()
        self._update_accumulation(0.0, 0.0)

    def field(self, name: str, which: str = "n") -> fem.Function:
        """``"m"``: the spin accumulation (A/m) on the magnets' vertices of the last transport
        solve; otherwise the LLG's fields."""
        if name == "m":
            f = fem.Function(self.m_accumulation.function_space, name="m")
            f.x.array[:] = self.m_accumulation.x.array
            return f
        return super().field(name, which)

    def _midpoint_magnetization(self, dt: float) -> np.ndarray:
        M_n = self._sub_array("M")
        if self.dt_prev is None or dt == 0.0:
            return M_n
        M_nm1 = self._sub_array("M", self.u_nm1)
        return unit_rows((M_n + 0.5 * dt / self.dt_prev * (M_n - M_nm1)).reshape(-1, 3)).ravel()

    def _update_accumulation(self, t: float, dt: float) -> None:
        """Solve the charge + spin problem for M and the current at ``t + dt/2``; set m."""
        field = self.field("M")
        field.x.array[:] = self._midpoint_magnetization(dt)
        self.M_transport.interpolate(field)
        self.transport.update_magnetization()
        self.transport.set_drive(1.0 if self.drive is None else float(self.drive(t + dt / 2)))
        self.transport.solve()
        b = fem.assemble_vector(self._m_form)
        b.scatter_reverse(la.InsertMode.add)
        b.scatter_forward()
        m = self.m_accumulation.x.array
        m[:] = np.where(self._weight > 0, b.array / np.where(self._weight > 0, self._weight, 1),
                        0.0)
        # the torque: the accumulation transverse to the M it was solved for. Its part along M
        # follows M instantly (quasi-static) and exerts none; kept, it would turn a lag of the
        # step into a spurious (anti)damping of the precession (O(dt^2), large in AP).
        unit = unit_rows(self.M_transport.x.array.reshape(-1, 3))
        mv = m.reshape(-1, 3)
        self.m_transverse.x.array[:] = (mv - np.einsum("ij,ij->i", mv, unit)[:, None] * unit
                                        ).ravel()

    def _prepare(self, t: float, dt: float) -> None:
        super()._prepare(t, dt)
        self._update_accumulation(t, dt)

    def observe(self) -> dict[str, float]:
        """The LLG's averages and energy, the magnets' mean accumulation ``m`` (A/m) and s-d
        torque ``lam_M <M x m>`` (rad/ps), the resistance-area product (fOhm m^2) between the
        first current and the first voltage electrode, and the drive."""
        out = super().observe()
        comm = self.comm
        for k, c in enumerate("xyz"):
            out[f"m{c}"] = comm.allreduce(fem.assemble_scalar(self._m_avg[k])) / self._volume
            out[f"torque_{c}"] = (comm.allreduce(fem.assemble_scalar(self._torque_avg[k]))
                                  / self._volume)
        drive = 1.0 if self.drive is None else float(self.drive(self.t))
        if self._pair is not None:  # of the last transport solve (the last step's midpoint)
            zero = self.transport.electrode_current(self._pair[0]) == 0.0
            out["AR_fOhm_m2"] = np.nan if zero else self.transport.resistance_area(*self._pair)
        out["drive"] = drive
        return out

    def output_functions(self) -> list[fem.Function]:
        return [*super().output_functions(), self.m_accumulation]

    def _solvers(self) -> list:
        return [*super()._solvers(), self.transport]
