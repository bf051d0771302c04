"""The side-charge-free vortex model (fem_spin.physics.spin_wave_theory.
vortex_gyrotropic_pole_free), the reference of benchmarks/vortex_gyrotropic.py."""

import numpy as np

from fem_spin.physics.spin_wave_theory import vortex_gyrotropic_pole_free

GAMMA, MU0MS = 0.1760859627, 4e-7 * np.pi * 8e5


def test_thin_limit_and_full_function():
    """The thin limit is Guslienko's ``(5 / 9 pi) gamma mu0 Ms beta`` to 0.2 % (the exact
    integral ``int_0^inf I(t)^2 dt`` is 0.17654, the paper's 5 / 9 pi = 0.17684); the full
    function at beta = 0.2 equals an independent evaluation (scipy: ``I(t)`` by Struve
    functions, ``(pi / 2t)(J1 H0 - J0 H1)``, and adaptive quadrature to t = 2e4:
    F = 0.0148863779) to 3e-7 (the truncation at t = 400); it falls below the thin limit
    as beta grows (84 % at 0.2)."""
    for beta in (0.05, 0.2):
        thin = vortex_gyrotropic_pole_free(GAMMA, MU0MS, beta, thin=True)
        paper = 5 / (9 * np.pi) * GAMMA * MU0MS * beta
        assert abs(thin / paper - 1 + 1.7e-3) < 3e-4, thin / paper
    full = vortex_gyrotropic_pole_free(GAMMA, MU0MS, 0.2)
    assert abs(full / (2 * GAMMA * MU0MS * 0.014886377933958285) - 1) < 3e-7
    ratios = [vortex_gyrotropic_pole_free(GAMMA, MU0MS, b)
              / vortex_gyrotropic_pole_free(GAMMA, MU0MS, b, thin=True) for b in (0.01, 0.2)]
    assert ratios[0] > 0.99 and abs(ratios[1] - 0.8432) < 1e-3, ratios
