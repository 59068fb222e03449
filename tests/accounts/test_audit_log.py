"""The audit log: what is recorded (unredacted comments viewed, exports, role changes, API keys
made and revoked), that it is append-only, and that only owners read and export it."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from glapp.accounts import actions
from glapp.accounts.models import ApiKey, AuditEntry, Membership, Role
from tests.api.helpers import Api, key_for
from tests.factories import make_user, response_payload

pytestmark = pytest.mark.django_db


def actions_of(org) -> list[str]:
    return list(AuditEntry.objects.filter(organization=org).order_by("id").values_list("action", flat=True))


def test_keys_made_and_revoked_on_the_page_are_recorded_with_who(org):
    owner = make_user(org, "olga", Role.OWNER)
    client = Client()
    client.force_login(owner)
    client.post("/settings/api-keys/", {"name": "CRM", "scopes": ["customers:erase"]})
    key = ApiKey.objects.get(organization=org, name="CRM")
    client.post(f"/settings/api-keys/{key.prefix}/revoke/")
    created, revoked = AuditEntry.objects.filter(organization=org, action__startswith="api_key.").order_by("id")
    assert (created.action, created.user_id, created.details["scopes"]) == ("api_key.created", owner.pk,
                                                                           ["customers:erase"])
    assert (revoked.action, revoked.target) == ("api_key.revoked", str(key.pk))


def test_role_changes_are_recorded_from_commands_and_the_admin(org):
    user = make_user(org, "bo", Role.VIEWER)
    actions.add_member(org, user, Role.ADMIN)
    actions.add_member(org, user, Role.ADMIN)  # no change, no entry
    changes = AuditEntry.objects.filter(organization=org, action="member.role_changed", target=str(user.pk))
    assert [(e.details["before"], e.details["after"]["role"]) for e in changes.order_by("id")] == [
        (None, "viewer"), ({"role": "viewer", "unit_id": None}, "admin")]
    superuser = actions.create_user("root", "pw-long-enough-1", is_superuser=True)
    admin = Client()
    admin.force_login(superuser)
    membership = Membership.objects.get(organization=org, user=user)
    admin.post(f"/admin/accounts/membership/{membership.pk}/change/",
               {"organization": org.pk, "user": user.pk, "role": "owner", "unit": ""})
    last = changes.order_by("-id").first()
    assert (last.details["after"]["role"], last.user_id) == ("owner", superuser.pk)


def test_unredacted_comments_seen_through_the_api_and_the_pages_are_recorded(org):
    Api(key_for(org)).post("/responses", response_payload(answers={"nps": 3, "comment": "Ring mig på 070-1234567"}))
    admin_key = Api(key_for(org, ("admin",)))
    assert admin_key.get("/responses").status_code == 200
    assert Api(key_for(org)).get("/responses").status_code == 200  # redacted for an analyst key: not recorded
    client = Client()
    client.force_login(make_user(org, "case", Role.CASE_HANDLER))
    client.get("/responses/")
    entries = AuditEntry.objects.filter(organization=org, action="comments.unredacted_viewed").order_by("id")
    assert [(e.actor, e.details["page"]) for e in entries] == [("api_key", "api"), ("user", "responses")]


def test_exports_are_recorded_without_the_words_searched_for(org, tmp_path):
    Api(key_for(org)).post("/responses", response_payload())
    client = Client()
    client.force_login(make_user(org, "ana", Role.ANALYST))
    client.get("/data/export/", {"q": "anna@example.se"})
    call_command("export_responses", "--org", "acme", "--out", str(tmp_path / "out.csv"), stdout=io.StringIO())
    web, command = AuditEntry.objects.filter(organization=org, action="responses.exported").order_by("id")
    assert web.details["via"] == "web" and web.details["filters"]["q"] == "(words)"
    assert command.actor == "command" and command.details["responses"] == 1


def test_only_owners_read_and_export_the_log(org):
    actions.add_member(org, make_user(org, "bo", Role.VIEWER), Role.ANALYST)
    admin = Client()
    admin.force_login(make_user(org, "adm", Role.ADMIN))
    assert admin.get("/settings/audit/").status_code == 403
    owner = Client()
    owner.force_login(make_user(org, "olga", Role.OWNER))
    page = owner.get("/settings/audit/", {"action": "member.role_changed"})
    assert page.status_code == 200 and "Ändrade en roll" in page.content.decode()  # the organization speaks Swedish
    rows = list(csv.DictReader(io.StringIO(owner.get("/settings/audit/", {"format": "csv"}).content.decode())))
    assert {r["action"] for r in rows} == {"member.role_changed"}
    assert len(json.loads(owner.get("/settings/audit/", {"format": "json"}).content)) == len(rows)


def test_entries_cannot_be_changed_or_deleted(org):
    entry = actions.record_audit(org.id, AuditEntry.Action.KEY_CREATED, actions.AuditActor.command())
    for attempt in (entry.save, entry.delete, AuditEntry.objects.all().delete,
                    lambda: AuditEntry.objects.update(action="x")):
        with pytest.raises(TypeError):
            attempt()
    assert AuditEntry.objects.filter(pk=entry.pk, action="api_key.created").exists()
