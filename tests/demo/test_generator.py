"""The demo generator on its own: deterministic, varied, and carrying the three documented effects."""

import datetime as dt
import os
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from glapp.demo import company as co
from glapp.demo.csvfile import write_csv
from glapp.demo.generator import CAMPAIGN, NEW_PARTNER, OLD_PARTNER, DemoGenerator, Effects

END = dt.date(2026, 6, 30)
EFFECTS = Effects.for_end(END)


def day_of(raw: dict) -> dt.date:
    return dt.date.fromisoformat(raw["submitted_at"][:10])


def nps(rows: list[dict]) -> float:
    scores = [r["answers"]["nps"] for r in rows]
    assert scores, "no responses to score"
    return 100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores)


@pytest.fixture(scope="module")
def year():
    """Big enough that a region × touchpoint × period cell has a few hundred responses."""
    return list(DemoGenerator(seed=11, responses=40_000, end=END))


def test_effect_dates_follow_the_end_date():
    assert EFFECTS.start == dt.date(2025, 7, 1)
    assert (EFFECTS.campaign_start, EFFECTS.campaign_end) == (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert EFFECTS.delivery_change == dt.date(2026, 1, 31)
    assert EFFECTS.onboarding_change == dt.date(2026, 4, 1)


def test_same_seed_and_end_give_identical_responses():
    first = list(DemoGenerator(5, 3000, END))
    assert first == list(DemoGenerator(5, 3000, END))
    assert first != list(DemoGenerator(6, 3000, END))
    assert first != list(DemoGenerator(5, 3000, END - dt.timedelta(days=1)))


def test_same_seed_writes_a_byte_identical_file(tmp_path):
    a, b, c = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    assert write_csv(DemoGenerator(5, 2500, END), a) == 2500
    write_csv(DemoGenerator(5, 2500, END), b)
    write_csv(DemoGenerator(9, 2500, END), c)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_exact_count_ids_and_time_range(year):
    assert len(year) == 40_000
    assert [r["external_id"] for r in year[:3]] == ["demo-11-0", "demo-11-1", "demo-11-2"]
    assert len({r["external_id"] for r in year}) == 40_000
    days = [day_of(r) for r in year]
    assert min(days) >= EFFECTS.start and max(days) <= END
    assert days == sorted(days)


def test_population_mix(year):
    languages = Counter(r["language"] for r in year)
    assert 0.08 < languages["en"] / len(year) < 0.16
    assert set(languages) == {"sv", "en"}
    assert {r["segment"] for r in year} == {"private", "business", "student", "senior"}
    assert len({r["customer"]["external_id"] for r in year}) > 10_000
    units = Counter(r["unit"] for r in year if r.get("touchpoint") == co.BUTIK)
    assert set(units) == {s.code for s in co.STORES}
    assert all(r["metadata"]["agent"] in co.PHONE_AGENTS for r in year if r.get("touchpoint") == co.KUNDTJANST)
    assert all("delivery_partner" in r["metadata"] for r in year if r.get("touchpoint") == co.HEMLEVERANS)


def test_delivery_partner_change_in_norr_lowers_home_delivery_nps(year):
    change = EFFECTS.delivery_change
    home = [r for r in year if r.get("touchpoint") == co.HEMLEVERANS]
    norr_before = [r for r in home if r["unit"] == "norr" and day_of(r) < change]
    norr_after = [r for r in home if r["unit"] == "norr" and day_of(r) >= change]
    rest_before = [r for r in home if r["unit"] != "norr" and day_of(r) < change]
    rest_after = [r for r in home if r["unit"] != "norr" and day_of(r) >= change]
    assert {r["metadata"]["delivery_partner"] for r in norr_after} == {NEW_PARTNER}
    assert {r["metadata"]["delivery_partner"] for r in norr_before + rest_after} == {OLD_PARTNER}
    assert nps(norr_before) - nps(norr_after) > 15
    assert nps(rest_after) - nps(norr_after) > 15
    assert abs(nps(rest_after) - nps(rest_before)) < 8
    complaints = [r["answers"]["comment"] for r in norr_after
                  if r["answers"]["nps"] <= 6 and r["answers"].get("comment")]
    assert sum("SnabbFrakt" in c or "budfirma" in c or "courier" in c or "PostNord" in c
               for c in complaints) / len(complaints) > 0.6
    # Ombud keeps PostNord everywhere, and its scores.
    ombud_norr = [r for r in year if r.get("touchpoint") == co.OMBUD and r["unit"] == "norr"]
    assert {r["metadata"]["delivery_partner"] for r in ombud_norr} == {OLD_PARTNER}


def test_activation_guide_raises_onboarding_nps(year):
    onboarding = [r for r in year if r.get("touchpoint") == co.KOM_IGANG]
    before = [r for r in onboarding if day_of(r) < EFFECTS.onboarding_change]
    after = [r for r in onboarding if day_of(r) >= EFFECTS.onboarding_change]
    assert nps(after) - nps(before) > 12
    praise = [r["answers"].get("comment", "") for r in after if r["answers"]["nps"] >= 9]
    assert sum("guide" in c.lower() for c in praise) / len(praise) > 0.3
    assert not any("guide" in r["answers"].get("comment", "").lower() for r in before)


def test_campaign_floods_customer_service_but_agents_are_not_worse(year):
    phone = [r for r in year if r.get("touchpoint") == co.KUNDTJANST]
    in_month = [r for r in phone if EFFECTS.campaign_start <= day_of(r) <= EFFECTS.campaign_end]
    outside = [r for r in phone if not EFFECTS.campaign_start <= day_of(r) <= EFFECTS.campaign_end]
    monthly = Counter(day_of(r).strftime("%Y-%m") for r in outside)
    assert len(in_month) > 1.8 * statistics.median(monthly.values())

    tagged = [r for r in in_month if r["metadata"].get("campaign") == CAMPAIGN]
    untagged = [r for r in in_month if r["metadata"].get("campaign") != CAMPAIGN]
    assert len(tagged) / len(in_month) > 0.5
    detractors = [r for r in in_month if r["answers"]["nps"] <= 6]
    assert sum(r["metadata"].get("campaign") == CAMPAIGN for r in detractors) / len(detractors) > 0.75
    assert nps(tagged) < -40
    assert abs(nps(untagged) - nps(outside)) < 12  # the agents' own work is unchanged
    comments = [r["answers"]["comment"] for r in tagged if r["answers"].get("comment") and r["answers"]["nps"] <= 8]
    assert sum("kampanj" in c.lower() or "campaign" in c.lower() for c in comments) / len(comments) > 0.8
    # Outside the month no contact response carries the campaign.
    assert not any(r["metadata"].get("campaign") == CAMPAIGN for r in outside)


@pytest.mark.parametrize("touchpoint", [co.WEBBKASSA, co.BUTIK, co.OMBUD, co.FORNYELSE, co.UPPSAGNING, co.RELATION])
def test_other_touchpoints_are_noise_only(year, touchpoint):
    rows = [r for r in year if r.get("touchpoint", "") == touchpoint]
    halves = [[r for r in rows if day_of(r) < EFFECTS.delivery_change],
              [r for r in rows if day_of(r) >= EFFECTS.delivery_change]]
    limit = 15 if touchpoint == co.UPPSAGNING else 9  # the smallest touchpoint is the noisiest
    assert abs(nps(halves[0]) - nps(halves[1])) < limit


def test_comments_read_varied():
    rows = list(DemoGenerator(3, 5000, END))
    comments = [r["answers"].get("comment") for r in rows]
    written = [c for c in comments if c]
    assert 0.35 < 1 - len(written) / len(rows) < 0.50  # many real responses have no comment
    assert len(set(written)) / len(written) > 0.8
    english = [r["answers"]["comment"] for r in rows if r["language"] == "en" and r["answers"].get("comment")]
    assert english
    assert not any(word in c.lower().split() for c in english for word in ("och", "jag", "inte", "att"))
    assert all("{" not in c for c in written)  # every slot was filled


def test_output_does_not_depend_on_the_process_hash_seed(tmp_path):
    """Set/dict order and str hashes vary between processes; the data must not."""
    here = tmp_path / "here.csv"
    write_csv(DemoGenerator(5, 1500, END), here)
    code = ("import datetime, sys; from glapp.demo.csvfile import write_csv; "
            "from glapp.demo.generator import DemoGenerator; "
            "write_csv(DemoGenerator(5, 1500, datetime.date(2026, 6, 30)), sys.argv[1])")
    for hash_seed in ("1", "987"):
        there = tmp_path / f"there-{hash_seed}.csv"
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run([sys.executable, "-c", code, str(there)], check=True, env=env, cwd=Path(__file__).parents[2])
        assert there.read_bytes() == here.read_bytes()
