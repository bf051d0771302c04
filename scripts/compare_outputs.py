#!/usr/bin/env python3
"""Compare two output folders of fem_spin runs (demos, `fem-spin run`) numerically.

    python scripts/compare_outputs.py REFERENCE NEW [--tol 1e-12] [--ignore KEY ...]

For every CSV and JSON file of REFERENCE (recursively) the file of the same relative path
in NEW is read and compared:

* CSV: column by column (matched by header name; text columns must be equal); the
  difference of a column is ``max |a - b| / max |a|`` (relative to the column's scale, so
  round-off noise on values that are zero in exact arithmetic does not count as a large
  relative error; a column that is zero in REFERENCE is compared absolutely). A column
  missing in NEW, or a different number of rows, fails; extra columns in NEW are reported
  and allowed.
* JSON: every numeric leaf (lists and dicts recursively, the path as ``a/b/0``) of REFERENCE
  against the same path in NEW, ``|a - b| / max(|a|, |b|)`` (absolute below ``--atol``);
  strings and booleans must be equal. Keys naming timings (``*seconds``), versions, dates,
  commands and paths are skipped (``--ignore`` adds more); keys only in NEW are reported and
  allowed.

Prints per file the largest relative difference and where it is, and exits with status 1
if any exceeds ``--tol`` (or a file, column or key is missing), else 0. Files of other types
(PNG, GIF, VTX folders) are listed as present or missing only.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from pathlib import Path

IGNORE = {
    "seconds", "wall_seconds", "timings", "versions", "started", "finished", "date",
    "command", "case_file", "files", "folder", "output", "path", "paths", "csv", "input",
    "progress_seconds", "elapsed", "elapsed_seconds", "time_seconds",
}
"""JSON keys whose values are not results (matched anywhere in the tree; any key ending in
``seconds`` is a timing and skipped too)."""


def _value(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text


def read_csv(path: Path) -> dict[str, list]:
    """Columns by header name: numbers as floats, other cells (text) as strings."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], [r for r in rows[1:] if r]
    return {name: [_value(r[k]) for r in body] for k, name in enumerate(header)}


def compare_csv(ref: Path, new: Path) -> tuple[float, str, list[str]]:
    a, b = read_csv(ref), read_csv(new)
    problems, worst, where = [], 0.0, ""
    extra = sorted(set(b) - set(a))
    if extra:
        problems.append(f"note: extra columns in new: {extra}")
    for name, col in a.items():
        if name not in b:
            return math.inf, f"column {name!r} missing", problems
        other = b[name]
        if len(other) != len(col):
            return math.inf, f"column {name!r}: {len(col)} rows vs {len(other)}", problems
        if any(isinstance(v, str) for v in (*col, *other)):  # text: equal or not
            if col != other:
                return math.inf, f"column {name!r}: text differs", problems
            continue
        finite = [(x, y) for x, y in zip(col, other, strict=True)
                  if not (math.isnan(x) and math.isnan(y))]
        if any(math.isnan(x) != math.isnan(y) for x, y in finite):
            return math.inf, f"column {name!r}: NaN in one file only", problems
        scale = max((abs(x) for x, _ in finite), default=0.0)
        diff = max((abs(x - y) for x, y in finite), default=0.0)
        rel = diff / scale if scale > 0 else diff
        if rel > worst:
            worst, where = rel, f"column {name!r}"
    return worst, where, problems


def leaves(data, prefix: str, ignore: set[str]):
    """(path, value) of the leaves of a JSON tree, skipping ignored keys."""
    if isinstance(data, dict):
        for k, v in data.items():
            if k in ignore or str(k).endswith("seconds"):
                continue
            yield from leaves(v, f"{prefix}/{k}" if prefix else str(k), ignore)
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from leaves(v, f"{prefix}/{i}", ignore)
    else:
        yield prefix, data


def compare_json(ref: Path, new: Path, ignore: set[str], atol: float
                 ) -> tuple[float, str, list[str]]:
    a = dict(leaves(json.loads(ref.read_text()), "", ignore))
    b = dict(leaves(json.loads(new.read_text()), "", ignore))
    problems, worst, where = [], 0.0, ""
    extra = sorted(set(b) - set(a))
    if extra:
        problems.append(f"note: {len(extra)} leaves only in new, e.g. {extra[:3]}")
    for key, x in a.items():
        if key not in b:
            return math.inf, f"{key} missing", problems
        y = b[key]
        numeric = (isinstance(x, int | float) and not isinstance(x, bool)
                   and isinstance(y, int | float) and not isinstance(y, bool))
        if numeric:
            if math.isnan(x) and math.isnan(y):
                continue
            diff = abs(x - y)
            scale = max(abs(x), abs(y))
            rel = 0.0 if diff <= atol else (diff / scale if scale > 0 else diff)
        else:
            rel = 0.0 if x == y else math.inf
        if rel > worst:
            worst, where = rel, f"{key}: {x!r} vs {y!r}"
    return worst, where, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("reference", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--tol", type=float, default=1e-12, help="largest relative difference")
    parser.add_argument("--atol", type=float, default=1e-300,
                        help="JSON numbers closer than this are equal (default: exact zero)")
    parser.add_argument("--ignore", nargs="*", default=[], help="more JSON keys to skip")
    parser.add_argument("--quiet", action="store_true", help="print failures only")
    args = parser.parse_args(argv)
    ignore = IGNORE | set(args.ignore)
    failed = False
    files = sorted(p for p in args.reference.rglob("*") if p.is_file()
                   and ".bp" not in p.relative_to(args.reference).as_posix())
    for ref in files:
        rel = ref.relative_to(args.reference)
        new = args.new / rel
        if not new.exists():
            print(f"MISSING  {rel}")
            failed = True
            continue
        if ref.suffix == ".csv":
            worst, where, notes = compare_csv(ref, new)
        elif ref.suffix == ".json":
            worst, where, notes = compare_json(ref, new, ignore, args.atol)
        else:
            continue
        bad = worst > args.tol
        failed |= bad
        if bad or not args.quiet:
            print(f"{'FAIL' if bad else 'ok':8} {rel}: max rel diff {worst:.3g}"
                  + (f" ({where})" if where and worst > 0 else ""))
            for note in notes:
                print(f"         {note}")
    for folder in sorted(p for p in args.reference.rglob("*.bp") if p.is_dir()):
        if not (args.new / folder.relative_to(args.reference)).is_dir():
            print(f"MISSING  {folder.relative_to(args.reference)}/")
            failed = True
    print(f"{'FAILED' if failed else 'OK'}: {len(files)} files of {args.reference} against "
          f"{args.new}, tolerance {args.tol:g}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
