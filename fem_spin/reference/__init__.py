"""Exact and circuit-theory references for the charge + spin transport model, in numpy only:
independent of the finite-element code, used by its tests and by the demos' analytic curves."""
