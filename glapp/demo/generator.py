"""Deterministic demo responses for Exempelbolaget AB, in the API's raw shape.

The story is a year (365 days ending at `end`, inclusive) of survey responses across the journey
Köp → Leverans → Kundkontakt → Förnyelse. Every touchpoint has a stable "true" score distribution
(volume alone follows the season and the weekday), except for three injected effects that later
features (trend detection, root cause, driver analysis) must find, with dates derived from `end`:

1. **Superkampanjen** (misleading campaign): the whole calendar month containing `end − 120 days`.
   Purchases at Webbkassa/Butik that month carry `metadata.campaign = "superkampanj"` (35 %) with
   normal scores. The campaign price differs from the one promised, so Kundtjänst telefon volume
   rises ×2.5 and Chatt ×2.0 that month; every extra response carries `campaign = "superkampanj"`, is
   mostly a detractor (NPS ≈ −65) and its comment is about the campaign price/terms. Contact
   responses *without* the campaign keep their normal distribution (NPS ≈ +20 phone, +25 chat), and
   every agent gets the same share of campaign calls: the agents are not the cause.
2. **Delivery partner change in Norr**: from `end − 150 days`, home deliveries (Hemleverans) to
   customers in region Norr are made by "SnabbFrakt AB" instead of "PostNord"
   (`metadata.delivery_partner`). Hemleverans NPS in Norr drops from ≈ +32 to ≈ +7 (−25 points) with
   comments about late and damaged parcels. Other regions, and Ombud everywhere, keep PostNord and
   their scores.
3. **New activation guide**: from `end − 90 days`, "Kom igång" NPS rises from ≈ +8 to ≈ +28
   (+20 points), with comments praising the new activation guide.

Everything is drawn from `random.Random` streams seeded from (seed, day), never the global
generator and never an order that depends on hashing, so the same seed and end date give the
same responses byte for byte. Responses are generated one day at a time (memory stays flat at
any size) and carry external ids "demo-<seed>-<n>", which makes re-loading a no-op.

Pure Python: no Django imports.
"""

import datetime as dt
import random
from bisect import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate
from zoneinfo import ZoneInfo

from glapp.demo import company as co
from glapp.demo import texts

TZ = ZoneInfo("Europe/Stockholm")
DAYS = 365
CAMPAIGN = "superkampanj"
OLD_PARTNER = "PostNord"
NEW_PARTNER = "SnabbFrakt AB"
EFFECT_REGION = "norr"

# Relative volume per touchpoint ("" = relationship survey). Sums to 100.
VOLUME = {
    co.WEBBKASSA: 16, co.BUTIK: 18, co.HEMLEVERANS: 11, co.OMBUD: 7, co.KOM_IGANG: 10,
    co.KUNDTJANST: 12, co.CHATT: 9, co.FORNYELSE: 7, co.UPPSAGNING: 3, co.RELATION: 7,
}
CAMPAIGN_VOLUME = {co.KUNDTJANST: 2.5, co.CHATT: 2.0}  # multipliers during the campaign month
MONTH_FACTOR = {1: .95, 2: .9, 3: .95, 4: 1.0, 5: 1.0, 6: .9, 7: .8, 8: .95, 9: 1.05, 10: 1.05, 11: 1.2, 12: 1.25}
WEEKDAY_FACTOR = (1.1, 1.05, 1.0, 1.0, .95, .8, .7)
HOUR_WEIGHTS = (0, 0, 0, 0, 0, 0, 0, 2, 4, 6, 7, 7, 8, 7, 7, 7, 7, 6, 7, 8, 8, 6, 4, 2)

# (promoter share, detractor share): the stable true distribution of each touchpoint.
BASE_NPS = {
    co.WEBBKASSA: (.50, .15), co.BUTIK: (.55, .12), co.HEMLEVERANS: (.48, .16), co.OMBUD: (.40, .20),
    co.KOM_IGANG: (.35, .27), co.KUNDTJANST: (.42, .22), co.CHATT: (.45, .20), co.FORNYELSE: (.40, .22),
    co.UPPSAGNING: (.12, .60), co.RELATION: (.38, .25),
}
CAMPAIGN_NPS = (.05, .70)  # contact about the campaign price: NPS ≈ −65
SNABBFRAKT_NPS = (.33, .26)  # Hemleverans in Norr after the change: ≈ +7 (from ≈ +32)
GUIDE_NPS = (.47, .19)  # Kom igång with the new guide: ≈ +28 (from ≈ +8)
SEGMENT_SHIFT = {"private": (0, 0), "business": (-.04, .03), "student": (.03, 0), "senior": (.02, -.01)}

CHANNELS = {
    co.WEBBKASSA: ("web", "email"), co.BUTIK: ("sms", "store"), co.HEMLEVERANS: ("sms", "email"),
    co.OMBUD: ("sms",), co.KOM_IGANG: ("app", "email"), co.KUNDTJANST: ("sms", "phone"),
    co.CHATT: ("widget",), co.FORNYELSE: ("email", "app"), co.UPPSAGNING: ("email",), co.RELATION: ("email",),
}
CANCEL_WEIGHTS = (40, 15, 15, 20, 10)
DETRACTOR_SCORE_WEIGHTS = (4, 2, 3, 4, 6, 9, 12)
EMOTIONS = {
    texts.NEG: (("disappointment", "frustration", "anger", "worry"), (4, 4, 2, 1)),
    texts.MID: (("neutral", "relief", "worry", "trust"), (6, 2, 1, 1)),
    texts.POS: (("joy", "trust", "relief", "surprise_positive"), (4, 3, 2, 1)),
}
EMPTY_COMMENT = {texts.NEG: .30, texts.MID: .55, texts.POS: .45}
PROMISED_PRICES = (199, 249, 299)
# How likely a comment at an affected place is about the effect: the unhappy ones talk about the
# campaign or the courier, the happy ones about the guide; the rest about the usual things.
EFFECT_TALK = {
    "campaign": {texts.NEG: 1.0, texts.MID: 1.0, texts.POS: 0.0},
    "snabbfrakt": {texts.NEG: .85, texts.MID: .4, texts.POS: 0.0},
    "guide": {texts.NEG: 0.0, texts.MID: 0.0, texts.POS: .75},
}


@dataclass(frozen=True)
class Effects:
    """The dates of the injected effects for one end date (all inclusive)."""

    start: dt.date
    end: dt.date
    campaign_start: dt.date
    campaign_end: dt.date
    delivery_change: dt.date
    onboarding_change: dt.date

    @classmethod
    def for_end(cls, end: dt.date) -> "Effects":
        anchor = end - dt.timedelta(days=120)
        c_start = anchor.replace(day=1)
        c_end = (c_start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        return cls(start=end - dt.timedelta(days=DAYS - 1), end=end, campaign_start=c_start, campaign_end=c_end,
                   delivery_change=end - dt.timedelta(days=150), onboarding_change=end - dt.timedelta(days=90))

    def in_campaign(self, day: dt.date) -> bool:
        return self.campaign_start <= day <= self.campaign_end

    def describe(self) -> list[str]:
        return [
            f"Superkampanjen (campaign={CAMPAIGN}): {self.campaign_start} – {self.campaign_end}, "
            "Kundtjänst telefon ×2.5 and Chatt ×2.0 volume, campaign contacts NPS ≈ −65",
            f"Norr: Hemleverans by {NEW_PARTNER} instead of {OLD_PARTNER} from {self.delivery_change}, "
            "NPS −25 points",
            f"Kom igång: new activation guide from {self.onboarding_change}, NPS +20 points",
        ]


def _splitmix(x: int) -> int:
    """A 64-bit integer hash: derives a customer's fixed attributes from (seed, index) without storing them."""
    x = (x + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return x ^ (x >> 31)


@dataclass(frozen=True)
class Customer:
    external_id: str
    first_name: str
    language: str
    segment: str
    region: co.Region
    store: co.Store
    years: int
    annual_value: int  # SEK a year: what the customer is worth, for value-weighted metrics


def default_customers(responses: int) -> int:
    """Tens of thousands of customers for the default 50,000 responses; about 2.5 responses each."""
    return max(1000, min(responses * 2 // 5, 500_000))


class DemoGenerator:
    def __init__(self, seed: int, responses: int, end: dt.date, customers: int | None = None):
        if responses < 0:
            raise ValueError("responses must not be negative")
        self.seed = seed
        self.responses = responses
        self.effects = Effects.for_end(end)
        self.customers = customers or default_customers(responses)
        self._segments = [s for s, _ in co.SEGMENTS]
        self._segment_cum = list(accumulate(w for _, w in co.SEGMENTS))
        self._region_cum = list(accumulate(r.weight for r in co.REGIONS))
        self._hour_cum = list(accumulate(HOUR_WEIGHTS))
        self._product_cum = list(accumulate(5 if device else 6 for _, _, device in co.PRODUCTS))
        self._device_products = [p for p in co.PRODUCTS if p[2]]

    # --- calendar -------------------------------------------------------------------------------
    def _day_volume(self, day: dt.date) -> dict[str, float]:
        volume = dict(VOLUME)
        if self.effects.in_campaign(day):
            for tp, factor in CAMPAIGN_VOLUME.items():
                volume[tp] = VOLUME[tp] * factor
        return volume

    def day_counts(self) -> list[tuple[dt.date, int]]:
        """Responses per day: the total split by season, weekday and the campaign spike (largest remainder)."""
        days = [self.effects.start + dt.timedelta(days=i) for i in range(DAYS)]
        weights = [MONTH_FACTOR[d.month] * WEEKDAY_FACTOR[d.weekday()] * sum(self._day_volume(d).values()) / 100
                   for d in days]
        total = sum(weights)
        exact = [self.responses * w / total for w in weights]
        counts = [int(x) for x in exact]
        short = self.responses - sum(counts)
        by_remainder = sorted(range(DAYS), key=lambda i: (-(exact[i] - counts[i]), i))
        for i in by_remainder[:short]:
            counts[i] += 1
        return list(zip(days, counts, strict=True))

    # --- customers ------------------------------------------------------------------------------
    def customer(self, index: int) -> Customer:
        h = _splitmix(self.seed * 1_000_003 + index)
        u = (h & 0xFFFFFFFF) / 2**32
        region = co.REGIONS[min(bisect(self._region_cum, u * self._region_cum[-1]), len(co.REGIONS) - 1)]
        u2 = ((h >> 32) & 0xFFFF) / 2**16
        segment = self._segments[min(bisect(self._segment_cum, u2 * self._segment_cum[-1]),
                                     len(self._segments) - 1)]
        language = "en" if ((h >> 48) & 0xFF) / 256 < co.ENGLISH_SHARE else "sv"
        h2 = _splitmix(h)
        return Customer(
            external_id=f"demo-{self.seed}-k{index:06d}",
            first_name=co.FIRST_NAMES[h2 % len(co.FIRST_NAMES)],
            language=language,
            segment=segment,
            region=region,
            store=region.stores[(h2 >> 16) % len(region.stores)],
            years=1 + (h2 >> 32) % 15,
            annual_value=round(co.ANNUAL_VALUE[segment] * (0.5 + ((h2 >> 48) & 0xFFFF) / 2**16) / 100) * 100,
        )

    # --- responses ------------------------------------------------------------------------------
    def __iter__(self) -> Iterator[dict]:
        n = 0
        for day, count in self.day_counts():
            for raw in self.day(day, count, n):
                yield raw
                n += 1

    def day(self, day: dt.date, count: int, first_n: int) -> list[dict]:
        """One day's responses in time order; depends only on (seed, day, count, first_n)."""
        rng = random.Random(f"glapp-demo:{self.seed}:{day.isoformat()}")
        volume = self._day_volume(day)
        tps = list(volume)
        cum = list(accumulate(volume[tp] for tp in tps))
        drafts = []
        for i in range(count):
            tp = tps[bisect(cum, rng.random() * cum[-1])]
            campaign = tp in CAMPAIGN_VOLUME and volume[tp] != VOLUME[tp] and \
                rng.random() < 1 - VOLUME[tp] / volume[tp]
            hour = bisect(self._hour_cum, rng.random() * self._hour_cum[-1])
            drafts.append((hour * 3600 + rng.randrange(3600), i, tp, campaign))
        drafts.sort()
        return [self._response(rng, day, seconds, tp, campaign, first_n + k)
                for k, (seconds, _, tp, campaign) in enumerate(drafts)]

    def _nps(self, rng: random.Random, promoters: float, detractors: float) -> int:
        u = rng.random()
        if u < detractors:
            return rng.choices(range(7), weights=DETRACTOR_SCORE_WEIGHTS)[0]
        if u < detractors + (1 - promoters - detractors):
            return 7 if rng.random() < .45 else 8
        return 9 if rng.random() < .45 else 10

    def _product(self, rng: random.Random, tp: str) -> tuple[str, int, bool]:
        if tp in (co.HEMLEVERANS, co.OMBUD) and rng.random() < .7:
            return rng.choice(self._device_products)
        return co.PRODUCTS[bisect(self._product_cum, rng.random() * self._product_cum[-1])]

    def _campaign_tag(self, rng: random.Random, day: dt.date, tp: str, customer: Customer) -> str | None:
        if tp not in (co.WEBBKASSA, co.BUTIK, co.FORNYELSE):
            return None
        if self.effects.in_campaign(day):
            return CAMPAIGN if tp != co.FORNYELSE and rng.random() < .35 else None
        if day.month == 11 and rng.random() < .25:
            return "black-week"
        if day.month == 12 and rng.random() < .2:
            return "julkampanj"
        if day.month in (8, 9) and customer.segment == "student" and rng.random() < .4:
            return "studentrabatt"
        return None

    def _response(self, rng: random.Random, day: dt.date, seconds: int, tp: str, campaign: bool, n: int) -> dict:
        eff = self.effects
        customer = self.customer(rng.randrange(self.customers))
        survey = co.SURVEY_BY_TOUCHPOINT[tp]
        product, monthly, _ = self._product(rng, tp)
        metadata: dict = {}
        effect = None
        promoters, detractors = BASE_NPS[tp]

        tag = CAMPAIGN if campaign else self._campaign_tag(rng, day, tp, customer)
        if tag:
            metadata["campaign"] = tag
        metadata["product"] = product
        if tp == co.KUNDTJANST:
            metadata["agent"] = rng.choice(co.PHONE_AGENTS)
        elif tp == co.CHATT:
            metadata["agent"] = rng.choice(co.CHAT_AGENTS)
        store = customer.store if rng.random() < .85 else rng.choice(customer.region.stores)
        if tp == co.BUTIK:
            metadata["store"] = store.code
        partner = OLD_PARTNER
        if tp == co.HEMLEVERANS and customer.region.code == EFFECT_REGION and day >= eff.delivery_change:
            partner = NEW_PARTNER
            promoters, detractors = SNABBFRAKT_NPS
            effect = "snabbfrakt"
        if tp in (co.HEMLEVERANS, co.OMBUD):
            metadata["delivery_partner"] = partner
        if campaign:
            promoters, detractors = CAMPAIGN_NPS
            effect = "campaign"
        if tp == co.KOM_IGANG and day >= eff.onboarding_change:
            promoters, detractors = GUIDE_NPS
            effect = "guide"
        dp, dd = SEGMENT_SHIFT[customer.segment]
        nps = self._nps(rng, promoters + dp, detractors + dd)
        sentiment = texts.NEG if nps <= 6 else texts.MID if nps <= 8 else texts.POS

        answers: dict = {"nps": nps}
        for q in survey.questions:
            if q.key == "ces":
                answers["ces"] = max(1, min(7, round(1.2 + nps * .55 + rng.gauss(0, 1) - (1.2 if campaign else 0))))
            elif q.key == "csat":
                answers["csat"] = max(1, min(5, round(1 + nps * .4 + rng.gauss(0, .7))))
            elif q.key == "emotion" and rng.random() < .9:
                options, weights = EMOTIONS[sentiment]
                answers["emotion"] = rng.choices(options, weights=weights)[0]
            elif q.key == "reason":
                answers["reason"] = rng.choices(co.CANCEL_REASONS, weights=CANCEL_WEIGHTS)[0]

        use_effect = effect is not None and rng.random() < EFFECT_TALK[effect][sentiment]
        empty = EMPTY_COMMENT[sentiment] * (.6 if use_effect else 1)
        if rng.random() >= empty:
            promised = rng.choice(PROMISED_PRICES)
            slots = {
                "agent": metadata.get("agent", "handläggaren"),
                "product": product,
                "days": rng.randint(3, 12) if effect == "snabbfrakt" else rng.randint(2, 8),
                "minutes": rng.randint(25, 75) if sentiment == texts.NEG else rng.randint(8, 30),
                "price": rng.choice((30, 40, 50, 60, 75, 80, 100, 120)),
                "promised": promised,
                "charged": promised + rng.choice((50, 80, 100, 120, 150, 200)) if campaign else monthly,
                "store": store.name,
                "city": store.city,
                "partner": partner,
                "years": customer.years,
                # Swedish numbers reserved for fiction (070-1740605…699): realistic PII that reaches no one.
                "phone": f"070-17406{rng.randint(5, 99):02d}",
                "order": f"EB{rng.randint(1_000_000, 9_999_999)}",
            }
            answers["comment"] = texts.compose(rng, customer.language, tp, sentiment, slots,
                                               effect if use_effect else None)

        when = dt.datetime.combine(day, dt.time(seconds // 3600, seconds % 3600 // 60, seconds % 60), tzinfo=TZ)
        raw = {
            "external_id": f"demo-{self.seed}-{n}",
            "survey": survey.code,
            "unit": store.code if tp == co.BUTIK else customer.region.code,
            "submitted_at": when.isoformat(),
            "channel": rng.choice(CHANNELS[tp]),
            "language": customer.language,
            "segment": customer.segment,
            "customer": {"external_id": customer.external_id, "first_name": customer.first_name,
                         "language": customer.language, "segment": customer.segment,
                         "region": customer.region.name, "attributes": {"annual_value": customer.annual_value}},
            "metadata": metadata,
            "answers": answers,
        }
        if tp:
            raw["touchpoint"] = tp
        return raw
