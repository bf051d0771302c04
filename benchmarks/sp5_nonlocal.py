"""The torque of the charge + spin-diffusion model on the SP5 vortex, fitted to the Zhang-Li
form: its effective drift velocity and non-adiabaticity, against l_sf and the mesh.

In the local limit the model's torque is the Zhang-Li torque with u (SP5's 72.17 m/s) and
xi = l_J^2 / l_sf^2 (fem_spin.reference.zhang_li, exact on the spin helix). In a vortex the
texture varies over the core (~10 nm), comparable with l_sf = 10 nm: the accumulation
diffuses, and the torque departs from the local form. Here the model's torque field
T = lam_M M x m_perp on the SP5 film (a model vortex: in-plane curl with a Gaussian core of
radius 10 nm) is projected, in L2 over the film or over the core (r < 15 nm), on the two
Zhang-Li terms, T ~ a M x (M x (u.grad) M) + b M x (u.grad) M: u_eff / u = a and
xi_eff = b / a, with the relative L2 residual of the fit. l_J^2 / l_sf^2 = 0.05 throughout.

Writes <out>/sp5_nonlocal.json and prints a Markdown table (results/sp5.md).

Usage: python benchmarks/sp5_nonlocal.py [--h 6 4 3] [--l-sf 10 5] [--out benchmarks/results]
"""

# ruff: noqa: I001  (fem_spin is imported before mpi4py on purpose)
import argparse
import importlib.util
import json
from pathlib import Path

import fem_spin  # noqa: F401  (before dolfinx)
import dolfinx.fem as fem
import numpy as np
import ufl
from mpi4py import MPI

from fem_spin import Magnetostatics
from fem_spin.geometry.air import magnet_extent, magnet_in_air
from fem_spin.parameters.charge import conductor
from fem_spin.physics.magnetization import zhang_li_velocity

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("sp5_benchmark", HERE / "sp5.py")
sp5 = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sp5)


def model_vortex(x):
    """In-plane curl with a Gaussian out-of-plane core of radius 10 nm (normalised)."""
    r2 = x[0] ** 2 + x[1] ** 2
    core = np.exp(-r2 / 100.0)
    v = np.stack([-x[1], x[0], 0 * x[0]]) / np.sqrt(r2 + 1e-12) * np.sqrt(1 - core**2)
    v[2] = core
    return v


def material(l_sf: float):
    """magnum.fe's material with l_sf scaled, l_J^2 = xi l_sf^2 (xi = 0.05)."""
    l_J2 = sp5.XI * l_sf**2
    return conductor(sigma=5e6, beta=sp5.BETA, D=1e3, l_sf=l_sf * np.sqrt(1 - sp5.BETA**2),
                     lam=-1e3 / l_J2, tau_A=1e-6)


def fit(problem, comm, weight) -> tuple[float, float, float]:
    """(u_eff / u, xi_eff, relative residual) of the L2 projection on the Zhang-Li terms."""
    M = problem.M
    u = ufl.as_vector(zhang_li_velocity((sp5.J, 0.0, 0.0), sp5.P, sp5.MS, sp5.XI))
    D = ufl.dot(ufl.grad(M), u)
    A, B = ufl.cross(M, ufl.cross(M, D)), ufl.cross(M, D)
    T = problem.magnet.c.lam_M * ufl.cross(M, problem.m_transverse)

    def dot(f, g):
        return comm.allreduce(fem.assemble_scalar(fem.form(weight * ufl.inner(f, g) * ufl.dx)))

    G = np.array([[dot(A, A), dot(A, B)], [dot(B, A), dot(B, B)]])
    a, b = (float(v) for v in np.linalg.solve(G, [dot(T, A), dot(T, B)]))
    R = T - a * A - b * B
    return a, b / a, float(np.sqrt(dot(R, R) / dot(T, T)))


def run(hs, l_sfs, comm=MPI.COMM_WORLD) -> list[dict]:
    rows = []
    for h in hs:
        dims = {"lx": 100.0, "ly": 100.0, "lz": 10.0}
        geo = magnet_in_air(comm, "box", dims, air_radius=1.5 * magnet_extent("box", dims),
                            h_magnet=h)
        demag = Magnetostatics(geo.mesh, geo.cell_tags, geo.facet_tags,
                               magnet_tags=[geo.tag("magnet")], degree=1)
        sub = demag.submesh
        x = ufl.SpatialCoordinate(sub)
        core = ufl.conditional(ufl.lt(x[0] ** 2 + x[1] ** 2, 15.0**2), 1.0, 0.0)
        for l_sf in l_sfs:
            sp5.transport_material = lambda l_sf=l_sf: material(l_sf)
            with sp5.driven_problem("spin-diffusion", sub, demag, geo.tag("magnet"),
                                    model_vortex) as p:
                for region, weight in (("film", 1.0), ("core", core)):
                    a, xi, res = fit(p, comm, weight)
                    rows.append({"h_nm": h, "l_sf_nm": l_sf,
                                 "l_J_nm": float(np.sqrt(sp5.XI) * l_sf), "region": region,
                                 "u_eff_over_u": a, "xi_eff": xi, "residual": res})
                    if comm.rank == 0:
                        print(f"h = {h} nm, l_sf = {l_sf} nm, {region}: u_eff/u = {a:.4f}, "
                              f"xi_eff = {xi:.4f}, residual {res:.3f}", flush=True)
        demag.close()
    return rows


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--h", type=float, nargs="+", default=[6.0, 4.0, 3.0])
    parser.add_argument("--l-sf", type=float, nargs="+", default=[10.0, 5.0])
    parser.add_argument("--out", default=str(HERE / "results"))
    args = parser.parse_args(argv)
    rows = run(args.h, args.l_sf)
    if MPI.COMM_WORLD.rank == 0:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "sp5_nonlocal.json").write_text(json.dumps(
            {"vortex": "in-plane curl, Gaussian core exp(-r^2 / (10 nm)^2)",
             "xi_local": sp5.XI, "rows": rows}, indent=1) + "\n")
        print("| h (nm) | l_sf (nm) | l_J (nm) | region | u_eff / u | xi_eff | residual |")
        print("|---|---|---|---|---|---|---|")
        for r in rows:
            print(f"| {r['h_nm']:g} | {r['l_sf_nm']:g} | {r['l_J_nm']:.3f} | {r['region']} | "
                  f"{r['u_eff_over_u']:.4f} | {r['xi_eff']:.4f} | {r['residual']:.3f} |")
    return rows


if __name__ == "__main__":
    main()
