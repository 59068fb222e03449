"""The topic overview (figures equal the stats module on hand counts) and the topic editor
(save through the action, refused queries with their position, live preview, delete)."""

import re

import pytest

from glapp.accounts.models import Role
from glapp.core import stats
from glapp.textanalytics import queries
from glapp.textanalytics.models import Topic
from glapp.textanalytics.queries import VerbatimFilter
from tests.factories import make_user
from tests.textanalytics.test_views import HX, analyzed, topic, without_builtin_topics
from tests.web.helpers import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna(client, org):
    return login(client, make_user(org, "anna"))


@pytest.fixture
def price_corpus(org):
    without_builtin_topics(org)
    topic(org, "price", "Pris", "Price")
    topic(org, "staff", "Personal", "Staff")
    # With the price topic: NPS 2, 3, 9 → 1 promoter, 0 passives, 2 detractors; sentiments −0.6, −0.4, 0.2.
    for nps, score in ((2, -0.6), (3, -0.4), (9, 0.2)):
        analyzed(org, "Dyrt", nps=nps, score=score, topics={"price": [[0, 4]]})
    # Without: 10, 10, 8, 6 → 2, 1, 1 (one of them in the north store, about staff).
    analyzed(org, "Toppen", nps=10)
    analyzed(org, "Trevliga", nps=10, topics={"staff": [[0, 8]]}, score=0.9, unit="acme-north-store")
    analyzed(org, "Okej", nps=8)
    analyzed(org, "Sådär", nps=6)


def test_overview_figures_equal_stats_on_hand_counts(org, price_corpus):
    from glapp.accounts.queries import Access

    overview = queries.topic_overview(Access(org, Role.OWNER), VerbatimFilter())
    assert overview.comments == 7
    assert overview.nps == stats.nps_estimate(3, 1, 3)
    price = next(r for r in overview.rows if r.topic.code == "price")
    assert price.volume == 3
    assert price.share == stats.proportion_estimate(3, 7)
    assert price.sentiment == stats.mean_estimate(3, -0.8, 0.36 + 0.16 + 0.04)
    assert price.sentiment.value == pytest.approx(-0.8 / 3)
    assert price.nps_with == stats.nps_estimate(1, 0, 2)
    assert price.nps_without == stats.nps_estimate(2, 1, 1)
    assert price.difference == stats.nps_difference((1, 0, 2), (2, 1, 1))
    assert not price.significant  # far too few answers to call anything
    assert [r.topic.code for r in overview.rows] == ["price", "staff"]  # by volume


def test_overview_respects_units(org, price_corpus):
    from glapp.accounts.queries import Access

    north = Access(org, Role.VIEWER, unit_path=org_unit_path(org, "acme-north-store"))
    overview = queries.topic_overview(north, VerbatimFilter())
    assert overview.comments == 1
    assert {r.topic.code: r.volume for r in overview.rows} == {"staff": 1, "price": 0}


def org_unit_path(org, code):
    from glapp.accounts.models import Unit

    return Unit.objects.get(organization=org, code=code).path


def test_overview_page_shows_intervals_and_links(anna, price_corpus):
    html = anna.get("/topics/").text
    assert 'data-testid="volume-price">3<' in html
    assert 'data-testid="nps-with-price">−33<' in html
    assert 'data-testid="nps-without-price">25<' in html
    assert 'data-testid="delta-price">−58<' in html
    assert 'data-testid="significant-price"' not in html
    assert "/verbatims/?topic=price" in html and 'href="/topics/price/"' in html


def test_a_clear_difference_is_flagged_after_adjustment(anna, org):
    topic(org, "billing", "Faktura", "Billing")
    for _ in range(40):
        analyzed(org, "Fel faktura", nps=1, score=-0.8, topics={"billing": [[4, 11]]})
        analyzed(org, "Bra", nps=10, score=0.7)
    html = anna.get("/topics/", **HX).text
    assert "<html" not in html
    assert 'data-testid="significant-billing"' in html and "▼" in html


def test_figures_follow_the_locale_and_tiny_p_values_read_below_a_floor(anna, org):
    topic(org, "billing", "Faktura", "Billing")
    for _ in range(40):
        analyzed(org, "Fel faktura", nps=1, score=-0.8, topics={"billing": [[4, 11]]})
        analyzed(org, "Bra", nps=10, score=0.7)
    html = anna.get("/topics/").text  # Swedish: decimal comma
    assert 'data-testid="sentiment-billing">−0,80<' in html
    assert "50,0 %" in html and "p &lt; 0,001" in html
    assert "50.0 %" not in html and "0.80" not in html and "p = 0.000" not in html
    anna.cookies["django_language"] = "en"
    html = anna.get("/topics/").text
    assert 'data-testid="sentiment-billing">−0.80<' in html and "50.0 %" in html and "p &lt; 0.001" in html


def test_p_values_are_localized():
    from django.utils import translation

    from glapp.textanalytics.views import _p_value

    with translation.override("sv"):
        assert (_p_value(0.0142), _p_value(0.0004), _p_value(None)) == ("= 0,014", "< 0,001", "–")
    with translation.override("en"):
        assert _p_value(0.0142) == "= 0.014"


# --- Editor ----------------------------------------------------------------------------------


def test_editor_saves_through_the_action(anna, org):
    topic(org, "price", "Pris", "Price", query="pris*")
    page = anna.get("/topics/price/")
    assert page.status_code == 200 and 'hx-trigger="keyup changed delay:300ms"' in page.text
    response = anna.post("/topics/price/", {"name_sv": "Priser", "name_en": "Prices", "query": "pris* OR dyr*",
                                            "active": "on"})
    assert response.status_code == 302 and response["Location"] == "/topics/price/"
    saved = Topic.objects.get(code="price")
    assert (saved.name_sv, saved.query, saved.active) == ("Priser", "pris* OR dyr*", True)


def test_a_bad_query_is_refused_and_shown(anna, org):
    topic(org, "price", "Pris", "Price", query="pris*")
    response = anna.post("/topics/price/", {"name_sv": "Pris", "name_en": "Price", "query": "(pris AND"})
    assert response.status_code == 422
    assert 'class="errorlist' in response.text
    assert Topic.objects.get(code="price").query == "pris*"


def test_new_topic_gets_a_code_and_duplicates_are_refused(anna, org):
    response = anna.post("/topics/new/", {"code": "parking", "name_sv": "Parkering", "name_en": "Parking",
                                          "query": "parkering*", "active": "on"})
    assert response.status_code == 302 and Topic.objects.filter(code="parking", builtin=False).exists()
    again = anna.post("/topics/new/", {"code": "parking", "name_sv": "X", "name_en": "X", "query": "x"})
    assert again.status_code == 422 and Topic.objects.get(code="parking").name_sv == "Parkering"


@pytest.mark.parametrize(("posted", "message"), [
    ({"code": "themes"}, "Det finns redan ett ämne med den koden."),  # a page of its own under /topics/
    ({"code": "", "name_sv": "!!!", "name_en": "?"}, "Ge ämnet en kod."),  # no code, none to make from the name
    ({"code": "pris kod"}, "slug"),  # the field's own check
])
def test_a_new_topics_code_is_refused_with_the_reason(anna, org, posted, message):
    before = Topic.objects.count()
    response = anna.post("/topics/new/", {"name_sv": "Pris", "name_en": "Price", "query": "pris*", **posted})
    assert response.status_code == 422 and message in response.text
    assert Topic.objects.count() == before


def test_a_new_topic_without_a_code_gets_one_from_its_name(anna, org):
    response = anna.post("/topics/new/", {"name_sv": "Parkering", "name_en": "Parking lot", "query": "parkering*"})
    assert response.status_code == 302 and response["Location"] == "/topics/parking-lot/"


def test_readers_see_but_cannot_save_or_delete(client, org):
    topic(org, "mine", "Mitt", "Mine", query="x")
    login(client, make_user(org, "vera", role=Role.VIEWER))
    page = client.get("/topics/mine/").text
    assert "disabled" in page and "/topics/mine/delete/" not in page
    assert client.post("/topics/mine/", {"name_sv": "a", "name_en": "b", "query": "x"}).status_code == 403
    assert client.post("/topics/mine/delete/").status_code == 403
    assert client.get("/topics/new/").status_code == 403  # not an editable form they cannot save
    assert Topic.objects.filter(code="mine").exists()


def test_unit_limited_members_and_keys_may_not_change_topics(client, org):
    """Topics read every unit's comments: a store's analyst may tag and preview, not redefine
    or delete them (the same rule as for surveys), through the web and the API."""
    import json

    from tests.api.helpers import Api, key_for

    topic(org, "mine", "Mitt", "Mine", query="x")
    login(client, make_user(org, "stina", role=Role.ANALYST, unit_code="acme-north-store"))
    page = client.get("/topics/mine/").text
    assert "disabled" in page and "/topics/mine/delete/" not in page
    assert "/topics/new/" not in client.get("/topics/").text
    assert client.post("/topics/mine/", {"name_sv": "a", "name_en": "b", "query": "y"}).status_code == 403
    assert client.post("/topics/new/", {"code": "n", "name_sv": "a", "name_en": "b", "query": "y"}).status_code == 403
    assert client.post("/topics/mine/delete/").status_code == 403
    store = Api(key_for(org, unit_code="acme-north-store"))
    body = json.dumps({"name_sv": "a", "name_en": "b", "query": "y"})
    assert store.raw("PUT", "/topics/mine", body).status_code == 403
    assert store.raw("DELETE", "/topics/mine").status_code == 403
    assert list(Topic.objects.filter(code__in=["mine", "n"]).values_list("query", flat=True)) == ["x"]


def test_delete_only_non_builtin_topics(anna, org):
    topic(org, "mine", "Mitt", "Mine")
    topic(org, "core", "Kärna", "Core", builtin=True)
    assert "/topics/core/delete/" not in anna.get("/topics/core/").text
    assert anna.post("/topics/core/delete/").status_code == 409
    assert anna.post("/topics/mine/delete/")["Location"] == "/topics/"
    assert list(Topic.objects.filter(code__in=["mine", "core"]).values_list("code", flat=True)) == ["core"]


def test_unknown_topic_is_404(anna, org):
    assert anna.get("/topics/no-such-topic/").status_code == 404


def test_preview_counts_and_highlights_matches_in_scope(client, org):
    analyzed(org, "Priset <b>var</b> för högt", unit="acme-north-store")
    analyzed(org, "Personalen var trevlig", unit="acme-north-store")
    analyzed(org, "Dyrt pris", unit="acme-south-store")
    login(client, make_user(org, "stina", role=Role.ANALYST, unit_code="acme-north-store"))
    html = client.get("/topics/preview/", {"query": "pris*"}).text
    assert 'data-testid="preview-count">1 av de senaste 2 kommentarerna matchar' in html
    assert "<mark>Priset</mark> &lt;b&gt;var&lt;/b&gt; för högt" in html
    assert "Dyrt" not in html  # the south store is out of this user's reach


def test_preview_shows_a_syntax_error_with_its_position(anna, org):
    html = anna.get("/topics/preview/", {"query": "(pris AND"}).text
    assert 'data-testid="preview-error"' in html and "^" in html


def test_the_period_select_shows_the_period_the_figures_are_for(client, org):
    from tests.factories import make_user
    from tests.web.helpers import login

    login(client, make_user(org, "periodic"))
    html = client.get("/topics/").content.decode()
    assert '<option value="12m" selected>' in html


def test_switched_off_topics_are_listed_for_switching_on_and_left_out_of_filters(anna, org):
    analyzed(org, "Väskan kom bort")
    html = anna.get("/topics/").text
    off = html[html.index('data-testid="switched-off"'):]
    assert re.search(r'data-topic="baggage"><a href="/topics/baggage/">[^<]+</a> <span class="k">\(', off)
    assert 'href="/topics/price/"' not in off
    explorer = anna.get("/verbatims/").text
    assert 'value="baggage"' not in explorer and 'value="price"' in explorer
    assert 'value="baggage"' in anna.get("/verbatims/?topic=baggage").text  # asked for: still valid
    page = anna.get("/topics/baggage/").text
    assert 'data-testid="pack"' in page
