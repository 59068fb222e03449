"""The closed-loop figures count what happened to cases, with intervals like every figure."""

import datetime as dt

import pytest
from django.utils import timezone

from glapp.accounts.queries import Access
from glapp.cases import actions
from glapp.cases.loop import loop_figures
from glapp.cases.models import Case, FollowUp, RootCause
from glapp.contacts.models import Customer
from tests.cases.helpers import detractor_rule, post_response
from tests.factories import make_api_key

pytestmark = pytest.mark.django_db


def test_the_funnel_and_the_pareto(org):
    detractor_rule(org)
    key = make_api_key(org)
    now = timezone.now()
    for i, (nps, unit) in enumerate([(1, "acme-north-store"), (3, "acme-north-store"), (5, "acme-south-store"),
                                     (9, "acme-south-store"), (10, "acme-north-store")]):
        Customer.objects.create(organization=org, external_id=f"C-{i}", email=f"c{i}@example.se", consent_email=True)
        post_response(org, key, external_id=f"R-{i}", customer=f"C-{i}", unit=unit, answers={"nps": nps},
                      submitted_at=(now - dt.timedelta(minutes=10)).isoformat())
    post_response(org, key, external_id="R-x", customer="C-x", unit="acme-north-store", answers={"nps": 0},
                  submitted_at=(now - dt.timedelta(minutes=10)).isoformat())  # no consent: analysis only
    cases = {c.unit.code + str(c.pk): c for c in Case.objects.select_related("unit")}
    assert len(cases) == 4
    north = [c for c in Case.objects.filter(unit__code="acme-north-store", analysis_only=False).order_by("id")]
    south = Case.objects.get(unit__code="acme-south-store")
    price = RootCause.objects.get(organization=org, code="price_terms")
    actions.set_status(north[0], Case.Status.CONTACTED, actor_id=None)  # in time
    actions.close(north[0], actor_id=None, root_cause_id=price.id, resolution="Explained the price")
    actions.close(south, actor_id=None, root_cause_id=price.id, resolution="Discount")
    FollowUp.objects.filter(case=north[0]).update(nps=8)  # answered: recovered
    FollowUp.objects.filter(case=south).update(nps=4)  # answered: not recovered
    later = Case.objects.get(pk=north[1].pk).first_contact_due_at + dt.timedelta(hours=1)
    actions.mark_breaches(org.id, now=later)

    access = Access(org, "owner")
    [whole, *units] = loop_figures(access, timezone.localdate(now) - dt.timedelta(days=1), timezone.localdate(now),
                                      "unit", now=later)
    assert whole.detractors == 4 and whole.cases == 4 and whole.analysis_only == 1
    # Judged: the three contactable cases, whose due times have passed by `later` or were met.
    assert whole.contacted_within_sla.n == 3 and round(whole.contacted_within_sla.value) == 33
    within = whole.contacted_within_sla
    assert within.low is not None and within.low < 33 < within.high
    assert whole.follow_ups_answered == 2 and whole.recovered.n == 2 and whole.recovered.value == 50.0
    assert whole.root_causes == [("price_terms", price.name, 2)]
    by_unit = {f.key: f for f in units}
    assert by_unit["acme-north-store"].cases == 3 and by_unit["acme-south-store"].cases == 1
    assert by_unit["acme-north-store"].detractors == 3


def test_a_unit_limited_reader_counts_only_its_units(org):
    detractor_rule(org)
    key = make_api_key(org)
    now = timezone.now()
    for i, unit in enumerate(["acme-north-store", "acme-south-store"]):
        post_response(org, key, external_id=f"R-{i}", unit=unit, answers={"nps": 2},
                      submitted_at=(now - dt.timedelta(minutes=10)).isoformat())
    from glapp.accounts.models import Unit

    north = Unit.objects.get(organization=org, code="acme-north")
    [whole] = loop_figures(Access(org, "case_handler", north.path), timezone.localdate(now) - dt.timedelta(days=1),
                           timezone.localdate(now))
    assert whole.cases == 1


def test_the_loop_figures_over_the_api(org):
    from django.test import Client

    detractor_rule(org)
    post_response(org, external_id="R-1", unit="acme-north-store", answers={"nps": 2},
                  submitted_at=(timezone.now() - dt.timedelta(minutes=10)).isoformat())
    key = make_api_key(org, ("cases:read",))
    body = Client().get("/api/v1/cases/loop?group_by=unit", HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert body[0]["key"] == "" and body[0]["cases"] == 1 and body[0]["contacted_within_sla"]["method"] == "wilson"
    assert [r["key"] for r in body[1:]] == ["acme-north-store"]
    bad = Client().get("/api/v1/cases/loop?date_from=2026-05-02&date_to=2026-05-01",
                       HTTP_AUTHORIZATION=f"Bearer {key}")
    assert bad.status_code == 422
