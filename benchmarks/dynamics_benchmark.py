"""Benchmark: coupled spin dynamics (S2 + LLG, monolithic) at real 3D sizes, against S1.

The switching pillar of ``examples/switching_pillar.toml`` (a 6 nm radius CPP nanopillar,
fixed / spacer / free / cap layers, drive j = 5.5: P J = 4.8e12 A/m^2, BDF2 for m and the
implicit midpoint rule for M, dt = 2 ps), its mesh refined uniformly ``r`` times (level r
has 8^r times the cells of the case file's mesh, h_max = 2 nm / 2^r). For each level, number
of ranks and linear-solver variant, a worker process (run under mpiexec)

* builds the coupled problem as ``fem-spin run`` does, takes ``--warmup`` steps (the first
  one compiles nothing new but makes the first factorization), then times ``--steps`` steps:
  wall seconds per step and per Newton iteration, Newton and linear iterations;
* solves S1 on the same mesh with the magnetization reached (the same materials and boundary
  data, the drive at full strength), with the package's choice for that size: its time to
  solution (assembly + set-up + solve, i.e. ``solve()``) with the iterative solver (the
  geometric multigrid on the refinement hierarchy; GMRES + GAMG without one), and the MUMPS
  solve beside it;

and reports the ratio (one coupled step) / (one S1 time to solution). Variants of the coupled
linear solver (``--variants``): ``mumps`` (a fresh MUMPS LU at every Newton iteration,
:data:`fem_spin.problems.coupled_solver.FRESH_NEWTON_OPTIONS`: the package default before
the sixth session of issue 16) and ``lagged`` (:data:`fem_spin.core.newton.LAGGED_LU_OPTIONS`:
GMRES preconditioned by a MUMPS LU that is kept across Newton iterations and steps and
refreshed when GMRES needs too many iterations), ``chord`` (the direct solver's default now,
:data:`fem_spin.problems.coupled_solver.CHORD`: the Jacobian kept too; with P1, (m, M, W) is
one blocked unknown, the Jacobian BAIJ and the LU that of W's Schur complement:
:data:`fem_spin.problems.coupled_solver.CHORD_W_SCHUR`), ``chord-lu`` (the same with the LU of
the whole BAIJ Jacobian, before issue 16's ninth session), ``chord-mixed`` (the same on the
mixed space of three P1 vectors: :data:`fem_spin.problems.coupled.BLOCKED_UNKNOWN` = False),
``block`` (``linear_solver="block"``, :mod:`fem_spin.core.block_solver`: FGMRES with a field split,
m by the geometric multigrid on the refinement hierarchy, the magnets' (M, W) by MUMPS,
Jacobian and preconditioner kept, Eisenstat-Walker tolerances; with P1 on one blocked
unknown, the split built from an AIJ copy of the BAIJ Jacobian, the magnets' (M, W) by W's
Schur complement: :mod:`fem_spin.core.lumped_schur`), ``block-mw-lu`` (the same with (M, W)
by MUMPS LU, before issue 16's ninth session), ``chord-line`` and ``block-line`` (the step's
initial guess the straight line through the last two states instead of the parabola through
three, :data:`fem_spin.stepping.predictor.ORDER` = 1: before issue 16's eleventh session),
``chord-full`` and ``block-full`` (the AIJ copy of the BAIJ Jacobian with all its stored
values, zeros and all, and the BAIJ Jacobian the Krylov operator:
:data:`fem_spin.core.sparse_copy.SPARSE_COPY` = False, before issue 16's twelfth session),
``chord-tight`` and ``block-tight`` (the update test of the whole vector, at 1e-12 of the
solution for the chord and 1e-10 for the block solver, and no rotation of M at the step's
end: before issue 16's thirteenth session; :data:`fem_spin.core.update_test.PER_FIELD` and
:data:`fem_spin.stepping.midpoint_rotation.ROTATION` = False), ``chord-whole`` and
``block-whole`` (the residual and Jacobian assembled on every cell, not split where M is
pinned: :data:`fem_spin.core.affine_split.AFFINE_SPLIT` = False, before issue 16's
fourteenth session), ``block-aijm`` (the m split's multigrid on PCMG's AIJ Galerkin
products: :data:`fem_spin.core.block_solver.BLOCKED_M_LEVELS` = False, before issue 16's
fifteenth session), ``block-refill`` (the Jacobian's sparse copy refilled from the whole BAIJ
Jacobian, ``K`` added to it: :data:`fem_spin.core.affine_split.COPY_FILL` = False, before issue
16's sixteenth session), ``block-fifteenth`` (the block solver as the fifteenth session left
it: also a backtracking line search, PETSc's first Eisenstat-Walker tolerance 0.3 and the
pinned split first: :data:`fem_spin.problems.coupled_solver.BLOCK_FULL_STEPS` = False,
:data:`fem_spin.core.block_solver.SPLIT_ORDER`), ``block-sixteenth`` (as the sixteenth
session left it: PETSc's Eisenstat-Walker exponent, the golden ratio, instead of
``snes_ksp_ew_alpha`` = 1 in :data:`fem_spin.core.block_solver.BLOCK_OPTIONS`, and a stopped
kept-Jacobian attempt repeated from the initial guess:
:data:`fem_spin.core.refresh_policy.GO_ON` = False),
``block-mixed`` (on the mixed
space) and ``block-before`` (the same before the fifth session of issue 16:
:func:`before_fifth_session`).
The driver writes ``benchmarks/results/<name>.json`` and ``.md`` with the load average of the
machine at each case.

Usage (from the repository root, the venv's python and mpiexec on PATH)::

    python benchmarks/dynamics_benchmark.py --levels 0 1 2 --nps 1 2
    python benchmarks/dynamics_benchmark.py --worker --level 1 --variant lagged   # one case
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
CASE = ROOT / "examples" / "switching_pillar.toml"
DRIVE = 5.5
VARIANTS = ("mumps", "lagged", "chord", "chord-lu", "chord-mixed", "chord-line", "block",
            "block-mixed", "block-mw-lu", "block-before", "block-line", "chord-full",
            "block-full", "chord-tight", "block-tight", "chord-whole", "block-whole",
            "block-aijm", "block-refill", "block-fifteenth", "block-sixteenth")


def worker(args) -> None:
    import fem_spin as fs  # noqa: I001 (first: before dolfinx / petsc4py)

    from mpi4py import MPI
    from petsc4py import PETSc

    from fem_spin.app.builders.geometry import mesh_step
    from fem_spin.app.builders.problems import coupled_problem
    from fem_spin.app.results import Results
    from fem_spin.app.schema import load_case
    from fem_spin.core.newton import LAGGED_LU_OPTIONS
    from fem_spin.problems.coupled_solver import FRESH_NEWTON_OPTIONS

    comm = MPI.COMM_WORLD
    PETSc.Log.begin()
    overrides = [f"solver.refinements={args.level}", f"dynamics.drives=[{DRIVE}]"]
    if args.h_max:
        overrides.append(f"geometry.h_max={args.h_max}")
    case = load_case(CASE, overrides)
    case = dataclasses.replace(case, linear_solver="iterative" if args.variant.startswith(
        "block") else "direct")
    if args.variant == "block-before":
        before_fifth_session()
    if args.variant == "chord-lu":  # the whole Jacobian's LU (before issue 16's ninth session)
        from fem_spin.problems import coupled_solver

        coupled_solver.DIRECT_W_SCHUR = False
    if args.variant == "block-mw-lu":  # the magnets' (M, W) by LU (before the ninth session)
        from fem_spin.core import block_solver

        block_solver.MW_SCHUR = False
    if args.variant.endswith("-line"):  # the guess through two states (before issue 16's
        from fem_spin.stepping import predictor  # eleventh session)

        predictor.ORDER = 1
    if args.variant.endswith("-full"):  # the AIJ copy with every stored value (before issue
        from fem_spin.core import sparse_copy  # 16's twelfth session)

        sparse_copy.SPARSE_COPY = False
    if args.variant.endswith("-tight"):  # the whole vector's update test, no rotation (before
        from fem_spin.core import update_test  # issue 16's thirteenth session)
        from fem_spin.problems import coupled_solver
        from fem_spin.stepping import midpoint_rotation

        update_test.PER_FIELD = midpoint_rotation.ROTATION = False
        coupled_solver.CHORD["snes_stol"] = 1e-12
        coupled_solver.UPDATE_TOL = 1e-10  # the block solver's (llg.NONLINEAR_OPTIONS)
    if args.variant.endswith("-whole"):  # residual and Jacobian assembled on every cell
        from fem_spin.core import affine_split  # (before issue 16's fourteenth session)

        affine_split.AFFINE_SPLIT = False
    if args.variant == "block-aijm":  # the m split's multigrid on PCMG's AIJ products (before
        from fem_spin.core import block_solver  # issue 16's fifteenth session)

        block_solver.BLOCKED_M_LEVELS = False
    if args.variant in ("block-refill", "block-fifteenth"):  # the copy refilled from the
        from fem_spin.core import affine_split  # whole BAIJ Jacobian (before issue 16's

        affine_split.COPY_FILL = False  # sixteenth session)
    if args.variant == "block-fifteenth":  # also a backtracking line search, the first
        from fem_spin.core import block_solver  # linear solve to PETSc's 0.3 and the pinned
        from fem_spin.problems import coupled_solver  # split first: the fifteenth session's

        coupled_solver.BLOCK_FULL_STEPS = False
        del block_solver.BLOCK_OPTIONS["snes_ksp_ew_rtol0"]
        block_solver.SPLIT_ORDER = ("pinned", "m", "MW")
    if args.variant in ("block-sixteenth", "block-fifteenth"):  # PETSc's Eisenstat-Walker
        # exponent; a stopped kept-Jacobian attempt repeated from the initial guess (before
        # issue 16's seventeenth session)
        from fem_spin.core import block_solver, refresh_policy

        del block_solver.BLOCK_OPTIONS["snes_ksp_ew_alpha"]
        refresh_policy.GO_ON = False
    if args.variant.endswith("-mixed"):  # on the mixed space (before issue 16's eighth
        from fem_spin.problems import coupled  # session)

        coupled.BLOCKED_UNKNOWN = False
    extra = {"lagged": LAGGED_LU_OPTIONS, "mumps": FRESH_NEWTON_OPTIONS}.get(args.variant)
    if extra:
        case = dataclasses.replace(case, petsc_options={**(case.petsc_options or {}), **extra})
    t0 = time.perf_counter()
    geometry, hierarchy = mesh_step(comm, case, Results())
    t_mesh = time.perf_counter() - t0
    t0 = time.perf_counter()
    problem = coupled_problem(case, geometry, hierarchy=hierarchy)
    t_build = comm.allreduce(time.perf_counter() - t0, op=MPI.MAX)
    V = problem.u.function_space
    dofs = V.dofmap.index_map.size_global * V.dofmap.index_map_bs
    problem.set_drive(case.dynamics.drive(DRIVE))
    dt = case.dynamics.dt
    steps = []
    for k in range(args.warmup + args.steps):
        comm.Barrier()
        t0, c0 = time.perf_counter(), time.process_time()
        info = problem.step(dt)
        wall = comm.allreduce(time.perf_counter() - t0, op=MPI.MAX)
        cpu = comm.allreduce(time.process_time() - c0, op=MPI.MAX)
        if k >= args.warmup:
            steps.append({"t": info.t, "wall_s": wall, "cpu_s": cpu,
                          "newton": info.newton_iterations, "linear": info.linear_iterations})
    newton = sum(s["newton"] for s in steps)
    wall = sum(s["wall_s"] for s in steps)
    cpu = sum(s["cpu_s"] for s in steps)
    out = {"level": args.level, "np": comm.size, "variant": args.variant, "dofs": dofs,
           "cells": geometry.mesh.topology.index_map(3).size_global, "mesh_s": t_mesh,
           "build_s": t_build, "steps": steps, "step_s": wall / len(steps),
           "step_cpu_s": cpu / len(steps), "newton_cpu_s": cpu / max(newton, 1),
           "newton_per_step": newton / len(steps), "newton_s": wall / max(newton, 1),
           "linear_per_newton": sum(s["linear"] for s in steps) / max(newton, 1),
           "Mx": float(problem.average_M()[0]), "solver": problem.solver_description}

    # S1 on the same mesh, with the magnetization reached and the drive at full strength
    M = problem.field("M")
    core = problem.core
    s1 = {}
    # the iterative S1 is the multigrid on the hierarchy; without one (level 0) the automatic
    # choice (MUMPS at that size: GMRES + GAMG fails at a = 20)
    for solver in ("iterative" if hierarchy is not None else "auto", "direct"):
        if solver == "direct" and out["dofs"] // 3 > args.direct_max_dofs:
            continue
        p = fs.SteadySpinDiffusion(
            geometry.mesh, core.materials, cell_tags=geometry.cell_tags,
            facet_tags=geometry.facet_tags, M=M, dirichlet=core.dirichlet, flux=core.flux,
            solver=solver, hierarchy=hierarchy)
        best = cbest = None
        for _ in range(2):
            p.m.x.array[:] = 0.0
            comm.Barrier()
            t0, c0 = time.perf_counter(), time.process_time()
            info = p.solve()
            t = comm.allreduce(time.perf_counter() - t0, op=MPI.MAX)
            c = comm.allreduce(time.process_time() - c0, op=MPI.MAX)
            best = t if best is None else min(best, t)
            cbest = c if cbest is None else min(cbest, c)
        s1[solver] = {"dofs": p.V.dofmap.index_map.size_global * 3, "seconds": best,
                      "cpu_s": cbest,
                      "solver": p.linear_solver.description,
                      "iterations": info.linear_iterations}
        p.close()
    out["s1"] = s1
    first = s1["iterative" if hierarchy is not None else "auto"]
    out["step_over_s1"] = out["step_s"] / first["seconds"]
    out["step_over_s1_cpu"] = out["step_cpu_s"] / first["cpu_s"]
    problem.close()
    if comm.rank == 0:
        print("RESULT " + json.dumps(out), flush=True)


def before_fifth_session() -> None:
    """The block solver as it was before the fifth session of issue 16 (for side-by-side
    ratios): DOLFINx's residual (coefficients packed twice per evaluation, with the lifting),
    the accumulation's multigrid smoothed by one Chebyshev step under GMRES (it fails on the
    refined pillar after t = 20 ps: time only the first steps), and a kept Jacobian refreshed
    after any solve of more than 8 Newton iterations."""
    from fem_spin.core import block_solver, newton, refresh_policy

    class CountOnly(refresh_policy.RefreshPolicy):
        def record(self, seconds, iterations):
            self.pending = iterations > self.max_iterations
            return self.pending

    newton.PACKED_RESIDUAL = False
    newton.LAG_REFRESH_NEWTON = 8
    newton.RefreshPolicy = CountOnly
    block_solver.M_MULTIGRID_OPTIONS.update({
        "ksp_type": "gmres", "fieldsplit_m_mg_levels_ksp_type": "chebyshev",
        "fieldsplit_m_mg_levels_ksp_max_it": 1})


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def run_case(level, np_, variant, args) -> dict:
    cmd = [sys.executable, "-m", "mpi4py", str(Path(__file__).resolve()), "--worker",
           "--level", str(level), "--variant", variant, "--steps", str(args.steps),
           "--warmup", str(args.warmup), "--direct-max-dofs", str(args.direct_max_dofs),
           "--h-max", str(args.h_max or 0)]
    if np_ > 1:
        cmd = [str(Path(sys.executable).parent / "mpiexec"), "-n", str(np_), *cmd]
    before = load()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout, cwd=ROOT)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            out = json.loads(line[7:])
            out["load_before"], out["load_after"] = before, load()
            return out
    print(proc.stdout[-2000:], proc.stderr[-4000:], file=sys.stderr)
    return {"level": level, "np": np_, "variant": variant, "failed": proc.stderr[-1500:]}


def markdown(data: dict) -> str:
    lines = ["# Coupled dynamics benchmark (switching pillar, S2 + LLG monolithic)", "",
             f"Case {CASE.name}, drive j = {DRIVE:g}, dt = 2 ps, {data['warmup']} warm-up "
             f"step(s) then {data['steps']} timed steps (seconds: wall, max over ranks). "
             "S1: the steady problem on the same mesh and M (solver='iterative': the geometric "
             "multigrid on the refinement hierarchy; `solve()` = assembly + set-up + solve, "
             "the best of 2), MUMPS beside it.", "",
             "Coarse mesh h_max = " + (f"{data['h_max']:g} nm" if data.get("h_max") else
                                       "2 nm (the case file's)") + ". "
             "Times as wall / CPU seconds (CPU: max over ranks; on a shared machine the work "
             "done, free of the waiting for a core).", "",
             "| level | cells | dofs (m, M, W) | np | variant | s / step | Newton its / step "
             "| s / Newton it | linear its / Newton it | S1 dofs | S1 solver | S1 s | S1 MUMPS s "
             "| step / S1 (CPU) | <M_x> after the steps | load before / after |",
             "|" + "---|" * 16]
    for c in data["cases"]:
        if "failed" in c:
            lines.append(f"| {c['level']} | | | {c['np']} | {c['variant']} | FAILED |"
                         + " |" * 10)
            continue
        s1 = c["s1"].get("iterative") or c["s1"]["auto"]
        direct = c["s1"].get("direct")
        lines.append(
            f"| {c['level']} | {c['cells']:,} | {c['dofs']:,} | {c['np']} | {c['variant']} | "
            f"{c['step_s']:.2f} / {c['step_cpu_s']:.2f} | {c['newton_per_step']:.1f} | "
            f"{c['newton_s']:.3f} / {c['newton_cpu_s']:.3f} | "
            f"{c['linear_per_newton']:.1f} | {s1['dofs']:,} | {s1['solver'].replace('|', '/')} "
            f"({s1['iterations']} its) | {s1['seconds']:.2f} / {s1['cpu_s']:.2f} | "
            + ("-" if direct is None else f"{direct['seconds']:.2f} / {direct['cpu_s']:.2f}")
            + f" | {c['step_over_s1']:.1f} ({c['step_over_s1_cpu']:.1f}) | {c['Mx']:.10f} | "
            f"{c['load_before']} / {c['load_after']} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--worker", action="store_true")
    ap.add_argument("--level", type=int, default=0)
    ap.add_argument("--levels", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--nps", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--variant", default="mumps", choices=VARIANTS)
    ap.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--direct-max-dofs", type=int, default=250_000,
                    help="time the MUMPS S1 solve beside the automatic choice up to this size")
    ap.add_argument("--timeout", type=float, default=3600)
    ap.add_argument("--h-max", type=float, default=0.0,
                    help="geometry.h_max of the coarse mesh (nm; 0: the case file's 2 nm)")
    ap.add_argument("--name", default="dynamics_benchmark")
    args = ap.parse_args()
    if args.worker:
        worker(args)
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    data = {"steps": args.steps, "warmup": args.warmup, "h_max": args.h_max, "cases": []}
    for level in args.levels:
        for np_ in args.nps:
            for variant in args.variants:
                c = run_case(level, np_, variant, args)
                data["cases"].append(c)
                print(f"level {level} np {np_} {variant}: {c.get('step_s')} s/step, "
                      f"{c.get('newton_per_step')} Newton/step, step/S1 "
                      f"{c.get('step_over_s1')} (load {load()})", flush=True)
                (RESULTS / f"{args.name}.json").write_text(json.dumps(data, indent=1))
                (RESULTS / f"{args.name}.md").write_text(markdown(data))


if __name__ == "__main__":
    main()
