"""Manufactured solutions for S1 in 2D and 3D: non-uniform H(x) with all three components
varying, H split into B(x) and lambda M(x), non-zero m_eq, Dirichlet data on all components
(x = 0), on m_z only plus spin current on m_x, m_y (x = 1), spin current elsewhere.
Asserted: observed L2 rates within 0.1 of p + 1 in the asymptotic range."""

import numpy as np
import pytest

from tests.helpers.exact import rates
from tests.helpers.mms import solve_mms

ISOTROPIC = {"D": 1.0, "tau": 1.0}  # equal tau_k and D_p: strong coupling allowed
ANISOTROPIC = {"D": (1.0, 1.5, 0.8), "tau": (1.0, 0.7, 1.3)}  # unequal: moderate coupling

# (dim, p, coupling a, parameters, mesh divisions). At a = 10 the diffusion tensor is strongly
# anisotropic (longitudinal / transverse = 1 + a^2) with an axis that turns in space, and P2
# shows a pre-asymptotic rate ~3.2 that settles to 3 only below h ~ 1/32 (measured: 2D
# 3.24, 3.23, 3.15, 3.08 from n = 4); 3D meshes that fine exceed a CI budget with a direct
# solver, so 3D strong coupling uses a = 3 (the 2D cases cover a = 10).
CASES = [
    (2, 1, 10.0, ISOTROPIC, [16, 32, 64, 128]),
    (2, 2, 10.0, ISOTROPIC, [32, 64, 128]),
    (2, 1, 1.0, ANISOTROPIC, [8, 16, 32, 64]),
    (2, 2, 1.0, ANISOTROPIC, [4, 8, 16, 32]),
    (3, 1, 3.0, ISOTROPIC, [8, 16, 32]),
    (3, 2, 3.0, ISOTROPIC, [4, 8, 16]),
    (3, 1, 1.0, ANISOTROPIC, [8, 16, 32]),
    (3, 2, 1.0, ANISOTROPIC, [4, 8, 16]),
]


@pytest.mark.serial  # rates are a serial matter; test_parallel checks serial == MPI
@pytest.mark.parametrize(("dim", "p", "a", "params", "ns"), CASES,
                         ids=[f"{c[0]}d-P{c[1]}-a{c[2]:g}-{'iso' if c[3] is ISOTROPIC else 'aniso'}"
                              for c in CASES])
def test_manufactured_rates(comm, dim, p, a, params, ns):
    errors = [solve_mms(comm, dim, n, p, a=a, **params)[0] for n in ns]
    observed = rates(1.0 / np.asarray(ns), errors)
    print(f"{dim}D P{p} a={a}: errors {errors}, rates {observed}")
    assert np.all(np.abs(observed - (p + 1)) < 0.1), (errors, observed)


# The cell-constant diffusion tensor (tensor="cell", P1 only: Dt at the cell midpoints, the
# diffusion term with one point) is an O(h^2) change of the coefficient: the P1 rate 2 stays.
CELL_CASES = [
    (2, 10.0, ISOTROPIC, [16, 32, 64, 128]),
    (2, 1.0, ANISOTROPIC, [8, 16, 32, 64]),
    (3, 3.0, ISOTROPIC, [8, 16, 32]),
]


@pytest.mark.serial
@pytest.mark.parametrize(("dim", "a", "params", "ns"), CELL_CASES,
                         ids=[f"{c[0]}d-a{c[1]:g}-{'iso' if c[2] is ISOTROPIC else 'aniso'}"
                              for c in CELL_CASES])
def test_cell_tensor_rates(comm, dim, a, params, ns):
    errors = [solve_mms(comm, dim, n, 1, a=a, tensor="cell", **params)[0] for n in ns]
    observed = rates(1.0 / np.asarray(ns), errors)
    print(f"{dim}D P1 a={a} cell tensor: errors {errors}, rates {observed}")
    assert np.all(np.abs(observed - 2) < 0.1), (errors, observed)
