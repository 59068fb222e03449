"""Coverage of 95 % intervals for pooled answers, when each respondent gives several of them.

    .venv/bin/python benchmarks/cluster_coverage.py [--respondents 30,100,300,1000] [--reps 2000]
                                                    [--rho 0,0.3,0.7] [--seed 1] [--csv FILE]

A pooled figure (CSAT over eight questions, NPS over two) counts answers, but the answers of one
person tend to agree: the figure rests on fewer independent observations than answers. glapp's
pooled rollups keep per-respondent sums and `analytics.metrics.evaluate` widens the interval by
the design effect of a ratio estimator over respondents (see docs/architecture.md, "Figures per
question and pooled figures"). This benchmark simulates respondents and checks that the
interval covers the true pooled figure 93–97 % of the time, next to the naive interval (every
answer its own respondent, what glapp showed before) in the same run.

Simulation, per replicate: K respondents; respondent i has a latent level u_i ~ N(0, ρ); their
answer to question j is the latent z_ij = u_i + e_ij (e_ij ~ N(0, 1 − ρ), so two answers of one
respondent correlate ρ on the latent scale) plus the question's own shift, cut into the scale's
categories by fixed thresholds (a realistic CSAT 1–5 distribution, top-2-box about 60 %; an NPS
0–10 distribution with about 45 % promoters and 25 % detractors). Designs:
- csat8: eight CSAT questions, every respondent answers all (the IT-service survey);
- csat1to8: each respondent answers the first m of eight, m uniform on 1..8 (a survey
  abandoned part-way, or skip logic);
- nps2: two NPS questions (two touchpoints asked in one relationship survey).
The true pooled figure is the population value of the ratio Σ y / Σ m (computed exactly from the
normal distribution). The interval is production code: the counts and correction sums that the
rollup rows of a pooled figure add up to, handed to `metrics.evaluate` (numpy computes them here for speed;
`--check` recomputes a few replicates through `rollup_keys.Accumulator` itself).

Goal: every cell within 93–97 %. Last line: worst_coverage=<x> naive_worst_coverage=<y>
(percent, over every cell of the run).
"""

import argparse
import math
import sys
import time
from pathlib import Path
from statistics import NormalDist

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from glapp.analytics import metrics
from glapp.analytics.rollup_keys import CLUSTER_SCORES, VALUES, VECTOR

SIZES = (30, 100, 300, 1000)
RHOS = (0.0, 0.3, 0.7)
_N = NormalDist()
# Latent thresholds between categories (z above the k-th threshold → category ≥ k + 1).
CSAT_CUTS = (-1.6, -1.0, -0.25, 0.85)  # 1..5
NPS_CUTS = (-2.3, -2.0, -1.75, -1.5, -1.25, -1.0, -0.65, -0.1, 0.45, 1.2)  # 0..10
DESIGNS = {
    # name: (source, lowest value, cuts, question shifts, metrics, answered questions)
    "csat8": ("csat", 1, CSAT_CUTS, (-0.3, -0.2, -0.1, 0.0, 0.0, 0.1, 0.2, 0.4), ("csat", "csat_mean"), "all"),
    "csat1to8": ("csat", 1, CSAT_CUTS, (-0.3, -0.2, -0.1, 0.0, 0.0, 0.1, 0.2, 0.4), ("csat", "csat_mean"),
                 "first_m"),
    "nps2": ("nps", 0, NPS_CUTS, (0.0, -0.3), ("nps",), "all"),
}


def category_probs(cuts, shift: float) -> np.ndarray:
    """P(category k) for a N(shift, 1) latent."""
    cdf = [0.0, *(_N.cdf(c - shift) for c in cuts), 1.0]
    return np.diff(cdf)


def true_value(design: str, metric: str) -> float:
    _source, low, cuts, shifts, _metrics, answered = DESIGNS[design]
    m = len(shifts)
    weights = np.ones(m) if answered == "all" else np.array([(m - j) / m for j in range(m)])  # P(m_i ≥ j + 1)
    scores = np.array(metrics.METRICS[metric].scores, dtype=float)
    per_question = [float(np.dot(category_probs(cuts, s), scores[low:low + len(cuts) + 1])) for s in shifts]
    value = float(np.dot(weights, per_question) / weights.sum())
    return 100.0 * value if metrics.METRICS[metric].unit in ("points", "percent") else value


def sample(design: str, k: int, rho: float, rng) -> tuple[np.ndarray, np.ndarray]:
    """Answer values (K × m, −1 where not answered) of one replicate."""
    _source, low, cuts, shifts, _metrics, answered = DESIGNS[design]
    m = len(shifts)
    u = rng.normal(0.0, math.sqrt(rho), size=(k, 1)) if rho > 0 else np.zeros((k, 1))
    z = u + rng.normal(0.0, math.sqrt(1.0 - rho), size=(k, m)) + np.array(shifts)
    values = low + np.searchsorted(np.array(cuts), z)
    mask = np.ones((k, m), dtype=bool)
    if answered == "first_m":
        mi = rng.integers(1, m + 1, size=k)
        mask = np.arange(m)[None, :] < mi[:, None]
    return values, mask


def pooled_row(source: str, values: np.ndarray, mask: np.ndarray) -> list[int]:
    """What the rollup rows of a pooled figure add up to: n, c0..c10, and the correction MOMENTS
    (per-respondent sums minus what the counts imply with every answer its own respondent)."""
    slots = np.where(mask, values, 0)
    counts = np.bincount(values[mask], minlength=VALUES)[:VALUES]
    m = mask.sum(axis=1)
    n = int(m.sum())
    row = [n, *map(int, counts), len(m) - n, int((m * m).sum()) - n]
    for scores in CLUSTER_SCORES[source]:
        s = np.array(scores)[slots] * mask
        y = s.sum(axis=1)
        row += [int((y * y).sum() - (s * s).sum()), int((y * m).sum() - s.sum())]
    return row + [0] * (VECTOR - len(row))  # a source with one metric score leaves y2 at 0


def covered(metric: str, row: list[int], truth: float, clustered: bool, confidence: float) -> bool:
    respondents = metrics.Respondents.of(metric, row[1:1 + VALUES], row[1 + VALUES:]) if clustered else None
    e = metrics.evaluate(metric, row[1:1 + VALUES], confidence, respondents=respondents)
    return e.low is not None and e.low - 1e-9 <= truth <= e.high + 1e-9


def check_against_accumulator(rng) -> None:
    """A few replicates through the ingest code itself: its pooled row must equal pooled_row's."""
    import datetime as dt

    from glapp.analytics.rollup_keys import Accumulator

    when = dt.datetime(2026, 5, 4, 12, tzinfo=dt.UTC)
    for design in DESIGNS:
        source = DESIGNS[design][0]
        values, mask = sample(design, 50, 0.5, rng)
        acc = Accumulator(dt.UTC)
        for i in range(values.shape[0]):
            answers = [(j + 1, source, int(values[i, j]), "", None) for j in range(values.shape[1]) if mask[i, j]]
            acc.add(when, 1, None, None, "", "", "", {}, answers, False)
        pooled = [sum(column) for column in zip(*(vec for (src, _q, _o, grain, *_rest), vec in acc.cells.items()
                                                  if src == source and grain == 1), strict=True)]
        assert pooled == pooled_row(source, values, mask), design
    print("Accumulator check: the ingest code's pooled rows equal the simulation's (3 designs).")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--respondents", default=",".join(map(str, SIZES)), help="comma-separated respondent counts")
    ap.add_argument("--rho", default=",".join(map(str, RHOS)), help="within-respondent latent correlations")
    ap.add_argument("--reps", type=int, default=2000)
    ap.add_argument("--confidence", type=float, default=0.95)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--csv", help="write every cell's coverage to this file")
    args = ap.parse_args()
    sizes = [int(x) for x in args.respondents.split(",")]
    rhos = [float(x) for x in args.rho.split(",")]
    rng = np.random.default_rng(args.seed)
    check_against_accumulator(rng)

    lo_goal, hi_goal = 100 * args.confidence - 2, 100 * args.confidence + 2
    mc_sd = 100 * math.sqrt(args.confidence * (1 - args.confidence) / args.reps)
    print(f"\nCoverage (%) of {100 * args.confidence:g} % intervals of pooled figures, {args.reps} replicates per "
          f"cell (Monte Carlo sd ≈ {mc_sd:.2f} pp, seed {args.seed}); goal {lo_goal:g}–{hi_goal:g} %.")
    print(f"{'design':<9} {'metric':<10} {'K':>5} {'rho':>4} {'answers':>8} {'deff':>5} {'glapp':>6} {'naive':>6}")
    started = time.perf_counter()
    cells = []
    for design, (source, *_rest) in DESIGNS.items():
        for metric in DESIGNS[design][4]:
            truth = true_value(design, metric)
            for k in sizes:
                for rho in rhos:
                    hit = naive = 0
                    answers = deff = 0.0
                    for _ in range(args.reps):
                        values, mask = sample(design, k, rho, rng)
                        row = pooled_row(source, values, mask)
                        hit += covered(metric, row, truth, True, args.confidence)
                        naive += covered(metric, row, truth, False, args.confidence)
                        answers += row[0]
                        counts = row[1:1 + VALUES]
                        deff += metrics.design_effect(metric, counts,
                                                      metrics.Respondents.of(metric, counts, row[1 + VALUES:]))
                    cov, cov_naive = 100 * hit / args.reps, 100 * naive / args.reps
                    cells.append((design, metric, k, rho, cov, cov_naive))
                    print(f"{design:<9} {metric:<10} {k:>5} {rho:>4.1f} {answers / args.reps:>8.0f} "
                          f"{deff / args.reps:>5.2f} {cov:>6.2f} {cov_naive:>6.2f}")
    elapsed = time.perf_counter() - started
    worst = min(cells, key=lambda c: c[4])
    worst_naive = min(cells, key=lambda c: c[5])
    inside = sum(lo_goal <= c[4] <= hi_goal for c in cells)
    print(f"\n{len(cells)} cells in {elapsed:.0f} s; glapp in goal in {inside}/{len(cells)}; worst glapp cell "
          f"{worst[4]:.2f} % ({worst[0]} {worst[1]} K={worst[2]} rho={worst[3]}), worst naive cell "
          f"{worst_naive[5]:.2f} % ({worst_naive[0]} {worst_naive[1]} K={worst_naive[2]} rho={worst_naive[3]}).")
    for rho in rhos:
        at = [c for c in cells if c[3] == rho]
        print(f"  rho={rho:.1f}: glapp {min(c[4] for c in at):.2f}–{max(c[4] for c in at):.2f} %, "
              f"naive {min(c[5] for c in at):.2f}–{max(c[5] for c in at):.2f} %")
    if args.csv:
        with open(args.csv, "w") as fh:
            fh.write("design,metric,respondents,rho,coverage,naive_coverage\n")
            for c in cells:
                fh.write(",".join(map(str, c)) + "\n")
    print(f"worst_coverage={worst[4]:.2f} naive_worst_coverage={worst_naive[5]:.2f}")


if __name__ == "__main__":
    main()
