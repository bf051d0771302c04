"""Time stepping of the time-domain problems.

- :mod:`~fem_spin.stepping.schemes`: :class:`TimeStepper`, the base of the S2, LLG and coupled
  problems: the time schemes (backward Euler, Crank-Nicolson/midpoint, variable-step BDF2),
  one step, the step control by step doubling;
- :mod:`~fem_spin.stepping.driver`: :class:`RunDriver`, a run to a final time with its trace,
  VTX series, checkpoints and progress lines (``TimeStepper.run`` uses it);
- :mod:`~fem_spin.stepping.checkpoint`: restartable checkpoints (any number of ranks);
- :mod:`~fem_spin.stepping.records`: :class:`StepInfo`, :class:`RunInfo`.
"""
