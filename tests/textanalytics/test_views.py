"""The verbatim explorer and its inline teaching: search, filters, highlighting built from
escaped pieces, unit scoping, redaction by role, tags and corrections through the actions.

Analyses are written directly here (known text, topics, sentiment), so these tests check the
pages, not the analyzers' judgement; test_views_pipeline.py runs the real pipeline end to end.
"""

import re

import pytest
from django.utils import timezone

from glapp.accounts.models import Role
from glapp.responses.models import Answer
from glapp.textanalytics import queries
from glapp.textanalytics.models import CommentAnalysis, SentimentCorrection, Topic, TopicMention, TopicTag
from glapp.textanalytics.views import PAGE_SIZE, segments
from tests.factories import make_org, make_user
from tests.web.helpers import add_responses, days_ago, login

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def topic(org, code, name_sv, name_en, query="x", builtin=False):
    """The topic as the test needs it: a new organization already has the built-in topics, and a
    test's code may be one of them ("price")."""
    t, _ = Topic.objects.update_or_create(organization=org, code=code, defaults={
        "name_sv": name_sv, "name_en": name_en, "query": query, "builtin": builtin})
    return t


def without_builtin_topics(org):
    """For a test that lists or counts its own topics only: a new organization has the built-in ones."""
    Topic.objects.filter(organization=org).delete()


def analyzed(org, text, *, nps=5, redacted=None, label="neutral", score=0.0, language="sv", emotions=(),
             topics=None, pii=(), **response):
    """A response with a comment and a stored analysis of it; returns the answer id."""
    [rid] = add_responses(org, {"nps": nps, "comment": text, **response})
    answer = Answer.objects.get(response_id=rid, question_type="text")
    analysis = CommentAnalysis.objects.create(
        organization=org, answer=answer, response_id=rid, language=language,
        redacted_text=redacted if redacted is not None else text, pii_kinds=list(pii), sentiment=score,
        sentiment_label=label, emotions=[{"code": e, "strength": 0.8} for e in emotions], version="test",
        analyzed_at=timezone.now())
    for code, spans in (topics or {}).items():
        TopicMention.objects.create(organization=org, analysis=analysis, response_id=rid, topic=code,
                                    sentiment=score, spans=spans)
    return answer.id


def answer_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-answer-id="(\d+)"', html)]


@pytest.fixture
def anna(client, org):
    return login(client, make_user(org, "anna"))  # analyst: may read, write (teach), no personal data


# --- Highlighting is escaped pieces, never markup -------------------------------------------


def test_segments_merge_overlaps_and_clip():
    assert segments("abcdef", [(1, 3), (2, 4)]) == [("a", False), ("bcd", True), ("ef", False)]
    assert segments("abc", [(0, 1), (1, 2)]) == [("ab", True), ("c", False)]
    assert segments("abc", [(2, 99), (-5, 0)]) == [("ab", False), ("c", True)]
    assert segments("", []) == [("", False)]


def test_search_terms_take_words_and_phrases():
    assert queries.search_terms('lång "väntetid i telefon" pris* AND NOT') == ["lång", "väntetid i telefon", "pris"]
    assert queries.search_terms("Kö kö KÖ") == ["Kö"]
    assert queries.term_spans("Lång kö, LÅNG väntan", ["lång"]) == [(0, 4), (9, 13)]


def test_hostile_comment_is_escaped_and_highlighted_in_pieces(anna, org):
    analyzed(org, '<script>alert("x")</script> väntetid <img src=x onerror=alert(1)>')
    html = anna.get("/verbatims/?q=v%C3%A4ntetid").text
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; <mark>väntetid</mark> &lt;img" in html


def test_topic_spans_are_highlighted_when_filtering_by_topic(anna, org):
    topic(org, "waiting", "Väntetid", "Waiting time")
    analyzed(org, "Alldeles för lång väntetid i kassan", topics={"waiting": [[18, 26]]})
    html = anna.get("/verbatims/?topic=waiting").text
    assert "Alldeles för lång <mark>väntetid</mark> i kassan" in html


# --- Filters and paging -----------------------------------------------------------------------


@pytest.fixture
def corpus(org):
    topic(org, "price", "Pris", "Price")
    topic(org, "staff", "Personal", "Staff")
    return {
        "price": analyzed(org, "Priset var för högt", nps=3, label="negative", score=-0.6, emotions=["frustration"],
                          topics={"price": [[0, 6]]}, touchpoint="web-checkout", submitted_at=days_ago(5)),
        "staff": analyzed(org, "Trevlig personal", nps=10, label="positive", score=0.8, emotions=["joy"],
                          topics={"staff": [[8, 16]]}, unit="acme-north-store", submitted_at=days_ago(3)),
        "en": analyzed(org, "Nice staff but slow", nps=8, language="en", topics={"staff": [[5, 10]]},
                       unit="acme-south-store", submitted_at=days_ago(2)),
        "old": analyzed(org, "Okej", nps=7, submitted_at="2024-01-10T10:00:00+01:00"),
    }


@pytest.mark.parametrize(("query", "expected"), [
    ("", ["en", "staff", "price", "old"]),
    ("q=PERSONAL", ["staff"]),
    ('q="för högt"', ["price"]),
    ("q=nice+slow", ["en"]),
    ("topic=staff", ["en", "staff"]),
    ("sentiment=negative", ["price"]),
    ("emotion=joy", ["staff"]),
    ("language=en", ["en"]),
    ("touchpoint=web-checkout", ["price"]),
    ("unit=acme-north", ["staff"]),
    ("score_min=9", ["staff"]),
    ("score_min=7&score_max=8", ["en", "old"]),
    ("period=30d", ["en", "staff", "price"]),
])
def test_filters(anna, corpus, query, expected):
    html = anna.get(f"/verbatims/?{query}").text
    assert answer_ids(html) == [corpus[k] for k in expected]
    assert re.search(rf"{len(expected)} kommentar(er)?\b", html)


def test_invalid_filters_are_reported_not_ignored(anna, corpus):
    html = anna.get("/verbatims/?score_min=9&score_max=3&topic=nonexistent").text
    assert 'role="alert"' in html and answer_ids(html) == []


def test_htmx_gets_the_results_fragment_and_a_cursor_pages_on(anna, org):
    for i in range(PAGE_SIZE + 3):
        analyzed(org, f"Kommentar {i}", submitted_at=days_ago(10 + i))
    first = anna.get("/verbatims/", **HX)
    assert "<html" not in first.text and first["Vary"].count("HX-Request") == 1
    ids = answer_ids(first.text)
    assert len(ids) == PAGE_SIZE
    next_url = re.search(r'hx-get="(\?[^"]*cursor=[^"]+)"', first.text).group(1).replace("&amp;", "&")
    rest = answer_ids(anna.get("/verbatims/" + next_url, **HX).text)
    assert len(rest) == 3 and not set(rest) & set(ids)


def test_query_count_does_not_grow_with_rows(anna, org, django_assert_max_num_queries):
    topic(org, "price", "Pris", "Price")
    analyzed(org, "Dyrt", topics={"price": [[0, 4]]})
    with django_assert_max_num_queries(15) as few:  # 14 and the frame's bell count
        anna.get("/verbatims/")
    for i in range(15):
        analyzed(org, f"Dyrt {i}", topics={"price": [[0, 4]]}, emotions=["anger"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        anna.get("/verbatims/")


# --- Who sees what -----------------------------------------------------------------------------


def test_unit_limited_users_see_and_teach_only_their_units(client, org, corpus):
    login(client, make_user(org, "stina", role=Role.ANALYST, unit_code="acme-north-store"))
    assert answer_ids(client.get("/verbatims/").text) == [corpus["staff"]]
    assert client.post(f"/verbatims/{corpus['price']}/sentiment/", {"label": "positive"}).status_code == 404
    assert client.post(f"/verbatims/{corpus['staff']}/tag/", {"tag": "price"}).status_code == 302


def test_another_organizations_comment_does_not_exist(anna, org):
    rival = make_org("rival")
    topic(rival, "price", "Pris", "Price")
    theirs = analyzed(rival, "Hemligt")
    assert "Hemligt" not in anna.get("/verbatims/").text
    assert anna.post(f"/verbatims/{theirs}/tag/", {"tag": "price"}).status_code == 404
    assert not TopicTag.objects.exists()


@pytest.mark.parametrize(("role", "sees_original"), [
    (Role.OWNER, True), (Role.ADMIN, True), (Role.CASE_HANDLER, True), (Role.ANALYST, False), (Role.VIEWER, False),
])
def test_only_roles_with_pii_rights_may_see_the_original(client, org, role, sees_original):
    analyzed(org, "Ring mig på 070-123 45 67", redacted="Ring mig på [PHONE]", pii=["PHONE"])
    login(client, make_user(org, "u", role=role))
    default = client.get("/verbatims/").text
    assert "[PHONE]" in default and "070-123" not in default  # redacted unless asked for
    asked = client.get("/verbatims/?pii=on").text
    assert ("070-123 45 67" in asked) is sees_original
    assert ('name="pii"' in default) is sees_original


def test_search_does_not_find_removed_personal_data(anna, org):
    analyzed(org, "Mejla anna@example.com", redacted="Mejla [EMAIL]", pii=["EMAIL"])
    assert answer_ids(anna.get("/verbatims/?q=example").text) == []


# --- Teaching inline ---------------------------------------------------------------------------


def test_tag_and_untag_inline_return_the_row(anna, org):
    topic(org, "price", "Pris", "Price")
    answer_id = analyzed(org, "Det kostade skjortan")
    row = anna.post(f"/verbatims/{answer_id}/tag/", {"tag": "price", "applies": "1", "q": "skjortan"}, **HX)
    assert row.status_code == 200 and row.text.lstrip().startswith("<li")
    assert 'data-topic="price"' in row.text and "<mark>skjortan</mark>" in row.text
    assert TopicTag.objects.get().applies is True
    assert TopicMention.objects.get(topic="price").source == "tag"

    row = anna.post(f"/verbatims/{answer_id}/tag/", {"tag": "price", "applies": "0"}, **HX)
    assert 'data-topic="price"' not in row.text
    assert TopicTag.objects.get().applies is False and not TopicMention.objects.exists()


def test_add_topic_select_starts_empty_and_leaves_out_topics_already_on_the_comment(anna, org):
    without_builtin_topics(org)
    topic(org, "price", "Pris", "Price")
    topic(org, "staff", "Personal", "Staff")
    answer_id = analyzed(org, "Dyrt", topics={"price": [[0, 4]]})
    html = anna.get("/verbatims/").text
    select = re.search(rf'<select id="tag-{answer_id}"[^>]*>(.*?)</select>', html, re.S)
    assert select and " required" in select.group(0).split(">")[0]
    options = re.findall(r'<option value="([^"]*)"( selected)?', select.group(1))
    assert options[0] == ("", " selected")  # a placeholder, chosen by default
    assert [code for code, _sel in options[1:]] == ["staff"]  # price is already on the comment


@pytest.mark.parametrize("headers", [HX, {}])
def test_an_empty_topic_is_refused_and_stores_nothing(anna, org, headers):
    topic(org, "price", "Pris", "Price")
    answer_id = analyzed(org, "Dyrt")
    response = anna.post(f"/verbatims/{answer_id}/tag/", {"tag": "", "applies": "1"}, **headers)
    assert response.status_code == 422 and "Välj ett ämne" in response.text  # the UI language (Swedish by default)
    assert not TopicTag.objects.exists() and not TopicMention.objects.exists()


def test_a_plain_form_post_goes_back_to_the_list(anna, org):
    topic(org, "price", "Pris", "Price")
    answer_id = analyzed(org, "Dyrt")
    response = anna.post(f"/verbatims/{answer_id}/tag/", {"tag": "price", "next": "/verbatims/?q=dyrt"})
    assert response.status_code == 302 and response["Location"] == "/verbatims/?q=dyrt"
    evil = anna.post(f"/verbatims/{answer_id}/tag/", {"tag": "price", "next": "https://evil.example/"})
    assert evil["Location"] == "/verbatims/"


def test_correct_sentiment_inline(anna, org):
    answer_id = analyzed(org, "Helt okej", label="neutral")
    row = anna.post(f"/verbatims/{answer_id}/sentiment/", {"label": "positive"}, **HX).text
    assert re.search(rf'data-testid="sentiment-{answer_id}"[^>]*>Positiv<', row)
    assert SentimentCorrection.objects.get().label == "positive"
    assert CommentAnalysis.objects.get().sentiment_source == "analyst"
    assert anna.post(f"/verbatims/{answer_id}/sentiment/", {"label": "furious"}, **HX).status_code == 422


def test_readers_cannot_teach(client, org):
    topic(org, "price", "Pris", "Price")
    answer_id = analyzed(org, "Dyrt")
    login(client, make_user(org, "vera", role=Role.VIEWER))
    html = client.get("/verbatims/").text
    assert "Dyrt" in html and "/tag/" not in html
    assert client.post(f"/verbatims/{answer_id}/tag/", {"tag": "price"}).status_code == 403
    assert client.post(f"/verbatims/{answer_id}/sentiment/", {"label": "positive"}).status_code == 403
    assert not TopicTag.objects.exists() and not SentimentCorrection.objects.exists()


def test_english_interface(anna, org):
    analyzed(org, "Bra", label="positive")
    anna.cookies["django_language"] = "en"
    html = anna.get("/verbatims/").text
    assert "<h1>Comments</h1>" in html and "1 comment" in html and ">Positive<" in html


def test_rows_name_the_nps_category_and_the_emotions_in_the_respondents_words(anna, org):
    """Categories come from stats.nps_category, emotion names from the labels respondents pick
    from (question_types.EMOTION_LABELS), so the two pages cannot drift apart."""
    for score in (6, 7, 9):
        analyzed(org, f"Betyg {score}", nps=score, emotions=("surprise_positive",))
    anna.cookies["django_language"] = "en"
    html = anna.get("/verbatims/").text
    cats = re.findall(r'<span class="score">(\d+)</span>\s*<span class="cat">(\w+)</span>', html)
    assert sorted(cats) == [("6", "Detractor"), ("7", "Passive"), ("9", "Promoter")]
    assert html.count("Pleasant surprise") >= 3
    assert '<option value="surprise_positive">Pleasant surprise</option>' in html  # the emotion filter
