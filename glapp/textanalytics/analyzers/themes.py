"""Emerging themes: what recurring subjects do comments raise that no topic covers, and are they growing?

Method (deterministic, no seed needed, explainable): each comment no topic covered becomes a set
of terms (content-word stems, stop words removed). Terms used by at least
`min_size` comments and by at most `max_share` of them are candidates, scored by volume plus a
burst bonus (how far the term's count in the last two weeks exceeds what its overall volume
predicts), so a complaint that starts this week is picked before old, steady chatter. Greedily, the
best term takes every still-unassigned comment containing it as a theme (if at least `min_size`
remain); the theme is labelled with its defining term and the terms most over-represented in it
(lift against all uncovered comments), shown in their most common written form.

Each theme reports weekly counts (ISO weeks, Monday first, empty weeks included) up to `today`,
and `growth`: the theme's share of all comments in the last two weeks over its share in the weeks
before (its count there floored at 1 comment), minus 1, so a busier fortnight alone is no growth;
`new` is True when it had no comments before. Whether the growth is beyond chance is
`p_growth`, an exact one-sided conditional binomial test (the comparison of two Poisson rates):
if the theme's share did not change, each of its comments falls in the last two weeks with
probability (comments in the last two weeks) / (all comments), and p is the chance of at least
as many recent ones. `growing` asks for p below `alpha` and at least `MIN_RECENT` recent comments;
callers that test many themes adjust p (Benjamini–Hochberg) and re-rank with `rank_key`.

Terms are built from redacted text; placeholders ("[NAME]") and first names that the name
redaction knows (an agent's "johan" written in lower case escapes it) are never terms.
"""

import datetime as dt
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from scipy import special

from glapp.core import pii
from glapp.textanalytics.analyzers import morphology
from glapp.textanalytics.analyzers.tokens import tokenize

VERSION = "themes-2"
MIN_RECENT = 10  # fewer comments in the last two weeks are never called growing, whatever the test says
ALPHA = 0.05

_STOPWORDS_TEXT = """
och i att det som en på är av för med till den har de inte om ett han men var jag sig från vi så kan man när
år säger hon under också efter eller nu sin där vid mot ska skulle kommer ut får finns vara hade alla andra
mycket än här då sedan över bara in blir upp även vad få två vill ha många hur mer går sverige kronor detta nya
procent skriver hans utan sina något vilket alltså dem dessa denna därför hos mig mitt min mina dig din dina
oss vår våra er ert era du ni dom dem deras vart varför vem vilken vilka ingen inget inga blev varit bli
gör gjorde göra fick fått sa sagt väldigt lite bra dåligt dålig helt redan ju nog väl kanske fortfarande
igen ändå jättebra toppen tack hej snälla
the a an and or but if of to in on at for with from by about as into like through after over between out
against during without before under around among is are was were be been being have has had do does did
i me my myself we our ours you your yours he him his she her it its they them their what which who whom this
that these those am not no nor so than too very can will just don should now then there here when where why
how all any both each few more most other some such only own same get got would could also one two again
still even really much many well back up down off dont didnt im ive cant wont isnt its
good great bad thanks thank please hi hello ok okay yes
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
# First names are never a theme's words; names that are also ordinary words ("bill", "rose") stay.
FIRST_NAMES = frozenset(n.casefold() for n in pii.FIRST_NAMES - pii.AMBIGUOUS_FIRST_NAMES)
_PLACEHOLDER = re.compile(r"\[[A-Z_]+\]")


@dataclass(frozen=True)
class ThemeDocument:
    id: object
    date: dt.date
    covered: bool = False  # did any topic match it?
    text: str = ""
    language: str = "other"
    words: Sequence[str] | None = None  # normalised words, if already tokenized


@dataclass
class Theme:
    label_words: list[str]
    size: int
    document_ids: list
    weekly_counts: list[tuple[str, int]]  # ("2025-W09", n), oldest first
    growth: float
    new: bool
    term: str = ""  # the defining term (a stem)
    recent: int = 0  # comments in the last two weeks
    extra: dict = field(default_factory=dict)
    before: int = 0  # comments in the weeks before
    recent_total: int = 0  # all comments (covered or not) in the last two weeks
    before_total: int = 0  # all comments in the weeks before
    p_growth: float = 1.0  # one-sided: is its share of the last two weeks' comments higher than before?

    def growing(self, p: float | None = None, alpha: float = ALPHA) -> bool:
        """Growth beyond chance: p (adjusted, if given) below alpha, on at least MIN_RECENT comments."""
        return self.recent >= MIN_RECENT and (self.p_growth if p is None else p) < alpha


def rank_key(theme: Theme, growing: bool) -> tuple:
    """Growing themes first, most growing first; the rest by size."""
    return (not growing, -theme.growth if growing else 0.0, -theme.size, theme.term)


def binomial_tail(k: int, n: int, p: float) -> float:
    """P(X ≥ k) for X ~ Binomial(n, p)."""
    return 1.0 if k <= 0 else float(special.bdtrc(k - 1, n, p))


def _week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _week_label(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _terms(doc: ThemeDocument, surface: dict[str, Counter]) -> set[str]:
    words = (doc.words if doc.words is not None
             else [t.norm for t in tokenize(_PLACEHOLDER.sub(" ", doc.text)) if t.kind == "word"])
    lang = doc.language if doc.language in ("sv", "en") else "sv"
    stems = []
    for w in words:
        if len(w) < 3 or w in STOPWORDS or w in FIRST_NAMES or not w.isalpha():
            stems.append(None)
            continue
        s = morphology.stem(w, lang)
        surface[s][w] += 1
        stems.append(s)
    return {s for s in stems if s}


def find_themes(documents: Sequence[ThemeDocument], today: dt.date | None = None, min_size: int = 5,
                max_share: float = 0.5, max_themes: int = 20, label_size: int = 4) -> list[Theme]:
    """Themes among the documents no topic covered: growing ones (beyond chance, unadjusted) first,
    most growing first, then the rest by size."""
    docs = [d for d in documents if not d.covered]
    if not docs:
        return []
    today = today or max(d.date for d in docs)
    this_week = _week_start(today)
    first_week = _week_start(min(d.date for d in documents))
    n_weeks = (this_week - first_week).days // 7 + 1
    recent_from = this_week - dt.timedelta(days=7)  # the last two weeks: this one and the one before
    recent_total = sum(1 for d in documents if recent_from <= d.date)
    totals = (recent_total, sum(1 for d in documents if first_week <= d.date < recent_from))

    surface: dict[str, Counter] = defaultdict(Counter)
    doc_terms = [_terms(d, surface) for d in docs]
    postings: dict[str, list[int]] = defaultdict(list)
    for i, terms in enumerate(doc_terms):
        for t in terms:
            postings[t].append(i)
    recent = [d.date >= recent_from for d in docs]
    recent_share = sum(recent) / len(docs)
    limit = max(min_size, int(max_share * len(docs)))

    def score(term: str) -> float:
        ids = postings[term]
        n_recent = sum(recent[i] for i in ids)
        burst = max(0.0, n_recent - len(ids) * recent_share)
        return len(ids) + 3.0 * burst

    candidates = [t for t, ids in postings.items() if min_size <= len(ids) <= limit]
    candidates.sort(key=lambda t: (-score(t), t))
    df_all = {t: len(ids) for t, ids in postings.items()}
    assigned = [False] * len(docs)
    themes = []
    for term in candidates:
        members = [i for i in postings[term] if not assigned[i]]
        if len(members) < min_size:
            continue
        for i in members:
            assigned[i] = True
        themes.append(_theme(term, members, docs, doc_terms, df_all, surface, first_week, n_weeks, recent_from,
                             label_size, totals))
        if len(themes) >= max_themes:
            break
    themes.sort(key=lambda t: rank_key(t, t.growing()))
    return themes


def _display(term: str, surface: dict[str, Counter]) -> str:
    return " ".join(surface[s].most_common(1)[0][0] if surface.get(s) else s for s in term.split(" "))


def _theme(term, members, docs, doc_terms, df_all, surface, first_week, n_weeks, recent_from, label_size,
           totals) -> Theme:
    inside = Counter(t for i in members for t in doc_terms[i] if " " not in t)
    n, total = len(members), len(docs)
    used = set(term.split(" "))
    scored = []
    for t, c in inside.items():
        if t in used or c < 2:
            continue
        lift = (c / n) / (df_all[t] / total)
        scored.append((-(c / n) * math.log(1 + lift), t))
    labels = [_display(term, surface)] + [_display(t, surface) for _, t in sorted(scored)[: label_size - 1]]
    weeks = [0] * n_weeks
    for i in members:
        w = (_week_start(docs[i].date) - first_week).days // 7
        if 0 <= w < n_weeks:
            weeks[w] += 1
    weekly = [(_week_label(first_week + dt.timedelta(weeks=k)), weeks[k]) for k in range(n_weeks)]
    recent_n = sum(1 for i in members if docs[i].date >= recent_from)
    before_n = n - recent_n
    recent_total, before_total = totals
    if recent_total and before_total:
        growth = (recent_n / recent_total) / (max(before_n, 1) / before_total) - 1.0
        p = binomial_tail(recent_n, n, recent_total / (recent_total + before_total))
    else:  # no weeks before the last two: nothing to compare with
        growth, p = 0.0, 1.0
    return Theme(labels, n, [docs[i].id for i in members], weekly, round(growth, 3),
                 new=before_n == 0 and bool(weeks[:-2]), term=term, recent=recent_n, before=before_n,
                 recent_total=recent_total, before_total=before_total, p_growth=p)
