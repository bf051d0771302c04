"""Checkpoints of a time stepper: the state at t_n and t_{n-1} (and the older states of the
initial guess's extrapolation, :mod:`fem_spin.stepping.predictor`), time, step sizes and trace.

One ``.npz`` file written by rank 0 (atomically: ``*.partial`` renamed when complete). For
each field of the state (m, M, ...) it holds the coordinates of the owned nodes of every rank
and their values; on reading, every rank matches its nodes (owned and ghost) by coordinates,
so a run can be restarted on the same mesh with any number of MPI ranks. The values are
copied exactly: a restarted run continues bit for bit (up to the partition-dependent
round-off of the linear solver under MPI).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from fem_spin.errors import InputError, OutputError

__all__ = ["load_checkpoint", "read_checkpoint_meta", "save_checkpoint"]

FORMAT = "fem_spin.dynamics checkpoint 1"


def _histories(stepper) -> dict[str, np.ndarray]:
    """The stepper's states by their name in the file: ``n``, ``nm1``, ``older0``, ..."""
    states = {"n": stepper.u_n.x.array, "nm1": stepper.u_nm1.x.array}
    for k, (u, _) in enumerate(stepper.history.older):
        states[f"older{k}"] = u
    return states


def _node_data(stepper, name, Vc, dofs):
    bs = Vc.dofmap.index_map_bs
    n_owned = Vc.dofmap.index_map.size_local
    x = Vc.tabulate_dof_coordinates()[:n_owned]
    idx = dofs[: n_owned * bs]
    return x, {which: u[idx].reshape(n_owned, bs) for which, u in _histories(stepper).items()}


def save_checkpoint(stepper, path: Path, meta: dict | None = None) -> Path:
    """Write ``stepper`` 's state to ``path`` (collective; rank 0 writes); ``meta``: extra
    JSON-able data kept with it (:func:`load_checkpoint` returns it under ``"extra"``)."""
    path = Path(path)
    comm = stepper.comm
    arrays: dict[str, np.ndarray] = {}
    for name, Vc, dofs in stepper.fields:
        parts = comm.gather(_node_data(stepper, name, Vc, dofs), root=0)
        if comm.rank == 0:
            arrays[f"{name}/x"] = np.concatenate([p[0] for p in parts])
            for which in parts[0][1]:
                arrays[f"{name}/{which}"] = np.concatenate([p[1][which] for p in parts])
    error = None
    if comm.rank == 0:
        meta = {
            "format": FORMAT, "solver": type(stepper).__name__, "scheme": stepper.scheme,
            "t": stepper.t, "dt_prev": stepper.dt_prev, "dt_next": stepper.dt_next,
            "steps": stepper.steps, "fields": [f[0] for f in stepper.fields],
            "error_scales": stepper.error_scales, "extra": dict(meta or {}),
            "older_steps": [h for _, h in stepper.history.older],
        }
        for k, v in stepper.trace.items():
            arrays[f"trace/{k}"] = np.asarray(v, dtype=float)
        tmp = path.with_name(path.name + ".partial")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as f:
                np.savez(f, meta=np.array(json.dumps(meta)), **arrays)
            os.replace(tmp, path)
        except OSError as e:
            tmp.unlink(missing_ok=True)
            error = f"{type(e).__name__}: {e}"
    error = comm.bcast(error, root=0)
    if error is not None:
        raise OutputError(f"writing the checkpoint {path} failed on rank 0: {error}")
    return path


def _keys(x: np.ndarray, scale: float) -> np.ndarray:
    return np.round(x / scale).astype(np.int64)


def read_checkpoint_meta(path: Path) -> dict:
    """The metadata of a checkpoint (time, steps, scheme, ``extra``) without a stepper."""
    try:
        with np.load(Path(path), allow_pickle=False) as f:
            meta = json.loads(str(f["meta"]))
    except (OSError, KeyError, ValueError) as e:
        raise InputError(f"cannot read the checkpoint {path}: {type(e).__name__}: {e}") from None
    if meta.get("format") != FORMAT:
        raise InputError(f"{path} is not a fem_spin.dynamics checkpoint")
    return meta


def load_checkpoint(stepper, path: Path) -> dict:
    """Restore ``stepper`` 's state from ``path`` (every rank reads the file); returns the
    checkpoint's metadata (time, steps, scheme, ``extra``)."""
    path = Path(path)
    comm = stepper.comm
    error = None
    data = None
    try:
        with np.load(path, allow_pickle=False) as f:
            data = {k: f[k] for k in f.files}
        meta = json.loads(str(data["meta"]))
        if meta.get("format") != FORMAT:
            raise InputError(f"{path} is not a fem_spin.dynamics checkpoint")
        fields = [f[0] for f in stepper.fields]
        if meta["solver"] != type(stepper).__name__ or meta["fields"] != fields:
            raise InputError(f"{path} holds a {meta['solver']} state with fields "
                             f"{meta['fields']}, not a {type(stepper).__name__} with {fields}")
        if meta["scheme"] != stepper.scheme:
            raise InputError(f"{path} was written with scheme {meta['scheme']!r}, this solver "
                             f"uses {stepper.scheme!r}")
    except (OSError, KeyError, ValueError) as e:
        error = f"cannot read the checkpoint {path}: {type(e).__name__}: {e}"
    errors = comm.allgather(error)
    if any(errors):
        raise InputError(next(e for e in errors if e))

    older_steps = meta.get("older_steps", [])  # older checkpoints: none (a linear first guess)
    stepper.history.restore([(np.zeros_like(stepper.u_n.x.array), float(h))
                             for h in older_steps])
    targets = {"n": stepper.u_n.x.array, "nm1": stepper.u_nm1.x.array}
    for k, (u, _) in enumerate(stepper.history.older):
        targets[f"older{k}"] = u
    missing = 0
    for name, Vc, dofs in stepper.fields:
        bs = Vc.dofmap.index_map_bs
        x_file = data[f"{name}/x"]
        x_mine = Vc.tabulate_dof_coordinates()
        extent = float(np.ptp(x_file, axis=0).max()) if len(x_file) else 1.0
        scale = 1e-9 * max(extent, 1e-300)
        lookup = {tuple(k): i for i, k in enumerate(_keys(x_file, scale))}
        rows = np.full(len(x_mine), -1, dtype=np.int64)
        for j, key in enumerate(_keys(x_mine, scale)):
            i = lookup.get(tuple(key), -1)
            if i < 0:  # a coordinate on a rounding boundary: try the neighbouring keys
                for off in np.ndindex(3, 3, 3):
                    i = lookup.get(tuple(key + np.asarray(off) - 1), -1)
                    if i >= 0:
                        break
            rows[j] = i
        missing += int(np.count_nonzero(rows < 0))
        if np.any(rows < 0):
            continue
        for which, target in targets.items():
            values = data[f"{name}/{which}"]
            if values.shape[1] != bs:
                raise InputError(f"{path}: field {name!r} has {values.shape[1]} components, "
                                 f"expected {bs}")
            target[dofs] = values[rows].reshape(-1)
    missing = comm.allreduce(missing)
    if missing:
        raise InputError(f"{path} does not match this mesh: {missing} nodes of this mesh are "
                         "not in the checkpoint (restart on the mesh it was written on)")
    stepper.u.x.array[:] = stepper.u_n.x.array
    stepper.t = float(meta["t"])
    stepper.dt_prev = None if meta["dt_prev"] is None else float(meta["dt_prev"])
    stepper.dt_next = None if meta["dt_next"] is None else float(meta["dt_next"])
    stepper.steps = int(meta["steps"])
    for name, value in meta.get("error_scales", {}).items():  # older checkpoints: none
        if name in stepper.error_scales:
            stepper.error_scales[name] = float(value)
    stepper.trace = {k.split("/", 1)[1]: list(v) for k, v in data.items()
                     if k.startswith("trace/")}
    meta.setdefault("extra", {})
    return meta
