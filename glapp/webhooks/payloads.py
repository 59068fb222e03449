"""What each event type's message says (docs/webhooks.md): small, stable JSON.

Every body is `{"type", "timestamp", "data"}` as the Standard Webhooks specification suggests.
Two versions of a body: the one every endpoint may get (comments redacted with core/pii.py, no
customer identifiers) and, only when an endpoint subscribed may receive personal data, the
unredacted one."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder

from glapp.core.pii import redact
from glapp.responses.models import Response
from glapp.responses.queries import answer_map, with_details

# Keys whose value names or reaches a person: left out of the body without personal data.
PERSONAL_KEYS = frozenset({"customer", "customer_external_id", "email", "phone", "first_name", "name_of_customer"})
_ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?)?$")


@dataclass(frozen=True)
class Outgoing:
    """One message to publish: its data without personal data, the data with it (None when the
    same), and the customer it concerns."""

    data: dict
    personal: dict | None
    customer_id: int | None


def body(event_type: str, at: dt.datetime, data: dict) -> str:
    return json.dumps({"type": event_type, "timestamp": at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
                       "data": data}, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False)


def response_items(organization_id: int, ids: list[int] | None = None, first_id: int = 0, last_id: int = 0,
                   *, personal: bool) -> list[Outgoing]:
    """The responses' messages, read in one query with their answers (only when an endpoint
    subscribed: an organization without one never gets here)."""
    qs = Response.objects.filter(organization_id=organization_id)
    qs = qs.filter(id__in=ids) if ids is not None else qs.filter(id__gte=first_id, id__lte=last_id)
    items = []
    for r in with_details(qs.order_by("id")):
        shown = _response(r, redact=True)
        full = {**_response(r, redact=False), "customer": r.customer.external_id if r.customer_id else None}
        items.append(Outgoing({"response": shown}, {"response": full} if personal else None, r.customer_id))
    return items


def _response(r: Response, *, redact: bool) -> dict:
    return {
        "id": r.pk,
        "external_id": r.external_id,
        "survey": r.survey.code,
        "touchpoint": r.touchpoint.code if r.touchpoint_id else None,
        "unit": r.unit.code if r.unit_id else None,
        "channel": r.channel,
        "language": r.language,
        "segment": r.segment,
        "submitted_at": r.submitted_at,
        "source": r.source,
        "metadata": r.metadata,
        "has_comment": r.has_comment,
        "answers": answer_map(r, redact),
    }


def given_item(data, customer_id: int | None, *, personal: bool) -> Outgoing:
    """A message of data another app made JSON-able (a case, an alert): its free text redacted
    and its customer identifiers left out, unless personal data is wanted."""
    data = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))  # a copy, and JSON-able for sure
    return Outgoing(scrubbed(data), data if personal else None, customer_id)


def scrubbed(value):
    """`value` with every string's personal data redacted and customer identifiers set to None."""
    if isinstance(value, dict):
        return {k: None if k in PERSONAL_KEYS else scrubbed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrubbed(v) for v in value]
    if isinstance(value, str) and value and not _ISO_TIME.match(value):
        return redact(value).text
    return value


def test_data(endpoint_id: int, actor: str) -> dict:
    return {"endpoint_id": endpoint_id, "sent_by": actor,
            "note": "A test event from glapp's webhook settings. It has no other meaning."}
