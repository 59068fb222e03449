import datetime as dt

import pytest
from django.utils import timezone

from glapp.accounts.models import Role
from glapp.accounts.queries import access_for
from glapp.analytics.queries import nps_by_touchpoint
from glapp.core.errors import ValidationFailed
from tests.factories import make_user
from tests.web.helpers import add_responses

pytestmark = pytest.mark.django_db


def by_code(rows):
    return {r.touchpoint_code: (r.nps.promoters, r.nps.passives, r.nps.detractors) for r in rows}


def test_counts_are_scoped_to_organization_and_unit_subtree(org, other_org):
    add_responses(org, {"nps": 10, "unit": "acme-north-store"}, {"nps": 7, "unit": "acme-south-store"},
                  {"nps": 0}, {"nps": 9, "touchpoint": "web-checkout", "unit": "acme-north-store"})
    add_responses(other_org, {"nps": 0}, {"nps": 0, "touchpoint": "web-checkout"})
    everyone = access_for(make_user(org, "anna"))
    assert by_code(nps_by_touchpoint(everyone)) == {"web-checkout": (1, 0, 0), "phone-support": (1, 1, 1)}
    north = access_for(make_user(org, "stina", Role.VIEWER, unit_code="acme-north"))
    assert by_code(nps_by_touchpoint(north)) == {"web-checkout": (1, 0, 0), "phone-support": (1, 0, 0)}
    assert by_code(nps_by_touchpoint(everyone, unit="acme-south")) == {"web-checkout": (0, 0, 0),
                                                                     "phone-support": (0, 1, 0)}
    with pytest.raises(ValidationFailed):
        nps_by_touchpoint(north, unit="acme-south")  # outside the subtree: refused, not widened
    with pytest.raises(ValidationFailed):
        nps_by_touchpoint(everyone, unit="rival-north")


def test_date_bounds_are_inclusive_local_days(org):
    add_responses(org, {"nps": 10, "submitted_at": "2026-03-01T00:00:00+01:00"},
                  {"nps": 0, "submitted_at": "2026-02-28T23:59:59+01:00"},
                  {"nps": 8, "submitted_at": "2026-03-31T23:59:59+02:00"},
                  {"nps": 0, "submitted_at": "2026-04-01T00:00:00+02:00"})
    access = access_for(make_user(org, "anna"))
    rows = nps_by_touchpoint(access, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert by_code(rows)["phone-support"] == (1, 1, 0)


def test_responses_without_touchpoint_come_last(org):
    from glapp.surveys.models import Survey

    Survey.objects.filter(organization=org).update(touchpoint=None)
    add_responses(org, {"nps": 3})
    rows = nps_by_touchpoint(access_for(make_user(org, "anna")))
    assert rows[-1].touchpoint_code == "" and rows[-1].n == 1


def test_one_aggregate_query_plus_the_touchpoint_list(org, django_assert_num_queries):
    add_responses(org, *[{"nps": i % 11, "submitted_at": (timezone.now() - dt.timedelta(days=i)).isoformat()}
                         for i in range(30)])
    access = access_for(make_user(org, "anna"))
    with django_assert_num_queries(2):
        nps_by_touchpoint(access, dt.date(2020, 1, 1), timezone.localdate())
