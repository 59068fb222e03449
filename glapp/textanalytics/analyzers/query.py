"""The topic query language: which comments mention a topic, and where (for highlighting).

Syntax (operators in capitals; Swedish aliases OCH, ELLER, INTE, UTOM, NÄRA)::

    leverans                 a word: matched on its inflections, so "leverans" matches
                             "leveransen", "leveranser"; in Swedish comments also as the head
                             (last part) of a compound, so it matches "hemleveransen". A compound
                             is about its head: "paket" does not match "paketresa" (a trip).
                             Stems keep derivational suffixes: "vänlig" does not match "vän",
                             "instalment" does not match "installation"
    leverans*                a trailing wildcard (at least 2 letters): any word, or run of compound
                             parts ending at the head, that starts so: "leveranstiden",
                             "hemleveranstiden". A wildcard reaches a compound's first part
    "lång kö"                an exact phrase: these words in this order, each compared exactly
                             (case-insensitive, no stemming, no compounds); a word in a phrase may
                             end in *: "lång* kö*". A one-word phrase is one exact word: "store"
                             (not Swedish "stora")
    a AND b   a b            both (a space between terms means AND)
    a OR b                   either; AND binds tighter than OR: "a b OR c" is "(a b) OR c"
    a NOT b   a -b           a, unless the comment also has b anywhere. A query cannot be only
                             negative
    a EXCEPT b               a's words, except where they are part of a match of b: a word-level
                             exclusion that leaves the rest of the comment alone.
                             `paket EXCEPT (familj* OR tv*)` finds "paketet kom" but not
                             "familjepaketet"; `klaga EXCEPT "inget att klaga"` does not take the
                             praise "inget att klaga på" as a complaint; `damaged EXCEPT (damaged
                             NEAR/2 box)` leaves a damaged box to delivery. Binds like NEAR,
                             left to right: put alternatives in parentheses on either side
    ( ... )                  grouping
    a NEAR/3 b               a and b with at most 3 words between them, in either order; a and b
                             are words, phrases or parenthesised groups; NEAR alone means NEAR/5

One query may mix languages: ``leverans* OR deliver* OR "hem till dörren"``. Matching uses the
comment's language for stems (Swedish, English, or both when unknown).

`parse(source)` returns a `Query` or raises `QuerySyntaxError(message, position)`.
`Query.match(doc)` returns the matched character spans, sorted and merged; an empty list means
no match. Build one `Doc` per comment and match all topics against it: the Doc's index of word
keys (word, stem, base form, compound heads) makes every word, and every wildcard, a dictionary lookup.
"""

import re
from dataclasses import dataclass

from glapp.textanalytics.analyzers import morphology
from glapp.textanalytics.analyzers.tokens import normalize, tokenize

VERSION = "query-2"

DEFAULT_NEAR = 5
_OPERATORS = {"AND": "AND", "OCH": "AND", "OR": "OR", "ELLER": "OR", "NOT": "NOT", "INTE": "NOT",
              "EXCEPT": "EXCEPT", "UTOM": "EXCEPT"}
_WORD = r"[^\W_]+(?:['’\-][^\W_]+)*"
_LEX = re.compile(
    r"(?P<space>\s+)"
    r"|(?P<lparen>\()|(?P<rparen>\))"
    r"|(?P<phrase>\"[^\"]*\"?)"
    r"|(?P<near>(?:NEAR|NÄRA)(?:/(?P<dist>\d*))?(?![\w/]))"
    rf"|(?P<word>{_WORD}\*?)"
    r"|(?P<minus>-)"
    r"|(?P<other>.)",
    re.S,
)
_PHRASE_WORD = re.compile(rf"({_WORD})(\*?)|\S")


class QuerySyntaxError(ValueError):
    def __init__(self, message: str, position: int):
        super().__init__(f"{message} (at character {position + 1})")
        self.message = message
        self.position = position


# Every wildcard prefix of every compiled query. A word key's matching prefixes are found by
# looking up its own prefixes here (cached per key), so a wildcard costs one dict lookup per comment.
_PREFIXES: set[str] = set()
_key_prefixes: dict[str, tuple[str, ...]] = {}


def _register_prefix(prefix: str) -> None:
    if prefix not in _PREFIXES:
        _PREFIXES.add(prefix)
        _key_prefixes.clear()


def _prefixes_of(key: str) -> tuple[str, ...]:
    got = _key_prefixes.get(key)
    if got is None:
        got = tuple(key[:n] for n in range(2, len(key) + 1) if key[:n] in _PREFIXES)
        if len(_key_prefixes) < 300_000:
            _key_prefixes[key] = got
    return got


# --- Documents -------------------------------------------------------------------------------


class Doc:
    """A comment prepared once for all topic queries: its words and an index of their keys."""

    __slots__ = ("_prefix_index", "exact", "index", "language", "norms", "text", "words")

    def __init__(self, text: str, language: str = "other", tokens=None):
        if tokens is None:
            tokens = tokenize(text)
        self.text = text
        self.language = language
        words = []
        norms = []
        exact: dict[str, list[int]] = {}
        index: dict[str, list[int]] = {}
        word_keys = morphology.word_keys
        for tok in tokens:
            kind = tok.kind
            if kind == "word" or kind == "number":
                norm = tok.norm
            elif kind == "hashtag":  # "#delayed" is a word in tweets
                norm = tok.norm[1:]
            else:
                continue
            pos = len(words)
            words.append((tok.start, tok.end))
            norms.append(norm)
            got = exact.get(norm)
            if got is None:
                exact[norm] = [pos]
            else:
                got.append(pos)
            for key in word_keys(norm, language):
                got = index.get(key)
                if got is None:
                    index[key] = [pos]
                elif got[-1] != pos:
                    got.append(pos)
        self.words = words
        self.norms = norms
        self.exact = exact
        self.index = index
        self._prefix_index = None

    def prefix_index(self) -> dict[str, set[int]]:
        """Registered wildcard prefix → word positions with a key starting with it (built once)."""
        index = self._prefix_index
        if index is None:
            index = self._prefix_index = {}
            for key, positions in self.index.items():
                for p in _prefixes_of(key):
                    got = index.get(p)
                    if got is None:
                        index[p] = set(positions)
                    else:
                        got.update(positions)
        return index

    def prefixed(self, prefix: str) -> list[int]:
        """Word positions with any key starting with `prefix` (a registered wildcard prefix)."""
        index = self.prefix_index()
        if prefix not in _PREFIXES:  # a Prefix built by hand, not by parse()
            _register_prefix(prefix)
            self._prefix_index = None
            return self.prefixed(prefix)
        got = index.get(prefix)
        return sorted(got) if got else []


# --- Query tree ------------------------------------------------------------------------------
# Every node's hits(doc) returns (first word, last word) ranges; empty when it does not match.


def _languages(language: str) -> tuple[str, ...]:
    return (language,) if language in ("sv", "en") else ("sv", "en")


class Term:
    __slots__ = ("_keys", "word")

    def __init__(self, word: str):
        self.word = word
        self._keys: dict[str, tuple[str, ...]] = {}

    def keys(self, language: str) -> tuple[str, ...]:
        got = self._keys.get(language)
        if got is None:
            keys = {self.word}
            for lang in _languages(language):
                keys.add(morphology.match_stem(self.word, lang))
                if lang == "sv":
                    base = morphology.base_form(self.word)
                    if base:
                        keys.add(base)
            got = self._keys[language] = tuple(keys)
        return got

    def hits(self, doc: Doc) -> list[tuple[int, int]]:
        index = doc.index
        found = None
        for key in self.keys(doc.language):
            got = index.get(key)
            if got:
                found = set(got) if found is None else found.union(got)
        return [(p, p) for p in sorted(found)] if found else []

    def __repr__(self):
        return self.word


class Prefix:
    __slots__ = ("prefix",)

    def __init__(self, prefix: str):
        self.prefix = prefix
        _register_prefix(prefix)

    def hits(self, doc: Doc) -> list[tuple[int, int]]:
        return [(p, p) for p in doc.prefixed(self.prefix)]

    def __repr__(self):
        return self.prefix + "*"


class Prefixes:
    """Several wildcards of one OR group looked up together in the comment's prefix index."""

    __slots__ = ("prefixes",)

    def __init__(self, prefixes: list[Prefix]):
        self.prefixes = frozenset(p.prefix for p in prefixes)

    def hits(self, doc: Doc) -> list[tuple[int, int]]:
        index = doc.prefix_index()
        common = self.prefixes.intersection(index)
        if not common:
            return []
        found = set()
        for prefix in common:
            found.update(index[prefix])
        return [(p, p) for p in sorted(found)]

    def __repr__(self):
        return " OR ".join(p + "*" for p in sorted(self.prefixes))


class Phrase:
    __slots__ = ("parts",)

    def __init__(self, parts: list[tuple[str, bool]]):
        self.parts = parts  # (word, is_prefix)
        if parts[0][1]:
            _register_prefix(parts[0][0])

    def hits(self, doc: Doc) -> list[tuple[int, int]]:
        first, first_prefix = self.parts[0]
        if first_prefix:  # candidates from the wildcard index, then the exact word must start with it
            starts = [i for i in doc.prefixed(first) if doc.norms[i].startswith(first)]
        else:
            starts = doc.exact.get(first)
        if not starts:
            return []
        norms = doc.norms
        n = len(self.parts)
        last = len(norms) - n
        out = []
        for i in starts:
            if i > last:
                break
            for j in range(1, n):
                word, prefix = self.parts[j]
                norm = norms[i + j]
                if not (norm.startswith(word) if prefix else norm == word):
                    break
            else:
                out.append((i, i + n - 1))
        return out

    def __repr__(self):
        return '"' + " ".join(w + ("*" if p else "") for w, p in self.parts) + '"'


class Phrases:
    """Phrases of one OR group, tried only when the comment has their first word."""

    __slots__ = ("by_first",)

    def __init__(self, phrases: list[Phrase]):
        self.by_first: dict[str, list[Phrase]] = {}
        for phrase in phrases:
            self.by_first.setdefault(phrase.parts[0][0], []).append(phrase)

    def hits(self, doc: Doc) -> list[tuple[int, int]]:
        out = []
        for first in self.by_first.keys() & doc.exact.keys():
            for phrase in self.by_first[first]:
                out.extend(phrase.hits(doc))
        return out

    def __repr__(self):
        return " OR ".join(repr(p) for group in self.by_first.values() for p in group)


class Terms:
    """Several words of one OR group looked up together (the common shape of topic queries)."""

    __slots__ = ("_keys", "terms")

    def __init__(self, terms: list[Term]):
        self.terms = terms
        self._keys: dict[str, frozenset[str]] = {}

    def hits(self, doc: Doc) -> list[tuple[int, int]]:
        keys = self._keys.get(doc.language)
        if keys is None:
            keys = self._keys[doc.language] = frozenset(k for t in self.terms for k in t.keys(doc.language))
        index = doc.index
        common = keys.intersection(index)  # one C-level pass over the comment's keys
        if not common:
            return []
        found = set()
        for key in common:
            found.update(index[key])
        return [(p, p) for p in sorted(found)]

    def __repr__(self):
        return " OR ".join(map(repr, self.terms))


class Or:
    __slots__ = ("children",)

    def __init__(self, children):
        self.children = children

    def hits(self, doc: Doc) -> list[tuple[int, int]]:
        out = []
        for child in self.children:
            out.extend(child.hits(doc))
        return out

    def __repr__(self):
        return "(" + " OR ".join(map(repr, self.children)) + ")"


class And:
    __slots__ = ("negatives", "positives")

    def __init__(self, positives, negatives):
        self.positives = positives
        self.negatives = negatives

    def hits(self, doc: Doc) -> list[tuple[int, int]]:
        out = []
        for child in self.positives:
            got = child.hits(doc)
            if not got:
                return []
            out.extend(got)
        for child in self.negatives:
            if child.hits(doc):
                return []
        return out

    def __repr__(self):
        return "(" + " AND ".join([*map(repr, self.positives), *("NOT " + repr(n) for n in self.negatives)]) + ")"


class Near:
    __slots__ = ("distance", "left", "right")

    def __init__(self, left, right, distance: int):
        self.left = left
        self.right = right
        self.distance = distance

    def hits(self, doc: Doc) -> list[tuple[int, int]]:
        left = self.left.hits(doc)
        if not left:
            return []
        right = self.right.hits(doc)
        out = []
        limit = self.distance
        for a0, a1 in left:
            for b0, b1 in right:
                gap = b0 - a1 - 1 if b0 > a1 else a0 - b1 - 1
                if -1 <= gap <= limit and not (a0 == b0 and a1 == b1):
                    out.append((a0, a1))
                    out.append((b0, b1))
        return out

    def __repr__(self):
        return f"({self.left!r} NEAR/{self.distance} {self.right!r})"


class Except:
    """`left EXCEPT right`: left's hits that no hit of right overlaps (a word-level exclusion)."""

    __slots__ = ("left", "right")

    def __init__(self, left, right):
        self.left = left
        self.right = right

    def hits(self, doc: Doc) -> list[tuple[int, int]]:
        left = self.left.hits(doc)
        if not left:
            return []
        right = self.right.hits(doc)
        if not right:
            return left
        return [(a0, a1) for a0, a1 in left if not any(b0 <= a1 and a0 <= b1 for b0, b1 in right)]

    def __repr__(self):
        return f"({self.left!r} EXCEPT {self.right!r})"


@dataclass
class Query:
    source: str
    root: object

    def hits(self, doc: Doc) -> list[tuple[int, int]]:
        return self.root.hits(doc)

    def match(self, doc: Doc) -> list[tuple[int, int]]:
        """Matched character spans, sorted and merged; [] when the comment does not match."""
        hits = self.root.hits(doc)
        if not hits:
            return []
        words = doc.words
        spans = sorted({(words[a][0], words[b][1]) for a, b in hits})
        merged = [spans[0]]
        for start, end in spans[1:]:
            last_start, last_end = merged[-1]
            if start <= last_end:
                merged[-1] = (last_start, max(last_end, end))
            else:
                merged.append((start, end))
        return merged

    def __repr__(self):
        return f"Query({self.root!r})"


# --- Parser ----------------------------------------------------------------------------------


def _lex(source: str) -> list[tuple[str, str, int]]:
    out = []
    prev = None
    for m in _LEX.finditer(source):
        kind, text, pos = m.lastgroup, m.group(), m.start()
        if kind == "dist":  # lastgroup may name the inner group
            kind = "near"
        if kind == "space":
            prev = "space"
            continue
        if kind == "other":
            raise QuerySyntaxError(f"Unexpected character '{text}': use words, \"phrases\", AND, OR, NOT, "
                                   "EXCEPT, NEAR/n and parentheses", pos)
        if kind == "phrase" and (len(text) < 2 or not text.endswith('"')):
            raise QuerySyntaxError("Unclosed quote: a phrase needs a closing \"", pos)
        if kind == "word" and text.endswith("*") and m.end() < len(source) and (source[m.end()].isalnum()
                                                                             or source[m.end()] == "*"):
            raise QuerySyntaxError("'*' is only allowed at the end of a word", m.end() - 1)
        if kind == "word" and text in _OPERATORS:
            kind = _OPERATORS[text]
        if kind == "minus" and prev not in (None, "space", "lparen"):
            raise QuerySyntaxError("'-' excludes a term: put it right before the term, after a space", pos)
        out.append((kind, text, pos))
        prev = kind
    return out


class _Parser:
    def __init__(self, source: str):
        self.source = source
        self.tokens = _lex(source)
        self.i = 0

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else ("end", "", len(self.source))

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def parse(self):
        if not self.tokens:
            raise QuerySyntaxError("The query is empty", 0)
        node = self.or_expr()
        kind, text, pos = self.peek()
        if kind == "rparen":
            raise QuerySyntaxError("Unexpected ')': no '(' to close", pos)
        if kind != "end":
            raise QuerySyntaxError(f"Unexpected '{text}'", pos)
        return node

    def or_expr(self):
        children = [self.and_expr()]
        while self.peek()[0] == "OR":
            self.take()
            children.append(self.and_expr())
        if len(children) == 1:
            return children[0]
        terms = [c for c in children if isinstance(c, Term)]
        if len(terms) > 1:
            children = [Terms(terms), *(c for c in children if not isinstance(c, Term))]
        prefixes = [c for c in children if isinstance(c, Prefix)]
        if len(prefixes) > 1:
            children = [*(c for c in children if not isinstance(c, Prefix)), Prefixes(prefixes)]
        phrases = [c for c in children if isinstance(c, Phrase) and not c.parts[0][1]]
        if len(phrases) > 1:
            children = [*(c for c in children if c not in phrases), Phrases(phrases)]
        return children[0] if len(children) == 1 else Or(children)

    def and_expr(self):
        positives, negatives = [], []
        start = self.peek()[2]
        while True:
            kind, text, pos = self.peek()
            if kind in ("end", "rparen", "OR"):
                if not positives and not negatives:
                    what = "the end of the query" if kind == "end" else f"'{text}'"
                    raise QuerySyntaxError(f"Expected a word, phrase or '(' before {what}", pos)
                break
            if kind == "EXCEPT":
                raise QuerySyntaxError("EXCEPT needs a term before it", pos)
            if kind == "AND":
                self.take()
                nxt = self.peek()
                if nxt[0] in ("end", "rparen", "OR", "AND", "EXCEPT"):
                    raise QuerySyntaxError("AND needs a term after it", nxt[2])
                if not positives and not negatives:
                    raise QuerySyntaxError("AND needs a term before it", pos)
                continue
            if kind in ("NOT", "minus"):
                self.take()
                nxt = self.peek()
                if nxt[0] in ("end", "rparen", "OR", "AND", "NOT", "minus", "EXCEPT"):
                    raise QuerySyntaxError(f"{'NOT' if kind == 'NOT' else '-'} needs a term after it", nxt[2])
                negatives.append(self.near_expr())
                continue
            positives.append(self.near_expr())
        if not positives:
            raise QuerySyntaxError("A query cannot match by NOT alone: say what to look for, then what to exclude "
                                   "(pris NOT prisvärd)", start)
        if len(positives) == 1 and not negatives:
            return positives[0]
        return And(positives, negatives)

    def near_expr(self):
        node = self.primary()
        while self.peek()[0] in ("near", "EXCEPT"):
            kind, text, pos = self.take()
            if kind == "EXCEPT":
                nxt = self.peek()
                if nxt[0] not in ("word", "phrase", "lparen"):
                    raise QuerySyntaxError("EXCEPT needs a word, phrase or '(' after it", nxt[2])
                node = Except(node, self.primary())
                continue
            dist = text.split("/", 1)[1] if "/" in text else ""
            if "/" in text and not dist:
                raise QuerySyntaxError("NEAR/ needs a number of words, e.g. NEAR/3", pos)
            distance = int(dist) if dist else DEFAULT_NEAR
            if distance > 50:
                raise QuerySyntaxError("NEAR distance must be at most 50 words", pos)
            nxt = self.peek()
            if nxt[0] not in ("word", "phrase", "lparen"):
                raise QuerySyntaxError("NEAR needs a word, phrase or '(' after it", nxt[2])
            node = Near(node, self.primary(), distance)
        return node

    def primary(self):
        kind, text, pos = self.take()
        if kind == "word":
            return self.word(text, pos)
        if kind == "phrase":
            return self.phrase(text, pos)
        if kind == "lparen":
            if self.peek()[0] == "rparen":
                raise QuerySyntaxError("Empty parentheses", pos)
            node = self.or_expr()
            if self.peek()[0] != "rparen":
                raise QuerySyntaxError("Missing ')' to close the '(' opened here", pos)
            self.take()
            return node
        if kind == "near":
            raise QuerySyntaxError("NEAR needs a term before it", pos)
        if kind == "EXCEPT":
            raise QuerySyntaxError("EXCEPT needs a term before it", pos)
        if kind == "end":
            raise QuerySyntaxError("Unexpected end of the query", pos)
        raise QuerySyntaxError(f"Unexpected '{text}'", pos)

    @staticmethod
    def word(text: str, pos: int):
        norm = normalize(text)
        if norm.endswith("*"):
            stem = norm[:-1]
            if len(stem) < 2:
                raise QuerySyntaxError("A wildcard needs at least 2 letters before '*'", pos)
            return Prefix(stem)
        return Term(norm)

    @staticmethod
    def phrase(text: str, pos: int):
        parts = []
        for m in _PHRASE_WORD.finditer(text[1:-1]):
            if m.group(1) is None:
                continue  # punctuation inside a phrase is ignored, as the tokenizer drops it
            if m.group(2) and len(m.group(1)) < 2:
                raise QuerySyntaxError("A wildcard needs at least 2 letters before '*'", pos + 1 + m.start())
            parts.append((normalize(m.group(1)), bool(m.group(2))))
        if not parts:
            raise QuerySyntaxError("Empty phrase", pos)
        return Phrase(parts)


def parse(source: str) -> Query:
    """Compile a topic query; raises QuerySyntaxError(message, position) on a mistake."""
    return Query(source, _Parser(source).parse())


def match_text(source_or_query, text: str, language: str = "other") -> list[tuple[int, int]]:
    """Convenience for tests and previews: match one query against one text."""
    query = parse(source_or_query) if isinstance(source_or_query, str) else source_or_query
    return query.match(Doc(text, language))
