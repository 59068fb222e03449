"""Built-in sentiment for Swedish and English comments, per clause and per comment, in [-1, 1].

Lexicon and rules were written from general knowledge of the languages and of customer feedback
(lexicons/*.tsv; no evaluation data was read to write them). How a comment is scored:

- Each word (or phrase: "aldrig mer", "waste of time", "on hold") gets a valence from -4 to +4.
  Inflected forms come from the lexicon's word classes; unknown words are resolved once and cached:
  English suffixes (-s, -ed, -ing, -ly, ...), Swedish suffixes, Swedish compounds with a valenced
  modifier ("jättebra", "skitdåligt": a multiplier; "toppenservice", "skitservice": the modifier's
  own valence), the negating prefix "o-" ("ohjälpsam") and compounds whose head is valenced
  ("leveransproblem", "livskvalitet"). A praise prefix on an offer or a definite noun names a
  thing and is no praise ("Superkampanjen", "Megapaket", "Toppenerbjudandet"), nor is a capitalised
  praise-prefix compound in mid-sentence ("köpte Toppenservice"); a free-standing "super",
  "toppen" still is.
- Intensifiers and diminishers ("mycket", "väldigt", "very", "lite", "ganska", "slightly") multiply
  the next valenced word within two tokens. Words that are both ("fruktansvärt", "terribly") are
  intensifiers before a valenced word and valenced on their own.
- Negation ("inte", "ej", "aldrig", "ingen", "not", "never", "no", "n't", "without") flips the first
  valenced word in the next three words, damped: "not good" is weaker than "bad", and "not bad" is
  mildly positive; under an intensifier it is damped more ("inte särskilt bra" is milder than "inte
  bra"). Swedish puts the negation after the verb ("rekommenderar inte", "fungerade inte"), so a
  negation with no valenced word after it flips the valenced word just before it. "Expectations"
  (work, answer, help, refund; fungera, svara, hjälp, återkomma) are neutral alone and clearly
  negative when negated ("fick inget svar", "doesn't work").
- ALL-CAPS valenced words count 1.3x; each "!" (up to three) adds 0.3 in the clause's direction.
- Emoji and emoticons have their own valences.
- Clauses come from `tokens.clause_token_ranges`. A clause opened by a contrast word ("men", "but",
  "however", "dock") weighs 1.5 and the clause before it 0.5; a conceded clause ("although",
  "fastän", "trots", "även om") weighs 0.5.
- Promises that were not kept (`_broken_promises`): a promise word ("lovade", "utlovat", "i
  annonsen", "advertised", "was told") after a negation ("inte som utlovat", "not what I was
  told") or a difference ("annorlunda än det som sades", "higher than advertised"), or followed by
  a clause that turns against it ("… men jag fick betala 299 kr", "but never did") or complains,
  makes the promise clause (its praise was the promise) and the turn complaints (-2 each). A
  promise reported with no outcome and no praise in the whole comment is a milder one (-1).
- Each clause also keeps its comma-separated parts when they disagree ("Snabb leverans, otrevlig
  personal"), so that a topic mention takes the tone of its own part (pipeline._clause_score).
- A clause's (and the comment's) valence sum s becomes a score s / sqrt(s^2 + 15), in (-1, 1).

Labels: positive if score >= NEUTRAL_BAND, negative if score <= -NEUTRAL_BAND, otherwise neutral.
For a positive/negative decision only (`binary_label`): positive if score >= POS_NEG_CUT. These two
thresholds are the only values chosen on data: each is the best of a coarse grid on a TRAIN split
(NEUTRAL_BAND on the English airline tweets, POS_NEG_CUT on the Swedish Trustpilot reviews; see
benchmarks/text_eval.py, which re-derives both and prints them beside the shipped values). No
test rows were used, and no word list was edited by reading rows. The promise patterns and the
complaint vocabulary of `sentiment-3` were written from general knowledge as well, none taken from
the demo's phrase banks (docs/benchmarks.md says how the demo share was measured).
"""

import math
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from glapp.textanalytics.analyzers import tokens as tokens_mod

VERSION = "sentiment-3"

LABELS = ("negative", "neutral", "positive")  # what `label_for` returns and an analyst may correct to

# Chosen on the English airline train split (see the module docstring and docs/benchmarks.md).
NEUTRAL_BAND = 0.15
# Where only positive vs negative is asked (a weak label, a binary report): positive at or above
# this score. Chosen on the TRAIN split of the Swedish Trustpilot reviews (benchmarks/text_eval.py).
POS_NEG_CUT = 0.2
ALPHA = 15.0

_DIR = Path(__file__).resolve().parent / "lexicons"

_NEG_DAMP_POS = 0.75  # "not good" → -0.75 × good
_NEG_DAMP_NEG = 0.4  # "not bad" → +0.4 × |bad|
_CAPS = 1.3
_EXCLAIM = 0.3
_BUT_AFTER, _BUT_BEFORE, _CONCEDED = 1.5, 0.5, 0.5
# Negativity bias: people use positive words more freely (politeness, "thanks", hedges), so negative
# expressions count 1.5x, as in SO-CAL (Taboada et al. 2011, "Lexicon-based methods for sentiment
# analysis"). A general rule from the literature, not fitted here.
NEG_WEIGHT = 1.5
# A question asks rather than asserts ("Is the lounge good?"): its clause counts half (SO-CAL's
# irrealis blocking, simplified to questions).
_QUESTION = 0.5

_SV_INFLECT = {
    "a": ("t", "a", "e", "are", "ast", "aste", "ste"),
    "v": ("r", "de", "t", "s", "ts", "des", "nde", "ndet"),
    "n": ("en", "n", "et", "er", "ar", "or", "erna", "arna", "orna", "na", "s", "ens", "ets", "ns"),
}
_SV_STRIP = ("arnas", "ernas", "ornas", "arna", "erna", "orna", "aste", "ande", "ende", "heten", "ade", "are", "ast",
             "het", "ens", "ets", "en", "et", "na", "er", "ar", "or", "de", "te", "ts", "a", "e", "t", "s", "n", "r")
_EN_STRIP = (("iness", "y"), ("ily", "y"), ("ied", "y"), ("ies", "y"), ("ier", "y"), ("iest", "y"), ("ness", ""),
             ("ful", ""), ("ingly", ""), ("edly", ""), ("ly", ""), ("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"),
             ("d", ""), ("es", ""), ("s", ""), ("er", ""), ("er", "e"), ("est", ""), ("'s", ""))
_CONCESSIVE = frozenset({"although", "though", "while", "whilst", "despite", "fastän", "trots", "även"})
# A promise that was not kept (valence before negativity weighting): as strong as "lurad", "misled".
_BROKEN = -2.0
_UNKEPT = -1.0  # a promise reported with no outcome and no praise anywhere in the comment
_WRITER_SUBJECT = frozenset({"jag", "vi", "i", "we"})
_WRITER_OBJECT = frozenset({"mig", "oss", "upp"})  # "enligt mig", "sa upp"
_CONFORM = frozenset({"som", "vad", "det", "den", "de", "as", "what", "like", "the"})  # "inte som", "not what"
_COMPARE = frozenset({"än", "från", "than", "from"})  # "annorlunda än", "different from"
_NORM = itemgetter(1)  # Token.norm
_SENTENCE_OPENERS = frozenset(".!?…:;\"'«»“”(-–—•*")
_ADVERSATIVE = frozenset({"men", "but", "however", "däremot", "dock", "ändå", "yet", "nevertheless", "though",
                          "annars", "otherwise", "except"})


class ClauseSentiment(NamedTuple):
    start: int
    end: int
    score: float
    label: str
    # Comma-separated parts that disagree, as (start, end, score); see `_parts`.
    parts: tuple = ()


class Sentiment(NamedTuple):
    score: float
    label: str
    clauses: list[ClauseSentiment]


class _Entry(NamedTuple):
    valence: float  # on its own
    negated: float  # under negation
    boost: float  # multiplier for the next valenced word (1.0: none)
    negator: bool
    # Capitalised in mid-sentence, the word may be (part of) a name, not the writer's praise: a praise
    # prefix on a neutral noun ("köpte Toppenservice") or a praise prefix alone ("Mega Paketet").
    name_risk: bool = False


_NONE = _Entry(0.0, 0.0, 1.0, False)
_NEGATOR = _Entry(0.0, 0.0, 1.0, True)


def _negated(valence: float) -> float:
    return -valence * _NEG_DAMP_POS if valence > 0 else -valence * _NEG_DAMP_NEG


class Lexicon:
    """One language's words, phrases, modifiers and compound prefixes, with a per-word cache."""

    def __init__(self, language: str, files: list[str]):
        self.language = language
        self.valence: dict[str, float] = {}
        self.expect: dict[str, float] = {}
        self.boost: dict[str, float] = {}
        self.negators: set[str] = set()
        self.zero: set[str] = set()
        self.prefixes: list[tuple[str, float, float]] = []
        self.offers: tuple[str, ...] = ()
        self.phrases: dict[str, list[tuple[tuple[str, ...], _Entry]]] = {}
        # Promise words ("lovade", "advertised", "fick höra") by first word, and difference words.
        self.promises: dict[str, list[tuple[str, ...]]] = {}
        self.say: set[str] = set()  # reported speech: a promise unless the writer is the speaker
        self.differ: set[str] = set()
        self.cache: dict[str, _Entry] = {}
        raw_phrases: list[tuple[str, str, float]] = []
        for name in files:
            for line in (_DIR / name).read_text(encoding="utf-8").splitlines():
                if not line.strip() or line.startswith("#"):
                    continue
                value, cls, words = line.split("\t", 2)
                if cls in ("promise", "say", "differ", "offer"):
                    self._add_grammar(cls, words.split())
                    continue
                for word in words.split():
                    if "_" in word:
                        raw_phrases.append((word, cls, float(value) if cls != "prefix" else 0.0))
                    else:
                        self._add(word, cls, value)
        for word, cls, value in raw_phrases:
            parts = tuple(tokens_mod.normalize(p) for p in word.split("_"))
            entry = self._phrase_entry(cls, value)
            self.phrases.setdefault(parts[0], []).append((parts, entry))
        for options in self.phrases.values():
            options.sort(key=lambda item: -len(item[0]))
        for options in self.promises.values():
            options.sort(key=lambda parts: -len(parts))
        self.prefixes.sort(key=lambda p: -len(p[0]))
        self.praise_prefixes = frozenset(p for p, _mult, val in self.prefixes if val > 0)
        self.promise_words = frozenset(self.promises) | frozenset(self.say)

    def _add_grammar(self, cls: str, words: list[str]) -> None:
        for word in words:
            parts = tuple(tokens_mod.normalize(p) for p in word.split("_"))
            if cls == "promise":
                self.promises.setdefault(parts[0], []).append(parts)
            elif cls == "say":
                self.say.add(parts[0])
            elif cls == "differ":
                self.differ.add(parts[0])
            else:
                self.offers += (parts[0],)

    def _add(self, word: str, cls: str, value: str) -> None:
        word = tokens_mod.normalize(word) if word[0].isalpha() else word
        if cls == "neg":
            self.negators.add(word)
        elif cls == "boost":
            self.boost[word] = float(value)
        elif cls == "expect":
            self.expect[word] = float(value)
        elif cls == "zero":
            self.zero.add(word)
        elif cls == "prefix":
            mult, val = value.split("/")
            self.prefixes.append((word, float(mult), float(val)))
        else:
            v = float(value)
            self.valence[word] = v
            for suffix in _SV_INFLECT.get(cls, ()):
                self.valence.setdefault(word + suffix, v)

    def _phrase_entry(self, cls: str, value: float) -> _Entry:
        if cls == "neg":
            return _NEGATOR
        if cls == "negw":  # a negation that is itself a complaint: "fortfarande inte", "ännu inte"
            return _Entry(value, value, 1.0, True)
        if cls == "boost":
            return _Entry(0.0, 0.0, value, False)
        if cls == "expect":
            return _Entry(0.0, value, 1.0, False)
        if cls == "zero":
            return _NONE
        return _Entry(value, _negated(value), 1.0, False)

    def _exact(self, word: str) -> _Entry | None:
        if word in self.zero:
            return _NONE
        if word in self.negators:
            return _NEGATOR
        v = self.valence.get(word)
        e = self.expect.get(word)
        b = self.boost.get(word)
        if v is None and e is None and b is None:
            return None
        val = v or 0.0
        return _Entry(val, e if e is not None else _negated(val), b or 1.0, False)

    def lookup(self, word: str) -> _Entry:
        entry = self.cache.get(word)
        if entry is None:
            entry = self._resolve(word) or _NONE
            if word in self.praise_prefixes:
                entry = entry._replace(name_risk=True)
            if len(self.cache) < 500_000:
                self.cache[word] = entry
        return entry

    def _resolve(self, word: str) -> _Entry | None:
        entry = self._exact(word)
        if entry is not None:
            return entry
        if word.endswith("n't") or (word.endswith("nt") and word[:-2] in ("don", "doesn", "didn", "isn", "wasn")):
            return _NEGATOR
        if "-" in word:
            # "super-friendly", "jätte-bra": the hyphenated parts as one compound.
            entry = self._resolve(word.replace("-", ""))
            if entry is not None:
                return entry
        if self.language in ("en", "other"):
            entry = self._strip_en(word)
            if entry is not None:
                return entry
        if self.language in ("sv", "other"):
            return self._swedish(word)
        return None

    def _strip_en(self, word: str) -> _Entry | None:
        for suffix, repl in _EN_STRIP:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                stem = word[: len(word) - len(suffix)] + repl
                entry = self._exact(stem)
                if entry is None and len(stem) > 3 and stem[-1] == stem[-2]:  # stopped → stop
                    entry = self._exact(stem[:-1])
                if entry is not None:
                    return entry
        return None

    def _strip_sv(self, word: str) -> _Entry | None:
        entry = self._exact(word)
        if entry is not None:
            return entry
        for suffix in _SV_STRIP:
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                entry = self._exact(word[: len(word) - len(suffix)])
                if entry is not None:
                    return entry
        return None

    def _swedish(self, word: str) -> _Entry | None:
        entry = self._strip_sv(word)
        if entry is not None:
            return entry
        for prefix, mult, val in self.prefixes:
            if word.startswith(prefix) and len(word) - len(prefix) >= 3:
                rest = word[len(prefix):]
                inner = self._exact(rest) or self._strip_sv(rest) or self._head(rest)
                if inner is not None and (inner.valence or inner.negated):
                    return _Entry(inner.valence * mult, inner.negated * mult, 1.0, False)
                if val > 0 and self._names_a_thing(rest):
                    break
                if val:
                    return _Entry(val, _negated(val), 1.0, False, name_risk=val > 0)
        if word.startswith("o") and len(word) >= 6:
            # Negating prefix: ohjälpsam, otydlig, oseriös.
            inner = self._strip_sv(word[1:])
            if inner is not None and inner.valence > 0:
                v = -0.8 * inner.valence
                return _Entry(v, _negated(v), 1.0, False)
        return self._head(word)

    def _names_a_thing(self, rest: str) -> bool:
        """After a praise prefix, is the neutral rest a particular thing's name rather than the writer's
        praise? An offer ("Superkampanj", "Megapaket": the seller's word for it) or a definite noun
        ("Toppenerbjudandet", "Superrean": *the* one on sale). Praise compounds are indefinite:
        "toppenservice", "kanonbemötande"."""
        for offer in self.offers:
            if rest.startswith(offer) and len(rest) - len(offer) <= 4:
                return True
        if rest.endswith(("het", "itet")):  # indefinite nouns that end like a definite one
            return False
        for ending in ("erna", "arna", "orna", "ena", "en", "et"):
            if rest.endswith(ending) and len(rest) - len(ending) >= 3:
                return True
        return len(rest) >= 4 and rest[-1] == "n" and rest[-2] in "aeiouyåäö"

    def promise_at(self, toks, i: int, end: int) -> int:
        """The length of a promise word or phrase ("lovade", "fick höra", "supposed to") at token i, or 0.
        Reported speech ("sa", "said", "enligt") counts unless the writer is the speaker ("jag sa",
        "I said", "enligt mig")."""
        norm = toks[i].norm
        if norm in self.say:
            if i > 0 and toks[i - 1].norm in _WRITER_SUBJECT:
                return 0
            return 0 if i + 1 < end and toks[i + 1].norm in _WRITER_OBJECT else 1
        options = self.promises.get(norm)
        if options:
            for parts in options:
                n = len(parts)
                if i + n <= end and all(toks[i + k].norm == parts[k] for k in range(1, n)):
                    return n
        return 0

    def _head(self, word: str) -> _Entry | None:
        """A compound whose last part is a valenced word: leveransproblem, kundtjänstkaos."""
        for i in range(3, len(word) - 3):
            head = word[i:]
            entry = self._exact(head)
            if entry is None and len(head) >= 6:
                entry = self._strip_sv(head)
            if entry is not None and not entry.negator and entry.boost == 1.0:
                return entry
        return None

    def phrase_at(self, toks, i: int, end: int):
        """The longest phrase starting at token i (within the clause) as (length, entry), or None."""
        options = self.phrases.get(toks[i].norm)
        if not options:
            return None
        if i + 1 >= end:
            return None
        second = toks[i + 1].norm
        for parts, entry in options:
            n = len(parts)
            # Every phrase has two words or more; most candidates fail on the second one.
            if parts[1] == second and i + n <= end and (n == 2 or all(toks[i + k].norm == parts[k]
                                                                     for k in range(2, n))):
                return n, entry
        return None


def _load_emoji() -> dict[str, float]:
    out = {}
    for line in (_DIR / "emoji.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            value, _cls, words = line.split("\t", 2)
            for w in words.split():
                out[w] = float(value)
    return out


_EMOJI = _load_emoji()
_EMOJI_STRIP = str.maketrans("", "", "\ufe0f\ufe0e\u20e3\U0001F3FB\U0001F3FC\U0001F3FD\U0001F3FE\U0001F3FF")
_LEXICONS: dict[str, Lexicon] = {}


def lexicon(language: str) -> Lexicon:
    lang = language if language in ("sv", "en") else "other"
    lex = _LEXICONS.get(lang)
    if lex is None:
        files = {"sv": ["sv.tsv", "sv_prefixes.tsv"], "en": ["en.tsv"]}.get(lang, ["en.tsv", "sv.tsv",
                                                                                    "sv_prefixes.tsv"])
        lex = _LEXICONS[lang] = Lexicon(lang, files)
    return lex


def _emoji_valence(tok: str) -> float:
    v = _EMOJI.get(tok)
    if v is None:
        v = _EMOJI.get(tok.translate(_EMOJI_STRIP), 0.0)
        if v == 0.0 and len(tok) > 1:  # ZWJ sequences: the first pictograph decides
            v = _EMOJI.get(tok[0], 0.0)
    return v


def _normalize(s: float) -> float:
    return s / math.sqrt(s * s + ALPHA)


def label_for(score: float, band: float | None = None) -> str:
    band = NEUTRAL_BAND if band is None else band
    if score >= band:
        return "positive"
    if score <= -band:
        return "negative"
    return "neutral"


def binary_label(score: float) -> str:
    """Positive or negative only (for pos/neg reports and comparisons with weak labels)."""
    return "positive" if score >= POS_NEG_CUT else "negative"


class _Units(NamedTuple):
    """A clause's valenced units, kept beside their sum so that parts of it can be summed alone."""

    contrib: list[float]  # per valenced unit
    pos: list[int]  # its token index
    exclaim: int
    question: bool
    total: float  # _total(self)


def _total(units: _Units, positives: bool = True, begin: int = 0, end: int | None = None) -> float:
    """The valence sum of the units (those at tokens [begin, end) only, when given), with negativity
    weighting, questions and exclamation; `positives=False` leaves out what was praised."""
    total = 0.0
    for v, i in zip(units.contrib, units.pos, strict=True):
        if i < begin or (end is not None and i >= end):
            continue
        if v < 0:
            total += v * NEG_WEIGHT
        elif positives:
            total += v
    if units.question:
        total *= _QUESTION
    if units.exclaim and total:
        total += math.copysign(_EXCLAIM * min(units.exclaim, 3), total)
    return total


def _clause_sum(lex: Lexicon, toks, begin: int, end: int, text: str = "") -> float:
    """The valence sum of tokens[begin:end] with negation, intensifiers, caps and exclamation."""
    return _clause_units(lex, toks, begin, end, text).total


def _is_name(text: str, toks, i: int) -> bool:
    """Is the capitalised word at i a name: capitalised (not all caps) and not at a sentence start?"""
    t = toks[i].text
    if i == 0 or not t[0].isupper() or t.isupper():
        return False
    prev = toks[i - 1]
    if prev.kind in ("emoji", "url", "mention", "hashtag"):
        return False
    if prev.kind == "punct" and prev.text[0] in _SENTENCE_OPENERS:
        return False
    return "\n" not in text[prev.end:toks[i].start]


def _clause_units(lex: Lexicon, toks, begin: int, end: int, text: str = "") -> _Units:
    contrib: list[float] = []  # per valenced unit
    pos: list[int] = []  # its token index
    negated: list[bool] = []
    praise_prefixes = lex.praise_prefixes
    boost = 1.0
    boost_left = 0
    neg_at = -1  # token index of a pending negator
    neg_left = 0
    exclaim = 0
    question = False
    i = begin
    while i < end:
        tok = toks[i]
        kind = tok.kind
        if kind == "word" or kind == "hashtag" or kind == "number":
            n = 1
            hit = lex.phrase_at(toks, i, end) if kind != "hashtag" else None
            if hit is not None:
                n, entry = hit
            else:
                entry = lex.lookup(tok.norm if kind == "word" else tok.norm[1:])
                if entry.name_risk and _is_name(text, toks, i) and (
                        tok.norm not in praise_prefixes or (i + 1 < end and _is_name(text, toks, i + 1))):
                    # "köpte Toppenservice", "valde Mega Paketet": a product's name, not praise.
                    entry = _NONE
            if entry.negator:
                neg_at, neg_left = i, 3
                if entry.valence:  # "fortfarande inte (löst)": negates what follows, and complains itself
                    contrib.append(entry.valence)
                    pos.append(i)
                    negated.append(False)
            elif entry.boost != 1.0 and (i + n < end and _valenced_next(lex, toks, i + n, end)):
                boost *= entry.boost
                boost_left = 2
            elif entry.valence or (entry.negated and neg_left > 0):
                if neg_left > 0:
                    v = entry.negated / boost if boost > 1.0 else entry.negated * boost
                    neg_at, neg_left = -1, 0
                    negated.append(True)
                else:
                    v = entry.valence * boost
                    negated.append(False)
                if n == 1 and len(tok.text) >= 3 and tok.text.isupper():
                    v *= _CAPS
                contrib.append(v)
                pos.append(i)
                boost, boost_left = 1.0, 0
            else:
                if boost_left:
                    boost_left -= 1
                    if not boost_left:
                        boost = 1.0
                if neg_left:
                    neg_left -= 1
                    if not neg_left:
                        _negate_back(lex, toks, begin, neg_at, contrib, pos, negated)
                        neg_at = -1
            i += n
            continue
        if kind == "emoji":
            v = _emoji_valence(tok.text)
            if v:
                contrib.append(v)
                pos.append(i)
                negated.append(False)
        elif kind == "punct":
            first = tok.text[0]
            if first == "!":
                exclaim += len(tok.text)
            elif first == "?":
                question = True
            if neg_at >= 0:
                _negate_back(lex, toks, begin, neg_at, contrib, pos, negated)
            neg_at, neg_left, boost, boost_left = -1, 0, 1.0, 0
        i += 1
    if neg_at >= 0:
        _negate_back(lex, toks, begin, neg_at, contrib, pos, negated)
    total = 0.0
    for v in contrib:
        total += v * NEG_WEIGHT if v < 0 else v
    if question:
        total *= _QUESTION
    if exclaim and total:
        total += math.copysign(_EXCLAIM * min(exclaim, 3), total)
    return _Units(contrib, pos, exclaim, question, total)


def _valenced_next(lex: Lexicon, toks, j: int, end: int) -> bool:
    """Is one of the next two tokens valenced (so that the current word is an intensifier)?"""
    for k in range(j, min(j + 2, end)):
        tok = toks[k]
        if tok.kind != "word":
            return False
        e = lex.lookup(tok.norm)
        if e.valence or e.negated or e.boost != 1.0:
            return True
    return False


def _negate_back(lex: Lexicon, toks, begin: int, neg_at: int, contrib, pos, negated) -> None:
    """A negation with nothing valenced after it flips the valenced word (or expectation) at most three
    words before it: "rekommenderar inte", "fungerade det inte", "svarar aldrig"."""
    for k in range(neg_at - 1, max(begin, neg_at - 3) - 1, -1):
        tok = toks[k]
        if tok.kind != "word":
            return
        e = lex.lookup(tok.norm)
        if e.negator:
            return
        if e.valence or e.negated:
            if pos and pos[-1] == k:
                if not negated[-1]:
                    contrib[-1] = e.negated
                    negated[-1] = True
            else:
                contrib.append(e.negated)
                pos.append(k)
                negated.append(True)
            return


def _negator(lex: Lexicon, norm: str) -> bool:
    return lex.lookup(norm).negator


def _broken_at(lex: Lexicon, toks, begin: int, i: int) -> bool:
    """Do the words just before the promise at token i say it was not kept? A negation and then
    "som"/"as"/"what" ("inte som utlovat", "not what I was told"), or a difference and then
    "än"/"than"/"from" ("annorlunda än det som sades", "higher than advertised"; not "inget annat än")."""
    conform = False
    for j in range(i - 1, max(begin, i - 6) - 1, -1):
        tok = toks[j]
        if tok.kind != "word":
            if tok.kind == "punct":
                return False
            continue
        norm = tok.norm
        if norm in _CONFORM:
            conform = True
        elif conform and _negator(lex, norm):
            return True
        elif norm in _COMPARE:
            for k in (j - 1, j - 2):
                if k >= begin and toks[k].norm in lex.differ:
                    return not (k > begin and _negator(lex, toks[k - 1].norm))
    return False


def _promises(lex: Lexicon, toks, ranges) -> list[int]:
    """Per clause: 0 no promise, 1 a promise is reported ("ni lovade 199 kr"), 2 the clause itself
    says a promise was broken ("inte som utlovat")."""
    out = []
    words = lex.promise_words
    for a, b in ranges:
        kind = 0
        for i in range(a, b):
            if toks[i].norm in words and lex.promise_at(toks, i, b):
                kind = 1
                if _broken_at(lex, toks, a, i):
                    kind = 2
                    break
        out.append(kind)
    return out


def _broken_promises(lex: Lexicon, toks, ranges, units: list[_Units], sums: list[float]) -> list[float]:
    """Per clause: the complaint a promise that was not kept adds (0.0: none). A clause may say so
    itself ("dyrare än utlovat"); a promise ("lovade 199 kr", "they promised a refund") is broken
    when the next clause turns against it ("men ...", "but ...") without good news, or simply
    complains ("… rena bluffen"). Then both the promise and the turn are complaints: a topic in the
    promise clause ("pris", "kampanj") is what the complaint is about. A promise the comment reports
    with no outcome and nothing good to say anywhere ("Det stod 199 kr i annonsen.") is a milder
    complaint: feedback names what was promised when it was not what happened."""
    kinds = _promises(lex, toks, ranges)
    out = [_BROKEN if k == 2 else 0.0 for k in kinds]
    praise = any(v > 0 for u in units for v in u.contrib)
    for k, kind in enumerate(kinds):
        if kind != 1:
            continue
        after = sums[k + 1] if k + 1 < len(ranges) else 0.0
        if k + 1 < len(ranges) and toks[ranges[k + 1][0]].norm in _ADVERSATIVE and after <= 0:
            out[k] = out[k + 1] = _BROKEN
        elif after < 0:
            out[k] = _BROKEN
        elif not praise and not units[k].question and not out[k]:
            out[k] = _UNKEPT
    return out


def _parts(toks, a: int, b: int, units: _Units) -> tuple:
    """Comma-separated parts of a clause that disagree ("Snabb leverans, otrevlig personal"): each part
    with evidence of its own as (start, end, score), so a topic takes the part it is in. Empty when the
    clause has no comma or its words all point one way."""
    if min(units.contrib) >= 0 or max(units.contrib) <= 0:
        return ()
    cuts = [i + 1 for i in range(a, b - 1) if toks[i].kind == "punct" and toks[i].text == ","]
    if not cuts:
        return ()
    out = []
    for lo, hi in zip([a, *cuts], [*cuts, b], strict=True):
        s = _total(units, begin=lo, end=hi)
        if s and hi > lo:
            out.append((toks[lo].start, toks[hi - 1].end, _normalize(s)))
    return tuple(out) if len(out) > 1 else ()


def analyze(text: str, language: str = "other", tokens: list | None = None) -> Sentiment:
    """Sentiment of one comment. `tokens` may be passed in when the caller already has them."""
    toks = tokens if tokens is not None else tokens_mod.tokenize(text)
    lex = lexicon(language)
    ranges = tokens_mod.clause_token_ranges(text, toks, language)
    units = [_clause_units(lex, toks, a, b, text) for a, b in ranges]
    sums = [u.total for u in units]
    broken = None
    if not lex.promise_words.isdisjoint(map(_NORM, toks)):
        broken = _broken_promises(lex, toks, ranges, units, sums)
        for k, complaint in enumerate(broken):
            if complaint:
                # What was promised is not what the customer got: the clause's praise (if any) was
                # the promise, and the broken promise is a complaint.
                sums[k] = _total(units[k], positives=False) + complaint * NEG_WEIGHT
    weights = []
    for a, _b in ranges:
        first = toks[a].norm
        if first in _ADVERSATIVE and weights:
            weights[-1] *= _BUT_BEFORE
            weights.append(_BUT_AFTER)
        elif first in _CONCESSIVE:
            weights.append(_CONCEDED)
        else:
            weights.append(1.0)
    clauses = []
    total = 0.0
    for k, ((a, b), s, w) in enumerate(zip(ranges, sums, weights, strict=True)):
        score = _normalize(s)
        parts = _parts(toks, a, b, units[k]) if len(units[k].contrib) > 1 and (broken is None or not broken[k]) \
            else ()
        clauses.append(ClauseSentiment(toks[a].start, toks[b - 1].end, score, label_for(score), parts))
        total += s * w
    score = _normalize(total)
    return Sentiment(score, label_for(score), clauses)
