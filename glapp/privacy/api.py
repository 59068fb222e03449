"""/api/v1/customers/{external_id}: a person's erasure (DELETE) and data-subject export (GET …/export).

Both are organization-wide (a person is not one unit's), so a key limited to a unit is refused,
and both are recorded in the audit log with a keyed hash of the identifier, never the identifier.
"""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from glapp.accounts.api_auth import keys_with
from glapp.accounts.queries import Access
from glapp.accounts.web_access import request_actor
from glapp.core.errors import PermissionDenied
from glapp.core.schemas import Problem
from glapp.privacy import actions
from glapp.privacy.queries import Lookup

router = Router(tags=["customers"])
ERRORS = {401: Problem, 403: Problem, 422: Problem}
ERASE = "customers:erase"
EXPORT = "customers:export"


class ErasureQuery(Schema):
    mode: Literal["anonymise", "delete"] = Field(
        "anonymise", description="anonymise (default): responses stay without the person, so reported figures do "
                                 "not change; delete: responses are deleted and subtracted from every figure.")


class ErasureOut(Schema):
    status: Literal["erased", "already_erased"] = Field(
        ..., description="already_erased: only a tombstone is left of this customer; nothing was changed.")
    mode: str
    reference: str = Field(..., description="A keyed hash of the external id: what the audit log records.")
    counts: dict[str, int] = Field(..., description="What was erased, by kind (responses, invitations, …).")


class CustomerOut(Schema):
    external_id: str
    first_name: str
    email: str
    phone: str
    language: str
    segment: str
    region: str
    attributes: dict[str, Any]
    consent_email: bool
    consent_sms: bool
    preferred_channel: str
    unsubscribed_at: dt.datetime | None
    email_bounced_at: dt.datetime | None
    phone_bounced_at: dt.datetime | None
    created_at: dt.datetime


class ExportedResponse(Schema):
    id: int
    external_id: str
    survey: str
    touchpoint: str
    unit: str
    submitted_at: str
    channel: str
    language: str
    customer: str | None
    segment: str
    source: str
    answers: dict[str, Any] = Field(..., description="Question key → answer as given (comments unredacted).")
    metadata: dict[str, Any]
    analysis: list[dict[str, Any]]


class ExportedEvent(Schema):
    customer: str | None
    external_id: str | None
    touchpoint: str
    interaction: str
    occurred_at: dt.datetime
    metadata: dict[str, Any]
    outcome: str
    reason: str


class ExportedInvitation(Schema):
    customer: str | None
    survey: str
    touchpoint: str | None
    channel: str
    language: str
    status: str
    context: dict[str, Any]
    scheduled_for: dt.datetime
    sent_at: dt.datetime | None
    opened_at: dt.datetime | None
    responded_at: dt.datetime | None
    completed_at: dt.datetime | None
    bounced_at: dt.datetime | None
    expires_at: dt.datetime | None


class ExportedContact(Schema):
    customer: str | None
    at: dt.datetime
    kind: str
    reason: str
    detail: str
    survey: str | None
    channel: str


class ExportedSession(Schema):
    survey: str
    started_at: dt.datetime
    answered: dict[str, Any]
    context: dict[str, Any]
    completed_at: dt.datetime | None


class ExportedCaseEntry(Schema):
    kind: str
    text: str
    at: str


class ExportedCaseEmail(Schema):
    to: str
    subject: str
    body: str
    status: str
    sent_at: str | None


class ExportedCase(Schema):
    id: int
    status: str
    priority: int
    title: str
    unit: str | None
    customer: str | None
    response_ids: list[int]
    root_cause: str | None
    resolution: str
    created_at: str | None
    closed_at: str | None
    timeline: list[ExportedCaseEntry]
    emails: list[ExportedCaseEmail]


class ExportedPromoterAsk(Schema):
    to: str
    review_url: str
    sent_at: str | None
    clicked_at: str | None


class SubjectExport(Schema):
    generated_at: dt.datetime
    customers: list[CustomerOut]
    responses: list[ExportedResponse]
    events: list[ExportedEvent]
    invitations: list[ExportedInvitation]
    contact_history: list[ExportedContact]
    sessions: list[ExportedSession]
    cases: list[ExportedCase]
    promoter_asks: list[ExportedPromoterAsk]


def _whole_organization(access: Access) -> None:
    if not access.whole_organization:
        raise PermissionDenied("A customer belongs to the whole organization; use a key that is not limited "
                               "to a unit.")


@router.delete("/customers/{external_id}", auth=keys_with(ERASE), response={200: ErasureOut, 404: Problem, **ERRORS},
               summary="Erase a customer", operation_id="erase_customer")
def erase_customer(request: HttpRequest, external_id: str, params: Query[ErasureQuery]):
    """Erase everything glapp holds about one customer (scope `customers:erase`), in one
    transaction: the register's row, touchpoint events, invitations, contact history,
    respondent sessions, analysts' tags and corrections; with `mode=anonymise` (default) their
    responses stay without the link and without comment text and key phrases, with
    `mode=delete` they are deleted and subtracted from the figures. A tombstone (keyed hashes of
    the external id, e-mail and phone) keeps later imports, responses and events from bringing
    the person back. Repeating the call answers `already_erased`; an external id glapp never
    knew is 404."""
    access: Access = request.access
    _whole_organization(access)
    done = actions.erase_customer(access.organization_id, Lookup.of(external_id=external_id), params.mode,
                                  actor=request_actor(request))
    return {"status": done.status, "mode": done.mode, "reference": done.reference, "counts": done.counts}


@router.get("/customers/{external_id}/export", auth=keys_with(EXPORT),
            response={200: SubjectExport, 404: Problem, **ERRORS},
            summary="Everything about a customer (data-subject export)", operation_id="export_customer")
def export_customer(request: HttpRequest, external_id: str):
    """Everything glapp holds about one customer as JSON (scope `customers:export`): the
    register's row, every response with comments as written and their text analysis, touchpoint
    events, invitations, contact history, respondent sessions and cases (their timelines and the
    e-mails written to the person). Recorded in the audit log."""
    access: Access = request.access
    _whole_organization(access)
    return actions.export_customer(access.organization_id, Lookup.of(external_id=external_id),
                                   actor=request_actor(request))
