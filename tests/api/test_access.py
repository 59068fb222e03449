"""Who may do what: API keys, scopes, unit limits, revocation and tenant isolation."""

import pytest
from django.test import Client

from glapp.accounts.actions import revoke_api_key
from glapp.accounts.models import ApiKey, Role, Unit
from glapp.responses.models import Response
from tests.api.helpers import Api, assert_problem, key_for
from tests.factories import PASSWORD, make_user, response_payload

pytestmark = pytest.mark.django_db


def test_no_key_or_a_bad_key_is_401(org):
    for key in (None, "glk_nope_nope", "not-even-a-key", key_for(org)[:-2] + "xx"):
        resp = Api(key).get("/responses")
        body = assert_problem(resp, 401)
        assert body["type"] == "/problems/unauthorized"
        assert resp["WWW-Authenticate"].startswith("Bearer")


def test_x_api_key_header_works_too(org):
    key = key_for(org)
    resp = Client().get("/api/v1/responses", headers={"X-API-Key": key})
    assert resp.status_code == 200


def test_revoked_key_is_401(org):
    key = key_for(org)
    assert Api(key).get("/responses").status_code == 200
    revoke_api_key(ApiKey.objects.get(prefix=key.split("_")[1]))
    assert_problem(Api(key).get("/responses"), 401)
    assert_problem(Api(key).post("/responses", response_payload()), 401)


def test_a_change_to_a_key_counts_from_the_next_request(org):
    # Nothing about a key is kept between requests (accounts/queries.py: api_key_access), so
    # what its owner changes holds at once, in every server process.
    api = Api(key_for(org))
    prefix = api.key.split("_")[1]
    assert api.post("/responses", response_payload(unit="acme-south-store")).status_code == 201
    ApiKey.objects.filter(prefix=prefix).update(scopes=["responses:read"])
    assert_problem(api.post("/responses", response_payload()), 403)
    ApiKey.objects.filter(prefix=prefix).update(scopes=["responses:write"],
                                                unit=Unit.objects.get(organization=org, code="acme-north"))
    assert_problem(api.post("/responses", response_payload(unit="acme-south-store")), 403)
    assert api.post("/responses", response_payload(unit="acme-north-store")).status_code == 201
    revoke_api_key(ApiKey.objects.get(prefix=prefix))
    assert_problem(api.post("/responses", response_payload(unit="acme-north-store")), 401)


def test_scopes_are_enforced(org):
    reader = Api(key_for(org, scopes=["responses:read"]))
    writer = Api(key_for(org, scopes=["responses:write"]))
    assert_problem(reader.post("/responses", response_payload()), 403)
    assert_problem(reader.post("/responses/bulk", {"responses": [response_payload()]}), 403)
    assert_problem(writer.get("/responses"), 403)
    assert writer.post("/responses", response_payload()).status_code == 201
    assert reader.get("/responses").status_code == 200
    assert Response.objects.count() == 1


def test_using_a_key_records_when(org):
    key = key_for(org)
    Api(key).get("/responses")
    assert ApiKey.objects.get(prefix=key.split("_")[1]).last_used_at is not None


def test_other_organizations_data_is_invisible(api, rival_api, org, other_org):
    mine = api.post("/responses", response_payload(external_id="shared-id", unit="acme-north")).json()
    theirs = rival_api.post("/responses", response_payload(external_id="shared-id")).json()
    assert mine["id"] != theirs["id"]  # external ids are per organization
    assert [i["id"] for i in rival_api.get("/responses").json()["items"]] == [theirs["id"]]
    assert_problem(rival_api.get(f"/responses/{mine['id']}"), 404)  # 404, not 403: existence is not revealed
    assert_problem(rival_api.get("/responses", {"unit": "acme-north"}), 422, "unit")
    items = rival_api.get("/responses", {"survey": "nps", "touchpoint": "phone-support"}).json()["items"]
    assert items == [{k: v for k, v in theirs.items() if k != "created"}]


def test_cannot_write_into_another_organizations_units(api, rival_api):
    resp = rival_api.post("/responses", response_payload(unit="acme-north"))
    assert_problem(resp, 422, "unit")
    assert Response.objects.count() == 0


def test_unit_limited_key_sees_and_writes_its_subtree_only(org):
    org_key = Api(key_for(org))
    north = Api(key_for(org, unit_code="acme-north"))
    in_store = org_key.post("/responses", response_payload(unit="acme-north-store")).json()
    in_south = org_key.post("/responses", response_payload(unit="acme-south")).json()
    org_wide = org_key.post("/responses", response_payload()).json()
    assert [i["id"] for i in north.get("/responses").json()["items"]] == [in_store["id"]]
    assert_problem(north.get(f"/responses/{in_south['id']}"), 404)
    assert_problem(north.get(f"/responses/{org_wide['id']}"), 404)
    assert north.get("/responses", {"unit": "acme-south"}).json()["items"] == []

    assert_problem(north.post("/responses", response_payload(unit="acme-south-store")), 403)
    assert_problem(north.post("/responses/bulk", {"responses": [
        response_payload(unit="acme-north-store"), response_payload(unit="acme-south")]}), 403, "responses.1.unit")
    defaulted = north.post("/responses", response_payload())
    assert defaulted.status_code == 201 and defaulted.json()["unit"] == "acme-north"
    assert north.post("/responses", response_payload(unit="acme-north-store")).status_code == 201
    assert Response.objects.count() == 5


def test_unit_limited_key_cannot_read_a_response_elsewhere_through_its_external_id(org):
    Api(key_for(org)).post("/responses", response_payload(unit="acme-south", external_id="x-1"))
    north = Api(key_for(org, unit_code="acme-north"))
    body = assert_problem(north.post("/responses", response_payload(external_id="x-1")), 409)
    assert "answers" not in body


def test_signed_in_user_may_read_but_not_write(org):
    make_user(org, "viewer", Role.VIEWER)
    client = Client()
    assert client.login(username="viewer", password=PASSWORD)
    assert client.get("/api/v1/responses").status_code == 200
    resp = client.post("/api/v1/responses", response_payload(), content_type="application/json")
    assert_problem(resp, 401)


def test_signed_in_user_reads_the_organization_chosen_in_the_web_app(org, other_org):
    from glapp.accounts.actions import add_member
    from glapp.accounts.models import User

    Api(key_for(other_org)).post("/responses", response_payload(external_id="theirs"))
    Api(key_for(org)).post("/responses", response_payload(external_id="ours"))
    make_user(org, "both", Role.VIEWER)
    add_member(other_org, User.objects.get(username="both"), Role.VIEWER)
    client = Client()
    assert client.login(username="both", password=PASSWORD)
    session = client.session
    session["org_id"] = other_org.id
    session.save()
    items = client.get("/api/v1/responses").json()["items"]
    assert [i["external_id"] for i in items] == ["theirs"]
