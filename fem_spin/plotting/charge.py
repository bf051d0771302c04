"""Figures of a charge-driven study: the profiles of the potential, the spin accumulation and
the spin current along a line, and R(theta), torque(theta) of an angle sweep."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

__all__ = ["angle_sweep_figure", "charge_profile_figure"]

_COLORS = {"x": "tab:red", "y": "tab:green", "z": "tab:blue"}


def charge_profile_figure(columns: Mapping[str, np.ndarray], *, title: str,
                          interfaces: Sequence[float] = ()) -> Figure:
    """Three panels against the coordinate along the line: phi (mV), m (A/m), J (A/m^2);
    interfaces as vertical lines."""
    coords = [c for c in "xyz" if c in columns and np.ptp(columns[c]) > 0]
    xname = coords[0] if len(coords) == 1 else "s"
    x = columns[xname]
    fig = Figure(figsize=(8, 8), layout="constrained")
    axes = fig.subplots(3, 1, sharex=True)
    axes[0].plot(x, 1e3 * columns["phi"], color="k")
    axes[0].set_ylabel(r"potential $\phi$ (mV)")
    for c in "xyz":
        axes[1].plot(x, columns[f"m{c}"], color=_COLORS[c], label=f"$m_{c}$")
        axes[2].plot(x, columns[f"J{c}"], color=_COLORS[c], label=f"$J_{c}$")
    axes[1].set_ylabel("spin accumulation m (A/m)")
    axes[2].set_ylabel("spin current J (A/m$^2$,\ncharge-current units)")
    axes[2].set_xlabel(f"{xname} (nm)")
    for ax in axes:
        for xi in interfaces:
            ax.axvline(xi, color="0.6", lw=0.7, ls=":")
        ax.grid(alpha=0.3)
    axes[1].legend(fontsize=8)
    axes[2].legend(fontsize=8)
    axes[0].set_title(title, fontsize=10)
    return fig


def angle_sweep_figure(theta_deg: np.ndarray, AR: np.ndarray,
                       torque: Mapping[str, np.ndarray], *, title: str,
                       reference: Mapping[str, object] | None = None) -> Figure:
    """AR(theta) (fOhm m^2) and torque components (A/m^2, ``{label: values}``) against
    theta; ``reference`` (keys ``theta_deg``, ``AR``, optional ``torque`` {label: values},
    ``label``) drawn as markers."""
    fig = Figure(figsize=(9, 4), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    ax1.plot(theta_deg, AR, "k-", label="fem_spin")
    ax2.axhline(0, color="0.8", lw=0.6)
    colors = ["tab:red", "tab:blue", "tab:green"]
    for (label, values), color in zip(torque.items(), colors, strict=False):
        ax2.plot(theta_deg, values, color=color, label=label)
    if reference is not None:
        ax1.plot(reference["theta_deg"], reference["AR"], "o", mfc="none", color="tab:orange",
                 label=reference.get("label", "reference"))
        for (label, values), color in zip(reference.get("torque", {}).items(), colors,
                                          strict=False):
            ax2.plot(reference["theta_deg"], values, "o", mfc="none", color=color)
    ax1.set_xlabel(r"angle $\theta$ between the magnetizations (deg)")
    ax1.set_ylabel(r"resistance-area product AR (f$\Omega$ m$^2$)")
    ax2.set_xlabel(r"angle $\theta$ (deg)")
    ax2.set_ylabel("spin torque on the free layer (A/m$^2$)\n"
                   r"($\times\hbar/2e$: J/m$^2$; M turns against it)")
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(title, fontsize=10)
    return fig
