"""The coercivity margin of S1: the smallest eigenvalue of sym(Dt) that
``SteadySpinDiffusion.check_coercivity`` reports (and warns about when it is <= 0), against its
closed form.

Equal tau and D, uniform H (any direction, here H = B + lambda M with uniform M):
``Dt = D A^{-1}`` with ``A = I + tau [H]_x``, ``A^{-1} = (I - [h]_x + h h^T) / (1 + a^2)``,
``h = tau H``, ``a = |h|``; the cross-product part is antisymmetric, so
``sym(Dt) = D (I + h h^T) / (1 + a^2)``: eigenvalues ``D / (1 + a^2)`` (twice, across h) and
``D`` (along h). The smallest is ``D / (1 + a^2)`` > 0: never a warning, at any coupling.

Unequal ``tau = (tau_x, tau_y, tau_z)``, ``H = H z``: ``A`` is block diagonal,
``[[1, -tau_x H], [tau_y H, 1]]`` and 1, whose inverse block is
``[[1, tau_x H], [-tau_y H, 1]] / (1 + tau_x tau_y H^2)``. Its symmetric part has the
eigenvalues ``(1 -+ |tau_x - tau_y| H / 2) / (1 + tau_x tau_y H^2)``, the z one is 1: the margin
``D (1 - |tau_x - tau_y| H / 2) / (1 + tau_x tau_y H^2)`` turns negative (a warning) for
``H > 2 / |tau_x - tau_y|``.

``Dt`` is constant, so its DG0 interpolation (cell midpoints) is exact: the asserted
tolerance is round-off.
"""

import warnings

import dolfinx.mesh
import numpy as np
import pytest

import fem_spin as fs
from fem_spin.geometry.interval import layered_interval

D = 1e3  # nm^2/ps
RTOL = 1e-12


def mesh_of(comm, dim: int):
    if dim == 1:
        return layered_interval(comm, np.linspace(0.0, 100.0, 11), [("bulk", 100.0)]).mesh
    if dim == 2:
        return dolfinx.mesh.create_unit_square(comm, 3, 3)
    return dolfinx.mesh.create_unit_cube(comm, 2, 2, 2)


def no_coercivity_warning(make):
    with warnings.catch_warnings():
        warnings.simplefilter("error", fs.CoercivityWarning)
        return make()


@pytest.mark.parametrize("dim", [1, 2, 3])
@pytest.mark.parametrize("a", [0.0, 1.0, 10.0, 100.0])
def test_equal_tau_margin_is_d_over_1_plus_a2(comm, dim, a):
    """Uniform M (unit, along (0.36, 0.48, 0.8)), H = B + lambda M with B along another axis:
    the margin is D / (1 + a^2), a = tau |H|, to round-off."""
    tau = 10.0
    M = np.array([0.36, 0.48, 0.8])
    B_dir = np.array([2.0, -1.0, 2.0]) / 3.0
    H_dir = 0.8 * M + 0.6 * np.cross(M, B_dir) / np.linalg.norm(np.cross(M, B_dir))
    # |H| = a / tau with 80 % of the field from lambda M, the rest from B (a unit mix)
    lam = 0.8 * a / tau
    B = a / tau * H_dir - lam * M
    H = B + lam * M
    assert np.linalg.norm(H) * tau == pytest.approx(a, abs=1e-12)
    problem = no_coercivity_warning(lambda: fs.SteadySpinDiffusion(
        mesh_of(comm, dim), fs.Material(D=D, tau=tau, lam=lam), M=tuple(M), H_ext=tuple(B)))
    assert problem.check_coercivity() == pytest.approx(D / (1 + a**2), rel=RTOL)


@pytest.mark.parametrize("tau", [10.0, (10.0, 10.0, 10.0)])
def test_equal_tau_at_strong_coupling_does_not_warn(comm, tau):
    """a = 100 along z (tau as one number or three equal ones): D / (1 + 100^2) > 0."""
    problem = no_coercivity_warning(lambda: fs.SteadySpinDiffusion(
        mesh_of(comm, 1), fs.Material(D=D, tau=tau), H_ext=(0.0, 0.0, 10.0)))
    assert problem.check_coercivity() == pytest.approx(D / (1 + 100.0**2), rel=RTOL)


def unequal_tau_margin(tau, H: float) -> float:
    """The closed form of the module docstring (H along z)."""
    tx, ty, _ = tau
    return min(D * (1 - abs(tx - ty) * H / 2) / (1 + tx * ty * H**2), D)


TAU_UNEQUAL = (10.0, 1.0, 10.0)  # the margin changes sign at H = 2 / 9 rad/ps


@pytest.mark.parametrize("H", [0.01, 0.2])
def test_unequal_tau_below_the_threshold_does_not_warn(comm, H):
    """H = 0.01 and 0.2 rad/ps < 2/9: margins 954.0 and 71.4 nm^2/ps."""
    problem = no_coercivity_warning(lambda: fs.SteadySpinDiffusion(
        mesh_of(comm, 1), fs.Material(D=D, tau=TAU_UNEQUAL), H_ext=(0.0, 0.0, H)))
    expected = unequal_tau_margin(TAU_UNEQUAL, H)
    assert expected > 0
    assert problem.check_coercivity() == pytest.approx(expected, rel=RTOL)


@pytest.mark.parametrize("H", [0.25, 10.0])
def test_unequal_tau_above_the_threshold_warns(comm, H):
    """H = 0.25 and 10 rad/ps > 2/9 (a = tau_x |H| = 2.5, 100): sym(Dt) is indefinite, with the
    eigenvalue -76.9 and -44.0 nm^2/ps that the warning quotes."""
    expected = unequal_tau_margin(TAU_UNEQUAL, H)
    assert expected < 0
    with pytest.warns(fs.CoercivityWarning, match=r"symmetric part of the spin-diffusion tensor "
                                                  rf"has eigenvalue {expected:.3g} <= 0"):
        problem = fs.SteadySpinDiffusion(mesh_of(comm, 1), fs.Material(D=D, tau=TAU_UNEQUAL),
                                         H_ext=(0.0, 0.0, H))
    with pytest.warns(fs.CoercivityWarning):
        margin = problem.check_coercivity()
    assert margin == pytest.approx(expected, rel=RTOL)
