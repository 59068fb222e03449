"""Set-up of the case pages' tests: cases opened through the real path (a rule on ingest)."""

import datetime as dt

from django.test import Client
from django.utils import timezone

from glapp.cases.models import Case, SlaPolicy
from glapp.contacts.models import Customer
from tests.cases.helpers import detractor_rule
from tests.web.helpers import add_responses, login

HOSTILE = '<script>document.title="pwned"</script><img src=x onerror=alert(1)> Fakturan var fel'


def recent(minutes: float = 5) -> str:
    return (timezone.now() - dt.timedelta(minutes=minutes)).isoformat()


def calendar_clock(org) -> None:
    """Due times in calendar hours, so countdowns do not depend on when the test runs."""
    SlaPolicy.objects.update_or_create(organization=org, defaults={"clock": SlaPolicy.Clock.CALENDAR})


def open_case(org, unit="acme-north-store", customer="K-1", comment="Dålig service", consent=True, nps=2,
              email="k1@example.se") -> Case:
    """A detractor's case in `unit` (the rule is made once)."""
    from glapp.cases.models import AlertRule

    if not AlertRule.objects.filter(organization=org).exists():
        detractor_rule(org)
    Customer.objects.update_or_create(organization=org, external_id=customer,
                                      defaults={"email": email, "consent_email": consent, "first_name": "Karin"})
    (rid,) = add_responses(org, {"nps": nps, "comment": comment, "unit": unit, "customer": {"external_id": customer},
                                 "submitted_at": recent()})
    from glapp.cases.models import CaseResponse

    return CaseResponse.objects.select_related("case").get(response_id=rid).case


def client_for(user, language: str = "en") -> Client:
    """A signed-in browser of `user`, in English unless asked (the assertions read English)."""
    user.language = language
    user.save(update_fields=["language"])
    return login(Client(), user)
