"""Critical current densities of the charge-driven switching pillar (fem_spin.paper.charge_pillar:
Co(6, pinned)/Cu(3)/Co(4, free)/Cu(7) at 4.2 K, alpha = 0.01), P -> AP and AP -> P:

1. the time domain (ChargeDrivenLLG): bisection on the current for the instability of the
   starting state (5 degrees off P, or off AP): over ``T_TEST`` ps the free layer's
   micromagnetic energy, averaged over two precession periods, has grown (unstable: the
   current pumps the precession) or fallen (stable)
   (fem_spin.paper.charge_pillar.precession_growth);
2. the macrospin instability threshold with the torque efficiency of the steady transport at
   the same states (fem_spin.paper.charge_pillar.critical_current_estimate);
3. switching times against the current above threshold (time to cross M_x = 0).

    python benchmarks/charge_switching.py        # ~15 min on 2 cores; writes
                                                  # benchmarks/results/charge_switching.{json,md}
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import fem_spin  # noqa: F401  (the PETSc stack first)
from fem_spin.paper import charge_pillar as cp

RESULTS = Path(__file__).parent / "results"
T_TEST = 600.0  # ps
DT = 2.0  # ps: the growth rate's step error is O(dt^2), ~1.5 % of j_c at 2 ps
WINDOW = 132.0  # ps: two precession periods


def unstable(j: float, antiparallel: bool) -> bool:
    s = cp.with_current(cp.stack(), j)
    with cp.pillar_llg(s, theta_deg=5.0, antiparallel=antiparallel, ramp=0.0) as llg:
        return cp.precession_growth(llg, T_TEST, DT, WINDOW) > 0


def bisect(guess: float, antiparallel: bool, rel: float = 0.01) -> tuple[float, float]:
    """Bracket the threshold from ``guess`` (stable below, unstable above in |j|), then
    bisect to ``rel``."""
    if unstable(guess, antiparallel):
        hi, lo = guess, 0.8 * guess
        while unstable(lo, antiparallel):
            hi, lo = lo, 0.8 * lo
    else:
        lo, hi = guess, 1.25 * guess
        while not unstable(hi, antiparallel):
            lo, hi = hi, 1.25 * hi
    while abs(hi - lo) > rel * abs(hi):
        mid = 0.5 * (lo + hi)
        if unstable(mid, antiparallel):
            hi = mid
        else:
            lo = mid
        print(f"  {'AP->P' if antiparallel else 'P->AP'}: j_c in [{lo:.4g}, {hi:.4g}] A/m^2",
              flush=True)
    return lo, hi


def switching_time(j: float, antiparallel: bool, t_end: float = 3000.0) -> float | None:
    s = cp.with_current(cp.stack(), j)
    with cp.pillar_llg(s, theta_deg=5.0, antiparallel=antiparallel) as llg:
        while llg.t < t_end:
            llg.step(2 * DT)
            Mx = llg.observe()["Mx"]
            if (Mx > 0) == antiparallel:
                return llg.t
    return None


def main() -> int:
    t0 = time.perf_counter()
    s = cp.stack()
    eta_P, eta_AP = cp.torque_efficiency(s, 2.0), cp.torque_efficiency(s, 178.0)
    est = {"P->AP": cp.critical_current_estimate(eta_P),
           "AP->P": -cp.critical_current_estimate(eta_AP)}
    print(f"torque efficiency eta_P = {eta_P:.4f}, eta_AP = {eta_AP:.4f}; macrospin "
          f"thresholds {est['P->AP']:.4g}, {est['AP->P']:.4g} A/m^2", flush=True)
    found = {}
    for key, ap in (("P->AP", False), ("AP->P", True)):
        lo, hi = bisect(est[key], ap)
        found[key] = 0.5 * (lo + hi)
    times = {}
    for key, ap in (("P->AP", False), ("AP->P", True)):
        times[key] = [(f, switching_time(f * found[key], ap)) for f in (1.5, 2.0, 3.0)]
        print(key, times[key], flush=True)
    out = {
        "stack": "Co(6, pinned)/Cu(3)/Co(4, free)/Cu(7), 1D, Bass-Pratt 4.2 K parameters",
        "free_layer": {"Ms": cp.FREE.Ms, "alpha": cp.FREE.alpha, "K_u": cp.FREE.K_u,
                       "K_d": cp.FREE.K_d, "A_ex": cp.FREE.A_ex},
        "eta": {"P": eta_P, "AP": eta_AP},
        "critical_current_A_per_m2": {
            "time_domain": found, "macrospin_threshold": est,
            "relative_difference": {k: found[k] / est[k] - 1 for k in found}},
        "asymmetry_|jc(AP->P)|/jc(P->AP)": abs(found["AP->P"]) / found["P->AP"],
        "switching_time_ps": {k: [{"j_over_jc": f, "t_ps": t} for f, t in v]
                              for k, v in times.items()},
        "test_time_ps": T_TEST, "dt_ps": DT, "seconds": time.perf_counter() - t0,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "charge_switching.json").write_text(json.dumps(out, indent=1))
    lines = ["# Charge-driven switching of the pillar's free layer (1D stack)", "",
             f"`python benchmarks/charge_switching.py` ({out['seconds']:.0f} s). "
             f"{out['stack']}; free layer Ms = 1e6 A/m, alpha = 0.01, K_u = 1e5 J/m^3, "
             "thin-film K_d. j > 0 flows from the fixed into the free layer.", "",
             "| switching | time domain j_c (A/m^2) | (A/cm^2) | macrospin threshold, eta "
             "from the transport (A/m^2) | difference |", "|---|---|---|---|---|"]
    for k in found:
        lines.append(f"| {k} | {found[k]:.4g} | {found[k] * 1e-4:.3g} | {est[k]:.4g} | "
                     f"{found[k] / est[k] - 1:+.2%} |")
    lines += ["", f"Torque efficiency eta_P = {eta_P:.4f}, eta_AP = {eta_AP:.4f}; "
                  f"|j_c(AP->P)| / j_c(P->AP) = {out['asymmetry_|jc(AP->P)|/jc(P->AP)']:.3f}.",
              "", "| switching | j / j_c | switching time (ps) |", "|---|---|---|"]
    for k, v in times.items():
        for f, t in v:
            lines.append(f"| {k} | {f} | {'-' if t is None else f'{t:.0f}'} |")
    (RESULTS / "charge_switching.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
