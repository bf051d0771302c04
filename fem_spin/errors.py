"""Errors fem_spin raises: each names the problem and what to do about it."""

__all__ = ["FemSpinError", "InputError", "OutputError", "SolverError"]


class FemSpinError(Exception):
    """Base class of fem_spin's errors."""


class InputError(FemSpinError, ValueError):
    """Invalid user input (a parameter, a tag, a boundary condition)."""


class SolverError(FemSpinError, RuntimeError):
    """A PETSc solve failed (diverged, or the factorisation broke down)."""


class OutputError(FemSpinError, OSError):
    """Writing an output file failed (on another rank: the message carries rank 0's error)."""
