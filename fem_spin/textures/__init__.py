"""Magnetization textures as numpy callables ``x -> array (3, N)`` (reduced M, |M| <= 1).

A texture is a function of the points ``x`` (array ``(3, N)``, nm, as DOLFINx passes them to
interpolation callables) returning the reduced magnetization ``(3, N)``. The components are
global spin-space components (x, y, z). :func:`magnetization` turns a texture (or a UFL
expression, a constant, a Function) into a DOLFINx Function; :func:`write_magnetization` and
:func:`read_magnetization` store one in an XDMF file and read it back onto any mesh.

Textures: :func:`bilayer_magnetization` (the paper's CPP bilayer), :func:`layered_magnetization`
(multilayers and pillars, interface profile ``tanh(d / l_da)``), :func:`ring_magnetization`
(the paper's square ring), :func:`domain_wall` (Bloch and Neel walls), :func:`vortex`
(vortex in a disc) and :func:`custom_texture` (a validated user callable).
"""

from fem_spin.textures.analytic import (
    RING_AXES,
    Texture,
    bilayer_axis_right,
    bilayer_magnetization,
    custom_texture,
    domain_wall,
    layered_magnetization,
    ring_magnetization,
    vortex,
)
from fem_spin.textures.fields import magnetization
from fem_spin.textures.files import read_magnetization, write_magnetization

__all__ = [
    "RING_AXES",
    "Texture",
    "bilayer_axis_right",
    "bilayer_magnetization",
    "custom_texture",
    "domain_wall",
    "layered_magnetization",
    "magnetization",
    "read_magnetization",
    "ring_magnetization",
    "vortex",
    "write_magnetization",
]
