"""fem_spin: finite-element spin transport in ferromagnets with non-uniform magnetization.

Solves the generalized spin-diffusion equations of the paper (see ``shared/physics.md``) with
DOLFINx. Units: nm, ps, rad/ps (see :mod:`fem_spin.physics`).
"""

import dolfinx_solver  # noqa: F401  (must precede dolfinx/petsc4py imports)

from fem_spin.errors import FemSpinError, InputError, OutputError, SolverError
from fem_spin.parameters import Dirichlet, Flux, Material
from fem_spin.problem import CoercivityWarning, SteadySpinDiffusion
from fem_spin.solver import SolveInfo

__version__ = "0.1.0"

__all__ = [
    "CoercivityWarning",
    "Dirichlet",
    "FemSpinError",
    "Flux",
    "InputError",
    "Material",
    "OutputError",
    "SolveInfo",
    "SolverError",
    "SteadySpinDiffusion",
]
