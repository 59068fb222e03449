"""Set-up shared by the notifications tests: a detractor rule, handlers in units, a case."""

import datetime as dt

from django.utils import timezone

from glapp.accounts.models import Role, Unit
from glapp.cases.models import Case, SlaPolicy
from glapp.notifications.models import Notification
from tests.cases.helpers import detractor_rule, post_response
from tests.factories import make_user


def person(org, username, role=Role.CASE_HANDLER, unit_code=None, email=True, language=""):
    user = make_user(org, username, role, unit_code, language=language)
    if email:
        user.email = f"{username}@acme.test"
        user.save()
    return user


def open_case(org, unit="acme-north-store", external_id="R-1", customer="C-1", **rule):
    """A detractor's response in `unit` (None: no unit) opens a case; the case."""
    from glapp.cases.models import AlertRule

    if not AlertRule.objects.filter(organization=org).exists() or rule:
        detractor_rule(org, **rule)
    from glapp.contacts.models import Customer

    Customer.objects.get_or_create(organization=org, external_id=customer,
                                   defaults={"email": f"{customer.lower()}@example.se", "consent_email": True})
    extra = {"unit": unit} if unit else {}
    resp = post_response(org, external_id=external_id, customer=customer,
                         answers={"nps": 2, "comment": "<script>alert('x')</script> Eva 070-1234567"},
                         submitted_at=(timezone.now() - dt.timedelta(minutes=3)).isoformat(), **extra)
    assert resp.status_code in (200, 201), resp.content
    return Case.objects.filter(organization=org).order_by("-id").first()


def assign_on_open(org, how=SlaPolicy.Assignment.ROUND_ROBIN):
    policy, _ = SlaPolicy.objects.get_or_create(organization=org)
    policy.assignment = how
    policy.save()


def unit(org, code):
    return Unit.objects.get(organization=org, code=code)


def told(org, kind=None):
    """{username: [kinds]} of the organization's notifications."""
    qs = Notification.objects.filter(organization=org).select_related("user").order_by("id")
    if kind:
        qs = qs.filter(kind=kind)
    out: dict[str, list[str]] = {}
    for n in qs:
        out.setdefault(n.user.username, []).append(n.kind)
    return out
