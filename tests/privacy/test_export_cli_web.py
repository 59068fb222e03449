"""The data-subject export (API, command line, web), erasure from the command line and the web
page (owners and admins, with confirmation, in both languages), and the audit log page."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from glapp.accounts.models import AuditEntry, Role
from glapp.contacts.models import Customer
from glapp.responses.models import Response
from tests.api.helpers import Api, assert_problem, key_for
from tests.factories import make_user
from tests.privacy.conftest import GRETA

pytestmark = pytest.mark.django_db


def test_the_api_export_holds_everything_about_the_person_and_nothing_else(org, known):
    resp = Api(key_for(org, ("customers:export",))).get(f"/customers/{GRETA.external_id}/export")
    assert resp.status_code == 200, resp.content
    data = resp.json()
    assert [c["email"] for c in data["customers"]] == [GRETA.email.lower()]  # stored as events normalise it
    assert len(data["responses"]) == 3
    assert {r["answers"].get("comment") for r in data["responses"]} == set(GRETA.comments)
    assert all(r["customer"] == GRETA.external_id for r in data["responses"])
    # Two invitations from her touchpoint events, one follow-up question after her case.
    assert len(data["invitations"]) == 3 and data["contact_history"] and len(data["events"]) == 2
    assert {i["survey"] for i in data["invitations"]} == {"nps", "case-follow-up"}
    cases = data["cases"]
    assert cases and all(c["customer"] == GRETA.external_id for c in cases)
    assert any(GRETA.phone in a["text"] for c in cases for a in c["timeline"])  # the note naming her
    assert cases[0]["emails"][0]["to"] == GRETA.email.lower() and cases[0]["resolution"]
    assert "kund-1b2e44" not in resp.content.decode()  # the bystander
    entry = AuditEntry.objects.get(organization=org, action="customer.exported")
    assert entry.details["responses"] == 3 and GRETA.external_id not in json.dumps(entry.details)


def test_the_export_needs_its_scope(org, known):
    assert_problem(Api(key_for(org)).get(f"/customers/{GRETA.external_id}/export"), 403)


def test_the_command_line_exports_and_erases_by_email_with_confirmation(org, known, monkeypatch):
    out = io.StringIO()
    call_command("customer", "export", "--org", "acme", "--email", GRETA.email.upper(), stdout=out)
    assert len(json.loads(out.getvalue())["responses"]) == 3
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="Nothing was erased"):
        call_command("customer", "erase", "--org", "acme", "--email", GRETA.email, stdout=io.StringIO(),
                     stderr=io.StringIO())
    assert Customer.objects.filter(external_id=GRETA.external_id).exists()
    out = io.StringIO()
    call_command("customer", "erase", "--org", "acme", "--phone", "+46 70-555 12 34",
                 "--mode", "delete", "--yes", stdout=out)
    assert out.getvalue().startswith("Erased (delete)")
    assert not Customer.objects.filter(external_id=GRETA.external_id).exists()
    assert AuditEntry.objects.get(action="customer.erased").actor == "command"
    out = io.StringIO()
    call_command("customer", "erase", "--org", "acme", "--external-id", GRETA.external_id, "--yes", stdout=out)
    assert out.getvalue().startswith("Already erased")


@pytest.mark.parametrize("language, heading, button", [("en", "An erasure removes", "Erase the customer"),
                                                       ("sv", "En radering tar bort", "Radera kunden")])
def test_the_page_shows_what_will_be_erased_and_needs_the_confirmation(org, known, language, heading, button):
    client = Client()
    client.force_login(make_user(org, "olga", Role.OWNER, language=language))
    page = client.post("/settings/privacy/", {"step": "find", "kind": "email", "value": GRETA.email})
    text = page.content.decode()
    assert page.status_code == 200 and heading in text and button in text and GRETA.phone in text
    unconfirmed = client.post("/settings/privacy/", {"step": "erase", "kind": "email", "value": GRETA.email,
                                                     "mode": "anonymise"})
    assert unconfirmed.status_code == 400 and Customer.objects.filter(external_id=GRETA.external_id).exists()
    done = client.post("/settings/privacy/", {"step": "erase", "kind": "email", "value": GRETA.email,
                                              "mode": "anonymise", "confirm": "on"})
    assert done.status_code == 302
    assert not Customer.objects.filter(external_id=GRETA.external_id).exists()
    assert Response.objects.filter(organization=org).count() == 6  # anonymised, not deleted
    again = client.post("/settings/privacy/", {"step": "find", "kind": "external_id", "value": GRETA.external_id})
    assert again.status_code == 200 and GRETA.email not in again.content.decode()


def test_the_page_exports_json_and_the_escape_holds(org, known):
    Customer.objects.filter(external_id=GRETA.external_id).update(first_name="<script>x</script>")
    client = Client()
    client.force_login(make_user(org, "olga", Role.ADMIN))
    page = client.post("/settings/privacy/", {"step": "find", "kind": "external_id", "value": GRETA.external_id})
    assert "<script>x</script>" not in page.content.decode() and "&lt;script&gt;" in page.content.decode()
    download = client.post("/settings/privacy/", {"step": "export", "kind": "external_id",
                                                  "value": GRETA.external_id})
    assert download["Content-Disposition"] == 'attachment; filename="glapp-customer-export.json"'
    assert len(json.loads(download.content)["responses"]) == 3


@pytest.mark.parametrize("role", [Role.ANALYST, Role.CASE_HANDLER, Role.VIEWER])
def test_only_owners_and_admins_may_erase(org, known, role):
    client = Client()
    client.force_login(make_user(org, "someone", role))
    assert client.get("/settings/privacy/").status_code == 403
    assert client.post("/settings/privacy/", {"step": "erase", "kind": "external_id", "value": GRETA.external_id,
                                              "mode": "delete", "confirm": "on"}).status_code == 403
    assert Customer.objects.filter(external_id=GRETA.external_id).exists()


def test_a_unit_limited_admin_may_not_erase(org, known):
    client = Client()
    client.force_login(make_user(org, "regional", Role.ADMIN, unit_code="acme-north"))
    assert client.get("/settings/privacy/").status_code == 403
