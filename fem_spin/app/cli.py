"""The ``fem-spin`` command: run a case file, mesh it, plot its output, run the demos.

    fem-spin run case.toml [--out DIR] [--set KEY=VALUE ...] [--overwrite | --resume DIR]
    fem-spin status DIR                 running, finished, failed, interrupted or dead
    fem-spin check case.toml            validate only (no computation)
    fem-spin mesh case.toml [--write mesh.xdmf]
    fem-spin plot OUTPUT_FOLDER
    fem-spin demos [run NAME [ARGS ...]]
    fem-spin examples

Works under ``mpiexec -n N fem-spin ...``: every rank runs, only rank 0 prints. Errors in the
input print one line (``case.toml:12: materials.fm_left.tau: must be positive ...``) and
exit with status 2; a failed solve exits with 1; SIGTERM / SIGINT stop a run at its next step
(a checkpoint first) with status 143 / 130. An I/O error or any unexpected error prints one
line and aborts all ranks (MPI_Abort: none is left waiting in a collective call), status 1.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time
from pathlib import Path

from mpi4py import MPI

import fem_spin  # before dolfinx and petsc4py
from fem_spin.app.catalog import demo_paths, example_path, example_paths, load_demo, title
from fem_spin.app.dynamics import dynamics_report
from fem_spin.app.modes import modes_report
from fem_spin.app.sizing import add_options, apply_options, check_size
from fem_spin.app.status import add_status_command, resumable
from fem_spin.errors import InputError

__all__ = ["demo_paths", "example_path", "example_paths", "load_demo", "main"]

log = logging.getLogger(__name__)

EXIT_INPUT, EXIT_FAILED = 2, 1

DESCRIPTION = """\
fem_spin: spin transport in ferromagnets with non-uniform magnetization (finite elements,
DOLFINx). Describe a device in a TOML case file (geometry, materials per region,
magnetization texture, drive, solver, outputs), then run it. Units: nm, ps, rad/ps.

first steps:
  fem-spin examples                      list the example case files
  fem-spin check examples/cpp_bilayer.toml   validate a case without computing
  fem-spin run examples/cpp_bilayer.toml     solve; files go to output/cpp_bilayer_cli/
  fem-spin plot output/cpp_bilayer_cli       (re)draw the line profiles as PNG
  fem-spin demos                         list the demos (literate scripts)
  mpiexec -n 2 fem-spin run case.toml    the same in parallel (only rank 0 prints)
"""

RUN_HELP = """\
Solve the steady spin-diffusion problem S1 of a case file and write one folder:
input.toml (the case as given), fields.bp (VTX for ParaView: m, H, m_eq, M; fields_J.bp:
the spin current), <line>.csv and <line>.png (line profiles), fields.png (2D/3D), and
summary.json (parameters, mesh statistics, solver iterations, timings, versions). The
summary says "status": "running" until the run completes, then "success"; an error writes
"failed" with the message.

A case with a [dynamics] table runs the magnetization dynamics instead (S2 + LLG, one run
per drive amplitude): drive_<j>/trace.csv, fields.bp (time series), checkpoint.npz, the
final state's lines; traces.png, switching_time.png; switching times in summary.json.

examples:
  fem-spin run examples/cpp_bilayer.toml
  fem-spin run examples/cpp_bilayer.toml --set 'magnetization.axes.fm_right.theta_deg=45' \\
      --set 'drive.dirichlet.1.value={theta_deg=45}' --out output/theta45
  mpiexec -n 2 fem-spin run examples/pillar_3d.toml
  fem-spin run examples/switching_pillar.toml --set 'dynamics.drives=[5.5]'
"""

SET_HELP = ("override a value of the case file, KEY a dotted path and VALUE a TOML value "
            "(2.5, [0, 0, 1], '\"text\"', {theta_deg = 45}); list elements by index "
            "(outputs.lines.0.samples=801); repeatable")


def _print(*args, **kwargs) -> None:
    if MPI.COMM_WORLD.rank == 0:
        print(*args, **kwargs, flush=True)


# -- commands ---------------------------------------------------------------------------------


def _load(args):
    from fem_spin.app.schema import load_case

    apply_options(args)  # --strict, --max-memory
    return load_case(args.case, args.set)


def cmd_check(args) -> int:
    case = _load(args)
    g = case.geometry
    _print(f"{args.case}: OK — case {case.name!r}, {g.kind} ({g.gdim}D), regions "
           f"{', '.join(g.regions)}; magnetization {case.magnetization.kind}; m_eq "
           f"{case.m_eq}; {len(case.dirichlet)} dirichlet, {len(case.flux)} flux; P{case.degree}; "
           f"output to {case.folder}")
    if case.dynamics is not None:
        d = case.dynamics
        _print(f"dynamics: magnets {', '.join(d.magnets)}; drives {list(d.drives)}; t_end "
               f"{d.t_end:g} ps, " + (f"step control tol {d.tol:g}" if d.tol else
                                      f"dt {d.dt:g} ps") + f", {d.scheme}, {d.coupling}")
    _print(f"size: {check_size(case, MPI.COMM_WORLD)}; boundary names and the resolution are "
           "checked on the mesh by `fem-spin mesh` and `fem-spin run`")
    return 0


def cmd_run(args) -> int:
    from fem_spin.app.runner import run_case

    case = _load(args)
    existing = "overwrite" if args.overwrite else "refuse"
    if args.resume is not None:
        if not resumable(args):
            return 0
        existing = "resume"
    summary = run_case(case, MPI.COMM_WORLD, args.out, command=["fem-spin", *sys.argv[1:]],
                       existing=existing)
    s, t = summary["solve"], summary["timings"]
    report = (dynamics_report if case.dynamics is not None else
              modes_report if case.modes is not None else None)
    if report is not None:
        _print(report(case, summary, args.out or case.folder))
        return 0
    _print(f"{case.name}: {s['reason']} ({s['newton_iterations']} Newton / "
           f"{s['linear_iterations']} linear iterations), {summary['mesh']['dofs']} dofs on "
           f"{MPI.COMM_WORLD.size} rank(s), {t['total']:.1f} s "
           f"(mesh {t['mesh']:.1f}, setup {t['setup']:.1f}, solve {t['solve']:.1f}, "
           f"output {t['output'] + t['pictures']:.1f})")
    _print(f"output: {args.out or case.folder}/ ({', '.join(summary['files'])})")
    return 0


def cmd_mesh(args) -> int:
    from fem_spin.app.builders.geometry import boundary_names, build_geometry
    from fem_spin.app.schema import check_boundaries

    case = _load(args)
    comm = MPI.COMM_WORLD
    t0 = time.perf_counter()
    geometry = build_geometry(comm, case)
    seconds = comm.allreduce(time.perf_counter() - t0, op=MPI.MAX)
    facets = boundary_names(case, geometry)
    st = geometry.stats
    lines = [f"{case.name}: {case.geometry.kind} mesh ({case.geometry.gdim}D), "
             f"{int(st['cells'])} cells, h from {st['h_min']:.3g} to {st['h_max']:.3g} nm, "
             f"built in {seconds:.2f} s on {comm.size} rank(s)"]
    if "quality_min" in st:
        lines.append(f"  quality (gmsh minSICN): min {st['quality_min']:.2f}, "
                     f"mean {st['quality_mean']:.2f}")
    lines.append("  regions:    " + ", ".join(f"{n} ({geometry.tags[n]})"
                                             for n in case.geometry.regions))
    lines.append("  boundaries: " + (", ".join(f"{n} ({geometry.tags[n]})" for n in facets)
                                     or "none (a closed loop)"))
    extra = {k: v for k, v in st.items() if k not in ("cells", "h_min", "h_max",
                                                      "quality_min", "quality_mean")}
    if extra:
        lines.append("  " + ", ".join(f"{k} {v:.4g}" for k, v in extra.items()))
    _print("\n".join(lines))
    check_boundaries(case, facets)
    if args.write:
        import dolfinx.io

        path = Path(args.write)
        if path.suffix != ".xdmf":
            raise InputError(f"--write needs a file name ending in .xdmf, got {path}")
        if comm.rank == 0:
            path.parent.mkdir(parents=True, exist_ok=True)
        comm.barrier()
        mesh = geometry.mesh
        tdim = mesh.topology.dim
        mesh.topology.create_connectivity(tdim - 1, tdim)
        with dolfinx.io.XDMFFile(comm, str(path), "w") as f:
            f.write_mesh(mesh)
            if geometry.cell_tags is not None:
                geometry.cell_tags.name = "regions"
                f.write_meshtags(geometry.cell_tags, mesh.geometry)
            if geometry.facet_tags is not None:
                geometry.facet_tags.name = "boundaries"
                f.write_meshtags(geometry.facet_tags, mesh.geometry)
        _print(f"  written: {path} (mesh, cell tags 'regions', facet tags 'boundaries')")
    return 0


def cmd_plot(args) -> int:
    from fem_spin.app.report import plot_csv

    folder = Path(args.folder)
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder: give the output folder of a run")
    if (folder / "summary.json").is_file():  # a dynamics run: its traces and drive folders
        from fem_spin.app.report import redraw

        written = redraw(folder) if MPI.COMM_WORLD.rank == 0 else []
        if MPI.COMM_WORLD.bcast(written is not None, root=0):
            for png in written:
                _print(png)
            return 0
    csvs = sorted(folder.rglob("*.csv") if args.recursive else folder.glob("*.csv"))
    if not csvs:
        raise InputError(f"no CSV files in {folder}" + ("" if args.recursive else
                                                         " (try --recursive)"))
    if MPI.COMM_WORLD.rank == 0:
        for csv in csvs:
            png = plot_csv(csv, csv.with_suffix(".png"))
            print(f"{png}", flush=True)
    return 0


def cmd_examples(args) -> int:
    examples = example_paths()
    if not examples:
        raise InputError("no example case files found (set FEM_SPIN_EXAMPLES to the "
                         "examples/ folder of fem_spin)")
    width = max(map(len, examples))
    _print("example case files (fem-spin run PATH):")
    for name, path in examples.items():
        _print(f"  {name:<{width}}  {title(path)}\n  {'':<{width}}  {path}")
    return 0


def cmd_demos(args) -> int:
    demos = demo_paths()
    if not demos:
        raise InputError("no demos found (set FEM_SPIN_DEMOS to the demos/ folder of "
                         "fem_spin)")
    if args.action in (None, "list"):
        width = max(map(len, demos))
        _print("demos (fem-spin demos run NAME [--help | ARGS]):")
        for name, path in demos.items():
            _print(f"  {name:<{width}}  {title(path)}")
        return 0
    if args.action != "run" or not args.name:
        raise InputError("usage: fem-spin demos [list] | fem-spin demos run NAME [ARGS ...]")
    path = demos.get(args.name)
    argv0 = sys.argv
    sys.argv = [str(path or args.name), *args.args]
    try:
        module = load_demo(args.name)
        if hasattr(module, "main"):
            module.main(list(args.args))
        else:  # a script without main(argv): run it as __main__
            import runpy

            runpy.run_path(str(path), run_name="__main__")
    finally:
        sys.argv = argv0
    return 0


# -- the parser -------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """Prints (help, usage, errors) on rank 0 only: under mpiexec every rank parses."""

    def _print_message(self, message: str, file=None) -> None:
        if MPI.COMM_WORLD.rank == 0:
            super()._print_message(message, file)


def _verbosity(parser: argparse.ArgumentParser, default) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", action="store_true", default=default,
                       help="only warnings and errors on stderr (no progress)")
    group.add_argument("-v", "--verbose", action="store_true", default=default,
                       help="debug messages too")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="fem-spin", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Run `fem-spin COMMAND --help` for the options of a command.\nThe keys of a "
               "case file: examples/README.md (and fem_spin/app/schema/).")
    parser.add_argument("--version", action="version",
                        version=f"fem_spin {fem_spin.__version__}")
    _verbosity(parser, False)
    common = _Parser(add_help=False)
    _verbosity(common, argparse.SUPPRESS)  # also after the command: fem-spin run -q case.toml
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def case_command(name: str, help_: str, description: str):
        p = sub.add_parser(name, help=help_, description=description, parents=[common],
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        p.add_argument("case", type=Path, help="the TOML case file")
        p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                       help=SET_HELP)
        add_options(p)  # --strict, --max-memory
        return p

    p = case_command("run", "solve a case file and write its output folder", RUN_HELP)
    p.add_argument("--out", type=Path, default=None,
                   help="output folder (default: outputs.folder of the case, else "
                        "output/<case name>); it must be empty or new")
    p.add_argument("--overwrite", action="store_true", help="clear an earlier run's folder")
    p.add_argument("--resume", type=Path, metavar="FOLDER", help="continue the stopped run in "
                   "FOLDER (same case and --set): from its last checkpoints, drives done kept")
    p.set_defaults(func=cmd_run)
    p = case_command("check", "validate a case file without computing anything",
                     "Read and validate a case file: unknown keys, types, signs, names of\n"
                     "regions, impossible combinations. The first problem found is printed as\n"
                     "one line with its key path and line number (exit status 2).")
    p.set_defaults(func=cmd_check)
    p = case_command("mesh", "build and describe the mesh of a case (optionally write it)",
                     "Build the mesh of a case file and report cells, cell sizes, quality,\n"
                     "the regions and the boundary names that [drive] can use.")
    p.add_argument("--write", metavar="FILE.xdmf",
                   help="write the mesh with its tags (XDMF, for ParaView)")
    p.set_defaults(func=cmd_mesh)

    p = sub.add_parser("plot", parents=[common],
                       help="draw PNG line plots of the CSV files of an output folder",
                       description="Write <name>.png beside every <name>.csv of FOLDER: the "
                                   "spin accumulation m (solid) and M (dashed) against the "
                                   "coordinate that varies along the line (or s). The folder "
                                   "of a [dynamics] run gets traces.png, switching_time.png "
                                   "and each drive's line plots redrawn.")
    p.add_argument("folder", help="an output folder of `fem-spin run` (or any CSV folder)")
    p.add_argument("-r", "--recursive", action="store_true", help="CSV files in subfolders too")
    p.set_defaults(func=cmd_plot)

    add_status_command(sub, common)

    p = sub.add_parser("examples", parents=[common], help="list the example case files",
                       description="List the example case files shipped with fem_spin.")
    p.set_defaults(func=cmd_examples)

    p = sub.add_parser("demos", help="list the demos, or run one: demos run NAME [ARGS]",
                       description="`fem-spin demos` lists the demos (literate scripts in "
                                   "demos/) with their titles; `fem-spin demos run NAME "
                                   "[ARGS]` runs one with its own arguments (see `fem-spin "
                                   "demos run NAME --help`).",
                       usage="fem-spin demos [list | run NAME [ARGS ...]]")
    p.add_argument("action", nargs="?", choices=["list", "run"], help=argparse.SUPPRESS)
    p.add_argument("name", nargs="?", help=argparse.SUPPRESS)
    p.add_argument("args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_demos)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``fem-spin``; returns the exit status (also when called in-process). As
    the program, after an error that may have left C++ objects whose destructors throw or are
    collective (:mod:`fem_spin.app.exits`), it ends by ``os._exit``."""
    from fem_spin.app import exits

    code = _main(argv)
    if argv is None and exits.hard_exit:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def _main(argv: list[str] | None) -> int:
    from fem_spin.log import configure_logging

    comm = MPI.COMM_WORLD
    if argv is None and hasattr(signal, "SIGPIPE"):
        # `fem-spin demos | head`: end quietly (PETSc's handler would print a crash report)
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    # `demos run NAME ARGS`: the demo's own options (--help too) belong to the demo
    if len(argv) >= 2 and argv[0] == "demos" and argv[1] == "run":
        args = parser.parse_args(argv[:3])
        args.args = argv[3:]
    else:
        args = parser.parse_args(argv)
    if args.command is None:
        if comm.rank == 0:
            parser.print_help()
        return EXIT_INPUT
    configure_logging(logging.WARNING if args.quiet else
                      logging.DEBUG if args.verbose else logging.INFO)
    from fem_spin.app.exits import guarded  # exit status and one line for every error

    return guarded(args.func, args, comm, _error)


def _error(message: str) -> None:
    if MPI.COMM_WORLD.rank == 0:
        print(f"fem-spin: error: {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
