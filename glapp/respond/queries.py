"""Reads for the respondent pages and the widget.

The respondent pages have no logged-in user: the unguessable token in the URL (a session's or
an invitation's, or a survey's public token) is what identifies the organization, so these
lookups start from the token rather than from an organization. Everything read for a business
user (the widget's rates) starts with `for_org` as usual.
"""

import datetime as dt
from dataclasses import dataclass

from django.core import signing
from django.db.models import Count, Q

from glapp.analytics import rate_counting
from glapp.respond.models import Display, RespondentSession
from glapp.responses.models import Response
from glapp.surveys.models import TOKEN_MAX_LENGTH, Survey


def session_for_token(token: str) -> RespondentSession | None:
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    return (RespondentSession.objects.select_related("survey__organization", "survey_version", "customer")
            .filter(token=token).first())


def survey_for_public_token(public_token: str) -> Survey | None:
    if not public_token or len(public_token) > 32:
        return None
    return Survey.objects.select_related("current_version", "organization").filter(public_token=public_token).first()


def is_open(survey: Survey) -> bool:
    """Only an active survey with a published version takes answers from a new respondent."""
    return survey.status == Survey.Status.ACTIVE and survey.current_version_id is not None


def session_for_display(survey: Survey, display_id: int) -> RespondentSession | None:
    return (RespondentSession.objects.for_org(survey.organization_id).filter(survey=survey, display_id=display_id)
            .order_by("id").first())


# A display is named in the widget's iframe address by a signed reference, not its bare id:
# ids are sequential, and "?display=<id>" resumes that display's session, so a guessable id
# would let anyone walk into other visitors' answers.
DISPLAY_SIGNER = signing.Signer(salt="glapp.surveys.display")


def display_reference(display: Display) -> str:
    return DISPLAY_SIGNER.sign(str(display.pk))


def display_of(survey: Survey, reference) -> Display | None:
    """The display a signed reference names (None when forged, altered or of another survey)."""
    try:
        display_id = int(DISPLAY_SIGNER.unsign(str(reference)))
    except (signing.BadSignature, ValueError):
        return None
    return display_by_id(survey, display_id)


def display_by_id(survey: Survey, display_id: int) -> Display | None:
    return Display.objects.for_org(survey.organization_id).filter(survey=survey, id=display_id).first()


@dataclass(frozen=True)
class WidgetRates:
    displays: int
    responses: int  # displays that led to a response (at least one answer stored)
    completions: int  # displays whose respondent reached the end

    @property
    def completion_rate(self) -> float | None:
        return self.completions / self.displays if self.displays else None


def widget_rates(organization, survey: Survey, since: dt.datetime, until: dt.datetime) -> WidgetRates:
    """The widget's funnel for displays shown in [since, until).

    A session has a response exactly when it has stored an answer (`last_answer_at` is set in
    the same transaction as the response's first answer), so no join to responses is needed.
    Counting distinct displays keeps each display's outcome at most one, whatever happens."""
    displays = Display.objects.for_org(organization).filter(survey=survey, created_at__gte=since,
                                                            created_at__lt=until).count()
    sessions = RespondentSession.objects.for_org(organization).filter(
        survey=survey, display__isnull=False, display__created_at__gte=since, display__created_at__lt=until)
    counts = sessions.aggregate(
        responses=Count("display", filter=Q(last_answer_at__isnull=False), distinct=True),
        completions=Count("display", filter=Q(last_answer_at__isnull=False, completed_at__isnull=False),
                          distinct=True),
    )
    return WidgetRates(displays, counts["responses"], counts["completions"])


# --- Response-rate counts of the widget (the rollups' invitations source, channel "widget") ------

DISPLAY_RATE_ROW = ("id", "created_at", "responded_at", "survey_id", "touchpoint_id")


def display_rate_change(row: dict, before: str | None, after: str) -> rate_counting.RateChange:
    """A display is the widget's invitation to answer: it went out when shown. Its cells are
    fixed when it is shown (no unit, language, segment or metadata is known then)."""
    return rate_counting.RateChange(at=row["created_at"], survey_id=row["survey_id"],
                                    touchpoint_id=row["touchpoint_id"], unit_id=None, channel="widget",
                                    language="", segment="", metadata={}, before=before, after=after)


def display_rate_row(display_id: int) -> dict | None:
    return Display.objects.filter(pk=display_id).values(*DISPLAY_RATE_ROW).first()


def iter_display_rate_source(organization_id: int, chunk: int = 20_000):
    """Every widget display of an organization as a `RateChange` from nothing to its state
    (answered or not), in lists of up to `chunk` (keyset pages on the primary key)."""
    base = Display.objects.filter(organization_id=organization_id).order_by("id")
    last_id = 0
    while True:
        rows = list(base.filter(id__gt=last_id).values(*DISPLAY_RATE_ROW)[:chunk])
        if not rows:
            return
        last_id = rows[-1]["id"]
        yield [display_rate_change(row, None, rate_counting.RESPONDED if row["responded_at"] else
                                   rate_counting.DELIVERED) for row in rows]


def response_of(session: RespondentSession) -> int | None:
    """The id of the response a session's answers went into (None before its first answer)."""
    return (Response.objects.filter(organization_id=session.organization_id, external_id=session.response_external_id)
            .values_list("id", flat=True).first())


def sessions_of_customers(organization_id: int, customer_ids: list[int]) -> list[dict]:
    """The customers' respondent sessions (answers so far, piping context), for the data-subject export."""
    rows = RespondentSession.objects.for_org(organization_id).filter(customer_id__in=customer_ids).select_related(
        "survey").order_by("created_at", "id")
    return [{"survey": s.survey.code, "started_at": s.created_at, "answered": s.answered, "context": s.context,
             "completed_at": s.completed_at} for s in rows]


def sessions_before(organization_id: int, cutoff: dt.datetime, now: dt.datetime):
    """Retention: respondent sessions started before `cutoff` that are over (completed, or their
    link expired); one still open is left to finish. The (organization, created_at) index serves it."""
    return RespondentSession.objects.for_org(organization_id).filter(created_at__lt=cutoff).filter(
        Q(completed_at__isnull=False) | Q(expires_at__lt=now) | Q(expires_at__isnull=True))


def expired_unfinished_responses(since: dt.datetime, until: dt.datetime, limit: int = 5000
                                 ) -> dict[int, list[int]]:
    """{organization id: response ids} of respondent sessions that expired in [since, until)
    with answers but unfinished: a partial response is whole once its session can take no more."""
    sessions = list(RespondentSession.objects.filter(completed_at__isnull=True, last_answer_at__isnull=False,
                                                     expires_at__gte=since, expires_at__lt=until)
                    .order_by("expires_at", "id")[:limit])
    found: dict[int, list[int]] = {}
    by_org: dict[int, list[str]] = {}
    for session in sessions:
        by_org.setdefault(session.organization_id, []).append(session.response_external_id)
    for org_id, external_ids in by_org.items():
        found[org_id] = list(Response.objects.filter(organization_id=org_id, external_id__in=external_ids)
                             .values_list("id", flat=True))
    return found
