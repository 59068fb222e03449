"""Small helpers for web tests: put responses in through the real ingestion path."""

import datetime as dt
import itertools

from django.utils import timezone

from glapp.responses.actions import ingest_responses
from glapp.responses.catalog import Catalog
from glapp.responses.validation import clean_response
from tests.factories import PASSWORD, response_payload

_ids = itertools.count(1)


def days_ago(days: float) -> str:
    return (timezone.now() - dt.timedelta(days=days)).isoformat()


def add_responses(org, *payloads: dict) -> list[int]:
    """Each payload overrides response_payload(); answers may be given as just an NPS score."""
    catalog = Catalog.load(org.id)
    cleaned = []
    for p in payloads:
        p = dict(p)
        if "nps" in p:
            p["answers"] = {"nps": p.pop("nps"), **({"comment": p.pop("comment")} if "comment" in p else {})}
        p.setdefault("submitted_at", days_ago(3))
        p.setdefault("external_id", f"t-{next(_ids)}")
        result = clean_response(response_payload(**p), catalog)
        assert not isinstance(result, list), result
        cleaned.append(result)
    return [r.id for r in ingest_responses(org.id, cleaned, "api")]


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client
