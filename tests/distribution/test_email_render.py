"""Invitation e-mails are flattened with a shortcut for plain header lines and a boundary chosen
up front; the bytes must be exactly those Django's own policy (compat32) writes."""

import datetime as dt
import random
import string
from email.policy import compat32

import pytest

from glapp.accounts.models import Organization
from glapp.distribution.actions import record_events
from glapp.distribution.channels.email import PLAIN_HEADERS, _boundary, build_email
from glapp.distribution.models import Invitation
from glapp.distribution.queries import event_catalog
from glapp.distribution.validation import clean_event

pytestmark = pytest.mark.django_db
NOON = dt.datetime(2026, 6, 10, 10, 0, tzinfo=dt.UTC)


def test_plain_header_shortcut_folds_exactly_like_the_stdlib():
    rng = random.Random(20261124)
    alphabet = string.ascii_letters + string.digits + "   <>@.,;:=?-_\"'()[]/\t" + "åé"
    for _ in range(20000):
        name = rng.choice(["Subject", "To", "List-Unsubscribe", "Message-ID", "X"])
        length = rng.choice([rng.randint(0, 100), 76 - len(name) + rng.randint(-3, 3)])
        value = "".join(rng.choice(alphabet) for _ in range(length))
        for linesep in ("\n", "\r\n"):
            assert PLAIN_HEADERS.clone(linesep=linesep).fold_binary(name, value) == \
                compat32.clone(linesep=linesep).fold_binary(name, value), (name, value)


@pytest.mark.parametrize(("org_name", "language", "first_name"), [
    ("Acme", "sv", "Anna"),
    ("Åhléns Kundservice och Leveranser i Hela Norden med ett Mycket Långt Namn", "en", "<b>Kim</b>"),
])
def test_invitation_bytes_equal_djangos(org, org_name, language, first_name):
    Organization.objects.filter(pk=org.pk).update(name=org_name)
    raw = {"id": "e1", "touchpoint": "phone-support", "occurred_at": (NOON - dt.timedelta(hours=2)).isoformat(),
           "customer": {"external_id": "A", "email": "anna@example.se", "consent_email": True,
                        "first_name": first_name, "language": language}, "metadata": {"agent": "Bo"}}
    [result] = record_events(org.id, [clean_event(raw, event_catalog(org.id), now=NOON)], now=NOON)
    invitation = Invitation.objects.select_related("customer", "survey__current_version", "organization").get(
        pk=result.invitations[0].invitation_id)
    for reminder in (False, True):
        msg = build_email(invitation, reminder).message()
        ours = msg.as_bytes()
        msg.policy = compat32  # the same message (and boundary) as Django would write it
        assert msg.as_bytes() == ours
        assert msg.get_boundary() and ours.count(f"--{msg.get_boundary()}".encode()) == 3


def test_a_boundary_found_in_a_part_is_drawn_again(monkeypatch):
    draws = iter([7, 7, 8])
    monkeypatch.setattr("glapp.distribution.channels.email.secrets.randbelow", lambda _n: next(draws))
    taken = _boundary([])
    assert taken == "=" * 15 + "0000000000000000007=="
    assert _boundary([f"text\n--{taken}\n"]) == "=" * 15 + "0000000000000000008=="
