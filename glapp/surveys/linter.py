"""The survey linter: what a CX professional would tell the author before a survey goes out.

Pure Python (no Django). `lint(definition, language)` reads a survey definition (the dict that
`publish_survey` freezes) and returns `Finding`s: errors make a survey unanswerable or broken
(publishing should be refused), warnings make the answers worse (too long, leading, two
questions in one, asking what we know, scales that disagree).

Wording rules read each text in its own language: Swedish patterns `sv` texts, English patterns
`en` texts; texts in other languages get only the structural rules. Messages are written in the
author's language (`language`, sv or en; anything else falls back to English): they are UI text,
read from the UI catalogue through `glapp.core.i18n`. The word lists and messages live in
`linter_data.py`.

Decisions worth knowing:
- `too_many_questions` counts the longest path a respondent can take through the skip logic,
  not the number of questions: three follow-ups of which a respondent sees one cost one question.
- `one_sided_wording` ("Hur nöjd är du…") is its own, softer code beside `leading_wording`, so
  the builder can present it as advice; both are warnings.
- `double_barrelled` is checked on closed questions only: an open question may invite a story
  ("Vad var bra och vad kan vi göra bättre?").
- `scale_direction` reads stated anchors ("1 = mycket dåligt") and effort wording ("hur mycket
  ansträngning"); a scale question without either is taken as high = good, glapp's convention.
"""

import functools
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from glapp.core.i18n import catalogue, gettext_noop
from glapp.surveys import linter_data as data
from glapp.surveys import question_types as qt
from glapp.surveys.logic import condition_holds

ERROR = "error"
WARNING = "warning"
DEFAULT_KNOWN_FIELDS = ("first_name", "email", "phone", "store", "product", "agent", "date", "customer_id")
MAX_QUESTIONS = 4
WORDING_LANGUAGES = ("sv", "en")
# Types whose score glapp's metrics read with high = good (NPS, CES 5–7 = low effort, CSAT, LBA).
TYPED_SCALES = (qt.NPS, qt.CES, qt.CSAT, qt.LBA)
# Enumerating answer combinations for the path rules stops here (beyond it: count all questions).
MAX_SCENARIOS = 20_000

PLACEHOLDER = re.compile(r"\{([^{}\s]*)\}")


@dataclass(frozen=True)
class Finding:
    code: str             # stable rule code (see RULES)
    severity: str         # "error" (publish should be refused) or "warning"
    question: str | None  # question key, None for survey-level findings
    language: str | None  # the text language that triggered it
    message: str          # in the author's language: what, why and how to fix
    evidence: str = ""    # the words that matched, for highlighting


# (code, title, description) for docs and the builder's help; titles are UI labels (in the UI catalogue).
RULES: list[tuple[str, str, str]] = [
    ("too_many_questions", gettext_noop("Too many questions"),
     f"More than {MAX_QUESTIONS} questions on the longest path a respondent can take through the skip logic."),
    ("no_open_text", gettext_noop("No open question"),
     "No open-text question, or a path through the skip logic on which none is shown."),
    ("leading_wording", gettext_noop("Leading wording"),
     "Praise of what is rated, presumptive questions, agreement-seeking or tag questions."),
    ("one_sided_wording", gettext_noop("One-sided wording"),
     "Only one end of the scale is named (\"How satisfied…\" instead of \"How satisfied or dissatisfied…\")."),
    ("double_barrelled", gettext_noop("Double-barrelled"),
     "Two evaluative targets joined by and/or in a closed question (\"snabb och trevlig\", \"price and quality\")."),
    ("known_information", gettext_noop("Asks for known information"),
     "Asks for something glapp already knows (store, product, date, name, e-mail, phone, customer number, agent)."),
    ("scale_direction", gettext_noop("Scale direction"),
     "A scale worded or anchored with high = bad: on NPS/CES/CSAT/LBA, beside other high = good scales, "
     "or differently between languages."),
    ("nps_wording", gettext_noop("Non-standard NPS question"),
     "An NPS question that does not ask how likely the respondent is to recommend."),
    ("missing_translation", gettext_noop("Missing translation"),
     "A question, option label, thank-you or promoter link text lacks one of the survey's languages."),
    ("empty_question", gettext_noop("Empty question"), "A question without text in any language."),
    ("unknown_placeholder", gettext_noop("Unknown placeholder"),
     "A {placeholder} that is not one of the known fields."),
    ("piping_syntax", gettext_noop("Piping syntax"), "Unbalanced or nested [ ] or { } in a text."),
    ("skip_logic", gettext_noop("Skip-logic error"),
     "A condition on a missing or later question, the wrong kind of test for the question's type, options "
     "that do not exist or a range that can never hold."),
    ("duplicate_key", gettext_noop("Duplicate key"), "Two questions share a key."),
    ("unknown_type", gettext_noop("Unknown question type"), "A question type glapp does not know."),
    ("no_options", gettext_noop("No options"), "A single or multiple choice question without options."),
    ("required_open_text", gettext_noop("Required open text"), "An open-text question marked required."),
    ("long_question", gettext_noop("Long question"),
     f"A question text longer than {data.LONG_QUESTION_WORDS} words."),
]
SEVERITY = {"empty_question": ERROR, "skip_logic": ERROR, "duplicate_key": ERROR, "unknown_type": ERROR,
            "no_options": ERROR}
RULE_ORDER = {code: index for index, (code, *_rest) in enumerate(RULES)}


def lint(definition: Mapping, language: str = "en",
         known_fields: Iterable[str] = DEFAULT_KNOWN_FIELDS) -> list[Finding]:
    """Every finding for a survey definition, survey-level first, then question by question."""
    lint_run = _Run(definition or {}, language if language in ("sv", "en") else "en", tuple(known_fields))
    findings = lint_run.run()
    position = {q["key"]: i for i, q in enumerate(lint_run.questions)}
    return sorted(findings, key=lambda f: (-1 if f.question is None else position.get(f.question, -1),
                                           f.severity != ERROR, RULE_ORDER.get(f.code, 99)))


def _question_text_items(question: Mapping) -> list[tuple[str, str]]:
    texts = _mapping(question.get("texts"))
    return [(lang, text) for lang, text in texts.items() if isinstance(text, str) and text.strip()]


def _scale_bounds(question: Mapping) -> tuple[int, int] | None:
    spec = qt.TYPES.get(question.get("type"))
    if spec is None or spec.kind != "number":
        return None
    high = question.get("scale_max") if question.get("type") == qt.RATING and question.get("scale_max") else spec.max
    return spec.min, high


class _Run:
    def __init__(self, definition: Mapping, language: str, known_fields: tuple[str, ...]):
        self.definition = definition
        self.language = language
        self.catalogue = catalogue(language)
        self.language_names = data.language_names(self.catalogue)
        self.known = known_fields
        self.questions = [q for q in (definition.get("questions") or []) if isinstance(q, Mapping) and q.get("key")]
        self.by_key = {q["key"]: q for q in self.questions}
        self.findings: list[Finding] = []
        self.broken: set[str] = set()  # questions whose condition is flagged: never shown on a path

    # --- plumbing ---------------------------------------------------------------------------
    def add(self, code: str, question: str | None, language: str | None, variant: str = "", evidence: str = "",
            **params) -> None:
        template = self.catalogue.gettext(data.MESSAGES[f"{code}.{variant}" if variant else code])
        message = template.format(evidence=evidence,
                                  language_name=self.language_names.get(language or "", language or ""), **params)
        self.findings.append(Finding(code, SEVERITY.get(code, WARNING), question, language, message, evidence))

    def languages(self) -> list[str]:
        declared = [lang for lang in (self.definition.get("languages") or []) if isinstance(lang, str)]
        if declared:
            return declared
        seen: dict[str, None] = {}
        for q in self.questions:
            for lang, _text in _question_text_items(q):
                seen.setdefault(lang, None)
        return list(seen)

    def run(self) -> list[Finding]:
        self.check_structure()
        self.check_paths()
        self.check_survey_texts()
        directions = {}
        for q in self.questions:
            self.check_question_texts(q)
            directions[q["key"]] = self.scale_directions(q)
        self.check_scale_direction(directions)
        return self.findings

    # --- structure: keys, types, options, skip logic -----------------------------------------
    def check_structure(self) -> None:
        seen: set[str] = set()
        for index, q in enumerate(self.questions):
            key, qtype = q["key"], q.get("type")
            if key in seen:
                self.add("duplicate_key", key, None, evidence=key)
            seen.add(key)
            if qtype not in qt.TYPES:
                self.add("unknown_type", key, None, evidence=str(qtype), types=", ".join(qt.TYPES))
            if qtype in (qt.SINGLE, qt.MULTI) and not q.get("options"):
                self.add("no_options", key, None)
            if qtype == qt.TEXT and q.get("required"):
                self.add("required_open_text", key, None)
            self.check_show_if(q, index)

    def check_show_if(self, q: Mapping, index: int) -> None:
        key = q["key"]
        before = len(self.findings)
        self.check_condition(q, key, index)
        if len(self.findings) > before:
            self.broken.add(key)

    def check_condition(self, q: Mapping, key: str, index: int) -> None:
        show_if = q.get("show_if") or {}
        if not show_if:
            return
        if not isinstance(show_if, Mapping):
            self.add("skip_logic", key, None, "no_test")
            return
        target_key = show_if.get("question")
        target = self.by_key.get(target_key)
        if target is None:
            self.add("skip_logic", key, None, "missing", evidence=str(target_key))
            return
        if self.questions.index(target) >= index:
            self.add("skip_logic", key, None, "order", evidence=str(target_key))
            return
        bounds = _scale_bounds(target)
        has_range = show_if.get("min") is not None or show_if.get("max") is not None
        if "in" in show_if:
            if not isinstance(show_if["in"], list | tuple):
                self.add("skip_logic", key, None, "no_test")
                return
            if bounds is not None:
                self.add("skip_logic", key, None, "in_on_score", evidence=str(target_key))
                return
            allowed = qt.EMOTIONS if target.get("type") == qt.EMOTION else (target.get("options") or [])
            if target.get("type") != qt.TEXT:
                unknown = [str(v) for v in (show_if.get("in") or []) if v not in allowed]
                if unknown or not show_if.get("in"):
                    self.add("skip_logic", key, None, "unknown_option", evidence=", ".join(unknown) or "[]",
                             target=str(target_key))
        elif has_range:
            if bounds is None:
                self.add("skip_logic", key, None, "range_on_choice", evidence=str(target_key))
                return
            if any(show_if.get(end) is not None and not _is_number(show_if.get(end)) for end in ("min", "max")):
                self.add("skip_logic", key, None, "impossible_range", evidence=f"{show_if.get('min')}–"
                         f"{show_if.get('max')}", low=bounds[0], high=bounds[1])
                return
            low = show_if.get("min") if show_if.get("min") is not None else bounds[0]
            high = show_if.get("max") if show_if.get("max") is not None else bounds[1]
            if low > high or high < bounds[0] or low > bounds[1]:
                self.add("skip_logic", key, None, "impossible_range", evidence=f"{low}–{high}",
                         low=bounds[0], high=bounds[1])
        else:
            self.add("skip_logic", key, None, "no_test")

    # --- paths: length and open questions --------------------------------------------------
    def scenarios(self) -> list[dict] | None:
        """Answer combinations for every question a condition refers to (None: too many to try)."""
        referenced: dict[str, list] = {}
        for q in self.questions:
            target = self.by_key.get(_condition(q).get("question"))
            if q["key"] in self.broken or target is None or target["key"] in referenced:
                continue
            referenced[target["key"]] = self.candidate_answers(target)
        total = 1
        for values in referenced.values():
            total *= max(1, len(values))
        if total > MAX_SCENARIOS:
            return None
        keys = list(referenced)
        return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*referenced.values())]

    def candidate_answers(self, q: Mapping) -> list:
        bounds = _scale_bounds(q)
        if bounds is not None:
            return list(range(bounds[0], bounds[1] + 1))
        if q.get("type") == qt.EMOTION:
            return list(qt.EMOTIONS)
        mentioned = [v for other in self.questions if other["key"] not in self.broken
                     and _condition(other).get("question") == q["key"] for v in (_condition(other).get("in") or [])]
        options = list(q.get("options") or []) or [*dict.fromkeys(mentioned), "\0other"]
        if q.get("type") == qt.MULTI:
            return [[option] for option in options] + [options]
        return options

    def path(self, answers: Mapping) -> list[Mapping]:
        """The questions a respondent who gives `answers` sees (answers of hidden questions don't count)."""
        seen, given = [], {}
        for q in self.questions:
            if q["key"] not in self.broken and condition_holds(_condition(q), given):
                seen.append(q)
                if q["key"] in answers:
                    given[q["key"]] = answers[q["key"]]
        return seen

    def check_paths(self) -> None:
        total = len(self.questions)
        scenarios = self.scenarios()
        paths = [self.path(s) for s in scenarios] if scenarios is not None else None
        longest = max((len(p) for p in paths), default=0) if paths is not None else total
        if longest > MAX_QUESTIONS:
            self.add("too_many_questions", None, None, "hidden" if longest < total else "", path=longest, total=total)
        if not any(q.get("type") == qt.TEXT for q in self.questions):
            if self.questions:
                self.add("no_open_text", None, None)
            return
        for scenario, path in zip(scenarios or [], paths or [], strict=True):
            if not any(q.get("type") == qt.TEXT for q in path):
                described = ", ".join(f"{key} = {self.describe(value)}" for key, value in scenario.items()
                                      if key in {q["key"] for q in path})
                self.add("no_open_text", None, None, "some_paths", evidence=described, scenario=described)
                return

    @staticmethod
    def describe(value) -> str:
        if isinstance(value, list):
            return "[" + ", ".join(map(str, value)) + "]"
        return "…" if value == "\0other" else str(value)

    # --- survey-level texts ----------------------------------------------------------------
    def check_survey_texts(self) -> None:
        thank_you = _mapping(self.definition.get("thank_you"))
        if any(isinstance(t, str) and t.strip() for t in thank_you.values()):
            for lang in self.languages():
                if not _text(thank_you.get(lang)):
                    self.add("missing_translation", None, lang, "thank_you")
        if self.definition.get("promoter_link"):
            labels = _mapping(self.definition.get("promoter_link_label"))
            for lang in self.languages():
                if not _text(labels.get(lang)):
                    self.add("missing_translation", None, lang, "promoter_link")
        for lang, text in thank_you.items():
            if isinstance(text, str):
                self.check_piping(None, lang, text)

    # --- per-question texts -------------------------------------------------------------------
    def check_question_texts(self, q: Mapping) -> None:
        key = q["key"]
        items = _question_text_items(q)
        if not items:
            self.add("empty_question", key, None)
            return
        present = {lang for lang, _text in items}
        for lang in self.languages():
            if lang not in present:
                self.add("missing_translation", key, lang)
        self.check_option_labels(q)
        for lang, text in items:
            self.check_piping(key, lang, text)
            words = len(re.findall(r"[^\s]+", PLACEHOLDER.sub("x", text)))
            if words > data.LONG_QUESTION_WORDS:
                self.add("long_question", key, lang, words=words, limit=data.LONG_QUESTION_WORDS)
            if lang in WORDING_LANGUAGES:
                self.check_wording(q, lang, text)

    def check_option_labels(self, q: Mapping) -> None:
        if q.get("type") not in (qt.SINGLE, qt.MULTI) or not q.get("options"):
            return
        labels = _mapping(q.get("option_texts"))
        for lang in self.languages():
            given = _mapping(labels.get(lang))
            missing = [str(o) for o in q["options"] if not isinstance(o, str) or not _text(given.get(o))]
            if missing:
                self.add("missing_translation", q["key"], lang, "options", evidence=", ".join(missing))

    def check_piping(self, key: str | None, lang: str, text: str) -> None:
        for name in dict.fromkeys(PLACEHOLDER.findall(text)):
            if name not in self.known:
                self.add("unknown_placeholder", key, lang, evidence="{" + name + "}",
                         known=", ".join("{" + f + "}" for f in self.known))
        problem = _bracket_problem(text)
        if problem:
            self.add("piping_syntax", key, lang, evidence=problem)

    def check_wording(self, q: Mapping, lang: str, text: str) -> None:
        key, qtype = q["key"], q.get("type")
        praise = data.PRAISE_PATTERNS[lang].search(text)
        if praise and not _is_anchor(text, praise):
            self.add("leading_wording", key, lang, "praise", evidence=praise.group(0))
        elif match := data.POSSESSIVE_PRAISE[lang].search(text):
            self.add("leading_wording", key, lang, "praise", evidence=match.group(0))
        restricted = self.restricted_to(q)
        for polarity, patterns in (("high", data.PRESUMPTIVE_POSITIVE[lang]), ("low", data.PRESUMPTIVE_NEGATIVE[lang])):
            match = _first_match(patterns, text)
            if match and restricted != polarity:
                self.add("leading_wording", key, lang, "presumptive", evidence=match.group(0))
        if match := _first_match(data.AGREEMENT_SEEKING[lang], text):
            self.add("leading_wording", key, lang, "agreement", evidence=match.group(0))
        if match := data.ONE_SIDED[lang].search(text):
            self.add("one_sided_wording", key, lang, evidence=match.group(0))
        if qtype != qt.TEXT and (evidence := _double_barrelled(lang, text)):
            self.add("double_barrelled", key, lang, evidence=evidence)
        for field, pattern in data.KNOWN_INFORMATION[lang]:
            match = re.search(pattern, text, re.IGNORECASE)
            if match and field in self.known:
                self.add("known_information", key, lang, evidence=match.group(0).strip(" ?"), field=field,
                         placeholder="{" + field + "}")
                break
        if qtype == qt.NPS and not data.NPS_CORE[lang].search(_without_optional_parts(text)):
            hint = next((" " + self.catalogue.gettext(data.MESSAGES[f"nps_wording.{name}"])
                         for name, patterns in data.NPS_HINTS.items() if patterns[lang].search(text)), "")
            self.add("nps_wording", key, lang, evidence=text.strip(), hint=hint)

    def restricted_to(self, q: Mapping) -> str | None:
        """"high" or "low" when a question is shown only after a high or only after a low score."""
        show_if = _condition(q)
        target = self.by_key.get(show_if.get("question"))
        if target is None or q["key"] in self.broken:
            return None
        bounds = _scale_bounds(target)
        if bounds is not None:
            low, high = bounds
            span = high - low
            if show_if.get("min") is not None and show_if["min"] > low + span * 0.5:
                return "high"
            if show_if.get("max") is not None and show_if["max"] < low + span * 0.7:
                return "low"
            return None
        if target.get("type") == qt.EMOTION and show_if.get("in"):
            wanted = set(show_if["in"])
            if wanted <= set(qt.POSITIVE_EMOTIONS):
                return "high"
            if wanted <= set(qt.NEGATIVE_EMOTIONS):
                return "low"
        return None

    # --- scale direction ------------------------------------------------------------------
    def scale_directions(self, q: Mapping) -> dict[str, tuple[str, str]]:
        """Per language: ("good" or "bad" = what a high value means, the words that say so)."""
        bounds = _scale_bounds(q)
        if bounds is None:
            return {}
        found = {}
        for lang, text in _question_text_items(q):
            direction = _anchored_direction(text, bounds)
            if direction is None and lang in WORDING_LANGUAGES:
                match = data.EFFORT_WORDING[lang].search(text)
                if match:
                    direction = ("bad", match.group(0))
            found[lang] = direction or ("good", "")
        return found

    def check_scale_direction(self, directions: dict[str, dict[str, tuple[str, str]]]) -> None:
        for key, per_language in directions.items():
            bad = [(lang, words) for lang, (way, words) in per_language.items() if way == "bad"]
            if not bad:
                continue
            qtype = self.by_key[key].get("type")
            good_languages = [lang for lang, (way, _w) in per_language.items() if way == "good"]
            others_good = any(way == "good" for other, per in directions.items() if other != key
                              for way, _w in per.values())
            for lang, words in bad:
                if qtype in TYPED_SCALES:
                    self.add("scale_direction", key, lang, "typed", evidence=words, qtype=qtype.upper())
                elif good_languages:
                    other = self.language_names.get(good_languages[0], good_languages[0])
                    self.add("scale_direction", key, lang, "language", evidence=words, other=other)
                elif others_good:
                    self.add("scale_direction", key, lang, "mixed", evidence=words)


# --- helpers -----------------------------------------------------------------------------------
def _mapping(value) -> Mapping:
    return value if isinstance(value, Mapping) else {}


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _condition(question: Mapping) -> Mapping:
    show_if = question.get("show_if")
    return show_if if isinstance(show_if, Mapping) else {}


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _first_match(patterns: list[str], text: str) -> re.Match | None:
    for pattern in patterns:
        match = re.search(pattern, text, re.IGNORECASE)
        if match:
            return match
    return None


def _without_optional_parts(text: str) -> str:
    return re.sub(r"\[[^\[\]]*\]", " ", text)


def _bracket_problem(text: str) -> str:
    """The first unbalanced or nested bracket, with a little context; "" when the text is fine."""
    stack: list[tuple[str, int]] = []
    pairs = {"]": "[", "}": "{"}
    for index, char in enumerate(text):
        if char in "[{":
            if any(open_char == char for open_char, _i in stack) or (char == "[" and stack):
                return text[max(0, index - 15): index + 15]
            stack.append((char, index))
        elif char in "]}":
            if not stack or stack[-1][0] != pairs[char]:
                return text[max(0, index - 15): index + 15]
            stack.pop()
    if stack:
        index = stack[-1][1]
        return text[max(0, index - 15): index + 15]
    return ""


def _is_anchor(text: str, praise: re.Match) -> bool:
    """Whether a praising word labels a scale end ("5 = utmärkt", "from poor to excellent")."""
    spans = [(m.start(2), m.end(2)) for m in data.ANCHOR.finditer(text)]
    spans += [(m.start(group), m.end(group)) for m in data.FROM_TO.finditer(text) for group in (1, 2)]
    return any(start <= praise.start() < end for start, end in spans)


def _polarity(label: str) -> str | None:
    """"pos", "neg" or None for an anchor label such as "mycket dåligt" or "not at all likely"."""
    positive = data.POLAR_POSITIVE.search(label)
    negative = data.POLAR_NEGATIVE.search(label)
    if bool(positive) == bool(negative):
        return None
    if positive:
        negated = data.NEGATION.search(data.POLAR_POSITIVE.sub(" ", label))
        return "neg" if negated else "pos"
    negated = data.NEGATION.search(data.POLAR_NEGATIVE.sub(" ", label))
    return "pos" if negated else "neg"


def _anchored_direction(text: str, bounds: tuple[int, int]) -> tuple[str, str] | None:
    """What a high value means according to anchors stated in the text, with the anchor words.

    With two or more numbered anchors their order decides ("1 = bra … 5 = dåligt": high = bad,
    whatever the scale's top); a single anchor is placed against the middle of the scale.
    """
    anchors = []
    for match in data.ANCHOR.finditer(text):
        polarity = _polarity(match.group(2))
        if polarity is not None:
            anchors.append((int(match.group(1)), polarity, match.group(0).strip()))
    votes = []
    if len({number for number, _p, _w in anchors}) >= 2:
        lowest, highest = min(anchors), max(anchors)
        if lowest[1] != highest[1]:
            votes.append(("good" if highest[1] == "pos" else "bad", f"{lowest[2]}; {highest[2]}"))
    elif anchors:
        number, polarity, words = anchors[0]
        middle = (bounds[0] + bounds[1]) / 2
        if number != middle:
            votes.append(("good" if (polarity == "pos") == (number > middle) else "bad", words))
    for match in data.FROM_TO.finditer(text):
        start, end = _polarity(match.group(1)), _polarity(match.group(2))
        if start and end and start != end:
            votes.append(("good" if end == "pos" else "bad", match.group(0).strip()))
    if not votes or len({way for way, _words in votes}) > 1:
        return None  # nothing stated, or anchors that contradict each other
    return votes[0][0], "; ".join(words for _way, words in votes)


def _double_barrelled(lang: str, text: str) -> str:
    """The words that join two evaluative targets, or ""."""
    if match := data.AND_OR[lang].search(text):
        return match.group(0)
    fixed = [phrase for phrase in data.FIXED_EXPRESSIONS[lang] if phrase in text.lower()]
    pattern = _double_pattern(lang)
    for match in pattern.finditer(text):
        words = match.group(0)
        if any(phrase in words.lower() or words.lower() in phrase for phrase in fixed):
            continue
        first, second = match.group("a").lower(), match.group("b").lower()
        if first == second or _opposite_adjectives(lang, first, second):
            continue
        return words
    for match in data.PROPER_NOUN_PAIR.finditer(text):
        before = text[: match.start()].rstrip()
        if not before or before[-1] in ".!?:":
            continue  # sentence start: capitalised by grammar, not a name
        words = match.group(0)
        if any(phrase in words.lower() for phrase in data.FIXED_EXPRESSIONS[lang]):
            continue
        return words
    return ""


@functools.cache
def _double_pattern(lang: str) -> re.Pattern:
    """Evaluative item, conjunction, up to two filler words, evaluative item."""
    def item(name: str) -> str:
        return (f"(?P<{name}>{data.ADJECTIVES_POSITIVE[lang]}|{data.ADJECTIVES_NEGATIVE[lang]}|"
                f"{data.TARGETS[lang]}|" + r"\{\w+\})")
    return re.compile(r"(?<!\w)" + item("a") + r"\s*,?\s+(?:" + data.CONJUNCTIONS[lang] + r")\s+(?:(?:"
                      + data.FILLERS[lang] + r")\s+){0,2}" + item("b") + r"(?!\w)", re.IGNORECASE)


def _opposite_adjectives(lang: str, first: str, second: str) -> bool:
    """"bra eller dåligt", "easy or difficult": a balanced pair, not two questions."""
    positive = re.compile(rf"(?:{data.ADJECTIVES_POSITIVE[lang]})$", re.IGNORECASE)
    negative = re.compile(rf"(?:{data.ADJECTIVES_NEGATIVE[lang]})$", re.IGNORECASE)
    return bool((positive.match(first) and negative.match(second)) or (negative.match(first)
                                                                          and positive.match(second)))
