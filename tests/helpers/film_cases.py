"""The permalloy films of the film-dispersion test and benchmark: the three geometries
(Damon-Eshbach, backward and forward volume), their exact modes without exchange, the
eigenvalue shifts that pick the mode, and the FEM problem of a geometry."""

import numpy as np

from fem_spin.parameters.magnet import Magnet
from fem_spin.physics.scales import MU0
from fem_spin.physics.spin_wave_theory import (
    film_backward_volume,
    film_forward_volume,
    film_surface_mode,
)
from fem_spin.problems.film_dispersion import FilmDispersion

MS, A_EX, B, B_N, D = 8e5, 1.3e-11, 0.05, 1.3, 10.0
NO_EX = Magnet(Ms=MS)
PY = Magnet(Ms=MS, A_ex=A_EX)
G, MU0MS = PY.gamma, MU0 * MS
# geometry: M0, B_T, (theta, phi) of Kalinikos-Slavin, internal field (T)
GEOMETRY = {"DE": ((0, 1, 0), (0, B, 0), (np.pi / 2, np.pi / 2), B),
            "BV": ((1, 0, 0), (B, 0, 0), (np.pi / 2, 0.0), B),
            "FV": ((0, 0, 1), (0, 0, B_N), (0.0, 0.0), B_N - MU0MS)}
EXACT = {"DE": lambda k, d: film_surface_mode(G, B, MU0MS, k, d),
         "BV": lambda k, d: film_backward_volume(G, B, MU0MS, k, d),
         "FV": lambda k, d: film_forward_volume(G, B_N, MU0MS, k, d)}
# without exchange: DE and FV at the top of their bands, BV at the bottom
SHIFT = {"DE": G * (B + MU0MS / 2), "BV": None,
         "FV": np.sqrt(G * (B_N - MU0MS) * G * B_N)}


def film(comm, geo, mag=PY, **kw):
    """The FEM dispersion problem of geometry ``geo`` (thickness ``D`` unless given)."""
    M0, B_T, _, _ = GEOMETRY[geo]
    kw.setdefault("thickness", D)
    return FilmDispersion(mag, M0=M0, B_T=B_T, comm=comm, **kw)
