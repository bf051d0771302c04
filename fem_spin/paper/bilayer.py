"""The paper's CPP bilayer (Sec. VI, Figs. 5-11) as a function of its parameters.

Two ferromagnetic layers on ``[-L, 0]`` and ``[0, L]`` (nm) with a zero-thickness spacer at
``x = 0``; reduced magnetization ``M(x) = tanh(|x| / l_da) n(x)`` with the axis ``n = z`` on the
left and ``n_R = R_x(theta) z = (0, -sin theta, cos theta)`` on the right
(:func:`fem_spin.textures.bilayer_magnetization`). The paper normalizes the equilibrium spin
accumulation to -1 on the left and +1 on the right; ``shared/physics.md`` lists three readings
of what drives the accumulation, all supported here (:data:`READINGS`):

* ``"i"``: ``m_eq = 0`` in the bulk; Dirichlet data ``m(-L) = -z``, ``m(L) = +n_R`` (electrodes).
* ``"ii"``: ``m_eq = s(x) n(x)``, the local unit axis with the sign ``s = -1`` left, ``+1``
  right (discontinuous at the spacer: a DG0 field); the same Dirichlet data at the ends.
* ``"iii"``: ``m_eq = s(x) M(x)``, proportional to M including its magnitude (so it falls to
  zero at the spacer with |M|; per-layer ``Material.m0 = -1, +1``); the same Dirichlet data.

Ends, readings (ii) and (iii): the paper states that "the transverse components of the spin
accumulation are set to zero at the outer ends" and that the equilibrium accumulation is -1 / +1
there. Dirichlet data ``m = m_eq`` at the ends (``-z``, ``+n_R``: reservoirs in equilibrium)
satisfy both statements; zero-flux ends would leave the transverse components free, against
the first. (For (iii), ``m_eq(+-L) = +-tanh(L / l_da) n``, which differs from the end data by
less than ``2 exp(-2 L / l_da)``: 4e-9 for ``L / l_da >= 10``.)

Everything DOLFINx lives inside :func:`solve_bilayer`, which returns numpy data only
(:class:`BilayerProfile`): PETSc objects are destroyed collectively, so they must not outlive
the call on one rank only. :func:`build_bilayer` returns the DOLFINx objects for callers that
need more than the profile: they should close the problem (``with problem:`` or
``problem.close()``) on every rank together before anything rank-specific such as drawing.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import dolfinx.fem as fem
import numpy as np
from mpi4py import MPI

from fem_spin.core.fields import region_function
from fem_spin.errors import InputError
from fem_spin.geometry.interval import Geometry, layered_interval, stack_nodes
from fem_spin.observables.sampling import sample_line
from fem_spin.paper.parameters import (
    A_MAX,
    GROWTH,
    H_MAX,
    L_DA,
    L_SF,
    LAMBDA,
    TAU,
    WAVELENGTH,
    D,
    interface_cell,
    material,
)
from fem_spin.paper.parameters import BILAYER_READINGS as READINGS
from fem_spin.parameters.transport import Dirichlet
from fem_spin.problems.steady import SteadySpinDiffusion
from fem_spin.textures import bilayer_axis_right, bilayer_magnetization

__all__ = [
    "A_MAX",
    "CASE_FILES",
    "LAMBDA",
    "L_SF",
    "READINGS",
    "TAU",
    "BilayerCase",
    "BilayerProfile",
    "D",
    "bisector_rotation",
    "build_bilayer",
    "case_overrides",
    "equilibrium",
    "local_axis",
    "solve_bilayer",
    "transverse",
    "WAVELENGTH",
]

log = logging.getLogger(__name__)

@dataclass(frozen=True, kw_only=True)
class BilayerCase:
    """One bilayer configuration.

    Attributes:
        theta: angle of the right layer's axis to the left one (degrees).
        length: layer length L (nm); the bilayer spans ``[-L, L]``.
        l_da: interface width of |M| at the spacer (nm); 0.6 the paper's sharp interface.
        reading: ``"i"``, ``"ii"`` or ``"iii"`` (:data:`READINGS`).
    """

    theta: float
    length: float = 100.0
    l_da: float = L_DA
    reading: str = "i"

    def __post_init__(self) -> None:
        if self.reading not in READINGS:
            raise InputError(f"reading must be one of {sorted(READINGS)}, got {self.reading!r}")
        if not np.isfinite(self.theta):
            raise InputError(f"theta must be a finite angle (degrees), got {self.theta!r}")
        for name in ("length", "l_da"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value > 0):
                raise InputError(f"{name} must be positive (nm), got {value!r}")

    @property
    def name(self) -> str:
        """File stem naming the parameters, e.g. ``bilayer_ii_L100_lda0.6_theta90``."""
        stem = (f"bilayer_{self.reading}_L{self.length:g}_lda{self.l_da:g}"
                f"_theta{self.theta:g}")
        return re.sub(r"[^A-Za-z0-9_.+-]", "_", stem)

    @property
    def n_right(self) -> np.ndarray:
        """The right layer's axis ``n_R``."""
        return bilayer_axis_right(np.deg2rad(self.theta))

    def nodes(self, h_max: float = H_MAX) -> np.ndarray:
        """The mesh nodes on [-L, L] (nm), graded towards the spacer and mirror-symmetric
        (:func:`fem_spin.geometry.interval.stack_nodes` of the two layers): the cell size is
        ``min(h_max, l_da / 10)`` at the spacer, growing by 0.15 times the distance to it up
        to ``h_max``. The mirror symmetry of the mesh keeps that of
        :func:`bisector_rotation` in the discrete problem."""
        return stack_nodes([self.length, self.length], h_max, interface_cell(self.l_da, h_max),
                           x0=-self.length, growth=GROWTH)


CASE_FILES = {"i": "cpp_bilayer", "ii": "bilayer_reading_ii", "iii": "bilayer_reading_iii"}
"""The example case file (``examples/<name>.toml``) of each reading: the bilayer with
``theta = 90`` deg, ``L = 100`` nm, ``l_da = 0.6`` nm, meshed as :meth:`BilayerCase.nodes`."""


def case_overrides(case: BilayerCase, *, h_max: float = H_MAX, degree: int = 2,
                   samples: int = 4001) -> list[str]:
    """The ``--set`` overrides that make the case file :data:`CASE_FILES` ``[case.reading]``
    this ``case``: its angle, layer length, interface width, the mesh of
    :meth:`BilayerCase.nodes` (``geometry.mesher = "graded"``), the degree of m and the line
    profile ``profile`` of ``samples`` points on [-L, L]. Floats are written exactly
    (``repr``)."""
    L, theta = float(case.length), float(case.theta)
    sets = [*(f"geometry.layers.{i}.thickness={L!r}" for i in (0, 1)),
            f"geometry.x0={-L!r}", f"geometry.h_max={float(h_max)!r}",
            f"geometry.h_interface={case.l_da / 10!r}", f"magnetization.l_da={case.l_da!r}",
            f"magnetization.axes.fm_right={{ theta_deg = {theta!r} }}",
            f"solver.degree={int(degree)}", f"outputs.lines.0.points=[[{-L!r}], [{L!r}]]",
            f"outputs.lines.0.samples={int(samples)}"]
    if case.reading != "ii":  # (ii) holds the ends at the local axis ("axis") already
        sets.append(f"drive.dirichlet.1.value={{ theta_deg = {theta!r} }}")
    return sets


def bisector_rotation(theta: float) -> np.ndarray:
    """The rotation by pi about ``b = R_x(theta/2) z`` (theta in rad), which swaps z and
    ``n_R(theta)``. In every reading ``m(x) = -R m(-x)``."""
    b = np.array([0.0, -np.sin(theta / 2), np.cos(theta / 2)])
    return 2.0 * np.outer(b, b) - np.eye(3)


def local_axis(x: np.ndarray, n_right: np.ndarray) -> np.ndarray:
    """The layer axis ``n(x)`` (n, 3): z for x < 0, ``n_right`` for x >= 0."""
    return np.where((np.asarray(x) < 0)[:, None], np.array([0.0, 0.0, 1.0]), n_right)


def transverse(x: np.ndarray, m: np.ndarray, n_right: np.ndarray) -> np.ndarray:
    """|m_perp| = |m - (m . n) n| at the points x (n,) for the values m (n, 3), relative to the
    local axis n(x)."""
    axis = local_axis(x, n_right)
    along = np.sum(m * axis, axis=1)
    return np.linalg.norm(m - along[:, None] * axis, axis=1)


def equilibrium(case: BilayerCase, x: np.ndarray) -> np.ndarray:
    """``m_eq`` (n, 3) of ``case``'s reading at the points x (numpy; for plots and tables)."""
    x = np.asarray(x, dtype=float)
    if case.reading == "i":
        return np.zeros((len(x), 3))
    sign = np.where(x < 0, -1.0, 1.0)[:, None]
    size = 1.0 if case.reading == "ii" else np.tanh(np.abs(x) / case.l_da)[:, None]
    return sign * size * local_axis(x, case.n_right)


def build_bilayer(comm: MPI.Comm, case: BilayerCase, *, h_max: float = H_MAX,
                  degree: int = 2) -> tuple[Geometry, SteadySpinDiffusion]:
    """The mesh and the (unsolved) S1 problem of ``case``.

    Returns:
        ``(geometry, problem)``; the geometry's cell tags ``"left"``/``"right"`` are the layers.
    """
    if not h_max > 0:
        raise InputError(f"h_max must be positive (nm), got {h_max!r}")
    theta, n_right = np.deg2rad(case.theta), case.n_right
    nodes = case.nodes(h_max)
    geo = layered_interval(comm, nodes, [("left", 0.0), ("right", case.length)])
    left, right = geo.tags["left"], geo.tags["right"]

    # |M| = 0 at the spacer node, so M is continuous: interpolate it into the space of m.
    VM = fem.functionspace(geo.mesh, ("Lagrange", degree, (3,)))
    M = fem.Function(VM, name="M")
    M.interpolate(bilayer_magnetization(theta, case.l_da))

    m0 = {"i": (0.0, 0.0), "ii": (0.0, 0.0), "iii": (-1.0, 1.0)}[case.reading]
    materials = {tag: material(m0=s) for tag, s in zip((left, right), m0, strict=True)}
    if case.reading == "i":
        m_eq = (0.0, 0.0, 0.0)
    elif case.reading == "ii":
        m_eq = region_function(geo.mesh, geo.cell_tags, {left: (0.0, 0.0, -1.0),
                                                         right: tuple(n_right)}, (3,), "m_eq")
    else:
        m_eq = None  # m0 * M per layer
    problem = SteadySpinDiffusion(
        geo.mesh, materials, cell_tags=geo.cell_tags, facet_tags=geo.facet_tags, M=M,
        m_eq=m_eq,
        dirichlet=[Dirichlet(geo.tags["left"], (0.0, 0.0, -1.0)),
                   Dirichlet(geo.tags["right"], tuple(n_right))],
        degree=degree,
    )
    return geo, problem


@dataclass(frozen=True)
class BilayerProfile:
    """A solved case as numpy data (the same on every rank).

    Attributes:
        case: the configuration.
        x: sample points (n,), nm, equispaced on ``[-L, L]``.
        m: spin accumulation (n, 3) in the global (left-layer) frame.
        solve: SNES reason, iterations, seconds; mesh: cells, dofs, h_min, h_max, degree.
    """

    case: BilayerCase
    x: np.ndarray
    m: np.ndarray
    solve: dict = field(default_factory=dict)
    mesh: dict = field(default_factory=dict)

    @property
    def m_eq(self) -> np.ndarray:
        return equilibrium(self.case, self.x)

    @property
    def m_perp(self) -> np.ndarray:
        """|m_perp| relative to the local axis (n,)."""
        return transverse(self.x, self.m, self.case.n_right)

    def peaks(self) -> dict:
        """Peak transverse accumulation and other numbers of the summary table."""
        perp = self.m_perp
        i = int(np.nanargmax(perp))
        mid = int(np.argmin(np.abs(self.x)))
        return {
            "peak_m_perp": float(perp[i]),
            "peak_m_perp_x_nm": float(self.x[i]),
            "rms_m_perp": float(np.sqrt(np.trapezoid(perp**2, self.x)
                                        / (self.x[-1] - self.x[0]))),
            "max_abs_mx": float(np.nanmax(np.abs(self.m[:, 0]))),
            "max_abs_my": float(np.nanmax(np.abs(self.m[:, 1]))),
            "max_abs_mz": float(np.nanmax(np.abs(self.m[:, 2]))),
            "max_abs_m": float(np.nanmax(np.linalg.norm(self.m, axis=1))),
            "max_abs_m_minus_m_eq": float(np.nanmax(np.linalg.norm(self.m - self.m_eq, axis=1))),
            "m_spacer": [float(c) for c in self.m[mid]],
        }


def solve_bilayer(comm: MPI.Comm, case: BilayerCase, *, h_max: float = H_MAX, degree: int = 2,
                  samples: int = 4001) -> BilayerProfile:
    """Solve ``case`` and sample ``m`` at ``samples`` equispaced points of ``[-L, L]``.

    Every DOLFINx/PETSc object is created and released inside this call: the solver is closed
    (a collective destroy) before it returns, on every rank together.

    Returns:
        :class:`BilayerProfile` (numpy data only, the same on every rank).
    """
    if not (isinstance(samples, int) and samples >= 3):
        raise InputError(f"samples must be an integer >= 3, got {samples!r}")
    _, problem = build_bilayer(comm, case, h_max=h_max, degree=degree)
    with problem:  # closes the PETSc solver on every rank together
        info = problem.solve()
        _, points, m = sample_line(problem.m, (-case.length,), (case.length,), samples)
    imap = problem.V.dofmap.index_map
    h = np.diff(case.nodes(h_max))
    return BilayerProfile(
        case=case, x=points[:, 0].copy(), m=m,
        solve={"reason": info.reason, "newton_iterations": info.newton_iterations,
               "seconds": comm.allreduce(info.seconds, op=MPI.MAX)},
        mesh={"degree": degree, "h_max_nm": h_max, "h_min_nm": float(h.min()),
              "cells": len(h), "dofs": imap.size_global * problem.V.dofmap.index_map_bs},
    )
