"""What an organization's case work starts with: the usual root causes behind a detractor in
telecom, retail, banking and utilities, and two reply templates. Each organization edits its own."""

from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from glapp.cases.models import ReplyTemplate, RootCause

SEED = (
    ("price_terms", gettext_noop("Price or terms")),
    ("billing", gettext_noop("Billing")),
    ("delivery", gettext_noop("Delivery")),
    ("product_fault", gettext_noop("Product fault")),
    ("technical", gettext_noop("Technical problem")),
    ("staff", gettext_noop("Staff")),
    ("waiting_time", gettext_noop("Waiting time")),
    ("information", gettext_noop("Information")),
    ("accessibility", gettext_noop("Availability and opening hours")),
    ("other", gettext_noop("Other")),
)


def seed_root_causes(organization_id: int) -> None:
    """Add the seed causes the organization lacks (by code), named in its default language; a
    cause someone renamed or switched off stays as they left it."""
    from glapp.accounts.models import Organization

    language = Organization.objects.filter(pk=organization_id).values_list("default_language", flat=True).first()
    have = set(RootCause.objects.for_org(organization_id).values_list("code", flat=True))
    with translation.override(language or "sv"):
        RootCause.objects.bulk_create([
            RootCause(organization_id=organization_id, code=code, name=gettext(name), position=i)
            for i, (code, name) in enumerate(SEED) if code not in have])


# Reply templates (placeholders: cases/emails.py). Never leading, never a sales pitch: a person
# answering a person about what they told us.
TEMPLATES = (
    ("sv", "Vi har läst ditt svar", "Vi har läst det du skrev till oss",
     "Hej[ {first_name}],\n\nTack för att du tog dig tid att berätta hur du upplevde oss. Jag heter {handler} "
     "och har läst ditt svar. Jag vill gärna förstå mer och se vad vi kan göra. Passar det att jag ringer dig, "
     "eller svarar du hellre på det här mejlet?\n\nVänliga hälsningar\n{handler}[, {unit}]"),
    ("en", "We read your answer", "We have read what you told us",
     "Hi[ {first_name}],\n\nThank you for taking the time to tell us about your experience. My name is "
     "{handler} and I have read your answer. I would like to understand more and see what we can do. May I call "
     "you, or would you rather reply to this e-mail?\n\nKind regards\n{handler}[, {unit}]"),
)


def seed_reply_templates(organization_id: int) -> None:
    """The two starting templates, once (an organization that has any keeps its own)."""
    if ReplyTemplate.objects.for_org(organization_id).exists():
        return
    ReplyTemplate.objects.bulk_create([
        ReplyTemplate(organization_id=organization_id, language=language, name=name, subject=subject, body=body,
                      position=i) for i, (language, name, subject, body) in enumerate(TEMPLATES)])
