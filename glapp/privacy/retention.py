"""Retention: each organization's periods (`RetentionPolicy`) applied to what has passed them.

A run walks each kind of data in keyset pages on an indexed date, (date, id) after the last
page, so memory stays flat at any size; each page is one transaction, holding its writes and the
audit entry that says what it did, so a crash loses nothing and a rerun continues where it
stopped. What is still within its period is never selected, and a page selects only what still
needs doing, so a second run does nothing. The work itself is erasure's: the same actions of
each app (anonymising responses, forgetting comments, deleting contact history) on other rows.

Kinds, and their cutoff (now − the period):

- raw_comments: a comment as written is replaced by its redacted text (its analysis's, or
  redacted now if it is not analyzed yet), as for an organization that keeps no originals;
- originals (the shorter of the raw-comments and identifiable-responses periods): stored
  Idempotency-Key outcomes, the rejected rows import jobs list, uploaded files and webhook
  messages (copies of responses and cases as sent, with their deliveries and attempt log) go;
- contact_data: customers not heard from since the cutoff lose name, addresses, region, attributes;
- contact_history: contact-log entries, touchpoint events and finished invitations go, and what
  was written in cases closed before it (notes, calls, e-mails), and staff's read notifications;
  so do respondent sessions that are over (the shorter of contact-history and identifiable responses);
- identifiable_responses: responses are anonymised as erasure's anonymise mode does.
"""

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from glapp.accounts.actions import AuditActor, record_audit
from glapp.accounts.models import AuditEntry
from glapp.cases.actions import forget_case_texts, forget_promoter_asks
from glapp.cases.queries import closed_cases_before, promoter_asks_before
from glapp.contacts.actions import forget_contact_data
from glapp.contacts.queries import customers_with_contact_data, identifiers_of
from glapp.core import pii
from glapp.core.needles import Needles
from glapp.distribution.actions import delete_history_rows
from glapp.distribution.queries import contact_history_before, customers_contacted_since
from glapp.notifications.actions import delete_notifications
from glapp.notifications.queries import read_before as notifications_read_before
from glapp.privacy.actions import anonymise_response_rows
from glapp.privacy.models import RetentionPolicy
from glapp.respond.actions import delete_sessions
from glapp.respond.queries import sessions_before
from glapp.responses.actions import delete_idempotency_records, forget_import_errors, replace_comment_texts
from glapp.responses.importing.storage import erase_uploads_before
from glapp.responses.queries import (
    comments_of_responses,
    customers_answered_since,
    idempotency_records_before,
    import_jobs_with_errors_before,
    responses_submitted_before,
    upload_digests_in_use,
    with_customer_or_comment,
)
from glapp.textanalytics.actions import retrain_without
from glapp.textanalytics.queries import redacted_texts
from glapp.webhooks.actions import delete_messages
from glapp.webhooks.queries import messages_before

PAGE = 500
RAW_COMMENTS, ORIGINALS = "raw_comments", "originals"
CONTACT_DATA, CONTACT_HISTORY, IDENTIFIABLE = "contact_data", "contact_history", "identifiable_responses"
STEPS = (RAW_COMMENTS, ORIGINALS, CONTACT_DATA, CONTACT_HISTORY, IDENTIFIABLE)
RUN_EVERY = dt.timedelta(hours=23)  # daily; the hourly housekeeping finds it done the rest of the day


def cutoffs(policy: RetentionPolicy, now: dt.datetime) -> dict[str, dt.datetime]:
    """Each step's cutoff (what was recorded before it is past its period); steps whose
    period is empty are absent. Originals go with the shorter of raw comments and responses."""
    out = {kind: now - dt.timedelta(days=days) for kind in RetentionPolicy.KINDS if (days := policy.days(kind))}
    raw_or_responses = [out[k] for k in (RAW_COMMENTS, IDENTIFIABLE) if k in out]
    if raw_or_responses:
        out[ORIGINALS] = max(raw_or_responses)
    return {step: out[step] for step in STEPS if step in out}


@dataclass
class Run:
    """One run over one organization: the counts per step, and what to retrain afterwards."""

    organization_id: int
    now: dt.datetime
    actor: AuditActor
    dry_run: bool = False
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    cutoff: dict[str, dt.datetime] = field(default_factory=dict)
    retrain_topics: set[str] = field(default_factory=set)
    retrain_sentiment: bool = False
    # A preview (a dry run for the settings page) looks at no more than this many rows per step,
    # so the page costs the same on any organization; the steps it stopped in are "at least".
    preview_limit: int | None = None
    truncated: set[str] = field(default_factory=set)

    def pages(self, step: str, qs: QuerySet, date_field: str | None, size: int) -> Iterator[list[int]]:
        seen = 0
        for ids in pages(qs, date_field, size):
            if self.preview_limit is not None and seen + len(ids) > self.preview_limit:
                self.truncated.add(step)
                if ids := ids[:self.preview_limit - seen]:
                    yield ids
                return
            seen += len(ids)
            yield ids

    def batch(self, step: str, work: Callable[[], dict[str, int]]) -> None:
        """One page of one step: its writes and the audit entry saying what they did, together."""
        if self.dry_run:
            done = {k: n for k, n in work().items() if n}
        else:
            with transaction.atomic():
                done = {k: n for k, n in work().items() if n}
                if done:
                    record_audit(self.organization_id, AuditEntry.Action.RETENTION_APPLIED, self.actor,
                                 target_type="retention", target=step,
                                 details={"run": self.run_id, "kind": step,
                                          "cutoff": self.cutoff[step].isoformat(), **done})
        if not done:
            return
        totals = self.counts.setdefault(step, {})
        for k, n in done.items():
            totals[k] = totals.get(k, 0) + n


def pages(qs: QuerySet, date_field: str | None, size: int = PAGE) -> Iterator[list[int]]:
    """Ids of `qs` in keyset pages on (date_field, id), or on id alone: each page starts after
    the last one's key, so rows deleted, changed or left alone in between do not matter."""
    order = (date_field, "pk") if date_field else ("pk",)
    after: tuple | None = None
    while True:
        page = qs
        if after is not None:
            page = page.filter(Q(**{f"{date_field}__gt": after[0]}) | Q(**{date_field: after[0], "pk__gt": after[1]})
                               if date_field else Q(pk__gt=after[0]))
        rows = list(page.order_by(*order).values_list(*order)[:size])
        if not rows:
            return
        yield [row[-1] for row in rows]
        after = rows[-1]


def policy_of(organization_id: int) -> RetentionPolicy | None:
    return RetentionPolicy.objects.for_org(organization_id).first()


def apply_retention(organization_id: int, *, actor: AuditActor, now: dt.datetime | None = None,
                    dry_run: bool = False, page: int = PAGE, preview_limit: int | None = None) -> Run:
    """Apply the organization's periods now (or, with `dry_run`, count what that would do; with
    `preview_limit` too, count at most that many rows per step)."""
    if preview_limit is not None and not dry_run:
        raise ValueError("preview_limit is for a dry run")
    run = Run(organization_id, now or timezone.now(), actor, dry_run, preview_limit=preview_limit)
    policy = policy_of(organization_id)
    if policy is None:
        return run
    run.cutoff = cutoffs(policy, run.now)
    for step, cutoff in run.cutoff.items():
        STEP_WORK[step](run, cutoff, page)
    if not dry_run:
        if run.retrain_topics or run.retrain_sentiment:
            with transaction.atomic():  # queued on commit, once per run rather than per page
                retrain_without(organization_id, run.retrain_topics, run.retrain_sentiment)
        RetentionPolicy.objects.filter(pk=policy.pk).update(applied_at=run.now)
    return run


def apply_due(now: dt.datetime | None = None) -> dict[int, dict[str, dict[str, int]]]:
    """The housekeeping run: every organization with a period set and no run within the day."""
    now = now or timezone.now()
    due = RetentionPolicy.objects.filter(Q(applied_at__isnull=True) | Q(applied_at__lte=now - RUN_EVERY)) \
        .order_by("organization_id").values_list("organization_id", flat=True)
    return {organization_id: apply_retention(organization_id, actor=AuditActor.scheduled(), now=now).counts
            for organization_id in due}


# --- The steps -----------------------------------------------------------------------------

def _raw_comments(run: Run, cutoff: dt.datetime, size: int) -> None:
    org = run.organization_id
    commented = responses_submitted_before(org, cutoff).filter(has_comment=True)
    for ids in run.pages(RAW_COMMENTS, commented, "submitted_at", size):
        def work(ids=ids) -> dict[str, int]:
            comments = comments_of_responses(org, ids)
            redacted = redacted_texts(org, [c[0] for c in comments])
            texts = {}
            for answer_id, _rid, text, language in comments:
                new = redacted.get(answer_id) or pii.redact(text, language or "auto").text
                if new != text:
                    texts[answer_id] = new
            if run.dry_run:
                return {"comments_redacted": len(texts)}
            return {"comments_redacted": replace_comment_texts(org, texts)}
        run.batch(RAW_COMMENTS, work)


def _originals(run: Run, cutoff: dt.datetime, size: int) -> None:
    org = run.organization_id
    for ids in run.pages(ORIGINALS, idempotency_records_before(org, cutoff), "created_at", size):
        run.batch(ORIGINALS, lambda ids=ids: {
            "idempotency_records": len(ids) if run.dry_run else delete_idempotency_records(org, ids)})
    for ids in run.pages(ORIGINALS, import_jobs_with_errors_before(org, cutoff), None, size):
        run.batch(ORIGINALS, lambda ids=ids: {
            "import_errors": len(ids) if run.dry_run else forget_import_errors(org, ids)})
    for ids in run.pages(ORIGINALS, messages_before(org, cutoff), "created_at", size):
        run.batch(ORIGINALS, lambda ids=ids: {
            "webhook_messages": len(ids) if run.dry_run else delete_messages(ids)})
    # Files cannot roll back and hold nothing a row needs: each is deleted on its own.
    run.batch(ORIGINALS, lambda: {"uploads": erase_uploads_before(
        org, cutoff.timestamp(), upload_digests_in_use(org, since=cutoff), dry_run=run.dry_run)})


def _contact_data(run: Run, cutoff: dt.datetime, size: int) -> None:
    org = run.organization_id
    for ids in run.pages(CONTACT_DATA, customers_with_contact_data(org, created_before=cutoff), None, size):
        def work(ids=ids) -> dict[str, int]:
            heard = customers_answered_since(org, ids, cutoff) | customers_contacted_since(org, ids, cutoff)
            quiet = [pk for pk in ids if pk not in heard]
            return {"customers": len(quiet) if run.dry_run else forget_contact_data(org, quiet)}
        run.batch(CONTACT_DATA, work)


def _contact_history(run: Run, cutoff: dt.datetime, size: int) -> None:
    org = run.organization_id
    for kind, qs in contact_history_before(org, cutoff, run.now).items():
        for ids in run.pages(CONTACT_HISTORY, qs, "created_at", size):
            run.batch(CONTACT_HISTORY, lambda kind=kind, ids=ids: {
                kind: len(ids) if run.dry_run else delete_history_rows(org, kind, ids)})
    # What handlers wrote in closed cases (notes, calls, e-mails) is contact history too.
    for ids in run.pages(CONTACT_HISTORY, closed_cases_before(org, cutoff), "closed_at", size):
        run.batch(CONTACT_HISTORY, lambda ids=ids: (
            {"case_texts": len(ids)} if run.dry_run else forget_case_texts(org, ids)))
    for ids in run.pages(CONTACT_HISTORY, promoter_asks_before(org, cutoff), "created_at", size):
        run.batch(CONTACT_HISTORY, lambda ids=ids: (
            {"promoter_asks": len(ids)} if run.dry_run else forget_promoter_asks(org, ids)))
    # Notifications read before it point at customers' cases: they go too (unread ones wait to be read).
    for ids in run.pages(CONTACT_HISTORY, notifications_read_before(org, cutoff), "created_at", size):
        run.batch(CONTACT_HISTORY, lambda ids=ids: {
            "notifications": len(ids) if run.dry_run else delete_notifications(org, ids)})
    # A session holds the answers given so far: it goes with the history or the responses.
    sessions_cutoff = max(c for k, c in run.cutoff.items() if k in (CONTACT_HISTORY, IDENTIFIABLE))
    _expire_sessions(run, CONTACT_HISTORY, sessions_cutoff, size)


def _expire_sessions(run: Run, step: str, cutoff: dt.datetime, size: int) -> None:
    org = run.organization_id
    for ids in run.pages(step, sessions_before(org, cutoff, run.now), "created_at", size):
        run.batch(step, lambda ids=ids: {"sessions": len(ids) if run.dry_run else delete_sessions(org, ids)})


def _identifiable(run: Run, cutoff: dt.datetime, size: int) -> None:
    org = run.organization_id
    for ids in run.pages(IDENTIFIABLE, responses_submitted_before(org, cutoff), "submitted_at", size):
        def work(ids=ids) -> dict[str, int]:
            rows = list(with_customer_or_comment(org, ids).values_list("id", "customer_id"))
            if run.dry_run or not rows:
                return {"responses": len(rows)}
            # A response's own id that embeds its customer's id, e-mail or phone is hashed.
            needles = Needles.of(identifiers_of(org, {c for _pk, c in rows if c}))
            analysis, cleared = anonymise_response_rows(org, [pk for pk, _c in rows], needles, retrain=False)
            run.retrain_topics.update(analysis["topics"])
            run.retrain_sentiment |= bool(analysis["retrained_sentiment"])
            return {"responses": len(rows), "comments_deleted": cleared}
        run.batch(IDENTIFIABLE, work)
    if CONTACT_HISTORY not in run.cutoff:
        _expire_sessions(run, IDENTIFIABLE, cutoff, size)


STEP_WORK = {RAW_COMMENTS: _raw_comments, ORIGINALS: _originals, CONTACT_DATA: _contact_data,
             CONTACT_HISTORY: _contact_history, IDENTIFIABLE: _identifiable}
