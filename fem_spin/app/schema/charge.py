"""``[charge]``: drive the device by a charge current (``docs/charge-transport.md``).

    [charge]
    electrodes = [{ boundary = "left", current_density = 1e11 },   # A/m^2, into the device
                  { boundary = "right", voltage = 0.0 }]           # V (at least one)
    interfaces = [{ boundary = "interface_1", AR = 0.51, gamma = 0.77,
                    G_mix = [0.55, 0.0], delta = 0.0 }]            # fOhm m^2; 1/(fOhm m^2)
    [charge.angle_sweep]                                           # optional: R(theta)
    region = "fm_right"      # the layer whose magnetization turns
    angles_deg = [0, 45, 90, 135, 180]
    axis = [0.0, 1.0, 0.0]   # about this axis, from its magnetization at 0 degrees

Every material then needs ``sigma`` (S/m). Boundary names are checked against the mesh.
"""

from __future__ import annotations

from dataclasses import dataclass

from fem_spin.app.schema.geometry import GeometrySpec
from fem_spin.app.tomltable import KeyPath, Table
from fem_spin.errors import InputError
from fem_spin.parameters import Material
from fem_spin.parameters.charge import Electrode, Interface

__all__ = ["AngleSweep", "ChargeSpec", "parse_charge"]


@dataclass(frozen=True)
class AngleSweep:
    region: str
    angles_deg: tuple[float, ...]
    axis: tuple[float, float, float]


@dataclass(frozen=True)
class ChargeSpec:
    """Electrodes and interfaces by boundary name (``tag`` is filled in from the mesh: the
    parameter objects are built with tag 0 here, to validate the values), and the sweep."""

    electrodes: tuple[tuple[str, Electrode, KeyPath], ...]
    interfaces: tuple[tuple[str, tuple[Interface, str | None], KeyPath], ...]  # (magnet side)
    angle_sweep: AngleSweep | None = None


def _build(t: Table, cls, keys, what: str, required=()):
    t.allow(("boundary", *keys), f" in {what}")
    name = t.string("boundary")
    for key in required:
        if not t.has(key):
            raise t.error(None, f"missing key {key!r} in {what}")
    kw = {}
    for k in keys:
        if not t.has(k):
            continue
        if k == "G_mix":
            kw[k] = tuple(t.numbers(k, length=2, unit="1/(fOhm m^2)"))
        elif k == "spin_reservoir":
            kw[k] = t.boolean(k)
        elif k == "magnet":
            kw[k] = t.string(k)
        else:
            kw[k] = t.number(k)
    magnet = kw.pop("magnet", None)
    try:
        return name, cls(tag=0, **kw), magnet
    except InputError as e:
        raise t.error(None, str(e).replace("(tag=0)", "")) from None


def parse_charge(root: Table, geometry: GeometrySpec, materials: dict[str, Material]
                 ) -> ChargeSpec:
    t = root.table("charge")
    t.allow(("electrodes", "interfaces", "angle_sweep"), " in [charge]")
    electrodes = []
    for e in t.tables("electrodes"):
        name, obj, _ = _build(e, Electrode, ("voltage", "current_density", "spin_reservoir"),
                              "an electrode")
        electrodes.append((name, obj, e.path))
    if not any(obj.voltage is not None for _, obj, _ in electrodes):
        raise t.error("electrodes", "give at least one electrode with a voltage (V): it fixes "
                                    "the reference of the potential")
    interfaces = []
    for i in (t.tables("interfaces") if t.has("interfaces") else []):
        name, obj, magnet = _build(i, Interface, ("AR", "gamma", "G_mix", "delta", "magnet"),
                                   "an interface", required=("AR",))
        if magnet is not None and magnet not in geometry.regions:
            raise i.error("magnet", f"is not a region of this {geometry.kind}: "
                                    f"{', '.join(geometry.regions)}")
        interfaces.append((name, (obj, magnet), i.path))
    names = [n for n, _, _ in (*electrodes, *interfaces)]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise t.error(None, f"boundary {twice[0]!r} is used twice among the electrodes and "
                            "interfaces")
    missing = [n for n, m in materials.items() if m.sigma is None]
    if missing:
        raise root.source.error(("materials", missing[0]),
                                f"a [charge] case needs the conductivity sigma (S/m) of every "
                                f"region; region(s) {', '.join(missing)} have none")
    sweep = None
    if t.has("angle_sweep"):
        s = t.table("angle_sweep")
        s.allow(("region", "angles_deg", "axis"), " in [charge.angle_sweep]")
        region = s.string("region", choices=geometry.regions)
        angles = tuple(s.numbers("angles_deg", unit="degrees"))
        axis = s.vector("axis", (0.0, 1.0, 0.0))
        if sum(a * a for a in axis) == 0:
            raise s.error("axis", "must be a direction, not zero")
        sweep = AngleSweep(region, angles, tuple(axis))
    return ChargeSpec(tuple(electrodes), tuple(interfaces), sweep)
