"""A magnetization in an XDMF file: :func:`write_magnetization` stores one,
:func:`read_magnetization` reads it back onto any mesh (interpolating between meshes)."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from pathlib import Path

import dolfinx.fem as fem
import dolfinx.io
import dolfinx.mesh
import numpy as np

from fem_spin.errors import InputError
from fem_spin.textures.fields import interpolate_nonmatching, vector_space

__all__ = ["read_magnetization", "write_magnetization"]

log = logging.getLogger(__name__)


def write_magnetization(path: str | Path, M: fem.Function, *, name: str | None = None,
                        t: float = 0.0) -> Path:
    """Write M (interpolated into P1 if needed) and its mesh to the XDMF file ``path``
    (``*.xdmf`` with the data in ``*.h5`` beside it), for :func:`read_magnetization`.

    The mesh must be linear (geometry degree 1). Collective on M's communicator.

    Returns:
        ``path``.
    """
    path = Path(path)
    if not isinstance(M, fem.Function) or tuple(M.function_space.value_shape) != (3,):
        raise InputError(f"write_magnetization needs a DOLFINx Function with 3 components, "
                         f"got {M!r}")
    if path.suffix != ".xdmf":
        raise InputError(f"the magnetization file must end in .xdmf, got {path}")
    mesh = M.function_space.mesh
    if mesh.geometry.cmaps[0].degree != 1:
        raise InputError("write_magnetization needs a linear mesh (geometry degree 1); "
                         f"this one has degree {mesh.geometry.cmaps[0].degree}")
    V1 = fem.functionspace(mesh, ("Lagrange", 1, (3,)))
    u = fem.Function(V1, name=name or M.name)
    u.interpolate(M)
    u.x.scatter_forward()
    comm = mesh.comm
    error = None
    if comm.rank == 0:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            error = f"{type(e).__name__}: {e}"
    error = comm.bcast(error, root=0)
    if error is not None:
        raise InputError(f"cannot create the folder of {path}: {error}")
    with dolfinx.io.XDMFFile(comm, str(path), "w") as f:
        f.write_mesh(mesh)
        f.write_function(u, t)
    log.info("magnetization %r written to %s", u.name, path)
    return path


def _locate_function(path: Path, name: str, t: float | None) -> tuple[str, str, Path, str]:
    """From the XDMF file: (mesh name, geometry dataset, h5 file, function dataset)."""
    if not path.is_file():
        raise InputError(f"magnetization file {path} does not exist")
    try:
        domain = ET.parse(path).getroot().find("Domain")
    except ET.ParseError as e:
        raise InputError(f"{path} is not a readable XDMF file: {e}") from None
    grids = [] if domain is None else domain.findall("Grid")
    meshes = [g for g in grids if g.get("GridType") == "Uniform"]
    if not meshes:
        raise InputError(f"{path} holds no mesh (write it with write_magnetization)")
    mesh_name = meshes[0].get("Name")
    geometry_item = meshes[0].find("Geometry/DataItem")
    series = [g for g in grids if g.get("GridType") == "Collection" and g.get("Name") == name]
    available = sorted({g.get("Name") for g in grids if g.get("GridType") == "Collection"})
    if not series:
        raise InputError(f"{path} has no function named {name!r}; it has {available}")
    steps = []
    for g in series[0].findall("Grid"):
        time, attr = g.find("Time"), g.find("Attribute")
        if time is None or attr is None or attr.find("DataItem") is None:
            continue
        steps.append((float(time.get("Value")), attr.get("Center"), attr.find("DataItem").text))
    if not steps:
        raise InputError(f"{path}: the function {name!r} has no stored values")
    if t is None:
        step = steps[-1]
    else:
        matches = [s for s in steps if np.isclose(s[0], t, rtol=1e-12, atol=1e-14)]
        if not matches:
            raise InputError(f"{path}: the function {name!r} has no values at t = {t}; stored "
                             f"times: {[s[0] for s in steps]}")
        step = matches[-1]
    if step[1] != "Node":
        raise InputError(f"{path}: the function {name!r} is not a nodal (P1) field (Center="
                         f"{step[1]!r}); write it with write_magnetization")
    h5_file, dataset = step[2].strip().split(":", 1)
    geometry = geometry_item.text.strip().split(":", 1)[1] if geometry_item is not None else ""
    return mesh_name, geometry, path.parent / h5_file, dataset


def read_magnetization(path: str | Path, target, *, name: str = "M", degree: int = 1,
                       t: float | None = None, padding: float = 1e-8) -> fem.Function:
    """Read a magnetization written by :func:`write_magnetization` (or any P1 vector Function
    written with ``dolfinx.io.XDMFFile`` on a linear mesh) onto ``target``.

    The file's mesh is read with ``XDMFFile.read_mesh``; the nodal values are read with h5py
    (every rank reads the whole dataset) and placed with ``mesh.geometry.input_global_indices``
    into a P1 Function on that mesh (P1 dofs and geometry nodes of a linear mesh coincide
    cell by cell); this is then interpolated onto ``target`` (non-matching interpolation: the
    target mesh may differ from the file's and be distributed differently). On the file's
    own mesh with a P1 target the values are reproduced exactly.

    Args:
        path: the ``.xdmf`` file.
        target: a mesh (space ``("Lagrange", degree, (3,))``) or a vector FunctionSpace; it
            must lie inside the file's mesh (within ``padding`` nm).
        name: name of the function in the file.
        degree: Lagrange degree when ``target`` is a mesh.
        t: time of the stored step (default: the last one written).
        padding: tolerance (nm) of the point search.

    Returns:
        The Function (named ``name``) on ``target``.
    """
    import h5py

    V = vector_space(target, degree)
    comm = V.mesh.comm
    path = Path(path)
    located, error = None, None
    if comm.rank == 0:
        try:
            located = _locate_function(path, name, t)
            if not located[2].is_file():
                raise InputError(f"{path} refers to the data file {located[2]}, which does not "
                                 "exist")
        except InputError as e:
            error = str(e)
    located, error = comm.bcast((located, error), root=0)
    if error is not None:
        raise InputError(error)
    mesh_name, geometry_set, h5_path, dataset = located

    with dolfinx.io.XDMFFile(comm, str(path), "r") as f:
        source_mesh = f.read_mesh(name=mesh_name)
    with h5py.File(h5_path, "r", locking=False) as h5:
        values = np.asarray(h5[dataset], dtype=float)
        n_nodes = h5[geometry_set].shape[0] if geometry_set in h5 else values.shape[0]
    if source_mesh.geometry.cmaps[0].degree != 1:
        raise InputError(f"{path}: the mesh is not linear (geometry degree "
                         f"{source_mesh.geometry.cmaps[0].degree}); only P1 data on linear "
                         "meshes can be read")
    if values.ndim != 2 or values.shape != (n_nodes, 3):
        raise InputError(f"{path}: {name!r} has shape {values.shape}, expected one 3-vector per "
                         f"mesh node ({n_nodes}, 3)")

    V_source = fem.functionspace(source_mesh, ("Lagrange", 1, (3,)))
    source = fem.Function(V_source, name=name)
    node_values = values[source_mesh.geometry.input_global_indices]
    nodes, dofs = source_mesh.geometry.dofmaps[0], V_source.dofmap.list
    source.x.array.reshape(-1, 3)[dofs.ravel()] = node_values[nodes.ravel()]
    source.x.scatter_forward()

    M = fem.Function(V, name=name)
    interpolate_nonmatching(M, source, padding, f"{path}")
    log.info("magnetization %r read from %s (%d nodes)", name, path, n_nodes)
    return M
