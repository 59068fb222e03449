"""/api/v1/responses: send responses (one or a batch) and read them back.

Handlers stay thin: the schemas below only check the shape of a request; every rule about
what a valid response is lives in `validation.clean_response`, which the file import and the
demo use too, and every write goes through `actions.ingest_responses`.
"""

import datetime as dt
import json
from typing import Annotated, Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Field, Header, Path, Query, Router, Schema
from pydantic import ConfigDict, WithJsonSchema, field_validator

from glapp.accounts.api_auth import readers, writers
from glapp.accounts.models import AuditEntry
from glapp.accounts.queries import Access
from glapp.accounts.web_access import audit
from glapp.core import events, writelock
from glapp.core.errors import Conflict, FieldError, GlappError, NotFound, PermissionDenied, ValidationFailed
from glapp.core.schemas import MAX_ROW_ID, FilterInt, Problem, bounded_batch, documented_as
from glapp.responses import catalog_cache, idempotency
from glapp.responses.actions import ingest_responses
from glapp.responses.catalog import Catalog
from glapp.responses.models import Channel, Source
from glapp.responses.queries import (
    ERASED_MESSAGE,
    ResponseFilter,
    answer_map,
    answer_text,
    erased_customers_among,
    page_of_responses,
    scoped_responses,
    with_details,
)
from glapp.responses.validation import (
    EXTERNAL_ID_LENGTH,
    MAX_METADATA_KEYS,
    CleanResponse,
    clean_response,
    confine_to_unit,
)
from glapp.surveys import question_types as qt

router = Router(tags=["responses"])

# ---------------------------------------------------------------- schemas

AnswerValue = {"oneOf": [{"type": "integer"}, {"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
Answers = Annotated[dict[str, Any], WithJsonSchema({
    "type": "object",
    "description": "Question key → value: a number for scales (nps 0–10, ces 1–7, csat 1–5 …), "
                   "a choice key for single choice, a list of keys for multiple choice, text for comments.",
    "additionalProperties": AnswerValue,
    "minProperties": 1,
    "example": {"nps": 9, "ces": 6, "reason": "service", "comment": "Snabb och trevlig hjälp"},
})]


# Judged by clean_response; these types only describe what is sent, with its limits.
class ResponseCustomer(Schema):
    """A customer with attributes."""

    model_config = ConfigDict(extra="forbid")

    external_id: str = Field(..., max_length=EXTERNAL_ID_LENGTH)
    first_name: str | None = None
    email: str | None = None
    phone: str | None = None
    language: str | None = None
    segment: str | None = None
    region: str | None = None
    attributes: dict[str, Any] | None = None


ExternalId = Annotated[str, Field(max_length=EXTERNAL_ID_LENGTH)]
CustomerRef = Annotated[Any, documented_as(ExternalId | ResponseCustomer)]
Metadata = Annotated[Any, documented_as(
    Annotated[dict[str, str | float | bool | None], Field(max_length=MAX_METADATA_KEYS)])]
Text = Annotated[Any, WithJsonSchema({"type": "string"})]


class ResponseIn(Schema):
    """One response. Only `survey` and `answers` are required."""

    model_config = ConfigDict(extra="forbid")

    survey: Text = Field(..., description="The survey's code.", examples=["nps"])
    answers: Answers
    submitted_at: Text | None = Field(
        None, description="ISO 8601 timestamp (or date) when the customer answered; defaults to now. "
                          "A timestamp without offset is read in the organization's time zone.",
        examples=["2026-05-03T10:15:00+02:00"])
    touchpoint: Text | None = Field(None, description="Touchpoint code; defaults to the survey's touchpoint.")
    unit: Text | None = Field(
        None, description="Unit code (store, team …). A key limited to a unit writes there by default and "
                          "may only write to that unit or below it.")
    customer: CustomerRef | None = Field(
        None, description="The customer's external id, or an object that also carries attributes. Unknown "
                          "customers are created; existing ones are not modified.",
        examples=[{"external_id": "C-1042", "segment": "private"}])
    channel: Text | None = Field(None, description=f"One of: {', '.join(Channel.values)}.", examples=["email"])
    language: Text | None = Field(None, description="The respondent's language (ISO 639-1).", examples=["sv"])
    segment: Text | None = Field(None, description="Customer segment when answered; defaults to the customer's.")
    external_id: Annotated[Any, documented_as(ExternalId)] | None = Field(
        None, description="Your id for this response. Sending the same id again stores nothing new and "
                          "returns the stored response with `created: false`.", examples=["ticket-88231"])
    metadata: Metadata | None = Field(
        None, description="Context to slice by later (campaign, product, agent, store …): text, numbers or booleans.",
        examples=[{"campaign": "spring", "agent": "Anna"}])


class BulkIn(Schema):
    model_config = ConfigDict(extra="forbid")

    responses: list[ResponseIn] = Field(
        ..., description=f"Up to {settings.GLAPP_BULK_MAX} responses, stored all together or not at all.")

    @field_validator("responses", mode="before")
    @classmethod
    def _bounded(cls, value):
        return bounded_batch(value, "responses")


class CommentTopic(Schema):
    code: str
    sentiment: float = Field(..., description="Sentiment of the clause that mentions the topic, −1..1.")


class CommentAnalysisOut(Schema):
    question: str = Field(..., description="Key of the open question.")
    language: str
    sentiment: float = Field(..., description="−1 (negative) to 1 (positive).")
    label: str = Field(..., description="negative, neutral or positive.")
    sentiment_source: str = Field(..., description="builtin, learned (the organization's own model) or analyst.")
    topics: list[CommentTopic]
    emotions: list[dict[str, Any]] = Field(..., description="[{code, strength}], strongest first.")
    key_phrases: list[str]
    pii: list[str] = Field(..., description="Kinds of personal data found (and removed before analysis).")


class ResponseOut(Schema):
    id: int
    survey: str = Field(..., description="Survey code.")
    touchpoint: str | None = Field(None, description="Touchpoint code.")
    unit: str | None = Field(None, description="Unit code.")
    customer: str | None = Field(None, description="The customer's external id.")
    channel: str
    language: str
    segment: str
    submitted_at: dt.datetime
    external_id: str | None
    source: str = Field(..., description=f"How it arrived: {', '.join(Source.values)}.")
    metadata: dict[str, Any]
    has_comment: bool
    answers: dict[str, int | str | list[str]] = Field(..., description="Question key → value.")
    analysis: list[CommentAnalysisOut] = Field(
        [], description="What text analysis found in the comments (sentiment, topics, emotions, key phrases). "
                        "Filled in by a background task shortly after the response is stored.")


class ResponseCreated(ResponseOut):
    created: bool = Field(..., description="false when a response with this external_id was already stored.")


class BulkItem(Schema):
    id: int
    created: bool


class BulkOut(Schema):
    items: list[BulkItem] = Field(..., description="One per sent response, in the same order.")
    created_count: int


class ResponsePage(Schema):
    items: list[ResponseOut]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page; null on the last.")




class ResponseQuery(Schema):
    survey: str | None = Field(None, description="Survey code.")
    touchpoint: str | None = Field(None, description="Touchpoint code.")
    unit: str | None = Field(None, description="Unit code: that unit and everything below it.")
    date_from: dt.date | None = Field(None, alias="from", description="First day, inclusive (organization time).")
    date_to: dt.date | None = Field(None, alias="to", description="Last day, inclusive.")
    score_type: str = Field(qt.NPS, description=f"Which scale score_min/score_max apply to: "
                                                f"{', '.join(qt.SCORE_TYPES)}.")
    score_min: FilterInt | None = None
    score_max: FilterInt | None = None
    has_comment: bool | None = None
    q: str | None = Field(None, description="Words in the comment (case-insensitive).", max_length=200)
    cursor: str | None = Field(None, description="`next_cursor` of the previous page.")
    limit: int = Field(settings.GLAPP_API_PAGE_SIZE, ge=1, le=settings.GLAPP_API_MAX_PAGE_SIZE)


ERRORS = {401: Problem, 403: Problem, 422: Problem}

# ---------------------------------------------------------------- helpers


def analyses_of(access: Access, response_ids: list[int]) -> dict[int, list[dict]]:
    """Each response's comment analyses, from the text analysis above this app (it answers)."""
    merged: dict[int, list[dict]] = {}
    for answer in events.ResponseAnalysesWanted(access.organization_id, response_ids=response_ids).ask():
        merged.update(answer)
    return merged


def response_out(r, redact: bool = False, analysis: list | None = None) -> dict:
    return {
        "id": r.pk,
        "survey": r.survey.code,
        "touchpoint": r.touchpoint.code if r.touchpoint_id else None,
        "unit": r.unit.code if r.unit_id else None,
        "customer": r.customer.external_id if r.customer_id else None,
        "channel": r.channel,
        "language": r.language,
        "segment": r.segment,
        "submitted_at": r.submitted_at,
        "external_id": r.external_id,
        "source": r.source,
        "metadata": r.metadata,
        "has_comment": r.has_comment,
        "answers": answer_map(r, redact),
        "analysis": analysis or [],
    }


def _confine_to_unit(access: Access, catalog: Catalog, clean: CleanResponse, field: str) -> FieldError | None:
    return confine_to_unit(access.unit_path, catalog, clean, field, "this API key")


def _clean_or_raise(raw: dict, catalog: Catalog, prefix: str = "") -> CleanResponse | list[FieldError]:
    result = clean_response(raw, catalog)
    if isinstance(result, list):
        return [FieldError(f"{prefix}{e.field}" if e.field else prefix.rstrip("."), e.message, e.code)
                for e in result]
    return result


def _replayable(outcome: idempotency.Outcome) -> HttpResponse:
    # The stored body is already JSON-ready, so first answer and replay are byte-identical.
    response = HttpResponse(json.dumps(outcome.body, ensure_ascii=False), status=outcome.status,
                            content_type="application/json; charset=utf-8")
    if outcome.replayed:
        response["Idempotent-Replayed"] = "true"
    return response


IdempotencyKey = Header(None, alias="Idempotency-Key", description=(
    "Any unique string (a UUID is ideal). Retrying with the same key and the same body returns "
    "the first outcome without storing anything again (header `Idempotent-Replayed: true`); the "
    "same key with a different body is refused with 422; while the first request is still being "
    "processed a retry gets 409. Keys are per organization and kept for 24 hours."))

# ---------------------------------------------------------------- endpoints


@router.post(
    "/responses", auth=writers(), response={201: ResponseCreated, 200: ResponseCreated, 409: Problem,
                                            **ERRORS},
    summary="Send one response", operation_id="create_response",
)
def create_response(request: HttpRequest, payload: ResponseIn, idempotency_key: str | None = IdempotencyKey):
    """Validate and store one response (scope `responses:write`). **201** with the stored response;
    **200** with `created: false` when a response with the same `external_id` already exists
    (nothing is changed). Invalid fields come back as a 422 problem naming each field."""
    access: Access = request.access
    raw = payload.model_dump(exclude_unset=True)
    names, clean = _clean_one(access, raw)
    key = idempotency.check_key(idempotency_key) if idempotency_key is not None else None

    def write() -> idempotency.Outcome:
        [result] = ingest_responses(access.organization_id, [clean], "api")
        if result.created:
            # Describe the new response from what was just written: no read back on the hot path.
            body = _created_out(result.id, clean, names, redact=not access.can("pii"))
        else:
            stored = with_details(scoped_responses(access).filter(pk=result.id)).first()
            if stored is None:  # the earlier response with this external_id is outside the key's units
                raise Conflict("external_id is already used by a response this API key cannot see.",
                               code="external_id_taken")
            body = {**response_out(stored, not access.can("pii")), "created": False}
        # An outcome stored for its key is stored as the document; without a key the document is
        # made after the commit, so the write lock (every writer's turn) is not held for it.
        return idempotency.Outcome(201 if result.created else 200, _document(body) if key else body)

    fp = idempotency.fingerprint("POST", "/responses", raw) if key else ""
    with writelock.serialized():
        outcome = idempotency.run_once(access.organization_id, key, fp, write)
    if key is None:
        outcome = idempotency.Outcome(outcome.status, _document(outcome.body))
    return _replayable(outcome)


def _document(body: dict) -> dict:
    """The JSON-ready response document: what the schema says it is, as a GET would give it."""
    return ResponseCreated.model_validate(body).model_dump(mode="json")


def _clean_one(access: Access, raw: dict) -> tuple[catalog_cache.Names, CleanResponse]:
    names = catalog_cache.get(access.organization_id)
    clean = clean_response(raw, names.catalog)
    if isinstance(clean, list):
        # Maybe the cached catalog predates what this request refers to: judge it by today's.
        names = catalog_cache.get(access.organization_id, fresh=True)
        clean = clean_response(raw, names.catalog)
        if isinstance(clean, list):
            raise ValidationFailed(clean)
    denied = _confine_to_unit(access, names.catalog, clean, "unit")
    if denied:
        raise PermissionDenied(f"{denied.field} {denied.message}.")
    if erased_customers_among(access.organization_id, [clean]):
        raise ValidationFailed([FieldError("customer", ERASED_MESSAGE, "erased")])
    return names, clean


def _created_out(response_id: int, clean: CleanResponse, names: catalog_cache.Names, *, redact: bool) -> dict:
    """The same document `response_out` gives for the stored row, for the same key (a test holds
    them equal): a comment is redacted here exactly when a GET would redact it."""
    answers = {}
    for a in sorted(clean.answers, key=lambda a: names.questions[a.question_id]):
        key = names.questions[a.question_id][1]
        answers[key] = a.number if a.number is not None else a.choices if a.choices is not None \
            else answer_text(a.text, a.question_type, redact)
    return {
        "id": response_id,
        "survey": names.surveys[clean.survey_id],
        "touchpoint": names.touchpoints.get(clean.touchpoint_id) if clean.touchpoint_id else None,
        "unit": names.units.get(clean.unit_id) if clean.unit_id else None,
        "customer": clean.customer["external_id"] if clean.customer else None,
        "channel": clean.channel,
        "language": clean.language,
        "segment": clean.segment,
        "submitted_at": clean.submitted_at.astimezone(dt.UTC),
        "external_id": clean.external_id,
        "source": "api",
        "metadata": clean.metadata,
        "has_comment": clean.has_comment,
        "answers": answers,
        "analysis": [],
        "created": True,
    }


@router.post(
    "/responses/bulk", auth=writers(), response={201: BulkOut, 409: Problem, 413: Problem, **ERRORS},
    summary="Send a batch of responses", operation_id="create_responses_bulk",
)
def create_responses_bulk(request: HttpRequest, payload: BulkIn, idempotency_key: str | None = IdempotencyKey):
    """All or nothing (scope `responses:write`): if any response is invalid, the 422 problem
    names each bad field as `responses.<index>.<field>` and nothing is stored; otherwise all are
    stored in one transaction. Items whose `external_id` already exists report `created: false`."""
    access: Access = request.access
    raws = [item.model_dump(exclude_unset=True) for item in payload.responses]
    cleaned, errors, denied = _clean_batch(access, raws, catalog_cache.get(access.organization_id).catalog)
    if errors:
        # Errors against a cached catalog are confirmed against a fresh one, as for one response.
        fresh = catalog_cache.get(access.organization_id, fresh=True).catalog
        cleaned, errors, denied = _clean_batch(access, raws, fresh)
    if not errors:
        errors = [FieldError(f"responses.{i}.customer", ERASED_MESSAGE, "erased")
                  for i in sorted(erased_customers_among(access.organization_id, cleaned))]
    if errors:
        raise ValidationFailed(errors)
    if denied:
        raise GlappError("Some responses are for units this API key may not write to.",
                         code="permission_denied", status=403, errors=denied)
    key = idempotency.check_key(idempotency_key) if idempotency_key is not None else None

    def write() -> idempotency.Outcome:
        results = ingest_responses(access.organization_id, cleaned, "api")
        items = [{"id": r.id, "created": r.created} for r in results]
        return idempotency.Outcome(201, {"items": items, "created_count": sum(r.created for r in results)})

    fp = idempotency.fingerprint("POST", "/responses/bulk", raws)
    with writelock.serialized():
        outcome = idempotency.run_once(access.organization_id, key, fp, write)
    return _replayable(outcome)


def _clean_batch(access: Access, raws: list[dict], catalog: Catalog):
    cleaned: list[CleanResponse] = []
    errors: list[FieldError] = []
    denied: list[FieldError] = []
    for i, raw in enumerate(raws):
        result = _clean_or_raise(raw, catalog, f"responses.{i}.")
        if isinstance(result, list):
            errors.extend(result)
            continue
        problem_unit = _confine_to_unit(access, catalog, result, f"responses.{i}.unit")
        if problem_unit:
            denied.append(problem_unit)
        cleaned.append(result)
    return cleaned, errors, denied


@router.get("/responses", auth=readers(), response={200: ResponsePage, **ERRORS},
            summary="List responses", operation_id="list_responses")
def list_responses(request: HttpRequest, response: HttpResponse, filters: Query[ResponseQuery]):
    """Newest first, filtered, in pages (scope `responses:read`). Follow `next_cursor` (or the
    `Link: rel="next"` header) to the next page; pages never skip or repeat a response, even
    while new ones arrive. A key limited to a unit sees that unit and below only."""
    f = ResponseFilter(
        survey=filters.survey, touchpoint=filters.touchpoint, unit=filters.unit, date_from=filters.date_from,
        date_to=filters.date_to, score_type=filters.score_type, score_min=filters.score_min,
        score_max=filters.score_max, has_comment=filters.has_comment, q=filters.q,
    )
    rows, next_cursor = page_of_responses(request.access, f, filters.cursor, filters.limit)
    if next_cursor:
        params = request.GET.copy()
        params["cursor"] = next_cursor
        url = request.build_absolute_uri(request.path) + "?" + urlencode(list(params.lists()), doseq=True)
        response["Link"] = f'<{url}>; rel="next"'
    redact = not request.access.can("pii")
    _audit_unredacted(request, rows, redact)
    analyses = analyses_of(request.access, [r.id for r in rows])
    return {"items": [response_out(r, redact, analyses.get(r.id)) for r in rows], "next_cursor": next_cursor}


def _audit_unredacted(request: HttpRequest, rows, redact: bool) -> None:
    """Comments as written went out to a key with PII rights: recorded in the audit log."""
    shown = [r.id for r in rows if r.has_comment]
    if shown and not redact:
        audit(request, request.access, AuditEntry.Action.UNREDACTED_VIEWED, target_type="responses",
              details={"page": "api", "response_ids": shown})


@router.get("/responses/{int:response_id}", auth=readers(), response={200: ResponseOut, 404: Problem, **ERRORS},
            summary="Get one response", operation_id="get_response")
def get_response(request: HttpRequest, response_id: int = Path(..., ge=1, le=MAX_ROW_ID)):
    """One response by id (scope `responses:read`). Ids of other organizations, or outside the
    key's units, are 404 like ids that never existed."""
    stored = with_details(scoped_responses(request.access).filter(pk=response_id)).first()
    if stored is None:
        raise NotFound("No response with this id.")
    analyses = analyses_of(request.access, [stored.id])
    _audit_unredacted(request, [stored], not request.access.can("pii"))
    return response_out(stored, not request.access.can("pii"), analyses.get(stored.id))
