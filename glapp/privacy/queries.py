"""Reads about one person: who they are in the register, what an erasure would remove, and
everything glapp holds about them (the data-subject export)."""

from dataclasses import dataclass, field

from django.utils import timezone

from glapp.accounts.models import AuditEntry
from glapp.accounts.queries import audit_entries
from glapp.cases.queries import cases_of_customers, promoter_asks_of_customers
from glapp.contacts.models import Customer
from glapp.contacts.queries import find_customers, is_erased
from glapp.core.errors import FieldError, ValidationFailed
from glapp.distribution.queries import customers_counts, subject_records
from glapp.respond.queries import sessions_of_customers
from glapp.responses.exporting import response_to_raw
from glapp.responses.queries import responses_of_customers
from glapp.surveys import question_types as qt
from glapp.textanalytics.queries import analyses_by_response
from glapp.webhooks.queries import messages_of_customers

LOOKUPS = ("external_id", "email", "phone")


@dataclass(frozen=True)
class Lookup:
    """How a person is named by whoever asks: exactly one of external id, e-mail or phone."""

    external_id: str = ""
    email: str = ""
    phone: str = ""

    @classmethod
    def of(cls, external_id: str | None = None, email: str | None = None, phone: str | None = None) -> "Lookup":
        given = {k: (v or "").strip() for k, v in
                 (("external_id", external_id), ("email", email), ("phone", phone)) if (v or "").strip()}
        if len(given) != 1:
            raise ValidationFailed([FieldError("external_id", "give exactly one of external_id, email or phone",
                                               "lookup")])
        return cls(**given)

    @property
    def kind(self) -> str:
        return next(k for k in LOOKUPS if getattr(self, k))


def customers_named(organization_id: int, lookup: Lookup) -> list[Customer]:
    return find_customers(organization_id, external_id=lookup.external_id, email=lookup.email, phone=lookup.phone)


def already_erased(organization_id: int, lookup: Lookup) -> bool:
    return is_erased(organization_id, lookup.external_id, lookup.email, lookup.phone)


@dataclass
class Preview:
    """What erasing the person would touch, for the confirmation page."""

    customers: list[Customer]
    counts: dict[str, int] = field(default_factory=dict)


def erasure_preview(organization_id: int, customers: list[Customer]) -> Preview:
    ids = [c.pk for c in customers]
    responses = responses_of_customers(organization_id, ids)
    comments = sum(1 for r in responses for a in r.answers.all() if a.question_type == qt.TEXT and a.text)
    return Preview(customers, {"responses": len(responses), "comments": comments,
                               **customers_counts(organization_id, ids)})


def _customer_out(c: Customer) -> dict:
    return {
        "external_id": c.external_id, "first_name": c.first_name, "email": c.email, "phone": c.phone,
        "language": c.language, "segment": c.segment, "region": c.region, "attributes": c.attributes,
        "consent_email": c.consent_email, "consent_sms": c.consent_sms, "preferred_channel": c.preferred_channel,
        "unsubscribed_at": c.unsubscribed_at, "email_bounced_at": c.email_bounced_at,
        "phone_bounced_at": c.phone_bounced_at, "created_at": c.created_at,
    }


def subject_export(organization_id: int, customers: list[Customer]) -> dict:
    """Everything glapp holds about the person, as JSON-ready data: the register's rows, every
    response as written (comments unredacted) with its text analysis, every touchpoint event,
    invitation, contact-history entry and unfinished respondent session, every case with its
    timeline and the e-mails written to them, and every webhook message about them."""
    ids = [c.pk for c in customers]
    responses = list(responses_of_customers(organization_id, ids))
    analyses = analyses_by_response(organization_id, [r.pk for r in responses])
    by_id = {c.pk: c.external_id for c in customers}
    return {
        "generated_at": timezone.now(),
        "customers": [_customer_out(c) for c in customers],
        "responses": [{**response_to_raw(r), "id": r.pk, "source": r.source, "analysis": analyses.get(r.pk, [])}
                      for r in responses],
        **subject_records(organization_id, by_id),
        "sessions": sessions_of_customers(organization_id, ids),
        "cases": cases_of_customers(organization_id, ids),
        "promoter_asks": promoter_asks_of_customers(organization_id, ids),
        "webhook_messages": messages_of_customers(organization_id, ids),
    }


@dataclass
class RetentionRunSummary:
    """One retention run over the organization, from its audit entries: when, by whom, the
    cutoff and counts per kind of data."""

    run: str
    started_at: object
    actor: str
    kinds: dict[str, dict] = field(default_factory=dict)  # kind → {"cutoff": iso, counts…}


def retention_log(organization_id: int, runs: int = 10) -> list[RetentionRunSummary]:
    """The latest retention runs, newest first (entries of one run summed per kind)."""
    out: dict[str, RetentionRunSummary] = {}
    for entry in audit_entries(organization_id, AuditEntry.Action.RETENTION_APPLIED)[:2000]:
        details = dict(entry.details)
        run_id = details.pop("run", "")
        if run_id not in out:
            if len(out) == runs:
                break
            out[run_id] = RetentionRunSummary(run_id, entry.created_at, entry.get_actor_display())
        summary = out[run_id]
        summary.started_at = min(summary.started_at, entry.created_at)
        kind = details.pop("kind", entry.target)
        row = summary.kinds.setdefault(kind, {"cutoff": details.pop("cutoff", "")})
        details.pop("cutoff", None)
        for name, n in details.items():
            row[name] = row.get(name, 0) + n
    return list(out.values())
