"""Hostile text stays inert; tenants and unit-limited users see only what they may."""

import re

import pytest
from django.test import Client

from glapp.accounts.actions import add_member
from glapp.accounts.models import Role, Unit
from glapp.journeys.actions import create_journey
from tests.factories import make_user
from tests.web.helpers import add_responses, login

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ATTR = '"><img src=x onerror=alert(1)>'
SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
ATTR_ESCAPED = "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"


def ids_in(html: str) -> set[int]:
    return {int(x) for x in re.findall(r'data-response-id="(\d+)"', html)}


def assert_inert(html: str):
    assert SCRIPT not in html
    assert "<img src=x" not in html
    assert "onerror=alert(1)>" not in html
    assert SCRIPT_ESCAPED in html
    assert ATTR_ESCAPED in html


def test_hostile_comment_and_metadata_are_escaped_in_the_list(client, org):
    add_responses(org, {"nps": 1, "comment": SCRIPT + "\n" + ATTR,
                        "metadata": {"campaign": SCRIPT, ATTR: "x"}, "segment": ATTR,
                        "customer": {"external_id": SCRIPT}})
    login(client, make_user(org, "anna"))
    html = client.get("/responses/").text
    assert_inert(html)
    partial = client.get("/responses/?comment=yes", headers={"HX-Request": "true"}).text
    assert_inert(partial)


def test_search_text_is_escaped_when_echoed(client, org):
    login(client, make_user(org, "anna"))
    html = client.get("/responses/", {"q": ATTR + SCRIPT}).text
    assert SCRIPT not in html and "<img src=x" not in html
    assert 'value="&quot;&gt;&lt;img' in html


def test_hostile_names_are_escaped_on_the_overview(client, org):
    create_journey(org, "Journey " + SCRIPT, [("Stage " + ATTR, ["Touch " + SCRIPT + ATTR])], code="evil")
    unit = Unit.objects.get(organization=org, code="acme-north-store")
    unit.name = "Store " + SCRIPT + ATTR
    unit.save()
    add_responses(org, {"nps": 9, "touchpoint": "touch-scriptalert1scriptimg-srcx-onerroralert1"})
    manager = make_user(org, "stina", role=Role.VIEWER, unit_code="acme-north-store")
    add_responses(org, {"nps": 9, "unit": "acme-north-store", "comment": ATTR + SCRIPT})
    login(client, make_user(org, "anna"))
    html = client.get("/").text
    assert_inert(html)
    # The unit-scope banner and the unit picker show the unit's (hostile) name escaped too.
    html = login(Client(), manager).get("/").text
    assert SCRIPT not in html and "<img src=x" not in html
    assert "Visar: Store " + SCRIPT_ESCAPED + ATTR_ESCAPED in html


@pytest.fixture
def rival_data(other_org):
    create_journey(other_org, "Rival journey", [("Rival stage", ["Rival only touchpoint"])], code="rj")
    return add_responses(other_org, {"nps": 0, "comment": "Rival secret complaint", "unit": "rival-north-store"},
                         {"nps": 0, "touchpoint": "rival-only-touchpoint", "comment": "Another rival secret"})


def test_a_tenant_sees_none_of_another_tenants_data(client, org, other_org, rival_data):
    mine = add_responses(org, {"nps": 10, "comment": "Acme praise"})
    login(client, make_user(org, "anna"))
    html = client.get("/responses/").text
    assert ids_in(html) == set(mine)
    assert "Rival secret" not in html and "Another rival secret" not in html
    assert "rival-north" not in html and "Rival only" not in html  # no foreign filter options
    overview = client.get("/?period=all").text
    assert "Rival" not in overview
    assert "1 svar" in overview and "2 svar" not in overview


def test_another_tenants_codes_are_refused_as_filters(client, org, other_org, rival_data):
    login(client, make_user(org, "anna"))
    for query in ("unit=rival-north", "touchpoint=rival-only-touchpoint"):
        html = client.get(f"/responses/?{query}").text
        assert 'role="alert"' in html
        assert ids_in(html) == set()
    # The same survey code exists in both organizations: it only ever means our own survey.
    assert ids_in(client.get("/responses/?survey=nps").text) == set()
    assert "Kontrollera filtren ovan." in client.get("/?unit=rival-north").text


def test_switching_to_a_foreign_organization_is_refused(client, org, other_org, rival_data):
    add_responses(org, {"nps": 10, "comment": "Acme praise"})
    login(client, make_user(org, "anna"))
    client.get("/")
    assert client.session["org_id"] == org.id
    response = client.post("/organization/", {"organization": other_org.id, "next": "/responses/"})
    assert response.status_code == 403
    assert client.session["org_id"] == org.id
    assert "Rival secret" not in client.get("/responses/").text


def test_a_tampered_session_organization_falls_back_to_a_membership(client, org, other_org, rival_data):
    login(client, make_user(org, "anna"))
    session = client.session
    session["org_id"] = other_org.id
    session.save()
    html = client.get("/responses/").text
    assert "Rival secret" not in html
    assert client.session["org_id"] == org.id


def test_member_of_two_organizations_can_switch(client, org, other_org, rival_data):
    user = make_user(org, "anna")
    add_member(other_org, user, Role.VIEWER)
    login(client, user)
    html = client.get("/").text
    assert 'name="organization"' in html and "Rival" in html  # the switcher lists both
    response = client.post("/organization/", {"organization": other_org.id, "next": "/responses/?unit=acme-north"})
    assert response.status_code == 302
    assert response["Location"] == "/responses/"  # the old organization's filters are dropped
    assert ids_in(client.get("/responses/").text) == set(rival_data)


def test_unit_limited_user_sees_only_their_subtree(client, org):
    north = add_responses(org, {"nps": 10, "unit": "acme-north-store", "comment": "Norr"},
                          {"nps": 9, "unit": "acme-north-store"})
    add_responses(org, {"nps": 0, "unit": "acme-south-store", "comment": "Söder"},
                  {"nps": 0, "comment": "Ingen enhet"})
    login(client, make_user(org, "stina", role=Role.VIEWER, unit_code="acme-north-store"))
    html = client.get("/responses/").text
    assert ids_in(html) == set(north)
    assert "Söder" not in html and "Ingen enhet" not in html
    assert "Visar: North store" in html
    assert "South store" not in html  # not even as a filter option
    overview = client.get("/").text
    assert "Visar: North store" in overview
    assert re.search(r'data-testid="nps-phone-support">100<', overview)
    assert re.search(r'data-testid="n-phone-support">2 svar', overview)
    # Asking for a unit outside the subtree is refused, not widened.
    assert ids_in(client.get("/responses/?unit=acme-south-store").text) == set()
    assert "Kontrollera filtren ovan." in client.get("/?unit=acme-south").text
