"""Regenerate the cached gmsh meshes of fem_spin's standard devices into this folder.

Usage: .venv/bin/python meshes/regenerate.py [--clean]

Each builder caches ``<name>-<hash of its parameters>.msh`` here when called with
``cache_dir="meshes"``; a later call with the same parameters reads the file instead of
meshing again, and changed parameters give a new file. ``--clean`` deletes the cached files
first. The set below covers the demos' devices at their default resolution.
"""

import argparse
from pathlib import Path

import fem_spin as fs
from mpi4py import MPI

from fem_spin.geometry import Layer, multilayer, nanopillar, slab, square_torus, torus
from fem_spin.log import configure_logging

HERE = Path(__file__).resolve().parent
FM = fs.Material.from_spin_diffusion_length(l_sf=100.0, D=1e3, lam=10.0)  # a = 100


def standard_devices(comm: MPI.Comm, cache_dir: Path) -> dict:
    """The standard device meshes (built or read from ``cache_dir``)."""
    bilayer = [Layer("fm_left", 100.0, FM), Layer("fm_right", 100.0, FM)]
    return {
        "bilayer_1d": multilayer(comm, bilayer, l_da=0.6, x0=-100.0, cache_dir=cache_dir),
        "slab_cpp_2d": slab(comm, [Layer("fm_left", 10.0), Layer("spacer", 1.0),
                                   Layer("fm_right", 10.0)], width=50.0, mode="cpp",
                            h_max=2.0, h_interface=0.25, cache_dir=cache_dir),
        "pillar_3d": nanopillar(comm, [("fm_fixed", 10.0), ("fm_free", 10.0)], rx=5.0,
                                h_max=1.0, cache_dir=cache_dir),
        "torus_3d": torus(comm, R=20.0, r=10.0, h_max=2.5, cache_dir=cache_dir),
        "square_torus_3d": square_torus(comm, L=30.0, a=6.0, h_max=2.0, cache_dir=cache_dir),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clean", action="store_true", help="delete cached .msh files first")
    args = parser.parse_args()
    configure_logging()
    comm = MPI.COMM_WORLD
    if args.clean and comm.rank == 0:
        for f in HERE.glob("*.msh"):
            f.unlink()
    comm.barrier()
    for name, geo in standard_devices(comm, HERE).items():
        if comm.rank == 0:
            print(f"{name}: {int(geo.stats['cells'])} cells, h {geo.stats['h_min']:.3g}-"
                  f"{geo.stats['h_max']:.3g} nm, tags {sorted(geo.tags)}")


if __name__ == "__main__":
    main()
