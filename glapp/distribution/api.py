"""Distribution API: touchpoint events (one or a batch), relationship waves, contact history and
bounce reports. Handlers are thin: `validation.clean_event` judges an event, `actions` writes."""

import datetime as dt
import json
from typing import Annotated, Any, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Header, Router, Schema
from pydantic import ConfigDict, WithJsonSchema, field_validator

from glapp.accounts.api_auth import readers, writers
from glapp.accounts.models import Unit
from glapp.accounts.queries import Access
from glapp.core import writelock
from glapp.core.errors import FieldError, NotFound, PermissionDenied, ValidationFailed
from glapp.core.schemas import Problem, bounded_batch, documented_as
from glapp.distribution import actions, dispatch, queries, rules
from glapp.distribution.channels.content import absolute
from glapp.distribution.validation import CUSTOMER_LENGTHS, CleanEvent, clean_event
from glapp.responses import idempotency
from glapp.surveys.models import Survey

router = Router(tags=["events"])

Obj = Annotated[Any, WithJsonSchema({"type": "object"})]
Text = Annotated[Any, WithJsonSchema({"type": "string"})]
ChannelIn = Annotated[Any, WithJsonSchema({"enum": list(rules.CHANNELS)})]


# The customer is judged by clean_customer; this type only describes it, with its limits.
class EventCustomer(Schema):
    """The customer. Unknown customers are created; contact data given here updates the register.
    Consent flags change only when sent."""

    model_config = ConfigDict(extra="forbid")

    external_id: str = Field(..., max_length=CUSTOMER_LENGTHS["external_id"])
    first_name: str | None = Field(None, max_length=CUSTOMER_LENGTHS["first_name"])
    email: str | None = Field(None, max_length=CUSTOMER_LENGTHS["email"], json_schema_extra={"format": "email"})
    phone: str | None = Field(None, max_length=CUSTOMER_LENGTHS["phone"], examples=["+46701234567"])
    language: str | None = Field(None, max_length=CUSTOMER_LENGTHS["language"], examples=["sv"])
    preferred_channel: Literal["email", "sms"] | None = None
    consent_email: bool | None = None
    consent_sms: bool | None = None
    consent_marketing: bool | None = Field(None, description="May be asked for a review or a referral (marketing; "
                                                             "consent to surveys is not that).")


class EventIn(Schema):
    """Customer X had interaction Y at touchpoint Z."""

    model_config = ConfigDict(extra="forbid")

    id: Text | None = Field(None, description="Your id for this event: sending it again triggers nothing new.",
                            examples=["call-88231"])
    customer: Annotated[Any, documented_as(EventCustomer)] = Field(
        ..., examples=[{"external_id": "C-1042", "first_name": "Anna", "email": "anna@example.se",
                        "consent_email": True}])
    touchpoint: Text = Field(..., description="Touchpoint code.", examples=["phone-support"])
    unit: Text | None = Field(None, description="Unit code (store, team …).")
    interaction: Text | None = Field(None, description="What happened, e.g. call, delivery, order.")
    occurred_at: Text | None = Field(None, description="ISO 8601; defaults to now. Without offset: the "
                                                       "contact policy's time zone.")
    metadata: Obj | None = Field(None, description="agent, store, product, campaign …: piped into the "
                                                   "wording and kept with the answers.")
    channel: ChannelIn | None = Field(
        None, description="How to invite. Empty: the customer's preferred channel, else e-mail, else SMS. "
                          "`link`: your own system hands the returned `url` out (an app notice, a receipt); "
                          "glapp sends nothing, at once and without reminders, and the contact rules still "
                          "apply.")


class BulkEventsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    events: list[Obj] = Field(..., description=f"Up to {settings.GLAPP_BULK_MAX} events, validated all "
                                                "together and stored all together or not at all.")

    @field_validator("events", mode="before")
    @classmethod
    def _bounded(cls, value):
        return bounded_batch(value, "events")


class InvitedOut(Schema):
    id: int
    survey: str
    channel: str
    scheduled_for: dt.datetime
    deferred: bool = Field(..., description="Moved out of the quiet hours.")
    url: str = Field(..., description="The respondent's link (for the channel `link`: yours to hand out).")


class EventOut(Schema):
    id: int
    external_id: str | None
    created: bool = Field(..., description="false when an event with this id was already stored.")
    outcome: str = Field(..., description="invited or skipped.")
    reason: str = Field(..., description="Why not invited (a reason code, see the docs); empty when invited.")
    invitations: list[InvitedOut]


class BulkEventsOut(Schema):
    items: list[EventOut]
    created_count: int


class WaveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    customers: list[str] | None = Field(None, description="External ids; or use segment.", max_length=10000)
    segment: str | None = Field(None, description="Every customer of this segment.")
    limit: int | None = Field(None, ge=1, le=100000)


class WaveOut(Schema):
    survey: str
    considered: int
    invited: int
    skipped: dict[str, int] = Field(..., description="Reason code → customers.")


class HistoryEntry(Schema):
    at: dt.datetime
    kind: str
    reason: str
    detail: str
    survey: str | None
    channel: str
    invitation: int | None
    event: str | None = Field(None, description="The event's external id.")


class HistoryOut(Schema):
    customer: str
    unsubscribed_at: dt.datetime | None
    entries: list[HistoryEntry]


class BounceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    message_id: str | None = Field(None, description="The Message-ID of the invitation, e.g. <inv-42@glapp>.")
    address: str | None = Field(None, description="Or the e-mail address / phone number that bounced.")
    kind: str = Field("hard", description="hard (the address is not used again) or soft (only logged).")
    detail: str = Field("", max_length=500)


class BounceOut(Schema):
    matched: int
    addresses_marked: int


ERRORS = {401: Problem, 403: Problem, 422: Problem}
IdempotencyKey = Header(None, alias="Idempotency-Key", description=(
    "Retrying with the same key and body returns the first outcome (header `Idempotent-Replayed: true`)."))


def _confine(access: Access, clean: CleanEvent, field: str) -> None:
    """A unit-limited key reports events of its own units; its unit is the default."""
    clean.unit_id, allowed = Unit.confined(access.unit_path, clean.unit_id, clean.unit_path)
    if not allowed:
        raise PermissionDenied(f"{field} is outside the units this API key may write to.")


def _clean_all(access: Access, raws: list[dict], prefix: str) -> list[CleanEvent]:
    catalog = queries.event_catalog(access.organization_id)
    now = timezone.now()
    cleans, errors = [], []
    for i, raw in enumerate(raws):
        item_prefix = f"{prefix}{i}." if prefix else ""
        if not isinstance(raw, dict):
            errors.append(FieldError(item_prefix.rstrip(".") or "body", "must be an object", "type"))
            continue
        result = clean_event(raw, catalog, now, item_prefix)
        if isinstance(result, list):
            errors.extend(result)
        else:
            _confine(access, result, item_prefix + "unit")
            cleans.append(result)
    if errors:
        raise ValidationFailed(errors)
    return cleans


def _event_out(result: actions.EventResult) -> dict:
    return EventOut.model_validate({
        "id": result.event_id, "external_id": result.external_id, "created": result.created,
        "outcome": result.outcome, "reason": result.reason,
        "invitations": [{"id": i.invitation_id, "survey": i.survey, "channel": i.channel,
                         "scheduled_for": i.scheduled_for, "deferred": i.deferred,
                         "url": absolute(f"/r/{i.token}/")} for i in result.invitations],
    }).model_dump(mode="json")


def _reply(outcome: idempotency.Outcome) -> HttpResponse:
    response = HttpResponse(json.dumps(outcome.body, ensure_ascii=False), status=outcome.status,
                            content_type="application/json; charset=utf-8")
    if outcome.replayed:
        response["Idempotent-Replayed"] = "true"
    return response


@router.post("/events", auth=writers(), response={202: EventOut, 200: EventOut, 409: Problem, **ERRORS},
             summary="Report a touchpoint event", operation_id="create_event")
def create_event(request: HttpRequest, payload: EventIn, idempotency_key: str | None = IdempotencyKey):
    """Customer X had interaction Y at touchpoint Z (scope `responses:write`). The event is stored
    and, in the same transaction, the touchpoint's active transactional survey is triggered under
    the contact rules. **202** with the outcome: `invited` (with the invitation and when it will
    be sent) or `skipped` with a reason code. **200** with `created: false` when an event with the
    same `id` was already stored (nothing happens again)."""
    access: Access = request.access
    raw = payload.model_dump(exclude_unset=True)
    [clean] = _clean_all(access, [raw], "")
    key = idempotency.check_key(idempotency_key) if idempotency_key is not None else None

    def write() -> idempotency.Outcome:
        [result] = actions.record_events(access.organization_id, [clean],
                                         update_existing_customers=access.whole_organization)
        return idempotency.Outcome(202 if result.created else 200, _event_out(result))

    with writelock.serialized():
        outcome = idempotency.run_once(access.organization_id, key, idempotency.fingerprint("POST", "/events", raw),
                                       write)
    return _reply(outcome)


@router.post("/events/bulk", auth=writers(), response={202: BulkEventsOut, 409: Problem, 413: Problem, **ERRORS},
             summary="Report a batch of touchpoint events", operation_id="create_events_bulk")
def create_events_bulk(request: HttpRequest, payload: BulkEventsIn, idempotency_key: str | None = IdempotencyKey):
    """Up to 1,000 events in one transaction (scope `responses:write`); one invalid event refuses
    the whole batch with a 422 naming each field as `events.<index>.<field>`. Items come back in
    the order sent; repeated event ids (also within the batch) trigger once."""
    access: Access = request.access
    raws = payload.model_dump()["events"]
    cleans = _clean_all(access, raws, "events.")
    key = idempotency.check_key(idempotency_key) if idempotency_key is not None else None

    def write() -> idempotency.Outcome:
        results = actions.record_events(access.organization_id, cleans,
                                        update_existing_customers=access.whole_organization)
        body = {"items": [_event_out(r) for r in results], "created_count": sum(r.created for r in results)}
        return idempotency.Outcome(202, body)

    with writelock.serialized():
        outcome = idempotency.run_once(access.organization_id, key,
                                       idempotency.fingerprint("POST", "/events/bulk", raws), write)
    return _reply(outcome)


@router.post("/surveys/{code}/invitations", auth=writers(), response={202: WaveOut, 404: Problem, **ERRORS},
             summary="Invite customers to a relationship survey", operation_id="create_invitation_wave")
def create_invitation_wave(request: HttpRequest, code: str, payload: WaveIn):
    """A relationship wave (scope `responses:write`): the listed customers, or a segment, are
    invited under the same contact rules as events (relationship interval, frequency cap, consent,
    opt-out, quiet hours). Unknown external ids are reported as `unknown_customer`. Keys limited
    to a unit cannot start a wave (403)."""
    access: Access = request.access
    if not access.whole_organization:
        raise PermissionDenied("Relationship waves are organization-wide; use a key that is not limited to a unit.")
    survey = Survey.objects.for_org(access.organization_id).filter(code=code).first()
    if survey is None:
        raise NotFound("No survey with this code.")
    if not payload.customers and not payload.segment:
        raise ValidationFailed([FieldError("customers", "give customers or a segment", "required")])
    ids, unknown = queries.wave_customer_ids(access.organization_id, payload.customers, payload.segment,
                                             payload.limit)
    with writelock.serialized():
        counts = actions.invite_wave(survey, ids)
    skipped = {reason: n for reason, n in counts.items() if reason != "invited"}
    if unknown:
        skipped["unknown_customer"] = unknown
    return 202, {"survey": survey.code, "considered": len(ids) + unknown, "invited": counts.get("invited", 0),
                 "skipped": skipped}


@router.get("/customers/{external_id}/contact-history", auth=readers(),
            response={200: HistoryOut, 404: Problem, **ERRORS},
            summary="A customer's contact history", operation_id="contact_history")
def contact_history(request: HttpRequest, external_id: str):
    """Every invitation, reminder, skip (with its reason code), bounce and opt-out of a customer,
    newest first (scope `responses:read`)."""
    access: Access = request.access
    customer = queries.customer_for(access, external_id)
    if customer is None:
        raise NotFound("No customer with this external id.")
    entries = [{
        "at": e.created_at, "kind": e.kind, "reason": e.reason, "detail": e.detail,
        "survey": e.survey.code if e.survey_id else None, "channel": e.channel, "invitation": e.invitation_id,
        "event": e.event.external_id if e.event_id else None,
    } for e in queries.contact_history(access, customer)]
    return {"customer": customer.external_id, "unsubscribed_at": customer.unsubscribed_at, "entries": entries}


@router.post("/deliveries/bounces", auth=writers(), response={200: BounceOut, **ERRORS},
             summary="Report a bounce", operation_id="report_bounce")
def report_bounce(request: HttpRequest, payload: BounceIn):
    """For providers that report bounces later (scope `responses:write`): by Message-ID or by
    address. A hard bounce stops using the address; a soft one is only logged. An address
    belongs to the organization's customers, not to one unit, so a unit-limited key may not
    report one (it could stop another unit's invitations, and learn whose address it is)."""
    if not request.access.whole_organization:
        raise PermissionDenied("Bounces are organization-wide; use a key that is not limited to a unit.")
    if not payload.message_id and not payload.address:
        raise ValidationFailed([FieldError("message_id", "give message_id or address", "required")])
    if payload.kind not in ("hard", "soft"):
        raise ValidationFailed([FieldError("kind", "must be hard or soft", "invalid")])
    with writelock.serialized():
        return dispatch.record_bounce(request.access.organization_id, message_id=payload.message_id,
                                      address=payload.address, hard=payload.kind == "hard", detail=payload.detail)
