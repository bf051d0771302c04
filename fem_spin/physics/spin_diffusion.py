"""The spin-transport physics of fem_spin as pure UFL (no PETSc, gmsh or files here).

Equations follow ``shared/physics.md`` (S1) and the paper's numbering (Eq. 71-75).

Units (used everywhere in fem_spin): lengths in nm, times in ps. Hence
``D`` in nm^2/ps (1e-3 m^2/s = 1e3 nm^2/ps), ``tau`` in ps, the field ``H = H_ext + lambda M``
and its parts as precession angular frequencies in rad/ps (energy / hbar; an external field
``B_T`` in tesla enters as ``H_ext = -gamma_e B_T``), ``M`` the reduced
magnetization (|M| = 1 at saturation), ``m`` the spin accumulation in A/m (``gamma_e``
times the spin density; ``docs/units.md``: S1/S2 are linear in m, so the paper's
normalised m reads as A/m unchanged). With the paper's l_sf = 100 nm and
D = 1e3 nm^2/ps, tau = 10 ps and a = tau |H| = 100 means |H| = 10 rad/ps. Matrix entries are
then O(D h^(d-2)) and O(h^d / tau): well scaled for meshes of 0.01-100 nm.
"""

from __future__ import annotations

import ufl

__all__ = [
    "diffusion_tensor",
    "effective_field",
    "inverse_precession_matrix",
    "precession_matrix",
    "relaxation",
    "s1_local_terms",
    "s1_residual",
    "s2_residual",
    "sd_torque_density",
    "spin_current",
]


def _is_vector(tau) -> bool:
    return len(ufl.shape(tau)) == 1


def effective_field(H_ext, M, lam):
    """Local field seen by the conduction electrons, ``H = H_ext + lambda M`` (Eq. 74), a
    precession vector (rad/ps: ``d_t m = m x H`` without diffusion and relaxation).

    Args:
        H_ext: the external field as a precession vector (rad/ps), ``-gamma_e B`` for a field
            ``B`` in tesla (the paper's ``B``), a 3-vector UFL expression or ``None`` (zero).
        M: reduced magnetization, a 3-vector UFL expression or ``None`` (zero).
        lam: s-d coupling (rad/ps), UFL scalar.
    """
    terms = [t for t in (H_ext, None if M is None else lam * M) if t is not None]
    if not terms:
        return ufl.as_vector((0.0, 0.0, 0.0))
    return terms[0] if len(terms) == 1 else terms[0] + terms[1]


def precession_matrix(H, tau):
    """The matrix of Eq. 73, ``A^{kp} = delta^{kp} + tau_k eps^{kqp} H^q``.

    Args:
        H: effective field, 3-vector.
        tau: the time in A (ps), UFL scalar (all ``tau_k`` equal) or 3-vector ``tau_k``: the
            paper's spin relaxation time, or the transverse time ``tau_A`` of a
            :class:`~fem_spin.Material` (the momentum time of the moment equation behind
            Eq. 71, ``J / tau_A + H x J = -D / tau_A grad m``).
    """
    t = [tau[k] for k in range(3)] if _is_vector(tau) else [tau, tau, tau]
    return ufl.as_matrix(
        [
            [1, -t[0] * H[2], t[0] * H[1]],
            [t[1] * H[2], 1, -t[1] * H[0]],
            [-t[2] * H[1], t[2] * H[0], 1],
        ]
    )


def inverse_precession_matrix(H, tau):
    """``A^{-1}`` of Eq. 73.

    Equal times (``tau`` scalar): the closed form
    ``A^{-1} = (I - tau [H]_x + tau^2 H H^T) / (1 + tau^2 |H|^2)``, with ``[H]_x v = H x v``.
    Per-component times (``tau`` a 3-vector): the exact 3x3 inverse (adjugate / determinant).
    """
    if _is_vector(tau):
        return ufl.inv(precession_matrix(H, tau))
    h = tau * H
    cross_matrix = ufl.as_matrix([[0, -h[2], h[1]], [h[2], 0, -h[0]], [-h[1], h[0], 0]])
    return (ufl.Identity(3) - cross_matrix + ufl.outer(h, h)) / (1 + ufl.dot(h, h))


def diffusion_tensor(H, D, tau):
    """Spin-diffusion tensor ``Dt^{kp} = D_p (A^{-1})^{kp}`` (Eq. 72, no sum over p).

    Args:
        H: effective field (rad/ps).
        D: diffusion constant(s) (nm^2/ps), UFL scalar or 3-vector ``D_p``.
        tau: the time(s) in ``A(H)`` (ps), UFL scalar or 3-vector: ``tau_A`` (the paper:
            the relaxation time ``tau_k``).
    """
    Ainv = inverse_precession_matrix(H, tau)
    if not _is_vector(D):
        return D * Ainv
    return ufl.as_matrix([[Ainv[k, p] * D[p] for p in range(3)] for k in range(3)])


def spin_current(m, Dt):
    """Spin-current tensor ``J^{kj} = -Dt^{kp} d_j m^p`` (Eq. 71): rows spin, columns flow."""
    return -Dt * ufl.grad(m)


def relaxation(m, m_eq, tau):
    """Spin relaxation ``T^{-1} (m - m_eq)`` with ``T = diag(tau_k)`` (Eq. 66)."""
    dm = m - m_eq
    if not _is_vector(tau):
        return dm / tau
    return ufl.as_vector([dm[k] / tau[k] for k in range(3)])


def s1_residual(m, v, *, H, D, tau, m_eq, dx, flux_terms=(), tau_A=None, Dt=None,
                dx_diffusion=None):
    """Weak residual of the steady generalized spin-diffusion equation S1 (Eq. 75).

    Strong form: ``-d_l (Dt^{kp} d_l m^p) + (m^k - m_eq^k)/tau_k + (H x m)^k = 0``.
    Weak form (``g`` the spin current injected through a boundary part, ``g = -J n``):

        F(m; v) = int Dt grad(m) : grad(v) + (T^{-1}(m - m_eq) + H x m) . v dx
                  - sum_N int g . v ds_N

    Args:
        m, v: trial state and test function in [H^1]^3.
        H, D, tau, m_eq: UFL field, diffusion constant(s), relaxation time(s), equilibrium.
        dx: cell measure (carrying quadrature metadata).
        flux_terms: pairs ``(g, ds)`` of injected spin current and boundary measure.
        tau_A: the time in ``A(H)`` (Eq. 73; default ``tau``, the paper's choice).
        Dt: the diffusion tensor (nm^2/ps) if given, e.g. its values per cell (a DG0 Function
            of :func:`diffusion_tensor`); default :func:`diffusion_tensor` ``(H, D, tau_A)``.
        dx_diffusion: the measure of the diffusion term (default ``dx``; one point per cell
            is exact for a cell-constant ``Dt`` and P1 ``m``).
    """
    if Dt is None:
        Dt = diffusion_tensor(H, D, tau if tau_A is None else tau_A)
    F = ufl.inner(Dt * ufl.grad(m), ufl.grad(v)) * (dx if dx_diffusion is None else dx_diffusion)
    return F + s1_local_terms(m, v, H=H, tau=tau, m_eq=m_eq, dx=dx, flux_terms=flux_terms)


def s1_local_terms(m, v, *, H, tau, m_eq, dx, flux_terms=()):
    """The terms of S1's weak residual (Eq. 75, :func:`s1_residual`) other than diffusion:
    relaxation, precession and injected spin currents,

        int (T^{-1}(m - m_eq) + H x m) . v dx - sum_N int g . v ds_N

    (units of ``m``/ps times volume, as every term of :func:`s1_residual`).
    """
    F = ufl.inner(relaxation(m, m_eq, tau) + ufl.cross(H, m), v) * dx
    for g, ds in flux_terms:
        F -= ufl.inner(g, v) * ds
    return F


def sd_torque_density(M, m, lam):
    """s-d exchange torque density on the magnetization, ``lambda M x m`` (Eq. 79)."""
    return lam * ufl.cross(M, m)


def s2_residual(m, m_n, m_nm1, v, *, a, dt, theta, H, D, tau, m_eq, dx, flux_terms=(),
                tau_A=None):
    """Weak residual of one implicit step of S2.

    ``(a0 m + a1 m_n + a2 m_nm1) / dt`` approximates ``d_t m``; the S1 operator (Eq. 75,
    :func:`s1_residual`) is evaluated at ``m_theta = theta m + (1-theta) m_n``:

        F = int (a0 m + a1 m_n + a2 m_nm1)/dt . v dx + S1(m_theta; v)

    Args:
        m, m_n, m_nm1: unknown at t_{n+1} and the history at t_n, t_{n-1}.
        v: test function.
        a: the three coefficients (UFL scalars).
        dt, theta: step (ps) and weight (UFL scalars).
        H, D, tau, m_eq: field (at the time ``t_n + theta dt``), diffusion, relaxation times,
            equilibrium accumulation, as for S1.
        dx: cell measure; flux_terms: ``(g, ds)`` pairs of injected spin current.
    """
    a0, a1, a2 = a
    m_theta = theta * m + (1 - theta) * m_n
    F = ufl.inner((a0 * m + a1 * m_n + a2 * m_nm1) / dt, v) * dx
    return F + s1_residual(m_theta, v, H=H, D=D, tau=tau, m_eq=m_eq, dx=dx,
                           flux_terms=flux_terms, tau_A=tau_A)
