"""Region-wise (DG0) coefficients: one compiled form serves any parameter values.

A problem takes one parameter object for the whole mesh or ``{cell tag: parameters}``; the
coefficients are piecewise-constant Functions taking each region's values (zero on cells of
no region).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from fem_spin.core.fields import region_function
from fem_spin.errors import InputError
from fem_spin.parameters import Magnet, Material

__all__ = ["MagnetCoefficients", "SpinCoefficients", "as_magnets", "as_materials",
           "global_tags"]


def global_tags(comm, tags) -> set[int]:
    """The tag values of a MeshTags over all ranks (``tags`` may be None: none)."""
    local = set() if tags is None else {int(t) for t in np.unique(tags.values)}
    return set().union(*comm.allgather(local))


def as_materials(materials, cell_tags) -> tuple[dict[int, Material], object]:
    """One :class:`Material` (the whole mesh, tags ignored) or ``{cell tag: Material}``."""
    if isinstance(materials, Material):
        return {0: materials}, None
    return dict(materials), cell_tags


def as_magnets(magnets, cell_tags) -> tuple[dict[int, Magnet], object]:
    """``Magnet`` or ``{cell tag: Magnet}`` -> (dict, cell_tags) (validated)."""
    if isinstance(magnets, Magnet):
        return {0: magnets}, None
    if not isinstance(magnets, Mapping) or not magnets:
        raise InputError(f"magnets must be a Magnet or a non-empty {{cell tag: Magnet}}, got "
                         f"{magnets!r}")
    for tag, mag in magnets.items():
        if not isinstance(mag, Magnet):
            raise InputError(f"magnets[{tag}] must be a fem_spin.Magnet, got {mag!r}")
    if cell_tags is None:
        raise InputError("magnets given per cell tag need cell_tags that mark the regions")
    return dict(magnets), cell_tags


def _scalar(mesh, cell_tags, regions, get, name):
    return region_function(mesh, cell_tags, {t: (get(p),) for t, p in regions.items()}, (), name)


def _vector(mesh, cell_tags, regions, get, name):
    return region_function(mesh, cell_tags, {t: get(p) for t, p in regions.items()}, (3,), name)


class SpinCoefficients:
    """The spin-transport coefficients of S1/S2 per region: ``D`` (nm^2/ps), ``tau`` (ps),
    ``tau_A`` (ps, the time in ``A(H)``: the very Function ``tau`` where no material sets
    one), each a scalar where all regions have equal components, else a 3-vector; ``lam``
    (rad/ps) and ``m0``. ``isotropic``: every region has equal ``tau_k``, ``tau_A`` and
    ``D_p``."""

    def __init__(self, mesh, materials: Mapping[int, Material], cell_tags):
        mats = materials.values()
        self.equal_tau = all(len(set(m.tau3)) == 1 for m in mats)
        self.equal_D = all(len(set(m.D3)) == 1 for m in mats)
        self.isotropic = all(m.isotropic for m in mats)

        def coefficient(get, scalar: bool, name: str):
            values = {t: (get(m)[0] if scalar else get(m)) for t, m in materials.items()}
            return region_function(mesh, cell_tags, values, () if scalar else (3,), name)

        self.D = coefficient(lambda m: m.D3, self.equal_D, "D")
        self.tau = coefficient(lambda m: m.tau3, self.equal_tau, "tau")
        if all(m.tau_A is None for m in mats):
            self.tau_A = self.tau
        else:
            equal = all(len(set(m.tau_A3)) == 1 for m in mats)
            self.tau_A = coefficient(lambda m: m.tau_A3, equal, "tau_A")
        self.lam = coefficient(lambda m: (m.lam,), True, "lambda")
        self.m0 = coefficient(lambda m: (m.m0,), True, "m0")


class MagnetCoefficients:
    """The LLG coefficients per magnet region, zero outside the magnets.

    Attributes: gamma (rad/(ps T)), alpha, C_ex (T nm^2), B_K, B_D (T), e_u, n (unit
    vectors), lam_M (rad/ps), Ms (A/m); ``tags`` the magnet cell tags (None: the whole mesh).
    """

    def __init__(self, mesh, magnets: dict[int, Magnet], cell_tags):
        if cell_tags is not None:
            present = global_tags(mesh.comm, cell_tags)
            missing = sorted(set(magnets) - present)
            if missing:
                raise InputError(f"magnets given for cell tags {missing} that the mesh does "
                                 f"not have; its cell tags are {sorted(present)}")
        self.tags = None if cell_tags is None else tuple(sorted(magnets))
        args = (mesh, cell_tags, magnets)
        self.gamma = _scalar(*args, lambda m: m.gamma, "gamma")
        self.alpha = _scalar(*args, lambda m: m.alpha, "alpha")
        self.C_ex = _scalar(*args, lambda m: m.exchange_coefficient, "C_ex")
        self.B_K = _scalar(*args, lambda m: m.anisotropy_field, "B_K")
        self.B_D = _scalar(*args, lambda m: m.hard_axis_field, "B_D")
        self.lam_M = _scalar(*args, lambda m: m.lam_M, "lam_M")
        self.Ms = _scalar(*args, lambda m: m.Ms, "Ms")
        self.e_u = _vector(*args, lambda m: m.easy_axis, "e_u")
        self.n = _vector(*args, lambda m: m.normal, "n")
