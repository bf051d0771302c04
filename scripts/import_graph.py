"""The import graph of the fem_spin package, read from the source (nothing is imported).

    python scripts/import_graph.py            # the layers, bottom first, and the checks
    python scripts/import_graph.py --edges    # also every module -> module import

Checks (exit status 1 if one fails): no import cycle between modules (function-level imports
included), the library never imports the application layer ``fem_spin.app``, and no module
is longer than ``--max-lines`` (400).
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "fem_spin"


def modules(root: Path = PACKAGE) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file of the package."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package modules that module ``name`` imports (anywhere in the file)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            targets = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        for t in targets:
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t and t != name:
                found.add(t)
    return found


def graph() -> tuple[dict[str, set[str]], dict[str, Path]]:
    mods = modules()
    known = set(mods)
    edges = {m: imports(m, p, known) for m, p in mods.items()}
    # a package's __init__ importing its own submodules is its face, not a dependency of them
    for m in edges:
        edges[m] = {t for t in edges[m] if not (m.startswith(t + ".") and t in mods
                                                 and mods[t].name == "__init__.py")}
    return edges, mods


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10_000)
    for v in edges:
        if v not in index:
            visit(v)
    return out


def layers(edges: dict[str, set[str]]) -> list[list[str]]:
    """Modules by depth: layer 0 imports no package module, layer k only lower layers."""
    depth: dict[str, int] = {}

    def d(v, seen=()):
        if v not in depth:
            depth[v] = 1 + max((d(w, (*seen, v)) for w in edges[v] if w not in seen),
                               default=-1)
        return depth[v]

    for v in edges:
        d(v)
    out: list[list[str]] = [[] for _ in range(max(depth.values()) + 1)]
    for v, k in depth.items():
        out[k].append(v)
    return [sorted(x) for x in out]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", action="store_true", help="print every import edge")
    parser.add_argument("--max-lines", type=int, default=400)
    args = parser.parse_args(argv)
    edges, mods = graph()
    for k, layer in enumerate(layers(edges)):
        print(f"layer {k}: " + ", ".join(m.removeprefix("fem_spin.") or "fem_spin"
                                          for m in layer))
    if args.edges:
        for m in sorted(edges):
            for t in sorted(edges[m]):
                print(f"{m} -> {t}")
    failures = []
    for c in cycles(edges):
        failures.append("import cycle: " + " <-> ".join(c))
    for m, targets in edges.items():
        if not m.startswith("fem_spin.app") and m != "fem_spin":
            for t in targets:
                if t.startswith("fem_spin.app"):
                    failures.append(f"the library imports the application layer: {m} -> {t}")
    for m, p in mods.items():
        n = len(p.read_text(encoding="utf-8").splitlines())
        if n > args.max_lines:
            failures.append(f"{p.relative_to(PACKAGE.parent)}: {n} lines > {args.max_lines}")
    print(f"{len(mods)} modules, {sum(len(t) for t in edges.values())} imports")
    for f in failures:
        print("FAIL", f)
    if not failures:
        print("no import cycle; the library never imports fem_spin.app; every module <= "
              f"{args.max_lines} lines")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
