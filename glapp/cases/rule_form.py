"""The alert-rule form's condition rows and the JSON tree they stand for.

A row is one leaf (kind, key, comparison, value or chosen items); the rows combine with "all"
or "any" at the top. A tree deeper than that (not, nested groups) is edited as JSON in the
form's "advanced" box. `tree_of_rows` builds the tree from the posted rows; `rows_of_tree`
fills the rows from a stored tree (None: the tree needs the advanced box). Errors of
`conditions.validate` name nodes (`conditions.all[2].op`); `row_errors` maps them to rows."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from glapp.cases import conditions

# Kinds the rows offer, and how each takes its value.
CHOICE_KINDS = ("touchpoint", "survey", "unit", "topic", "sentiment")  # items from the organization's lists
TEXT_LIST_KINDS = ("segment", "phrase", "channel", "language")  # comma-separated text
COMPARED_KINDS = ("score", "attribute", "metadata")  # key, op, value
ROW_KINDS = ("score", "touchpoint", "survey", "unit", "segment", "attribute", "metadata", "sentiment", "topic",
             "phrase", "channel", "language")
BLANK_ROWS = 2
MAX_ROWS = conditions.MAX_LEAVES


@dataclass
class Row:
    kind: str = ""
    key: str = ""  # the score kind, or the attribute's / metadata's name
    op: str = "<="
    value: str = ""  # a number, a text, or comma-separated texts
    items: list[str] = field(default_factory=list)  # chosen touchpoints, surveys, units, topics, sentiments
    errors: list[str] = field(default_factory=list)


def _number_or_text(text: str):
    number = conditions.as_number(text)
    if number is None:
        low = text.strip().lower()
        return {"true": True, "false": False}.get(low, text.strip())
    return int(number) if number.is_integer() and re.fullmatch(r"[+-]?[\d\s\u00a0]+", text.strip()) else number


def _split(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def leaf_of_row(row: Row) -> dict | None:
    """The row's leaf, or None for an empty row. Values are passed on as typed, so validation
    names what is wrong with them."""
    if not row.kind:
        return None
    if row.kind == "score":
        value = conditions.as_number(row.value)
        node = {"score": row.key, "op": row.op, "value": row.value if value is None else
                (int(value) if value.is_integer() else value)}
        return node
    if row.kind in ("attribute", "metadata"):
        return {row.kind: row.key.strip(), "op": row.op, "value": _number_or_text(row.value)}
    if row.kind in ("survey", "unit"):
        return {row.kind: [int(i) if i.isdigit() else i for i in row.items]}
    if row.kind in CHOICE_KINDS:
        return {row.kind: list(row.items)}
    return {row.kind: _split(row.value)}


def rows_from_post(data, prefix: str = "c") -> list[Row]:
    rows = []
    for i in range(MAX_ROWS + BLANK_ROWS):
        kind = data.get(f"{prefix}-{i}-kind")
        if kind is None:
            break
        rows.append(Row(kind=kind if kind in ROW_KINDS else "", key=data.get(f"{prefix}-{i}-key", ""),
                        op=data.get(f"{prefix}-{i}-op", "<="), value=data.get(f"{prefix}-{i}-value", ""),
                        items=[v for v in data.getlist(f"{prefix}-{i}-items") if v]))
    return rows


def tree_of_rows(rows: list[Row], combinator: str) -> tuple[dict | None, list[int]]:
    """The tree, and for each of its leaves the index of the row it came from. No row: None."""
    leaves, origin = [], []
    for i, row in enumerate(rows):
        leaf = leaf_of_row(row)
        if leaf is not None:
            leaves.append(leaf)
            origin.append(i)
    if not leaves:
        return None, []
    return {"any" if combinator == "any" else "all": leaves}, origin


def row_errors(rows: list[Row], origin: list[int], errors: list[tuple[str, str]], root: str = "conditions"
               ) -> list[str]:
    """Put each node's errors on its row; what names no row is returned for the form's top."""
    rest = []
    pattern = re.compile(re.escape(root) + r"\.(?:all|any)\[(\d+)\](.*)")
    for path, message in errors:
        m = pattern.fullmatch(path)
        if m and int(m.group(1)) < len(origin):
            rows[origin[int(m.group(1))]].errors.append(message)
        else:
            rest.append(message)
    return rest


def rows_of_tree(tree) -> tuple[str, list[Row]] | None:
    """("all" or "any", rows) when the tree fits the rows; None when it needs the JSON box."""
    if not isinstance(tree, dict) or not tree:
        return "all", []
    kind = next(iter(tree))
    if kind in ("all", "any") and len(tree) == 1 and isinstance(tree[kind], list):
        leaves, combinator = tree[kind], kind
    else:
        leaves, combinator = [tree], "all"
    rows = []
    for leaf in leaves:
        row = _row_of_leaf(leaf)
        if row is None:
            return None
        rows.append(row)
    return combinator, rows


def _row_of_leaf(leaf) -> Row | None:
    if not isinstance(leaf, dict):
        return None
    kind = next((k for k in leaf if k in ROW_KINDS), None)
    if kind is None or set(leaf) - set(conditions.FIELDS[kind]):
        return None
    if kind == "score":
        if "question" in leaf:
            return None  # a question's own score: the JSON box says which question
        return Row(kind, key=str(leaf.get("score", "")), op=str(leaf.get("op", "")),
                   value=_text(leaf.get("value")))
    if kind in ("attribute", "metadata"):
        return Row(kind, key=str(leaf.get(kind, "")), op=str(leaf.get("op", "")), value=_text(leaf.get("value")))
    values = leaf.get(kind)
    if not isinstance(values, list):
        return None
    if kind in CHOICE_KINDS:
        return Row(kind, items=[str(v) for v in values])
    return Row(kind, value=", ".join(str(v) for v in values))


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)
