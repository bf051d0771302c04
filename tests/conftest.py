import dolfinx_solver  # noqa: F401  (before dolfinx / petsc4py)

import pytest
from mpi4py import MPI


@pytest.fixture
def comm():
    return MPI.COMM_WORLD
