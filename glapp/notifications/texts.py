"""How a notification reads, on the page and in e-mails: a sentence in the reader's language
built from the stored codes and numbers, and the link to what it is about."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from glapp.notifications.models import Kind, Notification


def case_path(case_id: int) -> str:
    """The case's page."""
    return f"/cases/{case_id}/"


def path_of(notification: Notification) -> str:
    if notification.case_id:
        return case_path(notification.case_id)
    if notification.response_id:
        return reverse("web:response", args=[notification.response_id])
    return reverse("notifications:list")


def _change(data: dict) -> str:
    change = data.get("change", "")
    return {
        "note": _("a note was added"),
        "message": _("an e-mail was sent to the customer"),
        "call": _("a phone call was logged"),
        "status": _("its status changed"),
        "reopened": _("it was reopened"),
        "resolved": _("it was resolved"),
        "closed": _("it was closed"),
        "merged": _("it was merged"),
        "split": _("a response was split off"),
        "priority": _("its priority changed"),
        "response_added": _("the customer answered again"),
        "assigned": _("its owner changed"),
    }.get(change, pgettext("notification", "it changed"))


def headline(notification: Notification) -> str:
    """One line: what happened, and to which case or response (codes and numbers only)."""
    title = notification.title
    data = notification.data or {}
    if notification.kind == Kind.ASSIGNED:
        return _("Case %(case)s was assigned to you") % {"case": title}
    if notification.kind == Kind.QUEUE:
        return _("New case %(case)s in your queue") % {"case": title}
    if notification.kind == Kind.BREACHED:
        return _("Case %(case)s passed its due time") % {"case": title}
    if notification.kind == Kind.ACTIVITY:
        return _("Your case %(case)s: %(change)s") % {"case": title, "change": _change(data)}
    if notification.case_id:
        return _("Alert rule %(rule)s matched: case %(case)s") % {"rule": f"#{notification.rule_id}", "case": title}
    return _("Alert rule %(rule)s matched response %(response)s") % {
        "rule": f"#{notification.rule_id}", "response": f"#{notification.response_id}"}
