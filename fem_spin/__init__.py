"""fem_spin: finite-element spin transport in ferromagnets with non-uniform magnetization.

Solves the generalized spin-diffusion equations of the paper (``shared/physics.md``: S1 steady,
S2 transient, S3 the magnetization driven by the s-d torque) with DOLFINx. Units: nm, ps,
rad/ps for the spin transport, SI with tesla for the magnetization (see
:mod:`fem_spin.physics`).

The package in layers, data flowing downwards (``docs/architecture.md``)::

    parameters -> geometry -> textures (magnetization) -> physics (UFL forms)
      -> core (spaces, regions, measures, boundary data, Newton/multigrid) -> problems
      -> stepping (time schemes, run driver) -> observables -> output, plotting, render
    app: case schema, builders, runner, reports, the ``fem-spin`` CLI (the library never
    imports it); paper: the paper's set-ups (bilayer, ring) with one parameter set.

A new physics is one module in :mod:`fem_spin.physics` (pure UFL), composed into a problem
through :mod:`fem_spin.core`, plus one entry of the case schema in :mod:`fem_spin.app`.
"""

import dolfinx_solver  # noqa: F401  (must precede dolfinx/petsc4py imports)

from fem_spin.core.newton import SolveInfo
from fem_spin.errors import FemSpinError, InputError, OutputError, SolverError
from fem_spin.parameters import (
    GAMMA_E,
    MU0,
    Dirichlet,
    Electrode,
    Flux,
    Interface,
    Magnet,
    Material,
    conductor,
    thin_film_anisotropy,
)
from fem_spin.problems import (
    COUPLINGS,
    LLG,
    ChargeDrivenLLG,
    ChargeSpinTransport,
    CoercivityWarning,
    CoupledSpinDynamics,
    Magnetostatics,
    SpinConservationWarning,
    SteadySpinDiffusion,
    TransientSpinDiffusion,
)
from fem_spin.stepping.records import RunInfo, StepInfo
from fem_spin.stepping.schemes import SCHEMES

__version__ = "0.1.0"

__all__ = [
    "COUPLINGS",
    "GAMMA_E",
    "LLG",
    "MU0",
    "SCHEMES",
    "ChargeDrivenLLG",
    "ChargeSpinTransport",
    "CoercivityWarning",
    "CoupledSpinDynamics",
    "Dirichlet",
    "Electrode",
    "FemSpinError",
    "Flux",
    "InputError",
    "Interface",
    "Magnet",
    "Magnetostatics",
    "Material",
    "OutputError",
    "RunInfo",
    "SolveInfo",
    "SolverError",
    "SpinConservationWarning",
    "SteadySpinDiffusion",
    "StepInfo",
    "TransientSpinDiffusion",
    "conductor",
    "thin_film_anisotropy",
]
