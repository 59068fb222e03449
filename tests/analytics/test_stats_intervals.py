"""Intervals, difference tests, weighting and false-discovery control against independent references:
SciPy, published worked examples, exact enumeration and seeded simulation. No database."""

import math

import numpy as np
import pytest
from scipy import optimize
from scipy import stats as sps
from scipy.special import gammaln

from glapp.analytics import metrics
from glapp.analytics.metrics import compare, evaluate
from glapp.core import stats
from glapp.core.stats import (
    MIN_N,
    SMALL_SAMPLE,
    Estimate,
    benjamini_hochberg,
    bh_adjusted,
    mean_difference,
    mean_estimate,
    net_estimate,
    nps_difference,
    nps_estimate,
    poststratified,
    proportion_difference,
    proportion_estimate,
)

Z = sps.norm.ppf(0.975)


# --- Wilson -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("x", "n"), [(0, 1), (0, 10), (1, 10), (5, 10), (10, 10), (37, 120), (999, 1000)])
@pytest.mark.parametrize("confidence", [0.95, 0.9])
def test_wilson_matches_scipy(x, n, confidence):
    ci = sps.binomtest(x, n).proportion_ci(confidence_level=confidence, method="wilson")
    e = proportion_estimate(x, n, confidence)
    assert e.value == pytest.approx(100 * x / n)
    assert e.low == pytest.approx(100 * ci.low, abs=1e-9)
    assert e.high == pytest.approx(100 * ci.high, abs=1e-9)
    assert e.method == "wilson" and e.n == n


def test_empty_and_invalid_shares():
    e = proportion_estimate(0, 0)
    assert (e.value, e.low, e.high, e.n, e.is_small) == (None, None, None, 0, False)
    with pytest.raises(ValueError):
        proportion_estimate(3, 2)


# --- t and Welch ------------------------------------------------------------------------------

@pytest.mark.parametrize("values", [[1, 2, 3, 4, 5], [7, 7, 6, 2, 5, 5, 1], list(range(11)) * 3 + [4]])
def test_t_interval_matches_scipy(values):
    a = np.array(values, dtype=float)
    e = mean_estimate(len(a), a.sum(), (a * a).sum())
    low, high = sps.t.interval(0.95, len(a) - 1, loc=a.mean(), scale=sps.sem(a))
    assert e.value == pytest.approx(a.mean())
    assert (e.low, e.high) == (pytest.approx(low), pytest.approx(high))
    assert e.se == pytest.approx(sps.sem(a))


def test_mean_of_one_answer_has_no_interval():
    e = mean_estimate(1, 4.0, 16.0)
    assert e.value == 4.0 and e.low is None and e.high is None
    assert mean_estimate(0, 0, 0).value is None


def test_welch_matches_scipy():
    rng = np.random.default_rng(3)
    a, b = rng.normal(5, 1, 23), rng.normal(4.4, 2, 41)
    d = mean_difference(len(a), a.sum(), (a * a).sum(), len(b), b.sum(), (b * b).sum())
    ref = sps.ttest_ind_from_stats(a.mean(), a.std(ddof=1), len(a), b.mean(), b.std(ddof=1), len(b), equal_var=False)
    assert d.delta == pytest.approx(a.mean() - b.mean())
    assert d.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    assert d.significant == (ref.pvalue < 0.05)
    ci = sps.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert (d.low, d.high) == (pytest.approx(ci.low), pytest.approx(ci.high))


# --- Difference of two shares -----------------------------------------------------------------

@pytest.mark.parametrize(("x1", "n1", "x2", "n2", "low", "high"), [
    # Newcombe (1998, Stat Med 17:873), Table II, method 10 (hybrid score, no continuity correction).
    (56, 70, 48, 80, 0.0524, 0.3339),
    (9, 10, 3, 10, 0.1705, 0.8090),
    (10, 10, 0, 10, 0.6075, 1.0000),
    (0, 10, 0, 10, -0.2775, 0.2775),
])
def test_newcombe_published_examples(x1, n1, x2, n2, low, high):
    d = proportion_difference(x1, n1, x2, n2)
    assert d.delta == pytest.approx(100 * (x1 / n1 - x2 / n2))
    assert d.low == pytest.approx(100 * low, abs=0.01)
    assert d.high == pytest.approx(100 * high, abs=0.01)


def test_two_share_p_value_is_pearson_chi_square():
    for x1, n1, x2, n2 in [(56, 70, 48, 80), (12, 40, 25, 50), (3, 31, 9, 33)]:
        table = [[x1, n1 - x1], [x2, n2 - x2]]
        ref = sps.chi2_contingency(table, correction=False).pvalue
        assert proportion_difference(x1, n1, x2, n2).p_value == pytest.approx(ref, rel=1e-9)


# --- NPS / NES interval -----------------------------------------------------------------------

@pytest.mark.parametrize(("promoters", "detractors"), [(7, 3), (10, 0), (0, 10), (15, 15), (1, 29), (120, 80)])
def test_nps_without_passives_is_wilson_on_two_p_minus_one(promoters, detractors):
    # With no passives the trinomial is a binomial and Tango's score interval reduces to the score
    # (Wilson) interval for the promoter share p, mapped to 2p − 1: an independent closed form.
    n = promoters + detractors
    ci = sps.binomtest(promoters, n).proportion_ci(method="wilson")
    e = nps_estimate(promoters, 0, detractors)
    assert e.low == pytest.approx(100 * (2 * ci.low - 1), abs=1e-6)
    assert e.high == pytest.approx(100 * (2 * ci.high - 1), abs=1e-6)


def _score_statistic_numeric(b: int, m: int, c: int, delta: float) -> float:
    """Tango's score statistic with the restricted MLE found numerically (no closed form)."""
    n = b + m + c

    def neg_loglik(p3: float) -> float:
        p1, p2 = p3 + delta, 1 - 2 * p3 - delta
        return -(b * math.log(max(p1, 1e-300)) + m * math.log(max(p2, 1e-300)) + c * math.log(max(p3, 1e-300)))

    lo, hi = max(0.0, -delta), (1 - delta) / 2
    p3 = optimize.minimize_scalar(neg_loglik, bounds=(lo + 1e-12, hi - 1e-12), method="bounded",
                                  options={"xatol": 1e-12}).x
    return (b - c - n * delta) / math.sqrt(n * (2 * p3 + delta - delta * delta))


@pytest.mark.parametrize("counts", [(5, 3, 2), (50, 30, 20), (3, 20, 7), (12, 1, 2), (200, 500, 90)])
def test_nps_bounds_are_where_the_score_test_hits_z(counts):
    e = nps_estimate(*counts)
    assert e.value == pytest.approx(100 * (counts[0] - counts[2]) / sum(counts))
    assert e.low < e.value < e.high
    assert _score_statistic_numeric(*counts, e.low / 100) == pytest.approx(Z, abs=1e-4)
    assert _score_statistic_numeric(*counts, e.high / 100) == pytest.approx(-Z, abs=1e-4)


def test_nps_edge_counts():
    assert nps_estimate(0, 0, 0).value is None
    all_passive = nps_estimate(0, 10, 0)
    assert all_passive.value == 0 and all_passive.low < -20 and all_passive.high > 20
    top = nps_estimate(10, 0, 0)
    assert top.high == 100.0 and top.low < 100
    assert nps_estimate(3, 4, 5).method in stats.METHODS
    assert net_estimate(3, 4, 5) == nps_estimate(3, 4, 5)


def _exact_coverage(n: int, p: tuple[float, float, float], interval) -> float:
    """Exact coverage: Σ over all (P, D) of the multinomial probability that the interval holds p1 − p3."""
    lg = gammaln(np.arange(n + 2))
    truth = 100 * (p[0] - p[2])
    total = 0.0
    for b in range(n + 1):
        for c in range(n - b + 1):
            m = n - b - c
            logp = lg[n + 1] - lg[b + 1] - lg[c + 1] - lg[m + 1] + b * math.log(p[0]) + m * math.log(p[1]) \
                + c * math.log(p[2])
            low, high = interval(b, m, c)
            if low - 1e-9 <= truth <= high + 1e-9:
                total += math.exp(logp)
    return 100 * total


def _wald(b, m, c):
    n = b + m + c
    d = (b - c) / n
    se = math.sqrt(max((b + c) / n - d * d, 0) / n)
    return 100 * (d - Z * se), 100 * (d + Z * se)


@pytest.mark.parametrize("p", [(0.5, 0.3, 0.2), (0.7, 0.25, 0.05), (0.2, 0.3, 0.5), (0.1, 0.8, 0.1)])
def test_nps_exact_coverage_at_n30_is_near_nominal(p):
    def tango(b, m, c):
        e = nps_estimate(b, m, c)
        return e.low, e.high

    coverage = _exact_coverage(30, p, tango)
    assert 93.0 <= coverage <= 97.0
    assert _exact_coverage(30, p, _wald) < coverage  # the plain Wald interval under-covers here


def test_nps_simulated_coverage_fixed_seed():
    rng = np.random.default_rng(11)
    p, n, reps = (0.45, 0.35, 0.2), 12, 3000
    hits = 0
    for b, m, c in rng.multinomial(n, p, size=reps):
        e = nps_estimate(int(b), int(m), int(c))
        hits += e.low <= 25.0 <= e.high
    assert 93.0 <= 100 * hits / reps <= 97.5


# --- NPS difference ---------------------------------------------------------------------------

def test_nps_difference_hand_computed():
    # Rocks' adjustment by hand: a = (50, 30, 20) → p = 50.75/103, q = 20.75/103; b = (30, 30, 40).
    a, b = (50, 30, 20), (30, 30, 40)
    pa, qa = 50.75 / 103, 20.75 / 103
    pb, qb = 30.75 / 103, 40.75 / 103
    va, vb = (pa + qa - (pa - qa) ** 2) / 103, (pb + qb - (pb - qb) ** 2) / 103
    centre, se = (pa - qa) - (pb - qb), math.sqrt(va + vb)
    d = nps_difference(a, b)
    assert d.delta == pytest.approx(40.0)
    assert d.low == pytest.approx(100 * (centre - Z * se))
    assert d.high == pytest.approx(100 * (centre + Z * se))
    assert d.p_value == pytest.approx(2 * sps.norm.sf(centre / se))
    assert d.significant and d.method in stats.METHODS
    assert nps_difference((0, 0, 0), b).p_value is None


def _trinomial(n, p):
    lg = gammaln(np.arange(n + 2))
    out = []
    for b in range(n + 1):
        for c in range(n - b + 1):
            m = n - b - c
            logp = lg[n + 1] - lg[b + 1] - lg[c + 1] - lg[m + 1] + b * math.log(p[0]) + m * math.log(p[1]) \
                + c * math.log(p[2])
            out.append(((b, m, c), math.exp(logp)))
    return [o for o in out if o[1] > 1e-10]


@pytest.mark.parametrize(("pa", "pb"), [((0.5, 0.3, 0.2), (0.5, 0.3, 0.2)),
                                        ((0.6, 0.3, 0.1), (0.35, 0.35, 0.3))])
def test_nps_difference_exact_coverage_n30_vs_40(pa, pb):
    truth = 100 * ((pa[0] - pa[2]) - (pb[0] - pb[2]))
    left, right = _trinomial(30, pa), _trinomial(40, pb)
    covered = 0.0
    for ca, wa in left:
        for cb, wb in right:
            d = nps_difference(ca, cb)
            covered += wa * wb * (d.low - 1e-9 <= truth <= d.high + 1e-9)
    assert 93.0 <= 100 * covered <= 97.0  # under equal distributions this is 100 − type I error


# --- Benjamini–Hochberg -----------------------------------------------------------------------

def test_bh_matches_scipy():
    rng = np.random.default_rng(5)
    p = np.concatenate([rng.uniform(size=40), rng.uniform(0, 0.002, size=8)])
    ref = sps.false_discovery_control(p, method="bh")
    assert bh_adjusted(list(p)) == pytest.approx(list(ref))
    assert benjamini_hochberg(list(p), q=0.05) == list(ref <= 0.05)


def test_bh_keeps_none_and_counts_only_real_tests():
    p = [0.01, None, 0.04, 0.03, None]
    ref = sps.false_discovery_control([0.01, 0.04, 0.03])
    adjusted = bh_adjusted(p)
    assert adjusted[1] is None and adjusted[4] is None
    assert [adjusted[0], adjusted[2], adjusted[3]] == pytest.approx(list(ref))
    assert benjamini_hochberg(p) == [True, False, True, True, False]
    assert benjamini_hochberg([0.01, 0.2, 0.3, 0.4]) == [True, False, False, False]  # 0.01 · 4 / 1 = 0.04
    assert benjamini_hochberg([0.02, 0.2, 0.3, 0.4]) == [False, False, False, False]  # 0.08 > 0.05
    assert benjamini_hochberg([]) == []



@pytest.mark.parametrize(("p", "expected"), [
    # The values the hand-written step-up gave before SciPy took over: ties, 0 and 1, None, nothing.
    ([0.01, None, 0.04, 0.03, None], [0.03, None, 0.04, 0.04, None]),
    ([0.01, 0.01, 0.04, 1.0, 0.0], [1 / 60, 1 / 60, 0.05, 1.0, 0.0]),
    ([0.2, 0.001, 0.04, 0.2, 0.9, 0.03], [0.24, 0.006, 0.08, 0.24, 0.9, 0.08]),
    ([0.5], [0.5]),
    ([None, None], [None, None]),
    ([], []),
])
def test_bh_adjusted_keeps_its_values(p, expected):
    adjusted = bh_adjusted(p)
    assert [a is None for a in adjusted] == [e is None for e in expected]
    assert [a for a in adjusted if a is not None] == pytest.approx([e for e in expected if e is not None], abs=1e-15)
    assert all(type(a) is float for a in adjusted if a is not None)  # plain floats, not NumPy scalars

# --- Post-stratification ----------------------------------------------------------------------

def test_poststratified_hand_computed():
    a, b = proportion_estimate(30, 60), proportion_estimate(10, 40)
    e = poststratified([(a, 3.0), (b, 1.0), (proportion_estimate(0, 0), 5.0)])  # empty stratum drops out
    assert e.value == pytest.approx(0.75 * 50 + 0.25 * 25)
    assert e.se == pytest.approx(math.sqrt((0.75 * a.se) ** 2 + (0.25 * b.se) ** 2))
    centre = 0.75 * (a.low + a.high) / 2 + 0.25 * (b.low + b.high) / 2
    assert (e.low + e.high) / 2 == pytest.approx(centre)
    assert e.high - e.low == pytest.approx(2 * Z * e.se)
    assert e.n == 100
    assert e.n_effective == pytest.approx(1 / (0.75 ** 2 / 60 + 0.25 ** 2 / 40))
    assert e.method == "poststratified:wilson" and e.method in stats.METHODS
    assert poststratified([]).value is None


def test_poststratified_se_matches_simulated_spread():
    # Two NPS strata weighted 0.8 / 0.2; the reported se should match the spread of the
    # weighted NPS across repeated samples (seeded), within Monte-Carlo error.
    rng = np.random.default_rng(7)
    pa, na, pb, nb = (0.5, 0.3, 0.2), 200, (0.2, 0.3, 0.5), 50
    values, ses = [], []
    for _ in range(3000):
        ca, cb = rng.multinomial(na, pa), rng.multinomial(nb, pb)
        e = poststratified([(nps_estimate(*map(int, ca)), 0.8), (nps_estimate(*map(int, cb)), 0.2)])
        values.append(e.value)
        ses.append(e.se)
    assert np.mean(values) == pytest.approx(100 * (0.8 * 0.3 + 0.2 * -0.3), abs=0.5)
    assert np.mean(ses) == pytest.approx(np.std(values), rel=0.06)


def test_weighted_thin_estimate_is_small():
    e = poststratified([(nps_estimate(60, 20, 20), 0.1), (nps_estimate(3, 1, 1), 0.9)])
    assert e.n == 105 and e.n_effective < MIN_N and e.is_small


def test_estimate_difference_of_weighted_estimates():
    a = Estimate(30.0, 20.0, 40.0, 200, "poststratified:tango_score", se=5.0)
    b = Estimate(10.0, 2.0, 22.0, 150, "poststratified:tango_score", se=5.0)
    d = stats.estimate_difference(a, b)
    se = math.sqrt(50)
    assert d.delta == 20.0 and d.low == pytest.approx(18 - Z * se) and d.high == pytest.approx(18 + Z * se)
    assert d.p_value == pytest.approx(2 * sps.norm.sf(18 / se))
    assert d.method in stats.METHODS


# --- Small-sample rule ------------------------------------------------------------------------

def test_minimum_sample_rule():
    assert SMALL_SAMPLE == MIN_N == 30
    assert nps_estimate(10, 10, 9).is_small
    assert not nps_estimate(10, 10, 10).is_small
    assert not nps_estimate(0, 0, 0).is_small


# --- Metric layer -----------------------------------------------------------------------------

def _vec(**values: int) -> list[int]:
    out = [0] * 11
    for key, count in values.items():
        out[int(key[1:])] = count
    return out


def test_metric_layer_hand_made_vectors():
    nps = evaluate("nps", _vec(v10=3, v9=2, v8=1, v7=1, v6=2, v0=1))  # 5 promoters, 2 passives, 3 detractors
    assert nps == nps_estimate(5, 2, 3) and nps.value == pytest.approx(20.0)
    csat = [0, 1, 1, 2, 3, 3]  # values 1..5
    assert evaluate("csat", csat).value == pytest.approx(60.0)
    assert evaluate("csat_mean", csat).value == pytest.approx((1 + 2 + 6 + 12 + 15) / 10)
    ces = [0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0]
    assert evaluate("ces", ces).value == pytest.approx(5.0)
    assert evaluate("ces_low_effort", ces).value == pytest.approx(200 / 3)
    lba = _vec(v10=1, v9=1, v5=2)
    assert evaluate("lba", lba).value == pytest.approx(50.0)
    assert evaluate("lba_mean", lba).value == pytest.approx(29 / 4)
    emotions = [2, 1, 0, 1, 1, 0, 1, 0, 4, 0, 0]  # 4 positive, 2 negative, 4 neutral
    nes = evaluate("nes", emotions)
    assert nes == net_estimate(4, 4, 2) and nes.value == pytest.approx(20.0)
    assert evaluate("nps", [0] * 11).value is None


def test_metric_definitions():
    for code in ("nps", "nes", "csat", "csat_mean", "ces", "ces_low_effort", "lba", "lba_mean"):
        m = metrics.METRICS[code]
        assert m.code == code and m.unit in ("points", "percent", "scale") and m.label_en
        assert m.source in ("nps", "csat", "ces", "lba", "emotion")
        assert evaluate(code, [0] * 11).method in stats.METHODS


def test_metric_layer_rejects_values_off_the_scale():
    with pytest.raises(ValueError):
        evaluate("csat", [1, 0, 0, 0, 0, 1])  # 0 is not a CSAT answer
    with pytest.raises(ValueError):
        evaluate("unknown", [1])


def test_compare_dispatches_to_the_right_test():
    a, b = _vec(v10=30, v8=10, v3=10), _vec(v10=10, v8=10, v3=30)
    assert compare("nps", a, b) == nps_difference((30, 10, 10), (10, 10, 30))
    csat_a, csat_b = [0, 1, 1, 2, 3, 3], [0, 4, 3, 2, 1, 0]
    assert compare("csat", csat_a, csat_b) == proportion_difference(6, 10, 1, 10)
    mean = compare("csat_mean", csat_a, csat_b)
    values_a = np.repeat(np.arange(6), csat_a)
    values_b = np.repeat(np.arange(6), csat_b)
    assert mean.p_value == pytest.approx(sps.ttest_ind(values_a, values_b, equal_var=False).pvalue)


def test_many_calls_are_fast():
    import time

    stats.net_interval.cache_clear()
    started = time.perf_counter()
    for i in range(300):
        evaluate("nps", _vec(v10=i, v8=2 * i % 17, v2=i % 23 + 1))
        compare("nps", _vec(v10=i, v2=5), _vec(v10=5, v2=i + 1))
    assert time.perf_counter() - started < 0.5  # a page's worth of cells, uncached
