"""The magnetostatics verification cases, shared by tests/verification/test_magnetostatics.py
and benchmarks/magnetostatics.py: a magnet in an air ball, its demagnetizing tensor, the
magnetostatic energy of uniform M, the potential error against the sphere's exact one."""

from __future__ import annotations

import time

import dolfinx.fem as fem
import numpy as np
import ufl

from fem_spin.geometry.air import magnet_in_air
from fem_spin.problems.magnetostatics import Magnetostatics, demagnetizing_tensor
from tests.helpers.demag_exact import (
    cylinder_nzz,
    oblate_axial,
    prolate_axial,
    sphere_potential,
)

# shape, dims (nm), the exact diagonal of N
CASES = {
    "sphere": ("sphere", {"radius": 10.0}, (1 / 3, 1 / 3, 1 / 3)),
    "prolate": ("ellipsoid", {"a": 20.0, "b": 10.0, "c": 10.0},
                (prolate_axial(2.0), (1 - prolate_axial(2.0)) / 2, (1 - prolate_axial(2.0)) / 2)),
    "oblate": ("ellipsoid", {"a": 15.0, "b": 15.0, "c": 5.0},
               ((1 - oblate_axial(3.0)) / 2, (1 - oblate_axial(3.0)) / 2, oblate_axial(3.0))),
    "disc": ("disc", {"radius": 6.0, "thickness": 4.0},
             ((1 - cylinder_nzz(6.0, 4.0)) / 2, (1 - cylinder_nzz(6.0, 4.0)) / 2,
              cylinder_nzz(6.0, 4.0))),
    "cube": ("box", {"lx": 10.0, "ly": 10.0, "lz": 10.0}, (1 / 3, 1 / 3, 1 / 3)),
}


def demag_problem(comm, case: str, h: float, *, air_factor: float = 3.0,
                  exterior: str = "robin", shell_factor: float = 1.5, degree: int = 1):
    """The Magnetostatics of a case: air ball of ``air_factor`` x the magnet's extent."""
    from fem_spin.geometry.air import magnet_extent

    shape, dims, _ = CASES[case]
    R1 = air_factor * magnet_extent(shape, dims)
    R2 = shell_factor * R1 if exterior == "shell" else None
    geo = magnet_in_air(comm, shape, dims, air_radius=R1, h_magnet=h, shell_radius=R2)
    demag = Magnetostatics(geo.mesh, geo.cell_tags, geo.facet_tags,
                           magnet_tags=[geo.tag("magnet")], exterior=exterior,
                           outer_tag=geo.tag("outer"), shell_tag=geo.tags.get("shell"),
                           shell_radii=None if R2 is None else (R1, R2), degree=degree)
    return geo, demag


def factors(comm, case: str, h: float, **kw) -> dict:
    """The computed diagonal of N, its error against the exact one (max over the axes), the
    cells of the mesh and the seconds of the set-up + 3 solves."""
    t0 = time.perf_counter()
    geo, demag = demag_problem(comm, case, h, **kw)
    N = demagnetizing_tensor(demag)
    seconds = time.perf_counter() - t0
    exact = np.array(CASES[case][2])
    demag.close()
    return {"N": np.diag(N), "error": float(np.max(np.abs(np.diag(N) - exact))),
            "offdiag": float(np.max(np.abs(N - np.diag(np.diag(N))))),
            "cells": int(geo.stats["cells"]), "seconds": seconds}


def sphere_potential_error(comm, h: float, **kw) -> float:
    """Relative L2 error of the potential of the sphere (M along z) in the magnet and the air
    out to twice its radius (the dipole field outside)."""
    geo, demag = demag_problem(comm, "sphere", h, **kw)
    demagnetizing_tensor(demag)  # leaves u of M = e_z
    mesh = geo.mesh
    x = ufl.SpatialCoordinate(mesh)
    r = ufl.sqrt(ufl.dot(x, x))
    R = 10.0
    exact = ufl.conditional(ufl.le(r, R), x[2] / 3.0, R**3 * x[2] / (3.0 * r**3))
    near = ufl.conditional(ufl.le(r, 2 * R), 1.0, 0.0)
    dx = ufl.dx(domain=mesh, metadata={"quadrature_degree": 4})

    def integral(e):
        return comm.allreduce(fem.assemble_scalar(fem.form(e * near * dx)))

    err = integral((demag.u - exact) ** 2)
    ref = integral(exact**2)
    demag.close()
    return float(np.sqrt(err / ref))


__all__ = ["CASES", "demag_problem", "factors", "sphere_potential", "sphere_potential_error"]
