"""A response as the lists show it (the responses list, a customer's responses): its NPS, its
category, its first comment (redacted for readers without PII rights) and its metadata. Every
list renders these rows with one template (`web/_response_rows.html`), so they cannot differ."""

from dataclasses import dataclass

from glapp.core.stats import nps_category
from glapp.responses.models import Response
from glapp.responses.queries import comment_of, score_of


@dataclass
class ResponseRow:
    response: Response
    score: int | None
    category: str
    comment: str
    metadata: list[tuple[str, str]]


def response_rows(responses, redact: bool = False) -> list[ResponseRow]:
    """Rows for a list of responses loaded `with_details`; comments redacted when `redact`."""
    rows = []
    for r in responses:
        score = score_of(r)
        rows.append(ResponseRow(r, score, nps_category(score) if score is not None else "",
                                comment_of(r, redact), [(str(k), str(v)) for k, v in sorted(r.metadata.items())]))
    return rows


def commented_ids(responses) -> list[int]:
    """The ids of those responses whose comment a list shows (for the audit of unredacted views)."""
    return [r.id for r in responses if r.has_comment]
