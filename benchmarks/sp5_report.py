"""The SP5 traces of benchmarks/sp5.py side by side: their deviation from the reference curve
(max abs / rms of <m_x>, <m_y> over 0-0.5 ns, 0-1 ns and 0-5 ns, at the reference's times),
the first extrema, and one figure.

Reads every ``sp5_trace*.csv`` in the results folder whose JSON summary is there too
(``sp5_zhang_li<suffix>.json`` / ``sp5_spin_diffusion<suffix>.json``), writes
``sp5_comparison.png`` and prints a Markdown table (pasted into ``results/sp5.md``).

Usage: python benchmarks/sp5_report.py [--results benchmarks/results]
"""

import argparse
import json
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"
WINDOWS = (0.5, 1.0, 5.0)


def runs(folder: Path) -> list[dict]:
    """Each finished run: its label, summary and trace (t_ns, mx, my, mz)."""
    out = []
    paths = [*folder.glob("sp5_zhang_li*.json"), *folder.glob("sp5_spin_diffusion*.json")]
    for summary_path in sorted(paths):
        stem = summary_path.stem  # sp5_zhang_li_h3, sp5_spin_diffusion_h6, ...
        model, suffix = (("zhang-li", stem[len("sp5_zhang_li"):]) if "zhang_li" in stem else
                         ("spin-diffusion", stem[len("sp5_spin_diffusion"):]))
        trace = folder / (("sp5_trace_zhang_li" if model == "zhang-li" else "sp5_trace")
                          + suffix + ".csv")
        if not trace.exists():
            continue
        summary = json.loads(summary_path.read_text())
        h = summary["mesh"]["h_magnet_nm"]
        xi = summary["parameters"].get("xi", 0.05)
        label = f"{model}, h = {h:g} nm" + ("" if model != "zhang-li" or xi == 0.05 else
                                             f", xi = {xi:g}")
        out.append({"label": label, "model": model, "h": h,
                    "summary": summary, "trace": np.loadtxt(trace, delimiter=",", skiprows=1),
                    "file": trace.name})
    return sorted(out, key=lambda r: (r["model"], -r["h"]))


def deviations(trace: np.ndarray, ref: np.ndarray) -> dict:
    """Max abs and rms deviation of <m_x>, <m_y> per window (ns)."""
    out = {}
    for w in WINDOWS:
        sel = ref[:, 0] <= w + 1e-9
        if trace[-1, 0] < w - 1e-9:
            continue
        for k, name in ((1, "mx"), (2, "my")):
            d = np.interp(ref[sel, 0], trace[:, 0], trace[:, k]) - ref[sel, k]
            out[(w, name)] = (float(np.max(np.abs(d))), float(np.sqrt(np.mean(d**2))))
    return out


def table(rows: list[dict], ref: np.ndarray) -> str:
    lines = ["| run | trace | film vertices | Newton / step | wall s (ranks) | "
             + " | ".join(f"0-{w:g} ns mx / my (max)" for w in WINDOWS) + " | 0-5 ns rms mx / my |",
             "|---" * (6 + len(WINDOWS)) + "|"]
    for r in rows:
        s, dev = r["summary"], deviations(r["trace"], ref)
        cells = [f"{dev[(w, 'mx')][0]:.3f} / {dev[(w, 'my')][0]:.3f}" if (w, "mx") in dev
                 else "-" for w in WINDOWS]
        rms = (f"{dev[(5.0, 'mx')][1]:.3f} / {dev[(5.0, 'my')][1]:.3f}" if (5.0, "mx") in dev
               else "-")
        wall = s["seconds"]["relax"] + s["seconds"]["run"]
        lines.append(f"| {r['label']} | `{r['file']}` | {s['mesh']['magnet_vertices']} | "
                     f"{s['time']['newton_per_step']:.1f} | {wall:.0f} ({s['ranks']}) | "
                     + " | ".join(cells) + f" | {rms} |")
    return "\n".join(lines)


def extrema(rows: list[dict], ref: np.ndarray) -> str:
    """The first minimum of <m_x> and maximum of <m_y> (value at time)."""
    lines = ["| curve | first min <m_x> | first max <m_y> |", "|---|---|---|"]
    for label, tr in [("reference (magnum.np)", ref)] + [(r["label"], r["trace"]) for r in rows]:
        early = tr[tr[:, 0] <= 1.2]
        i, j = np.argmin(early[:, 1]), np.argmax(early[:, 2])
        lines.append(f"| {label} | {early[i, 1]:.3f} at {early[i, 0]:.2f} ns | "
                     f"{early[j, 2]:.3f} at {early[j, 0]:.2f} ns |")
    return "\n".join(lines)


def figure(rows: list[dict], ref: np.ndarray, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 1, figsize=(9, 7), sharex=True)
    for ax, k, name in ((axes[0], 1, "<m_x>"), (axes[1], 2, "<m_y>")):
        ax.plot(ref[:, 0], ref[:, k], "k--", lw=2, label="magnum.np (reference)")
        for r in rows:
            style = "-" if r["model"] == "spin-diffusion" else ":"
            ax.plot(r["trace"][:, 0], r["trace"][:, k], style, label=r["label"])
        ax.set_ylabel(f"{name} (reduced)")
        ax.grid(alpha=0.3)
    axes[1].set_xlabel("t (ns)")
    axes[0].legend(fontsize=8, ncol=2)
    axes[0].set_title("muMAG SP5: vortex in a permalloy square (100 x 100 x 10 nm), "
                      "J = 1e12 A/m^2 along x;\nZhang-Li torque (dotted) and fem_spin's "
                      "charge + spin-diffusion model (solid)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None) -> str:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", default=str(RESULTS))
    args = parser.parse_args(argv)
    folder = Path(args.results)
    ref = np.loadtxt(RESULTS / "sp5_reference_magnumnp.csv", delimiter=",", comments="#",
                     skiprows=5)
    rows = runs(folder)
    figure(rows, ref, folder / "sp5_comparison.png")
    text = table(rows, ref) + "\n\n" + extrema(rows, ref)
    print(text)
    return text


if __name__ == "__main__":
    main()
