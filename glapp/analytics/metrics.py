"""The metric layer over count vectors: which rollup source and which answer values make up each
metric (NPS, NES, CSAT, CES, LBA, response rate), evaluated and compared with `core.stats`.

Pure Python, no Django, like the formulas it uses.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from glapp.analytics.rollup_keys import INVITATIONS
from glapp.core.stats import (
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


def _metric(code: str) -> MetricDef:
    try:
        return METRICS[code]
    except KeyError:
        raise ValueError(f"unknown metric '{code}'") from None


def evaluate(metric: str, counts: Sequence[int], confidence: float = 0.95) -> Estimate:
    """The metric's value and interval from counts[v] = answers with value v (emotion: index in EMOTIONS)."""
    m = _metric(metric)
    counts = _validated(m, counts)
    if m.kind == "net":
        return net_estimate(*_net_counts(m, counts), confidence)
    if m.kind == "share":
        return proportion_estimate(*_share_counts(m, counts), confidence)
    return mean_estimate(*_mean_moments(counts), confidence)


def compare(metric: str, counts_a: Sequence[int], counts_b: Sequence[int], alpha: float = 0.05) -> Difference:
    """Metric on counts_a minus metric on counts_b (independent samples)."""
    m = _metric(metric)
    a, b = _validated(m, counts_a), _validated(m, counts_b)
    if m.kind == "net":
        return net_difference(_net_counts(m, a), _net_counts(m, b), alpha)
    if m.kind == "share":
        return proportion_difference(*_share_counts(m, a), *_share_counts(m, b), alpha)
    return mean_difference(*_mean_moments(a), *_mean_moments(b), alpha)
