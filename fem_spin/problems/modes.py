"""Spin-wave eigenmodes: the LLG linearized about an equilibrium, in a local tangent basis.

About an equilibrium ``M0`` of the LLG (:mod:`fem_spin.physics.spin_waves`), with the lumped
(vertex) mass ``L`` of :mod:`fem_spin.problems.llg`, ``dM = R y`` (:mod:`~.tangent`) and
``dM, dm ~ exp(s t)``, the 2N x 2N pencil (magnum.np's ``R^T [-gamma m0 x (C - h0 I)] R``
with Gilbert damping and the spin accumulation) is

    s W (I - alpha J) y = J R^T S R y + J R^T T dm            (T dm = (lam_M dm, v)_h)

with ``W`` the vertex volumes. Without a coupled accumulation (``dm = 0``) and without damping
the eigenvalues are ``s = +- i omega``; with damping ``s = -Gamma +- i omega``: frequency
``f = omega / 2 pi`` and decay rate ``Gamma`` (the linewidth, FWHM of the power spectrum, is
``Gamma / pi`` in frequency). A coupled spin accumulation adds rows and columns for ``dm``
(:mod:`fem_spin.problems.mode_coupling`): the pencil stays sparse and shift-and-invert (MUMPS)
solves it (:func:`fem_spin.core.eigen.solve_pencil`).

Further physics plugs in the same two ways: a local linear field ``B_lin(dM)`` as
``extra_stiffness`` (its static field into ``B_T``), and a field with its own unknowns ``x``
(the magnetostatic potential ``u``: ``lap u = div(Ms M)``, ``B_d = -mu0 grad u``) as a
``coupling`` object like :class:`~fem_spin.problems.mode_coupling.AccumulationCoupling`:
``blocks(modes)`` returns ``(A_yx, A_xy, A_xx, B_xx)``, the rows and columns of ``x`` in the
pencil (:func:`augment`), and ``dynamic`` says whether ``B_xx`` is a mass (else zero:
quasi-static); its ``static_field(modes, psi)``, where given, is the term of the equilibrium's
field in the projection ``(W0, psi)_h - ... + static_field = 0``
(:class:`~fem_spin.problems.mode_demag.DemagModeCoupling`). Several couplings (a sequence)
join the same pencil, e.g. magnetostatics and the spin accumulation: their fields do not act
on each other's equations (the accumulation's ``H`` holds the external field only), so the
off-diagonal blocks between two couplings are zero.

Units: frequencies in GHz, decay rates in 1/ns (rad/ps internally), fields T, lengths nm.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import dolfinx.fem as fem
import dolfinx.fem.petsc as fem_petsc
import numpy as np
import ufl
from dolfinx import la
from mpi4py import MPI
from petsc4py import PETSc

from fem_spin.core.eigen import solve_pencil, solve_reduced
from fem_spin.core.fields import as_vector_field, jit_options
from fem_spin.core.regions import as_magnets
from fem_spin.errors import InputError
from fem_spin.output import write_fields
from fem_spin.physics.magnetization import local_field
from fem_spin.physics.magnetostatics import MU0
from fem_spin.physics.spin_waves import precession_field, tangent_stiffness
from fem_spin.problems.llg import MagnetState
from fem_spin.problems.mode_iterative import (
    AUTO_ITERATIVE_SIZE,
    iterative_applies,
    solve_iterative,
)
from fem_spin.problems.tangent import TangentSpace

__all__ = ["ModeSet", "SpinWaveModes"]

log = logging.getLogger(__name__)

GHZ = 1e3 / (2 * np.pi)  # rad/ps -> GHz


@dataclass
class ModeSet:
    """Eigenmodes: ``s`` (rad/ps, complex: ``-Gamma + i omega``, ``omega >= 0``), the
    profiles ``dM = re + i im`` at the owned magnet vertices (``(n, 3)`` arrays, max |dM| = 1)
    and the SLEPc relative residuals."""

    s: np.ndarray
    profiles: list[tuple[np.ndarray, np.ndarray]] = field(repr=False)
    errors: np.ndarray

    @property
    def frequency_GHz(self) -> np.ndarray:
        return self.s.imag * GHZ

    @property
    def decay_rate_per_ns(self) -> np.ndarray:
        """``Gamma = -Re s`` in 1/ns (negative: the mode grows)."""
        return -self.s.real * 1e3

    @property
    def linewidth_GHz(self) -> np.ndarray:
        """FWHM of the power spectrum, ``Gamma / pi``, in GHz."""
        return -self.s.real * 1e3 / np.pi

    def as_rows(self) -> list[dict[str, float]]:
        return [{"mode": i, "frequency_GHz": float(f), "decay_rate_per_ns": float(g),
                 "linewidth_GHz": float(w), "residual": float(e)}
                for i, (f, g, w, e) in enumerate(zip(self.frequency_GHz, self.decay_rate_per_ns,
                                                     self.linewidth_GHz, self.errors))]


class SpinWaveModes:
    """Eigenmodes of the LLG about the equilibrium ``M0``.

    Args:
        mesh, magnets, cell_tags, M0: as for :class:`fem_spin.LLG` (``M0`` must be an
            equilibrium: relax it first, e.g. with ``LLG.solve_steady``).
        B_T: static external field (T): constant or Function/UFL.
        m0: the steady spin accumulation (A/m) at the equilibrium (Function/UFL) or None;
            with it, each magnet's ``lam_M`` is derived from ``lam`` (rad/ps) unless given.
        coupling: a field with unknowns of its own that responds linearly to ``dM``: the
            accumulation ``dm`` (:class:`fem_spin.problems.mode_coupling.AccumulationCoupling`),
            the magnetostatic potential (:class:`~fem_spin.problems.mode_demag.
            DemagModeCoupling`), a sequence of them, or None.
        extra_stiffness: ``f(dM, v, c, dx)`` -> a further bilinear form of ``S`` (rad/ps nm^3;
            ``c`` the magnets' coefficients, ``dx`` their vertex measure), e.g.
            ``-c.gamma * inner(B_lin(dM), v) * dx`` of a linear field; its static field goes
            into ``B_T``.
        equilibrium_tol: the largest relative torque ``max|M0 x F0| / max|F0|`` accepted.
    """

    def __init__(self, mesh, magnets, *, cell_tags=None, M0, B_T=None, m0=None, lam=None,
                 coupling=None, extra_stiffness=None, equilibrium_tol: float = 1e-6):
        if m0 is not None and lam is None and any(
                mag.lam_M is None for mag in as_magnets(magnets, cell_tags)[0].values()):
            raise InputError("the torque of the given spin accumulation m0 needs each Magnet's "
                             "lam_M (rad/ps per A/m), or the transport coupling lam=... "
                             "(rad/ps) to derive the spin-conserving one")
        lam_of = (lambda tag: None) if m0 is None or lam is None else (lambda tag: lam)
        self.mesh, self.comm = mesh, mesh.comm
        self.magnet = mg = MagnetState(mesh, magnets, cell_tags, M0, lam_of=lam_of)
        self.V = V = fem.functionspace(mesh, mg.element)
        mg.set_space(V)
        self.M0 = mg.M_pin
        self.B_T = None if B_T is None else as_vector_field(mesh, B_T, "B_T")
        self.m0 = None if m0 is None else as_vector_field(mesh, m0, "m0")
        self.couplings = _as_couplings(coupling)
        self.coupling = coupling
        c, dx, jit = mg.c, mg.dx, jit_options()
        psi = ufl.TestFunction(V)
        self.tangent = tg = TangentSpace(V, self.M0, mg.inside)
        # lumped vertex volumes and Gilbert damping
        w = self._lumped(ufl.inner(ufl.as_vector([1.0, 1.0, 1.0]), psi) * dx)
        self.weights = tg.at_vertices(w)[:, 0]
        alpha = tg.at_vertices(self._lumped(c.alpha * ufl.inner(ufl.as_vector([1.0] * 3), psi)
                                            * dx))[:, 0] / self.weights
        # static effective field W0 = B_eff(M0) (T) and precession field F0 (rad/ps)
        W0_form = (ufl.inner(local_field(self.M0, c, self.B_T), psi) * dx
                   - c.C_ex * ufl.inner(ufl.grad(self.M0), ufl.grad(psi)) * dx)
        for cpl in self.couplings:  # fields of their own unknowns (magnetostatics)
            if hasattr(cpl, "static_field"):
                W0_form -= cpl.static_field(self, psi)
        W0 = self._lumped(W0_form, w)
        F0 = self._lumped(ufl.inner(precession_field(W0, c, self.m0), psi) * dx, w)
        self.W0, self.F0 = W0, F0
        F = tg.at_vertices(F0)
        torque = self.comm.allreduce(float(np.max(np.linalg.norm(np.cross(tg.M0, F), axis=1),
                                                  initial=0.0)), op=MPI.MAX)
        scale = self.comm.allreduce(float(np.max(np.linalg.norm(F, axis=1), initial=0.0)),
                                    op=MPI.MAX)
        if torque > equilibrium_tol * max(scale, 1e-300):
            raise InputError(f"M0 is not an equilibrium: the torque |M0 x F0| is "
                             f"{torque:.3g} rad/ps against |F0| {scale:.3g} rad/ps (tolerance "
                             f"{equilibrium_tol:g}); relax it first (LLG.solve_steady)")
        dM = ufl.TrialFunction(V)
        f0 = ufl.dot(self.M0, F0)
        extra = None if extra_stiffness is None else extra_stiffness(dM, psi, c, dx)
        S = fem_petsc.assemble_matrix(fem.form(tangent_stiffness(dM, psi, c=c, f0=f0, dx=dx,
                                                                 extra=extra), jit_options=jit))
        S.assemble()
        SR = S.matMult(tg.R)
        self.A = tg.Q.transposeMatMult(SR)
        self.H = tg.R.transposeMatMult(SR)  # A = J H (Q^T = J R^T): the tangent Hessian
        self.B = tg.pencil_mass(self.weights, alpha)
        self._alpha = alpha
        self.gamma_mu0_Ms = float(np.max(self._lumped(c.gamma * MU0 * c.Ms * ufl.inner(
            ufl.as_vector([1.0] * 3), psi) * dx, w).x.array, initial=0.0))
        self.gamma_mu0_Ms = self.comm.allreduce(self.gamma_mu0_Ms, op=MPI.MAX)
        S.destroy()
        SR.destroy()
        self.B_yy = self.B
        if self.couplings:
            blocks = [c.blocks(self) for c in self.couplings]
            self.A, self.B = augment(self.A, self.B, blocks)
            dynamic = [b[3] for c, b in zip(self.couplings, blocks) if c.dynamic]
            if dynamic and len(dynamic) < len(blocks):  # the leading block of the reduced
                self.B_yy = _block_diagonal([self.B_yy, *dynamic])  # solve: y and these
        log.info("spin-wave modes: %d magnet vertices, pencil of size %d", tg.size,
                 self.A.getSize()[0])

    def _lumped(self, form, w: fem.Function | None = None) -> fem.Function:
        """The P1 vector Function of an assembled linear form (divided by the vertex volumes
        ``w`` where given and positive)."""
        f = fem.Function(self.V)
        b = fem.assemble_vector(fem.form(form, jit_options=jit_options()))
        b.scatter_reverse(la.InsertMode.add)
        f.x.array[:] = b.array
        if w is not None:
            inside = w.x.array > 0
            f.x.array[inside] /= w.x.array[inside]
            f.x.array[~inside] = 0.0
        f.x.scatter_forward()
        return f

    def solve(self, n: int = 6, *, sigma: float = 0.0, tol: float = 1e-10,
              options: dict | None = None, solver: str = "direct",
              stats=None) -> ModeSet:
        """The ``n`` modes nearest to the shift ``sigma`` (rad/ps; 0: the lowest frequencies):
        the oscillating ones (a conjugate pair counts once, ``omega > 0``) by frequency, then
        the non-oscillating ones (overdamped, or the accumulation's own) by ``|s|``.

        ``solver``: ``"direct"`` (shift-and-invert by MUMPS, any pencil), ``"iterative"``
        (:mod:`~.mode_iterative`: CG + GAMG on the symmetric Hessian, ``sigma = 0`` and a
        stable equilibrium only; far less memory on large meshes) or ``"auto"`` (iterative
        where it applies and the pencil has more than ``AUTO_ITERATIVE_SIZE`` unknowns);
        ``stats`` an :class:`~fem_spin.core.eigen_spd.InnerStats` to count its iterations."""
        if not (isinstance(n, int) and n > 0):
            raise InputError(f"the number of modes must be a positive integer, got {n!r}")
        if solver not in ("direct", "iterative", "auto"):
            raise InputError(f"solver must be 'direct', 'iterative' or 'auto', got {solver!r}")
        if solver == "auto":
            solver = ("iterative" if iterative_applies(self, sigma) is None
                      and self.A.getSize()[0] > AUTO_ITERATIVE_SIZE else "direct")
        if solver == "iterative":
            pairs = solve_iterative(self, nev=2 * n, sigma=sigma, tol=tol, stats=stats)
        elif not all(c.dynamic for c in self.couplings):  # quasi-static unknowns eliminated
            pairs = solve_reduced(self.A, self.B, self.B_yy, nev=2 * n, sigma=sigma, tol=tol)
        else:
            pairs = solve_pencil(self.A, self.B, nev=2 * n, sigma=sigma, tol=tol,
                                 options=options)
        v = pairs.values
        osc = sorted((i for i in range(len(v)) if v[i].imag > 1e-9 * abs(v[i])),
                     key=lambda i: v[i].imag)
        real = sorted((i for i in range(len(v)) if abs(v[i].imag) <= 1e-9 * abs(v[i])),
                      key=lambda i: abs(v[i]))
        keep = (osc + real)[:n]
        tg = self.tangent
        m = tg.n_local
        profiles = []
        for i in keep:
            vr, vi = pairs.vectors[i]
            re = tg.lift(_head(vr, 2 * m))
            im = tg.lift(_head(vi, 2 * m))
            z = re + 1j * im
            amp = np.linalg.norm(np.abs(z), axis=1)
            local = (float(np.max(amp)), _dominant(z[np.argmax(amp)])) if m else (0.0, 1.0)
            top, ref = max(self.comm.allgather(local), key=lambda a: a[0])
            z = z * (abs(ref) / ref) / max(top, 1e-300)
            profiles.append((z.real, z.imag))
        s = np.array([complex(pairs.values[i].real, abs(pairs.values[i].imag)) for i in keep])
        return ModeSet(s, profiles, pairs.errors[keep])

    def profile_functions(self, modes: ModeSet, i: int) -> tuple[fem.Function, fem.Function]:
        """Mode ``i`` as two P1 vector Functions ``(Re dM, Im dM)``."""
        re, im = modes.profiles[i]
        return (self.tangent.to_function(re, f"mode{i}_re"),
                self.tangent.to_function(im, f"mode{i}_im"))

    def write_vtx(self, path: str | Path, modes: ModeSet) -> Path:
        """Every mode's ``Re dM``, ``Im dM`` (named ``mode<i>_re``, ``mode<i>_im``) into one VTX
        folder, with ``M0``."""
        fs = [self.M0]
        for i in range(len(modes.s)):
            fs.extend(self.profile_functions(modes, i))
        return write_fields(self.comm, path, fs)


def augment(A: PETSc.Mat, B: PETSc.Mat, blocks) -> tuple[PETSc.Mat, PETSc.Mat]:
    """The pencil ``(A, B)`` of the tangent unknowns ``y`` bordered by the unknowns ``x_i`` of
    each coupling, ``blocks[i] = (A_yx, A_xy, A_xx, B_xx)``::

        [A     A_y1 A_y2 ...]      [B               ]
        [A_1y  A_11         ]      [     B_11       ]
        [A_2y       A_22    ]      [          B_22  ]

    as AIJ matrices (on each rank: its ``y`` rows first, then each ``x_i``'s)."""
    n = len(blocks)
    rows = [[A] + [b[0] for b in blocks]]
    for i, (_, A_xy, A_xx, _) in enumerate(blocks):
        rows.append([A_xy] + [A_xx if j == i else None for j in range(n)])
    nest = PETSc.Mat().createNest(rows, comm=A.getComm())
    A_full = nest.convert("aij", PETSc.Mat())
    nest.destroy()
    return A_full, _block_diagonal([B, *(b[3] for b in blocks)])


def _block_diagonal(mats) -> PETSc.Mat:
    """``diag(mats)`` as one AIJ matrix (the nest's ordering)."""
    n = len(mats)
    nest = PETSc.Mat().createNest([[m if i == j else None for j in range(n)]
                                   for i, m in enumerate(mats)], comm=mats[0].getComm())
    out = nest.convert("aij", PETSc.Mat())
    nest.destroy()
    return out


def _as_couplings(coupling) -> tuple:
    """``coupling`` (None, one coupling or a sequence) as a tuple, the dynamic ones first (the
    leading block of a reduced solve is ``y`` and the dynamic unknowns)."""
    if coupling is None:
        return ()
    cs = tuple(coupling) if isinstance(coupling, (list, tuple)) else (coupling,)
    return tuple(sorted(cs, key=lambda c: not c.dynamic))


def _dominant(z: np.ndarray) -> complex:
    """The largest component of the complex 3-vector ``z``, the first of those within 1e-6 of
    the largest (a circular mode has two equal ones: round-off must not pick its phase)."""
    a = np.abs(z)
    return complex(z[int(np.flatnonzero(a >= (1 - 1e-6) * a.max())[0])])


def _head(v: PETSc.Vec, n: int) -> PETSc.Vec:
    """The first ``n`` local entries of ``v`` (the tangent block of an augmented vector)."""
    if v.getLocalSize() == n:
        return v
    out = PETSc.Vec().createWithArray(v.getArray(readonly=True)[:n].copy(), comm=PETSc.COMM_SELF)
    return out
