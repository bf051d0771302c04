"""The magnetostatic potential of the magnetization: a linear FEM problem on a mesh of the
magnets and the air around them (:mod:`fem_spin.physics.magnetostatics` has the equations),
linked to the magnetization on the magnets' submesh.

The LLG lives on the submesh of the magnet cells (no magnetization dofs in the air); the
potential ``u`` lives on the whole mesh. Its matrix does not depend on M: it is assembled and
factorized (MUMPS LU) once, and every evaluation of the field is one assembly of the source
``(Ms M, grad v)`` and one forward/backward substitution. The parent's P1 values of M and the
submesh's values of u are copied vertex by vertex (the submesh shares the parent's vertices),
so ``u`` on the submesh is exactly the potential there.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import dolfinx.fem as fem
import dolfinx.fem.petsc
import dolfinx.mesh
import numpy as np
import ufl
from petsc4py import PETSc

from fem_spin.core.fields import jit_options
from fem_spin.core.regions import global_tags
from fem_spin.errors import InputError
from fem_spin.physics.magnetostatics import (
    MU0,
    potential_form,
    robin_form,
    shell_metric,
    source_form,
)

__all__ = ["EXTERIORS", "Magnetostatics", "demagnetizing_tensor"]

log = logging.getLogger(__name__)

EXTERIORS = ("robin", "dirichlet", "shell")
"""The treatments of the exterior beyond the mesh (:mod:`fem_spin.physics.magnetostatics`)."""


class Magnetostatics:
    """The demagnetizing field of the magnets of a mesh that includes air.

    Args:
        mesh: the whole mesh (magnets, air, optional shell); cell_tags, facet_tags: its tags.
        magnet_tags: the cell tags of the submesh on which the LLG (or the coupled problem) is
            solved: the magnets and any non-magnetic device regions (spacers, leads); the
            charges come from where the problem's ``Ms`` is positive.
        exterior: ``"robin"`` (asymptotic dipole condition on ``outer_tag``), ``"dirichlet"``
            (``u = 0`` there) or ``"shell"`` (the cells ``shell_tag`` between ``shell_radii =
            (R1, R2)`` mapped to infinity, ``u = 0`` at R2).
        outer_tag: facet tag of the outer boundary; center: the centre of the outer sphere.
        degree: the Lagrange degree of the potential (1 or 2; 2 is the default: at equal
            dofs about 10x more accurate, docs/magnetostatics.md).

    Attributes:
        submesh, sub_cell_tags, sub_facet_tags: the device's mesh and its cell and facet tags
            (the parent's numbers; a parent facet inside the air ball, e.g. an electrode, is a
            boundary facet of the submesh): give them to :class:`fem_spin.LLG` or
            :class:`fem_spin.CoupledSpinDynamics`.
        u: the potential (A) on the whole mesh; u_sub: on the submesh.
    """

    def __init__(self, mesh, cell_tags, facet_tags, *, magnet_tags, exterior: str = "robin",
                 outer_tag: int = 1, shell_tag: int | None = None,
                 shell_radii: tuple[float, float] | None = None,
                 center=(0.0, 0.0, 0.0), degree: int = 2):
        if exterior not in EXTERIORS:
            raise InputError(f"exterior must be one of {EXTERIORS}, got {exterior!r}")
        if mesh.topology.dim != 3:
            raise InputError("magnetostatics needs a 3D mesh of the magnets and the air")
        present = global_tags(mesh.comm, cell_tags)
        self.magnet_tags = tuple(sorted(int(t) for t in magnet_tags))
        missing = sorted(set(self.magnet_tags) - present)
        if not self.magnet_tags or missing:
            raise InputError(f"magnet_tags {list(magnet_tags)} must be cell tags of the mesh "
                             f"(missing {missing}; the mesh has {sorted(present)})")
        if exterior == "shell" and (shell_tag is None or shell_radii is None):
            raise InputError("exterior = 'shell' needs shell_tag and shell_radii = (R1, R2)")
        self.mesh, self.exterior, self.comm = mesh, exterior, mesh.comm
        self._submesh(cell_tags)
        self._parent_tags = cell_tags
        self.sub_facet_tags = None if facet_tags is None else self._sub_facets(facet_tags)
        if degree not in (1, 2):
            raise InputError(f"the potential's degree must be 1 or 2, got {degree!r}")
        self.degree = degree
        self.V = fem.functionspace(mesh, ("Lagrange", degree))
        self.u = fem.Function(self.V, name="u_demag")
        self.V_sub = fem.functionspace(self.submesh, ("Lagrange", degree))
        self.u_sub = fem.Function(self.V_sub, name="u_demag")
        self.to_parent = self.node_map(self.V_sub)
        self._M_map = None
        self._attached = None
        self.M_parent = fem.Function(fem.functionspace(mesh, ("Lagrange", 1, (3,))),
                                     name="M")
        self.Ms_parent = fem.Function(fem.functionspace(mesh, ("DG", 0)), name="Ms")

        u, v = ufl.TrialFunction(self.V), ufl.TestFunction(self.V)
        dx = ufl.Measure("dx", domain=mesh, subdomain_data=cell_tags)
        ds = ufl.Measure("ds", domain=mesh, subdomain_data=facet_tags)
        bcs = []
        if exterior == "shell":
            R1, R2 = (float(r) for r in shell_radii)
            interior = tuple(sorted(present - {int(shell_tag)}))
            a = potential_form(u, v, dx(interior), shell_metric(mesh, R1, R2, center),
                               dx(int(shell_tag)))
        else:
            a = potential_form(u, v, dx)
        if exterior == "robin":
            a += robin_form(u, v, ds(outer_tag), center)
        else:
            facets = facet_tags.find(outer_tag)
            if self.comm.allreduce(len(facets)) == 0:
                raise InputError(f"no facet tagged {outer_tag} (the outer boundary)")
            dofs = fem.locate_dofs_topological(self.V, mesh.topology.dim - 1, facets)
            bcs = [fem.dirichletbc(0.0, dofs, self.V)]
        self._bcs = bcs
        self._a = fem.form(a, jit_options=jit_options())
        self._L = fem.form(source_form(self.Ms_parent * self.M_parent, v,
                                       dx(self.magnet_tags)), jit_options=jit_options())
        self.A = dolfinx.fem.petsc.assemble_matrix(self._a, bcs=bcs)
        self.A.assemble()
        self.b = dolfinx.fem.petsc.create_vector(self.V)
        self.ksp = PETSc.KSP().create(self.comm)
        self.ksp.setOperators(self.A)
        self.ksp.setType("preonly")
        pc = self.ksp.getPC()
        pc.setType("lu")
        pc.setFactorSolverType("mumps")
        self.solves = 0
        log.info("magnetostatics (%s): %d dofs on the whole mesh, %d on the submesh",
                 exterior, self.V.dofmap.index_map.size_global,
                 self.V_sub.dofmap.index_map.size_global)

    # -- set-up -----------------------------------------------------------------------------
    def _submesh(self, cell_tags) -> None:
        mesh = self.mesh
        tdim = mesh.topology.dim
        cells = np.unique(np.concatenate([cell_tags.find(t) for t in self.magnet_tags]))
        sub, emap, vmap, _ = dolfinx.mesh.create_submesh(mesh, tdim, cells.astype(np.int32))
        imap = sub.topology.index_map(tdim)
        sub_cells = np.arange(imap.size_local + imap.num_ghosts, dtype=np.int32)
        parent_cells = np.asarray(emap.sub_topology_to_topology(sub_cells, False))
        tag_of = np.zeros(mesh.topology.index_map(tdim).size_local
                          + mesh.topology.index_map(tdim).num_ghosts, dtype=np.int32)
        tag_of[cell_tags.indices] = cell_tags.values
        self.submesh = sub
        self.sub_cell_tags = dolfinx.mesh.meshtags(sub, tdim, sub_cells, tag_of[parent_cells])
        self._cells = (sub_cells, parent_cells.astype(np.int32))
        self._vmap = vmap

    def _sub_facets(self, facet_tags):
        """The parent's facet tags on the submesh's facets (matched by their midpoints)."""
        mesh, sub = self.mesh, self.submesh
        fdim = mesh.topology.dim - 1
        sub.topology.create_entities(fdim)
        sub.topology.create_connectivity(fdim, fdim + 1)
        mesh.topology.create_connectivity(fdim, fdim + 1)
        imap = sub.topology.index_map(fdim)
        sub_facets = np.arange(imap.size_local + imap.num_ghosts, dtype=np.int32)
        scale = 1e6 / max(float(np.ptp(mesh.geometry.x)), 1e-300)

        def keys(msh, facets):
            mid = dolfinx.mesh.compute_midpoints(msh, fdim, facets)
            return [tuple(k) for k in np.round(mid * scale).astype(np.int64)]

        tag_of = dict(zip(keys(mesh, facet_tags.indices), facet_tags.values, strict=True))
        found = [(f, tag_of.get(k)) for f, k in zip(sub_facets, keys(sub, sub_facets),
                                                    strict=True)]
        found = [(f, t) for f, t in found if t is not None]
        indices = np.array([f for f, _ in found], dtype=np.int32)
        values = np.array([t for _, t in found], dtype=np.int32)
        order = np.argsort(indices)
        return dolfinx.mesh.meshtags(sub, fdim, indices[order], values[order])

    def node_map(self, Vs: fem.FunctionSpace, Vp: fem.FunctionSpace | None = None
                 ) -> np.ndarray:
        """Local node of a Lagrange space ``Vs`` on the submesh (owned and ghosts) -> local
        node of the same space ``Vp`` on the parent (default ``self.V``), matched per cell
        pair by coordinates."""
        Vp = self.V if Vp is None else Vp
        sub_cells, parent_cells = self._cells
        sd = Vs.dofmap.list[sub_cells]
        pd = Vp.dofmap.list[parent_cells]
        x_sub = Vs.tabulate_dof_coordinates()
        x_par = Vp.tabulate_dof_coordinates()
        to_parent = np.full(len(x_sub), -1, dtype=np.int64)
        for k in range(sd.shape[1]):
            d = np.linalg.norm(x_sub[sd[:, k]][:, None, :] - x_par[pd], axis=2)
            to_parent[sd[:, k]] = pd[np.arange(len(pd)), np.argmin(d, axis=1)]
        if np.any(to_parent < 0):
            raise RuntimeError("a submesh node has no parent node")
        return to_parent

    def attach(self, V_M: fem.FunctionSpace, Ms_sub: fem.Function) -> None:
        """Use the magnetization space ``V_M`` (P1 3-vectors on the submesh) and the DG0
        ``Ms`` (A/m) of the submesh in :meth:`solve`."""
        if V_M.mesh is not self.submesh:
            raise InputError("the LLG must be solved on Magnetostatics.submesh (pass "
                             "mesh=demag.submesh, cell_tags=demag.sub_cell_tags)")
        self._M_map = self.node_map(V_M, self.M_parent.function_space)
        self._attached = (V_M, Ms_sub)
        self._energy = None
        self.set_Ms(Ms_sub)

    # -- the field ----------------------------------------------------------------------------
    def set_Ms(self, Ms_sub: fem.Function) -> None:
        """The saturation magnetization (A/m, a DG0 Function on the submesh)."""
        sub_cells, parent_cells = self._cells
        self.Ms_parent.x.array[:] = 0.0
        self.Ms_parent.x.array[self.Ms_parent.function_space.dofmap.list[parent_cells, 0]] = (
            Ms_sub.x.array[Ms_sub.function_space.dofmap.list[sub_cells, 0]])
        self.Ms_parent.x.scatter_forward()

    def solve(self, M_values: np.ndarray) -> fem.Function:
        """The potential of the reduced magnetization ``M`` (the local array of a Function of
        the attached ``V_M``, ghosts included): sets and returns ``u_sub`` (and ``u``)."""
        if self._M_map is None:
            raise InputError("Magnetostatics.attach(V_M, Ms) first")
        Mp = self.M_parent.x.array.reshape(-1, 3)
        Mp[self._M_map] = M_values.reshape(-1, 3)
        self.M_parent.x.scatter_forward()
        self._solve_source()
        self.u_sub.x.array[:] = self.u.x.array[self.to_parent]
        self.solves += 1
        return self.u_sub

    def solve_in(self, V_M: fem.FunctionSpace, Ms_sub: fem.Function,
                 M_values: np.ndarray) -> fem.Function:
        """:meth:`solve` for ``M`` given in another space ``V_M`` (with ``Ms_sub``), e.g. the
        spin-wave modes' beside the LLG's: the attached space stays attached (its dof layout
        may differ, and the problem that owns it solves again later). Sets and returns
        ``u_sub``."""
        previous = self._attached
        self.attach(V_M, Ms_sub)
        try:
            return self.solve(M_values)
        finally:
            if previous is not None:
                self.attach(*previous)

    def _solve_source(self) -> None:
        """``u`` of the source ``(Ms_parent M_parent, grad v)``."""
        b = self.b
        with b.localForm() as loc:
            loc.set(0.0)
        dolfinx.fem.petsc.assemble_vector(b, self._L)
        b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        if self._bcs:
            dolfinx.fem.petsc.set_bc(b, self._bcs)
        self.ksp.solve(b, self.u.x.petsc_vec)
        self.u.x.scatter_forward()

    def energy(self, M_values: np.ndarray) -> float:
        """Magnetostatic self-energy ``(mu0 / 2) (Ms M, grad u)`` (aJ) of ``M`` (as in
        :meth:`solve`; global)."""
        self.solve(M_values)  # (InputError before any attach)
        V_M, Ms_sub = self._attached
        if getattr(self, "_energy", None) is None:
            self._M_energy = fem.Function(V_M)
            self._energy = fem.form(0.5 * MU0 * Ms_sub * ufl.dot(
                self._M_energy, ufl.grad(self.u_sub)) * ufl.dx(domain=self.submesh),
                jit_options=jit_options())
        self._M_energy.x.array[:] = M_values
        return 1e-9 * self.comm.allreduce(fem.assemble_scalar(self._energy))

    def stray_field(self, Ms: Mapping[int, float], M) -> fem.Function:
        """The magnetostatic field ``B = -mu0 grad u`` (T) of fixed magnets on the submesh: the
        regions ``Ms`` (cell tag -> saturation magnetization, A/m; e.g. a pillar's pinned
        layer, not a dynamic magnet) magnetized along ``M`` (a constant 3-vector or a callable
        ``x -> (3, N)``, normalised). A static field: give it to the LLG as (part of)
        ``B_T``; its energy is then the Zeeman energy of the dynamic magnets in it. A
        discontinuous vector Function of degree ``degree - 1`` (the exact gradient)."""
        tags = {int(t): float(v) for t, v in dict(Ms).items()}
        unknown = sorted(set(tags) - set(self.magnet_tags))
        if unknown or any(not np.isfinite(v) or v <= 0 for v in tags.values()):
            raise InputError(f"stray_field: Ms must map cell tags of the device "
                             f"{list(self.magnet_tags)} to positive A/m, got {dict(Ms)!r}")
        Ms_keep, M_keep = self.Ms_parent.x.array.copy(), self.M_parent.x.array.copy()
        u_keep = self.u.x.array.copy()
        try:
            self.Ms_parent.x.array[:] = 0.0
            for tag, value in tags.items():
                cells = self._parent_tags.find(tag)
                self.Ms_parent.x.array[self.Ms_parent.function_space.dofmap.list[cells, 0]] = (
                    value)
            self.Ms_parent.x.scatter_forward()
            if callable(M):
                self.M_parent.interpolate(M)
            else:
                self.M_parent.x.array.reshape(-1, 3)[:] = np.asarray(M, dtype=float)
            rows = self.M_parent.x.array.reshape(-1, 3)
            norm = np.linalg.norm(rows, axis=1)
            rows /= np.where(norm > 0, norm, 1.0)[:, None]
            self._solve_source()
            self.u_sub.x.array[:] = self.u.x.array[self.to_parent]
            V = fem.functionspace(self.submesh, ("DG", self.degree - 1, (3,)))
            B = fem.Function(V, name="B_stray")
            B.interpolate(fem.Expression(-MU0 * ufl.grad(self.u_sub),
                                         V.element.interpolation_points))
        finally:
            self.Ms_parent.x.array[:], self.M_parent.x.array[:] = Ms_keep, M_keep
            self.u.x.array[:] = u_keep
            self.u_sub.x.array[:] = self.u.x.array[self.to_parent]
        return B

    def close(self) -> None:
        """Free the PETSc objects (collective)."""
        for obj in (self.ksp, self.A, self.b):
            obj.destroy()




def demagnetizing_tensor(demag: Magnetostatics, Ms: fem.Function | None = None) -> np.ndarray:
    """The volume-averaged demagnetizing tensor ``N_ij = -<H_d,i> / Ms`` of the magnets
    uniformly magnetized along ``e_j`` (``= <d_i u>`` for ``Ms = 1``; global): the magnets are
    the cells where the DG0 ``Ms`` of the submesh is positive (default: the whole submesh).
    Attaches its own magnetization space (attach the problem's again afterwards)."""
    sub = demag.submesh
    V_M = fem.functionspace(sub, ("Lagrange", 1, (3,)))
    chi = fem.Function(fem.functionspace(sub, ("DG", 0)))
    chi.x.array[:] = 1.0 if Ms is None else (Ms.x.array > 0).astype(float)
    demag.attach(V_M, chi)
    dx = ufl.dx(domain=sub)
    volume = demag.comm.allreduce(fem.assemble_scalar(fem.form(
        chi * dx, jit_options=jit_options())))
    grads = [fem.form(chi * demag.u_sub.dx(i) * dx, jit_options=jit_options())
             for i in range(3)]
    N = np.zeros((3, 3))
    M = np.zeros((V_M.dofmap.index_map.size_local + V_M.dofmap.index_map.num_ghosts, 3))
    for j in range(3):
        M[:] = 0.0
        M[:, j] = 1.0
        demag.solve(M.ravel())
        for i in range(3):
            N[i, j] = demag.comm.allreduce(fem.assemble_scalar(grads[i])) / volume
    return N
