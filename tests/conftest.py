import dolfinx_solver  # noqa: F401  (before dolfinx / petsc4py)

import sys
from pathlib import Path

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


# tests/demos/demo_loader.py is importable from every test folder (`from demo_loader import
# load_demo`): the demos are run in-process by tests outside tests/demos too.
sys.path.insert(0, str(Path(__file__).resolve().parent / "demos"))
