"""Rotational covariance of S1 (equal tau_k, D_p): rotating H, m_eq and the boundary data by R
rotates the solution by R, exactly (Dt(R H) = R Dt(H) R^T pointwise)."""

import numpy as np
import pytest
import ufl

import fem_spin as fs
from fem_spin.observables.sampling import l2_norm
from tests.helpers.mms import DIRICHLET_ALL, DIRICHLET_Z, FLUX, box_mesh, manufactured


def rotation(axis, angle) -> np.ndarray:
    k = np.asarray(axis, float) / np.linalg.norm(axis)
    K = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + np.sin(angle) * K + (1 - np.cos(angle)) * K @ K


def solve_rotated(mesh, facet_tags, R, material):
    x = ufl.SpatialCoordinate(mesh)
    dim = mesh.geometry.dim
    m_data, H = manufactured(x, dim, a=8.0, tau=1.0)
    Rm = ufl.as_matrix(R.tolist())
    m_eq = ufl.as_vector((x[1], 0.5 - x[0] * x[1], ufl.cos(x[0])))
    flux = ufl.as_vector((0.3, -x[0], x[1] ** 2))
    problem = fs.SteadySpinDiffusion(
        mesh, material, facet_tags=facet_tags,
        H_ext=Rm * (0.4 * H), M=Rm * H, m_eq=Rm * m_eq,  # H_total = 0.4 H + lam H, lam = 0.6
        dirichlet=[fs.Dirichlet(DIRICHLET_ALL, Rm * m_data)],
        flux=[fs.Flux(FLUX, Rm * flux), fs.Flux(DIRICHLET_Z, -(Rm * flux))],
        degree=2)
    problem.solve()
    return problem


@pytest.mark.parametrize("dim", [2, 3])
def test_rotation_covariance(comm, dim):
    mesh, facet_tags = box_mesh(comm, dim, 8 if dim == 2 else 3)
    R = rotation((1.0, 2.0, 3.0), 0.7)
    iso = fs.Material(D=2.0, tau=1.0, lam=0.6)
    base = solve_rotated(mesh, facet_tags, np.eye(3), iso)
    turned = solve_rotated(mesh, facet_tags, R, iso)
    Rm = ufl.as_matrix(R.tolist())
    scale = l2_norm(comm, base.m, base.dx)
    assert scale > 0.1
    assert l2_norm(comm, turned.m - Rm * base.m, base.dx) / scale < 1e-10

    # Control: with unequal tau_k the operator singles out axes and covariance is lost (at
    # this coupling, a ~ 8, the unequal times also cost coercivity: that must be reported).
    aniso = fs.Material(D=2.0, tau=(1.0, 0.5, 1.5), lam=0.6)
    with pytest.warns(fs.CoercivityWarning):
        base = solve_rotated(mesh, facet_tags, np.eye(3), aniso)
    with pytest.warns(fs.CoercivityWarning):
        turned = solve_rotated(mesh, facet_tags, R, aniso)
    assert l2_norm(comm, turned.m - Rm * base.m, base.dx) / scale > 1e-2
