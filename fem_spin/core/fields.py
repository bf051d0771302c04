"""Small helpers that turn user input (constants, callables, UFL) into DOLFINx objects."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import dolfinx.fem as fem
import numpy as np
import ufl

from fem_spin.errors import InputError

__all__ = ["REMOVED_B", "as_vector_field", "check_no_B", "external_precession", "interpolable",
           "interpolate", "jit_options", "region_function", "time_field"]


def jit_options() -> dict:
    """FFCx/CFFI JIT options: the cache lives in ``$FEM_SPIN_JIT_CACHE`` if set, else in
    ``$XDG_CACHE_HOME/fem_spin/jit`` (default ``~/.cache/fem_spin/jit``)."""
    cache = os.environ.get("FEM_SPIN_JIT_CACHE")
    if not cache:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        cache = Path(base) / "fem_spin" / "jit"
    return {"cache_dir": str(cache)}


def as_vector_field(mesh, value, name: str):
    """``None``, a constant 3-sequence, a Function or a UFL 3-vector -> UFL 3-vector or None."""
    if value is None:
        return None
    if isinstance(value, ufl.core.expr.Expr):
        if ufl.shape(value) != (3,):
            raise InputError(f"{name} must be a 3-vector field, got UFL shape {ufl.shape(value)}")
        return value
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        arr = None
    if arr is None or arr.shape != (3,) or not np.all(np.isfinite(arr)):
        raise InputError(
            f"{name} must be a constant 3-vector, a DOLFINx Function or a UFL 3-vector "
            f"expression, got {value!r}"
        )
    return fem.Constant(mesh, arr)


def interpolate(expr, V: fem.FunctionSpace, name: str | None = None) -> fem.Function:
    """Interpolate a UFL expression (or a callable ``x -> array``) into a new Function on V."""
    u = fem.Function(V, name=name)
    if callable(expr) and not isinstance(expr, ufl.core.expr.Expr):
        u.interpolate(expr)
    else:
        u.interpolate(
            fem.Expression(expr, V.element.interpolation_points, jit_options=jit_options())
        )
    return u


def unit_rows(values: np.ndarray) -> np.ndarray:
    """The rows of an (n, 3) array scaled to unit length (zero rows stay zero): nodal or cell
    values of a direction field."""
    norm = np.linalg.norm(values, axis=1)
    return values / np.where(norm > 0, norm, 1.0)[:, None]


def region_function(mesh, cell_tags, values: dict[int, Sequence[float]], shape: tuple[int, ...],
                    name: str) -> fem.Function:
    """Piecewise-constant (DG0) field taking ``values[tag]`` on the cells tagged ``tag``."""
    V0 = fem.functionspace(mesh, ("DG", 0, shape) if shape else ("DG", 0))
    f = fem.Function(V0, name=name)
    bs = V0.dofmap.index_map_bs
    array = f.x.array.reshape(-1, bs)
    for tag, value in values.items():
        cells = (cell_tags.find(tag) if cell_tags is not None
                 else np.arange(V0.dofmap.list.shape[0], dtype=np.int32))
        dofs = V0.dofmap.list[cells, 0]
        array[dofs] = np.asarray(value, dtype=float).reshape(bs)
    f.x.scatter_forward()
    return f


def time_field(mesh, value, t: fem.Constant, name: str):
    """A field that may depend on time: ``None``, a constant 3-vector, a Function / UFL
    3-vector, or a callable ``value(t)`` of the UFL time ``t`` (a ``fem.Constant``, ps)
    returning one of those. Returns a UFL 3-vector (or None)."""
    if callable(value) and not isinstance(value, ufl.core.expr.Expr):
        value = value(t)
    return as_vector_field(mesh, value, name)


def interpolable(mesh, value, V: fem.FunctionSpace):
    """``value`` (a constant 3-vector, a callable ``x -> (3, N)``, a Function or UFL) as
    something ``Function.interpolate`` on ``V`` accepts."""
    if isinstance(value, fem.Function) or (callable(value)
                                           and not isinstance(value, ufl.core.expr.Expr)):
        return value
    expr = as_vector_field(mesh, value, "initial value")
    if isinstance(expr, fem.Constant):
        arr = np.asarray(expr.value, dtype=float)
        return lambda x: np.tile(arr[:, None], (1, x.shape[1]))
    return fem.Expression(expr, V.element.interpolation_points, jit_options=jit_options())


REMOVED_B = ("the external field is given in tesla in every problem since fem_spin 0.2: "
             "B_T=... (T; the conduction spins precess about H = -gamma_e B_T + lam M), or, for "
             "the steady and transient spin diffusion, the precession vector itself as "
             "H_ext=... (rad/ps: what their B meant before; B_T = -H_ext / GAMMA_E)")
"""The message for a call with the removed ``B`` keyword (docs/units.md)."""


def check_no_B(B, owner: str) -> None:
    """Refuse the removed ``B`` keyword with :data:`REMOVED_B` (before any collective call)."""
    if B is not None:
        raise InputError(f"{owner}(B=...): {REMOVED_B}")


def external_precession(mesh, B_T, H_ext, gamma_e: float, t=None):
    """The precession vector (rad/ps) of the conduction spins in the external field: ``-gamma_e
    B_T`` for a field ``B_T`` in tesla, or ``H_ext`` given as a precession vector; each may
    depend on the UFL time ``t`` (:func:`time_field`). None if neither is given."""
    if B_T is not None and H_ext is not None:
        raise InputError("give the external field once: B_T (tesla) or H_ext (rad/ps), not both")
    def field(value, name):
        return time_field(mesh, value, t, name) if t is not None else as_vector_field(mesh, value,
                                                                                        name)

    B = field(B_T, "B_T")
    return field(H_ext, "H_ext") if B is None else -gamma_e * B
