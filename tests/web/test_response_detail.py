"""One response on one page (/responses/<id>/): every answer with the question as it was asked,
the comment redacted as everywhere and its analysis with the analyst's controls, where it came
from, the customer with their other responses and contact history; reachable from every list;
organization and unit scoped (404, never 403); hostile text inert; a bounded number of queries."""

import html as html_lib
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from glapp.accounts.models import AuditEntry, Role
from glapp.contacts.models import Customer
from glapp.distribution.models import ContactLog
from glapp.responses.models import Answer, Response
from glapp.surveys import question_types as qt
from glapp.surveys.actions import QuestionSpec, create_survey, update_question
from glapp.surveys.models import Question, SurveyVersion
from glapp.web.response_detail import HISTORY_SHOWN, OTHERS_SHOWN
from tests.factories import make_org, make_user
from tests.textanalytics.test_views import analyzed, topic
from tests.web.helpers import add_responses, days_ago

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
EMAIL = "anna.svensson@example.com"
COMMENT = f"Ring mig på {EMAIL} om fakturan"


def page(org, role=Role.ANALYST, unit=None, username=None):
    client = Client()
    client.force_login(make_user(org, username or f"{role}-{unit or 'all'}", role=role, unit_code=unit,
                                 language="en"))
    return client


def get(client, response_id, **extra):
    return client.get(f"/responses/{response_id}/", **extra)


def response_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'href="/responses/(\d+)/"', html)]


def all_types_survey(org, question_text="Hur lätt var det?"):
    return create_survey(org, name="Every type", code="every", languages=["sv", "en"], questions=[
        QuestionSpec("nps", qt.NPS, {"sv": "Rekommendera oss?", "en": "Would you recommend us?"}),
        QuestionSpec("ease", qt.CES, {"sv": question_text, "en": "How easy was it?"}),
        QuestionSpec("stars", qt.RATING, {"sv": "Betyg", "en": "Rating"}, scale_max=4),
        QuestionSpec("why", qt.SINGLE, {"sv": "Varför?", "en": "Why?"}, options=["price", "staff"],
                     option_texts={"sv": {"price": "Priset", "staff": "Personalen"},
                                   "en": {"price": "The price", "staff": "The staff"}}),
        QuestionSpec("what", qt.MULTI, {"sv": "Vad?", "en": "What else?"}, options=["app", "shop"],
                     option_texts={"en": {"app": "The app", "shop": "The shop"}}),
        QuestionSpec("feel", qt.EMOTION, {"sv": "Känsla?", "en": "How did you feel?"}),
        QuestionSpec("comment", qt.TEXT, {"sv": "Berätta", "en": "Tell us more"}),
    ])


def full_response(org, **extra) -> int:
    [rid] = add_responses(org, {
        "survey": "every", "answers": {"nps": 3, "ease": 6, "stars": 4, "why": "price", "what": ["app", "shop"],
                                       "feel": "frustration", "comment": "Kön var lång"}, **extra})
    return rid


# --- What the page shows -----------------------------------------------------------------------


def test_every_answer_with_its_question_and_its_value_in_words(org):
    all_types_survey(org)
    rid = full_response(org)
    html = get(page(org), rid).content.decode()
    answers = html.split('data-testid="answers"')[1].split("</ol>")[0]
    assert "Would you recommend us?" in answers and "<strong>3</strong>" in answers and "scale 0–10" in answers
    assert "How easy was it?" in answers and "<strong>6</strong>" in answers and "scale 1–7" in answers
    assert "<strong>4</strong>" in answers and "scale 1–4" in answers  # the rating's own scale
    assert "The price" in answers  # the option's label, not its code
    assert "The app, The shop" in answers
    assert "Frustration" in answers
    assert "Kön var lång" in answers and "Not analyzed yet." in answers
    assert 'class="resp-score detractor"' in html


def test_where_the_response_came_from(org):
    [rid] = add_responses(org, {"nps": 9, "comment": "Bra", "unit": "acme-north-store", "channel": "sms",
                                "metadata": {"campaign": "spring", "agent": "Björn"},
                                "submitted_at": "2026-03-29T00:30:00+00:00", "external_id": "ticket-77"})
    html = get(page(org), rid).content.decode()
    about = html.split('data-testid="about"')[1].split("</section>")[0]
    shown = timezone.localtime(Response.objects.get(pk=rid).submitted_at).strftime("%Y-%m-%d %H:%M")
    assert shown in about  # in the installation's zone, as every page shows times
    assert "SMS" in about and "Main" in about and "Contact" in about and "Phone support" in about
    assert re.search(r"Acme\s*›\s*North\s*›\s*North store", about)
    assert "NPS survey" in about and "version 1" in about and "API" in about and "ticket-77" in about
    assert "<dt>campaign</dt><dd>spring</dd>" in about and "<dt>agent</dt><dd>Björn</dd>" in about


def test_a_question_removed_in_a_later_version_shows_the_text_it_was_asked_with(org):
    survey = all_types_survey(org, question_text="Hur enkelt var det att handla?")
    rid = full_response(org)
    ease = Question.objects.get(survey=survey, key="ease")
    update_question(ease, texts={"sv": "Ny formulering", "en": "New wording"})
    # Version 2 no longer asks it; the answer keeps what version 1 froze.
    v1 = survey.current_version
    definition = {**v1.definition, "questions": [q for q in v1.definition["questions"] if q["key"] != "ease"]}
    survey.current_version = SurveyVersion.objects.create(organization=org, survey=survey, number=2,
                                                          definition=definition, published_at=timezone.now())
    survey.save()
    client = Client()
    client.force_login(make_user(org, "sven", language="sv"))
    html = get(client, rid).content.decode()
    assert "Hur enkelt var det att handla?" in html and "Ny formulering" not in html
    assert html.count("inte längre med") == 1  # "(no longer asked)", on that answer only
    assert "Rekommendera oss?" in html  # still asked: no mark


def test_the_analysis_and_the_analysts_controls(org):
    topic(org, "queue", "Kö", "Queue")
    answer_id = analyzed(org, "Kön var lång men personalen var snäll", label="negative", score=-0.4,
                         emotions=["frustration"], topics={"queue": [[0, 3]]})
    rid = Answer.objects.get(pk=answer_id).response_id
    from glapp.textanalytics.models import CommentAnalysis
    CommentAnalysis.objects.filter(answer_id=answer_id).update(key_phrases=["lång kö", "snäll personal"])
    html = get(page(org), rid).content.decode()
    analysis = html.split(f'data-testid="analysis-{answer_id}"')[1].split("</dl>")[0]
    assert "Swedish" in analysis and "Negative" in analysis and "-0.40" in analysis
    assert "built-in analysis" in analysis
    assert "Queue: Negative (-0.40)" in analysis
    assert "Frustration" in analysis and "lång kö, snäll personal" in analysis
    assert f'action="/verbatims/{answer_id}/tag/"' in html and f'action="/verbatims/{answer_id}/sentiment/"' in html
    # The viewer reads the same page, without the controls.
    viewer = get(page(org, Role.VIEWER), rid).content.decode()
    assert "Queue: Negative" in viewer and "/tag/" not in viewer and "/sentiment/" not in viewer


def test_a_correction_posted_from_the_page_returns_to_it(org):
    answer_id = analyzed(org, "Helt okej", label="neutral")
    rid = Answer.objects.get(pk=answer_id).response_id
    client = page(org)
    reply = client.post(f"/verbatims/{answer_id}/sentiment/", {"label": "positive", "next": f"/responses/{rid}/"})
    assert reply.status_code == 302 and reply["Location"] == f"/responses/{rid}/"
    assert "corrected by an analyst" in get(client, rid).content.decode()
    html = get(client, rid).content.decode()
    assert '<input type="hidden" name="details" value="1">' in html  # the page's rows ask for their analysis
    # HTMX re-renders the comment's row in place, with its analysis, so the two never disagree.
    row = client.post(f"/verbatims/{answer_id}/sentiment/", {"label": "negative", "details": "1"}, **HX)
    row = row.content.decode()
    assert f'id="v-{answer_id}"' in row and f'href="/responses/{rid}/#v-{answer_id}"' in row
    analysis = row.split(f'data-testid="analysis-{answer_id}"')[1]
    assert "Negative" in analysis and "corrected by an analyst" in analysis
    assert 'name="details" value="1"' in row  # and its forms keep asking
    # The explorer's rows stay brief.
    explorer_row = client.post(f"/verbatims/{answer_id}/sentiment/", {"label": "neutral"}, **HX).content.decode()
    assert "data-testid=\"analysis-" not in explorer_row


# --- Access ------------------------------------------------------------------------------------


def test_another_organizations_response_does_not_exist(org):
    rival = make_org("rival")
    [theirs] = add_responses(rival, {"nps": 5, "comment": "Hemligt"})
    reply = get(page(org, Role.OWNER), theirs)
    assert reply.status_code == 404 and "Hemligt" not in reply.content.decode()
    assert get(page(org, Role.OWNER, username="o2"), 10**9).status_code == 404


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANALYST, Role.CASE_HANDLER, Role.OWNER])
def test_unit_limited_readers_see_their_units_responses_only(org, role):
    north, south = add_responses(org, {"nps": 9, "unit": "acme-north-store", "comment": "Norr"},
                                 {"nps": 2, "unit": "acme-south-store", "comment": "Söder"})
    client = page(org, role, unit="acme-north")
    assert get(client, north).status_code == 200
    reply = get(client, south)
    assert reply.status_code == 404 and "Söder" not in reply.content.decode()
    [answer_id] = Answer.objects.filter(response_id=south, question_type=qt.TEXT).values_list("id", flat=True)
    assert client.get(f"/comments/{answer_id}/").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(org):
    [rid] = add_responses(org, {"nps": 9})
    reply = Client().get(f"/responses/{rid}/")
    assert reply.status_code == 302 and "/login/" in reply["Location"]


# --- Redaction and its audit -------------------------------------------------------------------


def unredacted_audits():
    return AuditEntry.objects.filter(action=AuditEntry.Action.UNREDACTED_VIEWED, details__page="response")


@pytest.mark.parametrize("analysed", [True, False])
def test_comments_are_redacted_for_readers_without_pii_rights_and_originals_are_audited(org, analysed):
    if analysed:
        answer_id = analyzed(org, COMMENT, redacted="Ring mig på [EMAIL] om fakturan", pii=["email"])
        rid = Answer.objects.get(pk=answer_id).response_id
    else:
        [rid] = add_responses(org, {"nps": 4, "comment": COMMENT})
    for role in (Role.VIEWER, Role.ANALYST):
        html = get(page(org, role), rid).content.decode()
        assert "Ring mig på" in html and EMAIL not in html
    assert not unredacted_audits().exists()
    for role in (Role.CASE_HANDLER, Role.OWNER):
        assert COMMENT in get(page(org, role), rid).content.decode()
    entries = list(unredacted_audits())
    assert len(entries) == 2 and all(e.details["response_ids"] == [rid] and e.target == str(rid) for e in entries)


def test_a_response_without_a_comment_records_no_unredacted_view(org):
    [rid] = add_responses(org, {"nps": 9, "answers": {"nps": 9}, "customer": None})
    assert get(page(org, Role.OWNER), rid).status_code == 200
    assert not unredacted_audits().exists()


# --- The customer ------------------------------------------------------------------------------


def customer_payload(**extra):
    return {"external_id": "K-1", "first_name": "Greta", "email": EMAIL, "phone": "+46701234567",
            "segment": "private", **extra}


def test_the_customer_with_contact_data_for_pii_readers_only(org):
    [rid] = add_responses(org, {"nps": 9, "comment": "Bra", "customer": customer_payload()})
    customer = Customer.objects.get(organization=org, external_id="K-1")
    ContactLog.objects.create(organization=org, customer=customer, kind=ContactLog.Kind.SKIPPED,
                              reason="frequency_cap")
    owner = get(page(org, Role.OWNER), rid).content.decode()
    block = owner.split('data-testid="customer"')[1]
    assert "K-1" in block and "Greta" in block and EMAIL in block and "+46701234567" in block
    assert "private" in block and "Not invited" in block and 'href="/customers/K-1/"' in block
    analyst = get(page(org, Role.ANALYST), rid).content.decode().split('data-testid="customer"')[1]
    assert "K-1" in analyst and "Not invited" in analyst
    assert EMAIL not in analyst and "+46701234567" not in analyst and "Greta" not in analyst


def test_the_customers_other_responses_newest_first_a_page_at_a_time(org):
    payloads = [{"nps": n % 11, "comment": f"Svar {n}", "customer": {"external_id": "K-1"},
                 "submitted_at": days_ago(40 - n)} for n in range(OTHERS_SHOWN + 3)]
    ids = add_responses(org, *payloads)
    this = ids[5]
    client = page(org)
    html = get(client, this).content.decode()
    others = html.split('data-testid="other-responses"')[1].split("</ol>")[0]
    newest_first = [i for i in reversed(ids) if i != this]
    assert response_ids(others) == newest_first[:OTHERS_SHOWN]
    more = re.search(r'<li class="more">\s*<a href="([^"]+)"', others).group(1).replace("&amp;", "&")
    rest = client.get(f"/responses/{this}/{more}", **HX).content.decode()
    assert response_ids(rest) == newest_first[OTHERS_SHOWN:]
    assert "<html" not in rest  # just the rows


def test_more_rows_shown_as_written_are_audited_on_both_pages(org):
    ids = add_responses(org, *[{"nps": 5, "comment": f"Svar {n}", "customer": {"external_id": "K-1"},
                                "submitted_at": days_ago(60 - n)} for n in range(OTHERS_SHOWN + 22)])
    client = page(org, Role.OWNER)
    newest_first = list(reversed(ids))
    for url, first_page, page_size, name in ((f"/responses/{ids[-1]}/", newest_first[1:], OTHERS_SHOWN, "response"),
                                             ("/customers/K-1/", newest_first, 20, "customer")):
        html = client.get(url).content.decode()
        more = re.search(r'<li class="more">\s*<a href="([^"]+)"', html).group(1).replace("&amp;", "&")
        client.get(url + more, **HX)
        entries = AuditEntry.objects.filter(action=AuditEntry.Action.UNREDACTED_VIEWED, details__page=name)
        audited = [e.details["response_ids"] for e in entries.order_by("id")]
        assert len(audited) == 2, name
        assert set(first_page[:page_size]) <= set(audited[0])
        assert sorted(audited[1]) == sorted(first_page[page_size:2 * page_size]), name


def test_the_contact_history_is_bounded_and_links_to_the_whole_of_it(org):
    [rid] = add_responses(org, {"nps": 9, "customer": {"external_id": "K-1"}})
    customer = Customer.objects.get(organization=org, external_id="K-1")
    for n in range(HISTORY_SHOWN + 1):
        ContactLog.objects.create(organization=org, customer=customer, kind=ContactLog.Kind.SKIPPED,
                                  reason="frequency_cap", detail=f"entry {n}")
    html = get(page(org), rid).content.decode()
    assert html.count("Not invited") == HISTORY_SHOWN
    assert "The whole contact history" in html


def test_a_unit_limited_reader_sees_no_profile_of_a_customer_their_units_do_not_own(org):
    # The customer was made by a south store response: theirs is the south's, not the north's.
    add_responses(org, {"nps": 3, "unit": "acme-south-store", "comment": "Söder", "customer": customer_payload()})
    [north] = add_responses(org, {"nps": 8, "unit": "acme-north-store", "comment": "Norr",
                                  "customer": {"external_id": "K-1"}})
    [other_north] = add_responses(org, {"nps": 7, "unit": "acme-north-store", "customer": {"external_id": "K-1"}})
    html = get(page(org, Role.OWNER, unit="acme-north"), north).content.decode()
    block = html.split('data-testid="customer"')[1]
    assert "K-1" in block and EMAIL not in block and "Greta" not in block and "/customers/K-1/" not in block
    assert response_ids(block) == [other_north] and "Söder" not in block


# --- Links from every list ---------------------------------------------------------------------


def test_every_list_links_to_the_response(org):
    topic(org, "invoice", "Faktura", "Invoice", query="faktura*")
    answer_id = analyzed(org, "Fakturan var fel", customer={"external_id": "K-1"})
    rid = Answer.objects.get(pk=answer_id).response_id
    client = page(org, Role.OWNER)
    assert rid in response_ids(client.get("/responses/").content.decode())
    explorer = client.get("/verbatims/").content.decode()
    assert f'href="/responses/{rid}/#v-{answer_id}"' in explorer
    assert rid in response_ids(client.get("/customers/K-1/").content.decode())
    # The topic editor lists comments by answer: its links find their response.
    for url in ("/topics/invoice/", "/topics/preview/?query=faktura*"):
        assert f'href="/comments/{answer_id}/"' in client.get(url).content.decode(), url
    reply = client.get(f"/comments/{answer_id}/")
    assert reply.status_code == 302 and reply["Location"] == f"/responses/{rid}/#v-{answer_id}"


def test_the_customer_page_lists_every_response_and_links_answered_invitations(org):
    ids = add_responses(org, *[{"nps": 5, "customer": {"external_id": "K/2024/17"}, "submitted_at": days_ago(30 - n)}
                               for n in range(25)])
    client = page(org, Role.OWNER)
    html = client.get("/customers/K/2024/17/").content.decode()  # an id with slashes is still a page
    listed = html.split('data-testid="customer-responses"')[1].split("</ol>")[0]
    assert response_ids(listed) == list(reversed(ids))[:20]
    more = re.search(r'<li class="more">\s*<a href="([^"]+)"', listed).group(1).replace("&amp;", "&")
    rest = client.get(f"/customers/K/2024/17/{more}", **HX).content.decode()
    assert response_ids(rest) == list(reversed(ids))[20:]
    assert 'href="/customers/K/2024/17/"' in get(client, ids[0]).content.decode()


# --- Hostile text ------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'


def test_stored_strings_render_inert(org):
    create_survey(org, name=f"Enkät {SCRIPT}", code="evil", languages=["sv"], questions=[
        QuestionSpec("nps", qt.NPS, {"sv": f"Fråga {IMG}"}),
        QuestionSpec("why", qt.SINGLE, {"sv": "Varför?"}, options=["a", "b"],
                     option_texts={"sv": {"a": IMG, "b": "B"}}),
        QuestionSpec("comment", qt.TEXT, {"sv": SCRIPT}),
    ])
    topic(org, "evil", IMG, IMG)
    [rid] = add_responses(org, {"survey": "evil", "answers": {"nps": 1, "why": "a", "comment": f"{SCRIPT} {IMG}"},
                                "metadata": {SCRIPT: IMG, "agent": SCRIPT},
                                "customer": customer_payload(first_name=SCRIPT, attributes={IMG: SCRIPT}),
                                "segment": IMG})
    [other] = add_responses(org, {"nps": 2, "comment": IMG, "customer": {"external_id": "K-1"}})
    answer = Answer.objects.get(response_id=rid, question_type=qt.TEXT)
    from glapp.textanalytics.models import CommentAnalysis, TopicMention
    analysis = CommentAnalysis.objects.create(
        organization=org, answer=answer, response_id=rid, language="sv", redacted_text=answer.text,
        sentiment=-0.5, sentiment_label="negative", key_phrases=[SCRIPT], emotions=[{"code": IMG}],
        pii_kinds=[IMG], version="test", analyzed_at=timezone.now())
    TopicMention.objects.create(organization=org, analysis=analysis, response_id=rid, topic="evil", sentiment=-0.5)
    for role in (Role.OWNER, Role.ANALYST):
        html = get(page(org, role), rid).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html, role
        assert html_lib.escape(SCRIPT, quote=False) in html or "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    owner = get(page(org, Role.OWNER, username="o2"), rid).content.decode()
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in owner  # the customer's attribute, escaped
    assert other in response_ids(owner)


# --- Queries -----------------------------------------------------------------------------------


def test_the_number_of_queries_does_not_grow_with_answers_analyses_or_other_responses(
        org, django_assert_max_num_queries):
    topic(org, "queue", "Kö", "Queue")
    topic(org, "staff", "Personal", "Staff")
    all_types_survey(org)

    def one_response(answers, others, history):
        [rid] = add_responses(org, {"survey": "every", "answers": answers,
                                    "customer": {"external_id": f"K-{others}"}})
        for answer in Answer.objects.filter(response_id=rid, question_type=qt.TEXT):
            from glapp.textanalytics.models import CommentAnalysis, TopicMention
            a = CommentAnalysis.objects.create(
                organization=org, answer=answer, response_id=rid, language="sv", redacted_text=answer.text,
                sentiment=0.1, sentiment_label="neutral", version="test", analyzed_at=timezone.now())
            for code in ("queue", "staff")[:others % 3]:
                TopicMention.objects.create(organization=org, analysis=a, response_id=rid, topic=code, sentiment=0.0)
        add_responses(org, *[{"nps": 5, "comment": f"Tidigare {n}", "customer": {"external_id": f"K-{others}"}}
                             for n in range(others)])
        customer = Customer.objects.get(organization=org, external_id=f"K-{others}")
        for _ in range(history):
            ContactLog.objects.create(organization=org, customer=customer, kind=ContactLog.Kind.SKIPPED)
        return rid

    small = one_response({"nps": 5, "comment": "Kort"}, others=1, history=1)
    large = one_response({"nps": 3, "ease": 6, "stars": 2, "why": "staff", "what": ["app"], "feel": "joy",
                          "comment": "Kön var lång och personalen trött"},
                         others=OTHERS_SHOWN + 7, history=30)  # 17 % 3: two topics on the comment
    client = page(org, Role.OWNER)
    get(client, small)  # the session and the caches warm up
    with CaptureQueriesContext(connection) as counted:
        assert get(client, small).status_code == 200
    with django_assert_max_num_queries(len(counted)):
        assert get(client, large).status_code == 200
    assert len(counted) <= 25
