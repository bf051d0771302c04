"""Read back VTX folders (``*.bp``, ADIOS2 BP4/BP5) written by fem_spin: every rank's block of a
variable at one step, stacked (the ``geometry`` variable gives the matching node coordinates).

The PyPI adios2 must be imported after dolfinx: this module imports fem_spin first.
"""

import fem_spin  # noqa: F401  (before adios2)

# isort: split
import adios2  # in the `test` extra
import numpy as np

BP_FILES = ("data.0", "md.0", "md.idx")


def bp_variables(path) -> set[str]:
    with adios2.FileReader(str(path)) as reader:
        return set(reader.available_variables())


def bp_steps(path) -> int:
    """Number of written steps (times)."""
    with adios2.FileReader(str(path)) as reader:
        return reader.num_steps()


def bp_read(path, name: str, step: int = -1) -> np.ndarray:
    """All blocks (one per writing rank) of a variable at ``step`` (default the last), stacked
    along the first axis."""
    with adios2.FileReader(str(path)) as reader:
        steps = reader.num_steps()
        step = step % steps
        blocks = reader.all_blocks_info(name)[step]
        return np.concatenate([
            reader.read(name, block_id=int(b["BlockID"]), step_selection=[step, 1])
            for b in blocks])


MESH_VARIABLES = {"geometry", "connectivity", "types", "vtkGhostType", "vtkOriginalPointIds",
                  "step", "NumberOfNodes", "NumberOfEntities"}


def bp_time(path, step: int = -1) -> float:
    """The time written with ``step`` (VTXWriter.write(t))."""
    return float(bp_read(path, "step", step)[0])


def bp_fields(path, step: int = -1) -> dict[str, np.ndarray]:
    """The node coordinates (``"x"``, shape (n, 3)) and the fields (n, components) of a VTX
    folder at ``step``, rows matching: every rank's nodes, so nodes on process boundaries come
    more than once (with equal values)."""
    x = bp_read(path, "geometry", step).reshape(-1, 3)
    out = {"x": x}
    for name in sorted(bp_variables(path) - MESH_VARIABLES):
        values = bp_read(path, name, step)
        assert len(values) == len(x), (path, name, values.shape, x.shape)
        out[name] = values.reshape(len(x), -1)
    return out


def bp_nodes(path, step: int = -1, decimals: int = 9) -> dict[str, np.ndarray]:
    """:func:`bp_fields` with every node once, sorted by its coordinates (lexicographically):
    the same on every rank and for any number of writing ranks."""
    fields = bp_fields(path, step)
    _, first = np.unique(np.round(fields["x"], decimals), axis=0, return_index=True)
    return {name: values[first] for name, values in fields.items()}


def assert_complete_bp(path):
    assert path.is_dir(), path
    for name in BP_FILES:
        assert (path / name).is_file(), (path, name)
