"""Widget displays cannot be inflated (docs/security.md, "Abuse limits"): a display needs a
signed, single-use token, a token counts once however often it is posted, posts without one
count nothing, and the tokens one address may ask for are limited (in the cache)."""

import json
import time

import pytest
from django.core import signing
from django.core.signing import TimestampSigner
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from glapp.analytics.models import Rollup
from glapp.core import ratelimit
from glapp.respond import display_tokens
from glapp.respond.models import Display
from tests.surveys.test_respondent_pages import answer, make_swedish_survey
from tests.surveys.test_respondent_widget import SHOP, allow_widget, display_token, post_display

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(org):
    allow_widget(org)
    return make_swedish_survey(org, widget_delay_seconds=2)


def shown_and_answered(org) -> tuple[int, int]:
    """The widget's response-rate counts (displays shown, answered) as the rollups keep them."""
    row = Rollup.objects.filter(organization=org, source="invitations", grain=1).values_list("n", "c0")
    shown = sum(n for n, _ in row)
    answered = sum(c0 for _, c0 in row)
    return shown, answered


def raw_post(survey, body) -> int:
    return Client().post(f"/w/{survey.public_token}/displays", json.dumps(body),
                         content_type="text/plain").status_code


def test_one_token_posted_300_times_counts_once(org, survey):
    token = display_token(Client(), survey)
    first = post_display(Client(), survey, token=token)
    assert first.status_code == 201
    repeats = [post_display(Client(), survey, token=token) for _ in range(299)]
    assert {r.status_code for r in repeats} == {200}
    assert {r.json()["display"] for r in repeats} == {first.json()["display"]}  # the same display
    assert Display.objects.count() == 1
    assert shown_and_answered(org) == (1, 0)
    # The one real visitor answers: the response rate is 1 of 1, not 1 of 300.
    answer(Client(), first.json()["url"], "nps", "9", start="T" * 24)
    assert shown_and_answered(org) == (1, 1)


def test_posts_without_a_valid_token_count_nothing(org, survey):
    other = make_swedish_survey(org, code="other")
    forged = TimestampSigner(salt="something else").sign(f"{survey.public_token}:abc")
    bodies = [{}, {"token": ""}, {"token": "made-up"}, {"token": forged},
              {"token": display_tokens.issue(other.public_token)},  # another survey's token
              {"token": display_token(Client(), survey)[:-2] + "xx"}]  # altered
    for _ in range(50):
        assert {raw_post(survey, body) for body in bodies} == {400}
    # A token older than its max age is refused too.
    class Yesterday(TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - display_tokens.MAX_AGE - 60)

    stale = Yesterday(salt="glapp.respond.display-token").sign(f"{survey.public_token}:stale")
    assert raw_post(survey, {"token": stale}) == 400
    assert Display.objects.count() == 0
    assert shown_and_answered(org) == (0, 0)


def test_tokens_come_only_to_the_organizations_sites(org, survey):
    assert Client().get(f"/w/{survey.public_token}/display-token").status_code == 403  # no Origin
    refused = Client().get(f"/w/{survey.public_token}/display-token", HTTP_ORIGIN="https://evil.example")
    assert refused.status_code == 403 and "not one the organization" in refused.json()["detail"]
    allowed = Client().get(f"/w/{survey.public_token}/display-token", HTTP_ORIGIN=SHOP)
    assert allowed.status_code == 200 and allowed["Access-Control-Allow-Origin"] == SHOP
    assert allowed["Cache-Control"] == "no-store"
    # Without any site listed the widget is off: no config, no tokens.
    allow_widget(org, "")
    assert Client().get(f"/w/{survey.public_token}/config.json").json()["enabled"] is False
    assert Client().get(f"/w/{survey.public_token}/display-token", HTTP_ORIGIN=SHOP).status_code == 404


@override_settings(GLAPP_WIDGET_DISPLAY_LIMIT="5/h")
def test_the_tokens_one_address_may_ask_for_are_limited_without_a_database_write(org, survey, monkeypatch):
    monkeypatch.setattr(ratelimit, "clock", lambda: 1_800_000_000.0)
    client = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(5):
        assert client.get(f"/w/{survey.public_token}/display-token", HTTP_ORIGIN=SHOP).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        refused = client.get(f"/w/{survey.public_token}/display-token", HTTP_ORIGIN=SHOP)
    assert refused.status_code == 429 and int(refused["Retry-After"]) == 3600
    writes = [q["sql"] for q in queries.captured_queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == []
    # Another address is not affected.
    other = Client(REMOTE_ADDR="198.51.100.8").get(f"/w/{survey.public_token}/display-token", HTTP_ORIGIN=SHOP)
    assert other.status_code == 200


def test_the_widget_page_may_be_framed_only_by_the_organizations_sites(org, survey):
    allow_widget(org, "https://shop.example\nhttps://www.shop.example:8443")
    url = post_display(Client(), survey).json()["url"]
    page = Client().get(url)
    assert page.status_code == 200 and "X-Frame-Options" not in page
    csp = page["Content-Security-Policy"]
    assert "frame-ancestors https://shop.example https://www.shop.example:8443" in csp
    assert "script-src 'self'" in csp
    # The same survey opened as a plain public link may not be framed at all.
    plain = Client().get(f"/s/{survey.public_token}/")
    assert plain["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in plain["Content-Security-Policy"]


def test_an_origin_list_is_validated(org):
    from django.core.exceptions import ValidationError

    org.widget_origins = "https://shop.example\nhttps://shop.example/path\nhttps://x.example; script-src *"
    with pytest.raises(ValidationError) as refused:
        org.clean()
    assert "https://shop.example/path" in str(refused.value) and "script-src" in str(refused.value)
    assert org.widget_origin_list == ["https://shop.example"]
