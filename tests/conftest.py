import dolfinx_solver  # noqa: F401  (before dolfinx / petsc4py)

import pytest
from mpi4py import MPI


@pytest.fixture
def comm():
    return MPI.COMM_WORLD


@pytest.fixture
def shared_tmp(comm, tmp_path):
    """A folder all ranks see (each rank's tmp_path differs): rank 0's."""
    return comm.bcast(tmp_path if comm.rank == 0 else None, root=0)
