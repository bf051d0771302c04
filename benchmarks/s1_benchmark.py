"""Benchmark: the S1 solver at strong coupling against a scalar Poisson solve on the same mesh.

One physical device and fixed physics, refined: a ferromagnetic film 32 x 32 x 8 nm with a
magnetic vortex (|M| = 1, the in-plane magnetization curls around a 4 nm core), the paper's
D = 1e3 nm^2/ps and l_sf = 100 nm (tau = 10 ps), lambda = a / tau, m_eq = 0.5 M, and an
electrode at x = 0 fixing m = (0, 0, 1). The coupling a in {0, 1, 10, 100} sets the
transverse wavelength 2 pi l_sf / a (6.3 nm at a = 100, kL = a L / l_sf = 32). The meshes
are uniform refinements of an 8 x 8 x 2 box (h = 4 nm): level r has h = 4 / 2^r nm.

For each level, number of ranks and a, a worker process (run under mpiexec) times

* the baseline: scalar P1 Poisson ``-lap u = 1``, u = 0 on the boundary, CG + GAMG
  (PETSc defaults), rtol 1e-8, on the same mesh;
* S1 with the package's iterative solver (``solver="iterative"``: GMRES + geometric
  multigrid on the refinement hierarchy, rtol 1e-8 on the true residual) and, on the
  smaller levels, the direct solver (MUMPS) for comparison;

and reports iterations, set-up (preconditioner) and solve times (min over repetitions),
assembly time, and the peak memory of each solve (VmHWM, reset before it; summed over ranks).
The driver writes ``benchmarks/results/s1_benchmark.json`` and ``.md``.

Usage (from the repository root, with the venv's python and mpiexec on PATH)::

    python benchmarks/s1_benchmark.py                    # levels 2 3 4, np 1 and 2
    python benchmarks/s1_benchmark.py --levels 2 3 --nps 1 --a 0 100
    python benchmarks/s1_benchmark.py --worker --level 2 --a 100   # one case (under mpiexec)
    python benchmarks/s1_benchmark.py --levels 4 --a 100 --solvers iterative --name sor \
        --option mg_levels_ksp_type=richardson --option mg_levels_pc_type=sor  # the old smoother
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"

# device and physics (nm, ps)
L, THICKNESS, BASE_CELLS = 32.0, 8.0, (8, 8, 2)
D, L_SF = 1e3, 100.0
TAU = L_SF**2 / D
CORE = 4.0
M0 = 0.5
RTOL = 1e-8


def device_info(level: int, a: float) -> dict:
    """Mesh size, dofs and resolution of the transverse wave at this level."""
    import math

    h = L / (BASE_CELLS[0] * 2**level)
    nodes = math.prod(c * 2**level + 1 for c in BASE_CELLS)
    k = math.sqrt(1 + a * a) / L_SF  # |1 + i a| / l_sf
    wavelength = 2 * math.pi * L_SF / a if a > 0 else math.inf
    return {"level": level, "h_nm": h, "nodes": nodes, "s1_dofs": 3 * nodes,
            "kL": a * L / L_SF, "k_h": k * h, "wavelength_nm": wavelength,
            "points_per_wavelength": wavelength / h}


# -- worker -----------------------------------------------------------------------------------


def _rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size of this process in MB (Linux /proc)."""
    cur = peak = 0.0
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                cur = float(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak = float(line.split()[1]) / 1024
    return cur, peak


def _reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM to the current RSS
    except OSError:
        pass


def worker(args) -> None:
    import fem_spin as fs  # before dolfinx / petsc4py

    import dolfinx.fem as fem
    import dolfinx.fem.petsc as fp
    import dolfinx.mesh as dm
    import numpy as np
    import ufl
    from mpi4py import MPI
    from petsc4py import PETSc

    from fem_spin.core import linear_solvers as ls
    from fem_spin.core.fields import jit_options
    from fem_spin.problems import steady
    from fem_spin.textures import magnetization, vortex

    PETSc.Log.begin()
    comm = MPI.COMM_WORLD
    t0 = time.perf_counter()
    coarse = dm.create_box(comm, [[0, 0, 0], [L, L, THICKNESS]], list(BASE_CELLS),
                           dm.CellType.tetrahedron, ghost_mode=dm.GhostMode.none)
    fdim = 2
    coarse.topology.create_connectivity(fdim, 3)
    left = np.sort(dm.locate_entities_boundary(coarse, fdim, lambda x: np.isclose(x[0], 0.0)))
    ft = dm.meshtags(coarse, fdim, left.astype(np.int32), np.full(len(left), 1, np.int32))
    hierarchy = ls.refine_hierarchy(coarse, args.level, facet_tags=ft)
    mesh = hierarchy.mesh
    t_mesh = comm.allreduce(time.perf_counter() - t0, op=MPI.MAX)

    def gather_max(x):
        return comm.allreduce(x, op=MPI.MAX)

    def mem():
        cur, peak = _rss_mb()
        return comm.allreduce(cur), comm.allreduce(peak)

    out = {"level": args.level, "a": args.a, "np": comm.size, "mesh_seconds": t_mesh,
           "cells": mesh.topology.index_map(3).size_global, **device_info(args.level, args.a)}

    # ---- Poisson baseline (scalar P1, CG + GAMG defaults) ----
    V = fem.functionspace(mesh, ("Lagrange", 1))
    u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
    mesh.topology.create_connectivity(fdim, 3)
    bfacets = dm.exterior_facet_indices(mesh.topology)
    bc = fem.dirichletbc(0.0, fem.locate_dofs_topological(V, fdim, bfacets), V)
    jit = jit_options()
    a_form = fem.form(ufl.inner(ufl.grad(u), ufl.grad(v)) * ufl.dx, jit_options=jit)
    L_form = fem.form(fem.Constant(mesh, 1.0) * v * ufl.dx, jit_options=jit)
    base_rss, _ = mem()
    _reset_peak()
    t0, c0 = time.perf_counter(), time.process_time()
    A = fp.assemble_matrix(a_form, bcs=[bc])
    A.assemble()
    b = fp.assemble_vector(L_form)
    fp.apply_lifting(b, [a_form], [[bc]])
    b.ghostUpdate(PETSc.InsertMode.ADD, PETSc.ScatterMode.REVERSE)
    fp.set_bc(b, [bc])
    t_asm = gather_max(time.perf_counter() - t0)
    c_asm = gather_max(time.process_time() - c0)
    x = A.createVecRight()
    best = cbest = None
    for _ in range(args.reps):
        ksp = PETSc.KSP().create(comm)
        ksp.setOperators(A)
        ksp.setType("cg")
        ksp.getPC().setType("gamg")
        ksp.setTolerances(rtol=RTOL)
        x.set(0.0)
        comm.Barrier()
        t0, c0 = time.perf_counter(), time.process_time()
        ksp.setUp()
        t_setup = gather_max(time.perf_counter() - t0)
        c_setup = gather_max(time.process_time() - c0)
        t0, c0 = time.perf_counter(), time.process_time()
        ksp.solve(b, x)
        t_solve = gather_max(time.perf_counter() - t0)
        c_solve = gather_max(time.process_time() - c0)
        its, reason = ksp.getIterationNumber(), ksp.getConvergedReason()
        ksp.destroy()
        if best is None or t_setup + t_solve < best[0] + best[1]:
            best = (t_setup, t_solve)
        if cbest is None or c_setup + c_solve < cbest[0] + cbest[1]:
            cbest = (c_setup, c_solve)
    _, peak = mem()
    out["poisson"] = {"dofs": V.dofmap.index_map.size_global, "assemble_s": t_asm,
                      "setup_s": best[0], "solve_s": best[1], "iterations": its,
                      "reason": int(reason), "peak_mb": peak, "increment_mb": peak - base_rss,
                      "cpu": {"assemble_s": c_asm, "setup_s": cbest[0], "solve_s": cbest[1]}}
    A.destroy()
    b.destroy()
    x.destroy()
    del a_form, L_form, bc

    # ---- S1 ----
    M = magnetization(mesh, vortex(core_radius=CORE, center=(L / 2, L / 2, 0.0)))
    mat = fs.Material(D=D, tau=TAU, lam=args.a / TAU, m0=M0)
    events = {n: PETSc.Log.Event(n) for n in ("KSPSolve", "PCSetUp", "SNESJacobianEval",
                                              "SNESFunctionEval", "fem_spin_CellAverage")}

    def event_times():
        return {n: e.getPerfInfo()["time"] for n, e in events.items()}

    runs = [(s, v) for s in args.solvers for v in (args.variants if s == "iterative" else [""])]
    for solver, variant in runs:
        if solver == "direct" and (3 * out["nodes"] > args.direct_max_dofs
                                   or args.a not in args.direct_a):
            continue
        ls.BLOCKED_JACOBIAN = variant != "aij"
        ls.BLOCKED_LEVELS = variant != "baij-aijlevels"
        ls.INTERMEDIATE_SMOOTHING = 1 if variant == "baij-aijlevels" else 2
        steady.AVERAGE_TENSOR = steady.LINEAR_RESIDUAL = variant not in ("aij", "pointwise")
        steady.DIFFUSION_KERNEL = variant != "ffcx"
        base_rss, _ = mem()
        _reset_peak()
        t0 = time.perf_counter()
        problem = fs.SteadySpinDiffusion(
            mesh, mat, facet_tags=hierarchy.facet_tags, M=M,
            dirichlet=[fs.Dirichlet(1, (0.0, 0.0, 1.0))], quadrature_degree=2,
            solver=solver, hierarchy=hierarchy, tensor="cell" if variant == "cell" else
            "quadrature",
            petsc_options={"ksp_rtol": RTOL, **options(args)} if solver != "direct" else None)
        t_build = gather_max(time.perf_counter() - t0)
        rows = []
        error = None
        for _ in range(args.reps):
            problem.m.x.array[:] = 0.0
            before = event_times()
            comm.Barrier()
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                info = problem.solve()
            except fs.SolverError as e:
                error = str(e)
                break
            wall = gather_max(time.perf_counter() - t0)
            cpu = gather_max(time.process_time() - c0)
            after = event_times()
            d = {n: gather_max(after[n] - before[n]) for n in events}
            # the per-cell tensor (refreshed in solve(), before SNES) counts as assembly
            assemble = (d["SNESJacobianEval"] + d["SNESFunctionEval"]
                        + d["fem_spin_CellAverage"])
            # CPU seconds of the phases: the wall split scaled by the solve's CPU / wall (on a
            # shared machine the CPU time is the work done, the wall time also the waiting)
            f = cpu / wall
            rows.append({"wall_s": wall, "setup_s": d["PCSetUp"],
                         "solve_s": wall - assemble - d["PCSetUp"], "assemble_s": assemble,
                         "iterations": info.linear_iterations,
                         "cpu": {"wall_s": cpu, "assemble_s": f * assemble,
                                 "setup_s": f * d["PCSetUp"],
                                 "solve_s": f * (wall - assemble - d["PCSetUp"])}})
        _, peak = mem()
        res = {"solver": problem.linear_solver.description, "kind": problem.linear_solver.kind,
               "levels": list(problem.linear_solver.levels), "dofs": 3 * out["nodes"],
               "build_s": t_build, "peak_mb": peak, "increment_mb": peak - base_rss}
        if rows:
            best = min(rows, key=lambda r: r["cpu"]["wall_s"])
            res.update(best)
        if error:
            res["error"] = error
        if variant:
            res["variant"] = variant
        key = f"s1_{solver}" if variant in ("", args.variants[0]) else f"s1_{solver}-{variant}"
        out[key] = res
        problem.close()
    if comm.rank == 0:
        print("RESULT " + json.dumps(out), flush=True)


# -- driver -----------------------------------------------------------------------------------


def machine() -> dict:
    def sh(cmd):
        try:
            return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
        except OSError:
            return ""

    import fem_spin  # noqa: F401
    import dolfinx
    import petsc4py

    model = sh("lscpu | grep 'Model name' | sed 's/Model name: *//'")
    return {"cpu": model, "cores": os.cpu_count(), "memory": sh("free -g | awk '/Mem:/{print $2}'")
            + " GB", "os": platform.platform(), "python": platform.python_version(),
            "dolfinx": dolfinx.__version__, "petsc4py": petsc4py.__version__,
            "omp_num_threads": os.environ.get("OMP_NUM_THREADS", "unset"),
            "note": "the machine may be shared with other jobs: the load average (which "
                    "counts the benchmark's own processes) is recorded with each case. "
                    "Iteration counts do not depend on the load."}


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def options(args) -> dict[str, str]:
    """The ``--option KEY=VALUE`` PETSc options (without prefix) for the iterative solver."""
    out = {}
    for item in args.option:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise SystemExit(f"--option needs KEY=VALUE, got {item!r}")
        out[key.lstrip("-")] = value
    return out


def run_case(level, a, np_, args) -> dict | None:
    cmd = [sys.executable, "-m", "mpi4py", str(Path(__file__).resolve()), "--worker",
           "--level", str(level), "--a", str(a), "--reps", str(args.reps),
           "--solvers", *args.solvers, "--direct-max-dofs", str(args.direct_max_dofs),
           "--direct-a", *map(str, args.direct_a), "--variants", *args.variants,
           *[x for o in args.option for x in ("--option", o)]]
    if np_ > 1:
        cmd = [str(Path(sys.executable).parent / "mpiexec"), "-n", str(np_), *cmd]
    load_before = load()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            out = json.loads(line[7:])
            out["load_before"], out["load_after"] = load_before, load()
            out["case_wall_s"] = time.perf_counter() - t0
            return out
    print(proc.stdout[-2000:], proc.stderr[-4000:], file=sys.stderr)
    return {"level": level, "a": a, "np": np_, "failed": proc.stderr[-1500:]}


def fmt(x, spec=".2f"):
    return "-" if x is None else format(x, spec)


def markdown(data: dict) -> str:
    lines = ["# S1 solver benchmark", "", "Machine: " + ", ".join(
        f"{k} {v}" for k, v in data["machine"].items()), "",
        f"Device: film {L:g} x {L:g} x {THICKNESS:g} nm, vortex texture (core {CORE:g} nm), "
        f"D = {D:g} nm^2/ps, l_sf = {L_SF:g} nm (tau = {TAU:g} ps), m_eq = {M0:g} M, "
        "electrode m = z at x = 0. rtol 1e-8 (true residual for S1). Times: min over "
        f"{data['reps']} repetitions, seconds; memory: peak RSS during the solve minus the RSS "
        "before it (sum over ranks), MB. Extra PETSc options of the iterative solver: "
        f"{data.get('petsc_options') or 'none (the package default)'}.", "",
        "| level | h nm | S1 dofs | np | a | kL | pts/wavelength | Poisson its | Poisson asm "
        "| Poisson setup | Poisson solve | S1 solver | S1 its | S1 asm | S1 setup | S1 solve "
        "| ratio asm | ratio solve | ratio setup+solve | ratio time to solution | S1 MB "
        "| Poisson MB | MB/dof S1 / Poisson | load |",
        "|" + "---|" * 24]
    for c in data["cases"]:
        if "failed" in c:
            lines.append(f"| {c['level']} | | | {c['np']} | {c['a']} | FAILED: "
                         f"{c['failed'][-200:]!r} |")
            continue
        p = c["poisson"]
        for key in [k for k in c if k.startswith("s1_") and isinstance(c[k], dict)]:
            s = c[key]
            solver = key[3:].split("-")[0]
            label = solver + ("" if s["kind"] == solver else f" -> {s['kind']}")
            if s.get("variant"):
                label += f" [{s['variant']}]"
            if "error" in s and "solve_s" not in s:
                lines.append(f"| {c['level']} | {c['h_nm']:g} | {s['dofs']:,} | {c['np']} | "
                             f"{c['a']:g} | | | | | | | {label} | FAIL |" + " |" * 11)
                continue
            ratio = s["solve_s"] / p["solve_s"]
            ratio2 = (s["setup_s"] + s["solve_s"]) / (p["setup_s"] + p["solve_s"])
            ratio_asm = s["assemble_s"] / p["assemble_s"]
            tts = (s["assemble_s"] + s["setup_s"] + s["solve_s"]) / (
                p["assemble_s"] + p["setup_s"] + p["solve_s"])
            per = (s["increment_mb"] / s["dofs"]) / max(p["increment_mb"] / p["dofs"], 1e-12)
            ppw = c["points_per_wavelength"]
            lines.append(
                f"| {c['level']} | {c['h_nm']:g} | {s['dofs']:,} | {c['np']} | {c['a']:g} | "
                f"{c['kL']:g} | {'inf' if ppw == float('inf') else format(ppw, '.1f')} | "
                f"{p['iterations']} | {p['assemble_s']:.2f} | {p['setup_s']:.2f} | "
                f"{p['solve_s']:.2f} | {label} ({len(s['levels']) or 1} lev) | "
                f"{s['iterations']} | {s['assemble_s']:.2f} | {s['setup_s']:.2f} | "
                f"{s['solve_s']:.2f} | {ratio_asm:.1f} | {ratio:.1f} | {ratio2:.1f} | {tts:.1f} | "
                f"{s['increment_mb']:.0f} | {p['increment_mb']:.0f} | {per:.2f} | "
                f"{c['load_before']} |")
    lines += ["", "The same in CPU seconds (max over ranks; S1's phases: the wall split scaled "
              "by the solve's CPU / wall ratio): on a shared machine the work done, free of "
              "the waiting for a core. Time to solution = assembly + set-up + solve; S1's "
              "assembly is the SNES Jacobian and residual evaluations (its matrix is created "
              "when the problem is built), Poisson's includes creating its matrix.", "",
              "| level | np | a | S1 variant | S1 its | Poisson asm / setup / solve | S1 asm / "
              "setup / solve | ratio asm | ratio solve | ratio time to solution |",
              "|" + "---|" * 10]
    for c in data["cases"]:
        p = c.get("poisson", {}).get("cpu")
        for key in [k for k in c if k.startswith("s1_") and isinstance(c[k], dict)]:
            s = c[key].get("cpu")
            if not p or not s:
                continue
            pt = p["assemble_s"] + p["setup_s"] + p["solve_s"]
            st = s["assemble_s"] + s["setup_s"] + s["solve_s"]
            lines.append(
                f"| {c['level']} | {c['np']} | {c['a']:g} | {c[key].get('variant', '')} | "
                f"{c[key]['iterations']} | {p['assemble_s']:.2f} / {p['setup_s']:.2f} / "
                f"{p['solve_s']:.2f} | {s['assemble_s']:.2f} / {s['setup_s']:.2f} / "
                f"{s['solve_s']:.2f} | {s['assemble_s'] / p['assemble_s']:.1f} | "
                f"{s['solve_s'] / p['solve_s']:.1f} | {st / pt:.1f} |")
    lines += ["", "Parallel efficiency t(np=1) / (2 t(np=2)) (solve, and set-up + solve; "
              "see the load column above):", "",
              "| level | a | Poisson solve | S1 solve | S1 setup+solve |", "|---|---|---|---|---|"]
    by = {(c["level"], c["a"], c["np"]): c for c in data["cases"] if "failed" not in c}
    for (level, a, np_), c1 in by.items():
        c2 = by.get((level, a, 2))
        if np_ != 1 or c2 is None or "solve_s" not in c1.get("s1_iterative", {}) \
                or "solve_s" not in c2.get("s1_iterative", {}):
            continue
        s1, s2 = c1["s1_iterative"], c2["s1_iterative"]
        p1, p2 = c1["poisson"], c2["poisson"]
        t1, t2 = s1["setup_s"] + s1["solve_s"], s2["setup_s"] + s2["solve_s"]
        lines.append(f"| {level} | {a:g} | {p1['solve_s'] / (2 * p2['solve_s']):.0%} | "
                     f"{s1['solve_s'] / (2 * s2['solve_s']):.0%} | {t1 / (2 * t2):.0%} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--worker", action="store_true")
    ap.add_argument("--level", type=int, default=2)
    ap.add_argument("--levels", type=int, nargs="+", default=[2, 3, 4])
    ap.add_argument("--a", type=float, nargs="+", default=[0.0, 1.0, 10.0, 100.0])
    ap.add_argument("--nps", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--solvers", nargs="+", default=["iterative", "direct"])
    ap.add_argument("--direct-max-dofs", type=int, default=250_000)
    ap.add_argument("--direct-a", type=float, nargs="+", default=[100.0],
                    help="couplings for which the direct solver is timed too")
    ap.add_argument("--variants", nargs="+", default=["baij"],
                    choices=["aij", "pointwise", "ffcx", "baij", "baij-aijlevels", "cell"],
                    help="iterative S1 variants, timed side by side: aij (AIJ Jacobian, PCMG's "
                         "Galerkin products, Dt in the kernel: the package before issue 16), "
                         "pointwise (BAIJ, Dt evaluated in the kernel at every quadrature "
                         "point, the residual form assembled: the default of the first issue-16 "
                         "session), baij (the default: BAIJ, Dt's quadrature average per cell, "
                         "the residual A m - b: the same matrix and residual, the diffusion term "
                         "by fem_spin.core.diffusion_kernel; BAIJ operators on the coarser "
                         "smoothed levels, two Chebyshev steps on the intermediate ones), "
                         "baij-aijlevels (baij with "
                         "the multigrid before the fifteenth session: AIJ coarser levels, one "
                         "step on every level), ffcx (baij with FFCx's kernel of the "
                         "whole form: the default before the seventh session), cell (BAIJ and "
                         "tensor='cell', Dt at the midpoint)")
    ap.add_argument("--timeout", type=float, default=1800)
    ap.add_argument("--name", default="s1_benchmark")
    ap.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                    help="a PETSc option (no prefix) on top of the iterative solver's, e.g. "
                         "mg_levels_pc_type=sor (repeatable)")
    ap.add_argument("--markdown-only", action="store_true",
                    help="rewrite results/<name>.md from results/<name>.json")
    args = ap.parse_args()
    if args.markdown_only:
        data = json.loads((RESULTS / f"{args.name}.json").read_text())
        (RESULTS / f"{args.name}.md").write_text(markdown(data))
        return
    if args.worker:
        args.a = args.a[0]
        worker(args)
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    data = {"machine": machine(), "reps": args.reps, "rtol": RTOL, "cases": [],
            "petsc_options": options(args),
            "device": {"L_nm": L, "thickness_nm": THICKNESS, "base_cells": BASE_CELLS,
                       "D_nm2_per_ps": D, "l_sf_nm": L_SF, "tau_ps": TAU, "vortex_core_nm": CORE,
                       "m0": M0}}
    for level in args.levels:
        for np_ in args.nps:
            for a in args.a:
                c = run_case(level, a, np_, args)
                data["cases"].append(c)
                s = c.get("s1_iterative", {})
                print(f"level {level} np {np_} a {a:g}: Poisson "
                      f"{c.get('poisson', {}).get('solve_s')} s; S1 {s.get('iterations')} its "
                      f"setup {s.get('setup_s')} solve {s.get('solve_s')} (load {load()})",
                      flush=True)
                (RESULTS / f"{args.name}.json").write_text(json.dumps(data, indent=1))
                (RESULTS / f"{args.name}.md").write_text(markdown(data))


if __name__ == "__main__":
    main()
