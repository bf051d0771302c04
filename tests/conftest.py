from pathlib import Path
from typing import NamedTuple

import dolfinx_solver  # noqa: F401  (before dolfinx / petsc4py)
import numpy as np
import pytest
from mpi4py import MPI


@pytest.fixture
def comm():
    return MPI.COMM_WORLD


@pytest.fixture
def shared_tmp(comm, tmp_path):
    """A folder all ranks see (each rank's tmp_path differs): rank 0's."""
    return comm.bcast(tmp_path if comm.rank == 0 else None, root=0)


@pytest.fixture(scope="module")
def shared_dir(tmp_path_factory, request):
    """A fresh folder per test module (named after it), the same path on every rank."""
    comm = MPI.COMM_WORLD
    name = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    path = str(tmp_path_factory.mktemp(name)) if comm.rank == 0 else None
    return Path(comm.bcast(path, root=0))


# -- CSV files -------------------------------------------------------------------------------


class CSVTable(NamedTuple):
    """A CSV file of numbers with a header line: ``header, data = read_csv(path)``."""

    header: list[str]
    data: np.ndarray  # (rows, columns), at least 2D

    def column(self, name: str) -> np.ndarray:
        return self.data[:, self.header.index(name)]

    def columns(self) -> dict[str, np.ndarray]:
        return {name: self.data[:, k] for k, name in enumerate(self.header)}


def read_csv(path) -> CSVTable:
    """The header (column names) and the numbers of a CSV file written by fem_spin
    (``fem_spin.output.write_csv``, the demos, ``fem-spin run``; ``nan`` where a sample
    point lies outside the mesh)."""
    with open(path) as f:
        header = f.readline().strip().split(",")
    data = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    assert data.size == 0 or data.shape[1] == len(header), (path, header, data.shape)
    return CSVTable(header, data)


@pytest.fixture(name="read_csv")
def read_csv_fixture():
    """:func:`read_csv` as a fixture."""
    return read_csv
