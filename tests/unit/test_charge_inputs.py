"""Bad charge-transport inputs are refused with a message that names the problem."""

import numpy as np
import pytest
from mpi4py import MPI

from fem_spin import Material
from fem_spin.errors import InputError
from fem_spin.geometry.multilayer import Layer, multilayer
from fem_spin.parameters.charge import Electrode, Interface, conductor
from fem_spin.problems.charge import ChargeSpinTransport


@pytest.mark.parametrize("kwargs, match", [
    (dict(sigma=-1.0), "sigma must be a positive conductivity"),
    (dict(sigma=1e7, beta=1.0), r"\|beta\| < 1"),
    (dict(sigma=1e7, beta=-1.2), r"\|beta\| < 1"),
])
def test_material(kwargs, match):
    with pytest.raises(InputError, match=match):
        Material(D=1e3, tau=1.0, **kwargs)


@pytest.mark.parametrize("kwargs, match", [
    (dict(AR=0.0), "AR must be a positive"),
    (dict(AR=-1.0), "AR must be a positive"),
    (dict(AR=1.0, gamma=1.0), r"\|gamma\| < 1"),
    (dict(AR=1.0, delta=-0.1), "delta must be >= 0"),
    (dict(AR=1.0, G_mix=(-0.1, 0.0)), "non-negative real part"),
    (dict(AR=1.0, G_mix="big"), "complex number"),
])
def test_interface(kwargs, match):
    with pytest.raises(InputError, match=match):
        Interface(tag=3, **kwargs)


def test_electrode():
    with pytest.raises(InputError, match="exactly one of voltage"):
        Electrode(tag=1)
    with pytest.raises(InputError, match="exactly one of voltage"):
        Electrode(tag=1, voltage=0.0, current_density=1e11)
    with pytest.raises(InputError, match="positive length"):
        conductor(sigma=1e7, l_sf=0.0, D=1e3)


@pytest.fixture(scope="module")
def stack():
    return multilayer(MPI.COMM_WORLD, [Layer("a", 5.0), Layer("b", 5.0)], h_max=1.0,
                      wavelength=np.inf)


def test_problem_inputs(stack):
    tags = stack.tags
    mats = {tags["a"]: conductor(sigma=1e7, l_sf=10, D=1e3),
            tags["b"]: conductor(sigma=1e7, l_sf=10, D=1e3)}
    args = (stack.mesh, mats)
    kw = dict(cell_tags=stack.cell_tags, facet_tags=stack.facet_tags)
    with pytest.raises(InputError, match="at least one Electrode with a voltage"):
        ChargeSpinTransport(*args, **kw, electrodes=[Electrode(tag=1, current_density=1.0)])
    with pytest.raises(InputError, match="no facets with that tag"):
        ChargeSpinTransport(*args, **kw, electrodes=[Electrode(tag=77, voltage=0.0)])
    with pytest.raises(InputError, match="between exactly two regions"):
        ChargeSpinTransport(*args, **kw, electrodes=[Electrode(tag=tags["right"], voltage=0.0)],
                            interfaces=[Interface(tag=tags["left"], AR=1.0)])
    with pytest.raises(InputError, match="has no conductivity"):
        ChargeSpinTransport(stack.mesh, {tags["a"]: Material(D=1e3, tau=1.0),
                                         tags["b"]: mats[tags["b"]]}, **kw,
                            electrodes=[Electrode(tag=tags["right"], voltage=0.0)])
