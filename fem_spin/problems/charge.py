"""Steady charge + spin transport: the electrochemical potential and the spin accumulation
driven by a charge current through electrodes, N/F interfaces on internal facets
(:mod:`fem_spin.physics.charge`, ``docs/charge-transport.md``)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import basix.ufl
import dolfinx.fem as fem
import dolfinx.la as la
import numpy as np
import ufl
from mpi4py import MPI

from fem_spin import physics
from fem_spin.core.boundary import validate_inputs
from fem_spin.core.broken import colour_regions, facet_regions, inactive_bcs
from fem_spin.core.fields import (
    as_vector_field,
    external_precession,
    interpolate,
    jit_options,
    region_function,
)
from fem_spin.core.measures import Measures
from fem_spin.core.newton import NewtonSolver, SolveInfo
from fem_spin.core.regions import SpinCoefficients, as_materials, global_tags
from fem_spin.errors import InputError
from fem_spin.parameters import GAMMA_E, Material
from fem_spin.parameters.charge import FEMTO, Electrode, Interface
from fem_spin.physics import charge

__all__ = ["ChargeSpinTransport"]

log = logging.getLogger(__name__)


class ChargeSpinTransport:
    """The potential ``phi`` (V) and spin potential ``mu`` (V; accumulation ``m = chi mu`` in
    A/m) of a device driven through electrodes.

    Args:
        mesh: DOLFINx mesh (1D, 2D or 3D) built with the shared-facet ghost mode (the
            geometry builders do) when it has interfaces.
        materials: ``{cell tag: Material}`` (or one Material), each with ``sigma`` (and
            ``beta`` in a ferromagnet); isotropic ``D``.
        cell_tags, facet_tags: MeshTags of the regions and of the electrodes / interfaces.
        M: reduced magnetization (unit length in the magnets; a Function, UFL or constant),
            None: no magnet.
        B_T / H_ext: external field in tesla / precession vector in rad/ps (as in S1).
        interfaces: :class:`Interface` per tagged internal facet set.
        electrodes: :class:`Electrode` per tagged boundary facet set; at least one sets a
            voltage (the reference of the potential).
        degree: Lagrange degree of phi and mu.
        petsc_options: merged on the direct (MUMPS) default.
    """

    def __init__(self, mesh, materials: Material | Mapping[int, Material], *, cell_tags=None,
                 facet_tags=None, M=None, B_T=None, H_ext=None,
                 interfaces: Sequence[Interface] = (), electrodes: Sequence[Electrode] = (),
                 degree: int = 1, quadrature_degree: int | None = None,
                 petsc_options: dict | None = None, gamma_e: float = GAMMA_E):
        materials, cell_tags = as_materials(materials, cell_tags)
        validate_inputs(mesh.comm, materials, cell_tags, facet_tags, (), (), degree)
        self._check(mesh, materials, cell_tags, facet_tags, interfaces, electrodes)
        self.mesh, self.materials = mesh, materials
        self.cell_tags, self.facet_tags = cell_tags, facet_tags
        self.interfaces, self.electrodes = tuple(interfaces), tuple(electrodes)
        qd = 2 * degree + 1 if quadrature_degree is None else quadrature_degree
        self.measures = Measures.build(mesh, cell_tags, facet_tags, qd)
        dx, ds, dS = self.measures.dx, self.measures.ds, self.measures.dS

        # -- regions, colours, unknowns ---------------------------------------------------
        sides = {i.tag: sorted(facet_regions(mesh, cell_tags, facet_tags, i.tag))
                 for i in self.interfaces}
        for tag, regions in sides.items():
            if len(regions) != 2:
                raise InputError(f"Interface(tag={tag}) must lie between exactly two regions, "
                                 f"its facets touch regions {regions}")
        self.colour = colour_regions(materials, [tuple(r) for r in sides.values()])
        self.ncolours = 2 if self.interfaces else 1
        P = basix.ufl.element("Lagrange", mesh.basix_cell(), degree)
        P3 = basix.ufl.element("Lagrange", mesh.basix_cell(), degree, shape=(3,))
        self.W = fem.functionspace(mesh, basix.ufl.mixed_element([P, P3] * self.ncolours))
        self.u = fem.Function(self.W, name="phi_mu")
        fields, tests = ufl.split(self.u), ufl.TestFunctions(self.W)
        self.phi = [fields[2 * c] for c in range(self.ncolours)]
        self.mu = [fields[2 * c + 1] for c in range(self.ncolours)]
        psi = [tests[2 * c] for c in range(self.ncolours)]
        v = [tests[2 * c + 1] for c in range(self.ncolours)]

        # -- coefficients ---------------------------------------------------------------
        c = SpinCoefficients(mesh, materials, cell_tags)
        self.D, self.tau, self.tau_A, self.lam = c.D, c.tau, c.tau_A, c.lam
        self.sigma = region_function(mesh, cell_tags, {t: (m.sigma,) for t, m in
                                                       materials.items()}, (), "sigma")
        self.beta = region_function(mesh, cell_tags, {t: (m.beta,) for t, m in
                                                      materials.items()}, (), "beta")
        self.chi = charge.spin_susceptibility(self.sigma, self.D)
        self.M = as_vector_field(mesh, M, "M")
        self._M_cells = self._M_source = None
        # the majority spin is along the magnets' local spin, antiparallel to the moment M
        self.spin_axis = None if self.M is None else -self.M
        self.H_ext = external_precession(mesh, B_T, H_ext, gamma_e)
        self.H = physics.effective_field(self.H_ext, self.M, self.lam)
        zero = fem.Constant(mesh, np.zeros(3))
        mu_eq = zero if self.M is None else c.m0 * self.M / self.chi

        # -- residual ---------------------------------------------------------------------
        F = 0
        for col in range(self.ncolours):
            tags = tuple(t for t in materials if self.colour.get(t, 0) == col)
            if not tags:
                continue
            F += charge.bulk_residual(
                self.phi[col], self.mu[col], psi[col], v[col], s=self.spin_axis, H=self.H,
                sigma=self.sigma, beta=self.beta, D=self.D, tau=self.tau, tau_A=self.tau_A,
                mu_eq=mu_eq, dx=dx(tags) if cell_tags is not None else dx)
        for itf in self.interfaces:
            r1, r2 = sides[itf.tag]
            c1, c2 = self.colour[r1], self.colour[r2]
            G_r, G_i = itf.mixing
            F += charge.interface_residual(
                self.phi[c1]("+"), self.mu[c1]("+"), psi[c1]("+"), v[c1]("+"),
                self.phi[c2]("+"), self.mu[c2]("+"), psi[c2]("+"), v[c2]("+"),
                self._interface_axis(itf, (r1, r2)), G=itf.G, gamma=itf.gamma, G_r=G_r,
                G_i=G_i, G_sf=itf.G_sf, dS=dS(itf.tag))
        self.bcs = []
        self._electrode_colour, self._currents, self._voltages = {}, {}, []
        for e in self.electrodes:
            col = self._boundary_colour(e.tag)
            self._electrode_colour[e.tag] = col
            if e.current_density is not None:
                self._currents[e.tag] = fem.Constant(mesh, float(e.current_density))
                F -= self._currents[e.tag] * psi[col] * ds(e.tag)
            self.bcs += self._electrode_bcs(e, col)
        if self.ncolours == 2:
            region = cell_tags.values
            for col in range(2):
                cells = cell_tags.indices[np.isin(region, [t for t, k in self.colour.items()
                                                           if k == col])]
                subs = {0: [self.W.sub(2 * col)] + [self.W.sub(2 * col + 1).sub(k)
                                                    for k in range(3)]}
                self.bcs += inactive_bcs(self.W, subs, cells)
        self.residual = F
        self._residual_form, self._areas = None, {}
        self._solver = NewtonSolver(F, self.u, self.bcs, petsc_options=petsc_options,
                                    jit_options=jit_options())
        ndofs = self.W.dofmap.index_map.size_global
        log.info("charge + spin transport: P%d, %d dofs, %d region(s), %d interface(s), "
                 "%d electrode(s)", degree, ndofs, len(materials), len(self.interfaces),
                 len(self.electrodes))

    # -- set-up helpers ------------------------------------------------------------------

    @staticmethod
    def _check(mesh, materials, cell_tags, facet_tags, interfaces, electrodes) -> None:
        for tag, m in materials.items():
            if m.sigma is None:
                raise InputError(f"the material of region {tag} has no conductivity: give "
                                 "Material(sigma=...) (S/m) in every region")
            if len(set(m.D3)) != 1:
                raise InputError(f"region {tag}: charge transport needs one diffusion constant "
                                 f"D, got {m.D!r}")
        if not any(e.voltage is not None for e in electrodes):
            raise InputError("give at least one Electrode with a voltage: it fixes the "
                             "reference of the potential")
        facets = global_tags(mesh.comm, facet_tags)
        for kind, items in (("Interface", interfaces), ("Electrode", electrodes)):
            for item in items:
                if item.tag not in facets:
                    raise InputError(f"{kind}(tag={item.tag}): the mesh has no facets with "
                                     f"that tag; its facet tags are {sorted(facets)}")
        tags = [x.tag for x in (*interfaces, *electrodes)]
        if len(tags) != len(set(tags)):
            raise InputError(f"a facet tag is used twice among interfaces/electrodes: {tags}")

    def _interface_axis(self, itf: Interface, regions):
        """The majority-spin axis ``-M / |M|`` of the interface's magnetic side (M's cell
        values, restricted), or None for a normal/normal interface."""
        if self.M is None:
            return None
        if itf.magnet is not None:
            if itf.magnet not in regions:
                raise InputError(f"Interface(tag={itf.tag}).magnet = {itf.magnet} is not one of "
                                 f"its two sides {list(regions)}")
            magnet = itf.magnet
        else:
            magnetic = [r for r in regions if self.materials[r].beta != 0
                        or self.materials[r].lam != 0]
            if not magnetic:
                return None
            if len(magnetic) == 2:
                raise InputError(f"Interface(tag={itf.tag}) joins two magnetic regions "
                                 f"{list(regions)}: name the one whose M sets its axis with "
                                 "Interface(magnet=...)")
            magnet = magnetic[0]
        if self._M_cells is None:
            V0 = fem.functionspace(self.mesh, ("DG", 0, (3,)))
            self._M_cells = interpolate(self.M, V0)
            self._M_source = fem.Expression(self.M, V0.element.interpolation_points)
        side = region_function(self.mesh, self.cell_tags, {magnet: (1.0,)}, (), "side")
        Md = self._M_cells
        axis = (side * Md)("+") + (side * Md)("-")
        return -axis / ufl.sqrt(ufl.dot(axis, axis))  # the majority axis: -M

    def _boundary_colour(self, tag: int) -> int:
        regions = facet_regions(self.mesh, self.cell_tags, self.facet_tags, tag)
        colours = {self.colour.get(r, 0) for r in regions}
        if len(colours) != 1:
            raise InputError(f"Electrode(tag={tag}) touches regions {sorted(regions)} on both "
                             "sides of an interface: split it into one electrode per side")
        return colours.pop()

    def _electrode_bcs(self, e: Electrode, col: int) -> list:
        fdim = self.mesh.topology.dim - 1
        facets = self.facet_tags.find(e.tag)
        subs = []
        if e.voltage is not None:
            subs.append((self.W.sub(2 * col), e.voltage))
        if e.spin_reservoir:
            subs += [(self.W.sub(2 * col + 1).sub(k), 0.0) for k in range(3)]
        bcs = []
        for Wk, value in subs:
            Vk, _ = Wk.collapse()
            g = fem.Function(Vk)
            g.x.array[:] = value
            if value != 0.0:
                self._voltages.append((g, value))
            dofs = fem.locate_dofs_topological((Wk, Vk), fdim, facets)
            bcs.append(fem.dirichletbc(g, dofs, Wk))
        return bcs

    def set_drive(self, scale: float) -> None:
        """Scale every electrode's current density and voltage by ``scale`` (of the values
        given); the problem is linear, so the solution scales with it."""
        for tag, c in self._currents.items():
            e = next(e for e in self.electrodes if e.tag == tag)
            c.value = scale * e.current_density
        for g, value in self._voltages:
            g.x.array[:] = scale * value

    def update_magnetization(self) -> None:
        """Re-read ``M`` after its Function changed (the interfaces' axes are cell values of
        M, kept in a DG0 copy)."""
        if self._M_cells is not None:
            self._M_cells.interpolate(self._M_source)

    # -- solve and observables -----------------------------------------------------------

    def solve(self) -> SolveInfo:
        """Solve the linear problem (one Newton step with MUMPS)."""
        return self._solver.solve()

    def close(self) -> None:
        if self._solver is not None:
            self._solver.close()
            self._solver = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _indicator(self, col: int):
        if self.ncolours == 1:
            return 1.0
        return region_function(self.mesh, self.cell_tags,
                               {t: (1.0 if self.colour.get(t, 0) == col else 0.0,)
                                for t in self.materials}, (), f"colour_{col}")

    def field(self, name: str):
        """A UFL expression of the solution, continuous within regions, jumping at interfaces:
        ``"phi"`` (V), ``"mu"`` (V), ``"m"`` (A/m), ``"j"`` (A/m^2), ``"J"`` (A/m^2)."""
        parts = []
        for col in range(self.ncolours):
            phi, mu = self.phi[col], self.mu[col]
            expr = {
                "phi": lambda: phi, "mu": lambda: mu, "m": lambda: self.chi * mu,
                "j": lambda: charge.charge_current(phi, mu, self.spin_axis, self.sigma,
                                                   self.beta),
                "J": lambda: charge.spin_current(phi, mu, self.spin_axis, self.H, self.sigma,
                                                 self.beta, self.tau_A),
            }
            if name not in expr:
                raise InputError(f"unknown field {name!r}: use phi, mu, m, j or J")
            parts.append(self._indicator(col) * expr[name]())
        return parts[0] if len(parts) == 1 else parts[0] + parts[1]

    def function(self, name: str) -> fem.Function:
        """:meth:`field` interpolated into a discontinuous Lagrange space (degree of the
        solution for phi, mu, m; one less for the currents j, J), for output and sampling."""
        expr = self.field(name)
        degree = self.W.ufl_element().sub_elements[0].embedded_superdegree
        k = degree - 1 if name in ("j", "J") else degree
        V = fem.functionspace(self.mesh, ("DG", k, expr.ufl_shape))
        return interpolate(expr, V, name=name)

    def _integral(self, expr, measure) -> float:
        value = fem.assemble_scalar(fem.form(expr * measure, jit_options=jit_options()))
        return self.mesh.comm.allreduce(value, op=MPI.SUM)

    def electrode_area(self, tag: int) -> float:
        """Area of an electrode (nm^2; 1 for the end point of a 1D mesh), computed once."""
        if tag not in self._areas:
            self._areas[tag] = self._integral(fem.Constant(self.mesh, 1.0),
                                              self.measures.ds(tag))
        return self._areas[tag]

    def electrode_potential(self, tag: int) -> float:
        """Mean potential over an electrode (V)."""
        col = self._electrode_colour[tag]
        return self._integral(self.phi[col], self.measures.ds(tag)) / self.electrode_area(tag)

    def electrode_current(self, tag: int) -> float:
        """Mean current density into the device through an electrode (A/m^2): the given one,
        or, for a voltage electrode, the variationally consistent flux (the residual of the
        charge equation on the electrode's dofs)."""
        e = next(e for e in self.electrodes if e.tag == tag)
        if e.current_density is not None:
            return float(self._currents[tag].value)
        col = self._electrode_colour[tag]
        Wk, parent = self.W.sub(2 * col).collapse()
        fdim = self.mesh.topology.dim - 1
        dofs = fem.locate_dofs_topological((self.W.sub(2 * col), Wk), fdim,
                                           self.facet_tags.find(tag))[0]
        if self._residual_form is None:  # compiled once, assembled per call
            self._residual_form = fem.form(self.residual, jit_options=jit_options())
        b = fem.assemble_vector(self._residual_form)
        b.scatter_reverse(la.InsertMode.add)
        owned = dofs[dofs < self.W.dofmap.index_map.size_local * self.W.dofmap.index_map_bs]
        total = self.mesh.comm.allreduce(float(b.array[owned].sum()), op=MPI.SUM)
        return total / self.electrode_area(tag)

    def resistance_area(self, high: int, low: int) -> float:
        """Resistance-area product (fOhm m^2) between two electrodes: the potential difference
        over the current density entering at ``high``."""
        return ((self.electrode_potential(high) - self.electrode_potential(low))
                / self.electrode_current(high) / FEMTO)

    def torque(self, region: int, area: float = 1.0):
        """The s-d torque on the magnet of a region per area ``area`` (nm^2): the spin
        angular momentum it gains per time, in charge-current units (A/m^2; times
        hbar / (2 e) in J/m^2): ``int 1e9 sigma / D lam M x mu dx / area``. A 3-vector. The
        magnet's spin is ``-Ms M / gamma``: M (the moment) turns against this vector,
        ``d_t M = -(gamma / (Ms t)) (hbar / 2e) torque`` for a layer of thickness ``t``."""
        if self.M is None:
            return np.zeros(3)
        col = self.colour.get(region, 0)
        density = (charge.NM_PER_M * self.sigma / self.D * self.lam
                   * ufl.cross(self.M, self.mu[col]))
        return np.array([self._integral(density[k], self.measures.dx(region))
                         for k in range(3)]) / area
