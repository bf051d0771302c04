"""The spin-wave dispersion of an extended film with exchange and magnetostatics: a 1D Bloch
problem across the thickness (:mod:`fem_spin.physics.film_waves`).

The film ``-d/2 < z < d/2`` (normal z) is an interval mesh; the in-plane wave vector ``k`` is
along x; the equilibrium ``M0`` is uniform, in the plane (at any angle to ``k``: ``M0 _|_ k``
Damon-Eshbach, ``M0 || k`` backward volume) or along the normal (forward volume). Unknowns:
the tangent amplitudes ``(alpha, beta)`` (``dM = alpha e1 + i beta e2``) in one P1/P2 space
and the magnetostatic potential ``p`` in a scalar one of one degree MORE (default): with equal
degrees the source ``(alpha, w')`` sees ``alpha`` only through the derivatives of the
potential's space (P0 for P1), whose complement gives charge-free spurious modes at
``omega_H`` and inside the backward-volume band (measured); the exterior is the exact Robin
term ``k p w`` at the surfaces (no air). The pencil ``A x = omega B x`` is real and symmetric with
real eigenvalues ``omega``; ``p`` is quasi-static and eliminated inside the shift-and-invert
solve (:func:`fem_spin.core.eigen.solve_reduced`, MUMPS), so a real shift ``sigma`` selects the
frequencies nearest to it. At ``k = 0`` the potential is pinned at one surface (it is defined
up to a constant there).

The static state: ``B_eff0 = B + B_loc(M0) - mu0 Ms (M0 . z) z`` (the film's static field,
exact for a uniform ``M0``), ``f0 = gamma M0 . B_eff0``; ``M0`` must be an equilibrium
(``M0 x B_eff0 = 0``). Gilbert damping enters to first order: the undamped mode's decay
rate ``Gamma = alpha omega (y, W y) / |(y, B y)|`` (``W = diag(M, M)``: from ``s W (I - alpha J)
y = J S y`` with the left eigenvector ``S y``; ``= alpha omega d omega / d omega_H``; circular
precession: ``alpha omega``), exact to O(alpha^2) relative.

Units: nm, 1/nm, T, A/m; frequencies rad/ps internally, GHz in :class:`FilmModes`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import basix.ufl
import dolfinx.fem as fem
import dolfinx.fem.petsc as fem_petsc
import dolfinx.mesh
import numpy as np
import ufl
from mpi4py import MPI
from petsc4py import PETSc

from fem_spin.core.eigen import solve_reduced
from fem_spin.core.fields import jit_options
from fem_spin.errors import InputError, SolverError
from fem_spin.parameters.magnet import Magnet
from fem_spin.physics.film_waves import (
    bloch_demag_coupling,
    bloch_mass,
    bloch_potential,
    bloch_stiffness,
)
from fem_spin.physics.scales import MU0

__all__ = ["FilmDispersion", "FilmModes", "film_basis"]

GHZ = 1e3 / (2 * np.pi)  # rad/ps -> GHz


def film_basis(M0) -> tuple[np.ndarray, np.ndarray]:
    """The tangent basis ``(e1, e2)`` of a uniform ``M0`` (unit; in the plane or along z) with
    ``e1 . x = 0``, ``e2 . z = 0`` and ``e2 = M0 x e1``: ``M0`` in the plane: ``e1 = z``;
    ``M0 = +-z``: ``e1 = +-y``, ``e2 = -x``."""
    m = np.asarray(M0, float)
    if abs(m[2]) < 1e-12:
        e1 = np.array([0.0, 0.0, 1.0])
    elif np.hypot(m[0], m[1]) < 1e-12:
        e1 = np.array([0.0, np.sign(m[2]), 0.0])
    else:
        raise InputError(f"the film dispersion needs M0 in the film plane or along its normal "
                         f"z, got M0 = {tuple(m)} (an oblique M0 has no real Bloch form)")
    return e1, np.cross(m, e1)


@dataclass
class FilmModes:
    """The modes of one wave number ``k`` (1/nm): ``omega`` (rad/ps, ascending, > 0), the
    Gilbert decay rates ``gamma_rate`` (rad/ps, first order in alpha), the profiles
    ``(alpha, beta)`` as Functions of the 2-component space and SLEPc's residuals."""

    k: float
    omega: np.ndarray
    gamma_rate: np.ndarray
    profiles: list = field(repr=False)
    errors: np.ndarray

    @property
    def frequency_GHz(self) -> np.ndarray:
        return self.omega * GHZ

    @property
    def linewidth_GHz(self) -> np.ndarray:
        """FWHM of the power spectrum, ``Gamma / pi``, in GHz."""
        return self.gamma_rate * 1e3 / np.pi


class FilmDispersion:
    """Spin waves of a film of thickness ``d`` (nm) along its thickness (see the module).

    Args:
        magnet: the film's :class:`~fem_spin.parameters.magnet.Magnet` (its ``K_u``/``K_d``
            allowed where they keep ``e1 . B_loc(e2) = 0``; the magnetostatics is computed,
            do not add the thin-film ``K_d`` on top).
        thickness: ``d`` (nm).
        M0: the uniform equilibrium direction (in the plane, or along z).
        B_T: the static external field (T), a 3-vector.
        cells: number of cells across the thickness; ``degree``: 1 or 2 (Lagrange) of
            ``dM``; ``potential_degree`` of ``p`` (default ``degree + 1``).
        comm: the MPI communicator of the interval mesh.
    """

    def __init__(self, magnet: Magnet, *, thickness: float, M0, B_T, cells: int = 16,
                 degree: int = 1, potential_degree: int | None = None, comm=MPI.COMM_WORLD,
                 equilibrium_tol: float = 1e-9):
        if not thickness > 0 or not (isinstance(cells, int) and cells > 0):
            raise InputError(f"the film needs a thickness > 0 (nm) and cells > 0, got "
                             f"thickness={thickness!r}, cells={cells!r}")
        pdeg = degree + 1 if potential_degree is None else potential_degree
        if degree not in (1, 2) or pdeg not in (1, 2, 3):
            raise InputError(f"degree must be 1 or 2 and potential_degree 1, 2 or 3, got "
                             f"{degree!r}, {potential_degree!r}")
        m = np.asarray(M0, float)
        if m.shape != (3,) or not np.linalg.norm(m) > 0:
            raise InputError(f"M0 must be a nonzero 3-vector, got {M0!r}")
        self.M0 = m = m / np.linalg.norm(m)
        self.B = B = np.asarray(B_T, float)
        self.magnet, self.d, self.comm = magnet, float(thickness), comm
        self.e1, self.e2 = e1, e2 = film_basis(m)
        mag = magnet

        def b_loc(v):  # the local field's linear part (T) for a direction v
            u, n = np.asarray(mag.easy_axis), np.asarray(mag.normal)
            return mag.anisotropy_field * (v @ u) * u - mag.hard_axis_field * (v @ n) * n

        self.mu0Ms = MU0 * mag.Ms
        W0 = B + b_loc(m) - self.mu0Ms * m[2] * np.array([0.0, 0.0, 1.0])
        scale = max(np.linalg.norm(W0), 1e-300)
        if np.linalg.norm(np.cross(m, W0)) > equilibrium_tol * scale:
            raise InputError(f"M0 = {tuple(m)} is not an equilibrium of the film: the static "
                             f"field B + B_K + B_d = {tuple(W0)} T is not along it; give B_T "
                             "along M0 (in the plane) or along the normal above mu0 Ms")
        if abs(e1 @ b_loc(e2)) > 1e-12 * max(abs(mag.anisotropy_field),
                                             abs(mag.hard_axis_field), 1e-300):
            raise InputError("the film dispersion needs anisotropy axes that do not couple "
                             "the two tangent components (easy axis or normal along M0, e1 = "
                             f"{tuple(e1)} or e2 = {tuple(e2)})")
        self.f0 = f0 = mag.gamma * float(m @ W0)
        self.stiff = [f0 - mag.gamma * float(e @ b_loc(e)) for e in (e1, e2)]
        if min(self.stiff) <= 0:
            raise InputError(f"the equilibrium M0 = {tuple(m)} is unstable (local stiffness "
                             f"{self.stiff} rad/ps): raise the field along M0")
        self.mesh = msh = dolfinx.mesh.create_interval(comm, cells, [-0.5 * self.d,
                                                                     0.5 * self.d])
        self.h = self.d / cells
        cell = msh.basix_cell()
        self.Vy = fem.functionspace(msh, basix.ufl.element("Lagrange", cell, degree, shape=(2,)))
        self.Vp = fem.functionspace(msh, basix.ufl.element("Lagrange", cell, pdeg))
        fdim = msh.topology.dim - 1
        ends = dolfinx.mesh.locate_entities_boundary(msh, fdim, lambda x: np.full(x.shape[1],
                                                                                  True))
        tags = dolfinx.mesh.meshtags(msh, fdim, np.sort(ends), np.ones(len(ends), np.int32))
        self._dx = ufl.Measure("dx", domain=msh)
        self._ds = ufl.Measure("ds", domain=msh, subdomain_data=tags)
        left = dolfinx.mesh.locate_entities_boundary(msh, fdim,
                                                     lambda x: np.isclose(x[0], -0.5 * self.d))
        dofs = fem.locate_dofs_topological(self.Vp, fdim, left)
        self._pin = fem.dirichletbc(PETSc.ScalarType(0.0), dofs, self.Vp)
        self._k = fem.Constant(msh, PETSc.ScalarType(0.0))
        self._forms = self._compile()

    def _compile(self):
        mag, k, dx, ds = self.magnet, self._k, self._dx, self._ds
        y, v = ufl.TrialFunction(self.Vy), ufl.TestFunction(self.Vy)
        p, w = ufl.TrialFunction(self.Vp), ufl.TestFunction(self.Vp)
        g = mag.gamma
        e1z, e2x = float(self.e1[2]), float(self.e2[0])
        forms = {
            "yy": bloch_stiffness(y, v, k=k, gamma=g, C_ex=mag.exchange_coefficient,
                                  stiff=self.stiff, dx=dx),
            "yp": bloch_demag_coupling(p, v, k=k, gamma=g, e1z=e1z, e2x=e2x, dx=dx),
            "py": bloch_demag_coupling(w, y, k=k, gamma=g, e1z=e1z, e2x=e2x, dx=dx),
            "pp": bloch_potential(p, w, k=k, gamma=g, Ms=mag.Ms, dx=dx, ds=ds),
            "mass": bloch_mass(y, v, dx=dx),
            "norm": ufl.inner(y, v) * dx,
        }
        return {key: fem.form(a, jit_options=jit_options()) for key, a in forms.items()}

    def pencil(self, k: float) -> tuple[PETSc.Mat, PETSc.Mat, PETSc.Mat]:
        """``(A, B, B_yy)`` at the wave number ``k`` (1/nm): the augmented pencil (rows and
        columns ``(alpha, beta)`` then ``p`` on each rank) and its magnetization block."""
        self._k.value = float(k)
        bcs = [self._pin] if k == 0.0 else []
        f = self._forms

        def matrix(form, diag=1.0):
            M = fem_petsc.assemble_matrix(form, bcs=bcs, diag=diag)
            M.assemble()
            return M

        A_yy, A_yp, A_py = matrix(f["yy"]), matrix(f["yp"]), matrix(f["py"])
        A_pp = matrix(f["pp"], diag=-MU0 * self.magnet.gamma / self.magnet.Ms)
        B_yy = matrix(f["mass"])
        B_pp = A_pp.duplicate()
        B_pp.zeroEntries()
        comm = A_yy.getComm()
        nests = (PETSc.Mat().createNest([[A_yy, A_yp], [A_py, A_pp]], comm=comm),
                 PETSc.Mat().createNest([[B_yy, None], [None, B_pp]], comm=comm))
        A, B = (N.convert("aij", PETSc.Mat()) for N in nests)
        for M in (*nests, A_yy, A_yp, A_py, A_pp, B_pp):
            M.destroy()
        return A, B, B_yy

    def solve(self, k: float, n: int = 1, *, sigma: float | None = None,
              tol: float = 1e-12) -> FilmModes:
        """The ``n`` modes of positive frequency nearest to the shift ``sigma`` (rad/ps; None:
        0, the lowest) at the wave number ``k >= 0`` (1/nm). With exchange the lowest is the
        n = 0 thickness mode; without it the Damon-Eshbach surface mode and the forward-volume
        n = 0 mode are the TOP of their bands (shift at or above ``gamma (B + mu0 Ms / 2)``,
        resp. ``sqrt(omega_i (omega_i + omega_M))``)."""
        if not (isinstance(n, int) and n > 0):
            raise InputError(f"the number of modes must be a positive integer, got {n!r}")
        if not (np.isfinite(k) and k >= 0):
            raise InputError(f"the wave number k must be >= 0 (1/nm), got {k!r}")
        sig = 0.0 if sigma is None else float(sigma)
        A, B, B_yy = self.pencil(k)
        # omega and -omega(-k) both appear: ask for enough to keep n positive ones
        pairs = solve_reduced(A, B, B_yy, nev=2 * n + 2, sigma=sig, tol=tol)
        w = pairs.values
        if np.max(np.abs(w.imag), initial=0.0) > 1e-6 * np.max(np.abs(w)):
            raise SolverError(f"complex frequencies in the film pencil: {w}")
        pos = [i for i in np.argsort(np.abs(w.real - sig)) if w[i].real > 0][:n]
        if len(pos) < n:
            raise SolverError(f"found {len(pos)} of {n} positive frequencies near {sig} rad/ps")
        pos = sorted(pos, key=lambda i: w[i].real)
        W = fem_petsc.assemble_matrix(self._forms["norm"])
        W.assemble()
        profiles, rates = [], []
        for i in pos:
            y = pairs.vectors[i][0]
            rates.append(self.magnet.alpha * w[i].real * _quadratic(W, y)
                         / abs(_quadratic(B_yy, y)))
            f = fem.Function(self.Vy)
            n_loc = len(f.x.petsc_vec.getArray())
            f.x.petsc_vec.getArray()[:] = y.getArray(readonly=True)[:n_loc]
            f.x.scatter_forward()
            profiles.append(f)
        for M in (A, B, B_yy, W):
            M.destroy()
        return FilmModes(float(k), np.array([w[i].real for i in pos]), np.array(rates),
                         profiles, pairs.errors[pos])

    def dispersion(self, ks, n: int = 1, *, sigma: float | None = None) -> np.ndarray:
        """``omega`` (rad/ps) of the ``n`` modes nearest to ``sigma`` at each ``k`` of ``ks``
        (1/nm): an array ``(len(ks), n)``."""
        return np.array([self.solve(float(k), n, sigma=sigma).omega for k in ks])


def _quadratic(M: PETSc.Mat, y: PETSc.Vec) -> float:
    """``y^T M y``."""
    My = M.createVecLeft()
    M.mult(y, My)
    value = My.dot(y)
    My.destroy()
    return float(value)
