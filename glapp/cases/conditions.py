"""Alert-rule conditions: which responses open a case.

Pure Python (no Django). A rule's condition is a JSON tree, stored with the rule and evaluated
for every response on ingest, so it is compiled once (`compile_rule`) into plain closures and
evaluated many times (`CompiledCondition.matches(facts)`) against a `ResponseFacts`.

    {"all": [node, ...]}   {"any": [node, ...]}   {"not": node}      (nested at most 4 deep)
    {"score": "nps", "op": "<=", "value": 6}                           (any NPS answer ≤ 6)
    {"score": "csat", "question": 17, "op": "<=", "value": 2}          (that question's answer)
    {"touchpoint": ["kt_tel", "butik"]}   {"survey": [3]}   {"unit": [4]}   (unit: 4 or below it)
    {"channel": ["email"]}   {"language": ["sv"]}   {"segment": ["Företag"]}
    {"attribute": "annual_value", "op": ">", "value": 50000}           (the customer's attributes)
    {"metadata": "store", "op": "==", "value": "Kista"}                (the response's metadata)
    {"sentiment": ["negative"]}   {"topic": ["billing"]}               (the comment's analysis)
    {"phrase": ["säga upp", "byta operatör", "cancel"]}                (words in the comment)

Decisions worth knowing:
- A score leaf matches when any answer of that kind (or of that question) satisfies it.
- Attributes and metadata: values that hold a number compare as numbers, also strings such as
  "52 000", "52000.5" or "52 000,5" (a lone comma is a decimal comma, as in Swedish; "1,000,000"
  with groups of three is thousands). Other text compares case-insensitively with == and !=, and
  never matches <, <=, > or >=. A missing key (or null) never matches, except with "!=".
- Phrases reuse the topic query language's words (`textanalytics.analyzers.query`): each word
  matches its inflections (stems, Swedish compound heads) and, for the strong verbs of churn
  talk, its irregular forms ("säga upp" also finds "sa upp", "sagt upp"; "byta operatör" finds
  "bytt operatör"). A phrase's words come in order, at most three words between two, in one
  clause ("säger jag upp", "byta till en annan operatör", not "sa att priset gick upp"). A
  derived word is another word: "säga upp" does not find "uppsägning", nor "cancel"
  "cancellation" (a notice period or a clear cancellation policy is not churn talk); add such
  words as phrases of their own. A word may end in * ("uppsäg*"). Both Swedish and English
  stems are tried, whatever the response's language, since customers mix them.
- Sentiment and topics exist only once the comment has been analysed: a rule that uses them has
  `needs_analysis` and must be evaluated after the analysis (before it, they never match).
- `validate(tree)` names every bad node (`conditions.all[2].op`) with a message in the UI
  language; `compile_rule` refuses a tree with any.
"""

import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from glapp.core.i18n import catalogue, gettext_noop
from glapp.surveys import question_types as qt
from glapp.textanalytics.analyzers import morphology
from glapp.textanalytics.analyzers import query as q
from glapp.textanalytics.analyzers.sentiment import LABELS as SENTIMENTS
from glapp.textanalytics.analyzers.tokens import normalize, tokenize

MAX_DEPTH = 4  # all / any / not nested at most this deep
MAX_LEAVES = 50
MAX_VALUES = 200  # items of one list (touchpoints, phrases, …)
MAX_PHRASE_LENGTH = 100
MAX_KEY_LENGTH = 100
MAX_TEXT_VALUE_LENGTH = 500
ROOT = "conditions"  # the first part of every error path
PHRASE_GAP = 3  # words allowed between two words of a phrase ("byta till en annan operatör")
# Words that start another clause: a phrase's words never reach across them.
CLAUSE_WORDS = frozenset({"att", "som", "och", "men", "eller", "när", "om", "eftersom", "därför", "medan",
                          "innan", "that", "and", "but", "or", "when", "because", "if", "which", "who", "while",
                          "before", "after", "although"})
# The tokenizer's number and word patterns (tokens.py), in its order: in a comment with none of
# what it reads first (_tokenizer_needed), they find exactly its words and numbers.
_WORDS_AND_NUMBERS = re.compile(r"([-+]?\d+(?:[.,:/\-]\d+)*%?(?![^\W\d_]))|([^\W_]+(?:['’\-][^\W_]+)*)")
_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
_DIGIT = re.compile(r"\d")
_EMOTICON = re.compile(r"[:;=][-'^o]?[A-Za-z3]|<3")


def _tokenizer_needed(text: str) -> bool:
    """Whether the tokenizer reads something before words and numbers here: a link, an
    @mention, a #hashtag or an emoticon with a letter or a 3 (":D", "xD", ":3", "<3").
    Substring tests first: they cost a fraction of a regular expression's search."""
    return ("@" in text or "#" in text or "://" in text or "www." in text or "xD" in text or "XD" in text
            or ((":" in text or ";" in text or "=" in text or "<" in text) and _EMOTICON.search(text) is not None))


_CLAUSE_END = re.compile(r"[.,!?;:()\n–—]")

SCORE_KINDS = qt.SCORE_TYPES  # nps, ces, csat, lba, rating
OPERATORS: dict[str, Callable] = {"<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt,
                                  "==": operator.eq, "!=": operator.ne}
OPERATOR_SIGNS = {"<=": "≤", "<": "<", ">=": "≥", ">": ">", "==": "=", "!=": "≠"}
COMBINATORS = ("all", "any", "not")
LIST_LEAVES = ("touchpoint", "survey", "unit", "channel", "language", "segment", "sentiment", "topic", "phrase")
LEAVES = ("score", *LIST_LEAVES, "attribute", "metadata")
# Which fields each leaf takes, its own name first.
FIELDS = {"score": ("score", "question", "op", "value"), "attribute": ("attribute", "op", "value"),
          "metadata": ("metadata", "op", "value"), **{name: (name,) for name in LIST_LEAVES}}
ID_LEAVES = ("survey", "unit")

# Forms the stemmer cannot join to their verb (strong and irregular verbs of churn talk). A phrase
# word that is any of a group's forms matches every form of the group.
IRREGULAR_FORMS = [
    ("säga", "säger", "sa", "sade", "sagt", "sägs", "sades", "sagts"),
    ("byta", "byter", "bytte", "bytt", "byts", "byttes"),
    ("gå", "går", "gick", "gått"),
    ("ta", "tar", "tog", "tagit", "tas", "togs"),
    ("få", "får", "fick", "fått"),
    ("göra", "gör", "gjorde", "gjort"),
    ("välja", "väljer", "valde", "valt"),
    ("dra", "drar", "drog", "dragit"),
    ("skriva", "skriver", "skrev", "skrivit"),
    ("ge", "ger", "gav", "gett", "givit"),
    ("komma", "kommer", "kom", "kommit"),
    ("sälja", "säljer", "sålde", "sålt"),
    ("leave", "leaves", "leaving", "left"),
    ("go", "goes", "going", "went", "gone"),
    ("take", "takes", "taking", "took", "taken"),
    ("quit", "quits", "quitting"),
    ("get", "gets", "getting", "got", "gotten"),
    ("buy", "buys", "buying", "bought"),
    ("pay", "pays", "paying", "paid"),
]
_FORMS = {form: group for group in IRREGULAR_FORMS for form in group}

# UI text (the rule form, the API's field errors, rule lists): English msgids, translated where shown.
MESSAGES = {
    "not_object": gettext_noop("A condition is an object with one of: %(choices)s."),
    "unknown_condition": gettext_noop("Unknown condition “%(value)s”. Use one of: %(choices)s."),
    "two_conditions": gettext_noop("One object holds one condition, not %(value)s: put each in its own object "
                                   "inside all or any."),
    "unknown_field": gettext_noop("Unknown field “%(value)s”. A %(condition)s condition takes: %(choices)s."),
    "required": gettext_noop("Required."),
    "not_list": gettext_noop("Must be a list."),
    "empty_conditions": gettext_noop("Give at least one condition."),
    "empty_values": gettext_noop("Give at least one value."),
    "too_many_values": gettext_noop("At most %(max)s values."),
    "too_deep": gettext_noop("Conditions nest at most %(max)s levels deep (all, any and not)."),
    "too_many_leaves": gettext_noop("A rule has at most %(max)s conditions; this one has %(count)s."),
    "score_kind": gettext_noop("Unknown score “%(value)s”. Use one of: %(choices)s."),
    "operator": gettext_noop("Unknown comparison “%(value)s”. Use one of: %(choices)s."),
    "number": gettext_noop("Must be a number."),
    "scale": gettext_noop("%(score)s answers are from %(min)s to %(max)s."),
    "question": gettext_noop("Must be a question id (a whole number)."),
    "id": gettext_noop("Must be an id (a whole number)."),
    "text": gettext_noop("Must be text of 1 to %(max)s characters."),
    "value": gettext_noop("Must be a number, text or true/false."),
    "text_order": gettext_noop("Text compares only with == or !=; compare with %(op)s against a number."),
    "sentiment": gettext_noop("Unknown sentiment “%(value)s”. Use one of: %(choices)s."),
    "phrase_words": gettext_noop("A phrase needs at least one word."),
    "phrase_wildcard": gettext_noop("“*” goes at the end of a word, after at least 2 letters."),
}

# describe(): each leaf's sentence and the words between them.
PHRASES = {
    "score": gettext_noop("%(score)s %(op)s %(value)s"),
    "score_question": gettext_noop("%(score)s of “%(question)s” %(op)s %(value)s"),
    "touchpoint": gettext_noop("touchpoint is %(values)s"),
    "survey": gettext_noop("survey is %(values)s"),
    "unit": gettext_noop("unit is %(values)s or below"),
    "channel": gettext_noop("channel is %(values)s"),
    "language": gettext_noop("language is %(values)s"),
    "segment": gettext_noop("customer segment is %(values)s"),
    "attribute": gettext_noop("customer’s %(key)s %(op)s %(value)s"),
    "metadata": gettext_noop("response’s %(key)s %(op)s %(value)s"),
    "sentiment": gettext_noop("comment is %(values)s"),
    "topic": gettext_noop("comment is about %(values)s"),
    "phrase": gettext_noop("comment mentions %(values)s"),
    "not": gettext_noop("not (%(condition)s)"),
    "and": gettext_noop("and"),
    "or": gettext_noop("or"),
    "quoted": gettext_noop("“%(text)s”"),
}
SCORE_NAMES = {qt.NPS: "NPS", qt.CES: "CES", qt.CSAT: "CSAT", qt.LBA: "LBA", qt.RATING: gettext_noop("Rating")}
SENTIMENT_NAMES = {"negative": gettext_noop("negative"), "neutral": gettext_noop("neutral"),
                   "positive": gettext_noop("positive")}


# --- Facts ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResponseFacts:
    """What a rule may look at in one response (built once per response by the caller)."""

    survey_id: int | None = None
    touchpoint: str = ""  # the touchpoint's code
    unit_id: int | None = None
    unit_path: str = ""  # the unit's materialized path, "/1/4/9/"
    channel: str = ""
    language: str = ""
    segment: str = ""  # the customer's segment, when known
    metadata: Mapping = field(default_factory=dict)
    attributes: Mapping = field(default_factory=dict)  # the customer's attributes
    scores: tuple = ()  # (question_id, kind, value) per answered scale question
    comment: str = ""
    sentiment: str | None = None  # the comment's sentiment label; None until analysed
    topics: frozenset = frozenset()  # codes of the comment's topics
    _doc: object = field(default=None, init=False, repr=False, compare=False, hash=False)
    _words: object = field(default=None, init=False, repr=False, compare=False, hash=False)
    _phrase_bits: object = field(default=None, init=False, repr=False, compare=False, hash=False)

    def doc(self) -> q.Doc:
        """The comment prepared for phrase matching, built once for every rule."""
        doc = self._doc
        if doc is None:
            doc = q.Doc(self.comment, "other")
            object.__setattr__(self, "_doc", doc)
        return doc

    def words(self) -> frozenset[str]:
        """The distinct words (and numbers) of `doc()` as written, found without building it:
        by the tokenizer's own word and number patterns, or by the tokenizer itself in a comment
        with a link, an @mention, a #hashtag or an emoticon (which it reads as other things)."""
        words = self._words
        if words is None:
            text = self.comment
            if _tokenizer_needed(text):
                words = frozenset(t.text[1:] if t.kind == "hashtag" else t.text for t in tokenize(text)
                                  if t.kind in ("word", "number", "hashtag"))
            elif _DIGIT.search(text):
                words = frozenset(number or word for number, word in _WORDS_AND_NUMBERS.findall(text))
            else:  # no digit: the number pattern cannot match, the word pattern alone is faster
                words = frozenset(_WORD.findall(text))
            object.__setattr__(self, "_words", words)
        return words


# --- Validation -------------------------------------------------------------------------------


class ConditionInvalid(ValueError):
    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__("; ".join(f"{path}: {message}" for path, message in errors))
        self.errors = errors


def validate(tree, language: str = "en", root: str = ROOT) -> list[tuple[str, str]]:
    """(path, message) for every mistake in a condition tree, messages in the UI `language`;
    [] when the tree compiles."""
    checker = _Checker(catalogue(language).gettext)
    checker.node(tree, root, 0)
    if checker.leaves > MAX_LEAVES:
        checker.error(root, "too_many_leaves", max=MAX_LEAVES, count=checker.leaves)
    return checker.errors


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)) and math.isfinite(value)


class _Checker:
    def __init__(self, gettext):
        self.gettext = gettext
        self.errors: list[tuple[str, str]] = []
        self.leaves = 0

    def error(self, path: str, code: str, **params) -> None:
        message = self.gettext(MESSAGES[code])
        self.errors.append((path, message % params if params else message))

    def node(self, node, path: str, depth: int) -> None:
        if not isinstance(node, Mapping) or not node:
            self.error(path, "not_object", choices=", ".join((*COMBINATORS, *LEAVES)))
            return
        kinds = [key for key in node if key in COMBINATORS or key in LEAVES]
        if not kinds:
            unknown = next(iter(node))
            self.error(f"{path}.{unknown}" if isinstance(unknown, str) else path, "unknown_condition",
                       value=str(unknown)[:MAX_KEY_LENGTH], choices=", ".join((*COMBINATORS, *LEAVES)))
            return
        if len(kinds) > 1:
            self.error(path, "two_conditions", value=" + ".join(kinds))
            return
        kind = kinds[0]
        if kind in COMBINATORS:
            for key in node:
                if key != kind:
                    self.error(f"{path}.{key}", "unknown_field", value=str(key)[:MAX_KEY_LENGTH],
                               condition=kind, choices=kind)
            if depth >= MAX_DEPTH:
                self.error(f"{path}.{kind}", "too_deep", max=MAX_DEPTH)
                return
            child = node[kind]
            if kind == "not":
                self.node(child, f"{path}.not", depth + 1)
                return
            if not isinstance(child, list):
                self.error(f"{path}.{kind}", "not_list")
            elif not child:
                self.error(f"{path}.{kind}", "empty_conditions")
            else:
                for i, item in enumerate(child):
                    self.node(item, f"{path}.{kind}[{i}]", depth + 1)
            return
        self.leaves += 1
        allowed = FIELDS[kind]
        for key in node:
            if key not in allowed:
                self.error(f"{path}.{key}", "unknown_field", value=str(key)[:MAX_KEY_LENGTH], condition=kind,
                           choices=", ".join(allowed))
        if kind == "score":
            self.score(node, path)
        elif kind in ("attribute", "metadata"):
            self.comparison(node, path, kind)
        else:
            self.values(node[kind], f"{path}.{kind}", kind)

    def score(self, node, path: str) -> None:
        kind = node["score"]
        if kind not in SCORE_KINDS:
            self.error(f"{path}.score", "score_kind", value=str(kind)[:MAX_KEY_LENGTH], choices=", ".join(SCORE_KINDS))
        if "question" in node and not (_is_int(node["question"]) and node["question"] > 0):
            self.error(f"{path}.question", "question")
        self.operator(node, path)
        if "value" not in node:
            self.error(f"{path}.value", "required")
        elif not _is_number(node["value"]):
            self.error(f"{path}.value", "number")
        elif kind in SCORE_KINDS:
            scale = qt.TYPES[kind]
            if not scale.min <= node["value"] <= scale.max:
                self.error(f"{path}.value", "scale", score=self.gettext(SCORE_NAMES[kind]), min=scale.min,
                           max=scale.max)

    def operator(self, node, path: str) -> bool:
        if "op" not in node:
            self.error(f"{path}.op", "required")
            return False
        if not isinstance(node["op"], str) or node["op"] not in OPERATORS:
            self.error(f"{path}.op", "operator", value=str(node["op"])[:MAX_KEY_LENGTH],
                       choices=", ".join(OPERATORS))
            return False
        return True

    def comparison(self, node, path: str, kind: str) -> None:
        key = node[kind]
        if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY_LENGTH:
            self.error(f"{path}.{kind}", "text", max=MAX_KEY_LENGTH)
        op_ok = self.operator(node, path)
        if "value" not in node:
            self.error(f"{path}.value", "required")
            return
        value = node["value"]
        if isinstance(value, bool) or _is_number(value):
            if isinstance(value, bool) and op_ok and node["op"] not in ("==", "!="):
                self.error(f"{path}.op", "text_order", op=node["op"])
            return
        if isinstance(value, str):
            if not value.strip() or len(value) > MAX_TEXT_VALUE_LENGTH:
                self.error(f"{path}.value", "text", max=MAX_TEXT_VALUE_LENGTH)
            elif op_ok and node["op"] not in ("==", "!=") and as_number(value) is None:
                self.error(f"{path}.op", "text_order", op=node["op"])
            return
        self.error(f"{path}.value", "value")

    def values(self, values, path: str, kind: str) -> None:
        if not isinstance(values, list):
            self.error(path, "not_list")
            return
        if not values:
            self.error(path, "empty_values")
            return
        if len(values) > MAX_VALUES:
            self.error(path, "too_many_values", max=MAX_VALUES)
            return
        for i, value in enumerate(values):
            where = f"{path}[{i}]"
            if kind in ID_LEAVES:
                if not (_is_int(value) and value > 0):
                    self.error(where, "id")
            elif not isinstance(value, str) or not value.strip() or len(value) > MAX_PHRASE_LENGTH:
                self.error(where, "text", max=MAX_PHRASE_LENGTH)
            elif kind == "sentiment" and value not in SENTIMENTS:
                self.error(where, "sentiment", value=value, choices=", ".join(SENTIMENTS))
            elif kind == "phrase":
                problem = _phrase_problem(value)
                if problem:
                    self.error(where, problem)


# --- Numbers in attributes and metadata -------------------------------------------------------

_SPACES = re.compile(r"(?<=\d)[ \u00a0\u202f\u2009](?=\d{3}(?:\D|$))")
_PLAIN = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_COMMA_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?")
_DOT_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?")


def as_number(value) -> float | None:
    """A fact or rule value as a number, when it holds one: 52000, 52000.5, "52 000", "52000,5",
    "1,000,000", "1.000.000,50"; None for anything else (text, bools, NaN, infinities)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
        return number if math.isfinite(number) else None
    if not isinstance(value, str) or len(value) > 64:
        return None
    text = _SPACES.sub("", value.strip()).replace("\u2212", "-")
    if _COMMA_THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    elif _DOT_THOUSANDS.fullmatch(text):
        text = text.replace(".", "").replace(",", ".")
    elif "," in text and "." not in text and text.count(",") == 1:
        text = text.replace(",", ".")  # a decimal comma
    elif "," in text and "." in text and text.rfind(",") < text.rfind("."):
        text = text.replace(",", "")  # 52,000.50
    if not _PLAIN.fullmatch(text):
        return None
    number = float(text)
    return number if math.isfinite(number) else None


_BOOLEAN_TEXT = {"true": True, "false": False}


def _comparer(op: str, value) -> Callable[[object], bool]:
    """A fact's value against a rule's value (see the module docstring), the rule's side prepared once."""
    compare = OPERATORS[op]
    missing = op == "!="  # what a missing key, or a value of another sort, gives
    if isinstance(value, bool):
        def boolean(fact) -> bool:
            if isinstance(fact, str):
                fact = _BOOLEAN_TEXT.get(fact.strip().casefold())
            return compare(fact is value, True) if isinstance(fact, bool) else missing
        return boolean
    wanted = as_number(value)
    text = None if op not in ("==", "!=") else str(value).strip().casefold()

    def other(fact) -> bool:
        if fact is None or isinstance(fact, bool):
            return missing
        if wanted is not None:
            got = fact if type(fact) is int else as_number(fact)
            if got is not None:
                return compare(got, wanted)
        if text is None or not isinstance(fact, str | int | float):
            return False if text is None else missing  # text never orders; a list is not a value
        return compare(str(fact).strip().casefold(), text)
    return other


# --- Phrases ----------------------------------------------------------------------------------


def _phrase_words(phrase: str) -> list[str]:
    """The phrase's words as the query language writes them (a trailing * kept)."""
    words = []
    for token in tokenize(phrase):
        if token.kind in ("word", "number"):
            words.append(token.norm)
        elif token.kind == "hashtag":
            words.append(token.norm[1:])
        elif token.text == "*" and words and phrase[token.start - 1:token.start].strip():
            words[-1] += "*"
        elif token.text == "*":
            words.append("*")
    return words


def _phrase_problem(phrase: str) -> str | None:
    words = _phrase_words(phrase)
    if not words:
        return "phrase_words"
    if any(w.startswith("*") or w.count("*") > 1 or (w.endswith("*") and len(w) < 3) for w in words):
        return "phrase_wildcard"
    return None


def _word_node(word: str):
    if word.endswith("*"):
        return q.Prefix(word[:-1])
    forms = _FORMS.get(word)
    if forms is None:
        return q.Term(word)
    return q.Terms([q.Term(normalize(form)) for form in forms])


class _InOrder:
    """A phrase's words in order within one clause: at most PHRASE_GAP words between two of
    them, none of which starts a new clause, and no punctuation that ends one. Hits as the query nodes give
    them ((first word, last word) positions)."""

    __slots__ = ("parts",)

    def __init__(self, parts):
        self.parts = parts

    def hits(self, doc: q.Doc) -> list[tuple[int, int]]:
        chains = self.parts[0].hits(doc)
        for part in self.parts[1:]:
            if not chains:
                return []
            positions = part.hits(doc)
            if not positions:
                return []
            chains = [(first, p1) for first, last in chains for p0, p1 in positions
                      if last < p0 <= last + 1 + PHRASE_GAP and _one_clause(doc, last, p0)]
        return chains


def _one_clause(doc: q.Doc, left: int, right: int) -> bool:
    """No clause starts between word `left` and word `right` ("sa att priset gick upp")."""
    if any(doc.norms[i] in CLAUSE_WORDS for i in range(left + 1, right)):
        return False
    return not _CLAUSE_END.search(doc.text, doc.words[left][1], doc.words[right][0])


def _phrase_matcher(phrases: list[str]):
    """One query node for a list of phrases: single words looked up together (one set
    intersection per comment), longer phrases as words in order."""
    singles, nodes = [], []
    for phrase in phrases:
        words = _phrase_words(phrase)
        if len(words) == 1:
            node = _word_node(words[0])
            (singles if isinstance(node, q.Term) else nodes).append(node)
        else:
            nodes.append(_InOrder([_word_node(w) for w in words]))
    if len(singles) > 1:
        nodes.insert(0, q.Terms(singles))
    elif singles:
        nodes.insert(0, singles[0])
    return nodes[0] if len(nodes) == 1 else q.Or(nodes)


# --- Compiling --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompiledCondition:
    tree: object
    test: Callable[[ResponseFacts], bool] = field(repr=False, compare=False)
    needs_analysis: bool  # uses sentiment or topics: evaluate after the comment's analysis
    needs_comment_text: bool  # uses phrases

    def matches(self, facts: ResponseFacts) -> bool:
        return self.test(facts)


def compile_rule(tree) -> CompiledCondition:
    """The tree as a fast test; raises ConditionInvalid (with `validate`'s errors) when it is not valid."""
    errors = validate(tree)
    if errors:
        raise ConditionInvalid(errors)
    flags = set()
    test = _compile(tree, flags)
    return CompiledCondition(tree, test, bool(flags & {"sentiment", "topic"}), "phrase" in flags)


def _compile(node: Mapping, flags: set) -> Callable[[ResponseFacts], bool]:
    kind = next(key for key in node if key in COMBINATORS or key in LEAVES)
    flags.add(kind)
    value = node[kind]
    if kind == "not":
        child = _compile(value, flags)
        return lambda facts: not child(facts)
    if kind in ("all", "any"):
        # Cheap tests first: a phrase is looked for only when the rest of an "all" holds (the
        # order changes no result; the tests have no side effects).
        children = tuple(_compile(item, flags) for item in sorted(value, key=_cost))
        if len(children) == 1:
            return children[0]
        # Plain loops, not all()/any() over a generator: this runs for every rule on every response.
        if kind == "all":
            def every(facts):
                for child in children:  # noqa: SIM110
                    if not child(facts):
                        return False
                return True
            return every

        def some(facts):
            for child in children:  # noqa: SIM110
                if child(facts):
                    return True
            return False
        return some
    return _LEAF_COMPILERS[kind](node)


def _cost(node: Mapping) -> int:
    kind = next(key for key in node if key in COMBINATORS or key in LEAVES)
    if kind == "not":
        return _cost(node["not"])
    if kind in ("all", "any"):
        return max(map(_cost, node[kind]))
    return 2 if kind == "phrase" else 1 if kind in ("attribute", "metadata") else 0


def _score(node):
    kind, compare, wanted = node["score"], OPERATORS[node["op"]], node["value"]
    question = node.get("question")

    def test(facts):
        for question_id, answer_kind, got in facts.scores:
            if answer_kind == kind and (question is None or question_id == question) and got is not None \
                    and compare(got, wanted):
                return True
        return False
    return test


def _exact(attribute: str):
    def build(node):
        wanted = frozenset(node[attribute])
        return lambda facts: getattr(facts, attribute) in wanted
    return build


def _folded(attribute: str):
    def build(node):
        wanted = frozenset(v.strip().casefold() for v in node[attribute])
        return lambda facts: (getattr(facts, attribute) or "").strip().casefold() in wanted
    return build


def _unit(node):
    needles = tuple(f"/{unit_id}/" for unit_id in node["unit"])
    # The unit itself or below it: its id is a segment of the response's unit path.
    return lambda facts: any(needle in (facts.unit_path or "") for needle in needles)


def _survey(node):
    wanted = frozenset(node["survey"])
    return lambda facts: facts.survey_id in wanted


def _comparison(source: str):
    def build(node):
        key, compare = node[source], _comparer(node["op"], node["value"])
        getter = operator.attrgetter("attributes" if source == "attribute" else "metadata")

        def test(facts):
            values = getter(facts)
            return compare(values.get(key) if isinstance(values, Mapping) else None)
        return test
    return build


def _topic(node):
    wanted = frozenset(node["topic"])
    return lambda facts: not wanted.isdisjoint(facts.topics)


class _PhraseWords:
    """Every word of every phrase compiled in this process, one bit each, and a memo of which of
    them each word of a comment can be. A response's comment is then read once for all its
    rules' phrases (`bits_of`): one dictionary lookup per distinct word. Registering a new
    phrase word replaces the whole state, so a reader never mixes an old memo with new bits."""

    def __init__(self):
        # (key → bits of the words matching on it, wildcard prefix → bit, memo word → bits, signatures)
        self.state: tuple[dict, dict, dict, dict] = ({}, {}, {}, {})

    def bit(self, node) -> int:
        """The bit of a phrase word's query node (a Term, Terms or Prefix)."""
        if isinstance(node, q.Prefix):
            signature = ("*", node.prefix)
        else:
            terms = node.terms if isinstance(node, q.Terms) else [node]
            signature = ("=", frozenset(k for term in terms for k in term.keys("other")))
        key_bits, prefix_bits, _, signatures = self.state
        bit = signatures.get(signature)
        if bit is None:
            bit = 1 << len(signatures)
            signatures, key_bits, prefix_bits = {**signatures, signature: bit}, dict(key_bits), dict(prefix_bits)
            if signature[0] == "*":
                prefix_bits[signature[1]] = bit
            else:
                for key in signature[1]:
                    key_bits[key] = key_bits.get(key, 0) | bit
            self.state = (key_bits, prefix_bits, {}, signatures)
        return bit

    def bits_of(self, facts: "ResponseFacts") -> int:
        """The phrase words the response's comment holds (with any inflection), as bits."""
        state = self.state
        cached = facts._phrase_bits
        if cached is not None and cached[0] is state:
            return cached[1]
        key_bits, prefix_bits, memo, _ = state
        found = 0
        for word in facts.words():
            bits = memo.get(word)
            if bits is None:
                bits = 0
                for key in morphology.word_keys(normalize(word), "other"):
                    bits |= key_bits.get(key, 0)
                    if prefix_bits:
                        for n in range(2, len(key) + 1):
                            bits |= prefix_bits.get(key[:n], 0)
                if len(memo) >= 200_000:
                    memo.clear()
                memo[word] = bits
            found |= bits
        object.__setattr__(facts, "_phrase_bits", (state, found))
        return found


_PHRASE_WORDS = _PhraseWords()


class _PhraseLeaf:
    """A phrase condition. Most comments hold none of the words of any phrase, which the
    comment's phrase-word bits say at once (`_PhraseWords`). The word set they come from is the
    Doc's words, so a one-word phrase found so is a match; only a comment that holds every word
    of a longer phrase is prepared as a `query.Doc` and matched in full (in order, in one clause)."""

    __slots__ = ("matcher", "single", "wanted")

    def __init__(self, phrases: list[str]):
        self.matcher = _phrase_matcher(phrases)
        self.wanted = []  # per phrase of several words, the bits of all its words
        self.single = 0  # the bits of the one-word phrases
        for phrase in phrases:
            words = _phrase_words(phrase)
            mask = 0
            for word in words:
                mask |= _PHRASE_WORDS.bit(_word_node(word))
            if len(words) == 1:
                self.single |= mask
            else:
                self.wanted.append(mask)

    def __call__(self, facts: ResponseFacts) -> bool:
        if not facts.comment:
            return False
        found = _PHRASE_WORDS.bits_of(facts)
        if found & self.single:
            return True
        for mask in self.wanted:
            if found & mask == mask:
                return bool(self.matcher.hits(facts.doc()))
        return False


def _phrase(node):
    return _PhraseLeaf(node["phrase"])


_LEAF_COMPILERS = {
    "score": _score,
    "touchpoint": _exact("touchpoint"),
    "survey": _survey,
    "unit": _unit,
    "channel": _folded("channel"),
    "language": _folded("language"),
    "segment": _folded("segment"),
    "attribute": _comparison("attribute"),
    "metadata": _comparison("metadata"),
    "sentiment": _exact("sentiment"),
    "topic": _topic,
    "phrase": _phrase,
}


def phrase_spans(phrases: list[str], text: str) -> list[tuple[int, int]]:
    """Where the phrases occur in a text (character spans, merged), for highlighting in a case."""
    return q.Query(" OR ".join(phrases), _phrase_matcher(phrases)).match(q.Doc(text, "other"))


# --- Describing -------------------------------------------------------------------------------


def describe(tree, language: str = "en", labels: Mapping[str, Mapping] | None = None) -> str:
    """A short human-readable summary of a valid tree in the UI `language`, for rule lists and
    previews. `labels` names what the tree holds as codes and ids: {"touchpoint": {code: name},
    "survey": {id: name}, "unit": {id: name}, "question": {id: text}, "topic": {code: name}}."""
    return _Describer(catalogue(language).gettext, labels or {}).node(tree, top=True)


class _Describer:
    def __init__(self, gettext, labels: Mapping[str, Mapping]):
        self.tr = gettext
        self.labels = labels

    def name(self, kind: str, value) -> str:
        got = self.labels.get(kind, {}).get(value)
        if got is not None:
            return str(got)
        if kind == "sentiment":
            return self.tr(SENTIMENT_NAMES.get(value, value))
        return self.quoted(value) if kind in ("phrase", "segment") else str(value)

    def quoted(self, text) -> str:
        return self.tr(PHRASES["quoted"]) % {"text": text}

    def values(self, kind: str, values) -> str:
        names = [self.name(kind, v) for v in values]
        if len(names) == 1:
            return names[0]
        return f"{', '.join(names[:-1])} {self.tr(PHRASES['or'])} {names[-1]}"

    def node(self, node, top: bool = False) -> str:
        kind = next(key for key in node if key in COMBINATORS or key in LEAVES)
        value = node[kind]
        if kind == "not":
            return self.tr(PHRASES["not"]) % {"condition": self.node(value, top=True)}
        if kind in ("all", "any"):
            if len(value) == 1:
                return self.node(value[0], top=top)
            word = self.tr(PHRASES["and" if kind == "all" else "or"])
            text = f" {word} ".join(self.node(child) for child in value)
            return text if top else f"({text})"
        if kind == "score":
            params = {"score": self.tr(SCORE_NAMES[value]), "op": OPERATOR_SIGNS[node["op"]],
                      "value": _number_text(node["value"])}
            if "question" in node:
                params["question"] = self.name("question", node["question"])
                return self.tr(PHRASES["score_question"]) % params
            return self.tr(PHRASES["score"]) % params
        if kind in ("attribute", "metadata"):
            shown = node["value"]
            shown = _number_text(shown) if _is_number(shown) else (
                str(shown).lower() if isinstance(shown, bool) else self.quoted(shown))
            return self.tr(PHRASES[kind]) % {"key": value, "op": OPERATOR_SIGNS[node["op"]], "value": shown}
        return self.tr(PHRASES[kind]) % {"values": self.values(kind, value)}


def _number_text(value) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else str(value)
