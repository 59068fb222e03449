"""Every formula the UI and the API show. Pure Python: no Django, so it is tested alone.

Results are small frozen dataclasses so later additions (confidence intervals, tests of
difference, minimum-sample rules) become new fields or functions, not new call shapes.
"""

from dataclasses import dataclass

# Below this many answers an NPS moves by more than ±15 points on one answer pattern change,
# so the UI marks it as indicative rather than hiding it.
SMALL_SAMPLE = 30


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
