import datetime as dt
import random

import pytest

from glapp.textanalytics.analyzers.themes import ThemeDocument, find_themes

START = dt.date(2025, 1, 6)  # a Monday
BACKGROUND = [
    "Trevlig personal och snabb hjälp", "Bra sortiment men lite dyrt", "Leveransen kom i tid",
    "Kassan var stängd när jag kom", "Fick svar direkt i chatten", "Priset var okej",
]
STEADY = ["Parkeringen vid butiken är alltid full", "Ingen parkering ledig vid butiken",
          "Svårt att hitta parkering nära butiken"]
# One-off comments no topic covers: the realistic long tail around real themes.
TAIL = ["Hunden fick vatten vid entrén", "Musiken var för hög", "Saknar vegansk glass", "Toaletten var stängd",
        "Kul med julpynt", "Varför ingen bankomat", "Cykelställ saknas", "Lampan blinkade i taket",
        "Doften av bröd var härlig", "Barnhörnan var stökig", "Rulltrappan stod still", "Hissen gick sönder"]
NEW = ["Kan inte logga in med BankID sedan uppdateringen", "BankID inloggningen fungerar inte längre",
       "Efter uppdateringen funkar inte BankID", "BankID felet gör att jag inte kommer in"]


def corpus(seed=0, start=START):
    rnd = random.Random(seed)
    docs = []
    n = 0
    for week in range(8):
        for day in range(7):
            date = start + dt.timedelta(weeks=week, days=day)
            for _ in range(3):
                docs.append(ThemeDocument(n, date, covered=True, text=rnd.choice(BACKGROUND), language="sv"))
                n += 1
            if day % 2 == 0:
                docs.append(ThemeDocument(n, date, covered=False, text=rnd.choice(STEADY), language="sv"))
                n += 1
            docs.append(ThemeDocument(n, date, covered=False, text=rnd.choice(TAIL), language="sv"))
            n += 1
            if week == 7:  # the new problem starts in the last week
                for _ in range(2):
                    docs.append(ThemeDocument(n, date, covered=False, text=rnd.choice(NEW), language="sv"))
                    n += 1
    return docs


def test_new_complaint_is_found_the_week_it_starts():
    docs = corpus()
    themes = find_themes(docs, min_size=5)
    assert themes, "no theme found"
    top = themes[0]
    assert any("bankid" in w.lower() for w in top.label_words), top.label_words
    assert top.new and top.growth > 1
    assert top.weekly_counts[-1][1] == top.size == 14
    assert all(n == 0 for _, n in top.weekly_counts[:-1])
    new_ids = {d.id for d in docs if d.text in NEW}
    assert set(top.document_ids) == new_ids


def test_weeks_run_on_through_a_week_53():
    """2020 ends in ISO week 53 (28 December to 3 January): no gap, no repeat, no week of the wrong year."""
    top = find_themes(corpus(start=dt.date(2020, 11, 16)), min_size=5)[0]
    labels = [week for week, _ in top.weekly_counts]
    assert labels[-3:] == ["2020-W52", "2020-W53", "2021-W01"] and len(set(labels)) == 8
    assert top.new and top.weekly_counts[-1][1] == top.size == 14


def test_steady_theme_is_found_and_not_growing():
    themes = find_themes(corpus(), min_size=5)
    steady = [t for t in themes if any("parkering" in w for w in t.label_words)]
    assert steady
    assert not steady[0].new
    assert abs(steady[0].growth) < 0.5
    assert len(steady[0].weekly_counts) == 8
    assert steady[0].weekly_counts[0][0] == "2025-W02"


def test_covered_comments_are_ignored_and_result_is_deterministic():
    docs = corpus()
    first = find_themes(docs)
    assert [t.document_ids for t in first] == [t.document_ids for t in find_themes(list(docs))]
    covered = {d.id for d in docs if d.covered}
    assert not covered.intersection(i for t in first for i in t.document_ids)
    assert find_themes([d for d in docs if d.covered]) == []


def test_binomial_tail_is_exact():
    from scipy.stats import binom

    from glapp.textanalytics.analyzers.themes import binomial_tail

    for k, n, p in ((0, 5, 0.3), (3, 5, 0.3), (8, 8, 0.25), (14, 30, 0.25), (40, 200, 0.1)):
        assert binomial_tail(k, n, p) == pytest.approx(binom.sf(k - 1, n, p), rel=1e-9)


def _surge(recent: int, *, before_per_week: int = 0, weeks: int = 8):
    """A steady covered background (20 a week) and a theme with `recent` comments in the last week."""
    docs, n = [], 0
    for week in range(weeks):
        for day in range(7):
            date = START + dt.timedelta(weeks=week, days=day)
            for _ in range(3):
                docs.append(ThemeDocument(n, date, covered=True, text="Bra service", language="sv"))
                n += 1
            docs.append(ThemeDocument(n, date, text=TAIL[(week * 7 + day) % len(TAIL)], language="sv"))
            n += 1
        for i in range(before_per_week if week < weeks - 2 else 0):
            docs.append(ThemeDocument(n, START + dt.timedelta(weeks=week, days=i % 7), text="Pantmaskinen strular",
                                      language="sv"))
            n += 1
    for i in range(recent):
        docs.append(ThemeDocument(n, START + dt.timedelta(weeks=weeks - 1, days=i % 5), text="Pantmaskinen strular",
                                  language="sv"))
        n += 1
    return docs


def _pant(docs):
    [theme] = [t for t in find_themes(docs, min_size=5) if "pantmaskinen" in t.label_words]
    return theme


def test_growth_needs_enough_comments_and_must_be_beyond_chance():
    few = _pant(_surge(8))
    assert few.new and few.recent == 8 and not few.growing()  # "8 in two weeks, +100 %" is no finding
    many = _pant(_surge(20))
    assert many.growing() and many.p_growth < 0.001
    # 10 recent against a steady 5 a week before: as many as expected, not growing.
    steady = _pant(_surge(10, before_per_week=5))
    assert steady.recent == 10 and steady.p_growth > 0.05 and not steady.growing()


def test_first_names_and_placeholders_are_never_theme_words():
    docs = [ThemeDocument(i, START + dt.timedelta(days=i % 7), text=f"johan [NAME] hjälpte till med routern {i}",
                          language="sv") for i in range(12)]
    docs += [ThemeDocument(100 + i, START + dt.timedelta(days=i % 7), text=text, language="sv")
             for i, text in enumerate(TAIL)]
    words = {w.lower() for t in find_themes(docs, min_size=5) for w in t.label_words}
    assert "routern" in words and "johan" not in words and "name" not in words
