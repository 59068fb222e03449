"""What the webhooks app hears: the events of the apps below it (core/events.py), each written to
the outbox in the transaction that sent it. An organization with no active endpoint subscribed
to the event type costs one indexed read and nothing else."""

from glapp.core import events
from glapp.responses.models import Response
from glapp.webhooks import actions, payloads, queries
from glapp.webhooks.tasks import wake_after_commit


def _publish(organization_id: int, event_type: str, targets, build) -> None:
    items = build(any(personal for _e, personal in targets))
    if actions.publish(organization_id, event_type, targets, items):
        wake_after_commit(endpoint_id for endpoint_id, _p in targets)


def responses_stored(event: events.ResponsesStored) -> None:
    targets = queries.subscribed(event.organization_id, "response.created")
    if targets:
        _publish(event.organization_id, "response.created", targets, lambda personal: payloads.response_items(
            event.organization_id, first_id=event.first_id, last_id=event.last_id, personal=personal))


def response_completed(event: events.ResponseCompleted) -> None:
    targets = queries.subscribed(event.organization_id, "response.completed")
    if targets:
        _publish(event.organization_id, "response.completed", targets, lambda personal: payloads.response_items(
            event.organization_id, ids=list(event.response_ids), personal=personal))


def case_changed(event: events.CaseChanged) -> None:
    event_type = f"case.{event.kind}"
    if event_type not in actions.EVENT_NAMES:
        return
    targets = queries.subscribed(event.organization_id, event_type)
    if targets:
        _publish(event.organization_id, event_type, targets, lambda personal: [payloads.given_item(
            event.data, _customer_of(event.organization_id, event.data), personal=personal)])


def alert_triggered(event: events.AlertTriggered) -> None:
    if not event.webhook:
        return
    targets = queries.subscribed(event.organization_id, "alert.triggered")
    if targets:
        data = {"rule_id": event.rule_id, "response_id": event.response_id, "case_id": event.case_id or None,
                **(event.data or {})}
        _publish(event.organization_id, "alert.triggered", targets, lambda personal: [payloads.given_item(
            data, _customer_of(event.organization_id, data), personal=personal)])


def _customer_of(organization_id: int, data) -> int | None:
    """The customer a case or an alert concerns (so erasure and export find its messages): named
    in its data, or the customer of the response it is about."""
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("customer_id"), int):
        return data["customer_id"]
    response = data.get("response")
    response_id = data.get("response_id") or (response.get("id") if isinstance(response, dict) else response)
    if not isinstance(response_id, int):
        return None
    return Response.objects.filter(organization_id=organization_id, pk=response_id).values_list(
        "customer_id", flat=True).first()


def connect() -> None:
    events.ResponsesStored.connect(responses_stored)
    events.ResponseCompleted.connect(response_completed)
    events.CaseChanged.connect(case_changed)
    events.AlertTriggered.connect(alert_triggered)
