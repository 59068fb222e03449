"""The builder pages: who may edit, tenants kept apart, the no-JavaScript path, the live lint panel."""

import re

import pytest
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from glapp.accounts.models import Role
from glapp.core.i18n import catalogue
from glapp.surveys import actions, linter_data
from glapp.surveys.models import Survey
from glapp.surveys.starter_templates import NAME_CONTEXT, TEMPLATES
from tests.factories import make_user
from tests.web.helpers import add_responses

pytestmark = pytest.mark.django_db

LEADING_SV = "Hur nöjd var du med vår utmärkta service?"


def client_for(org, username="anna", role=Role.ANALYST, language="en") -> Client:
    client = Client()
    client.force_login(make_user(org, username, role=role, language=language))
    return client


@pytest.fixture
def draft(org):
    return actions.create_survey_from_template(org, "nps_transactional", name="Efter samtalet")


def question_post(question, **texts) -> dict:
    """The question form as the editor posts it, with changed texts."""
    data = {"question": str(question.pk), "preview_lang": "sv", f"q{question.pk}-type": question.type}
    for lang in ("sv", "en"):
        data[f"q{question.pk}-text_{lang}"] = texts.get(lang, question.texts.get(lang, ""))
    if question.required:
        data[f"q{question.pk}-required"] = "on"
    show_if = question.show_if or {}
    data[f"q{question.pk}-show_if_question"] = show_if.get("question", "")
    for end in ("min", "max"):
        if show_if.get(end) is not None:
            data[f"q{question.pk}-show_if_{end}"] = str(show_if[end])
    return data


def test_list_shows_surveys_with_counts_and_links(org, draft):
    add_responses(org, {"nps": 9, "customer": None}, {"nps": 3, "customer": None})
    resp = client_for(org).get("/surveys/")
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "Efter samtalet" in html and "NPS survey" in html
    row = html[html.index('data-survey="nps"'):]
    row = row[:row.index("</tr>")]
    assert '<td class="num">2</td>' in row  # responses, from the rollups
    nps = Survey.objects.get(organization=org, code="nps")
    assert f"/s/{nps.public_token}/" in row
    assert 'href="/surveys/"' in client_for(org, "bo", Role.VIEWER).get("/").content.decode()  # nav link


def test_viewer_may_look_but_not_edit(org, draft):
    viewer = client_for(org, "vera", Role.VIEWER)
    page = viewer.get(f"/surveys/{draft.pk}/")
    assert page.status_code == 200
    assert "Save question" not in page.content.decode() and "hx-post" not in page.content.decode()
    nps = draft.questions.get(key="nps")
    assert viewer.post(f"/surveys/{draft.pk}/questions/{nps.pk}/", question_post(nps, sv="Ändrad")).status_code == 403
    assert viewer.post(f"/surveys/{draft.pk}/publish/").status_code == 403
    assert viewer.get("/surveys/new/").status_code == 403
    assert viewer.post(f"/surveys/{draft.pk}/lint/", question_post(nps)).status_code == 403
    nps.refresh_from_db()
    assert nps.texts["sv"] != "Ändrad" and not draft.versions.exists()


def test_another_organizations_survey_is_not_found(org, other_org, draft):
    rival = client_for(other_org, "rita", Role.OWNER)
    nps = draft.questions.get(key="nps")
    assert rival.get(f"/surveys/{draft.pk}/").status_code == 404
    assert rival.post(f"/surveys/{draft.pk}/questions/{nps.pk}/", question_post(nps, sv="X")).status_code == 404
    assert rival.post(f"/surveys/{draft.pk}/publish/").status_code == 404
    assert "Efter samtalet" not in rival.get("/surveys/").content.decode()
    # A question id of this organization under the rival's own survey is not found either.
    own = Survey.objects.get(organization=other_org, code="nps")
    assert rival.post(f"/surveys/{own.pk}/questions/{nps.pk}/", question_post(nps)).status_code == 404


def test_create_from_template_and_blank(org):
    client = client_for(org)
    page = client.get("/surveys/new/")
    assert "Transactional NPS" in page.content.decode()
    resp = client.post("/surveys/new/", {"template": "nps_transactional", "name": "", "code": "",
                                         "kind": "transactional", "languages": ["sv", "en"]})
    survey = Survey.objects.get(organization=org, name="Transactional NPS")
    assert resp.status_code == 302 and resp["Location"] == f"/surveys/{survey.pk}/"
    assert survey.code == "transactional-nps" and survey.questions.count() == 4
    resp = client.post("/surveys/new/", {"template": "", "name": "", "kind": "transactional", "languages": ["sv"]})
    assert resp.status_code == 422 and "errorlist" in resp.content.decode()
    resp = client.post("/surveys/new/", {"template": "", "name": "Kundtjänst", "code": "nps",
                                         "kind": "transactional", "languages": ["sv"]})
    assert resp.status_code == 422 and "already used" in resp.content.decode()


def test_a_swedish_author_picks_from_templates_in_swedish(org):
    client = client_for(org, username="eva", language="sv")
    html = client.get("/surveys/new/").content.decode()
    assert "NPS efter en händelse" in html and "Rekommendationsfrågan direkt efter ett köp" in html
    assert "Transaktions-NPS" not in html  # the journey map's heading, not the template's name
    client.post("/surveys/new/", {"template": "nps_transactional", "name": "", "code": "",
                                  "kind": "transactional", "languages": ["sv", "en"]})
    assert Survey.objects.filter(organization=org, name="NPS efter en händelse").exists()


def test_the_linter_and_templates_read_the_catalogue_the_web_reads():
    with translation.override("sv"):
        for message in linter_data.MESSAGES.values():
            assert translation.gettext(message) == catalogue("sv").gettext(message)
        for template in TEMPLATES:
            assert translation.pgettext(NAME_CONTEXT, template.name) == template.name_in("sv")
            assert translation.gettext(template.description) == template.description_in("sv")


def test_editing_without_javascript_saves_and_shows_the_linter(org, draft):
    client = client_for(org, language="sv")
    reason = draft.questions.get(key="reason")
    resp = client.post(f"/surveys/{draft.pk}/questions/{reason.pk}/", question_post(reason, sv=LEADING_SV),
                       follow=True)
    html = resp.content.decode()
    reason.refresh_from_db()
    assert reason.texts["sv"] == LEADING_SV  # a warning never blocks a save
    assert 'data-code="leading_wording"' in html
    assert "berömmer" in html  # the finding in the author's (Swedish) language
    card = html[html.rindex("<article", 0, html.index('id="q-reason"')):]
    card = card[:card.index("</article>")]
    assert "severity-warning" in card and "<mark>utmärkta</mark>" in card


def test_invalid_skip_logic_is_shown_next_to_the_field(org, draft):
    client = client_for(org)
    nps = draft.questions.get(key="nps")
    improve = draft.questions.get(key="improve")
    data = question_post(improve)
    data[f"q{improve.pk}-show_if_max"] = "12"
    resp = client.post(f"/surveys/{draft.pk}/questions/{improve.pk}/", data)
    assert resp.status_code == 422
    assert "must be a whole number from 0 to 10" in resp.content.decode()
    improve.refresh_from_db()
    assert improve.show_if == {"question": "nps", "max": 6}
    # The first question has nobody before it to depend on: the choice is not even offered.
    page = client.get(f"/surveys/{draft.pk}/").content.decode()
    select = page[page.index(f'name="q{nps.pk}-show_if_question"'):]
    assert "<option" in select and 'value="nps"' not in select[:select.index("</select>")]


def test_live_lint_checks_the_unsaved_draft(org, draft):
    client = client_for(org, language="sv")
    reason = draft.questions.get(key="reason")
    resp = client.post(f"/surveys/{draft.pk}/lint/", question_post(reason, sv=LEADING_SV), HTTP_HX_REQUEST="true")
    html = resp.content.decode()
    assert resp.status_code == 200
    assert 'id="lint-panel"' in html and 'data-code="leading_wording"' in html
    assert 'id="findings-reason" class="qfindings" hx-swap-oob="true"' in html
    assert "<mark>utmärkta</mark>" in html
    reason.refresh_from_db()
    assert reason.texts["sv"] != LEADING_SV  # linting saves nothing


def test_survey_texts_are_escaped(org, draft):
    client = client_for(org)
    reason = draft.questions.get(key="reason")
    hostile = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    client.post(f"/surveys/{draft.pk}/questions/{reason.pk}/", question_post(reason, sv=hostile, en=hostile))
    actions.update_survey_settings(draft, name='<b>bold</b>')
    html = client.get(f"/surveys/{draft.pk}/?lang=sv").content.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_preview_pipes_sample_values_in_the_chosen_language(org, draft):
    html = client_for(org).get(f"/surveys/{draft.pk}/?lang=sv").content.decode()
    assert "Utifrån din upplevelse den 3 maj, hur troligt" in html
    html = client_for(org, "bo").get(f"/surveys/{draft.pk}/?lang=en").content.decode()
    assert "Based on your experience on 3 May, how likely" in html


def test_publish_confirms_warnings_then_lists_the_version_and_links(org, draft):
    client = client_for(org)
    reason = draft.questions.get(key="reason")
    client.post(f"/surveys/{draft.pk}/questions/{reason.pk}/", question_post(reason, sv=LEADING_SV))
    resp = client.post(f"/surveys/{draft.pk}/publish/")
    assert resp.status_code == 409 and 'data-testid="publish-confirm"' in resp.content.decode()
    assert not draft.versions.exists()
    resp = client.post(f"/surveys/{draft.pk}/publish/", {"confirm": "1"}, follow=True)
    html = resp.content.decode()
    assert draft.versions.get().number == 1
    assert 'data-testid="version"' in html and "Version 1" in html and "despite 2 warnings" in html
    assert f"http://testserver/s/{draft.public_token}/" in html
    snippet = f'<script src="http://testserver/w/widget.js" data-survey="{draft.public_token}" async></script>'
    assert escape(snippet) in html  # shown as text to copy, never run


def test_publish_is_refused_on_lint_errors(org, draft):
    client = client_for(org)
    client.post(f"/surveys/{draft.pk}/questions/", {"type": "text"})  # added, never worded
    resp = client.post(f"/surveys/{draft.pk}/publish/", {"confirm": "1"})
    assert resp.status_code == 422 and 'data-testid="publish-blocked"' in resp.content.decode()
    assert not draft.versions.exists()


def test_settings_move_delete_and_archive(org, draft):
    client = client_for(org)
    resp = client.post(f"/surveys/{draft.pk}/settings/", {
        "settings-name": "Efter ditt samtal", "settings-code": "efter-samtal", "settings-kind": "transactional",
        "settings-languages": ["sv", "en"], "settings-invitation_delay_minutes": "30",
        "settings-expires_after_days": "7", "settings-widget_delay_seconds": "3",
        "settings-thank_you_sv": "Tack!", "settings-touchpoint": ""})
    assert resp.status_code == 302
    draft.refresh_from_db()
    assert (draft.name, draft.code, draft.thank_you, draft.reminder_after_days) == \
        ("Efter ditt samtal", "efter-samtal", {"sv": "Tack!"}, None)
    reason = draft.questions.get(key="reason")
    client.post(f"/surveys/{draft.pk}/questions/{reason.pk}/move/", {"direction": "up"})
    assert list(draft.questions.order_by("position").values_list("key", flat=True)) == \
        ["nps", "improve", "reason", "higher"]
    client.post(f"/surveys/{draft.pk}/questions/{reason.pk}/delete/")
    assert not draft.questions.filter(key="reason").exists()
    client.post(f"/surveys/{draft.pk}/archive/")
    draft.refresh_from_db()
    assert draft.status == Survey.Status.ARCHIVED
    client.post(f"/surveys/{draft.pk}/archive/", {"archive": "0"})
    draft.refresh_from_db()
    assert draft.status == Survey.Status.DRAFT


def test_skip_logic_on_a_choice_question_from_the_form(org):
    survey = Survey.objects.get(organization=org, code="nps")  # nps, ces, reason (price/service), comment
    client = client_for(org)
    comment = survey.questions.get(key="comment")
    data = question_post(comment)
    data[f"q{comment.pk}-show_if_question"] = "reason"
    data[f"q{comment.pk}-show_if_in"] = ["reason:price"]
    resp = client.post(f"/surveys/{survey.pk}/questions/{comment.pk}/", data)
    assert resp.status_code == 302
    comment.refresh_from_db()
    assert comment.show_if == {"question": "reason", "in": ["price"]}
    data[f"q{comment.pk}-show_if_in"] = []
    resp = client.post(f"/surveys/{survey.pk}/questions/{comment.pk}/", data)
    assert resp.status_code == 422 and "name at least one option" in resp.content.decode()


def test_choice_options_and_labels_from_the_form(org, draft):
    client = client_for(org)
    client.post(f"/surveys/{draft.pk}/questions/", {"type": "single_choice"})
    choice = draft.questions.get(key="choice")
    data = question_post(choice, sv="Vad gällde det?", en="What was it about?")
    data.update({f"q{choice.pk}-option_code_0": "billing", f"q{choice.pk}-option_sv_0": "Faktura",
                 f"q{choice.pk}-option_en_0": "Billing", f"q{choice.pk}-option_code_1": "",
                 f"q{choice.pk}-option_code_2": "delivery", f"q{choice.pk}-option_sv_2": "Leverans"})
    assert client.post(f"/surveys/{draft.pk}/questions/{choice.pk}/", data).status_code == 302
    choice.refresh_from_db()
    assert choice.options == ["billing", "delivery"]
    assert choice.option_texts == {"sv": {"billing": "Faktura", "delivery": "Leverans"}, "en": {"billing": "Billing"}}


def test_unit_limited_people_count_only_their_units_responses(org):
    add_responses(org, {"nps": 9, "customer": None, "unit": "acme-north"},
                  {"nps": 3, "customer": None, "unit": "acme-south"}, {"nps": 5, "customer": None})
    client = Client()
    client.force_login(make_user(org, "nora", role=Role.VIEWER, unit_code="acme-north"))
    html = client.get("/surveys/").content.decode()
    row = html[html.index('data-survey="nps"'):]
    assert '<td class="num">1</td>' in row[:row.index("</tr>")]
    html = client_for(org).get("/surveys/").content.decode()
    row = html[html.index('data-survey="nps"'):]
    assert '<td class="num">3</td>' in row[:row.index("</tr>")]


def test_changing_the_type_in_the_form_brings_what_the_type_needs(org, draft):
    client = client_for(org)
    reason = draft.questions.get(key="reason")
    data = question_post(reason)
    data[f"q{reason.pk}-type"] = "single_choice"
    assert client.post(f"/surveys/{draft.pk}/questions/{reason.pk}/", data).status_code == 302
    reason.refresh_from_db()
    assert (reason.type, reason.options) == ("single_choice", ["option_1", "option_2"])
    data = question_post(reason)
    data[f"q{reason.pk}-type"] = "text"
    assert client.post(f"/surveys/{draft.pk}/questions/{reason.pk}/", data).status_code == 302
    reason.refresh_from_db()
    assert (reason.type, reason.options, reason.option_texts) == ("text", [], {})


def test_the_editor_shows_the_widget_snippet_with_its_queue_and_the_widgets_response_rate(org, draft):
    from django.db import transaction
    from django.utils import timezone

    from glapp.analytics.actions import add_rate_changes
    from glapp.analytics.rate_counting import DELIVERED, RESPONDED, RateChange

    actions.update_survey_settings(draft, widget_event="checkout_completed")
    actions.publish_survey(draft, acknowledge_warnings=True)
    draft.refresh_from_db()
    # Four displays, one answered, as the rollups count them (the figures are the response-rate metric's).
    shown = [RateChange(at=timezone.now(), survey_id=draft.pk, touchpoint_id=draft.touchpoint_id, unit_id=None,
                        channel="widget", language="", segment="", metadata={}, before=None, after=state)
             for state in (RESPONDED, DELIVERED, DELIVERED, DELIVERED)]
    with transaction.atomic():
        add_rate_changes(org.id, shown)
    page = client_for(org).get(f"/surveys/{draft.pk}/").content.decode()
    assert "window.glapp=window.glapp||function(){(glapp.q=glapp.q||[]).push(arguments)};" in page
    assert escape(f'data-survey="{draft.public_token}"') in page  # shown as text in a textarea
    figures = page[page.index('data-testid="widget-figures"'):]
    figures = figures[:figures.index("</p>")]
    assert "4 displays, 1 responses, 0 completed" in figures
    assert "25.0 %" in figures  # 1 of 4, with its Wilson interval after it


def test_someone_limited_to_a_unit_may_look_but_not_edit_a_survey_of_the_whole_organization(org, draft):
    store_analyst = Client()
    store_analyst.force_login(make_user(org, "ulla", role=Role.ANALYST, unit_code="acme-north"))
    page = store_analyst.get(f"/surveys/{draft.pk}/")
    assert page.status_code == 200 and "hx-post" not in page.content.decode()
    assert store_analyst.post(f"/surveys/{draft.pk}/archive/").status_code == 403
    assert store_analyst.post(f"/surveys/{draft.pk}/publish/").status_code == 403
    assert store_analyst.get("/surveys/new/").status_code == 403
    draft.refresh_from_db()
    assert draft.status == Survey.Status.DRAFT and not draft.versions.exists()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CASE_HANDLER])
def test_a_reader_sees_the_survey_as_text_not_as_fields_without_a_save(org, draft, role):
    """A role that may not edit gets a read-only view: no text area, input or select it could
    type into, and the questions' wording, options and settings as text."""
    html = client_for(org, "vera", role).get(f"/surveys/{draft.pk}/").content.decode()
    main = html.split('id="links-title"')[0]  # the share box's snippet is read-only by design
    assert "<textarea" not in main and "<select" not in main
    assert not re.search(r'<input (?![^>]*type="hidden")', main)
    nps = draft.questions.get(key="nps")
    assert 'data-testid="read-only-nps"' in html and escape(nps.texts["en"]) in html
    assert 'data-testid="read-only-settings"' in html and escape(draft.name) in html
    # A designer still gets the fields and the save button.
    designer = client_for(org, "dina", Role.OWNER).get(f"/surveys/{draft.pk}/").content.decode()
    assert "<textarea" in designer.split('id="links-title"')[0] and 'data-testid="save-question"' in designer
