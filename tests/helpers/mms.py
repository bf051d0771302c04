"""Manufactured solutions for S1 in 2D and 3D with a non-uniform field H(x)."""

from __future__ import annotations

import dolfinx.mesh
import numpy as np
import ufl
from mpi4py import MPI

import fem_spin as fs
from fem_spin import physics
from fem_spin.observables.sampling import l2_norm

# facet tags of the unit square / cube
DIRICHLET_ALL, DIRICHLET_Z, FLUX = 1, 2, 3
QEXTRA = 2


def box_mesh(comm: MPI.Comm, dim: int, n: int):
    """Unit square/cube; facets tagged x = 0 (all components Dirichlet), x = 1 (m_z Dirichlet,
    spin current on m_x, m_y), elsewhere spin current (flux)."""
    if dim == 2:
        mesh = dolfinx.mesh.create_unit_square(comm, n, n)
    else:
        mesh = dolfinx.mesh.create_unit_cube(comm, n, n, n)
    fdim = dim - 1
    mesh.topology.create_connectivity(fdim, dim)
    facets = dolfinx.mesh.exterior_facet_indices(mesh.topology)
    mid = dolfinx.mesh.compute_midpoints(mesh, fdim, facets)
    values = np.full(len(facets), FLUX, dtype=np.int32)
    values[np.isclose(mid[:, 0], 0.0)] = DIRICHLET_ALL
    values[np.isclose(mid[:, 0], 1.0)] = DIRICHLET_Z
    return mesh, dolfinx.mesh.meshtags(mesh, fdim, facets, values)


def manufactured(x, dim: int, a: float, tau):
    """Exact m, field direction (all components varying) and magnitude a/tau_0 (1 + x y)/2."""
    y = x[1]
    z = x[2] if dim == 3 else 0.5 * x[0] * x[1]
    pi = ufl.pi
    m = ufl.as_vector((ufl.sin(pi * x[0]) * ufl.cos(pi * y) + z,
                       ufl.cos(pi * x[0] * y) - 0.5 * x[0],
                       ufl.exp(0.5 * x[0]) * ufl.sin(pi * (y + z))))
    theta, phi = 0.5 * pi * (x[0] + 0.3 * y), pi * (y - z)
    direction = ufl.as_vector((ufl.cos(theta), ufl.sin(theta) * ufl.cos(phi),
                               ufl.sin(theta) * ufl.sin(phi)))
    tau0 = tau[0] if isinstance(tau, tuple) else tau
    H = a / tau0 * (0.75 + 0.25 * ufl.cos(pi * x[0] * y)) * direction
    return m, H


def solve_mms(comm, dim, n, p, *, a, D, tau, lam=0.3, tensor="quadrature", petsc_options=None):
    """Solve S1 with the manufactured solution; returns (relative L2 error, problem)."""
    mesh, facet_tags = box_mesh(comm, dim, n)
    x = ufl.SpatialCoordinate(mesh)
    m_ex, H = manufactured(x, dim, a, tau)
    # split H into an external field B and a magnetization M (both exercised): H = B + lam M
    M = ufl.as_vector((0.6 * H[0], 0.2 * H[1], -0.5 * H[2])) / lam
    B = H - lam * M
    Dc = ufl.as_vector(D) if isinstance(D, tuple) else D
    tc = ufl.as_vector(tau) if isinstance(tau, tuple) else tau
    Dt = physics.diffusion_tensor(H, Dc, tc)
    # m_eq chosen so that m_ex solves S1: m_eq = m_ex + T (H x m_ex - div(Dt grad m_ex))
    source = ufl.cross(H, m_ex) - ufl.div(Dt * ufl.grad(m_ex))
    T = ufl.as_vector(tau) if isinstance(tau, tuple) else ufl.as_vector((tau, tau, tau))
    m_eq = m_ex + ufl.as_vector([T[k] * source[k] for k in range(3)])
    n_out = ufl.FacetNormal(mesh)
    injected = Dt * ufl.grad(m_ex) * n_out  # g = -J n
    problem = fs.SteadySpinDiffusion(
        mesh, fs.Material(D=D, tau=tau, lam=lam), facet_tags=facet_tags, M=M, H_ext=B, m_eq=m_eq,
        dirichlet=[fs.Dirichlet(DIRICHLET_ALL, m_ex), fs.Dirichlet(DIRICHLET_Z, m_ex, (2,))],
        flux=[fs.Flux(FLUX, injected), fs.Flux(DIRICHLET_Z, injected)],
        degree=p, quadrature_degree=2 * p + QEXTRA, tensor=tensor, petsc_options=petsc_options)
    info = problem.solve()
    dx = ufl.dx(domain=mesh, metadata={"quadrature_degree": 2 * p + 4})
    error = l2_norm(comm, problem.m - m_ex, dx) / l2_norm(comm, m_ex, dx)
    return error, problem, info
