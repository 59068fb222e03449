"""Every formula the UI and the API show: values, intervals, tests of difference, weighting.

It lives in `core` because every app that shows a figure needs it (analytics for metrics, textanalytics
for topic shares); which answers make up which metric is `analytics.metrics`.

Pure Python plus SciPy (special functions, Benjamini–Hochberg): no Django, so it is tested alone. Functions take
counts (what the rollups store) and return small frozen dataclasses. Calls are cheap (closed
forms, z and t quantiles cached, the one iterative interval memoised) because a page asks for a
few hundred cells.

Scales: NPS and NES in points (−100..100), shares in percent (0..100), means in scale units.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist

from scipy import special

from glapp.core.i18n import gettext_noop  # marks UI text; translated where it is shown

# Below this many answers an NPS moves by more than ±15 points on one answer pattern change,
# so the UI greys the number out as indicative rather than hiding it.
MIN_N = 30
SMALL_SAMPLE = MIN_N  # the name the overview page used first

NPS_METHOD = "tango_score"
NPS_DIFF_METHOD = "adjusted_wald_diff"
WILSON = "wilson"
NEWCOMBE = "newcombe_hybrid"
T_METHOD = "t"
WELCH = "welch"
NORMAL_DIFF = "normal_diff"
MEDIAN_ORDER = "median_order_statistics"


METHODS: dict[str, str] = {
    NPS_METHOD: gettext_noop(
        "Tango's score interval for the difference of two shares of one sample (promoters minus detractors), "
        "which keeps close to the stated confidence even with few answers."),
    NPS_DIFF_METHOD: gettext_noop(
        "Adjusted Wald interval and z-test for the difference of two independent net scores, adding 3/4 of an "
        "answer to each end group and 3 to each sample (Rocks 2016)."),
    WILSON: gettext_noop("Wilson score interval for a share, reliable near 0 % and 100 % and with few answers."),
    NEWCOMBE: gettext_noop(
        "Newcombe's hybrid score interval (from two Wilson intervals) and the pooled z-test for the difference "
        "of two independent shares."),
    T_METHOD: gettext_noop("Student t interval for a mean."),
    WELCH: gettext_noop("Welch's t-test and interval for the difference of two means with unequal variances."),
    NORMAL_DIFF: gettext_noop(
        "Normal approximation for the difference of two independent estimates, using their standard errors."),
    MEDIAN_ORDER: gettext_noop(
        "Median with a distribution-free interval between two order statistics chosen from the binomial "
        "distribution, which needs no assumption about the shape of the times."),
    f"poststratified:{NPS_METHOD}": gettext_noop(
        "Post-stratified estimate (each stratum weighted to its target share) with a normal interval from the "
        "weighted stratum variances, each taken from Tango's score interval."),
    f"poststratified:{WILSON}": gettext_noop(
        "Post-stratified estimate (each stratum weighted to its target share) with a normal interval from the "
        "weighted stratum variances, each taken from the Wilson interval."),
    f"poststratified:{T_METHOD}": gettext_noop(
        "Post-stratified estimate (each stratum weighted to its target share) with a normal interval from the "
        "weighted stratum variances, each taken from the t interval."),
}
METHODS[f"{NORMAL_DIFF}:poststratified"] = METHODS[NORMAL_DIFF]

# Pooled answers of respondents who gave several (several CSAT questions in one figure): the
# interval of the inner method on the effective sample size (answers over the design effect).
CLUSTERED = "clustered:"
_CLUSTER_NOTE = gettext_noop(
    "Respondents gave several of these answers, and one person's answers tend to agree: the interval "
    "uses the effective number of answers (answers divided by the design effect from per-respondent "
    "sums, a ratio estimator's cluster-robust variance), so pooled answers never look more certain than "
    "the respondents behind them.")
CLUSTER_NOTE = _CLUSTER_NOTE
for _inner in (NPS_METHOD, WILSON, T_METHOD):
    METHODS[CLUSTERED + _inner] = METHODS[_inner]
    METHODS[f"poststratified:{CLUSTERED}{_inner}"] = METHODS[f"poststratified:{_inner}"]
for _diff in (NPS_DIFF_METHOD, NEWCOMBE, WELCH):
    METHODS[CLUSTERED + _diff] = METHODS[_diff]

_NORMAL = NormalDist()
_Z95 = _NORMAL.inv_cdf(0.975)
_SQRT2 = math.sqrt(2.0)


@lru_cache(maxsize=64)
def z_value(confidence: float = 0.95) -> float:
    """Two-sided standard normal quantile for a confidence level."""
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    return _Z95 if confidence == 0.95 else _NORMAL.inv_cdf(0.5 + confidence / 2)


@lru_cache(maxsize=8192)
def t_value(df: float, confidence: float = 0.95) -> float:
    """Two-sided Student t quantile, cached by degrees of freedom."""
    return float(special.stdtrit(df, 0.5 + confidence / 2))


def _normal_p(z: float) -> float:
    """Two-sided p-value of a standard normal statistic."""
    return math.erfc(abs(z) / _SQRT2)


# --- Result shapes ------------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    value: float | None  # on the metric's scale; None when n == 0
    low: float | None  # interval bounds on the same scale (None when n == 0 or not computable)
    high: float | None
    n: int  # answers behind it
    method: str  # a key of METHODS
    se: float | None = None  # standard error on the value scale (for difference tests and weighting)
    n_effective: float | None = None  # for weighted estimates, and pooled answers of fewer respondents
    confidence: float = 0.95
    respondents: int | None = None  # when fewer than n: the people behind the answers (clustered)

    @property
    def is_small(self) -> bool:
        """Too thin to read: fewer than MIN_N answers (or effective answers when weighted)."""
        if self.n <= 0:
            return False
        if self.n_effective is not None and self.n_effective < MIN_N:
            return True
        return self.n < MIN_N


@dataclass(frozen=True)
class Difference:
    delta: float | None  # a − b on the metric's scale
    low: float | None
    high: float | None
    p_value: float | None
    method: str
    significant: bool  # p < alpha on its own; the caller applies Benjamini–Hochberg across many
    se: float | None = None
    alpha: float = 0.05


def _empty(method: str, confidence: float = 0.95) -> Estimate:
    return Estimate(None, None, None, 0, method, confidence=confidence)


def _no_difference(method: str, alpha: float) -> Difference:
    return Difference(None, None, None, None, method, False, None, alpha)


def _check_counts(*counts: int) -> None:
    if min(counts) < 0:
        raise ValueError("counts cannot be negative")


# --- Net scores (NPS, NES): Tango's score interval -------------------------------------------


def _tango_g(b: int, c: int, n: int, delta: float, z: float) -> float:
    """(b − c − nΔ) − z·sd(Δ): zero at the lower bound, positive below it.

    sd is the standard deviation of b − c under Δ with the restricted maximum-likelihood share
    of the `c` cell (Tango 1998), so the interval is the set of Δ the score test does not reject.
    """
    A = 2.0 * n
    B = -b - c + (2.0 * n - b + c) * delta
    C = -c * delta * (1.0 - delta)
    p_c = (math.sqrt(max(B * B - 4.0 * A * C, 0.0)) - B) / (2.0 * A)
    var = n * (2.0 * p_c + delta * (1.0 - delta))
    return (b - c - n * delta) - z * math.sqrt(max(var, 0.0))


def _tango_lower(b: int, c: int, n: int, z: float) -> float:
    """Lower bound of Δ = (b − c)/n by the Illinois variant of regula falsi on a sure bracket."""
    lo, f_lo = -1.0, float(b - c + n)  # g(−1) = b − c + n ≥ 0: the restricted variance is 0 there
    if f_lo <= 0:
        return -1.0
    hi = (b - c) / n
    f_hi = _tango_g(b, c, n, hi, z)
    if f_hi >= 0:  # no spread at the estimate (all answers in the middle group): step just below it
        hi -= 1e-9
        f_hi = _tango_g(b, c, n, hi, z)
        if f_hi >= 0:
            return (b - c) / n
    side = 0
    x = hi
    for _ in range(100):
        x = (lo * f_hi - hi * f_lo) / (f_hi - f_lo)
        f_x = _tango_g(b, c, n, x, z)
        if f_x > 0:
            lo, f_lo = x, f_x
            if side == 1:
                f_hi /= 2
            side = 1
        elif f_x < 0:
            hi, f_hi = x, f_x
            if side == -1:
                f_lo /= 2
            side = -1
        else:
            return x
        if hi - lo < 1e-11:
            break
    return x


@lru_cache(maxsize=65536)
def net_interval(high_count: int, middle: int, low_count: int, confidence: float = 0.95) -> tuple[float, float]:
    """Tango score interval for p_high − p_low, as fractions in −1..1 (memoised: pages repeat counts)."""
    n = high_count + middle + low_count
    z = z_value(confidence)
    lower = _tango_lower(high_count, low_count, n, z)
    upper = -_tango_lower(low_count, high_count, n, z)  # swapping the groups mirrors Δ
    return max(-1.0, lower), min(1.0, upper)


def net_estimate(positive: int, neutral: int, negative: int, confidence: float = 0.95) -> Estimate:
    """Share of the top group minus share of the bottom group, in points, with Tango's interval."""
    _check_counts(positive, neutral, negative)
    n = positive + neutral + negative
    if n == 0:
        return _empty(NPS_METHOD, confidence)
    low, high = net_interval(positive, neutral, negative, confidence)
    se = 100.0 * (high - low) / (2.0 * z_value(confidence))
    return Estimate(100.0 * (positive - negative) / n, 100.0 * low, 100.0 * high, n, NPS_METHOD, se,
                    confidence=confidence)


def nps_estimate(promoters: int, passives: int, detractors: int, confidence: float = 0.95) -> Estimate:
    """NPS (promoters 9–10 minus detractors 0–6) in points with Tango's score interval."""
    return net_estimate(promoters, passives, detractors, confidence)


def _adjusted_net(counts: tuple[int, int, int]) -> tuple[float, float, int]:
    """Rocks (2016) adjusted net share and its variance: +3/4 to each end group, +3 to n."""
    top, middle, bottom = counts
    _check_counts(top, middle, bottom)
    n = top + middle + bottom
    m = n + 3.0
    p, q = (top + 0.75) / m, (bottom + 0.75) / m
    return p - q, (p + q - (p - q) ** 2) / m, n


def net_difference(a: tuple[int, int, int], b: tuple[int, int, int], alpha: float = 0.05) -> Difference:
    """Net score of a minus net score of b (independent samples), in points.

    Interval and z-test share one adjusted-Wald standard error, so `significant` is exactly
    "the interval excludes 0". delta is the raw observed difference.
    """
    da, va, na = _adjusted_net(tuple(a))
    db, vb, nb = _adjusted_net(tuple(b))
    if na == 0 or nb == 0:
        return _no_difference(NPS_DIFF_METHOD, alpha)
    delta = 100.0 * ((a[0] - a[2]) / na - (b[0] - b[2]) / nb)
    centre, se = da - db, math.sqrt(va + vb)
    z = z_value(1 - alpha)
    p = _normal_p(centre / se)
    return Difference(delta, 100.0 * max(-2.0, centre - z * se), 100.0 * min(2.0, centre + z * se), p,
                      NPS_DIFF_METHOD, p < alpha, 100.0 * se, alpha)


def nps_difference(a: tuple[int, int, int], b: tuple[int, int, int], alpha: float = 0.05) -> Difference:
    """NPS of a minus NPS of b; each a (promoters, passives, detractors) tuple."""
    return net_difference(a, b, alpha)


# --- Shares: Wilson ---------------------------------------------------------------------------


def _wilson(x: int, n: int, z: float) -> tuple[float, float]:
    p = x / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def proportion_estimate(successes: int, n: int, confidence: float = 0.95) -> Estimate:
    """A share in percent with the Wilson score interval."""
    _check_counts(successes, n)
    if successes > n:
        raise ValueError("successes cannot exceed n")
    if n == 0:
        return _empty(WILSON, confidence)
    z = z_value(confidence)
    low, high = _wilson(successes, n, z)
    return Estimate(100.0 * successes / n, 100.0 * low, 100.0 * high, n, WILSON, 100.0 * (high - low) / (2 * z),
                    confidence=confidence)


def median_estimate(values: Sequence[float], confidence: float = 0.95) -> Estimate:
    """The median of `values` with the distribution-free interval between order statistics: the
    j-th and k-th smallest values, where the number of values below the true median is
    Binomial(n, ½), so P(x(j) ≤ median ≤ x(k)) ≥ `confidence` (the interval widest where the
    sample is thin; no interval below 6 values at 95 %). For times, which are skewed and
    bounded below, where a mean's t interval would mislead."""
    xs = sorted(float(v) for v in values)
    n = len(xs)
    if n == 0:
        return _empty(MEDIAN_ORDER, confidence)
    middle = n // 2
    median = xs[middle] if n % 2 else (xs[middle - 1] + xs[middle]) / 2
    alpha = 1.0 - confidence
    # The largest j (1-based) with P(B ≤ j − 1) ≤ α/2 for B ~ Binomial(n, ½); k = n + 1 − j.
    j, cumulative = 0, 0.0
    for r in range(n):
        cumulative += math.comb(n, r) * 0.5 ** n
        if cumulative > alpha / 2:
            break
        j = r + 1
    if j == 0:
        return Estimate(median, None, None, n, MEDIAN_ORDER, confidence=confidence)
    return Estimate(median, xs[j - 1], xs[n - j], n, MEDIAN_ORDER, confidence=confidence)


def proportion_difference(x1: int, n1: int, x2: int, n2: int, alpha: float = 0.05) -> Difference:
    """Share 1 minus share 2 in percentage points: Newcombe's hybrid score interval, pooled z-test."""
    _check_counts(x1, n1, x2, n2)
    if n1 == 0 or n2 == 0:
        return _no_difference(NEWCOMBE, alpha)
    z = z_value(1 - alpha)
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = _wilson(x1, n1, z)
    l2, u2 = _wilson(x2, n2, z)
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    pooled = (x1 + x2) / (n1 + n2)
    se0 = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    p = _normal_p(d / se0) if se0 > 0 else 1.0
    se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    return Difference(100.0 * d, 100.0 * low, 100.0 * high, p, NEWCOMBE, p < alpha, 100.0 * se, alpha)


# --- Means: t and Welch -----------------------------------------------------------------------


def _moments(n: int, total: float, total_sq: float) -> tuple[float, float]:
    mean = total / n
    var = max(total_sq - n * mean * mean, 0.0) / (n - 1) if n > 1 else 0.0
    return mean, var


def mean_estimate(n: int, total: float, total_sq: float, confidence: float = 0.95) -> Estimate:
    """Mean of n answers from their sum and sum of squares, with a Student t interval (none for n = 1)."""
    if n < 0:
        raise ValueError("n cannot be negative")
    if n == 0:
        return _empty(T_METHOD, confidence)
    mean, var = _moments(n, total, total_sq)
    if n == 1:
        return Estimate(mean, None, None, 1, T_METHOD, None, confidence=confidence)
    se = math.sqrt(var / n)
    half = t_value(n - 1, confidence) * se
    return Estimate(mean, mean - half, mean + half, n, T_METHOD, se, confidence=confidence)


def mean_difference(n1: int, s1: float, ss1: float, n2: int, s2: float, ss2: float,
                    alpha: float = 0.05) -> Difference:
    """Mean 1 minus mean 2 by Welch's t-test (each side from n, sum, sum of squares)."""
    if n1 < 2 or n2 < 2:
        return _no_difference(WELCH, alpha)
    m1, v1 = _moments(n1, s1, ss1)
    m2, v2 = _moments(n2, s2, ss2)
    a, b = v1 / n1, v2 / n2
    se = math.sqrt(a + b)
    d = m1 - m2
    if se == 0:
        p = 1.0 if d == 0 else 0.0
        return Difference(d, d, d, p, WELCH, p < alpha, 0.0, alpha)
    df = (a + b) ** 2 / (a * a / (n1 - 1) + b * b / (n2 - 1))
    t = d / se
    p = float(2.0 * special.stdtr(df, -abs(t)))
    half = t_value(df, 1 - alpha) * se
    return Difference(d, d - half, d + half, p, WELCH, p < alpha, se, alpha)


# --- Any two estimates, weighting, many tests -------------------------------------------------


def _midpoint(e: Estimate) -> float:
    return (e.low + e.high) / 2 if e.low is not None and e.high is not None else e.value


def estimate_difference(a: Estimate, b: Estimate, alpha: float = 0.05) -> Difference:
    """a − b for independent estimates of any kind (e.g. weighted), by a normal approximation.

    Centred on the interval midpoints (the adjusted centres, never stuck at 0 % or 100 %) and
    using each estimate's standard error; delta is the difference of the values.
    """
    method = f"{NORMAL_DIFF}:poststratified" if "poststratified" in a.method + b.method else NORMAL_DIFF
    if a.value is None or b.value is None or a.se is None or b.se is None:
        return _no_difference(method, alpha)
    centre = _midpoint(a) - _midpoint(b)
    se = math.sqrt(a.se ** 2 + b.se ** 2)
    if se == 0:
        p = 1.0 if centre == 0 else 0.0
        return Difference(a.value - b.value, centre, centre, p, method, p < alpha, 0.0, alpha)
    z = z_value(1 - alpha)
    p = _normal_p(centre / se)
    return Difference(a.value - b.value, centre - z * se, centre + z * se, p, method, p < alpha, se, alpha)


def _bounds_of(method: str) -> tuple[float, float]:
    method = method.removeprefix(CLUSTERED)
    if method == NPS_METHOD:
        return -100.0, 100.0
    if method == WILSON:
        return 0.0, 100.0
    return -math.inf, math.inf


def poststratified(strata: Sequence[tuple[Estimate, float]], confidence: float = 0.95) -> Estimate:
    """Weighted estimate from per-stratum estimates and target weights (post-stratification).

    Weights are renormalised over strata with answers. Value Σ w·value; variance Σ w²·se²;
    interval centred on Σ w·midpoint (each stratum's adjusted centre) ± z·se, kept on the scale.
    n_effective is Kish's 1 / Σ (w² / n_h): the sample size an unweighted sample of the same
    precision would need, so a few heavily up-weighted answers still read as thin.
    """
    used = [(e, float(w)) for e, w in strata if e.n > 0 and w > 0 and e.value is not None]
    inner = strata[0][0].method if strata else NPS_METHOD
    inner = used[0][0].method if used else inner
    method = f"poststratified:{inner}"
    if not used:
        return _empty(method, confidence)
    total_w = sum(w for _, w in used)
    weights = [w / total_w for _, w in used]
    value = sum(w * e.value for (e, _), w in zip(used, weights, strict=True))
    n = sum(e.n for e, _ in used)
    n_eff = 1.0 / sum(w * w / (e.n_effective or e.n) for (e, _), w in zip(used, weights, strict=True))
    if any(e.se is None for e, _ in used):
        return Estimate(value, None, None, n, method, None, n_eff, confidence)
    se = math.sqrt(sum((w * e.se) ** 2 for (e, _), w in zip(used, weights, strict=True)))
    centre = sum(w * _midpoint(e) for (e, _), w in zip(used, weights, strict=True))
    half = z_value(confidence) * se
    lo_bound, hi_bound = _bounds_of(inner)
    return Estimate(value, max(lo_bound, centre - half), min(hi_bound, centre + half), n, method, se, n_eff,
                    confidence)


def bh_adjusted(p_values: Sequence[float | None]) -> list[float | None]:
    """Benjamini–Hochberg adjusted p-values (None stays None; m counts the real p-values)."""
    # Imported here: scipy.stats costs most of a second to import, and every process loads this module
    # (each management command, the worker) while only a comparison across a table needs it.
    from scipy.stats import false_discovery_control

    real = [i for i, p in enumerate(p_values) if p is not None]
    out: list[float | None] = [None] * len(p_values)
    if real:
        adjusted = false_discovery_control([p_values[i] for i in real], method="bh")
        for i, p in zip(real, adjusted.tolist(), strict=True):
            out[i] = p
    return out


def benjamini_hochberg(p_values: Sequence[float | None], q: float = 0.05) -> list[bool]:
    """Which tests to call discoveries so the expected share of false ones stays ≤ q."""
    return [p is not None and p <= q for p in bh_adjusted(p_values)]


# --- The plain NPS shape the overview page uses -------------------------------------------------


@dataclass(frozen=True)
class Nps:
    """Net Promoter Score from counts of 9–10 (promoters), 7–8 (passives) and 0–6 (detractors)."""

    promoters: int
    passives: int
    detractors: int

    @property
    def n(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def value(self) -> float | None:
        """Points on −100..100; None when there is no answer (an empty NPS is not zero)."""
        if self.n == 0:
            return None
        return 100.0 * (self.promoters - self.detractors) / self.n

    def share(self, count: int) -> float:
        """A count as a percentage of n (0 when n is 0), for stacked bars."""
        return 100.0 * count / self.n if self.n else 0.0

    @property
    def promoter_share(self) -> float:
        return self.share(self.promoters)

    @property
    def passive_share(self) -> float:
        return self.share(self.passives)

    @property
    def detractor_share(self) -> float:
        return self.share(self.detractors)

    @property
    def is_small(self) -> bool:
        return 0 < self.n < SMALL_SAMPLE

    def estimate(self, confidence: float = 0.95) -> Estimate:
        return nps_estimate(self.promoters, self.passives, self.detractors, confidence)

    def __add__(self, other: "Nps") -> "Nps":
        return Nps(self.promoters + other.promoters, self.passives + other.passives,
                   self.detractors + other.detractors)


def nps(promoters: int, passives: int, detractors: int) -> Nps:
    if min(promoters, passives, detractors) < 0:
        raise ValueError("counts cannot be negative")
    return Nps(promoters, passives, detractors)


def nps_category(score: int) -> str:
    """'promoter', 'passive' or 'detractor' for a 0–10 answer."""
    if not 0 <= score <= 10:
        raise ValueError("an NPS answer is 0–10")
    if score >= 9:
        return "promoter"
    if score >= 7:
        return "passive"
    return "detractor"


def nps_of_counts(counts: Sequence[int]) -> Nps:
    """The NPS of counts[v] = answers with value v (0–10), as the rollups store them."""
    tally = {"promoter": 0, "passive": 0, "detractor": 0}
    for score, count in enumerate(counts):
        if count:
            tally[nps_category(score)] += count
    return nps(tally["promoter"], tally["passive"], tally["detractor"])
