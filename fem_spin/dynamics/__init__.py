"""Magnetization dynamics coupled to the spin accumulation (paper Sec. V, Eq. 70-79).

- :mod:`~fem_spin.dynamics.transient`: S2, transient spin diffusion
  (:class:`TransientSpinDiffusion`)
- :mod:`~fem_spin.dynamics.llg`: S3, the Landau-Lifshitz-Gilbert equation (:class:`LLG`)
- :mod:`~fem_spin.dynamics.coupled`: (m, M) together, monolithic or staggered, and the steady
  self-consistent state (:class:`CoupledSpinDynamics`)
- :mod:`~fem_spin.dynamics.stepping`: time schemes, step control, long runs
- :mod:`~fem_spin.dynamics.checkpoint`: restartable checkpoints

Units: nm, ps; spin-transport fields in rad/ps; micromagnetic parameters in SI with fields in
tesla (:class:`Magnet`); ``docs/llg-mapping.md`` maps the paper's Eq. 79 onto them.
"""

from fem_spin.dynamics.coupled import COUPLINGS, CoupledSpinDynamics
from fem_spin.dynamics.llg import LLG
from fem_spin.dynamics.parameters import GAMMA_E, MU0, Magnet, thin_film_anisotropy
from fem_spin.dynamics.stepping import SCHEMES, RunInfo, StepInfo
from fem_spin.dynamics.transient import TransientSpinDiffusion

__all__ = [
    "COUPLINGS",
    "GAMMA_E",
    "LLG",
    "MU0",
    "SCHEMES",
    "CoupledSpinDynamics",
    "Magnet",
    "RunInfo",
    "StepInfo",
    "TransientSpinDiffusion",
    "thin_film_anisotropy",
]
