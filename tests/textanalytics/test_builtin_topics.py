"""The built-in topics come with the organization, and reads never write: an organization gets
its copy of the taxonomy in the transaction that creates it (or, made before that, from a data
migration), so the topic list, the topic pages and the progress count only read."""

import importlib

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from glapp.accounts import actions as accounts
from glapp.accounts.models import Organization, Unit
from glapp.textanalytics import queries
from glapp.textanalytics.analyzers import taxonomy
from glapp.textanalytics.models import Topic
from tests.api.helpers import Api, key_for
from tests.factories import make_user
from tests.web.helpers import login

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
migration = importlib.import_module("glapp.textanalytics.migrations.0002_builtin_topics_for_existing_organizations")


def writes(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]


def builtin_codes(org) -> dict[str, bool]:
    return dict(Topic.objects.filter(organization=org, builtin=True).values_list("code", "active"))


# --- Created with the organization ----------------------------------------------------------


def test_a_new_organization_has_the_builtin_topics():
    org = accounts.create_organization("Nova", slug="nova")
    topics = builtin_codes(org)
    assert set(topics) == set(taxonomy.BY_CODE)
    assert {code for code, active in topics.items() if not active} == {
        t.code for t in taxonomy.TOPICS if not t.general}  # industry packs start switched off


def test_the_topics_roll_back_with_the_organization():
    with pytest.raises(RuntimeError), transaction.atomic():
        org = accounts.create_organization("Nova", slug="nova")
        assert Topic.objects.filter(organization=org).exists()  # in the transaction, not after it
        raise RuntimeError("the rest of the setup failed")
    assert not Organization.objects.filter(pk=org.pk).exists()
    assert not Topic.objects.filter(organization_id=org.pk).exists()


def test_an_organization_added_in_the_admin_site_is_made_the_one_way(client):
    admin = accounts.create_user("root", "correct-horse-battery", is_superuser=True)
    client.force_login(admin)
    response = client.post("/admin/accounts/organization/add/", {
        "name": "Nova", "slug": "nova", "default_language": "en", "keep_comment_originals": ""})
    assert response.status_code == 302, response.content
    org = Organization.objects.get(slug="nova")
    assert org.default_language == "en" and not org.keep_comment_originals
    assert set(builtin_codes(org)) == set(taxonomy.BY_CODE)
    assert Unit.objects.filter(organization=org, parent=None, kind=Unit.Kind.COMPANY).exists()


# --- Reads never write ----------------------------------------------------------------------


@pytest.fixture
def without_baggage(org):
    """A built-in topic the organization deleted: a read that created missing topics would bring it back."""
    Topic.objects.filter(organization=org, code="baggage").delete()
    return org


def test_the_topics_api_only_reads(without_baggage):
    api = Api(key_for(without_baggage))
    assert api.get("/topics").status_code == 200  # the first call notes the key's use
    with CaptureQueriesContext(connection) as captured:
        resp = api.get("/topics")
    assert resp.status_code == 200
    assert writes(captured) == []
    assert "baggage" not in {t["code"] for t in resp.json()}


def test_the_topic_pages_only_read(client, without_baggage):
    org = without_baggage
    login(client, make_user(org, "anna"))
    client.get("/verbatims/")  # the first page remembers the organization in the session
    for path, status in (("/topics/", 200), ("/topics/price/", 200), ("/topics/baggage/", 404)):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == status, path
        assert writes(captured) == [], path
    assert not Topic.objects.filter(organization=org, code="baggage").exists()


def test_the_pending_count_only_reads(without_baggage):
    with CaptureQueriesContext(connection) as captured:
        queries.pending_count(without_baggage.id)
    assert writes(captured) == []


# --- Organizations made before: the data migration -------------------------------------------


def test_the_migration_creates_the_missing_topics_once(org, other_org):
    Topic.objects.filter(organization=org, code="baggage").delete()
    Topic.objects.filter(organization=org, code="price").update(query="pris*", active=False)  # the org's own edit
    Topic.objects.filter(organization=other_org).delete()
    migration.create_missing(apps, None)
    for o in (org, other_org):
        assert set(builtin_codes(o)) == set(taxonomy.BY_CODE)
    assert not Topic.objects.get(organization=org, code="baggage").active  # a pack topic, created off
    price = Topic.objects.get(organization=org, code="price")
    assert (price.query, price.active) == ("pris*", False)
    count = Topic.objects.count()
    migration.create_missing(apps, None)
    assert Topic.objects.count() == count
