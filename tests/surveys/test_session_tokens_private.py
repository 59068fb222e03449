"""A respondent's link token is their key to the survey (answer, resume, unsubscribe). The
response it creates is read by every holder of a `responses:read` key and written into exports,
so its external id must not carry the token."""

import pytest
from django.test import Client
from django.urls import reverse

from glapp.accounts.models import Role
from glapp.distribution.models import Invitation
from glapp.respond.models import session_response_id
from glapp.responses.models import Answer, Response
from tests.api.helpers import Api, key_for
from tests.distribution.test_events_api import event
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_api_readers_and_exports_never_see_the_link_token(org):
    assert Api(key_for(org)).post("/events", event(id="chat-1", channel="link")).json()["outcome"] == "invited"
    token = Invitation.objects.get().token
    respondent = Client()
    assert respondent.post(f"/r/{token}/", {"question": "nps", "answer": "3"}).status_code == 302

    reader = Api(key_for(org, scopes=("responses:read",)))
    listing = reader.get("/responses")
    assert token not in listing.content.decode()
    [item] = listing.json()["items"]
    assert item["external_id"] == session_response_id(token) != f"session:{token}"

    staff = Client()
    staff.force_login(make_user(org, "analyst", Role.ANALYST))
    exported = b"".join(staff.get(reverse("responses:export")).streaming_content).decode()
    assert session_response_id(token) in exported and token not in exported

    # The session still finds its response: later answers join it.
    assert respondent.post(f"/r/{token}/", {"question": "ces", "answer": "6"}).status_code == 302
    assert Response.objects.count() == 1
    assert Answer.objects.filter(response__external_id=session_response_id(token)).count() == 2
