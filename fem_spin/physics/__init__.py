"""The equations of fem_spin as pure UFL: no PETSc, gmsh or files here.

One module per physics, each function with its equation number (``shared/physics.md`` and the
paper) and units in its docstring:

- :mod:`~fem_spin.physics.spin_diffusion`: S1/S2, the generalized spin diffusion (Eq. 66-75):
  ``H``, ``A(H)``, ``Dt``, the spin current, relaxation, the S1 residual and the S2 time term,
  the s-d torque density.
- :mod:`~fem_spin.physics.magnetization`: S3, the Landau-Lifshitz-Gilbert terms (exchange,
  Zeeman, anisotropies, damping, s-d torque) as fields and energies (Eq. 79).
- :mod:`~fem_spin.physics.scales`: the length and time scales (l_sf, a = tau |H|, the
  transverse wavelength, cells per wavelength) and the physical constants.

- :mod:`~fem_spin.physics.spin_waves`: the LLG linearized about an equilibrium (the modes).
- :mod:`~fem_spin.physics.fluctuations`: S4, the magnetization fluctuations (Eq. 82-86).
- :mod:`~fem_spin.physics.spin_wave_theory`: closed-form spin-wave frequencies (numpy).
- :mod:`~fem_spin.physics.magnetostatics`: the demagnetizing field's scalar potential (its
  weak form, the Robin and shell-transformation exteriors, field and energy).
- :mod:`~fem_spin.physics.charge`: charge transport with the spin accumulation (the
  potential, spin-dependent conduction, N/F interface laws).
"""

from fem_spin.physics.spin_diffusion import (
    diffusion_tensor,
    effective_field,
    inverse_precession_matrix,
    precession_matrix,
    relaxation,
    s1_local_terms,
    s1_residual,
    s2_residual,
    sd_torque_density,
    spin_current,
)

__all__ = [
    "diffusion_tensor",
    "effective_field",
    "inverse_precession_matrix",
    "precession_matrix",
    "relaxation",
    "s1_local_terms",
    "s1_residual",
    "s2_residual",
    "sd_torque_density",
    "spin_current",
]
