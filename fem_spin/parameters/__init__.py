"""Typed, self-validating parameters: spin transport per region (:class:`Material`), boundary
data (:class:`Dirichlet`, :class:`Flux`) and micromagnetics per magnet (:class:`Magnet`)."""

from fem_spin.parameters.charge import Electrode, Interface, conductor
from fem_spin.parameters.magnet import GAMMA_E, MU0, Magnet, thin_film_anisotropy
from fem_spin.parameters.transport import Dirichlet, Flux, Material, as_triple

__all__ = ["GAMMA_E", "MU0", "Dirichlet", "Electrode", "Flux", "Interface", "Magnet", "Material",
           "as_triple", "conductor",
           "thin_film_anisotropy"]
