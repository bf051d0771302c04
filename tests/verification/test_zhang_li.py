"""The Zhang-Li torque (fem_spin.physics.magnetization.zhang_li_torque) against exact wall
motion: with xi = alpha the LLG with the torque is the current-free LLG in the frame moving at
u, so any (here the equilibrium Bloch) wall translates rigidly at u; with xi != alpha a wall
below Walker breakdown moves at the steady velocity (xi / alpha) u (Thiaville et al., EPL 69
(2005) 990). And the SP5 drift velocity of the mumax3 / magnum.np convention."""

import dolfinx.mesh
import numpy as np
import pytest

from fem_spin import LLG, Magnet
from fem_spin.errors import InputError
from fem_spin.physics.magnetization import zhang_li_velocity
from fem_spin.textures import domain_wall
from tests.helpers.exact import rates

MS, A_EX, K_U, K_D = 8e5, 1e-11, 4e5, 5e5  # delta = sqrt(A/K) = 5 nm
L = 80.0  # nm


def wall_shift(comm, n, dt, xi, alpha, t_end, t_from=0.0, u=0.02):
    """The wall centre's shift between t_from and t_end (nm) from <M_z> = 2 x_c / L."""
    mesh = dolfinx.mesh.create_box(comm, [[-L / 2, -1.0, -1.0], [L / 2, 1.0, 1.0]], [n, 1, 1])
    magnet = Magnet(Ms=MS, A_ex=A_EX, alpha=alpha, K_u=K_U, easy_axis=(0, 0, 1), K_d=K_D,
                    normal=(1, 0, 0))
    M0 = domain_wall("bloch", width=np.sqrt(A_EX / K_U) * 1e9, normal=(1, 0, 0))
    with LLG(mesh, magnet, M0=M0, zhang_li=((u, 0.0, 0.0), xi)) as p:
        centres = {}
        while p.t < t_end - 1e-9:
            if abs(p.t - t_from) < 1e-9:
                centres["from"] = L * p.average_M()[2] / 2
            p.step(dt)
        centres["to"] = L * p.average_M()[2] / 2
        assert p.norm_drift() < 1e-10
    return centres["to"] - centres["from"]


def test_translation_at_u_when_xi_equals_alpha(comm):
    """xi = alpha = 0.3: the wall moves u t = 2 nm in 100 ps; the error falls like h^2."""
    u, t = 0.02, 100.0
    errors = [abs(wall_shift(comm, n, 5.0, 0.3, 0.3, t, u=u) - u * t) for n in (40, 80)]
    assert rates([L / 40, L / 80], errors)[0] > 1.7, errors
    assert errors[-1] < 0.01 * u * t


@pytest.mark.parametrize("xi", [0.0, 0.6])
def test_steady_velocity_xi_over_alpha(comm, xi):
    """Below Walker breakdown the wall settles to v = (xi / alpha) u (alpha = 0.3; measured
    between 150 and 250 ps, after the tilt transient of ~(1 + alpha^2)/(alpha gamma B_D) = 33
    ps): within 1 % of v (or of u for v = 0) at h = 1 nm (the discretization's 0.7 % of the
    displacement, see the test above)."""
    u = 0.02
    shift = wall_shift(comm, 80, 5.0, xi, 0.3, 250.0, t_from=150.0, u=u)
    assert shift / 100.0 == pytest.approx(xi / 0.3 * u, rel=0.01, abs=0.01 * u)


def test_sp5_velocity_and_bad_input(comm):
    """u = -P J mu_B / (e Ms (1 + xi^2)): 72.17 m/s for SP5 (the mumax3 / magnum.np value),
    against J for P > 0."""
    u = zhang_li_velocity((1e12, 0.0, 0.0), 1.0, 8e5, 0.05) * 1e3  # m/s
    assert u[0] == pytest.approx(-72.17, abs=0.01)
    assert u[1] == u[2] == 0.0
    mesh = dolfinx.mesh.create_box(comm, [[0, 0, 0], [4, 1, 1]], [2, 1, 1])
    with pytest.raises(InputError, match="zhang_li must be"):
        LLG(mesh, Magnet(Ms=MS, A_ex=A_EX), M0=(0, 0, 1), zhang_li=0.5)
