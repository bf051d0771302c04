"""``[materials.<region>]``: the spin-transport parameters of each region (``default``: the rest).

Units: ``D`` nm^2/ps, ``tau`` ps or ``l_sf`` nm (``tau = l_sf^2 / ((1 - beta^2) D)``), ``lam``
rad/ps or ``a_max = tau lam``, ``m0`` A/m, ``tau_A`` ps (the time in ``A(H)``; default ``tau``);
for charge transport (``[charge]``) ``sigma`` S/m and the bulk spin asymmetry ``beta``.
"""

from __future__ import annotations

from fem_spin.app.schema.geometry import GeometrySpec
from fem_spin.app.tomltable import Table
from fem_spin.errors import InputError
from fem_spin.parameters import Material

__all__ = ["parse_material", "parse_materials"]


def parse_material(t: Table) -> Material:
    t.allow(("D", "tau", "l_sf", "lam", "a_max", "m0", "tau_A", "sigma", "beta"),
            " in a material")
    sigma = t.number("sigma", None, positive=True, unit="S/m")
    beta = t.number("beta", 0.0)
    if not abs(beta) < 1:
        raise t.error("beta", f"must satisfy |beta| < 1 (beta = (sigma_up - sigma_down) / "
                              f"sigma), got {beta}")
    D = t.numbers("D", positive=True, unit="nm^2/ps")
    if t.has("tau") == t.has("l_sf"):
        raise t.error(None, "give exactly one of tau (ps) or l_sf (nm; tau = l_sf^2 / D)")
    if t.has("l_sf"):
        if len(set(D)) != 1:
            raise t.error("l_sf", "needs one D (not three); give tau for unequal D_p")
        l_sf = t.number("l_sf", positive=True, unit="nm")
        tau: tuple[float, ...] = (l_sf * l_sf / ((1 - beta**2) * D[0]),)  # inf: refused
    else:
        tau = t.numbers("tau", positive=True, unit="ps")
    if len(D) not in (1, 3) or len(tau) not in (1, 3):
        which = "D" if len(D) not in (1, 3) else "tau"
        raise t.error(which, "must be one number or three (x, y, z)")
    if t.has("lam") and t.has("a_max"):
        raise t.error("a_max", "give lam (rad/ps) or a_max (= tau lam), not both")
    if t.has("a_max"):
        if len(set(tau)) != 1:
            raise t.error("a_max", "needs one tau; give lam for unequal tau_k")
        lam = t.number("a_max", unit="tau lam") / tau[0]
    else:
        lam = t.number("lam", 0.0, unit="rad/ps")
    m0 = t.number("m0", 0.0)
    tau_A = t.numbers("tau_A", None, positive=True, unit="ps")
    if tau_A is not None and len(tau_A) not in (1, 3):
        raise t.error("tau_A", "must be one number or three (x, y, z)")
    try:
        return Material(D=D[0] if len(D) == 1 else D, tau=tau[0] if len(tau) == 1 else tau,
                        lam=lam, m0=m0, sigma=sigma, beta=beta,
                        tau_A=None if tau_A is None else (tau_A[0] if len(tau_A) == 1
                                                          else tau_A))
    except InputError as e:  # e.g. tau_A > tau (physically impossible)
        raise t.error(None, str(e)) from None


def parse_materials(root: Table, geometry: GeometrySpec) -> dict[str, Material]:
    mats = root.table("materials")
    regions = geometry.regions
    mats.known((*regions, "default"), "region", geometry.kind)
    out = {name: parse_material(mats.table(name)) for name in regions if mats.has(name)}
    if mats.has("default"):
        default = parse_material(mats.table("default"))
        for name in regions:
            out.setdefault(name, default)
    missing = [n for n in regions if n not in out]
    if missing:
        raise mats.error(None, f"no material for region(s) {', '.join(missing)}: add "
                               f"[materials.{missing[0]}] or [materials.default]")
    return out
