"""Case files on disk and as text: read, apply ``--set`` overrides, validate (errors name the
file and line)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fem_spin.app.schema.case import Case, parse_case
from fem_spin.app.tomltable import ConfigError, Source, dotted, type_name

__all__ = ["apply_override", "load_case", "loads"]


def apply_override(data: dict, assignment: str) -> str:
    """Apply one ``--set key.path=VALUE`` to TOML data in place; returns the key path.

    VALUE is read as a TOML value (``2.5``, ``"text"``, ``[0, 0, 1]``, ``{ theta_deg = 45 }``,
    ``true``); a bare word that is not valid TOML is taken as a string. Integer path parts
    index lists: ``outputs.lines.0.samples=801``.
    """
    key, sep, text = assignment.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ConfigError(f"--set needs KEY=VALUE (e.g. geometry.h_max=0.5), got "
                          f"{assignment!r}")
    try:
        value = tomllib.loads(f"v = {text}")["v"]
    except (tomllib.TOMLDecodeError, RecursionError):
        value = text.strip()
    parts: list[str | int] = [int(p) if p.isascii() and p.isdigit() else p
                              for p in key.split(".")]
    if any(p == "" for p in parts):
        raise ConfigError(f"--set {assignment}: empty part in the key path {key!r}")
    node: Any = data
    for i, p in enumerate(parts):
        last = i == len(parts) - 1
        here = dotted(tuple(parts[: i + 1]))
        if isinstance(p, int):
            if not isinstance(node, list) or p >= len(node):
                raise ConfigError(f"--set {assignment}: {dotted(tuple(parts[:i]))} has no "
                                  f"element {p}")
            if last:
                node[p] = value
            else:
                node = node[p]
            continue
        if not isinstance(node, dict):
            raise ConfigError(f"--set {assignment}: {dotted(tuple(parts[:i]))} is not a table")
        if last:
            node[p] = value
        else:
            node = node.setdefault(p, {})
            if not isinstance(node, dict | list):
                raise ConfigError(f"--set {assignment}: {here} is a value, not a table")
    return dotted(tuple(parts))


def loads(text: str, name: str = "<case>", overrides: Sequence[str] = (),
          default_name: str = "case") -> Case:
    """Parse and validate case-file text (see :func:`load_case`)."""
    if not isinstance(text, str):
        raise ConfigError(f"a case file is TOML text, got {type_name(text)}", file=name)
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise ConfigError("not valid TOML: nested too deeply", file=name) from None
    except tomllib.TOMLDecodeError as e:
        message = str(e)
        at = re.search(r"at line (\d+)", message)
        line = int(at.group(1)) if at else (
            max(1, len(text.splitlines())) if "end of document" in message else None)
        message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
        raise ConfigError(f"not valid TOML: {message}", line=line, file=name) from None
    set_by = {apply_override(data, a): a for a in overrides}
    return parse_case(data, Source(name, text, set_by), default_name)


def load_case(path: str | Path, overrides: Sequence[str] = ()) -> Case:
    """Read, override (``--set``) and validate a case file.

    Raises:
        ConfigError: unreadable file, invalid TOML, or the first problem in its values.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read the case file: {e.__class__.__name__}: "
                          f"{getattr(e, 'strerror', None) or e}", file=str(path)) from None
    case = loads(text, str(path), overrides, default_name=path.stem)
    return case
