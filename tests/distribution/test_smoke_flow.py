import datetime as dt

from glapp.distribution.dispatch import dispatch_due_invitations
from glapp.distribution.models import Invitation


def test_event_invites_and_dispatch_sends(api, smtp, org):
    from django.utils import timezone

    occurred = (timezone.now() - dt.timedelta(days=1)).replace(hour=10, minute=0)
    r = api.post("/events", {"id": "e1", "touchpoint": "phone-support", "occurred_at": occurred.isoformat(),
                             "customer": {"external_id": "C1", "email": "anna@example.se", "consent_email": True,
                                          "first_name": "Anna", "language": "sv"},
                             "metadata": {"agent": "Bo"}})
    assert r.status_code == 202, r.content
    body = r.json()
    assert body["outcome"] == "invited", body
    summary = dispatch_due_invitations(now=occurred + dt.timedelta(hours=2))
    assert summary == {"sent": 1}
    assert len(smtp.messages) == 1
    inv = Invitation.objects.get()
    assert inv.status == "sent"
