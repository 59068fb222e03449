"""A column's values as glapp reads them: the mapping's own value map first ("First Payment" →
first-payment, "Very satisfied" → 5, "N/A do not use" → blank), then, for touchpoints, units
and surveys, a value that is a code or the name of one; the rest as written. Each column counts
its source values and what they became, for the dry run, and names the touchpoints, units and
surveys that do not exist yet, so the import can offer to create them.

Suggestions for the mapping page and the command line are made here too: names, option texts
and the usual Likert labels in English and Swedish."""

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from django.utils.text import slugify

from glapp.responses.catalog import Catalog
from glapp.responses.importing.layout import QUESTION
from glapp.responses.models import Channel
from glapp.surveys import question_types as qt

REFERENCE_TARGETS = ("touchpoint", "unit", "survey")
COUNTED_TARGETS = (*REFERENCE_TARGETS, "channel", "language", "segment")
MAX_COUNTED = 200  # distinct values counted per column; the rest are summed as "other values"
BLANK = ""

MAPPED, RESOLVED, BLANKED, AS_IS, UNKNOWN = "mapped", "resolved", "blank", "as_is", "unknown"


def fold(text: str) -> str:
    """Case-, accent- and blank-insensitive form of a label: "  Very  Satisfied " → "very satisfied"."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode() or text
    return " ".join(re.sub(r"[^\w/+-]+", " ", text.casefold()).split())


def _labels(*pairs: tuple[str, int | str]) -> dict[str, int | str]:
    return {fold(label): value for label, value in pairs}


# The usual agreement and satisfaction scales, by length: label → score. "" = no answer.
LIKERT_5 = _labels(
    ("very dissatisfied", 1), ("dissatisfied", 2), ("neither satisfied nor dissatisfied", 3),
    ("neutral", 3), ("satisfied", 4), ("very satisfied", 5), ("extremely satisfied", 5),
    ("strongly disagree", 1), ("disagree", 2), ("neither agree nor disagree", 3), ("agree", 4),
    ("strongly agree", 5), ("very poor", 1), ("poor", 2), ("fair", 3), ("good", 4), ("very good", 5),
    ("excellent", 5), ("very bad", 1), ("bad", 2), ("average", 3),
    ("mycket missnöjd", 1), ("missnöjd", 2), ("varken nöjd eller missnöjd", 3), ("nöjd", 4), ("mycket nöjd", 5),
    ("instämmer inte alls", 1), ("instämmer inte", 2), ("instämmer delvis", 3), ("instämmer", 4),
    ("instämmer helt", 5), ("mycket dåligt", 1), ("dåligt", 2), ("varken bra eller dåligt", 3), ("bra", 4),
    ("mycket bra", 5),
)
LIKERT_7 = _labels(
    ("strongly disagree", 1), ("disagree", 2), ("somewhat disagree", 3), ("neither agree nor disagree", 4),
    ("somewhat agree", 5), ("agree", 6), ("strongly agree", 7),
    ("extremely difficult", 1), ("very difficult", 2), ("difficult", 3), ("neither easy nor difficult", 4),
    ("easy", 5), ("very easy", 6), ("extremely easy", 7),
)
NO_ANSWER = re.compile(
    r"^(n/?a\b.*|not applicable.*|don'?t know|do not know|dk|no answer|no opinion|prefer not to say|"
    r"ej aktuellt|vet ej|vet inte|ingen åsikt|inget svar|-)$")


def likert_score(label: str, qtype: str, scale_max: int | None = None) -> str | None:
    """The score a usual Likert label stands for on the question's scale ("" = no answer), or None."""
    folded = fold(label)
    if NO_ANSWER.match(folded):
        return BLANK
    top = scale_max if qtype == qt.RATING and scale_max else (qt.TYPES[qtype].max or 0)
    table = {5: LIKERT_5, 7: LIKERT_7}.get(top)
    if table and folded in table:
        return str(table[folded])
    return None


@dataclass
class ColumnValues:
    """One column's value map and counts; called for each non-empty cell of the column."""

    column: str
    target: str
    explicit: dict[str, str]
    known: dict[str, str] = field(default_factory=dict)  # fold(code or name) → code, for reference targets
    codes: frozenset = frozenset()
    counts: Counter = field(default_factory=Counter)
    other: int = 0
    folded: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        self.folded = {fold(k): v for k, v in self.explicit.items()}

    def __call__(self, value: str) -> str:
        counts = self.counts
        if value in counts or len(counts) < MAX_COUNTED:
            counts[value] += 1
        else:
            self.other += 1
        return self.resolve(value)[0]

    def resolve(self, value: str) -> tuple[str, str]:
        """(what the value becomes, how: mapped, resolved, blank, as_is or unknown)."""
        mapped = self.explicit.get(value)
        if mapped is None and self.folded:
            mapped = self.folded.get(fold(value))
        if mapped is not None:
            if mapped == BLANK:
                return mapped, BLANKED
            if self.target in REFERENCE_TARGETS and mapped not in self.codes:
                # People map values to what they see in glapp: a touchpoint's name as often as its code.
                code = self.known.get(fold(mapped)) or self.known.get(slugify(mapped))
                if code is not None:
                    return code, MAPPED
                return mapped, UNKNOWN  # mapped to a code nothing has yet: one to create
            return mapped, MAPPED
        if self.target in REFERENCE_TARGETS or self.target == QUESTION:
            if value in self.codes:
                return value, AS_IS
            code = self.known.get(fold(value)) or self.known.get(slugify(value))
            if code is not None:
                return code, RESOLVED
            return value, UNKNOWN
        if self.target == "channel":
            code = _CHANNELS.get(fold(value))
            return (code, RESOLVED if code != value else AS_IS) if code else (value, UNKNOWN)
        return value, AS_IS

    def summary(self) -> dict:
        rows = []
        for source, count in sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0])):
            becomes, how = self.resolve(source)
            rows.append([source, becomes, count, how])
        return {"target": self.target, "values": rows, "other": self.other}


_CHANNELS = {**{fold(v): v for v in Channel.values}, **{fold(str(label)): v for v, label in Channel.choices},
             "e-mail": "email", "mail": "email", "telephone": "phone", "call": "phone", "telefon": "phone",
             "butik": "store", "in-store": "store", "webb": "web", "mobile app": "app", "app": "app"}


@dataclass
class References:
    """Codes and names of the organization's touchpoints, units and surveys, folded for lookup."""

    known: dict[str, dict[str, str]]
    codes: dict[str, frozenset]
    names: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # (code, name), to offer on the page

    @classmethod
    def load(cls, organization_id: int, catalog: Catalog) -> "References":
        from glapp.accounts.models import Unit
        from glapp.journeys.models import Touchpoint
        from glapp.surveys.models import Survey

        known: dict[str, dict[str, str]] = {}
        codes: dict[str, frozenset] = {}
        names: dict[str, list[tuple[str, str]]] = {}
        for target, model, active in (("touchpoint", Touchpoint, None), ("unit", Unit, None),
                                      ("survey", Survey, set(catalog.surveys))):
            table = {}
            pairs = list(model.objects.for_org(organization_id).values_list("code", "name"))
            if active is not None:
                pairs = [(c, n) for c, n in pairs if c in active]
            for code, name in pairs:
                table.setdefault(fold(name), code)
                table.setdefault(slugify(name), code)
            for code, _name in pairs:
                table[fold(code)] = code
            known[target] = table
            codes[target] = frozenset(c for c, _ in pairs)
            names[target] = sorted(pairs, key=lambda pair: pair[1].casefold())
        return cls(known, codes, names)


def question_labels(catalog: Catalog, survey_code: str | None = None) -> tuple[dict[str, str], frozenset]:
    """A long file's question cells → question keys: each question's key and texts (any
    language); the questions of the file's survey (`survey_code`) first, then the others'."""
    known: dict[str, str] = {}
    keys = set()
    surveys = sorted(catalog.surveys.values(), key=lambda s: s.code != survey_code)
    for survey in surveys:
        for key in survey.questions:
            keys.add(key)
            known.setdefault(fold(key), key)
        for key, question in survey.questions.items():
            for text in (question.texts or {}).values():
                if isinstance(text, str) and text.strip():
                    known.setdefault(fold(text), key)
    return known, frozenset(keys)


def column_values(header: list[str], mapping: dict[str, str], explicit: dict[str, dict[str, str]],
                  references: References | None, counted_questions: set[str]) -> dict[int, ColumnValues]:
    """The value maps of a file's columns, by index: every column with a value map, every column
    mapped to a touchpoint, unit, survey or channel, and the questions in `counted_questions`."""
    out = {}
    for index, column in enumerate(header):
        target = mapping.get(column, column)
        if not target:
            continue
        if column in explicit or target in COUNTED_TARGETS or target in counted_questions:
            ref = references and target in REFERENCE_TARGETS
            out[index] = ColumnValues(column, target, dict(explicit.get(column, {})),
                                      known=references.known[target] if ref else {},
                                      codes=references.codes[target] if ref else frozenset())
    return out


def missing_references(columns, defaults: dict[str, str] | None = None,
                       references: References | None = None) -> dict[str, list[dict]]:
    """Touchpoints, units and surveys the file names that do not exist: each with a code derived
    from its name, the name as written, and how many rows name it."""
    out: dict[str, dict[str, dict]] = {t: {} for t in REFERENCE_TARGETS}
    for values in columns:
        if values.target not in REFERENCE_TARGETS:
            continue
        for source, count in values.counts.items():
            becomes, how = values.resolve(source)
            if how != UNKNOWN:
                continue
            code = suggested_code(becomes)
            if not code:
                continue
            entry = out[values.target].setdefault(code, {"code": code, "name": source.strip()[:200], "rows": 0})
            entry["rows"] += count
    for target, value in (defaults or {}).items():
        if target in REFERENCE_TARGETS and value and references and value not in references.codes[target]:
            code = suggested_code(value)
            out[target].setdefault(code, {"code": code, "name": value, "rows": 0})
    return {t: sorted(entries.values(), key=lambda e: e["code"]) for t, entries in out.items() if entries}


def suggested_code(value: str) -> str:
    """A code derived from a name, as the journey editor derives them: "First Payment" → first-payment."""
    return slugify(value)[:80].strip("-")


def suggest_values(target: str, distinct: list[str], catalog: Catalog, references: References | None,
                   question=None) -> dict[str, str]:
    """A starting value map for a column: names to codes, option texts to option codes, Likert
    labels to scores, "N/A" to blank. Values already read as they are get no entry."""
    out: dict[str, str] = {}
    if target in REFERENCE_TARGETS or target == "channel":
        probe = ColumnValues("", target, {}, known=references.known.get(target, {}) if references else {},
                             codes=references.codes.get(target, frozenset()) if references else frozenset())
        for value in distinct:
            becomes, how = probe.resolve(value)
            if how == RESOLVED:
                out[value] = becomes
            elif how == UNKNOWN and target in REFERENCE_TARGETS and suggested_code(value) != value:
                out[value] = suggested_code(value)  # the code it gets when the import creates it
        return out
    if question is None:
        return out
    if qt.TYPES[question.type].kind == "number":
        for value in distinct:
            if _is_number(value):
                continue
            score = likert_score(value, question.type, question.scale_max)
            if score is not None:
                out[value] = score
    elif qt.TYPES[question.type].kind in ("choice", "choices"):
        options = qt.EMOTIONS if question.type == qt.EMOTION else (question.options or [])
        by_label = {}
        for code in options:
            by_label[fold(code)] = code
            by_label[slugify(code)] = code
            for text in ((question.option_texts or {}).get(code) or {}).values():
                by_label[fold(str(text))] = code
        for value in distinct:
            if value in options:
                continue
            code = by_label.get(fold(value)) or by_label.get(slugify(value))
            if code:
                out[value] = code
            elif NO_ANSWER.match(fold(value)):
                out[value] = BLANK
    return out


def _is_number(value: str) -> bool:
    try:
        float(value.replace(",", "."))
    except ValueError:
        return False
    return True
