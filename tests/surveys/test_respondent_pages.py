"""The respondent's pages: one question a page, piped and escaped wording, skip logic, progress,
validation errors, thank-you and promoter link, expiry, closed surveys, the public link and its
parameters, invitation links and the events they send, and the byte size of every page."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from glapp.accounts.models import Unit
from glapp.contacts.models import Customer
from glapp.distribution.models import Invitation
from glapp.journeys.models import Touchpoint
from glapp.respond.models import RespondentSession
from glapp.respond.views import START_SIGNER
from glapp.responses.models import Response
from glapp.surveys import question_types as qt
from glapp.surveys.actions import QuestionSpec, archive_survey, create_survey
from glapp.surveys.models import Survey

pytestmark = pytest.mark.django_db
PAGE_LIMIT = 50 * 1024


# --- helpers shared by the respondent tests -------------------------------------------------------------


def make_swedish_survey(org, code: str = "kundtjanst", **settings) -> Survey:
    """NPS (required) → a follow-up for detractors (skip logic, piped first name) → a single
    choice with labels → an optional comment."""
    return create_survey(
        org, name="Kundtjänst", code=code, languages=["sv", "en"],
        touchpoint=Touchpoint.objects.get(organization=org, code="phone-support"),
        questions=[
            QuestionSpec("nps", qt.NPS, {
                "sv": "Hur troligt är det att du skulle rekommendera oss[ efter ditt samtal med {agent}]?",
                "en": "How likely are you to recommend us[ after your call with {agent}]?"}, required=True),
            QuestionSpec("better", qt.TEXT, {"sv": "Vad kunde vi ha gjort bättre, {first_name}?",
                                             "en": "What could we have done better, {first_name}?"},
                         show_if={"question": "nps", "max": 6}),
            QuestionSpec("reason", qt.SINGLE, {"sv": "Vad var viktigast?", "en": "What mattered most?"},
                         options=["price", "service"],
                         option_texts={"sv": {"price": "Priset", "service": "Servicen"},
                                       "en": {"price": "The price", "service": "The service"}}),
            QuestionSpec("comment", qt.TEXT, {"sv": "Något mer du vill berätta?", "en": "Anything else to tell us?"}),
        ],
        settings={"thank_you": {"sv": "Tack {first_name}!", "en": "Thank you, {first_name}!"},
                  "promoter_link": "https://reviews.example/acme",
                  "promoter_link_label": {"sv": "Skriv ett omdöme", "en": "Write a review"},
                  "widget_event": "checkout_completed", "widget_delay_seconds": 0, **settings},
    )


def make_invitation(org, survey, *, token=None, language="sv", first_name="Anna", context=None, expires_at=None,
                    status=Invitation.Status.SENT, external_id="C-1") -> Invitation:
    customer, _ = Customer.objects.get_or_create(organization=org, external_id=external_id,
                                                 defaults={"first_name": first_name, "segment": "private",
                                                           "email": "anna@example.com"})
    values = {"organization": org, "survey": survey, "customer": customer, "touchpoint": survey.touchpoint,
              "unit": Unit.objects.get(organization=org, code=f"{org.slug}-north-store"), "channel": "email",
              "language": language, "status": status, "scheduled_for": timezone.now(),
              "expires_at": expires_at or timezone.now() + dt.timedelta(days=14),
              "context": {"first_name": first_name, "agent": "Bo", "email": "anna@example.com",
                          **(context or {})}}
    if token:
        values["token"] = token
    return Invitation.objects.create(**values)


def answer(client, url, question, *values, skip=False, **extra):
    """POST one answer as the form does; a bare `start` token is signed as the page would issue it."""
    if extra.get("start") and ":" not in extra["start"]:
        extra["start"] = START_SIGNER.sign(extra["start"])
    data = {"question": question, "answer": list(values), **extra}
    if skip:
        data["skip"] = "1"
    return client.post(url, data)


def start_token(html: str) -> str:
    return re.search(r'name="start" value="([^"]+)"', html).group(1)


def test_a_forged_start_token_is_not_used_for_the_session(org, survey):
    url = f"/s/{survey.public_token}/"
    Client().post(url, {"question": "nps", "answer": "7", "start": "K" * 24})  # unsigned: ignored
    assert RespondentSession.objects.get().token != "K" * 24


@pytest.fixture
def survey(org):
    return make_swedish_survey(org)


# --- invitation links -------------------------------------------------------------------------------------


def test_an_invitation_link_becomes_a_session_with_the_same_token_and_pipes_its_context(org, survey,
                                                                                        django_capture_on_commit_callbacks):
    inv = make_invitation(org, survey)
    client = Client(enforce_csrf_checks=True)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(f"/r/{inv.token}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="sv">' in html
    assert "Hur troligt är det att du skulle rekommendera oss efter ditt samtal med Bo?" in html
    assert "0 = " in html and "10 = " in html  # the ends of the scale
    assert len(re.findall(r'<input type="radio"', html)) == 11
    assert "<fieldset" in html and "<legend>" in html
    session = RespondentSession.objects.get(token=inv.token)
    assert (session.customer, session.unit, session.channel, session.language) == (
        inv.customer, inv.unit, "email", "sv")
    inv.refresh_from_db()
    assert inv.opened_at is not None and inv.responded_at is None
    client.get(f"/r/{inv.token}/")  # a second view creates nothing
    assert RespondentSession.objects.filter(token=inv.token).count() == 1


def test_answering_an_invitation_follows_skip_logic_and_reports_to_the_invitation(
        org, survey, django_capture_on_commit_callbacks):
    inv = make_invitation(org, survey, language="en")
    url = f"/r/{inv.token}/"
    client = Client(enforce_csrf_checks=True)
    # The follow-up a low score opens counts from the start: "1 of 4", then "2 of 4", not "1 of 3" → "2 of 4".
    assert "Question 1 of 4" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = answer(client, url, "nps", "3")
    assert done.status_code == 302 and done["Location"] == url
    inv.refresh_from_db()
    assert inv.responded_at is not None and inv.completed_at is None
    page = client.get(url).content.decode()
    # A detractor gets the follow-up; the path now has four questions.
    assert "What could we have done better, Anna?" in page and "Question 2 of 4" in page
    assert 'maxlength="2000"' in page and "<textarea" in page
    answer(client, url, "better", "Kortare kö")
    page = client.get(url).content.decode()
    assert "The price" in page and "The service" in page and "Question 3 of 4" in page
    answer(client, url, "reason", "price")
    page = client.get(url).content.decode()
    assert "Skip" in page and "Send" in page
    with django_capture_on_commit_callbacks(execute=True):
        answer(client, url, "comment", skip=True)
    thanks = client.get(url).content.decode()
    assert "Thank you, Anna!" in thanks and "reviews.example" not in thanks  # a detractor gets no review link
    inv.refresh_from_db()
    assert inv.completed_at is not None
    session = RespondentSession.objects.get(token=inv.token)
    assert session.answered == {"nps": 3, "better": "Kortare kö", "reason": "price", "comment": None}
    response = Response.objects.get(external_id=session.response_external_id)
    assert response.source == "survey" and response.channel == "email" and response.segment == "private"
    assert response.metadata == {"agent": "Bo"}  # first name and e-mail stay out of the metadata
    assert response.customer == inv.customer and response.unit == inv.unit
    assert response.touchpoint == survey.touchpoint and response.survey_version == survey.current_version
    assert response.has_comment
    assert sorted(response.answers.values_list("question__key", flat=True)) == ["better", "nps", "reason"]


def test_promoters_get_the_next_step_link_escaped(org, survey):
    inv = make_invitation(org, survey, first_name='<script>alert("x")</script>')
    url = f"/r/{inv.token}/"
    client = Client()
    answer(client, url, "nps", "10")
    page = client.get(url).content.decode()
    assert "Vad kunde vi" not in page  # no detractor follow-up for a promoter
    answer(client, url, "reason", "service")
    answer(client, url, "comment", "Toppen")
    thanks = client.get(url).content.decode()
    assert 'href="https://reviews.example/acme"' in thanks and "Skriv ett omdöme" in thanks
    assert "<script>alert" not in thanks and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in thanks


def test_only_web_links_are_offered(org):
    survey = make_swedish_survey(org, code="evil", promoter_link="https://ok.example/")
    version = survey.current_version
    version.definition["promoter_link"] = "javascript:alert(1)"  # as if stored by some other path
    version.save()
    inv = make_invitation(org, survey)
    client = Client()
    for key, value in (("nps", "9"), ("reason", "price"), ("comment", "")):
        answer(client, f"/r/{inv.token}/", key, value)
    thanks = client.get(f"/r/{inv.token}/").content.decode()
    assert "javascript:" not in thanks and "Skriv ett omdöme" not in thanks


def test_piped_values_are_escaped_in_the_wording(org, survey):
    inv = make_invitation(org, survey, first_name="<script>x()</script>", context={"agent": "<b>Bo</b>"})
    html = Client().get(f"/r/{inv.token}/").content.decode()
    assert "<b>Bo</b>" not in html and "&lt;b&gt;Bo&lt;/b&gt;" in html
    answer(Client(), f"/r/{inv.token}/", "nps", "0")
    html = Client().get(f"/r/{inv.token}/").content.decode()
    assert "<script>x()" not in html and "&lt;script&gt;x()&lt;/script&gt;" in html


def test_a_required_question_left_empty_shows_an_accessible_error(org, survey):
    inv = make_invitation(org, survey, language="en")
    resp = answer(Client(), f"/r/{inv.token}/", "nps")
    assert resp.status_code == 400
    html = resp.content.decode()
    assert 'role="alert"' in html and "autofocus" in html and "Please answer this question." in html
    assert 'aria-describedby="q-hint ends q-error"' in html and 'id="q-error"' in html
    assert "<title>Error:" in html
    resp = answer(Client(), f"/r/{inv.token}/", "nps", "11")
    assert resp.status_code == 400 and "Please choose one of the options." in resp.content.decode()
    resp = answer(Client(), f"/r/{inv.token}/", "nps", skip=True)  # required: no skipping either
    assert resp.status_code == 400
    assert not Response.objects.exists()
    assert RespondentSession.objects.get(token=inv.token).answered == {}


def test_a_too_long_comment_is_refused_and_kept_in_the_box(org, survey):
    inv = make_invitation(org, survey, language="en")
    url = f"/r/{inv.token}/"
    answer(Client(), url, "nps", "2")
    resp = answer(Client(), url, "better", "x" * 2001)
    assert resp.status_code == 400 and 'aria-invalid="true"' in resp.content.decode()
    assert "Your answer is too long: at most 2000 characters." in resp.content.decode()
    assert "x" * 2001 in resp.content.decode()
    assert Response.objects.get().answers.count() == 1


def test_a_revisit_resumes_and_a_completed_session_shows_thanks(org, survey):
    inv = make_invitation(org, survey, language="en")
    url = f"/r/{inv.token}/"
    answer(Client(), url, "nps", "8")
    fresh = Client().get(url).content.decode()  # another device, same link
    assert "What mattered most?" in fresh and "Question 2 of 3" in fresh
    answer(Client(), url, "reason", "price")
    answer(Client(), url, "comment", "Bra")
    assert "Thank you, Anna!" in Client().get(url).content.decode()
    assert answer(Client(), url, "comment", "Again").status_code == 302  # answers are final
    assert Response.objects.get().answers.get(question__key="comment").text == "Bra"


def test_expired_unknown_and_closed_links(org, survey):
    expired = make_invitation(org, survey, expires_at=timezone.now() - dt.timedelta(minutes=1), language="en")
    resp = Client().get(f"/r/{expired.token}/")
    assert resp.status_code == 410 and "This link has expired" in resp.content.decode()
    assert not RespondentSession.objects.exists()

    # An unknown link has no respondent language: the site's (Swedish), or the language cookie's.
    unknown = Client().get("/r/no-such-token-at-all/")
    assert unknown.status_code == 404 and "Vi kunde inte hitta enkäten" in unknown.content.decode()
    english = Client()
    english.cookies["django_language"] = "en"
    assert "We could not find this survey" in english.get("/r/no-such-token-at-all/").content.decode()
    assert "<html" in unknown.content.decode()  # a page of its own, not the bare 404

    # A session that has begun may finish after its expiry; one that has not, may not start.
    started = make_invitation(org, survey, language="en", external_id="C-2")
    answer(Client(), f"/r/{started.token}/", "nps", "9")
    unstarted = make_invitation(org, survey, language="en", external_id="C-3")
    Client().get(f"/r/{unstarted.token}/")
    RespondentSession.objects.update(expires_at=timezone.now() - dt.timedelta(days=1))
    assert "What mattered most?" in Client().get(f"/r/{started.token}/").content.decode()
    assert Client().get(f"/r/{unstarted.token}/").status_code == 410

    archive_survey(survey)
    closed = make_invitation(org, survey, language="en", external_id="C-4")
    resp = Client().get(f"/r/{closed.token}/")
    assert resp.status_code == 410 and "This survey is closed" in resp.content.decode()
    assert "What mattered most?" in Client().get(f"/r/{started.token}/").content.decode()  # begun: may finish


def test_the_distribution_app_missing_makes_invitation_tokens_unknown(org, survey, monkeypatch):
    import sys

    inv = make_invitation(org, survey)
    monkeypatch.setitem(sys.modules, "glapp.distribution.queries", None)  # import fails
    assert Client().get(f"/r/{inv.token}/").status_code == 404


# --- the public link ----------------------------------------------------------------------------------------


def test_the_public_link_starts_a_session_with_its_first_answer(org, survey):
    url = f"/s/{survey.public_token}/?lang=en&unit={org.slug}-south-store&channel=store&store=Kista&agent=Bo" \
          "&first_name=Eve&campaign=vår"
    client = Client(enforce_csrf_checks=True)
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and '<html lang="en">' in html
    assert "How likely are you to recommend us after your call with Bo?" in html
    assert not RespondentSession.objects.exists()  # a look creates nothing
    signed = start_token(html)
    token = START_SIGNER.unsign(signed)
    done = answer(client, url, "nps", "9", start=signed)
    assert done.status_code == 302 and done["Location"] == f"/r/{token}/"
    session = RespondentSession.objects.get()
    assert session.token == token and session.channel == "store" and session.language == "en"
    assert session.unit.code == f"{org.slug}-south-store"
    assert session.context == {"store": "Kista", "agent": "Bo", "campaign": "vår"}  # whitelisted keys only
    assert session.expires_at > timezone.now() + dt.timedelta(days=13)
    response = Response.objects.get()
    assert response.metadata == {"store": "Kista", "agent": "Bo", "campaign": "vår"}
    assert response.channel == "store" and response.customer is None
    # A double click on the first answer finds the session the first click created.
    again = answer(client, url, "nps", "9", start=signed)
    assert again["Location"] == f"/r/{token}/"
    assert RespondentSession.objects.count() == 1 and Response.objects.count() == 1
    # The cookie resumes the session on the next visit to the public link.
    assert client.get(url)["Location"] == f"/r/{token}/"
    assert "What mattered most?" in client.get(f"/r/{token}/").content.decode()


def test_the_public_link_validates_before_creating_anything(org, survey):
    url = f"/s/{survey.public_token}/"
    page = Client().get(url).content.decode()
    resp = answer(Client(), url, "nps", start=start_token(page))
    assert resp.status_code == 400 and 'role="alert"' in resp.content.decode()
    assert not RespondentSession.objects.exists()
    assert '<html lang="sv">' in page  # the survey's first language by default


def test_unknown_parameters_fall_back_safely(org, survey):
    url = f"/s/{survey.public_token}/?lang=de&channel=email&unit=nowhere"
    page = Client().get(url).content.decode()
    answer(Client(), url, "nps", "5", start=start_token(page))
    session = RespondentSession.objects.get()
    assert (session.language, session.channel, session.unit) == ("sv", "link", None)
    # A forged start token of the wrong shape is replaced.
    answer(Client(), url, "nps", "5", start="<bad>")
    assert RespondentSession.objects.count() == 2
    assert all(len(t) >= 16 for t in RespondentSession.objects.values_list("token", flat=True))


def test_a_start_token_of_another_surveys_session_is_not_reused(org, survey):
    other = make_swedish_survey(org, code="other")
    answer(Client(), f"/s/{other.public_token}/", "nps", "7", start="A" * 24)
    answer(Client(), f"/s/{survey.public_token}/", "nps", "7", start="A" * 24)
    assert RespondentSession.objects.filter(survey=survey).exclude(token="A" * 24).count() == 1
    assert RespondentSession.objects.get(token="A" * 24).survey == other


def test_only_active_published_surveys_answer_the_public_link(org, survey):
    draft = create_survey(org, name="Utkast", code="draft", publish=False,
                          questions=[QuestionSpec("nps", qt.NPS, {"sv": "Hur troligt?"}, required=True)])
    resp = Client().get(f"/s/{draft.public_token}/")
    assert resp.status_code == 410 and '<html lang="sv">' in resp.content.decode()
    archive_survey(survey)
    assert Client().get(f"/s/{survey.public_token}/?lang=en").status_code == 410
    assert Client().post(f"/s/{survey.public_token}/", {"question": "nps", "answer": "9"}).status_code == 410
    assert not RespondentSession.objects.exists()
    assert Client().get("/s/nope/").status_code == 404


def test_an_optional_first_question_can_be_skipped_and_no_response_exists_until_an_answer(org):
    survey = create_survey(org, name="Valfri", code="optional", questions=[
        QuestionSpec("comment", qt.TEXT, {"sv": "Något att berätta?"}),
        QuestionSpec("emotion", qt.EMOTION, {"sv": "Hur kändes det?"}),
        QuestionSpec("extras", qt.MULTI, {"sv": "Vad använde du?"}, options=["app", "web"]),
        QuestionSpec("csat", qt.CSAT, {"sv": "Hur nöjd är du?"}),
        QuestionSpec("stars", qt.RATING, {"sv": "Betyg?"}, scale_max=6),
    ])
    client = Client()
    url = f"/s/{survey.public_token}/"
    answer(client, url, "comment", skip=True, start="B" * 24)
    session = RespondentSession.objects.get()
    assert session.answered == {"comment": None} and not Response.objects.exists()
    page = client.get(f"/r/{session.token}/").content.decode()
    assert page.count('type="radio"') == len(qt.EMOTIONS)
    assert "Lättnad" in page and "Positiv överraskning" in page  # the shared labels, in the page's language
    answer(client, f"/r/{session.token}/", "emotion", "relief")
    page = client.get(f"/r/{session.token}/").content.decode()
    assert page.count('type="checkbox"') == 2
    answer(client, f"/r/{session.token}/", "extras", "app", "web")
    page = client.get(f"/r/{session.token}/").content.decode()
    assert page.count('type="radio"') == 5 and "1 = " in page and "5 = " in page
    answer(client, f"/r/{session.token}/", "csat", "4")
    page = client.get(f"/r/{session.token}/").content.decode()
    assert page.count('type="radio"') == 6 and "6 = " in page
    answer(client, f"/r/{session.token}/", "stars", "6")
    response = Response.objects.get()
    assert {a.question.key: (a.number, a.text, a.choices) for a in response.answers.all()} == {
        "emotion": (None, "relief", None), "extras": (None, "", ["app", "web"]), "csat": (4, "", None),
        "stars": (6, "", None)}
    assert not response.has_comment


# --- size ---------------------------------------------------------------------------------------------------


def test_every_page_stays_under_50_kb(org, survey):
    inv = make_invitation(org, survey, language="en")
    url = f"/r/{inv.token}/"
    client = Client()
    pages = {"first": client.get(url), "error": answer(client, url, "nps")}
    answer(client, url, "nps", "1")
    pages["text"] = client.get(url)
    answer(client, url, "better", "Svar")
    pages["choice"] = client.get(url)
    answer(client, url, "reason", "price")
    answer(client, url, "comment", "Mer")
    pages["thanks"] = client.get(url)
    pages["public"] = Client().get(f"/s/{survey.public_token}/")
    pages["not found"] = Client().get("/r/unknown-token/")
    for name, resp in pages.items():
        assert resp.status_code in (200, 400, 404), name
        assert 1000 < len(resp.content) < PAGE_LIMIT, (name, len(resp.content))
        assert b"<link rel=\"stylesheet\"" not in resp.content and b"<script" not in resp.content, name


def test_pages_are_not_cached_and_not_frameable_outside_the_widget(org, survey):
    inv = make_invitation(org, survey)
    resp = Client().get(f"/r/{inv.token}/")
    assert "no-cache" in resp["Cache-Control"] or "no-store" in resp["Cache-Control"]
    assert resp["X-Frame-Options"] == "DENY"


def test_the_button_says_send_when_skip_logic_leaves_nothing_after_this_question(org):
    survey = create_survey(
        org, name="Kort", code="kort", languages=["sv"],
        touchpoint=Touchpoint.objects.get(organization=org, code="phone-support"),
        questions=[
            QuestionSpec("nps", qt.NPS, {"sv": "Hur troligt är det att du skulle rekommendera oss?"}, required=True),
            QuestionSpec("why", qt.TEXT, {"sv": "Berätta gärna varför."}),
            QuestionSpec("fix", qt.TEXT, {"sv": "Vad ska vi ändra först?"}, show_if={"question": "nps", "max": 6}),
        ])
    promoter = make_invitation(org, survey, external_id="P-1")
    detractor = make_invitation(org, survey, external_id="D-1")
    for invitation, score, button in ((promoter, "9", "Skicka"), (detractor, "2", "Nästa")):
        client = Client()
        assert re.search(r">\s*Nästa\s*</button>", client.get(f"/r/{invitation.token}/").content.decode())
        client.post(f"/r/{invitation.token}/", {"question": "nps", "answer": score})
        page = client.get(f"/r/{invitation.token}/").content.decode()  # at "why": is "fix" still to come?
        assert re.search(rf">\s*{button}\s*</button>", page), (score, button)


def test_the_page_says_who_is_asking_and_escapes_it(org, survey):
    org.name = "Acme <b>AB</b>"
    org.save(update_fields=["name"])
    page = Client().get(f"/r/{make_invitation(org, survey).token}/").content.decode()
    assert '<p class="org">Acme &lt;b&gt;AB&lt;/b&gt;</p>' in page
