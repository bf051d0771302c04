"""The paper's square ring (Sec. VI, Figs. 12-15) on a periodic 1D loop, as a function of its
parameters.

A closed loop of four sides of length L (:func:`fem_spin.geometry.periodic.square_ring`, corners
at arc length ``s = 0, L, 2L, 3L``); side k magnetized along ``n_k`` = z, -y, -z, +y
(:data:`fem_spin.textures.RING_AXES`, ``n_{k+1} = R_x(90 deg) n_k``) with
``|M| = tanh(d / l_da)``, d the distance to the nearest corner. A ring has no ends, so the
drive is a bulk equilibrium accumulation "normalized to one" (:data:`READINGS`):

* ``"ii"``: ``m_eq = n_k`` on side k (unit, jumps at the corners: a DG0 field);
* ``"iii"``: ``m_eq = M`` (``Material.m0 = 1``; zero at the corners).

(Reading (i) of ``shared/physics.md``, ``m_eq = 0`` with electrode data, has no electrodes
here: its solution is ``m = 0``.) The parameters are the paper's
(:mod:`fem_spin.paper.parameters`).

:func:`solve_ring` keeps every DOLFINx/PETSc object inside the call and returns numpy data
(:class:`RingProfile`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from mpi4py import MPI

from fem_spin.core.fields import region_function
from fem_spin.errors import InputError
from fem_spin.geometry.interval import stack_nodes
from fem_spin.geometry.periodic import SIDES, square_ring
from fem_spin.paper.parameters import (
    GROWTH,
    H_MAX,
    L_DA,
    WAVELENGTH,
    interface_cell,
    material,
)
from fem_spin.paper.parameters import RING_READINGS as READINGS
from fem_spin.problems.steady import SteadySpinDiffusion
from fem_spin.textures import RING_AXES, magnetization, ring_magnetization

__all__ = ["AXES", "LENGTHS", "READINGS", "RingProfile", "corner_picture", "length_scan",
           "ring_nodes", "ring_observables", "ring_picture", "scan_picture", "solve_ring",
           "symmetry_maps"]

log = logging.getLogger(__name__)

AXES = np.asarray(RING_AXES)
"""The side axes n_0..n_3 (4, 3)."""

LENGTHS = (10.0, 100.0, 1000.0)
"""The paper's side lengths (nm), Figs. 13-15."""


def ring_nodes(length: float, l_da: float = L_DA, h_max: float = H_MAX) -> np.ndarray:
    """Nodes of one side, on [0, length] (nm), refined to ``min(h_max, l_da / 10)`` at both
    corners and mirror-symmetric about the mid-side node (used for every side):
    :func:`fem_spin.geometry.interval.stack_nodes` of one layer graded at both ends."""
    return stack_nodes([length], h_max, interface_cell(l_da, h_max), growth=GROWTH,
                       graded_ends=True)


def symmetry_maps() -> tuple[np.ndarray, np.ndarray]:
    """``(R_side, R_mirror)``: ``m(s + L) = R_side m(s)`` with ``R_side = R_x(90 deg)``, and
    ``m(L - s) = R_mirror m(s)`` with ``R_mirror = R_z(pi)``."""
    r_side = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
    return r_side, np.diag([-1.0, -1.0, 1.0])


@dataclass(frozen=True)
class RingProfile:
    """A solved ring as numpy data (the same on every rank).

    Attributes:
        reading, length, l_da: the case (length = side L, nm).
        s: arc length (n,), nm, increasing over [0, 4L] (the node s = 0 repeated at 4L).
        m: spin accumulation (n, 3) at those points (the P2 nodes).
        dofs, reason: size of the problem and the SNES reason.
    """

    reading: str
    length: float
    l_da: float
    s: np.ndarray
    m: np.ndarray
    dofs: int = 0
    reason: str = ""

    @property
    def name(self) -> str:
        """File stem, e.g. ``ring_ii_L100_lda0.6``."""
        return f"ring_{self.reading}_L{self.length:g}_lda{self.l_da:g}"

    @property
    def axis(self) -> np.ndarray:
        """The local axis n_k (n, 3); a corner node belongs to the side that starts there."""
        side = np.minimum(np.floor(np.mod(self.s, 4 * self.length) / self.length), 3)
        return AXES[side.astype(int)]

    @property
    def m_eq(self) -> np.ndarray:
        """The equilibrium accumulation of the reading (n, 3)."""
        if self.reading == "ii":
            return self.axis
        t = np.mod(self.s, self.length)
        return np.tanh(np.minimum(t, self.length - t) / self.l_da)[:, None] * self.axis

    @property
    def m_perp(self) -> np.ndarray:
        """|m - (m . n_k) n_k| (n,)."""
        along = np.sum(self.m * self.axis, axis=1)
        return np.linalg.norm(self.m - along[:, None] * self.axis, axis=1)


def solve_ring(comm: MPI.Comm, reading: str, length: float, *, l_da: float = L_DA,
               h_max: float = H_MAX, degree: int = 2) -> RingProfile:
    """Build and solve one ring.

    Every DOLFINx/PETSc object is created and released inside this call (the solver is closed,
    a collective destroy, before it returns).

    Returns:
        :class:`RingProfile` with the values at the nodes of m's space, gathered on every rank
        and ordered by arc length.
    """
    if reading not in READINGS:
        raise InputError(f"the ring's reading must be one of {sorted(READINGS)}, got "
                         f"{reading!r} (reading (i) has no electrodes on a ring)")
    if not (length > 2 * l_da > 0 and h_max > 0):
        raise InputError(f"need side length > 2 l_da > 0 and h_max > 0 (nm), got L = {length!r},"
                         f" l_da = {l_da!r}, h_max = {h_max!r}")
    ring = square_ring(comm, length, ring_nodes(length, l_da, h_max))
    M = magnetization(ring.mesh, ring_magnetization(ring, length, l_da), degree=degree)
    tags = [ring.tags[name] for name in SIDES]
    mat = material(m0=1.0 if reading == "iii" else 0.0)
    m_eq = None  # reading (iii): m0 * M
    if reading == "ii":
        m_eq = region_function(ring.mesh, ring.cell_tags,
                               {t: AXES[k] for k, t in enumerate(tags)}, (3,), "m_eq")
    with SteadySpinDiffusion(ring.mesh, dict.fromkeys(tags, mat), cell_tags=ring.cell_tags,
                             M=M, m_eq=m_eq, degree=degree) as problem:
        info = problem.solve()  # the solver is closed on every rank together on exit

    V = problem.V
    owned = V.dofmap.index_map.size_local
    s_local = ring.arc_length(V.tabulate_dof_coordinates()[:owned].T)
    m_local = problem.m.x.array.reshape(-1, 3)[:owned]
    s = np.concatenate(comm.allgather(s_local))
    m = np.concatenate(comm.allgather(m_local))
    s = np.where(s > 4 * length * (1 - 1e-12), 0.0, s)  # the corner s = 0 seen as 4L
    order = np.argsort(s, kind="stable")
    s, m = s[order], m[order]
    return RingProfile(reading=reading, length=float(length), l_da=float(l_da),
                       s=np.append(s, 4 * length), m=np.vstack([m, m[:1]]),
                       dofs=V.dofmap.index_map.size_global * V.dofmap.index_map_bs,
                       reason=info.reason)


def ring_observables(p: RingProfile) -> dict:
    """Mid-side and corner values, peaks and means (over the loop) of |m|, |m - m_eq| and the
    transverse part |m_perp|."""
    L, s, m, m_eq = p.length, p.s, p.m, p.m_eq
    mid = [int(np.argmin(np.abs(s - (k + 0.5) * L))) for k in range(4)]
    corner = [int(np.argmin(np.abs(s - k * L))) for k in range(4)]
    along = np.sum(m * p.axis, axis=1)
    perp, dev, norm = p.m_perp, np.linalg.norm(m - m_eq, axis=1), np.linalg.norm(m, axis=1)

    def mean(f: np.ndarray) -> float:
        return float(np.trapezoid(f, s) / (4 * L))

    return {
        "mid_side_m_dot_n": float(np.mean(along[mid])),
        "mid_side_abs_m_minus_m_eq": max(float(dev[j]) for j in mid),
        "mid_side_m_perp": max(float(perp[j]) for j in mid),
        "corner_abs_m": float(np.mean(norm[corner])),
        "peak_m_perp": float(perp.max()),
        "peak_abs_m_minus_m_eq": float(dev.max()),
        "max_abs_m": float(norm.max()),
        "mean_abs_m": mean(norm),
        "mean_abs_m_minus_m_eq": mean(dev),
        "mean_m_perp": mean(perp),
    }


def length_scan(comm: MPI.Comm, readings, *, l_da: float = L_DA, h_max: float = H_MAX,
                degree: int = 2) -> dict:
    """Means and mid-side values against L: every 0.5 nm up to 150 nm, every 1 nm up to 400 nm
    (the oscillations in L have period 6.28 nm), then log-spaced up to 2000 nm."""
    lengths = np.concatenate([np.arange(2.0, 150.0, 0.5), np.arange(150.0, 400.0, 1.0),
                              np.geomspace(400.0, 2000.0, 8)])
    keys = ("mean_m_perp", "mean_abs_m_minus_m_eq", "mid_side_m_dot_n")
    out: dict = {"length_nm": lengths.tolist()}
    for r in readings:
        values = [ring_observables(solve_ring(comm, r, float(L), l_da=l_da, h_max=h_max,
                                              degree=degree))
                  for L in lengths]
        out[r] = {k: [v[k] for v in values] for k in keys}
    return out


# -- pictures (rank 0, numpy data only) ------------------------------------------------------


def ring_picture(path, reading: str, profiles: list[RingProfile]) -> None:
    """Like the paper's Figs. 12-15: the magnetization along one period, then the components
    of m (solid) and m_eq (dotted) against s / L, one row per side length."""
    from matplotlib.figure import Figure

    from fem_spin.plotting import profile_axes, save

    fig = Figure(figsize=(10, 2.1 * (len(profiles) + 1)), layout="constrained")
    axes = fig.subplots(len(profiles) + 1, 1, sharex=True)
    first = profiles[0]
    t = np.linspace(0, 4, 4001)
    texture = ring_magnetization(lambda x: x[0], 1.0, first.l_da / first.length)
    profile_axes(axes[0], t, texture(np.vstack([t, 0 * t, 0 * t])).T, symbol="M")
    axes[0].set_ylabel("$M$ (reduced)")
    axes[0].set_title(f"magnetization along one period (Fig. 12; $l_{{da}}/L$ = "
                      f"{first.l_da / first.length:g} here)", fontsize=9, loc="left")
    for ax, p in zip(axes[1:], profiles, strict=True):
        profile_axes(ax, p.s / p.length, p.m, m_eq=p.m_eq, legend=False)
        ax.set_ylabel("$m$")
        ax.set_title(f"L = {p.length:g} nm (dotted: $m_{{eq}}$)", fontsize=9, loc="left")
    for ax in axes:
        for k in range(5):
            ax.axvline(k, color="0.5", ls="--", lw=0.7)
    axes[-1].set_xlabel("arc length s / L (corners at 0, 1, 2, 3, 4)")
    axes[-1].set_xlim(0, 4)
    fig.suptitle(f"Square ring, reading ({reading}): {READINGS[reading]}", fontsize=10)
    save(fig, path, dpi=90)


def corner_picture(path, profiles: list[RingProfile]) -> None:
    """m near the corner s = L (from side 0, axis z, to side 1, axis -y), in nm."""
    from matplotlib.figure import Figure

    from fem_spin.plotting import profile_axes, save

    fig = Figure(figsize=(3.6 * len(profiles), 3.0), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(profiles)))
    for ax, p in zip(axes, profiles, strict=True):
        w = min(p.length / 2, 20.0)
        keep = np.abs(p.s - p.length) <= w
        profile_axes(ax, p.s[keep] - p.length, p.m[keep], m_eq=p.m_eq[keep],
                     legend=ax is axes[-1])
        ax.axvline(0.0, color="0.5", ls="--", lw=0.7)
        ax.set_xlabel("s - L (nm)")
        ax.set_title(f"({p.reading}), L = {p.length:g} nm", fontsize=9)
    axes[0].set_ylabel("m near the corner s = L")
    save(fig, path, dpi=90)


def scan_picture(path, scan: dict, cases: list[dict]) -> None:
    """The observables of :func:`length_scan` against L, one panel per reading, with the
    cases of the table (``cases``: rows with ``reading``, ``length_nm``, ``mean_m_perp``)."""
    from fem_spin.plotting import save, scan_figure

    L = np.asarray(scan["length_nm"])
    labels = {"mean_m_perp": r"mean $|m_\perp|$",
              "mean_abs_m_minus_m_eq": r"mean $|m - m_{eq}|$",
              "mid_side_m_dot_n": r"mid-side $m \cdot n$"}
    readings = [r for r in READINGS if r in scan]
    panels = [{labels[k]: np.asarray(v) for k, v in scan[r].items()} for r in readings]
    mine = [c for c in cases if c["reading"] == readings[0]]
    points = {r"the cases above (mean $|m_\perp|$)": (
        np.array([c["length_nm"] for c in mine]), np.array([c["mean_m_perp"] for c in mine]))}
    fig = scan_figure(L, panels, xlabel="side length L (nm)", ylabel="", logx=True,
                      panel_titles=[f"reading ({r})" for r in readings], points=points,
                      width=4.6, title="Square ring against its side length: oscillations of "
                      rf"period $2\pi l_{{sf}}/a$ = {WAVELENGTH:.2f} nm in L, "
                      r"relaxation to $m_{eq}$ for L $\gg l_{sf}$")
    save(fig, path, dpi=90)
