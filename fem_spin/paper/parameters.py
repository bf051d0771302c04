"""The paper's parameters (Sec. VI), defined once for the bilayer, the ring and the demos.

Units: lengths nm, times ps, ``D`` nm^2/ps, ``LAMBDA`` rad/ps (``H = LAMBDA M``).

* ``L_SF = sqrt(D tau) = 100`` nm, ``D = 1e-3 m^2/s = 1e3 nm^2/ps``, hence ``TAU = 10`` ps;
* ``A_MAX = tau |H| = 100`` in the saturated layers, hence ``LAMBDA = 10`` rad/ps;
* ``L_DA = 0.6`` nm, the paper's sharp interface (the width of |M| at a spacer or corner);
* the cell size of the demos' meshes: at most ``H_MAX = 0.3`` nm (21 cells per transverse
  wavelength ``2 pi l_sf / a = 6.28`` nm), ``l_da / 10`` at the spacer or a corner
  (:func:`interface_cell`), growing by ``GROWTH = 0.15`` times the distance to it.

The readings of ``shared/physics.md`` (what drives the accumulation) are
:data:`BILAYER_READINGS` and :data:`RING_READINGS`.
"""

from __future__ import annotations

from fem_spin.parameters.transport import Material
from fem_spin.physics import scales

__all__ = [
    "A_MAX",
    "BILAYER_READINGS",
    "GROWTH",
    "H_MAX",
    "LAMBDA",
    "L_DA",
    "L_SF",
    "RING_READINGS",
    "TAU",
    "WAVELENGTH",
    "D",
    "interface_cell",
    "material",
]

L_SF = 100.0  # spin-diffusion length (nm)
D = 1e3  # diffusion constant (nm^2/ps)
TAU = scales.relaxation_time(L_SF, D)  # spin-flip time (ps): 10 ps
A_MAX = 100.0  # a = tau |H| in the saturated layers
LAMBDA = A_MAX / TAU  # s-d coupling (rad/ps): H = lambda M
L_DA = 0.6  # the paper's sharp interface width (nm)
H_MAX = 0.3  # the demos' largest cell (nm)
GROWTH = 0.15  # growth of the cell size per unit distance from a spacer or corner

BILAYER_READINGS = {
    "i": "m_eq = 0; Dirichlet m(-L) = -z, m(L) = +n_R",
    "ii": "m_eq = -z (left), +n_R (right), unit; Dirichlet m = m_eq at the ends",
    "iii": "m_eq = -M (left), +M (right), |m_eq| = |M|; Dirichlet -z, +n_R at the ends",
}
"""The bilayer's readings of ``shared/physics.md`` (keys) and what each prescribes."""

RING_READINGS = {"ii": "m_eq = n_k (unit, along the side's axis)",
                 "iii": "m_eq = M (|m_eq| = |M|, zero at the corners)"}
"""The ring's readings (reading (i) needs electrodes, which a ring has not)."""


WAVELENGTH = scales.transverse_wavelength(L_SF, A_MAX)
"""The transverse wavelength ``2 pi l_sf / a`` of the saturated layers (nm): 6.28 nm."""


def interface_cell(l_da: float, h_max: float = H_MAX) -> float:
    """The cell size at a spacer or corner of interface width ``l_da``: ``min(h_max,
    l_da / 10)`` (seven cells across l_da = 0.6 nm, thirteen across 3 l_da)."""
    return min(h_max, l_da / 10)


def material(m0: float = 0.0, a_max: float = A_MAX) -> Material:
    """The paper's transport parameters (``l_sf``, ``D``, ``lambda = a_max / tau``) with
    ``m_eq = m0 M``."""
    return Material.from_spin_diffusion_length(l_sf=L_SF, D=D, lam=a_max / TAU, m0=m0)
