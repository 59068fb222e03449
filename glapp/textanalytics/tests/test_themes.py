import datetime as dt
import random

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


def corpus(seed=0):
    rnd = random.Random(seed)
    docs = []
    n = 0
    for week in range(8):
        for day in range(7):
            date = START + dt.timedelta(weeks=week, days=day)
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
