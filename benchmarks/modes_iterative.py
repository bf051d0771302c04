"""Spin-wave modes with magnetostatics: the direct solver (MUMPS) against the iterative one
(CG + GAMG on the symmetric Hessian, :mod:`fem_spin.problems.mode_iterative`), side by side.

The vortex in a permalloy disc (R = 50 nm, L = 10 nm; benchmarks/vortex_gyrotropic.py) at
mesh size ``--h``: the equilibrium (damped LLG, then Newton with the iterative Hessian solve),
then its 4 lowest modes by each solver in turn in the same process. For each: wall and CPU
seconds, the peak of the resident memory during the solve above the memory before it
(sampled every 20 ms from /proc/self/statm), the frequencies, and the largest relative
difference of the eigenvalues.

Usage: ``nice python benchmarks/modes_iterative.py --h 3 [--out benchmarks/results/x.json]``
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from pathlib import Path

import numpy as np
from mpi4py import MPI

import fem_spin  # noqa: F401  (the PETSc stack in order)
from fem_spin import LLG, Magnet
from fem_spin.core.eigen_spd import InnerStats
from fem_spin.geometry.air import magnet_in_air
from fem_spin.problems.equilibrium import tangent_newton
from fem_spin.problems.magnetostatics import Magnetostatics
from fem_spin.problems.mode_demag import DemagModeCoupling
from fem_spin.problems.modes import SpinWaveModes
from fem_spin.textures import vortex

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


class PeakMemory:
    """The largest resident memory above the start, sampled in a thread."""

    def __enter__(self):
        self.base = self.peak = rss()
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self):
        while self.running:
            self.peak = max(self.peak, rss())
            time.sleep(0.02)

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()
        self.peak = max(self.peak, rss())
        self.GB = (self.peak - self.base) / 1e9


def timed(fn):
    w, c = time.perf_counter(), time.process_time()
    with PeakMemory() as mem:
        out = fn()
    return out, {"wall_s": time.perf_counter() - w, "cpu_s": time.process_time() - c,
                 "peak_GB": mem.GB}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--h", type=float, default=3.0, help="mesh size in the disc (nm)")
    p.add_argument("--h-air", type=float, default=None,
                   help="mesh size at the air ball's surface (nm; default geometry.air's)")
    p.add_argument("--relax", type=float, default=100.0, help="damped LLG run (ps)")
    p.add_argument("--out", type=Path, default=None)
    a = p.parse_args(argv)
    comm = MPI.COMM_WORLD
    say = print if comm.rank == 0 else (lambda *x, **k: None)
    geo = magnet_in_air(comm, "disc", {"radius": 50.0, "thickness": 10.0}, air_radius=75.0,
                        h_magnet=a.h, h_air=a.h_air)
    demag = Magnetostatics(geo.mesh, geo.cell_tags, geo.facet_tags,
                           magnet_tags=[geo.tag("magnet")], degree=2)
    demag.ksp.setType("cg")  # no factorization anywhere before the comparison
    demag.ksp.getPC().setType("gamg")
    demag.ksp.setTolerances(rtol=1e-12, atol=0.0, max_it=2000)
    demag.ksp.setInitialGuessNonzero(True)
    mag = Magnet(Ms=8e5, A_ex=1.3e-11, alpha=1.0)
    t0 = time.perf_counter()
    with LLG(demag.submesh, mag, M0=vortex(core_radius=10.0), demag=demag) as llg:
        while llg.t < a.relax - 1e-9:
            llg.step(5.0)
        M_relaxed = llg.M
    t1 = time.perf_counter()
    M_eq, history = tangent_newton(demag.submesh, mag, M0=M_relaxed, solver="iterative",
                                   coupling_factory=lambda: DemagModeCoupling(demag))
    t2 = time.perf_counter()
    say(f"h = {a.h} nm: relaxed ({t1 - t0:.0f} s), Newton torques {history} "
        f"({t2 - t1:.0f} s)", flush=True)
    free = Magnet(Ms=8e5, A_ex=1.3e-11, alpha=0.0)
    modes = SpinWaveModes(demag.submesh, free, M0=M_eq, coupling=DemagModeCoupling(demag))
    stats = InnerStats()
    res_it, t_it = timed(lambda: modes.solve(4, solver="iterative", stats=stats))
    say(f"iterative: {t_it}, {stats}", flush=True)
    di, t_di = timed(lambda: modes.solve(4, solver="direct"))
    say(f"direct: {t_di}", flush=True)
    diff = float(np.max(np.abs(res_it.s - di.s) / np.abs(di.s)))
    out = {"case": "vortex disc R 50 nm, L 10 nm, P2 potential", "h_nm": a.h,
           "h_air_nm": a.h_air,
           "ranks": comm.size, "magnet_vertices": modes.tangent.size,
           "potential_dofs": demag.V.dofmap.index_map.size_global,
           "pencil_size": modes.A.getSize()[0],
           "f_direct_GHz": di.frequency_GHz.tolist(),
           "f_iterative_GHz": res_it.frequency_GHz.tolist(),
           "max_relative_difference": diff, "direct": t_di, "iterative": t_it,
           "iterative_counts": vars(stats), "newton_torque": history,
           "seconds_relax_cg": t1 - t0, "seconds_newton_iterative": t2 - t1,
           "ratio_wall_iterative_over_direct": t_it["wall_s"] / t_di["wall_s"],
           "ratio_memory_direct_over_iterative": t_di["peak_GB"] / max(t_it["peak_GB"], 1e-9)}
    if comm.rank == 0:
        print(json.dumps(out, indent=1), flush=True)
        if a.out is not None:
            a.out.parent.mkdir(parents=True, exist_ok=True)
            a.out.write_text(json.dumps(out, indent=1))
    demag.close()


if __name__ == "__main__":
    main()
