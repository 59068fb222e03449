"""Tokens and clauses for Swedish and English customer comments.

One precompiled regex splits a comment into words (with å/ä/ö and other letters), numbers,
emoji (pictographs and text emoticons such as ":)" and "<3"), URLs, @mentions, #hashtags and
punctuation (runs of "!"/"?"/"." kept together, since "!!!" carries meaning). Each token keeps
its character span in the original text; `norm` is the NFC-normalised, casefolded form with the
typographic apostrophe mapped to "'" so lexicon lookups see one spelling.

`split_clauses` cuts a comment where a sentence ends (".", "!", "?", ";", a line break) and before
contrast words ("men", "but", "however", ...). Sentiment and topics are reported per clause, so a
mention of "staff" in "the food was cold but the staff were lovely" gets the second clause's tone.
"""

import re
import unicodedata
from typing import NamedTuple

VERSION = "tokens-1"

_EMOJI_CORE = (
    "\U0001F000-\U0001FAFF"  # pictographs, emoticons, transport, supplemental symbols
    "\u2600-\u27BF"  # misc symbols and dingbats (☀ ☹ ☺ ✔ ❤ ...)
    "\u2B00-\u2BFF"  # arrows and stars (⭐)
    "\u2300-\u23FF"  # technical (⌛ ⏰)
)
_EMOJI_MOD = "\uFE0F\uFE0E\U0001F3FB-\U0001F3FF\u20E3"

_PATTERN = re.compile(
    r"(?P<url>(?:https?://|www\.)[^\s<>\"]*[^\s<>\".,;:!?)\]'])"
    r"|(?P<mention>(?<![\w@])@\w+)"
    r"|(?P<hashtag>(?<![\w#])#\w+)"
    # Text emoticons: ":)", ":-(", ";D", ":'(", ":/", "=)", "<3", "xD". Not when a letter follows
    # (":Detta") and ":/" not inside URLs (URLs match first).
    r"|(?P<emoticon>(?:[:;=][-'^o]?[)(\]\[DPpO/\\|*3]|<3+|[xX]D)(?![\w]))"
    r"|(?P<number>[-+]?\d+(?:[.,:/\-]\d+)*%?(?![^\W\d_]))"
    r"|(?P<word>[^\W_]+(?:['’\-][^\W_]+)*)"
    rf"|(?P<emoji>[{_EMOJI_CORE}](?:[{_EMOJI_MOD}]|\u200D[{_EMOJI_CORE}])*)"
    r"|(?P<punct>[!?]+|\.+|[^\w\s])"
)

_KIND = {"url": "url", "mention": "mention", "hashtag": "hashtag", "emoticon": "emoji", "number": "number",
         "word": "word", "emoji": "emoji", "punct": "punct"}


class Token(NamedTuple):
    text: str
    norm: str
    start: int
    end: int
    kind: str  # "word", "number", "emoji", "punct", "url", "mention", "hashtag"


_norm_cache: dict[str, str] = {}
_NORM_CACHE_MAX = 200_000


def normalize(text: str) -> str:
    """Casefolded, NFC-normalised form with typographic apostrophes as "'" (cached)."""
    norm = _norm_cache.get(text)
    if norm is None:
        # ASCII needs no normalisation; lower() is much cheaper than casefold + NFC.
        norm = text.lower() if text.isascii() else unicodedata.normalize("NFC", text).casefold().replace("’", "'")
        if len(_norm_cache) < _NORM_CACHE_MAX:
            _norm_cache[text] = norm
    return norm


def tokenize(text: str) -> list[Token]:
    out = []
    append = out.append
    for m in _PATTERN.finditer(text):
        kind = _KIND[m.lastgroup]
        tok = m.group()
        append(Token(tok, normalize(tok) if kind != "emoji" else tok, m.start(), m.end(), kind))
    return out


# --- Clauses ----------------------------------------------------------------------------------

# Contrast words start a new clause (the word belongs to the clause it introduces).
CONTRAST = {
    "sv": frozenset({"men", "fast", "däremot", "dock", "fastän", "ändå", "annars"}),
    "en": frozenset({"but", "however", "although", "though", "whereas", "except", "nevertheless", "yet",
                     "otherwise"}),
}
CONTRAST["other"] = CONTRAST["sv"] | CONTRAST["en"]
# Words that are contrast markers only right after a comma or dash ("bra, fast dyrt" but not
# "fast pris"; "good, though slow" but not "even though"; "dock" is mostly "men dock").
_WEAK_CONTRAST = frozenset({"fast", "though", "yet", "dock", "ändå", "annars", "otherwise", "except"})
# Clause openers whose clause is conceded (weighs less); such a clause ends at the next comma.
CONCESSIVE = frozenset({"although", "though", "while", "whilst", "fastän", "fast", "trots", "även", "despite"})
_SENTENCE_END = frozenset({";", "…"})


def _has_words(tokens: list[Token], begin: int, end: int) -> bool:
    return any(tokens[j].kind in ("word", "number") for j in range(begin, end))


def _cuts_before(text: str, tokens: list[Token], i: int, begin: int, contrast: frozenset) -> bool:
    tok, prev = tokens[i], tokens[i - 1]
    if prev.kind == "punct" and (prev.norm[0] in ".!?" or prev.norm in _SENTENCE_END):
        return True
    if "\n" in text[prev.end:tok.start]:
        return True
    if tok.kind == "word" and tok.norm in contrast:
        return tok.norm not in _WEAK_CONTRAST or (prev.kind == "punct" and prev.norm in ",-–—")
    # "Although the food was good, | the service was bad"
    return prev.norm == "," and tokens[begin].norm in CONCESSIVE


def clause_token_ranges(text: str, tokens: list[Token], language: str = "other") -> list[tuple[int, int]]:
    """Clauses as (first token index, end token index) ranges; punctuation stays with its clause."""
    contrast = CONTRAST.get(language, CONTRAST["other"])
    ranges = []
    begin = 0
    n = len(tokens)
    for i in range(1, n):
        # A clause made only of punctuation/emoji is merged with the one after it.
        if i > begin and _cuts_before(text, tokens, i, begin, contrast) and _has_words(tokens, begin, i):
            ranges.append((begin, i))
            begin = i
    if begin < n:
        if ranges and not _has_words(tokens, begin, n):
            # Trailing "!!! :)" belongs to the last clause.
            ranges[-1] = (ranges[-1][0], n)
        else:
            ranges.append((begin, n))
    return ranges


def split_clauses(text: str, tokens: list[Token] | None = None, language: str = "other") -> list[tuple[int, int]]:
    """Character spans of the clauses of `text` (each from its first to its last token)."""
    if tokens is None:
        tokens = tokenize(text)
    return [(tokens[a].start, tokens[b - 1].end) for a, b in clause_token_ranges(text, tokens, language)]
