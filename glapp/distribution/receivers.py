"""What the respondent pages report, noted on the invitation.

The respondent page sends survey.opened / answered / completed twice: inside the transaction
that stores the answer, and after the commit. The invitation's bookkeeping happens in the first,
so each answer is one write transaction (on SQLite every extra one queues for the single write
lock) and the invitation can never say "responded" for an answer that rolled back. After the
commit, events marked `noted_in_transaction` are left alone; any other sender of these events
(no transaction of its own to join) is still noted then, by `actions.note_respondent_event`.

Same semantics as `actions.note_respondent_event`: each time set once, logged once (a
conditional UPDATE, so a repeat or a concurrent event, such as the e-mail's open pixel, sets and
logs nothing twice), and a completion implies an answer, an answer an opening.
"""

import datetime as dt

from django.db import connection
from django.utils import timezone

from glapp.core import bulk
from glapp.distribution.actions import note_respondent_event
from glapp.distribution.models import ContactLog, Invitation

Kind = ContactLog.Kind
# The invitation's time set by each event, and the contact log entry written when it is set.
RESPONDENT_EVENTS = {
    "survey.opened": ("opened_at", Kind.OPENED),
    "survey.answered": ("responded_at", Kind.RESPONDED),
    "survey.completed": ("completed_at", Kind.COMPLETED),
}
LOG_FIELDS = ("organization", "created_at", "customer", "kind", "reason", "detail", "survey", "event", "invitation",
              "channel")
IMPLIED = {"survey.opened": ("survey.opened",), "survey.answered": ("survey.opened", "survey.answered"),
           "survey.completed": ("survey.opened", "survey.answered", "survey.completed")}
TOKEN_MAX_LENGTH = 43


def on_in_transaction_event(sender, name: str, organization_id: int, payload: dict, **kwargs) -> None:
    if name in RESPONDENT_EVENTS and isinstance(payload, dict) and payload.get("token"):
        note_in_transaction(name, organization_id, str(payload["token"]), payload.get("at"))


def on_committed_event(sender, name: str, organization_id: int, payload: dict, **kwargs) -> None:
    if name not in RESPONDENT_EVENTS or not isinstance(payload, dict) or not payload.get("token"):
        return
    if not payload.get("noted_in_transaction"):
        note_respondent_event(name, str(payload["token"]))


def note_in_transaction(name: str, organization_id: int, token: str, now: dt.datetime | None = None) -> int:
    """Note a respondent event on the invitation with this token (none for sessions of the public
    link or the widget), in the caller's transaction. Returns how many times were set.
    Plain SQL: it runs with every answer, where the ORM's query building would cost more than
    the queries themselves."""
    if len(token) > TOKEN_MAX_LENGTH:
        return 0
    now = now or timezone.now()
    qn = connection.ops.quote_name
    table = qn(Invitation._meta.db_table)
    steps = IMPLIED[name]
    fields = [RESPONDENT_EVENTS[step][0] for step in steps]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {qn('id')}, {qn('customer_id')}, {qn('survey_id')}, {qn('event_id')}, {qn('channel')}, "
            f"{', '.join(qn(f) for f in fields)} FROM {table} "
            f"WHERE {qn('token')} = %s AND {qn('organization_id')} = %s",
            [token, organization_id])
        row = cursor.fetchone()
        if row is None:
            return 0
        invitation_id, customer_id, survey_id, event_id, channel, *times = row
        at = connection.ops.adapt_datetimefield_value(now)
        logs = []
        for step, field_name, current in zip(steps, fields, times, strict=True):
            if current is not None:
                continue  # set before; never unset, so nothing to do (and nothing to lock)
            cursor.execute(f"UPDATE {table} SET {qn(field_name)} = %s WHERE {qn('id')} = %s "
                           f"AND {qn(field_name)} IS NULL", [at, invitation_id])
            if cursor.rowcount:
                kind = str(RESPONDENT_EVENTS[step][1])
                logs.append((organization_id, at, customer_id, kind, "", "", survey_id, event_id, invitation_id,
                             channel or ""))
    if logs:
        bulk.insert_rows(ContactLog, LOG_FIELDS, logs)
    return len(logs)
