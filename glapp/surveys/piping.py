"""Piping: what we already know about the customer, woven into a question's wording.

Pure Python (no Django). A text holds placeholders such as `{first_name}`, `{agent}`, `{store}`,
`{product}` or `{date}`. A part in square brackets is optional: it is dropped whole when any of
its placeholders has no value, so a sentence never reads "after your call with  on ":

    "Hur troligt är det att du skulle rekommendera oss[ efter ditt samtal med {agent} den {date}]?"

Values are plain text; escaping is the template's job, so a value can never inject markup.
"""

import contextlib
import datetime as dt
import re

PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")
PIECES = re.compile(r"\[(?P<optional>[^\[\]]*)\]|\{([a-z][a-z0-9_]*)\}")

# Month names for dates, so "den 3 maj" / "on 3 May" read naturally in either language.
MONTHS = {
    "sv": ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
           "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}


def placeholders(text: str) -> list[str]:
    """The placeholder names a text uses, in order of first appearance."""
    seen: dict[str, None] = {}
    for name in PLACEHOLDER.findall(text or ""):
        seen.setdefault(name, None)
    return list(seen)


def format_value(value, language: str) -> str:
    """A context value as the respondent should read it."""
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-":
        with contextlib.suppress(ValueError):  # ISO dates and timestamps (as stored in JSON)
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if len(value) > 10 \
                else dt.date.fromisoformat(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        month = MONTHS.get(language, MONTHS["en"])[value.month - 1]
        return f"{value.day} {month}"
    if value is None:
        return ""
    return str(value).strip()


def render(text: str, context: dict, language: str = "sv") -> str:
    """Fill the placeholders of `text` from `context`; drop optional parts that lack a value.

    A placeholder outside brackets with no value becomes empty, and the spacing around it is
    tidied, so a missing first name turns "Hej {first_name}!" into "Hej!".
    """
    values = {key: format_value(value, language) for key, value in (context or {}).items()}

    def fill(match: re.Match) -> str:
        return values.get(match.group(1), "")

    def piece(match: re.Match) -> str:
        if match.group("optional") is None:
            return values.get(match.group(2), "")
        part = match.group("optional")
        if all(values.get(name) for name in PLACEHOLDER.findall(part)):
            return PLACEHOLDER.sub(fill, part)
        return ""

    # One pass over optional parts and placeholders alike, so a filled-in value is never read
    # again as a placeholder.
    out = PIECES.sub(piece, text or "")
    out = re.sub(r"[ \t]{2,}", " ", out)
    out = re.sub(r" +([?!.,:;])", r"\1", out)
    return out.strip()
