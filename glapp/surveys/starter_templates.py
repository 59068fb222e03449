"""Ready-made surveys an author can start from: short, neutral, each with room for the customer's own words.

Pure data (no Django). Every template passes the survey linter with no findings in Swedish and
English (tests/surveys/test_starter_templates.py). `template_definition(code)` returns a survey
definition in the shape `publish_survey` freezes, so the builder can create questions from it.

The questions and the thank-you are the survey's content, written in each of its languages. A
template's name, description and journey hint are UI labels (the new-survey page shows them in the
author's language): English here, the Swedish in the UI catalogue (`glapp.core.i18n`).
"""

import copy
from dataclasses import dataclass
from gettext import NullTranslations

from glapp.core.i18n import catalogue, gettext_noop
from glapp.surveys import question_types as qt

# Names are short and "Transactional NPS" is also a heading elsewhere in the UI, so they carry a
# context. `_MARKED.pgettext(...)` only marks a name for makemessages and returns it unchanged.
NAME_CONTEXT = "starter survey template"
_MARKED = NullTranslations()

LANGUAGES = ("sv", "en")


@dataclass(frozen=True)
class Template:
    code: str
    name: str  # English, in the UI catalogue with NAME_CONTEXT; name_in() reads it in a language
    description: str  # English, in the UI catalogue
    kind: str  # "transactional" or "relationship"
    stage_hint: str  # the journey moment it suits: purchase, delivery, support, visit, relationship, any
    stage_hint_text: str  # English, in the UI catalogue
    questions: tuple[dict, ...]
    thank_you: dict[str, str]

    def name_in(self, language: str) -> str:
        return catalogue(language).pgettext(NAME_CONTEXT, self.name)

    def description_in(self, language: str) -> str:
        return catalogue(language).gettext(self.description)


def _question(key: str, qtype: str, sv: str, en: str, *, show_if: dict | None = None, options: tuple = (),
              option_texts: dict | None = None, required: bool = False) -> dict:
    return {"key": key, "type": qtype, "texts": {"sv": sv, "en": en}, "options": list(options),
            "option_texts": option_texts or {}, "required": required, "scale_max": None, "show_if": show_if or {}}


THANK_YOU = {
    "sv": "Tack för att du tog dig tid! Vi läser alla svar och använder dem för att bli bättre.",
    "en": "Thank you for taking the time! We read every answer and use them to improve.",
}
REASON_SV = "Vad är den viktigaste anledningen till ditt betyg? Berätta gärna med egna ord."
REASON_EN = "What is the main reason for your score? Feel free to tell us in your own words."

TEMPLATES: list[Template] = [
    Template(
        code="nps_transactional",
        name=_MARKED.pgettext("starter survey template", "Transactional NPS"),
        description=gettext_noop(
            "The recommendation question right after a purchase, visit or call, with an open follow-up worded "
            "differently for detractors, passives and promoters."),
        kind="transactional",
        stage_hint="any",
        stage_hint_text=gettext_noop("After a single interaction: purchase, visit, delivery or call."),
        questions=(
            _question("nps", qt.NPS,
                      "Utifrån din upplevelse[ den {date}], hur troligt är det att du skulle rekommendera oss till "
                      "en vän eller kollega?",
                      "Based on your experience[ on {date}], how likely is it that you would recommend us to a "
                      "friend or colleague?", required=True),
            _question("improve", qt.TEXT,
                      "Vad är den viktigaste anledningen till ditt betyg, och vad hade vi kunnat göra annorlunda?",
                      "What is the main reason for your score, and what could we have done differently?",
                      show_if={"question": "nps", "max": 6}),
            _question("higher", qt.TEXT,
                      "Vad skulle få dig att ge oss ett högre betyg nästa gång?",
                      "What would make you give us a higher score next time?",
                      show_if={"question": "nps", "min": 7, "max": 8}),
            _question("reason", qt.TEXT,
                      "Vad var det som fick dig att ge det betyget? Berätta gärna med egna ord.",
                      "What made you give that score? Feel free to tell us in your own words.",
                      show_if={"question": "nps", "min": 9}),
        ),
        thank_you=THANK_YOU,
    ),
    Template(
        code="nps_relationship",
        name=_MARKED.pgettext("starter survey template", "Relationship NPS"),
        description=gettext_noop(
            "Measures the whole relationship, for example once a quarter or a year, independent of single "
            "interactions."),
        kind="relationship",
        stage_hint="relationship",
        stage_hint_text=gettext_noop("A regular send-out to all customers, not tied to an event."),
        questions=(
            _question("nps", qt.NPS,
                      "Hur troligt är det att du skulle rekommendera oss till en vän eller kollega?",
                      "How likely is it that you would recommend us to a friend or colleague?", required=True),
            _question("reason", qt.TEXT, REASON_SV, REASON_EN),
            _question("change", qt.TEXT,
                      "Om du fick ändra på en sak hos oss, vad skulle det vara?",
                      "If you could change one thing about us, what would it be?"),
        ),
        thank_you=THANK_YOU,
    ),
    Template(
        code="ces_contact",
        name=_MARKED.pgettext("starter survey template", "Customer effort after contact"),
        description=gettext_noop(
            "How easy it was to get help (CES), whether the issue was resolved and why – after a call, chat or "
            "e-mail to customer service."),
        kind="transactional",
        stage_hint="support",
        stage_hint_text=gettext_noop("After a closed customer service case."),
        questions=(
            _question("ces", qt.CES,
                      "Hur lätt eller svårt var det att få hjälp med ditt ärende[ när du var i kontakt med {agent}]?",
                      "How easy or difficult was it to get help with your issue[ when you were in touch with "
                      "{agent}]?", required=True),
            _question("resolved", qt.SINGLE,
                      "Blev ditt ärende löst?",
                      "Was your issue resolved?",
                      options=("yes", "partly", "no"),
                      option_texts={"sv": {"yes": "Ja", "partly": "Delvis", "no": "Nej"},
                                    "en": {"yes": "Yes", "partly": "Partly", "no": "No"}}),
            _question("reason", qt.TEXT,
                      "Vad är den viktigaste anledningen till ditt svar? Berätta gärna med egna ord.",
                      "What is the main reason for your answer? Feel free to tell us in your own words."),
        ),
        thank_you=THANK_YOU,
    ),
    Template(
        code="csat_delivery",
        name=_MARKED.pgettext("starter survey template", "Delivery satisfaction"),
        description=gettext_noop(
            "Satisfaction with the delivery (CSAT 1–5) with an open follow-up, and a question on what could have "
            "been better for those who were not satisfied."),
        kind="transactional",
        stage_hint="delivery",
        stage_hint_text=gettext_noop("Once the delivery has arrived."),
        questions=(
            _question("csat", qt.CSAT,
                      "Hur nöjd eller missnöjd är du med leveransen[ av {product}]?",
                      "How satisfied or dissatisfied are you with the delivery[ of {product}]?", required=True),
            _question("reason", qt.TEXT, REASON_SV, REASON_EN),
            _question("improve", qt.TEXT,
                      "Vad hade vi kunnat göra för att leveransen skulle ha fungerat bättre för dig?",
                      "What could we have done to make the delivery work better for you?",
                      show_if={"question": "csat", "max": 3}),
        ),
        thank_you=THANK_YOU,
    ),
    Template(
        code="emotion_nes",
        name=_MARKED.pgettext("starter survey template", "Emotion after the experience (NES)"),
        description=gettext_noop("Which feeling the experience left (Net Emotional Score) and what caused it."),
        kind="transactional",
        stage_hint="visit",
        stage_hint_text=gettext_noop("After a visit or experience where the feeling decides, e.g. in a store."),
        questions=(
            _question("emotion", qt.EMOTION,
                      "Vilken känsla stämmer bäst med din upplevelse av oss[ i {store}]?",
                      "Which feeling best matches your experience with us[ at {store}]?", required=True),
            _question("reason", qt.TEXT,
                      "Vad var det som gjorde att du kände så?",
                      "What made you feel that way?"),
        ),
        thank_you=THANK_YOU,
    ),
    Template(
        code="lba_relationship",
        name=_MARKED.pgettext("starter survey template", "Likelihood to buy again (LBA)"),
        description=gettext_noop(
            "How likely the customer is to buy again (0–10) and why – an early signal of loyalty."),
        kind="relationship",
        stage_hint="purchase",
        stage_hint_text=gettext_noop("A few weeks after a purchase, or regularly to returning customers."),
        questions=(
            _question("lba", qt.LBA,
                      "Hur troligt är det att du kommer att handla hos oss igen?",
                      "How likely is it that you will buy from us again?", required=True),
            _question("reason", qt.TEXT,
                      "Vad är den viktigaste anledningen till ditt svar? Berätta gärna med egna ord.",
                      "What is the main reason for your answer? Feel free to tell us in your own words."),
        ),
        thank_you=THANK_YOU,
    ),
]
_BY_CODE = {template.code: template for template in TEMPLATES}


def get_template(code: str) -> Template:
    """The template with this code; KeyError names the codes that exist."""
    try:
        return _BY_CODE[code]
    except KeyError:
        raise KeyError(f"unknown survey template {code!r}; known: {', '.join(_BY_CODE)}") from None


def template_definition(code: str, language: str = "sv") -> dict:
    """A fresh survey definition (the shape publish_survey freezes), named in `language`.

    A deep copy: the caller may edit it without changing the template.
    """
    template = get_template(code)
    return {
        "name": template.name_in(language),
        "kind": template.kind,
        "languages": list(LANGUAGES),
        "questions": copy.deepcopy(list(template.questions)),
        "thank_you": dict(template.thank_you),
        "promoter_link": "",
        "promoter_link_label": {},
    }
