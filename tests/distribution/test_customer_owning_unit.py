"""A customer has an owning unit, set once when it is created, so a unit-limited key cannot widen
its reach by reporting events (docs/security.md, "Customers' owning unit")."""

import importlib

import pytest
from django.apps import apps
from django.test import Client

from glapp.contacts.models import Customer
from tests.api.helpers import Api, key_for
from tests.distribution.test_events_api import event
from tests.factories import make_user, response_payload
from tests.web.helpers import login

pytestmark = pytest.mark.django_db


def owner(external_id: str) -> str | None:
    unit = Customer.objects.get(external_id=external_id).unit
    return unit.code if unit else None


def test_an_event_does_not_make_another_units_customer_visible(org):
    everyone = Api(key_for(org))
    assert everyone.post("/events", event(unit="acme-south-store")).status_code == 202
    assert owner("C-1") == "acme-south-store"
    north = Api(key_for(org, unit_code="acme-north"))
    assert north.get("/customers/C-1/contact-history").status_code == 404
    # The customer shops in the north as well: the north's key reports it, and it is stored ...
    assert north.post("/events", event(id="n-1", unit="acme-north-store")).status_code == 202
    assert north.post("/events/bulk", {"events": [event(id="n-2")]}).status_code == 202
    # ... but the customer stays the south's: no contact data, consent or history for the north.
    assert owner("C-1") == "acme-south-store"
    assert north.get("/customers/C-1/contact-history").status_code == 404
    member = Client()
    login(member, make_user(org, "nils", unit_code="acme-north"))
    assert member.get("/customers/C-1/").status_code == 404
    assert Api(key_for(org, unit_code="acme-south")).get("/customers/C-1/contact-history").status_code == 200
    assert everyone.get("/customers/C-1/contact-history").status_code == 200


def test_an_organization_wide_customer_stays_out_of_a_units_reach(org):
    everyone = Api(key_for(org))
    assert everyone.post("/events", event(unit=None)).status_code == 202
    assert owner("C-1") is None
    north = Api(key_for(org, unit_code="acme-north"))
    assert north.post("/events", event(id="n-1")).status_code == 202
    assert owner("C-1") is None and north.get("/customers/C-1/contact-history").status_code == 404


def test_a_unit_limited_key_creates_customers_only_in_its_units(org):
    north = Api(key_for(org, unit_code="acme-north"))
    assert north.post("/events", event(customer={"external_id": "C-7"})).status_code == 202
    assert owner("C-7") == "acme-north"  # the key's unit, its default
    assert north.post("/events", event(id="e-2", unit="acme-north-store",
                                       customer={"external_id": "C-8"})).status_code == 202
    assert owner("C-8") == "acme-north-store"
    assert north.post("/events", event(id="e-3", unit="acme-south-store",
                                       customer={"external_id": "C-9"})).status_code == 403
    assert not Customer.objects.filter(external_id="C-9").exists()
    assert north.get("/customers/C-7/contact-history").status_code == 200
    # A response that brings a new customer gives it the response's unit, inside the key's reach.
    assert north.post("/responses", response_payload(external_id="r-1", unit="acme-north-store",
                                                     customer={"external_id": "C-20"})).status_code == 201
    assert owner("C-20") == "acme-north-store"
    # A later response elsewhere moves nobody.
    Api(key_for(org)).post("/responses", response_payload(external_id="r-2", unit="acme-south-store",
                                                         customer={"external_id": "C-20"}))
    assert owner("C-20") == "acme-north-store"


def test_the_upgrade_gives_existing_customers_their_one_unit_or_none(org):
    everyone = Api(key_for(org))
    everyone.post("/events", event(id="a-1", unit="acme-south-store", customer={"external_id": "ONE"}))
    everyone.post("/events", event(id="a-2", unit="acme-south-store", customer={"external_id": "ONE"}))
    everyone.post("/events", event(id="b-1", unit="acme-south-store", customer={"external_id": "TWO"}))
    everyone.post("/events", event(id="b-2", unit="acme-north-store", customer={"external_id": "TWO"}))
    everyone.post("/events", event(id="c-1", unit=None, customer={"external_id": "NONE"}))
    Customer.objects.update(unit=None)  # as they were before owners existed
    migration = importlib.import_module("glapp.distribution.migrations.0005_customers_owned_by_their_units")
    migration.owning_units(apps, None)
    assert (owner("ONE"), owner("TWO"), owner("NONE")) == ("acme-south-store", None, None)
