"""Create the demo organization and load generated responses through the one ingestion path.

Responses go through `clean_response` and `ingest_responses` exactly like the API and file
imports, in transactions of CHUNK responses, so the demo exercises (and benchmarks) the real
write path, and the events that rollups and text analysis listen to fire as usual.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from glapp.accounts import actions as accounts
from glapp.accounts.models import Membership, Organization, Unit, User
from glapp.analytics.actions import set_rollup_dimensions
from glapp.contacts.models import Customer
from glapp.demo import company as co
from glapp.demo import listening
from glapp.journeys.actions import create_journey
from glapp.journeys.models import Touchpoint
from glapp.responses.actions import ingest_responses
from glapp.responses.catalog import Catalog
from glapp.responses.models import Answer, Response, Source
from glapp.responses.validation import clean_response
from glapp.surveys.actions import QuestionSpec, create_survey
from glapp.surveys.models import Survey

CHUNK = 5000  # responses per transaction: large enough to amortize, small enough to keep memory flat
DELETE_CHUNK = 5000


class DemoDataError(RuntimeError):
    """A generated response failed validation: a bug in the generator, never the user's fault."""


@dataclass
class LoadResult:
    created: int = 0
    existing: int = 0


def find_demo_org() -> Organization | None:
    return Organization.objects.filter(slug=co.ORG_SLUG).first()


def create_demo_org() -> Organization:
    """The company, its units, journey and surveys (users are separate: see `ensure_users`)."""
    with transaction.atomic():
        org = accounts.create_organization(co.ORG_NAME, slug=co.ORG_SLUG, default_language="sv")
        root = Unit.objects.for_org(org).get(parent=None)
        for region in co.REGIONS:
            parent = accounts.create_unit(org, region.name, region.code, Unit.Kind.REGION, parent=root)
            for store in region.stores:
                accounts.create_unit(org, store.name, store.code, Unit.Kind.STORE, parent=parent)
        create_journey(org, co.JOURNEY_NAME, [(stage, list(tps)) for stage, tps in co.STAGES], code=co.JOURNEY_CODE)
        touchpoints = {t.code: t for t in Touchpoint.objects.for_org(org)}
        for s in co.SURVEYS:
            create_survey(
                org, name=s.name, code=s.code, kind=s.kind, languages=["sv", "en"],
                touchpoint=touchpoints[s.touchpoint] if s.touchpoint else None,
                questions=[QuestionSpec(q.key, q.type, dict(q.texts), options=list(q.options), required=q.required)
                           for q in s.questions],
            )
        # Before any response: the metadata the story hinges on is counted from the first load.
        set_rollup_dimensions(org.id, co.ROLLUP_DIMENSIONS)
    return org


def _delete_in_chunks(queryset) -> None:
    """Delete through the ORM (so every on_delete rule applies) without collecting a million rows at once."""
    while True:
        ids = list(queryset.order_by("id").values_list("id", flat=True)[:DELETE_CHUNK])
        if not ids:
            return
        with transaction.atomic():
            queryset.model.objects.filter(id__in=ids).only("id").delete()


def delete_demo_org(org: Organization) -> None:
    """Remove the demo organization and everything in it.

    Responses and customers go first, in chunks through the ORM, so whatever other apps hang on
    them is handled by their own on_delete rules without loading a million rows at once. Protected links
    (answer → question, response → survey, unit → parent unit) are emptied in dependency order.
    """
    # The invitation history (events, invitations, contact log) before the customers it hangs on.
    listening.delete_listening(org, _delete_in_chunks)
    # Answers by chunks of response ids: an index lookup each, whatever the planner believes
    # about table sizes (one DELETE joining answers to responses can go quadratic on PostgreSQL).
    responses = Response.objects.for_org(org)
    while ids := list(responses.order_by("id").values_list("id", flat=True)[:DELETE_CHUNK]):
        with transaction.atomic():
            Answer.objects.filter(response_id__in=ids).delete()
            Response.objects.filter(id__in=ids).only("id").delete()
    _delete_in_chunks(Customer.objects.for_org(org))
    with transaction.atomic():
        Survey.objects.for_org(org).update(current_version=None)
        Survey.objects.for_org(org).delete()
        units = sorted(Unit.objects.for_org(org), key=lambda u: -u.path.count("/"))
        for unit in units:  # leaves first: a unit protects its parent
            unit.delete()
        org.delete()


@dataclass
class UserOutcome:
    user: co.DemoUser
    status: str  # "created", "updated" or "skipped" (the username belongs to someone outside the demo)


def password_problems(password: str) -> list[str]:
    """Why the installation's password rules refuse `password` for any demo user (none: fine):
    the demo's logins follow the same rules as everyone's."""
    problems: list[str] = []
    for du in co.USERS:
        try:
            validate_password(password, User(username=du.username, first_name=du.first_name,
                                              last_name=du.last_name))
        except ValidationError as exc:
            problems.extend(m for m in exc.messages if m not in problems)
    return problems


def ensure_users(org: Organization, password: str) -> list[UserOutcome]:
    """Create the demo users, or re-point existing demo users at this organization.

    A username that is a member of any other organization is left untouched: the demo must never
    take over a real account that happens to be called "anna".
    """
    outcomes = []
    units = dict(Unit.objects.for_org(org).values_list("code", "id"))
    for du in co.USERS:
        with transaction.atomic():
            user = User.objects.filter(username=du.username).first()
            if user is not None and Membership.objects.filter(user=user).exclude(organization=org).exists():
                outcomes.append(UserOutcome(du, "skipped"))
                continue
            if user is None:
                user = accounts.create_user(du.username, password, first_name=du.first_name,
                                            last_name=du.last_name, language=du.language)
                status = "created"
            else:
                user.set_password(password)
                user.language = du.language
                user.save(update_fields=["password", "language"])
                status = "updated"
            unit = Unit.objects.for_org(org).get(id=units[du.unit]) if du.unit else None
            accounts.add_member(org, user, du.role, unit)
        outcomes.append(UserOutcome(du, status))
    return outcomes


def foreign_demo_responses(org: Organization, seed: int) -> bool:
    """Whether the organization holds responses from another seed (re-loading would mix two stories)."""
    return Response.objects.for_org(org).exclude(external_id__startswith=f"demo-{seed}-").exists()


def counts(org: Organization) -> tuple[int, int]:
    """(responses, customers) stored for the organization."""
    return Response.objects.for_org(org).count(), Customer.objects.for_org(org).count()


def load_responses(org: Organization, responses: Iterable[dict], *, chunk: int = CHUNK,
                   progress: Callable[[int], None] | None = None, now: dt.datetime | None = None) -> LoadResult:
    """Validate and store responses in transactions of `chunk`; existing external ids are kept as they are."""
    catalog = Catalog.load(org.id)
    tz = timezone.get_current_timezone()
    now = now or timezone.now()
    result = LoadResult()
    batch = []

    def flush():
        for r in ingest_responses(org.id, batch, Source.DEMO):
            if r.created:
                result.created += 1
            else:
                result.existing += 1
        if progress:
            progress(len(batch))
        batch.clear()

    for raw in responses:
        clean = clean_response(raw, catalog, tz=tz, now=now)
        if isinstance(clean, list):
            details = "; ".join(f"{e.field}: {e.message}" for e in clean)
            raise DemoDataError(f"generated response {raw.get('external_id')} is invalid: {details}")
        batch.append(clean)
        if len(batch) >= chunk:
            flush()
    if batch:
        flush()
    return result
