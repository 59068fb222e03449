"""Rollups stay equal to a recount of the raw responses, whatever path wrote them."""

import datetime as dt
import random
import zoneinfo
from collections import Counter

import pytest
from django.db import transaction

from glapp.analytics.actions import ROLLUP_COUNTS, rebuild_rollups, set_rollup_dimensions
from glapp.analytics.models import Rollup
from glapp.analytics.rollup_keys import GRAINS, NotRolledUp, smallest_grain
from glapp.responses.actions import ingest_responses
from glapp.responses.catalog import Catalog
from glapp.responses.models import Answer, Response
from glapp.responses.validation import clean_response
from tests.factories import response_payload

pytestmark = pytest.mark.django_db
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


def cleans(org, n, seed=1, prefix="r"):
    rng = random.Random(seed)
    catalog = Catalog.load(org.id)
    out = []
    for i in range(n):
        answers = {"nps": rng.randint(0, 10)}
        if rng.random() < .7:
            answers["ces"] = rng.randint(1, 7)
        if rng.random() < .5:
            answers["comment"] = "ok" if rng.random() < .8 else ""
        day = dt.datetime(2026, 3, 1, tzinfo=dt.UTC) + dt.timedelta(hours=rng.randint(0, 24 * 60))
        payload = response_payload(
            external_id=f"{prefix}-{i}", answers=answers, submitted_at=day.isoformat(),
            unit=rng.choice([f"{org.slug}-north", f"{org.slug}-south-store", None]),
            channel=rng.choice(["email", "sms"]),
            metadata={"campaign": rng.choice(["spring", "summer", ""]), "agent": rng.choice(["Anna", "Bo"])},
            customer={"external_id": f"C-{i % 7}", "segment": rng.choice(["private", "business"])},
        )
        if payload["unit"] is None:
            del payload["unit"]
        result = clean_response(payload, catalog)
        assert not isinstance(result, list), result
        out.append(result)
    return out


def stored_cells():
    fields = [f.name for f in Rollup._meta.fields if f.name != "id"]
    k = len(ROLLUP_COUNTS)
    return Counter({tuple(row[:-k]): tuple(row[-k:]) for row in Rollup.objects.values_list(*fields)})


def raw_nps_by_day_touchpoint(org):
    """The independent recount: answers joined to their responses, days in Stockholm time."""
    counts = Counter()
    for number, submitted_at, tp in Answer.objects.filter(question_type="nps", response__organization=org) \
            .values_list("number", "response__submitted_at", "response__touchpoint_id"):
        day = submitted_at.astimezone(STOCKHOLM).date()
        counts[(day, tp, number)] += 1
    return counts


def test_ingest_keeps_every_grain_equal_to_a_recount(org):
    ingest_responses(org.id, cleans(org, 300), "api")
    raw = raw_nps_by_day_touchpoint(org)
    for grain in GRAINS:
        rolled = Counter()
        for row in Rollup.objects.filter(organization=org, source="nps", grain=grain.code).values():
            for v in range(11):
                if row[f"c{v}"]:
                    rolled[(row["day"], row["touchpoint"], v)] += row[f"c{v}"]
        assert rolled == raw, grain.name
        # One NPS question a response: every row is the question's own, and no correction row.
        assert not Rollup.objects.filter(organization=org, source="nps", question=0).exists()
    responses = Rollup.objects.filter(organization=org, source="responses", grain=1)
    assert sum(r.n for r in responses) == Response.objects.count() == 300
    assert sum(r.c0 for r in responses) == Response.objects.filter(has_comment=True).count()
    assert sum(r.n for r in Rollup.objects.filter(source="ces", grain=3)) == Answer.objects.filter(
        question_type="ces").count()


def test_days_are_local_days(org):
    # 00:30 on 2 March in Stockholm
    late = response_payload(external_id="late", submitted_at="2026-03-01T23:30:00+00:00")
    ingest_responses(org.id, [clean_response(late, Catalog.load(org.id))], "api")
    assert set(Rollup.objects.values_list("day", flat=True)) == {dt.date(2026, 3, 2)}


def test_repeats_add_nothing_and_batches_add_up(org):
    batch = cleans(org, 120)
    ingest_responses(org.id, batch[:50], "api")
    ingest_responses(org.id, batch[30:], "api")  # 20 repeats
    after_two_batches = stored_cells()
    ingest_responses(org.id, batch, "api")  # all repeats
    assert stored_cells() == after_two_batches
    Rollup.objects.all().delete()
    ingest_responses(org.id, cleans(org, 120, prefix="other"), "api")  # fresh ids, same content
    assert stored_cells() == after_two_batches


def test_a_failed_ingest_leaves_no_counts(org):
    with pytest.raises(RuntimeError), transaction.atomic():
        ingest_responses(org.id, cleans(org, 10), "api")
        raise RuntimeError("the caller fails after the write")
    assert not Rollup.objects.exists()
    assert not Response.objects.exists()


def test_rebuild_gives_what_ingest_maintained(org, other_org):
    ingest_responses(org.id, cleans(org, 200), "api")
    ingest_responses(other_org.id, cleans(other_org, 50, seed=2), "api")
    incremental = stored_cells()
    Rollup.objects.filter(organization=org).update(n=0, c5=999)  # drift, to be repaired
    assert rebuild_rollups(org.id) == 200
    assert stored_cells() == incremental


def test_selected_metadata_keys_become_dimensions(org):
    ingest_responses(org.id, cleans(org, 100), "api")
    set_rollup_dimensions(org.id, ["campaign", "agent"])
    rebuild_rollups(org.id)
    by_campaign = Counter()
    for d1, n in Rollup.objects.filter(grain=4, source="responses").values_list("d1", "n"):
        by_campaign[d1] += n
    expected = Counter(r.metadata.get("campaign", "") for r in Response.objects.all())
    assert by_campaign == expected
    assert set(Rollup.objects.filter(grain=4).values_list("d2", flat=True)) == {"Anna", "Bo"}
    assert set(Rollup.objects.filter(grain=3).values_list("d1", flat=True)) == {""}  # coarser grains ignore them


def test_smallest_grain_covers_the_query():
    assert smallest_grain({"touchpoint"}).name == "touchpoint"
    assert smallest_grain({"touchpoint", "unit"}).name == "unit"
    assert smallest_grain({"segment"}).name == "profile"
    assert smallest_grain({"d2", "segment"}).name == "full"
    with pytest.raises(NotRolledUp):
        smallest_grain({"agent"})
