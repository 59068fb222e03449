"""Exact coverage of 95 % NPS intervals over a grid of true trinomial distributions.

    .venv/bin/python benchmarks/coverage.py [--n 10,30,100,300,1000,3000] [--confidence 0.95]
                                            [--check-reps 4000] [--seed 1] [--csv FILE]

Coverage is computed exactly, not simulated: for a true distribution (promoters p1, passives
p2, detractors p3) and a sample size n, coverage = Σ P(P, D) · [interval(P, D) contains p1 − p3]
over all outcomes (P promoters, D detractors) with their multinomial probabilities. Outcomes
further than 12 standard deviations from the expected counts are skipped; the probability mass
they carry is below 1e-12 (the run checks this and prints the largest skipped mass).

Grid of true distributions (documented in docs/benchmarks.md, never shrunk to pass): promoter
and detractor shares each from {1, 2, 5, 10, 15, …, 90} %, every pair whose passive share is at
least 5 % — 247 distributions from NPS −89 to +89, including the lopsided populations of very
loved (1 % detractors) and very disliked (1 % promoters) products. Every (distribution, n) pair
is a cell.

Methods compared in the same run (all published; no constant is tuned here):
- wald: the plain Wald interval for p1 − p3 with variance (p1 + p3 − (p1 − p3)²) / n.
- adjusted_wald: Rocks (2016, The American Statistician 70:4) / Sauro & Lewis: add 3/4 to
  promoters and to detractors and 3 to n, then Wald.
- bonett_price: Bonett & Price (2012) adjusted Wald for paired proportions: add 1 to each of the
  two cells and 2 to n.
- tango: Tango's (1998) score interval for a difference of two cells of one multinomial
  (inverted score test with the restricted maximum-likelihood variance). glapp's interval
  (stats.nps_estimate): the best worst cell of the four.

--check-reps R additionally simulates R samples at a few cells with glapp's own
`stats.nps_estimate` (seeded) and prints that coverage next to the exact figure, so the
production code is checked against this enumeration.

Goal: every cell within 93–97 %. Last line: worst_coverage=<x> wald_worst_coverage=<y>
(in percent, for tango, glapp's method, and for wald).
"""

import argparse
import math
import sys
import time
from pathlib import Path
from statistics import NormalDist

import numpy as np
from scipy.special import gammaln

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

METHODS = ("wald", "adjusted_wald", "bonett_price", "tango")
CHOSEN = "tango"
SIZES = (10, 30, 100, 300, 1000, 3000)
SHARES = (0.01, 0.02, *(round(0.05 * k, 2) for k in range(1, 19)))  # 1 %, 2 %, 5 % … 90 %
MIN_PASSIVES = 0.05


def grid() -> list[tuple[float, float, float]]:
    out = []
    for p1 in SHARES:
        for p3 in SHARES:
            p2 = round(1.0 - p1 - p3, 10)
            if p2 >= MIN_PASSIVES - 1e-12:
                out.append((p1, p2, p3))
    return out


def outcomes(n: int, p1: float, p3: float, width: float = 12.0):
    """Arrays P, D of the outcomes within `width` sd of the expected counts, and their pmf."""
    def window(p):
        sd = math.sqrt(n * p * (1 - p))
        return max(0, math.floor(n * p - width * sd - 2)), min(n, math.ceil(n * p + width * sd + 2))

    (a1, b1), (a3, b3) = window(p1), window(p3)
    P, D = np.meshgrid(np.arange(a1, b1 + 1), np.arange(a3, b3 + 1), indexing="ij")
    keep = n - P - D >= 0
    P, D = P[keep].astype(float), D[keep].astype(float)
    lg = gammaln(np.arange(n + 1) + 1.0)
    Pi, Di = P.astype(int), D.astype(int)
    logp = (lg[n] - lg[Pi] - lg[Di] - lg[n - Pi - Di]
            + P * math.log(p1) + D * math.log(p3) + (n - P - D) * math.log(1 - p1 - p3))
    return P, D, np.exp(logp)


def covers(method: str, P, D, n: int, delta: float, z: float):
    """Boolean array: does the method's interval contain the true difference `delta`?"""
    if method == "tango":
        # Score test inverted: the interval holds Δ exactly when |T(Δ)| ≤ z, T decreasing in Δ.
        A = 2.0 * n
        B = -P - D + (2.0 * n - P + D) * delta
        C = -D * delta * (1.0 - delta)
        p21 = (np.sqrt(np.maximum(B * B - 4 * A * C, 0.0)) - B) / (2 * A)
        var = n * (2 * p21 + delta * (1 - delta))
        num = P - D - n * delta
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(var > 0, num / np.sqrt(np.maximum(var, 1e-300)), np.where(num == 0, 0.0, np.inf))
        return np.abs(t) <= z
    add, extra = {"wald": (0.0, 0.0), "adjusted_wald": (0.75, 3.0), "bonett_price": (1.0, 2.0)}[method]
    m = n + extra
    a, d = (P + add) / m, (D + add) / m
    centre = a - d
    se = np.sqrt(np.maximum(a + d - centre * centre, 0.0) / m)
    return np.abs(delta - centre) <= z * se + 1e-12


def exact_table(sizes, confidence: float):
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    cells = []  # (n, p1, p2, p3, {method: coverage})
    worst_skipped = 0.0
    for n in sizes:
        for p1, p2, p3 in grid():
            P, D, pmf = outcomes(n, p1, p3)
            worst_skipped = max(worst_skipped, 1.0 - pmf.sum())
            delta = p1 - p3
            cov = {m: float(pmf[covers(m, P, D, n, delta, z)].sum()) for m in METHODS}
            cells.append((n, p1, p2, p3, cov))
    return cells, worst_skipped


def simulate_check(cells, reps: int, seed: int, confidence: float) -> None:
    """Production stats.nps_estimate against the exact figure at a few cells."""
    from glapp.core import stats

    rng = np.random.default_rng(seed)
    picks = [(10, 0.01, 0.94, 0.05), (10, 0.5, 0.3, 0.2), (30, 0.9, 0.05, 0.05), (100, 0.3, 0.4, 0.3),
             (300, 0.02, 0.18, 0.8)]
    exact = {(c[0], c[1], c[3]): c[4][CHOSEN] for c in cells}
    se = 100 * math.sqrt(confidence * (1 - confidence) / reps)
    print(f"\nSimulation check of stats.nps_estimate ({reps} samples per cell, seed {seed}, MC sd ≈ {se:.2f} pp):")
    print(f"{'n':>5} {'p1':>5} {'p2':>5} {'p3':>5} {'exact':>7} {'simulated':>9}")
    for n, p1, p2, p3 in picks:
        if (n, p1, p3) not in exact:
            continue
        draws = rng.multinomial(n, [p1, p2, p3], size=reps)
        hit = 0
        truth = 100 * (p1 - p3)
        for pro, pas, det in draws:
            e = stats.nps_estimate(int(pro), int(pas), int(det), confidence)
            hit += e.low - 1e-9 <= truth <= e.high + 1e-9
        print(f"{n:>5} {p1:>5.2f} {p2:>5.2f} {p3:>5.2f} {100 * exact[(n, p1, p3)]:>7.2f} {100 * hit / reps:>9.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", default=",".join(map(str, SIZES)), help="comma-separated sample sizes")
    ap.add_argument("--confidence", type=float, default=0.95)
    ap.add_argument("--check-reps", type=int, default=4000, help="simulated samples per check cell (0: skip)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--csv", help="write every cell's coverage to this file")
    args = ap.parse_args()
    sizes = [int(x) for x in args.n.split(",")]

    started = time.perf_counter()
    cells, skipped = exact_table(sizes, args.confidence)
    elapsed = time.perf_counter() - started
    lo_goal, hi_goal = 100 * args.confidence - 2, 100 * args.confidence + 2

    print(f"Exact coverage (%) of {100 * args.confidence:g} % NPS intervals; {len(grid())} true distributions "
          f"per n; goal {lo_goal:g}–{hi_goal:g} % in every cell.")
    print(f"{'n':>5} {'method':<14} {'min':>6} {'mean':>6} {'max':>6} {'in goal':>8} {'worst cell (p1/p2/p3)':>24}")
    for n in sizes:
        rows = [c for c in cells if c[0] == n]
        for m in METHODS:
            covs = [100 * c[4][m] for c in rows]
            worst = min(rows, key=lambda c: c[4][m])
            inside = sum(lo_goal <= x <= hi_goal for x in covs)
            print(f"{n:>5} {m:<14} {min(covs):>6.2f} {sum(covs) / len(covs):>6.2f} {max(covs):>6.2f} "
                  f"{inside:>4}/{len(covs):<3} {worst[1]:>8.2f}/{worst[2]:.2f}/{worst[3]:.2f}")
    print("\nWorst cell over the whole grid:")
    for m in METHODS:
        worst = min(cells, key=lambda c: c[4][m])
        below = sum(100 * c[4][m] < lo_goal for c in cells)
        above = sum(100 * c[4][m] > hi_goal for c in cells)
        big = [c for c in cells if c[0] >= 30]
        worst30 = min(big, key=lambda c: c[4][m]) if big else None
        tail = f"; n ≥ 30: {100 * worst30[4][m]:.2f} at n={worst30[0]}" if worst30 else ""
        print(f"  {m:<14} {100 * worst[4][m]:6.2f} % at n={worst[0]} p1={worst[1]:.2f} p3={worst[3]:.2f} "
              f"({below} cells below, {above} above the goal{tail})")
    print(f"\n{len(cells)} cells in {elapsed:.1f} s; largest probability mass outside the enumerated window: "
          f"{skipped:.1e}")

    if args.csv:
        with open(args.csv, "w") as fh:
            fh.write("n,p1,p2,p3," + ",".join(METHODS) + "\n")
            for n, p1, p2, p3, cov in cells:
                fh.write(f"{n},{p1},{p2},{p3}," + ",".join(f"{cov[m]:.6f}" for m in METHODS) + "\n")
    if args.check_reps:
        simulate_check(cells, args.check_reps, args.seed, args.confidence)

    worst = min(100 * c[4][CHOSEN] for c in cells)
    wald = min(100 * c[4]["wald"] for c in cells)
    print(f"worst_coverage={worst:.2f} wald_worst_coverage={wald:.2f}")


if __name__ == "__main__":
    main()
