"""What the notifications app hears: case changes and alerts (in their transaction, so a
notification commits with its cause), and membership changes (what a person may no longer see
is no longer theirs to be told of)."""

from glapp.core import events


def on_case_changed(event: events.CaseChanged) -> None:
    from glapp.notifications.actions import on_case_changed as notify

    notify(event)


def on_alert_triggered(event: events.AlertTriggered) -> None:
    from glapp.notifications.actions import on_alert_triggered as notify

    notify(event)


def on_membership_changed(event: events.MembershipChanged) -> None:
    from glapp.notifications.actions import follow_membership

    follow_membership(event.organization_id, event.user_id)


def connect() -> None:
    events.CaseChanged.connect(on_case_changed)
    events.AlertTriggered.connect(on_alert_triggered)
    events.MembershipChanged.connect(on_membership_changed)
