"""A cheaper element kernel for a bilinear form that contains the P1 diffusion term
``int Dt grad u : grad v dx`` with a cell-constant tensor ``Dt`` (DG0, 3 x 3) on affine
tetrahedra.

Why: FFCx expands ``Dt grad u : grad v`` into 81 products of a tensor entry and a pair of
reference derivatives, each added to the 4 x 4 node blocks (about 1,300 multiply-adds per
cell), and that kernel was about 40 % of S1's Jacobian assembly at 1.6M dofs. With P1 the
term is ``|K| (grad phi_j . grad phi_i) Dt`` per node pair: 10 dot products and 144
multiply-adds. The kernel here is FFCx's kernel of the form's other terms (``rest``, compiled
from UFL as usual) followed by that sum, so the element matrix is the same to round-off
(tests/verification/test_s1_assembly.py) and the matrix is filled in one pass.

The C code is compiled once with cffi into the JIT cache. DOLFINx 0.11 passes a kernel no
data of its own, so each form gets one of :data:`SLOTS` wrapper functions that holds the
pointer to its ``rest`` kernel and where ``Dt`` starts in the packed coefficients.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import sys
import tempfile
import weakref
from pathlib import Path

import basix
import dolfinx.cpp as _cpp
import dolfinx.fem as fem
import numpy as np
import ufl

from fem_spin.core.cell_average import affine_simplex
from fem_spin.core.fields import jit_options

__all__ = ["SLOTS", "diffusion_form"]

log = logging.getLogger(__name__)

#: Forms that can hold the kernel at once (one wrapper function each; freed with the form).
SLOTS = 64

_C_SOURCE = r"""
#include <math.h>
#include <stdint.h>

typedef void (*kernel_t)(double *, const double *, const double *, const double *,
                         const int *, const uint8_t *, void *);
static kernel_t rest[SLOTS];
static int offset[SLOTS];

void set_slot(int i, uintptr_t kernel, int dt_offset)
{
  rest[i] = (kernel_t)kernel;
  offset[i] = dt_offset;
}

/* A[(i,k),(j,p)] += |K| (grad phi_j . grad phi_i) Dt[k][p]: P1 on an affine tetrahedron,
   the vector dofs node-major (12 x 12, row = test function), Dt row-major. */
static void diffusion(double *restrict A, const double *restrict Dt,
                      const double *restrict x)
{
  double J[3][3];
  for (int d = 0; d < 3; ++d)
    for (int c = 0; c < 3; ++c)
      J[d][c] = x[3 * (c + 1) + d] - x[d];
  const double c00 = J[1][1] * J[2][2] - J[1][2] * J[2][1];
  const double c01 = J[1][2] * J[2][0] - J[1][0] * J[2][2];
  const double c02 = J[1][0] * J[2][1] - J[1][1] * J[2][0];
  const double det = J[0][0] * c00 + J[0][1] * c01 + J[0][2] * c02;
  const double r = 1.0 / det;
  /* the rows of K = J^{-1} are the gradients of the barycentric coordinates 1, 2, 3 */
  double g[4][3] = {{0}};
  g[1][0] = c00 * r;
  g[2][0] = c01 * r;
  g[3][0] = c02 * r;
  g[1][1] = (J[0][2] * J[2][1] - J[0][1] * J[2][2]) * r;
  g[2][1] = (J[0][0] * J[2][2] - J[0][2] * J[2][0]) * r;
  g[3][1] = (J[0][1] * J[2][0] - J[0][0] * J[2][1]) * r;
  g[1][2] = (J[0][1] * J[1][2] - J[0][2] * J[1][1]) * r;
  g[2][2] = (J[0][2] * J[1][0] - J[0][0] * J[1][2]) * r;
  g[3][2] = (J[0][0] * J[1][1] - J[0][1] * J[1][0]) * r;
  for (int l = 0; l < 3; ++l)
    g[0][l] = -(g[1][l] + g[2][l] + g[3][l]);
  const double volume = fabs(det) / 6.0;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j)
    {
      const double s = volume * (g[i][0] * g[j][0] + g[i][1] * g[j][1] + g[i][2] * g[j][2]);
      for (int k = 0; k < 3; ++k)
        for (int p = 0; p < 3; ++p)
          A[12 * (3 * i + k) + 3 * j + p] += s * Dt[3 * k + p];
    }
}

#define WRAPPER(i)                                                                       \
  void wrapper_##i(double *A, const double *w, const double *c, const double *x,        \
                   const int *e, const uint8_t *q, void *data)                          \
  {                                                                                      \
    rest[i](A, w, c, x, e, q, data);                                                     \
    diffusion(A, w + offset[i], x);                                                      \
  }
"""


def _source() -> str:
    wrappers = "\n".join(f"WRAPPER({i})" for i in range(SLOTS))
    return f"#define SLOTS {SLOTS}\n{_C_SOURCE}\n{wrappers}\n"


def _cdef() -> str:
    lines = ["void set_slot(int i, uintptr_t kernel, int dt_offset);"]
    lines += [f"void wrapper_{i}(double *, const double *, const double *, const double *, "
              "const int *, const uint8_t *, void *);" for i in range(SLOTS)]
    return "\n".join(lines)


_LIBRARY = None


def _library():
    """The compiled module (built once per source version into the JIT cache; each process
    builds in a private directory and moves the result in place, so ranks never race)."""
    global _LIBRARY
    if _LIBRARY is not None:
        return _LIBRARY
    source = _source()
    name = "fem_spin_diffusion_" + hashlib.sha1(source.encode()).hexdigest()[:16]
    cache = Path(jit_options()["cache_dir"]).expanduser()
    cache.mkdir(parents=True, exist_ok=True)
    built = sorted(cache.glob(name + ".*.so")) + sorted(cache.glob(name + ".so"))
    if not built:
        import cffi

        ffi = cffi.FFI()
        ffi.cdef(_cdef())
        ffi.set_source(name, source, extra_compile_args=["-O2"])
        with tempfile.TemporaryDirectory(dir=cache) as tmp:
            so = Path(ffi.compile(tmpdir=tmp))
            target = cache / so.name
            os.replace(so, target)
        built = [target]
    spec = importlib.util.spec_from_file_location(name, built[0])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules.setdefault(name, module)
    _LIBRARY = module
    return module


_free = list(range(SLOTS))


def _applicable(V, Dt) -> bool:
    mesh = V.mesh
    element = V.ufl_element()
    return (mesh.topology.dim == 3 and mesh.geometry.dim == 3 and affine_simplex(mesh)
            and mesh.basix_cell() == basix.CellType.tetrahedron
            and V.dofmap.index_map_bs == 3 and element.embedded_superdegree == 1
            and element.basix_sobolev_space == basix.SobolevSpace.H1
            and tuple(Dt.ufl_shape) == (3, 3) and Dt.function_space.mesh is mesh
            and Dt.function_space.ufl_element().embedded_superdegree == 0)


def diffusion_form(rest: ufl.Form, Dt: fem.Function) -> fem.Form | None:
    """The DOLFINx form of ``rest + inner(Dt * grad(u), grad(v)) * dx`` (``dx`` with one
    point: exact for DG0 ``Dt`` and P1), assembled by one kernel per cell; None where this
    does not apply (the caller keeps FFCx's form of the whole).

    Args:
        rest: the bilinear form's other terms, on P1 vector spaces (3 components) of an
            affine tetrahedral mesh, with whole-mesh cell integrals only.
        Dt: the tensor per cell (a DG0 Function of shape (3, 3), read at assembly time).
    """
    u, v = rest.arguments()[1], rest.arguments()[0]
    V = v.ufl_function_space()
    if u.ufl_function_space() != V or not _applicable(V, Dt):
        return None
    compiled = fem.form(rest, jit_options=jit_options())
    cpp_form = compiled._cpp_object
    ufcx = compiled.ufcx_form
    if (set(cpp_form.integral_types) != {fem.IntegralType.cell}
            or ufcx.form_integral_offsets[1] != 1 or ufcx.form_integral_ids[0] != -1):
        return None  # subdomain or facet integrals: not this kernel's case
    if not _free:
        log.debug("all %d diffusion-kernel slots in use: FFCx's kernel", SLOTS)
        return None
    lib = _library()
    slot = _free.pop()
    kernel = ufcx.form_integrals[0].tabulate_tensor_float64
    coefficients = [*cpp_form.coefficients, Dt._cpp_object]
    offset = sum(c.function_space.element.space_dimension for c in cpp_form.coefficients)
    lib.lib.set_slot(slot, int(compiled.module.ffi.cast("uintptr_t", kernel)), offset)
    wrapper = int(lib.ffi.cast("uintptr_t", lib.ffi.addressof(lib.lib, f"wrapper_{slot}")))
    cells = cpp_form.domains(fem.IntegralType.cell, 0)
    # the form's one cell integral, on the rest form's cells, with id 0 (a label here; with
    # -1, "everywhere", DOLFINx 0.11's coefficient packing did not find the integral)
    form = fem.Form(_cpp.fem.Form_float64(
        [V._cpp_object, V._cpp_object],
        {fem.IntegralType.cell: [(0, wrapper, np.asarray(cells, dtype=np.int32),
                                  np.arange(len(coefficients), dtype=np.int8))]},
        coefficients, list(cpp_form.constants), False, [], V.mesh._cpp_object))
    form._rest = compiled  # keeps the rest kernel's module loaded while the form lives
    weakref.finalize(form, _free.append, slot)
    return form
