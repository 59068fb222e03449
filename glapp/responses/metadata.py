"""What of a respondent's known context becomes response metadata: the one rule, shared by the
respondent pages (a response's metadata) and the invitations' response-rate cells (which must be
the cells that response is counted in)."""

from glapp.responses.validation import MAX_METADATA_KEYS, METADATA_VALUE_LENGTH

# Context that identifies a person: piped into the wording, never copied into the response's
# metadata (which analysts see and break results down by).
PERSONAL_FIELDS = frozenset({
    "first_name", "last_name", "name", "full_name", "email", "phone", "mobile", "personnummer", "ssn",
    "address", "customer_name",
})


def response_metadata(context: dict) -> dict:
    """The session context as response metadata: personal fields dropped, only plain values,
    within the limits `validation.clean_response` sets for every other source."""
    out = {}
    for key, value in (context or {}).items():
        if len(out) >= MAX_METADATA_KEYS:
            break
        if str(key).lower() in PERSONAL_FIELDS or value is None or value == "":
            continue
        if isinstance(value, bool | int | float):
            out[str(key)[:80]] = value
        elif isinstance(value, str):
            out[str(key)[:80]] = value[:METADATA_VALUE_LENGTH]
    return out
