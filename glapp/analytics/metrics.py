"""The metric layer over count vectors: which rollup source and which answer values make up each
metric (NPS, NES, CSAT, CES, LBA, response rate), evaluated and compared with `core.stats`.

Pure Python, no Django, like the formulas it uses.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace

from glapp.analytics.rollup_keys import CLUSTER_SCORES, INVITATIONS, VALUES
from glapp.core.stats import (
    CLUSTERED,
    Difference,
    Estimate,
    mean_difference,
    mean_estimate,
    net_difference,
    net_estimate,
    nps_category,
    proportion_difference,
    proportion_estimate,
)
from glapp.surveys.question_types import EMOTIONS, NEGATIVE_EMOTIONS, POSITIVE_EMOTIONS


@dataclass(frozen=True)
class MetricDef:
    code: str
    source: str  # which count vector: "nps", "csat", "ces", "lba", "emotion", "invitations"
    label_en: str
    unit: str  # "points" | "percent" | "scale"
    higher_is_better: bool
    values: range  # answer values (count indexes) this source may hold
    kind: str  # "net", "share", "mean"
    top: frozenset[int] = frozenset()  # counted as the top group (share, net)
    bottom: frozenset[int] = frozenset()  # counted as the bottom group (net)
    base: frozenset[int] | None = None  # the share's denominator when not every value (None: all)
    # Days until a day's figure stops changing (0: final at once). Invitations are counted on the
    # day they went out and answered up to their answer window later, so recent days read low.
    settles_days: int = 0

    @property
    def scores(self) -> tuple[int, ...]:
        """Each answer value's score in this metric (count slot → score): what a respondent's
        answers add up to in the per-respondent sums of pooled rollups."""
        if self.kind == "net":
            return tuple(1 if v in self.top else (-1 if v in self.bottom else 0) if v in self.values else 0
                         for v in range(VALUES))
        if self.kind == "share":
            return tuple(int(v in self.top) if v in self.values else 0 for v in range(VALUES))
        return tuple(v if v in self.values else 0 for v in range(VALUES))

    @property
    def moment(self) -> int | None:
        """Which per-respondent sums of its source's pooled rows are this metric's (0 or 1); None
        for a source that holds one answer per unit (response rates)."""
        scores = CLUSTER_SCORES.get(self.source)
        if scores is None:
            return None
        return scores.index(self.scores)  # ValueError: rollup_keys.CLUSTER_SCORES lacks the metric


_EMOTION_RANGE = range(len(EMOTIONS))
_PROMOTERS = frozenset(v for v in range(11) if nps_category(v) == "promoter")
_DETRACTORS = frozenset(v for v in range(11) if nps_category(v) == "detractor")
_POSITIVE = frozenset(range(len(POSITIVE_EMOTIONS)))
_NEGATIVE = frozenset(range(len(POSITIVE_EMOTIONS), len(POSITIVE_EMOTIONS) + len(NEGATIVE_EMOTIONS)))

METRICS: dict[str, MetricDef] = {m.code: m for m in (
    MetricDef("nps", "nps", "Net Promoter Score", "points", True, range(0, 11), "net", _PROMOTERS, _DETRACTORS),
    MetricDef("nes", "emotion", "Net Emotion Score", "points", True, _EMOTION_RANGE, "net", _POSITIVE, _NEGATIVE),
    MetricDef("csat", "csat", "CSAT (satisfied, 4–5)", "percent", True, range(1, 6), "share", frozenset({4, 5})),
    MetricDef("csat_mean", "csat", "CSAT mean (1–5)", "scale", True, range(1, 6), "mean"),
    MetricDef("ces", "ces", "Customer Effort Score (mean 1–7)", "scale", True, range(1, 7 + 1), "mean"),
    MetricDef("ces_low_effort", "ces", "Low effort (5–7)", "percent", True, range(1, 8), "share",
              frozenset({5, 6, 7})),
    MetricDef("lba", "lba", "Likely to buy again (9–10)", "percent", True, range(0, 11), "share",
              frozenset({9, 10})),
    MetricDef("lba_mean", "lba", "Likelihood to buy again (mean 0–10)", "scale", True, range(0, 11), "mean"),
    # Invitations by state (answered, delivered and not answered, bounced): answered over
    # delivered, as on the invitations page; a bounced message never reached anyone to answer.
    MetricDef("response_rate", INVITATIONS, "Response rate (answered / delivered invitations)", "percent", True,
              range(0, 3), "share", frozenset({0}), base=frozenset({0, 1}), settles_days=14),
)}


def _validated(metric: MetricDef, counts: Sequence[int]) -> Sequence[int]:
    for i, c in enumerate(counts):
        if c < 0:
            raise ValueError("counts cannot be negative")
        if c and i not in metric.values:
            raise ValueError(f"{metric.code}: answer value {i} is outside {metric.values.start}–"
                             f"{metric.values.stop - 1}")
    return counts


def _net_counts(metric: MetricDef, counts: Sequence[int]) -> tuple[int, int, int]:
    top = bottom = n = 0
    for i, c in enumerate(counts):
        n += c
        if i in metric.top:
            top += c
        elif i in metric.bottom:
            bottom += c
    return top, n - top - bottom, bottom


def _share_counts(metric: MetricDef, counts: Sequence[int]) -> tuple[int, int]:
    base = sum(counts) if metric.base is None else sum(c for i, c in enumerate(counts) if i in metric.base)
    return sum(c for i, c in enumerate(counts) if i in metric.top), base


def _mean_moments(counts: Sequence[int]) -> tuple[int, float, float]:
    n = total = total_sq = 0
    for v, c in enumerate(counts):
        n += c
        total += v * c
        total_sq += v * v * c
    return n, float(total), float(total_sq)


for _m in METRICS.values():  # fail at import, not on a page, if a metric has no per-respondent sums
    _m.moment  # noqa: B018


@dataclass(frozen=True)
class Respondents:
    """Per-respondent sums of a pooled cell: `count` respondents, Σ m² over their answer counts
    m, Σ y² and Σ y·m over their score sums y (this metric's scores)."""

    count: int
    m_sq: float
    y_sq: float
    y_m: float

    @classmethod
    def of(cls, metric: str, counts: Sequence[int], corrections: Sequence[int]) -> "Respondents | None":
        """From value counts (c0..c10) and the summed correction MOMENTS of the same rows
        (rollup_keys): what the counts imply with every answer its own respondent, corrected
        for respondents of several answers. None for a metric whose answers are never pooled."""
        m = _metric(metric)
        if m.moment is None:
            return None
        n = sum(counts)
        scores = m.scores
        slot = m.moment
        return cls(n + corrections[0], n + corrections[1],
                   sum(scores[v] ** 2 * c for v, c in enumerate(counts)) + corrections[2 + 2 * slot],
                   sum(scores[v] * c for v, c in enumerate(counts)) + corrections[3 + 2 * slot])


def design_effect(metric: str, counts: Sequence[int], respondents: Respondents | None) -> float:
    """How many times the variance of the pooled figure exceeds that of as many independent
    answers: the ratio estimator's cluster-robust (linearised) variance over respondents,
    K/(K−1) · Σ (y_i − R·m_i)² / n², against the same formula with every answer its own
    respondent. 1 when every respondent gave one answer, never below 1 (a negative
    within-respondent correlation is not counted on to narrow an interval)."""
    if respondents is None:
        return 1.0
    n = sum(counts)
    k = respondents.count
    if k >= n or k < 2:
        return 1.0 if k >= n else float(n)
    scores = _metric(metric).scores
    total = sum(scores[v] * c for v, c in enumerate(counts))
    total_sq = sum(scores[v] ** 2 * c for v, c in enumerate(counts))
    r = total / n
    naive = n / (n - 1) * max(total_sq - n * r * r, 0.0)
    if naive <= 0:
        return 1.0
    clustered = k / (k - 1) * max(respondents.y_sq - 2 * r * respondents.y_m + r * r * respondents.m_sq, 0.0)
    return min(max(clustered / naive, 1.0), float(n))


def _effective(counts: Sequence[int], deff: float) -> Sequence[float]:
    return counts if deff == 1.0 else [c / deff for c in counts]


def _metric(code: str) -> MetricDef:
    try:
        return METRICS[code]
    except KeyError:
        raise ValueError(f"unknown metric '{code}'") from None


def _plain(m: MetricDef, counts: Sequence[float], confidence: float) -> Estimate:
    if m.kind == "net":
        return net_estimate(*_net_counts(m, counts), confidence)
    if m.kind == "share":
        return proportion_estimate(*_share_counts(m, counts), confidence)
    return mean_estimate(*_mean_moments(counts), confidence)


def evaluate(metric: str, counts: Sequence[int], confidence: float = 0.95,
             respondents: Respondents | None = None) -> Estimate:
    """The metric's value and interval from counts[v] = answers with value v (emotion: index in EMOTIONS).

    With `respondents` fewer than the answers, the interval is the same method's on the
    effective sample (every count divided by the design effect): the value is unchanged, the
    interval as wide as the respondents' agreement makes it, n stays the answers."""
    m = _metric(metric)
    counts = _validated(m, counts)
    deff = design_effect(metric, counts, respondents)
    estimate = _plain(m, _effective(counts, deff), confidence)
    n = sum(counts)
    if respondents is None or respondents.count >= n:
        return estimate
    return replace(estimate, n=n, method=CLUSTERED + estimate.method, n_effective=n / deff,
                   respondents=respondents.count)


def compare(metric: str, counts_a: Sequence[int], counts_b: Sequence[int], alpha: float = 0.05,
            respondents_a: Respondents | None = None, respondents_b: Respondents | None = None) -> Difference:
    """Metric on counts_a minus metric on counts_b (independent samples), each side on its
    effective sample when its answers come from fewer respondents (see `evaluate`)."""
    m = _metric(metric)
    a, b = _validated(m, counts_a), _validated(m, counts_b)
    deff_a, deff_b = design_effect(metric, a, respondents_a), design_effect(metric, b, respondents_b)
    a, b = _effective(a, deff_a), _effective(b, deff_b)
    if m.kind == "net":
        d = net_difference(_net_counts(m, a), _net_counts(m, b), alpha)
    elif m.kind == "share":
        d = proportion_difference(*_share_counts(m, a), *_share_counts(m, b), alpha)
    else:
        d = mean_difference(*_mean_moments(a), *_mean_moments(b), alpha)
    clustered = any(r is not None and r.count < sum(c) for r, c in ((respondents_a, counts_a),
                                                                   (respondents_b, counts_b)))
    return replace(d, method=CLUSTERED + d.method) if clustered else d
