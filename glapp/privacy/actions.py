"""Erasure of one person: every app's rows about them, in one transaction, then the files.

Each app deletes or anonymises its own rows through its own `actions.py`; this module only
decides the order and hands each the ids it needs. Two modes (docs/privacy.md):

- anonymise (the default): responses stay, unlinked from the customer, with their comments'
  text, key phrases and all metadata but the rolled-up keys deleted; scores, choices, topic codes,
  sentiment and emotions stay, so every figure already reported stays as it was (and equal to
  a recount);
- delete: responses, answers and analyses are deleted, and exactly what they counted is
  subtracted from the rollups in the same transaction.

Either way the customer row, their touchpoint events, invitations (their response-rate counts
subtracted), contact history, respondent sessions, analysts' tags and corrections, stored API
request outcomes, import error entries and webhook messages (with their deliveries) that
concern or quote them go; uploads holding them and local
outbox messages to them are deleted after the commit; a tombstone (keyed hashes) remains.
"""

from dataclasses import dataclass, field

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from glapp.accounts.actions import AuditActor, record_audit
from glapp.accounts.models import AuditEntry
from glapp.analytics.actions import meta_keys, subtract_rate_changes, subtract_responses
from glapp.cases.actions import erase_customer_cases
from glapp.cases.queries import case_ids_of_customers
from glapp.contacts import tombstones
from glapp.contacts.actions import bury, delete_customers
from glapp.contacts.models import Customer
from glapp.core import writelock
from glapp.core.errors import FieldError, NotFound, ValidationFailed
from glapp.core.needles import Needles
from glapp.distribution.actions import erase_contact_history
from glapp.distribution.channels.outbox import forget_in_outboxes
from glapp.distribution.queries import invitations_of_customers, went_out_changes
from glapp.notifications.actions import forget_notifications
from glapp.privacy.models import RetentionPolicy
from glapp.privacy.queries import Lookup, already_erased, customers_named, subject_export
from glapp.respond.actions import erase_sessions
from glapp.responses.actions import (
    anonymise_responses,
    delete_responses,
    forget_idempotency_records,
    forget_in_import_jobs,
)
from glapp.responses.importing.storage import erase_uploads_holding
from glapp.responses.queries import comment_texts, response_keys_of_customers
from glapp.textanalytics.actions import forget_comments
from glapp.webhooks.actions import forget_customers as forget_webhook_messages

ANONYMISE, DELETE = "anonymise", "delete"
MODES = (ANONYMISE, DELETE)
ERASED, ALREADY_ERASED = "erased", "already_erased"


@dataclass
class Erasure:
    """What an erasure did: `status` is "erased", or "already_erased" when the person is known
    only by a tombstone (nothing left to do; the answer to a repeated request)."""

    status: str
    mode: str
    reference: str = ""  # a keyed hash of the identifier asked for: what the audit log keeps
    counts: dict[str, int] = field(default_factory=dict)


def _reference(organization_id: int, lookup: Lookup) -> str:
    return tombstones.digest(organization_id, lookup.kind, getattr(lookup, lookup.kind))


def erase_customer(organization_id: int, lookup: Lookup, mode: str = ANONYMISE, *,
                   actor: AuditActor) -> Erasure:
    """Erase the person named by `lookup` (every customer row with that external id, e-mail or
    phone). Raises NotFound when glapp never knew them; a person already erased is answered
    with status "already_erased" and nothing changes."""
    if mode not in MODES:
        raise ValidationFailed([FieldError("mode", "must be anonymise or delete", "invalid")])
    reference = _reference(organization_id, lookup)
    with writelock.serialized(), transaction.atomic():
        customers = list(Customer.objects.for_org(organization_id).select_for_update().filter(
            pk__in=[c.pk for c in customers_named(organization_id, lookup)]).order_by("id"))
        if not customers:
            if already_erased(organization_id, lookup):
                return Erasure(ALREADY_ERASED, mode, reference)
            raise NotFound("No customer with this identifier.")
        counts, needles = _erase_rows(organization_id, customers, mode)
        record_audit(organization_id, AuditEntry.Action.CUSTOMER_ERASED, actor, target_type="customer",
                     target=reference, details={"mode": mode, "lookup": lookup.kind,
                                                "customer_ids": [c.pk for c in customers], **counts})
    # Files cannot roll back, so they go only once the rows are gone for good.
    counts["uploads"] = erase_uploads_holding(organization_id, needles)
    counts["outbox_messages"] = forget_in_outboxes(needles)
    return Erasure(ERASED, mode, reference, counts)


def _erase_rows(organization_id: int, customers: list[Customer], mode: str) -> tuple[dict[str, int], Needles]:
    ids = [c.pk for c in customers]
    responses = response_keys_of_customers(organization_id, ids)
    response_ids = [pk for pk, _ext in responses]
    invitations = invitations_of_customers(organization_id, ids)
    tokens = [token for _pk, token, _message in invitations]
    needles = Needles.of(
        [value for c in customers for value in (c.external_id, c.email, c.phone)]
        + tokens + [message for _pk, _token, message in invitations if message],
        comment_texts(organization_id, response_ids))
    counts = {"customers": len(customers), "responses": len(response_ids)}
    subtract_rate_changes(organization_id, went_out_changes([pk for pk, _token, _message in invitations]))
    counts.update(erase_contact_history(organization_id, ids))
    counts["sessions"] = erase_sessions(organization_id, ids, tokens, [ext for _pk, ext in responses if ext])
    # Staff's notifications point at the person's cases and responses: they go in either mode.
    counts["notifications"] = forget_notifications(
        organization_id, case_ids_of_customers(organization_id, ids, response_ids), response_ids)
    counts.update(erase_customer_cases(organization_id, ids, response_ids, delete=mode == DELETE))
    if mode == DELETE:
        analysis = forget_comments(organization_id, response_ids, delete=True)
        subtract_responses(organization_id, response_ids)
        counts["responses_deleted"] = delete_responses(organization_id, response_ids)
    else:
        analysis, counts["comments_deleted"] = anonymise_response_rows(organization_id, response_ids, needles)
    counts.update({f"analysis_{k}": v for k, v in analysis.items() if k != "topics"})
    counts["idempotency_records"] = forget_idempotency_records(organization_id, needles)
    counts["import_jobs"] = forget_in_import_jobs(organization_id, needles)
    counts["webhook_messages"] = forget_webhook_messages(organization_id, ids, needles)
    for c in customers:
        bury(organization_id, c.external_id, c.email, c.phone)
    _forget_in_admin_history(ids)
    delete_customers(organization_id, ids)
    return counts, needles


def anonymise_response_rows(organization_id: int, response_ids: list[int], needles: Needles,
                            retrain: bool = True) -> tuple[dict, int]:
    """Anonymise responses (erasure's anonymise mode, retention's identifiable-responses period):
    text analysis forgets their comments' text, key phrases, tags and corrections; the responses
    lose their customer, comment text and unrolled metadata; a response's own id that holds one
    of `needles` becomes a keyed hash. Scores, topic codes and sentiment stay, so every figure
    stays as reported. Returns (text analysis's counts, comments deleted)."""
    analysis = forget_comments(organization_id, response_ids, delete=False, retrain=retrain)
    cleared = anonymise_responses(organization_id, response_ids, [k for k in meta_keys(organization_id) if k],
                                  needles)
    return analysis, cleared


def _forget_in_admin_history(customer_ids: list[int]) -> None:
    """The admin site's change history names a customer by its external id (`Customer.__str__`)."""
    rows = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Customer),
                                   object_id__in=[str(pk) for pk in customer_ids])
    rows.update(object_repr="(erased)", change_message="")


def export_customer(organization_id: int, lookup: Lookup, *, actor: AuditActor) -> dict:
    """The data-subject export of the person named by `lookup`, recorded in the audit log.
    Raises NotFound when there is no such customer (also when they were erased)."""
    customers = customers_named(organization_id, lookup)
    if not customers:
        raise NotFound("No customer with this identifier.")
    data = subject_export(organization_id, customers)
    record_audit(organization_id, AuditEntry.Action.CUSTOMER_EXPORTED, actor, target_type="customer",
                 target=_reference(organization_id, lookup),
                 details={"lookup": lookup.kind, "customer_ids": [c.pk for c in customers],
                          "responses": len(data["responses"])})
    return data


def set_retention_periods(organization_id: int, days: dict[str, int | None], *, actor: AuditActor) -> RetentionPolicy:
    """Set the organization's retention periods (kind → days, None: keep; validated by the model's
    validators), recorded in the audit log with the days before and after."""
    with transaction.atomic():
        policy, _created = RetentionPolicy.objects.select_for_update().get_or_create(organization_id=organization_id)
        before = {kind: policy.days(kind) for kind in RetentionPolicy.KINDS}
        for kind in RetentionPolicy.KINDS:
            setattr(policy, f"{kind}_days", days.get(kind))
        policy.full_clean(exclude=["organization"])
        policy.save()
        record_audit(organization_id, AuditEntry.Action.RETENTION_CHANGED, actor, target_type="retention",
                     details={"before": before, "after": {kind: policy.days(kind) for kind in RetentionPolicy.KINDS}})
    return policy
