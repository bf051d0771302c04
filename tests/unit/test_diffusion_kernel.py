"""Where fem_spin.core.diffusion_kernel applies, and its slots: a form it cannot assemble
gives None (the caller keeps FFCx's form); a slot comes back when its form is freed. Its
matrices against FFCx's: tests/verification/test_s1_assembly.py."""

import gc

import dolfinx.fem as fem
import dolfinx.mesh as dm
import numpy as np
import ufl

from fem_spin.core import diffusion_kernel


def _spaces(comm, cell=dm.CellType.tetrahedron, dim=3):
    mesh = (dm.create_unit_cube(comm, 2, 2, 2, cell) if dim == 3
            else dm.create_unit_square(comm, 3, 3))
    V = fem.functionspace(mesh, ("Lagrange", 1, (3,)))
    Dt = fem.Function(fem.functionspace(mesh, ("DG", 0, (3, 3))))
    return mesh, V, Dt


def test_applies_to_p1_vectors_on_tetrahedra(comm):
    mesh, V, Dt = _spaces(comm)
    u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
    assert diffusion_kernel.diffusion_form(ufl.inner(u, v) * ufl.dx, Dt) is not None


def test_other_cases_are_left_to_ffcx(comm):
    mesh, V, Dt = _spaces(comm)
    u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
    # a facet integral in the local terms (a Robin-type condition)
    assert diffusion_kernel.diffusion_form(
        ufl.inner(u, v) * ufl.dx + ufl.inner(u, v) * ufl.ds, Dt) is None
    # a cell integral on a subdomain only
    none = np.zeros(0, dtype=np.int32)
    tags = dm.meshtags(mesh, 3, none, none)
    dx1 = ufl.Measure("dx", domain=mesh, subdomain_data=tags)
    assert diffusion_kernel.diffusion_form(ufl.inner(u, v) * dx1(1), Dt) is None
    # hexahedra, triangles, P2
    for other in (_spaces(comm, dm.CellType.hexahedron), _spaces(comm, dim=2)):
        _, W, Dw = other
        w, z = ufl.TrialFunction(W), ufl.TestFunction(W)
        assert diffusion_kernel.diffusion_form(ufl.inner(w, z) * ufl.dx, Dw) is None
    P2 = fem.functionspace(mesh, ("Lagrange", 2, (3,)))
    w, z = ufl.TrialFunction(P2), ufl.TestFunction(P2)
    assert diffusion_kernel.diffusion_form(ufl.inner(w, z) * ufl.dx, Dt) is None


def test_a_slot_is_freed_with_its_form(comm):
    mesh, V, Dt = _spaces(comm)
    u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
    free = len(diffusion_kernel._free)
    forms = [diffusion_kernel.diffusion_form(ufl.inner(u, v) * ufl.dx, Dt) for _ in range(3)]
    assert len(diffusion_kernel._free) == free - 3
    del forms
    gc.collect()
    assert len(diffusion_kernel._free) == free
