"""The pictures of the nanopillar study (``demos/pillar_3d.py``, rank 0, numpy data in): the
uniform case against the 1D bilayer, the vortex's profiles against the 1D columns, and the
PyVista renders of the fields."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fem_spin import render
from fem_spin.paper.pillar import PillarStudy, Z

__all__ = ["plot_uniform", "plot_vortex", "render_fields"]


def plot_uniform(path: Path, st: PillarStudy, z, m_1d, runs) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12, 4.8), layout="constrained")
    ax, ax_err = fig.subplots(1, 2, gridspec_kw={"width_ratios": [2, 1]})
    colors = ("tab:red", "tab:green", "tab:blue")
    for k, c in enumerate("xyz"):
        ax.plot(z, m_1d[:, k], "-", color=colors[k], lw=2.2, alpha=0.45,
                label=f"$m_{c}$ 1D (fine P2)")
        ax.plot(z, runs[-1]["m_axis"][:, k], "--", color=colors[k], lw=1.1,
                label=f"$m_{c}$ 3D axis, h = {runs[-1]['h_nm']:g} nm")
    if len(runs) > 1:
        ax.plot(z, runs[0]["m_axis"][:, 0], ":", color="tab:red", lw=1.0,
                label=f"$m_x$ 3D axis, h = {runs[0]['h_nm']:g} nm")
    ax.axvline(st.length, color="0.4", ls="--", lw=0.8)
    ax.text(st.length, 0.02, " spacer", transform=ax.get_xaxis_transform(), fontsize=8)
    ax.set_xlabel("z (nm)")
    ax.set_ylabel("spin accumulation m (fixed-layer frame)")
    ax.set_title(rf"(a) pillar R = {st.radius:g} nm, 2 x {st.length:g} nm, "
                 rf"$\theta$ = {st.theta:g}$^\circ$, $l_{{da}}$ = {st.l_da:g} nm")
    ax.legend(fontsize=7, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.13))
    ax.grid(alpha=0.3)
    h = np.array([r["h_nm"] for r in runs])
    e = np.array([r["rel_l2_axis_vs_1d"] for r in runs])
    lat = np.array([r["rel_l2_off_axis_vs_axis"] for r in runs])
    ax_err.loglog(h, e, "o-", label="axis: 3D vs 1D")
    ax_err.loglog(h, lat, "s--", label="3D: line at 0.8R vs axis")
    ax_err.loglog(h, e[-1] * (h / h[-1]) ** 3, ":", color="0.5",
                  label="$\\propto h^3$ (P2 rate)")
    for hi, ei, r in zip(h, e, runs, strict=True):
        ax_err.annotate(f"{r['dofs'] / 1e3:.0f}k dofs", (hi, ei), fontsize=7,
                        textcoords="offset points", xytext=(4, 4))
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    ax_err.set_xticks(h)
    ax_err.xaxis.set_major_formatter(ScalarFormatter())
    ax_err.xaxis.set_minor_formatter(NullFormatter())
    ax_err.set_xlabel("cell size h (nm)")
    ax_err.set_ylabel("relative L2 difference")
    ax_err.set_title(f"under refinement (P{st.degree})")
    ax_err.legend(fontsize=8)
    ax_err.grid(alpha=0.3, which="both")
    fig.savefig(path, dpi=120)


def plot_vortex(path: Path, st: PillarStudy, vort, cols) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12, 4.8), layout="constrained")
    ax_m, ax_t = fig.subplots(1, 2)
    x = vort["x"]
    right = x >= 0
    labels = (("r", "tab:red"), (r"\varphi", "tab:green"), ("z", "tab:blue"))
    for ax, data, cdata, name in ((ax_m, vort["m_across"], cols["m"], "m"),
                                  (ax_t, vort["torque_across"], cols["torque_density"],
                                   r"\lambda M \times m")):
        for k, (c, color) in enumerate(labels):
            ax.plot(x[right], data[right, k], "-", color=color, label=f"3D ${name}_{{{c}}}$")
            ax.plot(cols["r"], cdata[:, k], "o", ms=3.5, color=color, mfc="none",
                    label=f"local 1D ${name}_{{{c}}}$")
        ax.axvline(st.core_radius, color="0.5", ls=":", lw=0.8)
        ax.text(st.core_radius, 0.02, " core radius", transform=ax.get_xaxis_transform(),
                fontsize=8)
        ax.set_xlabel("r (nm), along +x")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.13))
    ax_m.set_ylabel("spin accumulation (cylindrical components)")
    ax_t.set_ylabel("torque density (rad/ps)")
    ax_m.set_title(f"(b) vortex free layer, mid-layer z = {1.5 * st.length:g} nm: m")
    ax_t.set_title("s-d torque density: 3D vs independent 1D columns")
    fig.savefig(path, dpi=120)


def render_fields(st: PillarStudy, uniform: dict, vort: dict) -> list[str]:
    """PyVista pictures of (a) and (b) (rank 0)."""
    L, R = st.length, st.radius
    zp = 1.5 * L
    xz = ((0.0, 0.0, L), (0.0, 1.0, 0.0))
    mid_free = ((0.0, 0.0, zp), (0.0, 0.0, 1.0))
    written = []
    if "grid" in uniform["runs"][-1]:
        path = st.out / "uniform_fields.png"
        render.render_panels(uniform["runs"][-1]["grid"], path, [
            render.GlyphPanel(vectors="m", plane=xz, color_by="m:x", spacing=R / 4, view="xz",
                              title="(a) m on the plane y = 0\n(colour: m_x)", cmap="coolwarm"),
            render.ScalarPanel(scalars="torque", planes=[xz, mid_free,
                                                         ((0.0, 0.0, 0.5 * L), Z)],
                               title="(a) magnitude of the torque density\n"
                                     "lambda M x m (rad/ps), slices y = 0, z = 5, 15 nm",
                               cmap="inferno"),
        ], panel_size=(700, 800))
        written.append(path.name)
    if "grid" in vort:
        path = st.out / "vortex_fields.png"
        render.render_panels(vort["grid"], path, [
            render.GlyphPanel(vectors="M", plane=mid_free, color_by="M:z", spacing=R / 6,
                              view="xy", title=f"(b) M at z = {zp:g} nm (colour: M_z)",
                              cmap="coolwarm"),
            render.GlyphPanel(vectors="m", plane=mid_free, color_by="m:z", spacing=R / 6,
                              view="xy", title=f"(b) m at z = {zp:g} nm (colour: m_z)",
                              cmap="coolwarm"),
            render.ScalarPanel(scalars="torque",
                               planes=[xz, ((0.0, 0.0, L + 1.0), Z), mid_free],
                               title="(b) magnitude of lambda M x m (rad/ps)\n"
                                     f"slices y = 0, z = {L + 1:g}, {zp:g} nm",
                               cmap="inferno"),
        ], panel_size=(700, 700))
        written.append(path.name)
    return written
