"""The problems, each composed from the problem core (:mod:`fem_spin.core`) and the equations
of :mod:`fem_spin.physics`:

- :class:`SteadySpinDiffusion`: S1, the steady spin accumulation (Eq. 71-75);
- :class:`TransientSpinDiffusion`: S2, its transient form;
- :class:`LLG`: S3, the magnetization (Landau-Lifshitz-Gilbert with the s-d torque);
- :class:`CoupledSpinDynamics`: S2 and S3 together (Sec. V), monolithic or staggered;
- :class:`ChargeSpinTransport`: the potential and the spin accumulation of a device driven by a
  charge current, with N/F interfaces (``docs/charge-transport.md``);
- :class:`ChargeDrivenLLG`: S3 driven by the torque of that current's spin accumulation.
- :class:`Magnetostatics`: the demagnetizing field of the magnets in their air (the LLG's
  ``demag=``).
- :class:`FilmDispersion`: the spin-wave dispersion of an extended film with exchange and
  magnetostatics (a 1D Bloch problem across the thickness).

The time-domain problems step with :mod:`fem_spin.stepping`.
"""

from fem_spin.problems.charge import ChargeSpinTransport
from fem_spin.problems.charge_dynamics import ChargeDrivenLLG
from fem_spin.problems.coupled import COUPLINGS, CoupledSpinDynamics
from fem_spin.problems.film_dispersion import FilmDispersion
from fem_spin.problems.llg import LLG, SpinConservationWarning
from fem_spin.problems.magnetostatics import Magnetostatics
from fem_spin.problems.steady import CoercivityWarning, SteadySpinDiffusion
from fem_spin.problems.transient import TransientSpinDiffusion

__all__ = ["COUPLINGS", "LLG", "ChargeDrivenLLG", "ChargeSpinTransport", "CoercivityWarning",
           "CoupledSpinDynamics", "FilmDispersion", "Magnetostatics", "SpinConservationWarning",
           "SteadySpinDiffusion", "TransientSpinDiffusion"]
