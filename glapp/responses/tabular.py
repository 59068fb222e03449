"""The flat, one-row-per-response shape glapp reads from and writes to files.

Export writes it, import reads it back without a mapping, and the demo can write it, so a
file exported from glapp re-imports as a no-op. Columns:

    external_id, survey, touchpoint, unit, submitted_at, channel, language, customer_id,
    segment, <one column per question key>, meta.<key> for each metadata key

Choice lists are joined with "|". Pure Python: no Django imports.
"""

STANDARD_COLUMNS = (
    "external_id", "survey", "touchpoint", "unit", "submitted_at", "channel", "language", "customer_id",
    "segment",
)
META_PREFIX = "meta."
CHOICE_SEPARATOR = "|"


def header(question_keys: list[str], metadata_keys: list[str]) -> list[str]:
    return [*STANDARD_COLUMNS, *question_keys, *(META_PREFIX + k for k in metadata_keys)]


def raw_to_row(raw: dict, columns: list[str]) -> list[str]:
    """A response in the API's shape → one file row in `columns` order."""
    answers = raw.get("answers") or {}
    metadata = raw.get("metadata") or {}
    customer = raw.get("customer")
    customer_id = customer.get("external_id") if isinstance(customer, dict) else customer
    out = []
    for col in columns:
        if col == "customer_id":
            value = customer_id
        elif col in STANDARD_COLUMNS:
            value = raw.get(col)
        elif col.startswith(META_PREFIX):
            value = metadata.get(col[len(META_PREFIX):])
        else:
            value = answers.get(col)
        if isinstance(value, list):
            value = CHOICE_SEPARATOR.join(value)
        out.append("" if value is None else str(value))
    return out


def row_to_raw(row: dict[str, str], mapping: dict[str, str] | None = None,
               defaults: dict[str, str] | None = None) -> dict:
    """One file row (column → cell) → a response in the API's shape, for clean_response().

    `mapping` renames file columns to glapp columns ({"Kund-ID": "customer_id", "Betyg": "nps"});
    a column mapped to "" is ignored. Unmapped columns keep their own name. Empty cells are absent.
    """
    mapping = mapping or {}
    raw: dict = {}
    answers: dict = {}
    metadata: dict = {}
    for column, cell in row.items():
        if column is None:
            continue  # csv.DictReader puts surplus cells under None
        target = mapping.get(column, column)
        if not target:
            continue
        value = cell.strip() if isinstance(cell, str) else cell
        if value in (None, ""):
            continue
        if target == "customer_id":
            raw["customer"] = str(value)
        elif target in STANDARD_COLUMNS:
            raw[target] = value
        elif target.startswith(META_PREFIX):
            metadata[target[len(META_PREFIX):]] = value
        else:
            answers[target] = value
    for key, value in (defaults or {}).items():
        if key.startswith(META_PREFIX):
            metadata.setdefault(key[len(META_PREFIX):], value)
        elif key == "customer_id":
            raw.setdefault("customer", value)
        else:
            raw.setdefault(key, value)
    raw["answers"] = answers
    if metadata:
        raw["metadata"] = metadata
    return raw


# Spreadsheets run a cell as a formula when it starts with = + - @ (some also after leading
# blanks or line breaks), or take a leading tab or CR as a cue. Comments are written by anyone.
_FORMULA_CHARACTERS = frozenset("=+-@")
_BLANKS = " \t\r\n"


def _formula_like(cell: str) -> bool:
    """Once any apostrophes in front are set aside, the cell would be read as a formula."""
    rest = cell.lstrip("'")
    return rest[:1] in ("\t", "\r") or rest.lstrip(_BLANKS)[:1] in _FORMULA_CHARACTERS


def guard_formula(cell: str) -> str:
    """A cell as export writes it: one leading apostrophe (shown as text) when it could run as a
    formula. Cells that already start with apostrophes before such text get one more, so that
    `unguard_formula` gives back exactly the original text."""
    return "'" + cell if cell and _formula_like(cell) else cell


def unguard_formula(cell: str) -> str:
    """Undo `guard_formula` ("'=SUM(A1)" → "=SUM(A1)")."""
    return cell[1:] if cell[:1] == "'" and _formula_like(cell) else cell

