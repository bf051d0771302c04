"""Errors fem_spin raises: each names the problem and what to do about it."""

__all__ = ["FemSpinError", "InputError", "OutputError", "RunInterrupted", "SolverError"]


class FemSpinError(Exception):
    """Base class of fem_spin's errors."""


class InputError(FemSpinError, ValueError):
    """Invalid user input (a parameter, a tag, a boundary condition)."""


class SolverError(FemSpinError, RuntimeError):
    """A PETSc solve failed (diverged, or the factorisation broke down)."""


class OutputError(FemSpinError, OSError):
    """Writing an output file failed (on another rank: the message carries rank 0's error)."""


class RunInterrupted(FemSpinError):
    """A run stopped on request (SIGTERM from a batch scheduler, Ctrl-C): every rank raises it
    at the same step, after the state was saved. ``signal`` is the signal number, ``t`` (ps)
    and ``steps`` where the run stopped (None outside a time loop)."""

    def __init__(self, message: str, signal: int, t: float | None = None,
                 steps: int | None = None):
        super().__init__(message)
        self.signal, self.t, self.steps = signal, t, steps
