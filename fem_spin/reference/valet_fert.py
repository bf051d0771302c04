"""The exact 1D solution of fem_spin's charge + spin transport model in a stack of layers.

Valet and Fert (Phys. Rev. B 48, 7099 (1993)) solve the collinear two-current model layer by
layer with exponentials and match them at the interfaces. This module does the same for the
model of :mod:`fem_spin.physics.charge` with non-collinear layers (no external field; the
field of the conduction spins is ``H = lam M``): in a layer of magnetization ``M`` (an axis for
a normal metal), with ``s = 1e9 sigma`` (gradients per nm):

    longitudinal  mu_par = p e^{-x/l} + q e^{-(L-x)/l},     l^2 = (1 - beta^2) D tau
    transverse    u = mu.e1 + i mu.e2 = r e^{-k x} + s e^{-k (L-x)},
                  k^2 = (1 + i tau_A lam)(1/tau + i lam) / D,  Re k > 0
    potential     phi = c - j x / s + beta mu_par
    currents      J_par = -s (1 - beta^2) mu_par' - beta j,  J_u = -s u' / (1 + i tau_A lam)

(``e1 x e2 = M``; ``mu_par = mu.M``). ``M`` is along the moment as everywhere in fem_spin: the
majority spin is along ``-M``, so ``beta``, ``gamma`` and ``G_i`` enter with the opposite sign
in this frame. Each exponential is normalised at the end where it is largest, so thick
layers stay well conditioned. Ends are spin reservoirs (``mu = 0``); the right end is at
``phi = 0`` and the current density ``j`` flows from left to right, so the resistance-area
product is ``phi(0) / j``. Junctions are transparent (``phi, mu, J`` continuous) or
interfaces with the laws of :func:`fem_spin.physics.charge.interface_currents`.

numpy only: an independent check of the finite-element solution, and the analytic curves of
the demos.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Junction", "Layer", "StackSolution", "solve_stack"]

NM_PER_M = 1e9


@dataclass(frozen=True)
class Layer:
    """A layer: thickness ``L`` (nm), ``sigma`` (S/m), ``beta``, ``D`` (nm^2/ps), ``tau``,
    ``tau_A`` (ps; None: ``tau``), ``lam`` (rad/ps) and the unit magnetization ``M`` (None: a
    normal metal)."""

    L: float
    sigma: float
    D: float
    tau: float
    beta: float = 0.0
    lam: float = 0.0
    tau_A: float | None = None
    M: Sequence[float] | None = None


@dataclass(frozen=True)
class Junction:
    """An interface: ``AR`` (Valet-Fert's AR*, Ohm m^2), ``gamma``, ``G_r``, ``G_i``
    (1/(Ohm m^2); None: ``G / 2``, ``0``), ``delta`` (interface spin flip) and the magnetization
    ``M`` of its magnetic side (None: normal/normal)."""

    AR: float
    gamma: float = 0.0
    G_r: float | None = None
    G_i: float = 0.0
    delta: float = 0.0
    M: Sequence[float] | None = None

    @property
    def G(self) -> float:
        return 1.0 / (self.AR * (1.0 - self.gamma**2))


def _frame(M):
    """``(e1, e2, M)`` with ``e1 x e2 = M``."""
    m = np.array([0.0, 0.0, 1.0]) if M is None else np.asarray(M, float) / np.linalg.norm(M)
    t = np.array([1.0, 0.0, 0.0]) if abs(m[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    e1 = t - (t @ m) * m
    e1 /= np.linalg.norm(e1)
    return e1, np.cross(m, e1), m


class _LayerBasis:
    """``state(x) = B(x) @ coeffs + j b(x)``: state (phi, mu (3), J (3)) at local ``x``;
    coefficients (c, p, q, Re r, Im r, Re s, Im s)."""

    def __init__(self, layer: Layer):
        self.layer = layer
        self.e1, self.e2, self.M = _frame(layer.M)
        self.s = NM_PER_M * layer.sigma
        self.b = -layer.beta  # the asymmetry along M (the majority spin is along -M)
        b, D, tau = self.b, layer.D, layer.tau
        tau_A = tau if layer.tau_A is None else layer.tau_A
        self.l_sf = np.sqrt((1 - b**2) * D * tau)
        self.a = tau_A * layer.lam
        k = np.sqrt((1 + 1j * self.a) * (1 / tau + 1j * layer.lam) / D + 0j)
        self.k = k if k.real > 0 else -k

    def matrix(self, x: float) -> tuple[np.ndarray, np.ndarray]:
        L, b, s, ls, k = self.layer.L, self.b, self.s, self.l_sf, self.k
        E1, E2 = np.exp(-x / ls), np.exp(-(L - x) / ls)
        par = np.array([0.0, E1, E2, 0, 0, 0, 0])
        dpar = np.array([0.0, -E1 / ls, E2 / ls, 0, 0, 0, 0])
        F1, F2 = np.exp(-k * x), np.exp(-k * (L - x))
        # u = (r_re + i r_im) F1 + (s_re + i s_im) F2, linear in the four real coefficients
        u = np.array([0, 0, 0, F1, 1j * F1, F2, 1j * F2])
        du = np.array([0, 0, 0, -k * F1, -1j * k * F1, k * F2, 1j * k * F2])
        Ju = -s * du / (1 + 1j * self.a)
        B = np.zeros((7, 7))
        c0 = np.zeros(7)
        B[0] = np.array([1.0, 0, 0, 0, 0, 0, 0]) + b * par
        c0[0] = -x / s
        mu = np.outer(self.M, par) + np.outer(self.e1, u.real) + np.outer(self.e2, u.imag)
        J = (np.outer(self.M, -s * (1 - b**2) * dpar) + np.outer(self.e1, Ju.real)
             + np.outer(self.e2, Ju.imag))
        B[1:4], B[4:7] = mu, J
        c0[4:7] = -b * self.M
        return B, c0


@dataclass
class StackSolution:
    """The solution for a current density ``j`` (A/m^2): ``phi``, ``mu`` (V), ``J`` (A/m^2)
    at any ``x`` (nm, from the left end), the resistance-area product ``AR`` (Ohm m^2) and
    the s-d torque per area on each layer (A/m^2, charge-current units)."""

    layers: list
    offsets: np.ndarray
    coeffs: np.ndarray
    j: float

    def state(self, x: float) -> np.ndarray:
        i = int(np.clip(np.searchsorted(self.offsets, x, side="right") - 1, 0,
                        len(self.layers) - 1))
        B, c0 = self.layers[i].matrix(x - self.offsets[i])
        return B @ self.coeffs[7 * i:7 * i + 7] + self.j * c0

    def phi(self, x):
        return np.array([self.state(xi)[0] for xi in np.atleast_1d(x)])

    def mu(self, x):
        return np.array([self.state(xi)[1:4] for xi in np.atleast_1d(x)])

    def J(self, x):
        return np.array([self.state(xi)[4:7] for xi in np.atleast_1d(x)])

    @property
    def AR(self) -> float:
        return float(self.state(0.0)[0] / self.j)

    def mean_mu(self, i: int) -> np.ndarray:
        """``int mu dx`` over layer ``i`` (V nm), exactly (integrals of the exponentials)."""
        lb = self.layers[i]
        c = self.coeffs[7 * i:7 * i + 7]
        L, ls, k = lb.layer.L, lb.l_sf, lb.k
        par = (c[1] + c[2]) * ls * -np.expm1(-L / ls)
        u = (c[3] + 1j * c[4] + c[5] + 1j * c[6]) * -np.expm1(-k * L) / k
        return par * lb.M + u.real * lb.e1 + u.imag * lb.e2

    def torque(self, i: int) -> np.ndarray:
        """The s-d torque per area on layer ``i``, ``int 1e9 sigma / D lam M x mu dx``
        (A/m^2, charge-current units)."""
        lb = self.layers[i]
        lay = lb.layer
        return NM_PER_M * lay.sigma / lay.D * lay.lam * np.cross(lb.M, self.mean_mu(i))


def solve_stack(layers: Sequence[Layer], junctions: Sequence[Junction | None],
                j: float = 1e11) -> StackSolution:
    """Solve the stack for the current density ``j`` (A/m^2, left to right); ``junctions[i]``
    joins layers ``i`` and ``i + 1`` (None: transparent)."""
    if len(junctions) != len(layers) - 1:
        raise ValueError("one junction (or None) between each pair of layers")
    basis = [_LayerBasis(lay) for lay in layers]
    n = 7 * len(layers)
    A, rhs = np.zeros((n, n)), np.zeros(n)
    row = 0

    def put(i, x, rows):
        B, c0 = basis[i].matrix(x)
        return B[rows], c0[rows]

    def add(blocks, const):
        nonlocal row
        k = next(iter(blocks.values())).shape[0]
        for i, blk in blocks.items():
            A[row:row + k, 7 * i:7 * i + 7] += blk
        rhs[row:row + k] -= j * const
        row += k

    # ends: mu = 0 at both, phi = 0 at the right
    B, c = put(0, 0.0, [1, 2, 3])
    add({0: B}, c)
    last = len(layers) - 1
    B, c = put(last, layers[-1].L, [0, 1, 2, 3])
    add({last: B}, c)
    for i, jn in enumerate(junctions):
        B1, c1 = basis[i].matrix(layers[i].L)
        B2, c2 = basis[i + 1].matrix(0.0)
        Z = np.zeros((7, 7))
        S1, S2 = np.hstack([B1, Z]), np.hstack([Z, B2])  # states on both sides (14 unknowns)
        blocks = lambda R: {i: R[:, :7], i + 1: R[:, 7:]}  # noqa: E731
        if jn is None:  # phi, mu, J continuous
            add(blocks(S1 - S2), c1 - c2)
            continue
        G = jn.G
        Gr = G / 2 if jn.G_r is None else jn.G_r
        Gsf = jn.delta**2 / jn.AR
        d, dc = S2[:4] - S1[:4], c2[:4] - c1[:4]  # the jumps [phi], [mu]
        if jn.M is None:
            jl, jlc = G * d[0], G * dc[0]
            JG, JGc = -G * d[1:4], -G * dc[1:4]
        else:
            Mi = -np.asarray(jn.M, float) / np.linalg.norm(jn.M)  # the majority axis -M
            P = np.eye(3) - np.outer(Mi, Mi)
            X = np.array([[0, -Mi[2], Mi[1]], [Mi[2], 0, -Mi[0]], [-Mi[1], Mi[0], 0]])
            jl = G * (d[0] - jn.gamma * Mi @ d[1:4])
            jlc = G * (dc[0] - jn.gamma * Mi @ dc[1:4])
            JG = (-G * np.outer(Mi, Mi @ d[1:4] - jn.gamma * d[0]) - 2 * Gr * P @ d[1:4]
                  - 2 * jn.G_i * X @ d[1:4])
            JGc = (-G * Mi * (Mi @ dc[1:4] - jn.gamma * dc[0]) - 2 * Gr * P @ dc[1:4]
                   - 2 * jn.G_i * X @ dc[1:4])
        add(blocks(jl[None, :]), np.array([1.0 + jlc]))  # j = -G([phi] - gamma M.[mu])
        # the spin current leaving side 1 and the one entering side 2
        add(blocks(S1[4:7] - JG - 0.5 * Gsf * S1[1:4]), c1[4:7] - JGc - 0.5 * Gsf * c1[1:4])
        add(blocks(S2[4:7] - JG + 0.5 * Gsf * S2[1:4]), c2[4:7] - JGc + 0.5 * Gsf * c2[1:4])
    if row != n:
        raise AssertionError(f"{row} conditions for {n} unknowns")
    coeffs = np.linalg.solve(A, rhs)
    offsets = np.concatenate([[0.0], np.cumsum([lay.L for lay in layers])[:-1]])
    return StackSolution(basis, offsets, coeffs, j)
