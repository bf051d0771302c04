"""A Newton residual and Jacobian split by cells: assembled where the residual is nonlinear
in the unknown, a matrix product where it is affine.

In the coupled step (m, M, W) the residual is nonlinear in ``u`` only on the cells that touch
a dynamic magnet, where M moves. On every other cell (spacers, caps, pinned layers: M held at
its pinned value) it is affine in ``u``, so with ``K`` its Jacobian on those cells

    F_R(u) = F_R(u0) + K (u - u0)        exactly, for any u0.

:class:`AffineSplit` assembles ``F_R(u0)`` once per solve (at the initial guess) and ``K``
only when what it depends on changes; each residual evaluation then assembles the other
cells only (:class:`~fem_spin.core.packed_residual.PackedResidual` on them) and adds one
sparse product, and each Jacobian evaluation assembles those cells and adds ``K``. The
residual is the assembled one to round-off (``tests/verification/test_affine_split.py``).
So is the Jacobian on every update Newton makes: the columns of the held dofs are ``K``'s,
made at the state of its assembly (e.g. the derivative of the diffusion tensor in the held
M, times the accumulation), but those dofs' update is zero (their rows pin them).

What the caller asserts with :class:`AffineCells`: on those cells the residual form is affine
in ``u`` while the dofs there on which it depends nonlinearly (``held_dofs``: pinned rows,
whose Newton update is zero) keep their values. Should they move within a solve (a state
whose pinned M is off its pinned value), ``K`` and ``F_R`` are assembled again where they
are (``K`` depends on them: the diffusion tensor of the held M). ``K`` is
re-assembled at a solve's start when the constants of its form change (e.g. the time step, a
time scheme's coefficients, the time of a time-dependent field), any of its coefficients
other than ``u`` and the ``held`` Functions (whose values on those cells do not change: the
history of M there), or the held dofs' values.
"""

from __future__ import annotations

from dataclasses import dataclass

import dolfinx.fem as fem
import dolfinx.fem.petsc as fp
import numpy as np
import ufl
from dolfinx import cpp as _cpp
from mpi4py import MPI
from petsc4py import PETSc

from fem_spin.core.packed_residual import CoefficientPacker, PackedResidual
from fem_spin.core.sparse_copy import SparseCopy, aij_pattern

__all__ = ["AFFINE_SPLIT", "COPY_FILL", "HELD_TOL", "AffineCells", "AffineSplit", "CopyFill",
           "copy_fill", "for_solver", "restricted"]

#: Residuals and Jacobians split by :class:`AffineCells` where a solver is given them; False:
#: assembled on every cell (before issue 16's fourteenth session; for comparisons).
AFFINE_SPLIT = True

#: A sparse AIJ copy of the split Jacobian (:class:`~fem_spin.core.sparse_copy.SparseCopy`)
#: is filled by :class:`CopyFill`, from ``K`` and the nonlinear cells' Jacobian in a matrix
#: of their own; False: from the whole BAIJ Jacobian, ``K`` added to it (before issue 16's
#: sixteenth session; for comparisons).
COPY_FILL = True

_CELL = fem.IntegralType.cell


@dataclass(frozen=True)
class AffineCells:
    """The local (owned) cells on which a residual is affine in its unknown while the
    ``held_dofs`` (owned indices into the unknown's array; e.g. the pinned M there) keep their
    values, and the Functions (besides the unknown) whose values there never change, e.g. the
    history of pinned dofs."""

    cells: np.ndarray
    held: tuple = ()
    held_dofs: np.ndarray | None = None


#: A held dof that moves by more than this (relative to the largest held value, at least 1)
#: makes the split assemble ``K`` and ``F_R`` again where it is (the error of keeping them is
#: of the order of the move times ``K``'s change). The pinned rows of the coupled step keep
#: them exactly (measured: 0 drift over 40 steps, direct chord and block solver).
HELD_TOL = 1e-12


def restricted(form: fem.Form, cells: np.ndarray | None, facets: bool) -> fem.Form:
    """``form`` with its cell integrals on ``cells`` only (local indices; None: on its own
    cells) and, if ``facets``, its other integrals as they are (else without them). The same
    compiled kernels (no new JIT compilation)."""
    cpp, ufcx, module = form._cpp_object, form.ufcx_form, form.module
    offsets = [ufcx.form_integral_offsets[i] for i in range(len(fem.IntegralType) + 1)]
    n_coefficients = ufcx.num_coefficients
    integrals = {}
    for itype in fem.IntegralType.__members__.values():
        if itype != _CELL and not facets:
            continue
        entries = []
        for i, k in enumerate(range(offsets[itype.value], offsets[itype.value + 1])):
            kernel = ufcx.form_integrals[k]
            entities = np.asarray(cpp.domains(itype, i), dtype=np.int32).reshape(-1)
            if itype == _CELL and cells is not None:
                entities = np.intersect1d(entities, cells).astype(np.int32)
            enabled = np.array([c for c in range(n_coefficients)
                                if kernel.enabled_coefficients[c]], dtype=np.int8)
            pointer = int(module.ffi.cast("uintptr_t", kernel.tabulate_tensor_float64))
            # ids relabelled 0, 1, ...: with -1 ("everywhere") DOLFINx 0.11 packs no
            # coefficients for explicitly given entities (fem_spin.core.diffusion_kernel)
            entries.append((i, pointer, entities, enabled))
        if entries:
            integrals[itype] = entries
    new = fem.Form(type(cpp)(list(cpp.function_spaces), integrals, list(cpp.coefficients),
                             list(cpp.constants), cpp.needs_facet_permutations, [],
                             cpp.mesh), ufcx, None, module)
    new._parent = form  # keeps the kernels' module loaded while the form lives
    return new


def for_solver(problem, F, J, bcs, affine: AffineCells | None, kind: str | None
               ) -> AffineSplit | None:
    """The split by ``affine`` of a DOLFINx ``NonlinearProblem`` of the UFL residual ``F``
    (and Jacobian ``J``, default its derivative); None without ``affine`` or with
    :data:`AFFINE_SPLIT` off."""
    if affine is None or not AFFINE_SPLIT:
        return None
    J_ufl = J if J is not None else ufl.derivative(F, problem.u)
    return AffineSplit(problem.F, problem.J, J_ufl, problem.u, bcs, affine, kind)


class AffineSplit:
    """The residual and Jacobian of ``F`` (compiled, with its compiled Jacobian ``J`` and the
    UFL Jacobian ``J_ufl``) in ``u`` with Dirichlet conditions ``bcs``, split by ``affine``.
    ``kind``: the PETSc type of the Jacobian (as :class:`~fem_spin.core.newton.NewtonSolver`'s
    ``matrix_kind``). Call :meth:`refresh` before each solve (collective)."""

    def __init__(self, F: fem.Form, J: fem.Form, J_ufl, u: fem.Function, bcs,
                 affine: AffineCells, kind: str | None = None):
        self.u, self.bcs = u, list(bcs or [])
        cells = np.asarray(affine.cells, dtype=np.int32)
        topology = u.function_space.mesh.topology
        own = np.arange(topology.index_map(topology.dim).size_local, dtype=np.int32)
        other = np.setdiff1d(own, cells).astype(np.int32)
        self.F_N, self.J_N = restricted(F, other, True), restricted(J, other, True)
        self.F_R, self.J_R = restricted(F, cells, False), restricted(J, cells, False)
        self._packed = PackedResidual(self.F_N, u, self.bcs, affine.held)
        self._packer_R = CoefficientPacker(self.F_R, [u, *affine.held])
        # what K depends on: the constants and coefficients left in the expanded Jacobian
        # (DOLFINx's form packs every constant of the residual)
        J_ufl = ufl.algorithms.expand_derivatives(J_ufl)
        fixed = {id(u), *(id(f) for f in affine.held)}
        self._watched = [c for c in ufl.algorithms.extract_coefficients(J_ufl)
                         if id(c) not in fixed and hasattr(c, "x")]
        self._constants = ufl.algorithms.analysis.extract_constants(J_ufl)
        self._seen: list[np.ndarray] | None = None
        self._held = (np.zeros(0, dtype=np.int64) if affine.held_dofs is None
                      else np.asarray(affine.held_dofs, dtype=np.int64))
        self._K_held: np.ndarray | None = None  # the held values K was assembled at
        self.anchors = 0  # K and F_R assembled again within a solve (held dofs moved)
        # K and the Jacobian hold the whole form's pattern (entries set once by assembling
        # it: PETSc drops the never-set ones at assembly), so A + K is one pass in place
        self.J, self.K = J, fp.create_matrix(J, kind)
        fp.assemble_matrix(self.K, J, self.bcs)
        self.K.assemble()
        self._patterned: set[int] = set()
        self.K_product: PETSc.Mat | None = None  # K without its zeros, for the products
        self.r0 = fp.create_vector(u.function_space)
        self.x0 = self.r0.duplicate()
        self._dx, self._work = self.r0.duplicate(), self.r0.duplicate()
        self._start = True
        self.K_assemblies = 0

    def _fingerprint(self) -> list[np.ndarray]:
        return ([np.array(c.value, copy=True) for c in self._constants]
                + [c.x.array.copy() for c in self._watched])

    def refresh(self) -> None:
        """A new solve: the Dirichlet data on ``u`` (the initial guess), ``F_R`` at the first
        evaluation, and ``K`` again if what it depends on has changed (collective)."""
        self._packed.refresh()
        self._packer_R.check()
        self._start = True
        seen = self._fingerprint()
        held = self.u.x.array[self._held]
        same = (self._seen is not None and not self._moved(held, self._K_held) and all(
            a.shape == b.shape and np.array_equal(a, b) for a, b in zip(seen, self._seen)))
        if not self.u.function_space.mesh.comm.allreduce(same, op=MPI.LAND):
            self._assemble_K()
            self._seen, self._K_held = seen, held.copy()

    def _moved(self, values: np.ndarray, reference: np.ndarray | None) -> bool:
        """Whether held values moved from ``reference`` by more than :data:`HELD_TOL`."""
        if reference is None or not len(values):
            return reference is None
        scale = max(1.0, float(np.max(np.abs(reference))))
        return bool(np.max(np.abs(values - reference)) > HELD_TOL * scale)

    def _assemble_K(self) -> None:
        self.K.zeroEntries()
        fp.assemble_matrix(self.K, self.J_R, self.bcs, diag=0.0)
        self.K.assemble()
        indptr, cols, values = self.K.getValuesCSR()
        keep = np.flatnonzero(values != 0.0)
        if self.K_product is not None:
            self.K_product.destroy()
        self.K_product = aij_pattern(self.K, indptr, cols, keep)
        self.K_product.setValuesCOO(values[keep])
        self.K_assemblies += 1

    def evaluate(self, snes: PETSc.SNES, x: PETSc.Vec, b: PETSc.Vec) -> None:
        """The residual at ``x`` into ``b`` (the signature of ``SNES.setFunction``)."""
        x.ghostUpdate(addv=PETSc.InsertMode.INSERT, mode=PETSc.ScatterMode.FORWARD)
        fp.assign(x, self.u)
        if not self._start:  # held dofs moved (off their pinned values): K and F_R again
            moved = self._moved(x.array_r[self._held], self.x0.array_r[self._held])
            if self.u.function_space.mesh.comm.allreduce(moved, op=MPI.LOR):
                self._assemble_K()
                self._K_held = self.u.x.array[self._held].copy()
                self._start, self.anchors = True, self.anchors + 1
        if self._start:  # F_R at the solve's initial guess
            with self.r0.localForm() as local:
                local.set(0.0)
            fp.assemble_vector(self.r0, self.F_R, constants=fem.pack_constants(self.F_R),
                               coeffs=self._packer_R.packed(self._packer_R.gathered))
            self.r0.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
            x.copy(self.x0)
            self._start = False
        with b.localForm() as local:
            local.set(0.0)
        fp.assemble_vector(b, self.F_N, constants=fem.pack_constants(self.F_N),
                           coeffs=self._packed._packed())
        b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        self._dx.waxpy(-1.0, self.x0, x)  # b += F_R(x0) + K (x - x0)
        self.K_product.multAdd(self._dx, self.r0, self._work)
        b.axpy(1.0, self._work)
        fp.set_bc(b, self.bcs, x0=x, alpha=-1.0)
        b.ghostUpdate(addv=PETSc.InsertMode.INSERT, mode=PETSc.ScatterMode.FORWARD)

    def jacobian(self, x: PETSc.Vec, A: PETSc.Mat) -> None:
        """The Jacobian at ``x`` into ``A`` (created from the whole Jacobian form)."""
        x.ghostUpdate(addv=PETSc.InsertMode.INSERT, mode=PETSc.ScatterMode.FORWARD)
        fp.assign(x, self.u)
        A.zeroEntries()
        if A.handle not in self._patterned:  # its first: the whole form (sets the pattern)
            fp.assemble_matrix(A, self.J, self.bcs, diag=1.0)
            A.assemble()
            self._patterned.add(A.handle)
            return
        fp.assemble_matrix(A, self.J_N, self.bcs, diag=1.0)
        A.assemble()
        A.axpy(1.0, self.K, structure=PETSc.Mat.Structure.SAME_NONZERO_PATTERN)

    def destroy(self) -> None:
        for obj in (self.K, self.K_product, self.r0, self.x0, self._dx, self._work):
            if obj is not None:
                obj.destroy()
        self.K_product = None


def copy_fill(split: AffineSplit | None, copy, kind: str | None) -> CopyFill | None:
    """The :class:`CopyFill` of a solver's split and AIJ copy of its Jacobian; None without a
    split, with a copy of every stored value (``FullCopy``) or with :data:`COPY_FILL` off."""
    if split is None or not isinstance(copy, SparseCopy) or not COPY_FILL:
        return None
    return CopyFill(split, copy, kind)


class CopyFill:
    """Fill the sparse AIJ copy ``copy`` of the Jacobian that ``split`` evaluates (the copy
    of the whole BAIJ Jacobian, :class:`~fem_spin.core.sparse_copy.SparseCopy`) without the
    whole Jacobian: the copy's values are ``K``'s (found again when ``K`` is assembled
    again), the unit diagonal of the Dirichlet rows, and the Jacobian of the nonlinear cells
    ``J_N``, assembled in a matrix of its own pattern (:attr:`A_N`). The same values as the
    copy of ``J_N + K``; at 199,773 dofs the refill from the whole matrix took 0.82 s of a
    1.53 s Jacobian evaluation, now 0.94 s in all (``docs/solver-design.md``)."""

    def __init__(self, split: AffineSplit, copy: SparseCopy, kind: str | None = None):
        self.split, self.copy = split, copy
        self.A_N = fp.create_matrix(split.J_N, kind)
        self._first = self.A_N.getOwnershipRange()[0]
        self._base: np.ndarray | None = None  # K's values in the copy, the unit diagonal
        self._K_out = np.zeros(0)  # K's non-zero values outside the copy's pattern
        self._K_seen = -1
        self._at: np.ndarray | None = None  # positions of A_N's entries in the copy's values
        self._bcs = [bc._cpp_object for bc in split.bcs]
        owned = split.u.function_space.dofmap.index_map.size_local * \
            split.u.function_space.dofmap.index_map_bs
        dofs = [bc.dof_indices()[0] for bc in split.bcs]
        dofs = np.unique(np.concatenate(dofs)) if dofs else np.zeros(0, np.int64)
        self._bc_dofs = dofs[dofs < owned].astype(np.int64)

    def _base_values(self) -> None:
        """``K``'s values at the copy's entries and the Dirichlet rows' unit diagonal."""
        indptr, cols, values = self.split.K.getValuesCSR()
        at = self.copy.locate(indptr, cols, self._first)
        base = np.zeros(self.copy.size)
        base[at[at >= 0]] = values[at >= 0]
        diagonal = self._first + self._bc_dofs
        unit = self.copy.locate_entries(diagonal, diagonal)
        if np.any(unit < 0):
            raise RuntimeError("the sparse copy has no diagonal entry of a Dirichlet row")
        base[unit] += 1.0
        self._base, self._K_out = base, values[(at < 0) & (values != 0.0)]
        self._K_seen = self.split.K_assemblies

    def refill(self, x: PETSc.Vec) -> None:
        """The copy's values at ``x`` (collective)."""
        split = self.split
        x.ghostUpdate(addv=PETSc.InsertMode.INSERT, mode=PETSc.ScatterMode.FORWARD)
        fp.assign(x, split.u)
        if self._K_seen != split.K_assemblies:
            self._base_values()
        A = self.A_N
        A.zeroEntries()
        # the cells' Jacobian with the Dirichlet rows and columns zero, no diagonal (in base)
        _cpp.fem.petsc.assemble_matrix(A, split.J_N._cpp_object, fem.pack_constants(split.J_N),
                                       fem.pack_coefficients(split.J_N), self._bcs)
        A.assemble()
        indptr, cols, values = A.getValuesCSR()
        if self._at is None:
            self._at = self.copy.locate(indptr, cols, self._first)
        self.copy.set_values(*self.values(values))

    def values(self, values_N: np.ndarray) -> tuple[np.ndarray, float]:
        """The copy's values with the values ``values_N`` of :attr:`A_N` (its CSR order),
        and the share of the squared Frobenius norm of ``J_N + K`` outside the copy's pattern
        (collective)."""
        inside = self._at >= 0
        filled = self._base.copy()
        filled[self._at[inside]] += values_N[inside]
        # outside the pattern (zero if the pattern holds): A_N's values and K's; they could
        # cancel only where they share an entry, so this over-states a loss, never misses one
        out = values_N[~inside]
        comm = self.split.u.function_space.mesh.comm
        whole, lost = comm.allreduce(np.array([filled @ filled, out @ out
                                               + self._K_out @ self._K_out]))
        total = whole + lost
        return filled, (lost / total if total > 0.0 else 0.0)

    def destroy(self) -> None:
        self.A_N.destroy()
