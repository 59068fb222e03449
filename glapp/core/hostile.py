"""The rules every piece of sent text and every sent number obeys, whatever the entry (API,
events, file imports, respondent pages): pure Python, so every validator applies the same one.

Text must be storable as it was sent. A NUL character cannot be stored in PostgreSQL text and a
lone UTF-16 surrogate (`"\\ud800"` in JSON) cannot be encoded as UTF-8, so both are refused with a
field error rather than silently altered: what glapp stores is what the sender sent, or nothing.
A number must be finite: NaN and infinities (`NaN`, `Infinity`, `1e400` in JSON, `"nan"` in a
file) are not measurements.
"""

import math
import re

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def text_problem(text: str) -> str | None:
    """Why `text` cannot be stored as sent, or None."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "contains a NUL character"
    return "contains an invalid character (a lone UTF-16 surrogate)"


def number_problem(value) -> str | None:
    """Why a sent number is not a number glapp stores, or None."""
    if isinstance(value, float) and not math.isfinite(value):
        return "must be a finite number"
    return None


def problems(value, path: str = "", depth: int = 0) -> list[tuple[str, str]]:
    """Every (field path, reason) in a JSON-like value whose text (keys too) or number cannot be
    stored as sent. Paths join keys with dots, as FieldError names fields."""
    if isinstance(value, str):
        reason = text_problem(value)
        return [(path, reason)] if reason else []
    if isinstance(value, float):
        reason = number_problem(value)
        return [(path, reason)] if reason else []
    found: list[tuple[str, str]] = []
    if depth > 20:  # deeper than any field glapp has: judged by the field's own validator
        return found
    if isinstance(value, dict):
        for key, item in value.items():
            key_text = str(key)
            key_path = f"{path}.{key_text}" if path else key_text
            reason = text_problem(key_text)
            if reason:
                found.append((f"{path}.{printable(key_text)}" if path else printable(key_text),
                              f"key {reason}"))
                continue
            found.extend(problems(item, key_path, depth + 1))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            found.extend(problems(item, f"{path}.{i}" if path else str(i), depth + 1))
    return found


def printable(text: str) -> str:
    """A field name that can itself be sent back in an error document."""
    return _UNSTORABLE.sub("\ufffd", text)[:80]
