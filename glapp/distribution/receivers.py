"""What the respondent pages report, noted on the invitation.

The respondent page sends survey.opened / answered / completed twice: inside the transaction
that stores the answer, and after the commit. The invitation's bookkeeping happens in the first,
so each answer is one write transaction (on SQLite every extra one queues for the single write
lock) and the invitation can never say "responded" for an answer that rolled back. After the
commit, events marked `noted_in_transaction` are left alone; any other sender of these events
(no transaction of its own to join) is noted then. Both go through
`actions.note_respondent_event`.
"""

from glapp.distribution.actions import RESPONDENT_EVENTS, note_respondent_event


def on_in_transaction_event(sender, name: str, organization_id: int, payload: dict, **kwargs) -> None:
    if name in RESPONDENT_EVENTS and isinstance(payload, dict) and payload.get("token"):
        note_respondent_event(name, str(payload["token"]), payload.get("at"), organization_id=organization_id)


def on_committed_event(sender, name: str, organization_id: int, payload: dict, **kwargs) -> None:
    if name not in RESPONDENT_EVENTS or not isinstance(payload, dict) or not payload.get("token"):
        return
    if not payload.get("noted_in_transaction"):
        note_respondent_event(name, str(payload["token"]), organization_id=organization_id)
