"""Magnetization textures as numpy callables ``x -> array (3, N)`` (reduced M, |M| <= 1)."""

from __future__ import annotations

import numpy as np

__all__ = ["bilayer_axis_right", "bilayer_magnetization"]


def bilayer_axis_right(theta: float) -> np.ndarray:
    """Right-layer axis ``n_R = R_x(theta) z = (0, -sin theta, cos theta)`` (theta in rad)."""
    return np.array([0.0, -np.sin(theta), np.cos(theta)])


def bilayer_magnetization(theta: float, l_da: float, spacer: float = 0.0):
    """CPP bilayer texture (paper Sec. VI, Fig. 5): axis z for x < spacer and ``n_R(theta)``
    for x > spacer, magnitude ``tanh(|x - spacer| / l_da)`` falling to zero at the
    zero-thickness spacer over the interface width ``l_da`` (nm)."""
    n_left, n_right = np.array([0.0, 0.0, 1.0]), bilayer_axis_right(theta)

    def M(x: np.ndarray) -> np.ndarray:
        d = x[0] - spacer
        axis = np.where(d[None, :] < 0, n_left[:, None], n_right[:, None])
        return np.tanh(np.abs(d) / l_da)[None, :] * axis

    return M
