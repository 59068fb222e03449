"""Test helpers that make tests read like prose: `org = make_org("acme")`."""

from glapp.accounts import actions as accounts
from glapp.accounts.models import Organization, Role, Unit
from glapp.journeys.actions import create_journey
from glapp.journeys.models import Touchpoint
from glapp.surveys import question_types as qt
from glapp.surveys.actions import QuestionSpec, create_survey
from glapp.surveys.models import Survey

PASSWORD = "correct-horse-battery"


def make_org(slug: str = "acme", name: str | None = None) -> Organization:
    """An organization with two regions and a store each, a small journey and an NPS survey."""
    org = accounts.create_organization(name or slug.title(), slug=slug)
    root = Unit.objects.get(organization=org, parent=None)
    north = accounts.create_unit(org, "North", f"{slug}-north", Unit.Kind.REGION, parent=root)
    south = accounts.create_unit(org, "South", f"{slug}-south", Unit.Kind.REGION, parent=root)
    accounts.create_unit(org, "North store", f"{slug}-north-store", Unit.Kind.STORE, parent=north)
    accounts.create_unit(org, "South store", f"{slug}-south-store", Unit.Kind.STORE, parent=south)
    create_journey(org, "Main", [("Buy", ["Web checkout"]), ("Contact", ["Phone support"])], code="main")
    make_survey(org, "nps", touchpoint=Touchpoint.objects.get(organization=org, code="phone-support"))
    return org


def make_survey(org: Organization, code: str = "nps", touchpoint: Touchpoint | None = None) -> Survey:
    return create_survey(
        org, name=f"{code.upper()} survey", code=code, touchpoint=touchpoint,
        questions=[
            QuestionSpec("nps", qt.NPS, {"sv": "Hur troligt är det att du skulle rekommendera oss?",
                                         "en": "How likely are you to recommend us?"}, required=True),
            QuestionSpec("ces", qt.CES, {"sv": "Hur lätt var det?", "en": "How easy was it?"}),
            QuestionSpec("reason", qt.SINGLE, {"sv": "Varför?", "en": "Why?"}, options=["price", "service"]),
            QuestionSpec("comment", qt.TEXT, {"sv": "Berätta gärna varför", "en": "Tell us why"}),
        ],
    )


def make_user(org: Organization, username: str, role: str = Role.ANALYST, unit_code: str | None = None,
              language: str = ""):
    user = accounts.create_user(username, PASSWORD, language=language)
    unit = Unit.objects.get(organization=org, code=unit_code) if unit_code else None
    accounts.add_member(org, user, role, unit)
    return user


def make_api_key(org: Organization, scopes=("responses:read", "responses:write")) -> str:
    _, plaintext = accounts.create_api_key(org, "test key", list(scopes))
    return plaintext


def response_payload(**overrides) -> dict:
    payload = {
        "survey": "nps",
        "submitted_at": "2026-05-03T10:15:00+02:00",
        "channel": "email",
        "language": "sv",
        "customer": {"external_id": "C-1", "segment": "private"},
        "metadata": {"campaign": "spring", "agent": "Anna"},
        "answers": {"nps": 9, "ces": 6, "comment": "Bra och snabbt"},
    }
    payload.update(overrides)
    return payload
