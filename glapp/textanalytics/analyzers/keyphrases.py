"""Key phrases per comment and per group of comments (Swedish and English).

A phrase is a run of content words bounded by stopwords, punctuation, numbers and emoji
("lång väntetid", "late flight", "trasig förpackning"), or a short copular statement that says what
was wrong or right with something: subject + "var/är/blev/was/is/were" + optional degree words +
one word ("fakturan var fel", "väntetiden var alldeles för lång", "staff were rude").
Generic evaluative words ("bra", "great", "tack") may be part of a phrase but never a phrase alone.
A phrase right after a negator keeps it ("inget säljtryck", "not very helpful staff", "didn't
work"): without it the phrase would say the opposite of the comment.

`group_phrases` counts phrases over many comments, once per comment, under a normalised key
(casefolded and stemmed, so "lång väntetid" and "långa väntetider" are one phrase) and shows each
key by its most frequent spelling.
"""

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from glapp.textanalytics.analyzers import sentiment

try:  # the shared stemmer (snowball); phrases still group by lower-case form without it
    from glapp.textanalytics.analyzers.morphology import stem as _stem
except ImportError:  # pragma: no cover

    def _stem(word: str, language: str) -> str:
        return word


VERSION = "keyphrases-2"


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS = {
    "sv": _wordset("""
        och att det som en ett är var inte jag du han hon vi ni de dem den detta denna dessa där här
        med för på till från av om men eller så när då nu hur vad vem varför vilken vilket vilka
        har hade ha haft fått få fick kan kunde ska skulle vill ville måste blir blev bli varit vara
        mycket mer mest lite inget ingen inga något någon några alla allt bara också även redan
        sedan efter innan utan mellan under över genom mot vid hos igen aldrig alltid ofta aldrig
        mig dig sig oss er min mitt mina din ditt dina sin sitt sina vår vårt våra deras hans hennes
        jo ja nej okej ok absolut verkligen helt ganska väldigt riktigt jätte alldeles extremt
        än eftersom därför dock fast samt hela alltså typ just bland enligt ut upp in ner fram bort
        gick går kommer kom gör gjorde göra sa säger tycker tyckte tror vet finns fanns fått får
        hej tack mvh hälsningar först sist andra annan annat varje vissa sådan sådant sådana man
        inte ej icke någonsin kanske nog väl ju re också tyvärr tydligen bl.a t.ex osv etc
        två tre fyra fem sex sju åtta nio tio tjugo hundra tusen första andra tredje gång gånger
        alls heller
        """),
    "en": _wordset("""
        the a an and or but of to in on at for with from by about as into than then so if
        is are was were be been being am do does did done have has had having will would
        can could should shall may might must not no yes it its it's this that these those
        i me my mine you your yours he him his she her hers we us our they them their
        what which who whom why how when where there here very really just also too only
        again never always still even any some all every much many more most less get got
        make made go went going come came take took said say know think thought
        would've don't didn't can't won't isn't wasn't weren't couldn't i'm i've you're it's that's
        please well ok okay nothing something everything anything because while after before
        hi hello thanks thank regards dear via out up down off over under one two ever
        lol omg pls plz u ur im ive dont didnt cant wont isnt wasnt nobody someone anyone everyone
        three four five six seven eight nine ten twenty hundred first second third time times
        now today yesterday tomorrow try trying tried need needs want wants see let keep back yet like
        already since though although another other way guys thing things amp quot gt lt
        """),
}
# Copulas and degree words allowed inside a statement phrase ("fakturan var fel").
_COPULAS = _wordset("var är blev blir verkar kändes känns was is were are became seemed felt")
_DEGREE = _wordset(
    "för alldeles inte väldigt mycket jätte extremt otroligt helt ganska lite riktigt så too very so not "
    "really extremely quite incredibly totally completely pretty"
)
# Negators, the sentiment lexicons' own (Swedish and English): a phrase right after one (at
# most two degree words between) starts with it.
NEGATORS = sentiment.lexicon("other").negators
_NEGATION_REACH = 2  # degree words allowed between the negator and the phrase ("not very …")

# Evaluative or filler words that are not a key phrase on their own.
_WEAK = _wordset("""
    bra dålig dåligt dåliga bäst sämst bättre sämre toppen super kanon perfekt grym grymt fantastisk
    fantastiskt underbar trevlig trevligt nöjd nöjda missnöjd besviken glad arg allt gott fint fin
    good great bad nice fine best worst better worse awesome amazing excellent terrible awful horrible
    lovely happy unhappy disappointed thanks thank love hate like want need
    """)

# URLs, @mentions and #hashtags first: they break phrases and are never part of one.
_WORD_RE = re.compile(r"(?:https?://|www\.)\S+|[@#]\w+|[^\W\d_]+(?:['’\-][^\W\d_]+)*|[^\w\s]|\d[\d.,:/-]*")
_MAX_WORDS = 4


def _words(text: str, tokens) -> list[str | None]:
    """Casefolded words, with None where a phrase must break (punctuation, numbers, emoji, urls)."""
    if tokens is not None:
        return [t.norm if t.kind == "word" else None for t in tokens]
    out: list[str | None] = []
    for w in _WORD_RE.findall(text.casefold().replace("’", "'")):
        out.append(w if w[0].isalpha() and not w.startswith(("http", "www.")) else None)
    return out


def _language(text: str, language: str) -> str:
    if language in STOPWORDS:
        return language
    from glapp.textanalytics.analyzers.language import detect

    code = detect(text).code
    return code if code in STOPWORDS else "en"


def _negation(words: list[str | None], i: int) -> str:
    """The negator (and degree words) right before position i, with a trailing space, or ""."""
    k, degree = i - 1, 0
    while k >= 0 and words[k] is not None:
        if words[k] in NEGATORS:
            return " ".join(words[k:i]) + " "  # type: ignore[arg-type]
        if words[k] not in _DEGREE or degree >= _NEGATION_REACH:
            break
        k -= 1
        degree += 1
    return ""


def _candidates(words: list[str | None], stop: frozenset) -> list[tuple[float, int, str]]:
    """(score, position, phrase) for every candidate in the comment."""
    out: list[tuple[float, int, str]] = []
    n = len(words)
    i = 0
    while i < n:
        w = words[i]
        if w is None or w in stop or len(w) < 2:
            i += 1
            continue
        j = i
        while j < n and j - i < _MAX_WORDS:
            wj = words[j]
            if wj is None or wj in stop or len(wj) < 2:
                break
            j += 1
        run = words[i:j]
        neg = _negation(words, i)
        # A statement: run + copula + up to two degree words + one content word.
        k = j
        if k < n and words[k] in _COPULAS and len(run) <= 2:
            k += 1
            degree = 0
            while k < n and words[k] in _DEGREE and degree < 2:
                k += 1
                degree += 1
            wk = words[k] if k < n else None
            if wk is not None and wk not in stop and wk not in _COPULAS and len(wk) > 1:
                out.append((len(run) + 1.5, i, neg + " ".join(words[i : k + 1])))  # type: ignore[arg-type]
        if len(run) > 1 or run[0] not in _WEAK:
            content = sum(1 for w in run if w not in _WEAK)
            out.append((content + 0.25 * (len(run) - content) + (0.1 if max(map(len, run)) > 6 else 0), i,
                        neg + " ".join(run)))  # type: ignore[arg-type]  # fmt: skip
        i = j if j > i else i + 1
    return out


def extract(text: str, language: str = "auto", tokens=None, limit: int = 5) -> list[str]:
    """Up to `limit` key phrases of one comment, most informative first (ties: order of appearance)."""
    lang = _language(text, language)
    cands = _candidates(_words(text, tokens), STOPWORDS[lang])
    cands.sort(key=lambda c: (-c[0], c[1]))
    chosen: list[str] = []
    for _, _, phrase in cands:
        if any(phrase in c for c in chosen):
            continue  # "väntetiden" when "väntetiden var för lång" is already in
        chosen.append(phrase)
        if len(chosen) >= limit:
            break
    return chosen


def _key(phrase: str, language: str) -> tuple[str, ...]:
    # Degree words do not change what a phrase is about; negators do ("inte dyrt" is not "dyrt").
    return tuple(_stem(w, language) for w in phrase.split() if w not in _DEGREE or w in NEGATORS)


def group_phrases(items: Iterable, limit: int = 20, per_comment: int = 8) -> list[tuple[str, int]]:
    """Most frequent key phrases over many comments: [(phrase, number of comments)].

    `items` are texts or (text, language) pairs; a phrase counts once per comment. Phrases that
    differ only by inflection (or degree words) are counted together and shown by their most
    frequent spelling. Ranked by count weighted towards longer phrases; the count returned is the
    plain number of comments.
    """
    counts: Counter = Counter()
    spellings: dict[tuple, Counter] = defaultdict(Counter)
    for item in items:
        text, language = (item, "auto") if isinstance(item, str) else (item[0], item[1])
        lang = _language(text, language)
        seen = set()
        for phrase in extract(text, lang, limit=per_comment):
            key = _key(phrase, lang)
            if not key or key in seen:
                continue
            seen.add(key)
            counts[key] += 1
            spellings[key][phrase] += 1
    # Longer phrases say more than one frequent word ("flight"): rank by count x (1 + 0.5 per extra word).
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1] * (1 + 0.5 * (len(kv[0]) - 1)), kv[0]))
    return [(spellings[key].most_common(1)[0][0], n) for key, n in ranked[:limit]]
