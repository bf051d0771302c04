"""The charge-driven switching pillar in 3D (fem_spin.ChargeDrivenLLG on a nanopillar of radius
6 nm with the layers of fem_spin.paper.charge_pillar) beside the 1D stack: the switching time
P -> AP at j = 3 x the 1D critical current density (benchmarks/results/charge_switching.md).

    python benchmarks/charge_switching_3d.py [h_max]    # ~10 min on 2 cores
    -> benchmarks/results/charge_switching_3d.json
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import fem_spin as fs  # noqa: F401  (the PETSc stack first)

# isort: split
import numpy as np
from mpi4py import MPI

from fem_spin.geometry.pillar import interface_name, nanopillar
from fem_spin.paper import charge_pillar as cp

RESULTS = Path(__file__).parent / "results"


def main(argv) -> int:
    h = float(argv[0]) if argv else 1.0
    comm = MPI.COMM_WORLD
    jc = json.loads((RESULTS / "charge_switching.json").read_text())
    j = 3.0 * jc["critical_current_A_per_m2"]["time_domain"]["P->AP"]
    names = cp.LAYERS
    geo = nanopillar(comm, list(zip(names, cp.THICKNESS, strict=True)), rx=6.0, h_max=h,
                     h_interface=h / 2)
    tg = geo.tags
    mats = {tg[n]: (cp.CO if n in ("fixed", "free") else cp.CU) for n in names}
    pairs = list(zip(names[:-1], names[1:], strict=True))
    interfaces = [fs.Interface(tag=tg[interface_name(a, b)], **cp.CO_CU) for a, b in pairs]
    electrodes = [fs.Electrode(tag=tg["electrode_bottom"], current_density=j),
                  fs.Electrode(tag=tg["electrode_top"], voltage=0.0)]
    ends = np.cumsum(cp.THICKNESS)
    th = np.deg2rad(5.0)

    def M0(x):
        z = x[2]
        out = np.zeros((3, z.size))
        out[0][z <= ends[0] + 1e-9] = 1.0
        free = (z >= ends[1] - 1e-9) & (z <= ends[2] + 1e-9)
        out[0][free], out[1][free] = np.cos(th), np.sin(th)
        return out

    t0 = time.perf_counter()
    with fs.ChargeDrivenLLG(geo.mesh, mats, {tg["free"]: cp.FREE}, cell_tags=geo.cell_tags,
                            facet_tags=geo.facet_tags, M0=M0, interfaces=interfaces,
                            electrodes=electrodes,
                            drive=lambda t: 1.0 - np.exp(-t / 10.0)) as llg:
        dofs = llg.transport.W.dofmap.index_map.size_global
        t_switch = None
        while llg.t < 2500.0:
            llg.step(4.0)
            if llg.observe()["Mx"] < 0:
                t_switch = llg.t
                break
            if comm.rank == 0 and llg.steps % 25 == 0:
                print(f"t = {llg.t:.0f} ps, <Mx> = {llg.observe()['Mx']:.4f}", flush=True)
    out = {"h_max_nm": h, "j_A_per_m2": j, "transport_dofs": dofs,
           "switching_time_ps": t_switch, "seconds": time.perf_counter() - t0,
           "one_d_switching_time_ps": [r["t_ps"] for r in
                                       jc["switching_time_ps"]["P->AP"] if r["j_over_jc"] == 3.0]}
    if comm.rank == 0:
        (RESULTS / "charge_switching_3d.json").write_text(json.dumps(out, indent=1))
        print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
