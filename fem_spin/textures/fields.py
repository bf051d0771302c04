"""A texture, a UFL expression, a constant or a Function (also on another mesh) as the
magnetization Function on a mesh (:func:`magnetization`)."""

from __future__ import annotations

from collections.abc import Callable

import dolfinx.fem as fem
import dolfinx.mesh
import numpy as np
import ufl
from mpi4py import MPI

from fem_spin.core.fields import jit_options
from fem_spin.errors import InputError
from fem_spin.textures.analytic import as_vector3, custom_texture

__all__ = ["interpolate_nonmatching", "magnetization", "vector_space"]


def vector_space(target, degree: int) -> fem.FunctionSpace:
    if isinstance(target, fem.FunctionSpace):
        if tuple(target.value_shape) != (3,):
            raise InputError(f"the magnetization space must have 3 components, got value "
                             f"shape {tuple(target.value_shape)}")
        return target
    if isinstance(target, dolfinx.mesh.Mesh):
        if isinstance(degree, bool) or not isinstance(degree, int) or degree < 1:
            raise InputError(f"degree must be an integer >= 1, got {degree!r}")
        return fem.functionspace(target, ("Lagrange", degree, (3,)))
    raise InputError(f"expected a DOLFINx mesh or a vector FunctionSpace, got {target!r}")


def _all_ranks(comm: MPI.Comm, action: Callable[[], None]) -> None:
    """Run a local ``action`` on every rank; if it fails anywhere, every rank raises."""
    error = None
    try:
        action()
    except Exception as e:
        error = e
    messages = [m for m in comm.allgather(None if error is None else str(error)) if m]
    if error is not None:
        raise error
    if messages:
        raise InputError(f"on another rank: {messages[0]}")


def interpolate_nonmatching(u_to: fem.Function, u_from: fem.Function, padding: float,
                             source: str) -> None:
    """``u_to`` <- ``u_from`` living on another mesh (every point of ``u_to``'s mesh must lie
    in ``u_from``'s, within ``padding`` nm)."""
    mesh = u_to.function_space.mesh
    imap = mesh.topology.index_map(mesh.topology.dim)
    cells = np.arange(imap.size_local + imap.num_ghosts, dtype=np.int32)
    data = fem.create_interpolation_data(u_to.function_space, u_from.function_space, cells,
                                         padding)
    missing = mesh.comm.allreduce(int(np.count_nonzero(np.asarray(data.src_owner) < 0)))
    if missing:
        raise InputError(f"{missing} interpolation points of the target mesh lie outside the "
                         f"mesh of {source} (padding {padding} nm): the target must lie inside "
                         "it")
    u_to.interpolate_nonmatching(u_from, cells, data)
    u_to.x.scatter_forward()


def magnetization(target, texture, degree: int = 1, name: str = "M", *,
                  padding: float = 1e-8) -> fem.Function:
    """The magnetization as a DOLFINx Function in a vector Lagrange space.

    Args:
        target: a mesh (the space is ``("Lagrange", degree, (3,))``) or a vector FunctionSpace.
        texture: a callable ``x -> (3, N)`` (checked as :func:`custom_texture`), a UFL
            3-vector expression, a constant 3-vector, or a Function (on this mesh, or on
            another mesh that contains this one: non-matching interpolation).
        degree: Lagrange degree when ``target`` is a mesh.
        name: name of the Function (in output files).
        padding: tolerance (nm) of the point search for a Function on another mesh.
    """
    V = vector_space(target, degree)
    mesh = V.mesh
    M = fem.Function(V, name=name)
    if isinstance(texture, fem.Function):
        if tuple(texture.function_space.value_shape) != (3,):
            raise InputError(f"the magnetization Function must have 3 components, got value "
                             f"shape {tuple(texture.function_space.value_shape)}")
        if texture.function_space.mesh is mesh:
            M.interpolate(texture)
            M.x.scatter_forward()
        else:
            interpolate_nonmatching(M, texture, padding, f"the Function {texture.name!r}")
        return M
    if isinstance(texture, ufl.core.expr.Expr):
        if ufl.shape(texture) != (3,):
            raise InputError(f"the magnetization must be a 3-vector, got UFL shape "
                             f"{ufl.shape(texture)}")
        M.interpolate(fem.Expression(texture, V.element.interpolation_points,
                                     jit_options=jit_options()))
        M.x.scatter_forward()
        return M
    if callable(texture):
        checked = custom_texture(texture)
        _all_ranks(mesh.comm, lambda: M.interpolate(checked))
        M.x.scatter_forward()
        return M
    value = as_vector3(texture, "the magnetization (a constant)")
    M.x.array[:] = np.tile(value, len(M.x.array) // 3)
    return M
