"""Emotions in a comment (for NES): a small Swedish/English lexicon with negation and intensity.

Codes are those of glapp/surveys/question_types.py EMOTIONS: joy, trust, relief,
surprise_positive, disappointment, frustration, anger, worry ("neutral" is the absence of all:
`detect` then returns []). Entries are exact words, word stems written with a trailing "*"
(matching any word that starts with them: "besvik*" → "besviken", "besvikna"), multi-word phrases,
and emoji. A negator ("inte", "not", "never", ...) up to three words before a word, within its
clause, cancels a negative emotion ("inte arg") and turns a positive one into mild
disappointment ("not happy", "inte nöjd"). Intensifiers ("very", "jätte-", "!!") raise strength.
Strength per emotion is 1 − exp(−sum of weights), so it stays in (0, 1).
"""

import math
from typing import NamedTuple

from glapp.surveys.question_types import POSITIVE_EMOTIONS
from glapp.textanalytics.analyzers.tokens import tokenize

VERSION = "emotions-1"


def _words(text: str) -> list[str]:
    return text.split()


class Emotion(NamedTuple):
    code: str
    strength: float


_LEXICON_TEXT = {
    "joy": """
        glad glada gladare gladaste lycklig lyckliga nöjd nöjda nöjt jättenöjd supernöjd älskar älskade älska
        underbar underbart underbara fantastisk fantastiskt fantastiska toppen kanon suverän suveränt härlig härligt
        härliga grym grymt perfekt perfekta strålande fenomenal glädje roligt rolig trevligt tack tacksam tacksamma
        happy happier happiest glad delighted delight love loved loving loves lovely wonderful fantastic amazing
        awesome great excellent perfect brilliant superb enjoy* pleased thrilled excited thanks thank grateful
        gratitude yay woohoo :) :-) :D 😀 😃 😄 😁 😊 ☺ 🙂 😍 🥰 ❤ ❤️ 💕 👍 🎉 😂
        """,
    "trust": """
        pålitlig pålitliga pålitligt förtroende trygg tryggt trygga tryggheten seriös seriöst seriösa ärlig ärligt
        ärliga rekommenderar rekommendera rekommenderas lita litar säker* professionell* alltid
        trust trusted trustworthy reliable reliability dependable honest honesty recommend* professional* safe
        secure confident consistent consistently always 🙏 🤝
        """,
    "relief": """
        äntligen lättad lättade lättnad skönt löste löst ordnade ordnat fixade fixat räddade räddning
        relieved relief finally phew resolved solved sorted fixed rescued saved 😌 😅
        """,
    "surprise_positive": """
        överraskad överraskade överraskning överträffade överträffar oväntat imponerad imponerade imponerande
        wow surprised surprising surprisingly impressed impressive exceeded unexpected unexpectedly 😮 🤩 😲
        """,
    "disappointment": """
        besvik* tyvärr synd ledsen ledsna sorgligt beklagligt missnöjd missnöjda missnöjt förväntat trist
        disappoint* unfortunately sadly sad shame pity unhappy dissatisfied letdown underwhelm* mediocre
        expected regret 😞 😔 😢 😭 ☹ 🙁 😕 👎
        """,
    "frustration": """
        frustrer* irriter* krångl* omständlig* jobbig* jobbigt struligt strul strular tjat tjata hopplös* löjlig*
        löjligt meningslöst slöseri igen fortfarande evighet evigheter orimligt orimlig tröttsamt trött
        frustrat* annoy* irritat* hassle* tedious ridiculous hopeless pointless useless waste again still forever
        endless nightmare tired fed seriously ugh argh 🙄 😤 😩 😫
        """,
    "anger": """
        arg arga argt förbann* rasande ilsk* skandal* skandalös oförskämd* fräck* vidrig* bedrövlig* uselt usel
        oacceptabelt oacceptabel hatar avsky* sämsta värsta bedrägeri bedragare lurad lurade blåst
        angry anger furious outrage* livid mad rude disgust* unacceptable appalling pathetic disgrace* shameful
        worst hate hated scam* fraud cheated liars lying horrible terrible awful 😡 🤬 😠 💩
        """,
    "worry": """
        orolig oroliga oroligt oro oroar oroad rädd rädda osäker osäkert nervös ängslig stressad stressande
        hoppas undrar
        worried worry worrying worries concerned concern concerning anxious anxiety nervous scared afraid fear
        unsure uncertain stressed stressful hope hoping wondering 😟 😰 😨 😬
        """,
}
_WEIGHTS = {"joy": 1.0, "trust": 0.8, "relief": 0.9, "surprise_positive": 0.9, "disappointment": 1.0,
            "frustration": 0.9, "anger": 1.1, "worry": 0.9}
# Weak cues: common words that hint at an emotion without carrying it alone.
_WEAK = {"alltid", "always", "säker", "safe", "secure", "again", "igen", "still", "fortfarande", "expected",
         "förväntat", "hope", "hoppas", "hoping", "undrar", "wondering", "thanks", "thank", "tack", "great",
         "trött", "tired", "fed", "concern", "fixed", "saved", "sorted", "löst", "fixat", "ordnat", "terrible",
         "awful", "horrible", "mad", "seriously", "trust", "consistent", "consistently", "lovely", "forever"}
_PHRASES = {
    "joy": ["so happy", "very happy", "love it", "så glad", "så nöjd", "mycket nöjd", "väldigt nöjd"],
    "trust": ["lita på", "kan lita", "can trust", "peace of mind", "in good hands", "i trygga händer",
              "keep their promises", "håller vad de lovar"],
    "relief": ["what a relief", "vilken lättnad", "problem solved", "problemet löst", "löste problemet",
               "thank god", "tack och lov", "äntligen löst"],
    "surprise_positive": ["pleasantly surprised", "positively surprised", "positivt överraskad",
                          "positivt överraskade", "beyond expectations", "above expectations",
                          "exceeded my expectations", "över förväntan", "över förväntningarna",
                          "better than expected", "bättre än väntat"],
    "disappointment": ["let down", "expected more", "förväntade mig mer", "hade hoppats", "had hoped",
                       "not as expected", "inte som förväntat", "never again", "aldrig mer", "aldrig igen"],
    "frustration": ["waste of time", "slöseri med tid", "no one answers", "ingen svarar", "still waiting",
                    "väntar fortfarande", "fed up", "over and over", "gång på gång", "om och om igen", "sick of"],
    "anger": ["är en skandal", "is a joke", "är ett skämt", "never again", "how dare"],
    "worry": ["what if", "tänk om", "is it safe", "är det säkert", "not sure", "inte säker"],
}
_NEGATORS = frozenset(_words("""
    inte ej icke aldrig ingen inget inga knappast varken utan not no never nothing nobody none neither nor without
    hardly barely isn't wasn't aren't weren't don't doesn't didn't can't cannot couldn't won't wouldn't haven't
    hasn't hadn't isnt wasnt dont doesnt didnt cant wont n't
"""))
_INTENSIFIERS = frozenset(_words("""
    mycket väldigt jätte otroligt extremt riktigt helt så oerhört fruktansvärt sjukt super verkligen grymt
    very so really extremely incredibly totally absolutely utterly truly super highly completely most
"""))
_INTENSIFIER_PREFIXES = ("jätte", "super", "mega", "skit", "asa", "kanon", "sjukt", "ur")
_POSITIVE = frozenset(POSITIVE_EMOTIONS)

_EXACT: dict[str, tuple[str, float]] = {}
_PREFIXES: dict[str, tuple[str, float]] = {}
for _code, _text in _LEXICON_TEXT.items():
    for _entry in _text.split():
        _weight = _WEIGHTS[_code] * (0.5 if _entry.rstrip("*") in _WEAK else 1.0)
        if _entry.endswith("*") and len(_entry) > 2:
            _PREFIXES.setdefault(_entry[:-1], (_code, _weight))
        else:
            _EXACT.setdefault(_entry, (_code, _weight))
_PHRASE_MAP: dict[tuple[str, ...], tuple[str, float]] = {}
for _code, _phrases in _PHRASES.items():
    for _p in _phrases:
        _PHRASE_MAP.setdefault(tuple(_p.split()), (_code, _WEIGHTS[_code] * 1.2))
_PHRASE_FIRST = {words[0] for words in _PHRASE_MAP}
_MAX_PHRASE = max(len(words) for words in _PHRASE_MAP)

_cache: dict[str, tuple[str, float] | None] = {}


def _lookup(norm: str) -> tuple[str, float] | None:
    got = _cache.get(norm, False)
    if got is not False:
        return got
    got = _EXACT.get(norm)
    if got is None:
        for n in range(len(norm), 3, -1):
            got = _PREFIXES.get(norm[:n])
            if got is not None:
                break
    if got is None:
        for prefix in _INTENSIFIER_PREFIXES:  # "jättebesviken", "supernöjd"
            if norm.startswith(prefix) and len(norm) > len(prefix) + 2:
                inner = _lookup(norm[len(prefix):])
                if inner is not None:
                    got = (inner[0], inner[1] * 1.4)
                    break
    if len(_cache) < 200_000:
        _cache[norm] = got
    return got


def detect(text: str, language: str = "other", tokens=None, clauses=None) -> list[Emotion]:
    """Emotions found in the text, strongest first; [] when none (neutral).

    `tokens` (tokens.tokenize output) avoids re-tokenizing; `clauses` (char spans) bound
    negation, which otherwise stops at sentence punctuation and commas."""
    if tokens is None:
        tokens = tokenize(text)
    scores: dict[str, float] = {}
    last_negator = -10
    last_intensifier = -10
    word_index = 0
    boundaries = {start for start, _ in clauses or ()}
    norms = [t.norm for t in tokens]
    exclaim = "!" in text
    skip_until = -1
    for i, tok in enumerate(tokens):
        kind = tok.kind
        if tok.start in boundaries:
            last_negator = last_intensifier = -10
        if kind == "punct":
            if tok.norm[0] in ".?;,:":
                last_negator = last_intensifier = -10
            continue
        if kind not in ("word", "emoji", "hashtag"):
            continue
        norm = norms[i]
        if kind == "hashtag":
            norm = norm[1:]
        word_index += 1
        if i <= skip_until:
            continue
        if norm in _PHRASE_FIRST:  # phrases first: "not sure", "never again" carry their own negation
            found = None
            for n in range(_MAX_PHRASE, 1, -1):
                found = _PHRASE_MAP.get(tuple(norms[i:i + n])) if i + n <= len(tokens) else None
                if found is not None:
                    skip_until = i + n - 1
                    scores[found[0]] = scores.get(found[0], 0.0) + found[1]
                    break
            if found is not None:
                continue
        if norm in _NEGATORS or norm.endswith("n't"):
            last_negator = word_index
            continue
        if norm in _INTENSIFIERS:
            last_intensifier = word_index
            continue
        hit = _lookup(norm)
        if hit is None:
            continue
        code, weight = hit
        if kind == "word" and word_index - last_intensifier <= 2:
            weight *= 1.5
        if kind == "word" and 0 < word_index - last_negator <= 3:
            if code in _POSITIVE:
                code, weight = "disappointment", weight * 0.6  # "not happy", "inte nöjd"
            else:
                continue  # "not angry", "inte orolig"
        scores[code] = scores.get(code, 0.0) + weight
    if not scores:
        return []
    if exclaim:
        bang = 1.0 + min(text.count("!"), 3) * 0.1
        scores = {c: s * bang for c, s in scores.items()}
    return sorted((Emotion(c, round(1.0 - math.exp(-s), 3)) for c, s in scores.items()),
                  key=lambda e: (-e.strength, e.code))
