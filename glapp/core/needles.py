"""What identifies one person in stored text, and whether a text or a file's cell holds it.

Erasure searches places that are not rows of their own (files, stored request bodies, import
error lists) for a customer's identifiers and comments. Pure: no Django.
"""

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field


def _phone_digits(value: str) -> str:
    value = re.sub(r"[\s().-]", "", value or "")
    return "+" + value[2:] if value.startswith("00") else value


@dataclass(frozen=True)
class Needles:
    """A person's identifiers (external id, e-mail, phone, tokens of their links) and texts
    (their comments). Identifiers are matched inside any text; a comment is matched as a whole
    cell, or anywhere as the JSON string it is stored as."""

    identifiers: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()
    _pattern: re.Pattern | None = field(init=False, repr=False, default=None)

    def __post_init__(self):
        object.__setattr__(self, "identifiers", tuple(sorted({i.strip() for i in self.identifiers if i and i.strip()})))
        object.__setattr__(self, "texts", tuple(sorted({t.strip() for t in self.texts if t and t.strip()})))
        forms = set()
        for value in self.identifiers:
            forms.update({value, _phone_digits(value)})
        for value in self.texts:
            forms.update({value, json.dumps(value, ensure_ascii=False)[1:-1], json.dumps(value)[1:-1]})
        # An identifier is a whole word ("cust-42" is not found in "cust-421"); longest first.
        alternatives = "|".join(re.escape(f) for f in sorted((f for f in forms if f), key=len, reverse=True))
        pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE) if alternatives else None
        object.__setattr__(self, "_pattern", pattern)

    @classmethod
    def of(cls, identifiers: Iterable[str], texts: Iterable[str] = ()) -> "Needles":
        return cls(tuple(identifiers), tuple(texts))

    def __bool__(self) -> bool:
        return bool(self.identifiers or self.texts)

    def found_in(self, text: str | None) -> bool:
        """Whether `text` (a message, a JSON body, a log line) holds an identifier or a comment."""
        return bool(text) and self._pattern is not None and self._pattern.search(text) is not None

    def in_cell(self, cell) -> bool:
        """Whether one cell of a table (an uploaded file's) holds an identifier or is a comment."""
        if cell is None:
            return False
        value = str(cell).strip()
        if not value:
            return False
        return value in self.texts or _phone_digits(value) in self.identifiers or self.found_in(value)
