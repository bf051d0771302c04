"""PETSc options of ``[solver.petsc_options]`` checked up front (``fem-spin check`` too): each
option is given to a throw-away SNES (with its KSP and PC) on one process, which rejects an
unknown solver or preconditioner type (or one this PETSc was built without, e.g. hypre) and a
value of the wrong kind (``ksp_max_it = 2.5``); a direct-solver package must be installed.
Options PETSc reads only at set-up (multigrid levels, fieldsplit) are not checked here."""

from __future__ import annotations

from typing import Any

__all__ = ["petsc_option_problem"]

_PREFIX = "fem_spin_check_"
_REASONS = {86: "PETSc has no such type (unknown, or not built into this PETSc)",
            62: "an invalid value", 63: "a value of the wrong kind"}


def _text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def petsc_option_problem(options: dict[str, Any]) -> tuple[str, str] | None:
    """``(key, message)`` of the first option PETSc rejects, else None."""
    from petsc4py import PETSc  # fem_spin (imported with the app) set it up

    for key, value in options.items():
        if key.endswith("mat_solver_type") and not (
                _text(value) == "petsc" or PETSc.Sys.hasExternalPackage(_text(value))):
            return key, (f"the direct solver package {_text(value)!r} is not installed in "
                         "this PETSc (mumps and superlu_dist are)")
        db = PETSc.Options()
        db[_PREFIX + key] = _text(value)
        snes = PETSc.SNES().create(PETSc.COMM_SELF)
        try:
            snes.setOptionsPrefix(_PREFIX)
            snes.setFromOptions()
            ksp = snes.getKSP()
            ksp.setFromOptions()
            ksp.getPC().setFromOptions()
        except PETSc.Error as e:
            reason = _REASONS.get(e.ierr, f"PETSc error {e.ierr}")
            return key, f"PETSc rejects {key} = {_text(value)!r}: {reason}"
        finally:
            snes.destroy()
            db.delValue(_PREFIX + key)
    return None
