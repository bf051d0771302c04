"""Quantities computed from a solution: integrals, norms and line samples
(:mod:`~fem_spin.observables.sampling`), switching events of a trace
(:mod:`~fem_spin.observables.switching`)."""

from fem_spin.observables.sampling import integrate, l2_norm, sample_line, sample_points

__all__ = ["integrate", "l2_norm", "sample_line", "sample_points"]
