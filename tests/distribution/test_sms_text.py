"""SMS wording: short, its own for reminders, bounded in segments (GSM-7 vs UCS-2 counted)."""

import pytest

from glapp.accounts.models import Organization
from glapp.distribution.channels.sms import sms_text
from glapp.distribution.channels.sms_length import gsm7_fold, is_gsm7, sms_segments
from tests.distribution.test_dispatch import invite

pytestmark = pytest.mark.django_db
BASE = "https://feedback.exempelbolaget.se"


def test_segments_count_gsm7_extension_and_ucs2():
    assert sms_segments("") == 1
    assert sms_segments("a" * 160) == 1 and sms_segments("a" * 161) == 2
    assert sms_segments("åäöÅÄÖé" * 20) == 1  # Swedish letters are in the GSM-7 basic set
    assert sms_segments("€" * 80) == 1 and sms_segments("€" * 81) == 2  # extension: two septets each
    assert sms_segments("a" * 306) == 2 and sms_segments("a" * 307) == 3
    # An escape pair is never split: 152 plain + "€" does not fit in the first part's 153.
    assert sms_segments("a" * 152 + "€" + "a" * 152) == 3
    assert sms_segments("a" * 69 + "ł") == 1 and sms_segments("a" * 70 + "ł") == 2  # UCS-2
    assert sms_segments("ł" * 134) == 2 and sms_segments("ł" * 135) == 3
    assert sms_segments("😀" * 35) == 1 and sms_segments("😀" * 36) == 2  # surrogate pairs
    assert gsm7_fold("Łódź – “AB”…") == "Lodz - \"AB\"..." and is_gsm7(gsm7_fold("Łódź – “AB”…"))
    assert gsm7_fold("Café ☕", keep_others=False) == "Café "


@pytest.fixture
def sms_invitation(org, smtp, settings):
    settings.GLAPP_BASE_URL = BASE
    Organization.objects.filter(pk=org.pk).update(name="Exempelbolaget")
    return invite(org, email_address="", phone="+46701234567", consent_sms=True, language="sv",
                  first_name="Anna-Karin Långnamnsson")


@pytest.mark.parametrize("language", ["sv", "en"])
def test_an_sms_is_one_segment_with_realistic_inputs(sms_invitation, language):
    sms_invitation.language = language
    first, reminder = sms_text(sms_invitation), sms_text(sms_invitation, reminder=True)
    assert len(sms_invitation.token) == 24
    for text in (first, reminder):
        assert sms_segments(text) == 1 and len(text) <= 160, (len(text), text)
        assert "Exempelbolaget" in text and f"{BASE}/r/{sms_invitation.token}/" in text
        assert f"/u/{sms_invitation.token}/" in text  # the opt-out is always there
    assert first != reminder
    # The opt-out link in full when that fits one segment (the Swedish wording is a little longer).
    assert f"{BASE}/u/{sms_invitation.token}/" in first or len(first) + len("https://") > 160


def test_a_long_organization_name_is_shortened_to_stay_within_two_segments(sms_invitation):
    # As long as an organization name may be (200 characters), with a line break in it.
    long_name = ("Stora Kopparbergs Bergslags Aktiebolag Kundtjänst och Eftermarknad Region Mellansverige " * 3)[:196]
    Organization.objects.filter(pk=sms_invitation.organization_id).update(name=long_name + "\r\nX")
    sms_invitation.organization.refresh_from_db()
    for reminder in (False, True):
        text = sms_text(sms_invitation, reminder)
        assert sms_segments(text) <= 2 and len(text) <= 306
        assert "Stora Kopparbergs" in text and long_name.strip() not in text and "\r" not in text
        assert f"{BASE}/r/{sms_invitation.token}/" in text and f"{BASE}/u/{sms_invitation.token}/" in text


def test_a_name_outside_gsm7_does_not_turn_the_sms_into_ucs2(sms_invitation):
    Organization.objects.filter(pk=sms_invitation.organization_id).update(name="Łódź “Bageri” ☕")
    sms_invitation.organization.refresh_from_db()
    text = sms_text(sms_invitation)
    assert is_gsm7(text) and sms_segments(text) == 1 and 'Lodz "Bageri"' in text


def test_a_long_question_and_metadata_no_longer_lengthen_the_sms(sms_invitation):
    sms_invitation.context = {**sms_invitation.context, "agent": "B" * 500, "first_name": "A" * 300}
    assert sms_segments(sms_text(sms_invitation)) == 1
