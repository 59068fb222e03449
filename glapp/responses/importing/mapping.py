"""Which file column is which glapp column: suggested from the header (Swedish and English
names), checked, and compiled into a `RowMapper` that turns each row into the API's shape."""

import re
import unicodedata

from glapp.core.errors import FieldError
from glapp.responses.catalog import Catalog
from glapp.responses.importing.dates import DateUnreadable
from glapp.responses.importing.layout import ANSWER, LONG_TARGETS, QUESTION
from glapp.responses.tabular import META_PREFIX, STANDARD_COLUMNS, unguard_formula
from glapp.surveys import question_types as qt

DEFAULT_FIELDS = ("survey", "touchpoint", "unit", "channel", "language", "segment")


def normalize_name(text: str) -> str:
    """Case- and diacritic-insensitive name: "Språk " → "sprak", "Kund-ID" → "kund_id"."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


ALIASES = {
    "submitted_at": {"datum", "date", "svarsdatum", "tidpunkt", "timestamp", "tid", "besvarad", "answered_at",
                     "created", "created_at", "submitted", "inskickad"},
    "customer_id": {"kundnummer", "kundnr", "kund_id", "kundid", "kund", "customer", "customer_number",
                    "customer_no", "kund_nr"},
    "external_id": {"id", "svar_id", "svarsid", "svars_id", "response_id", "responseid"},
    "channel": {"kanal"},
    "language": {"sprak", "lang", "locale"},
    "unit": {"enhet", "butik", "store", "avdelning", "kontor"},
    "touchpoint": {"kontaktpunkt", "beroringspunkt"},
    "survey": {"enkat", "enkatkod", "survey_code"},
    "segment": {"kundsegment", "kundtyp"},
}
NPS_ALIASES = {"betyg", "nps", "rekommendation", "score", "nps_score", "rekommendera", "rating"}
LONG_ALIASES = {  # a long file's question and answer columns, suggested only when both are there
    QUESTION: {"question", "fraga", "question_text", "question_label", "item", "fragetext"},
    ANSWER: {"answer", "value", "svar", "varde", "answer_value", "response_value"},
}
ERROR_COLUMN = "import_error"  # the error file's own column: ignored when the file is imported again
TEXT_ALIASES = {"kommentar", "kommentarer", "comment", "comments", "fritext", "motivering", "feedback",
                "synpunkter", "text"}


def question_keys(catalog: Catalog, survey_code: str | None = None) -> dict[str, str]:
    """question key → type, for the given survey or every active survey of the organization."""
    surveys = [catalog.surveys[survey_code]] if survey_code in catalog.surveys else catalog.surveys.values()
    keys: dict[str, str] = {}
    for survey in surveys:
        for key, question in survey.questions.items():
            keys.setdefault(key, question.type)
    return keys


def targets(catalog: Catalog, survey_code: str | None = None) -> list[str]:
    """Every column a file column may map to ("" = ignore is always allowed too)."""
    return [*STANDARD_COLUMNS, *LONG_TARGETS, *question_keys(catalog, survey_code)]


def suggest_mapping(header: list[str], catalog: Catalog, survey_code: str | None = None) -> dict[str, str]:
    """A starting mapping: identity for glapp's own columns, known Swedish/English names for the
    rest, and metadata for anything unknown so no column is silently dropped."""
    keys = question_keys(catalog, survey_code)
    by_norm = {normalize_name(t): t for t in (*STANDARD_COLUMNS, *keys)}
    nps_key = next((k for k, t in keys.items() if t == qt.NPS), None)
    text_key = next((k for k, t in keys.items() if t == qt.TEXT), None)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    norms = {normalize_name(c) for c in header}
    long = all(norms & names for names in LONG_ALIASES.values())
    for column in header:
        norm = normalize_name(column)
        if column in by_norm.values() or column.startswith(META_PREFIX):
            target = column
        elif norm in by_norm:
            target = by_norm[norm]
        elif column == ERROR_COLUMN:
            mapping[column] = ""
            continue
        elif long and (target := next((t for t, names in LONG_ALIASES.items() if norm in names), None)):
            pass
        elif norm in NPS_ALIASES and nps_key:
            target = nps_key
        elif norm in TEXT_ALIASES and text_key:
            target = text_key
        else:
            target = next((t for t, names in ALIASES.items() if norm in names), None)
        if target is None or target in used:
            target = META_PREFIX + (norm or "column")
            while target in used:  # "Comment" and "Comment (2)" are two keys, never one
                target += "_"
        used.add(target)
        mapping[column] = target
    return mapping


def parse_assignments(items: list[str] | None, what: str) -> dict[str, str]:
    """["Betyg=nps", "Kanal="] → {"Betyg": "nps", "Kanal": ""}."""
    out = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"{what} '{item}' is not NAME=VALUE")
        out[name.strip()] = value.strip()
    return out


def check_mapping(header: list[str], mapping: dict[str, str], catalog: Catalog,
                  defaults: dict[str, str] | None = None) -> list[str]:
    """Problems that make a mapping unusable (unknown targets, two columns on one target)."""
    allowed = set(targets(catalog))
    problems = []
    seen: dict[str, str] = {}
    for column in header:
        target = mapping.get(column, column)
        if not target:
            continue
        if target.startswith(META_PREFIX):
            if not re.fullmatch(r"[A-Za-z0-9_\-]{1,60}", target[len(META_PREFIX):]):
                problems.append(f"{column}: '{target}' is not a valid metadata key (letters, digits, _ and -)")
        elif target not in allowed:
            problems.append(f"{column}: '{target}' is not a glapp column or question key")
        if target in seen:
            problems.append(f"{column}: '{target}' is already mapped from '{seen[target]}'")
        seen[target] = column
    for name in mapping:
        if name not in header:
            problems.append(f"'{name}' is not a column of this file")
    chosen = [mapping.get(c, c) for c in header]
    if (QUESTION in chosen) != (ANSWER in chosen):
        problems.append(f"a long file needs one column mapped to {QUESTION} and one to {ANSWER}")
    for name in defaults or {}:
        if name not in DEFAULT_FIELDS and name != "customer_id" and not name.startswith(META_PREFIX):
            problems.append(f"'{name}' cannot have a default (one of: {', '.join(DEFAULT_FIELDS)}, meta.<key>)")
    return problems


class RowMapper:
    """Turns a row's cells into the API's response shape; the same result as
    `tabular.row_to_raw` (tested), compiled once per file because it runs per row."""

    def __init__(self, header: list[str], mapping: dict[str, str], defaults: dict[str, str] | None = None,
                 values: dict | None = None, read_date=None):
        """`values` maps a column's cells (index → callable, `values.ColumnValues`); `read_date`
        turns the submitted_at cell into a datetime (`dates.parse` in the mapping's format)."""
        self.header = header
        self.values = sorted((values or {}).items())
        self.read_date = read_date
        self.errors: list[FieldError] = []  # the last row's cells that could not be read
        self.width = len(header)
        self.standard: list[tuple[int, str]] = []
        self.answers: list[tuple[int, str]] = []
        self.metadata: list[tuple[int, str]] = []
        self.customer: int | None = None
        self.field_column: dict[str, str] = {}  # validation's field name → the file's column name
        for index, column in enumerate(header):
            target = mapping.get(column, column)
            if not target:
                continue
            if target == "customer_id":
                self.customer = index
                self.field_column["customer"] = self.field_column["customer.external_id"] = column
            elif target in STANDARD_COLUMNS:
                self.standard.append((index, target))
                self.field_column[target] = column
            elif target.startswith(META_PREFIX):
                self.metadata.append((index, target[len(META_PREFIX):]))
                self.field_column["metadata." + target[len(META_PREFIX):]] = column
            else:
                self.answers.append((index, target))
                self.field_column["answers." + target] = column
        defaults = {k: v for k, v in (defaults or {}).items() if v not in (None, "")}
        self.default_raw = {k: v for k, v in defaults.items() if k in DEFAULT_FIELDS}
        self.default_customer = defaults.get("customer_id")
        self.default_meta = {k[len(META_PREFIX):]: v for k, v in defaults.items() if k.startswith(META_PREFIX)}
        self.has_timestamp_column = any(t == "submitted_at" for _, t in self.standard)

    def __call__(self, cells: list[str]) -> dict:
        if len(cells) < self.width:
            cells = [*cells, *[""] * (self.width - len(cells))]
        if "'" in "".join(cells):  # rare: one C-level scan instead of a check per cell
            cells = [unguard_formula(c) for c in cells]
        if self.values:
            cells = list(cells)
            for index, convert in self.values:
                value = cells[index]
                if value and (value := value.strip()):
                    cells[index] = convert(value)
        # Most cells of a wide file are empty: test before stripping.
        raw: dict = {}
        for index, name in self.standard:
            value = cells[index]
            if value and (value := value.strip()):
                raw[name] = value
        if self.customer is not None:
            value = cells[self.customer]
            if value and (value := value.strip()):
                raw["customer"] = value
        answers = {}
        for index, key in self.answers:
            value = cells[index]
            if value and (value := value.strip()):
                answers[key] = value
        metadata = {}
        for index, key in self.metadata:
            value = cells[index]
            if value and (value := value.strip()):
                metadata[key] = value
        for key, value in self.default_raw.items():
            raw.setdefault(key, value)
        if self.default_customer is not None:
            raw.setdefault("customer", self.default_customer)
        for key, value in self.default_meta.items():
            metadata.setdefault(key, value)
        raw["answers"] = answers
        if metadata:
            raw["metadata"] = metadata
        if self.errors:
            self.errors = []
        if self.read_date is not None and "submitted_at" in raw:
            text = raw["submitted_at"]
            try:
                raw["submitted_at"] = self.read_date(text)
            except DateUnreadable as exc:
                self.errors = [FieldError("submitted_at", f"'{text[:40]}' {exc}")]
                del raw["submitted_at"]
        return raw

    def column_of(self, error: FieldError) -> str:
        return self.field_column.get(error.field, error.field)


class MappingUnusable(ValueError):
    """The mapping cannot be used with the file: `problems` says why, one line each."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def proposed_mapping(header: list[str], catalog: Catalog, source=None, survey_code: str | None = None
                     ) -> dict[str, str]:
    """Each column's target before anyone changes it: glapp's suggestion, then the saved source's choices."""
    mapping = suggest_mapping(header, catalog, survey_code)
    if source:
        mapping.update({k: v for k, v in source.mapping.items() if k in header})
    return mapping
