"""No personal data and no respondent tokens in the logs (pure: used by the logging config and
gunicorn's access log, before Django is set up).

Every string of a log line passes through the redaction the comments get (`pii.redact`: e-mail,
phone, personnummer, card, IBAN …), as a net for an exception message that quotes its input.
A respondent's token in a path (/r/, /s/, /u/, /w/) is their key to a survey, so it is masked."""

import re

from glapp.core import pii

# /r/<token>/ (invitation), /s/<token>/ (public link), /u/<token>/ (unsubscribe), /w/<token>/ (widget):
# the segment after the prefix is a capability. "/w/widget.js" is not a token (too short, has a dot).
RESPONDENT_TOKEN = re.compile(r"/([rsuw])/[A-Za-z0-9_:-]{8,}(?=[/?#\s\"']|$)")
MASKED_TOKEN = r"/\1/<token>"  # noqa: S105 (a placeholder, not a secret)
# Keys whose values glapp itself writes and which hold no personal data: not worth a scan.
PLAIN_KEYS = frozenset({"timestamp", "level", "logger", "request_id", "status", "ms", "method"})


def mask_tokens(text: str) -> str:
    return RESPONDENT_TOKEN.sub(MASKED_TOKEN, text) if "/" in text else text


def scrub(text: str) -> str:
    """A log string without respondent tokens and without personal data."""
    return pii.redact(mask_tokens(text)).text


def _scrub_value(value):
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {k: _scrub_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub_value(v) for v in value]
    return value


def scrub_event(logger, method_name, event_dict: dict) -> dict:
    """structlog processor: every value scrubbed (run it after the traceback became text or data)."""
    return {key: value if key in PLAIN_KEYS else _scrub_value(value) for key, value in event_dict.items()}
