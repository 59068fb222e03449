"""Wilson, Newcombe and Welch against statsmodels, an independently written implementation, over grids of
counts that include the small and edge ones (0 and n successes, one answer, two answers, no spread).

Tango's NPS interval has no such oracle (no maintained library implements it); it is checked against its
defining score test in test_stats_intervals.py. No database.
"""

import itertools

import numpy as np
import pytest
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from glapp.core.stats import mean_difference, proportion_difference, proportion_estimate

# Every x for the small n where the interval is least normal, a spread of x for the larger ones.
SHARES = [(x, n) for n in (1, 2, 3, 4, 5, 7, 10) for x in range(n + 1)] + [
    (x, n) for n in (29, 30, 31, 100, 1000) for x in sorted({0, 1, 2, n // 7, n // 3, n // 2, n - 2, n - 1, n})]


@pytest.mark.parametrize("confidence", [0.95, 0.9, 0.99])
def test_wilson_matches_statsmodels(confidence):
    for x, n in SHARES:
        low, high = proportion_confint(x, n, alpha=1 - confidence, method="wilson")
        e = proportion_estimate(x, n, confidence)
        assert (e.low, e.high) == (pytest.approx(100 * low, abs=1e-9), pytest.approx(100 * high, abs=1e-9)), (x, n)


TWO_SHARES = [(0, 1), (1, 1), (0, 2), (1, 3), (0, 5), (2, 5), (5, 5), (0, 10), (3, 10), (10, 10), (1, 29),
              (17, 30), (56, 70), (48, 80), (0, 200), (999, 1000)]


@pytest.mark.parametrize("alpha", [0.05, 0.1])
def test_newcombe_matches_statsmodels(alpha):
    for (x1, n1), (x2, n2) in itertools.product(TWO_SHARES, repeat=2):
        low, high = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff", alpha=alpha)
        d = proportion_difference(x1, n1, x2, n2, alpha)
        assert d.delta == pytest.approx(100 * (x1 / n1 - x2 / n2), abs=1e-9)
        assert (d.low, d.high) == (pytest.approx(100 * low, abs=1e-9), pytest.approx(100 * high, abs=1e-9)), \
            (x1, n1, x2, n2)


# Answers per scale value, as the rollups store them: two answers, one value only, 1..5 and 0..10 scales,
# lopsided and large.
ANSWER_COUNTS = [
    [1, 1], [0, 2, 1], [3, 0, 0, 0, 1], [0, 1, 1, 2, 3, 3], [0, 4, 3, 2, 1, 0], [0, 0, 0, 0, 0, 2],
    [0, 0, 0, 0, 0, 0, 0, 30], [5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7], [1] * 11,
    [40, 10, 3, 0, 0, 0, 0, 0, 9, 30, 200], [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1],
]


def _sums(counts: list[int]) -> tuple[int, float, float]:
    values = np.arange(len(counts))
    return int(sum(counts)), float(values @ counts), float((values * values) @ counts)


def test_welch_matches_statsmodels():
    compared = 0
    for a, b in itertools.product(ANSWER_COUNTS, repeat=2):
        d = mean_difference(*_sums(a), *_sums(b))
        if np.var(np.repeat(np.arange(len(a)), a)) == 0 and np.var(np.repeat(np.arange(len(b)), b)) == 0:
            # No spread on either side: statsmodels has no interval (0/0); ours is the point itself.
            assert (d.low, d.high) == (d.delta, d.delta)
            continue
        # Frequency weights: the answer counts stand for the answers themselves.
        means = CompareMeans(DescrStatsW(np.arange(len(a)), weights=a), DescrStatsW(np.arange(len(b)), weights=b))
        low, high = means.tconfint_diff(alpha=0.05, usevar="unequal")
        _, p, _ = means.ttest_ind(usevar="unequal")
        assert (d.low, d.high) == (pytest.approx(low, abs=1e-9), pytest.approx(high, abs=1e-9)), (a, b)
        assert d.p_value == pytest.approx(p, abs=1e-12), (a, b)
        compared += 1
    assert compared > 100
