"""TOML tables that know where they are: typed getters raising :class:`ConfigError` with the
key path (``materials.fm_left.tau``) and the line of the file (tomllib gives no positions, so
:class:`Source` finds a key by scanning the text for its table header and key).

Used by :mod:`fem_spin.app.schema`; nothing here knows about spin transport.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fem_spin.errors import InputError

__all__ = ["MISSING", "ConfigError", "KeyPath", "Source", "Table", "check_number", "dotted",
           "parse_vector", "type_name"]

NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]*$")  # names that may name files

KeyPath = tuple[str | int, ...]  # a key path: table keys and list indices


def dotted(path: KeyPath) -> str:
    """``("materials", "fm_left", "tau")`` -> ``materials.fm_left.tau``; indices as ``[i]``."""
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top level)"


class ConfigError(InputError):
    """A problem in a case file: ``<file>:<line>: <key path>: <message>``.

    Attributes:
        key: the key path (``materials.fm_left.tau``), "" for the whole file.
        line: 1-based line of the file where the key is, or None.
        file: the case file's name.
        message: what is wrong and what to do.
    """

    def __init__(self, message: str, key: str = "", line: int | None = None,
                 file: str = "") -> None:
        self.message, self.key, self.line, self.file = message, key, line, file
        where = file + (f":{line}" if line else "")
        text = f"{key}: {message}" if key else message
        super().__init__(f"{where}: {text}" if where else text)


# -- where a key is in the text ---------------------------------------------------------------

_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"|\'[^\']*\''
_KEY = rf"(?:{_BARE}|{_QUOTED})(?:\s*\.\s*(?:{_BARE}|{_QUOTED}))*"
_KEY_LINE = re.compile(rf"^\s*({_KEY})\s*=")
_HEADER = re.compile(rf"^\s*(\[\[?)\s*({_KEY})\s*\]\]?")


def _split_key(key: str) -> tuple[str, ...]:
    parts = re.findall(rf"{_BARE}|{_QUOTED}", key)
    return tuple(p[1:-1] if p[:1] in "\"'" else p for p in parts)


@dataclass(frozen=True)
class Source:
    """The text of a case file, to find the line of a key path (tomllib gives no positions).

    Attributes:
        name: file name used in messages.
        text: the TOML text ("" when the data did not come from a file).
        overrides: key path -> the ``--set`` argument that set it.
    """

    name: str = "<case>"
    text: str = ""
    overrides: Mapping[str, str] = field(default_factory=dict)

    def _entries(self) -> list[tuple[int, KeyPath]]:
        """(line, full key path) of every header and ``key =`` line, in order."""
        entries: list[tuple[int, KeyPath]] = []
        table: KeyPath = ()
        counts: dict[KeyPath, int] = {}
        for no, raw in enumerate(self.text.splitlines(), start=1):
            header = _HEADER.match(raw)
            if header:
                path = _split_key(header.group(2))
                if header.group(1) == "[[":
                    counts[path] = counts.get(path, -1) + 1
                    table = (*path, counts[path])
                else:
                    table = path
                entries.append((no, table))
                continue
            key = _KEY_LINE.match(raw)
            if key:
                entries.append((no, (*table, *_split_key(key.group(1)))))
        return entries

    def line(self, path: KeyPath) -> int | None:
        """Line of the key path: the key itself, else the nearest enclosing key or table."""
        if not self.text:
            return None
        target = tuple(str(p) for p in path)
        best, best_len = None, 0
        for no, entry in self._entries():
            e = tuple(str(p) for p in entry)
            if len(e) <= len(target) and target[: len(e)] == e and len(e) > best_len:
                best, best_len = no, len(e)
                if len(e) == len(target):
                    break
        return best

    def error(self, path: KeyPath, message: str) -> ConfigError:
        """A :class:`ConfigError` at ``path`` (with the ``--set`` argument that set it)."""
        key = dotted(path)
        for prefix in sorted(self.overrides, key=len, reverse=True):
            if key == prefix or key.startswith(prefix + ".") or key.startswith(prefix + "["):
                return ConfigError(f"{message} (set by --set {self.overrides[prefix]})", key,
                                   None, self.name)
        return ConfigError(message, key, self.line(path) if path else None, self.name)


# -- reading values with their paths ----------------------------------------------------------


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def type_name(x: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "a list", dict: "a table"}.get(type(x), type(x).__name__)


MISSING = object()


class Table:
    """A TOML table with its key path: typed getters that raise :class:`ConfigError`."""

    def __init__(self, data: Any, path: KeyPath, source: Source, what: str = "a table"):
        if not isinstance(data, dict):
            raise source.error(path, f"must be {what}, got {type_name(data)} {data!r:.60}")
        self.data, self.path, self.source = data, path, source

    def error(self, key: str | int | None, message: str) -> ConfigError:
        return self.source.error(self.path if key is None else (*self.path, key), message)

    def allow(self, keys: Iterable[str], context: str = "") -> None:
        """Reject keys not in ``keys`` (with a 'did you mean')."""
        allowed = list(keys)
        for key in self.data:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise self.error(str(key), f"unknown key{context}{hint}; allowed here: "
                                           f"{', '.join(allowed) or 'none'}")

    def known(self, names: Sequence[str], what: str, owner: str) -> None:
        """Every key must be one of ``names`` (the ``what``s of ``owner``, e.g. the regions of
        a pillar); else an error with a 'did you mean' and the list."""
        for key in self.data:
            if key not in names:
                close = difflib.get_close_matches(str(key), list(names), n=1, cutoff=0.6)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise self.error(str(key), f"this {owner} has no {what} named {key!r}{hint}; "
                                           f"its {what}s: {', '.join(names)}")

    def has(self, key: str) -> bool:
        return key in self.data

    def get(self, key: str, default: Any = MISSING) -> Any:
        if key not in self.data:
            if default is MISSING:
                raise self.error(None, f"missing key {key!r}")
            return default
        return self.data[key]

    def number(self, key: str, default: Any = MISSING, *, positive: bool = False,
               nonnegative: bool = False, unit: str = "") -> Any:
        value = self.get(key, default)
        if value is default and default is not MISSING:
            return value
        return check_number(value, lambda m: self.error(key, m), positive=positive,
                            nonnegative=nonnegative, unit=unit)

    def integer(self, key: str, default: Any = MISSING, *, minimum: int | None = None,
                maximum: int | None = None) -> Any:
        value = self.get(key, default)
        if value is default and default is not MISSING:
            return value
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.error(key, f"must be an integer, got {type_name(value)} {value!r:.60}")
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            bounds = (f">= {minimum}" if maximum is None else
                      f"between {minimum} and {maximum}" if minimum is not None else
                      f"<= {maximum}")
            raise self.error(key, f"must be an integer {bounds}, got {value}")
        return value

    def string(self, key: str, default: Any = MISSING, *, choices: Sequence[str] = (),
               name: bool = False) -> Any:
        value = self.get(key, default)
        if value is default and default is not MISSING:
            return value
        if not isinstance(value, str):
            raise self.error(key, f"must be a string, got {type_name(value)} {value!r:.60}")
        if choices and value not in choices:
            close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise self.error(key, f"must be one of {', '.join(map(repr, choices))}, got "
                                  f"{value!r}{hint}")
        if name and not NAME.match(value):
            raise self.error(key, f"must be a name of letters, digits, '_', '-', '.', '+' "
                                  f"(it names files), got {value!r}")
        return value

    def boolean(self, key: str, default: Any = MISSING) -> Any:
        value = self.get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, f"must be true or false, got {type_name(value)} "
                                  f"{value!r:.60}")
        return value

    def table(self, key: str, default: Any = MISSING) -> Table:
        value = self.get(key, {} if default is MISSING else default)
        if key not in self.data and default is MISSING:
            raise self.error(None, f"missing table [{dotted((*self.path, key))}]")
        return Table(value, (*self.path, key), self.source)

    def tables(self, key: str) -> list[Table]:
        """An array of tables (``[[key]]`` or ``key = [{...}, ...]``); [] if absent."""
        value = self.get(key, [])
        if not isinstance(value, list):
            raise self.error(key, f"must be a list of tables ([[{dotted((*self.path, key))}]]), "
                                  f"got {type_name(value)}")
        return [Table(v, (*self.path, key, i), self.source) for i, v in enumerate(value)]

    def vector(self, key: str, default: Any = MISSING) -> Any:
        value = self.get(key, default)
        if value is default and default is not MISSING:
            return value
        return parse_vector(value, (*self.path, key), self.source)

    def numbers(self, key: str, default: Any = MISSING, *, length: int | None = None,
                positive: bool = False, unit: str = "") -> Any:
        """A number or a list of numbers (``length`` of them, when given) -> tuple."""
        value = self.get(key, default)
        if value is default and default is not MISSING:
            return value
        items = value if isinstance(value, list) else [value]
        if not items or (length is not None and len(items) != length):
            n = f"{length} numbers" if length else "numbers"
            raise self.error(key, f"must be {n}, got {value!r:.60}")
        return tuple(check_number(v, lambda m, i=i: self.error(key, f"[{i}]: {m}"),
                                  positive=positive, unit=unit) for i, v in enumerate(items))


def check_number(value: Any, error, *, positive: bool = False, nonnegative: bool = False,
                 unit: str = "") -> float:
    """``value`` as a finite float, or ``error(message)`` raised."""
    if not _is_number(value):
        raise error(f"must be a number{f' ({unit})' if unit else ''}, got {type_name(value)} "
                    f"{value!r:.60}")
    try:
        x = float(value)
    except OverflowError:
        x = math.inf
    if not math.isfinite(x):
        raise error(f"must be finite, got {value!r:.60}")
    if positive and x <= 0:
        raise error(f"must be positive{f' ({unit})' if unit else ''}, got {value!r}")
    if nonnegative and x < 0:
        raise error(f"must not be negative{f' ({unit})' if unit else ''}, got {value!r}")
    return x


def parse_vector(value: Any, path: KeyPath, source: Source) -> tuple[float, float, float]:
    """Three numbers ``[x, y, z]``, or ``{ theta_deg = t, length = l }``: the paper's axis
    ``l R_x(t) z = l (0, -sin t, cos t)``."""
    def fail(message: str) -> ConfigError:
        return source.error(path, message)

    if isinstance(value, dict):
        t = Table(value, path, source)
        t.allow(("theta_deg", "length"), " in a direction { theta_deg = ..., length = ... }")
        theta_deg = t.number("theta_deg")
        if abs(theta_deg) > 720:  # sin/cos of 1e300 degrees are round-off, not an angle
            raise t.error("theta_deg", f"must lie in [-720, 720] degrees, got {theta_deg!r}")
        theta = math.radians(theta_deg)
        length = t.number("length", 1.0)
        return (0.0, -length * math.sin(theta), length * math.cos(theta))
    if not isinstance(value, list) or len(value) != 3:
        raise fail(f"must be three numbers [x, y, z] or {{ theta_deg = ... }} (the axis "
                   f"R_x(theta) z = (0, -sin theta, cos theta)), got {value!r:.60}")
    return tuple(check_number(v, lambda m, i=i: source.error((*path, i), m))  # type: ignore
                 for i, v in enumerate(value))


