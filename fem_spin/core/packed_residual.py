"""A Newton residual whose coefficients are packed once per solve.

DOLFINx's SNES residual packs every coefficient of the form at every evaluation, and packs
them again for the lifting of the Dirichlet data. In a time step only the unknown ``u``
changes between the evaluations of one solve: the history (``u_n``, ``u_nm1``), the regions'
fields and the boundary data are fixed. Measured on the coupled step at 199,773 dofs, the
packing was 0.10 s of a 0.15 s residual assembly, and the lifting (its coefficients packed on
every cell) another 0.09 s.

:class:`PackedResidual` packs all coefficients once, then only re-gathers ``u``'s columns at
each evaluation, and those of ``u``'s history (``u_n``, ``u_nm1``: ``history``) at a solve's
first (a NumPy gather: for Lagrange elements without dof transformations, packing is a gather
of the local array), and assembles with the packed arrays (:class:`CoefficientPacker`). The
other coefficients are packed again only when their values have changed (checked at each
solve's start). The lifting is left out: the Dirichlet data are set on the initial guess
(:meth:`PackedResidual.refresh`) and Newton's update is zero on those rows, so the lifting
``J (g - x)`` is zero (to the linear solver's tolerance on those rows, which the next Newton
iteration removes: the Dirichlet rows of the residual are ``x - g``). The residual is
DOLFINx's to round-off (``tests/verification/test_packed_residual.py``).
"""

from __future__ import annotations

import dolfinx.fem as fem
import dolfinx.fem.petsc as fp
import numpy as np
from petsc4py import PETSc

__all__ = ["CoefficientPacker", "PackedResidual"]


class CoefficientPacker:
    """The packed coefficients of the compiled form ``form``, kept between assemblies.

    :meth:`packed` re-gathers the columns of the ``gathered`` Functions it is given (found
    once, by packing numbered arrays, and checked against DOLFINx's packing); the other
    coefficients are packed once, and again after :meth:`check` found their values changed.
    A form whose packing is not a plain gather (dof transformations) is packed whole every
    time."""

    def __init__(self, form: fem.Form, gathered):
        self.form, self.gathered = form, list(gathered)
        mine = {_address(f.x.array) for f in self.gathered}
        self._static = [c for c in form._cpp_object.coefficients
                        if _address(c.x.array) not in mine]
        self._coeffs: dict | None = None
        self._seen: list[np.ndarray] | None = None
        # found at the first packing: it packs the coefficients three times (at 1.6M dofs
        # about 1 GB each), which a residual replaced before its first use (S1's A m - b)
        # should not pay
        self._gather: list[dict] | None = None
        self._gather_found = False
        self.full_packs = 0

    def _columns(self) -> list[dict] | None:
        """Per gathered Function and integral: the columns in the packed array and the local
        dofs they gather; None if packing is not a plain gather (dof transformations)."""
        if any(f.function_space.element.needs_dof_transformations for f in self.gathered):
            return None
        saved = [f.x.array.copy() for f in self.gathered]
        sizes = np.cumsum([0] + [len(a) for a in saved])
        try:
            for f in self.gathered:
                f.x.array[:] = 0.0
            zero = fem.pack_coefficients(self.form)
            for k, f in enumerate(self.gathered):  # distinct numbers per Function
                f.x.array[:] = np.arange(sizes[k] + 1, sizes[k + 1] + 1, dtype=float)
            numbered = fem.pack_coefficients(self.form)
        finally:
            for f, a in zip(self.gathered, saved):
                f.x.array[:] = a
        gathers = [{} for _ in self.gathered]
        for key, packed in numbered.items():
            cols = np.flatnonzero(np.any(packed != zero[key], axis=0))
            idx = packed[:, cols] - 1.0
            if np.any(idx != np.round(idx)) or np.any(idx < 0):
                return None
            owner = np.searchsorted(sizes, idx[0] if len(idx) else np.zeros(len(cols)),
                                    side="right") - 1
            for k in range(len(self.gathered)):
                mine = cols[owner == k]
                if len(idx) and np.any((idx[:, owner == k] < sizes[k])
                                       | (idx[:, owner == k] >= sizes[k + 1])):
                    return None  # a column mixing Functions: not a gather
                dofs = (idx[:, owner == k] - sizes[k]).astype(np.int64)
                if len(mine) and mine[-1] - mine[0] + 1 == len(mine):  # contiguous: a slice
                    mine = slice(int(mine[0]), int(mine[-1]) + 1)  # (a 1.8x faster write)
                gathers[k][key] = (mine, dofs)
        actual = fem.pack_coefficients(self.form)  # the gather must reproduce DOLFINx's
        for f, a, gather in zip(self.gathered, saved, gathers):
            for key, (cols, idx) in gather.items():
                if not np.array_equal(actual[key][:, cols], a[idx]):
                    return None
        return gathers

    def check(self) -> None:
        """Pack everything again at the next :meth:`packed` if the values of the
        coefficients that are not gathered have changed."""
        if self._coeffs is None:
            return
        if any(not np.array_equal(c.x.array, s) for c, s in zip(self._static, self._seen)):
            self._coeffs = None

    def packed(self, functions) -> dict:
        """The packed coefficients, with the columns of ``functions`` (some of the gathered
        ones) re-gathered from their current values."""
        if not self._gather_found:
            self._gather, self._gather_found = self._columns(), True
        if self._coeffs is None or self._gather is None:
            self._coeffs = fem.pack_coefficients(self.form)
            self._seen = [c.x.array.copy() for c in self._static]
            self.full_packs += 1
            return self._coeffs
        for f in functions:
            values = f.x.array
            for key, (cols, idx) in self._gather[self.gathered.index(f)].items():
                self._coeffs[key][:, cols] = values[idx]
        return self._coeffs


def _address(array: np.ndarray) -> int:
    return array.__array_interface__["data"][0]


class PackedResidual:
    """``snes.setFunction(PackedResidual(F, u, bcs).evaluate, b)``.

    Args:
        F: the compiled residual form (``fem.Form``) in ``u``.
        u: the unknown Function.
        bcs: the Dirichlet conditions of ``u``.
        history: Functions of the form that change between solves only (``u_n``, ...):
            re-gathered at each solve's first evaluation instead of packed.

    Call :meth:`refresh` before each solve (coefficients other than ``u`` may have changed;
    it sets the Dirichlet data on ``u``). The object holds no reference to the SNES (no
    reference cycle: the solver is freed when its owner closes it).
    """

    def __init__(self, F: fem.Form, u: fem.Function, bcs, history=()):
        self.F, self.u, self.bcs = F, u, list(bcs or [])
        self.packer = CoefficientPacker(F, [u, *history])
        self._new_solve = True

    def refresh(self) -> None:
        """A new solve: set the Dirichlet data on ``u`` (the initial guess); the history is
        gathered, and the other coefficients packed again if they changed, at the next
        evaluation."""
        for bc in self.bcs:
            bc.set(self.u.x.array)
        self.u.x.scatter_forward()
        self.packer.check()
        self._new_solve = True

    def _packed(self) -> dict:
        functions = self.packer.gathered if self._new_solve else [self.u]
        self._new_solve = False
        return self.packer.packed(functions)

    def evaluate(self, snes: PETSc.SNES, x: PETSc.Vec, b: PETSc.Vec) -> None:
        """The residual at ``x`` into ``b`` (the signature of ``SNES.setFunction``)."""
        x.ghostUpdate(addv=PETSc.InsertMode.INSERT, mode=PETSc.ScatterMode.FORWARD)
        fp.assign(x, self.u)
        with b.localForm() as local:
            local.set(0.0)
        fp.assemble_vector(b, self.F, constants=fem.pack_constants(self.F),
                           coeffs=self._packed())
        b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        fp.set_bc(b, self.bcs, x0=x, alpha=-1.0)
        b.ghostUpdate(addv=PETSc.InsertMode.INSERT, mode=PETSc.ScatterMode.FORWARD)
