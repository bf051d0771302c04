"""Magnetostatics: the demagnetizing (stray) field of the magnetization as pure UFL.

Units (``docs/units.md``): lengths nm, the magnetization ``Ms M`` in A/m, the scalar potential
``u`` in A (A/m x nm), ``H_d = -grad u`` in A/m, the field ``B_d = mu0 H_d`` in tesla, energy
densities in J/m^3 (integrated over nm^3: 1e-27 J). Strong form, in all space::

    div(grad u - Ms M) = 0,      u -> 0 as |x| -> infinity,      H_d = -grad u

(``Ms M = 0`` outside the magnets), i.e. ``lap u = div(Ms M)`` with the jump
``[d_n u] = Ms M . n`` on the magnet surfaces. Weak form on a mesh of the magnets and the air
around them (``v`` a test function on the whole mesh)::

    (grad u, grad v)_all + b(u, v) = (Ms M, grad v)_magnets

with ``b`` the treatment of the exterior beyond the mesh:

* ``dirichlet``: ``u = 0`` on the outer boundary (``b = 0``; truncation error O(R^-2));
* ``robin``: the asymptotic (dipole) condition ``d_n u = -2 (n.x) u / |x|^2`` on the outer
  boundary, exact for a pure dipole on a sphere about the origin:
  ``b(u, v) = (2 (n.x) / |x|^2 u, v)_outer``;
* ``shell``: an air shell ``R1 < |x| < R2`` mapped onto the exterior ``|y| > R1`` by
  ``y = rho(r) x / r``, ``rho = R1 (R2 - R1) / (R2 - r)`` (Brunotte, Meunier, Imhoff,
  IEEE Trans. Magn. 28 (1992) 1663; magnum.fe): in the shell the Laplacian's coefficient is
  the metric ``g = |det J| J^-1 J^-T`` (``J = dy/dx``), here
  ``g = rho' (I - e e) + rho (R2 - r) / r^2 e e`` (``e = x / r``), and ``u = 0`` at ``R2``.

The energy of the magnetostatic self-interaction and the field (``-(1/Ms) dE/dM``)::

    E_d = (mu0 / 2) (Ms M, grad u)_magnets,       B_d = -mu0 grad u
"""

from __future__ import annotations

import ufl

from fem_spin.physics.scales import MU0

__all__ = [
    "MU0",
    "demag_energy_density",
    "demag_field",
    "demag_field_residual",
    "potential_form",
    "robin_form",
    "shell_metric",
    "source_form",
]


def potential_form(u, v, dx, metric=None, dx_shell=None):
    """``(grad u, grad v)_dx`` (A/m x A/m x nm^3), plus ``(g grad u, grad v)_dx_shell`` with the
    shell metric ``g`` (:func:`shell_metric`) when a shell is given."""
    a = ufl.inner(ufl.grad(u), ufl.grad(v)) * dx
    if metric is not None:
        a += ufl.inner(metric * ufl.grad(u), ufl.grad(v)) * dx_shell
    return a


def robin_form(u, v, ds, center=(0.0, 0.0, 0.0)):
    """The asymptotic (dipole) boundary term ``(2 (n.x) / |x|^2 u, v)_ds`` with ``x`` measured
    from ``center`` (nm): the far field of a magnet of zero net charge is a dipole
    ``u ~ p.x / |x|^3``, for which ``d_r u = -2 u / r``."""
    mesh = ufl.domain.extract_unique_domain(u)
    x = ufl.SpatialCoordinate(mesh) - ufl.as_vector(center)
    n = ufl.FacetNormal(mesh)
    return 2.0 * ufl.dot(n, x) / ufl.dot(x, x) * u * v * ds


def shell_metric(mesh, R1: float, R2: float, center=(0.0, 0.0, 0.0)):
    """The metric ``g = rho' (I - e e) + rho (R2 - r) / r^2 e e`` (dimensionless) of the shell
    ``R1 < r < R2`` mapped to the exterior ``r > R1`` (``rho = R1 (R2 - R1)/(R2 - r)``,
    ``rho' = rho / (R2 - r)``; radii in nm)."""
    x = ufl.SpatialCoordinate(mesh) - ufl.as_vector(center)
    r = ufl.sqrt(ufl.dot(x, x))
    e = x / r
    rho = R1 * (R2 - R1) / (R2 - r)
    ee = ufl.outer(e, e)
    return rho / (R2 - r) * (ufl.Identity(3) - ee) + rho * (R2 - r) / r**2 * ee


def source_form(Ms_M, v, dx_magnets):
    """The right-hand side ``(Ms M, grad v)_magnets`` (``Ms M`` in A/m): the volume charge
    ``-div(Ms M)`` and the surface charge ``Ms M . n`` together."""
    return ufl.inner(Ms_M, ufl.grad(v)) * dx_magnets


def demag_field(u):
    """``B_d = -mu0 grad u`` (T) from the potential ``u`` (A)."""
    return -MU0 * ufl.grad(u)


def demag_field_residual(u, psi, dx):
    """The term of the effective-field projection ``(W, psi)_h - ... - (B_d, psi) = 0``:
    ``+ mu0 (grad u, psi)_dx`` (T x nm^3), with exact quadrature (``dx`` the magnets'
    ordinary cell measure), so that ``B_d`` is exactly ``-(1/Ms) dE_d/dM``."""
    return MU0 * ufl.inner(ufl.grad(u), psi) * dx


def demag_energy_density(Ms_M, u):
    """``(mu0 / 2) Ms M . grad u`` (J/m^3) = ``-(1/2) Ms M . B_d``."""
    return 0.5 * MU0 * ufl.dot(Ms_M, ufl.grad(u))
