"""Two-factor sign-in: owners and admins give a TOTP code after their password (setting up the
app the first time); others may opt in; backup codes for a lost phone; API keys unaffected."""

from binascii import unhexlify

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from glapp.accounts import actions
from glapp.accounts.models import Role
from glapp.accounts.two_factor import SESSION_KEY
from tests.factories import PASSWORD, make_api_key, make_user

pytestmark = pytest.mark.django_db


def current_code(key_hex: str) -> str:
    return f"{TOTP(unhexlify(key_hex)).token():06d}"


def device_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def password_step(client: Client, username: str, next_url: str = ""):
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post("/login/", data)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def enrolled(user) -> TOTPDevice:
    """A confirmed app that has not seen a code yet (set-up through the pages is tested below)."""
    return TOTPDevice.objects.create(user=user, name="TOTP", key="3132333435363738393031323334353637383930",
                                     confirmed=True)


def test_an_owner_without_an_app_must_set_one_up_before_being_signed_in(org):
    owner = make_user(org, "olle", Role.OWNER)
    client = Client()
    response = password_step(client, "olle", next_url="/responses/")
    assert response.status_code == 302
    assert response["Location"] == "/login/enrol/"
    assert not signed_in(client)
    assert client.get("/responses/").status_code == 302  # a password alone opens nothing

    page = client.get("/login/enrol/")
    assert page.status_code == 200
    assert "<svg" in page.text  # the QR code, drawn on the server
    key = client.session[SESSION_KEY]
    secret = page.context["setup"]["secret"].replace(" ", "")
    assert secret in page.context["setup"]["uri"]

    wrong = client.post("/login/enrol/", {"code": "000000" if current_code(key) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert not signed_in(client)
    assert not TOTPDevice.objects.filter(user=owner).exists()

    done = client.post("/login/enrol/", {"code": current_code(key)})
    assert done.status_code == 200
    assert signed_in(client)
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert done.context["next"] == "/responses/"
    assert TOTPDevice.objects.get(user=owner).confirmed
    assert client.get("/responses/").status_code == 200


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN])
def test_an_enrolled_owner_or_admin_gives_a_code_after_the_password(org, role, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a wrong code then the right one at once: not about throttling
    user = make_user(org, "olle", role)
    device = enrolled(user)
    client = Client()
    response = password_step(client, "olle", next_url="/responses/")
    assert response["Location"] == "/login/code/"
    assert not signed_in(client)

    wrong = client.post("/login/code/", {"code": "12345"})
    assert wrong.status_code == 200
    assert "inte rätt" in wrong.text
    assert not signed_in(client)

    device.refresh_from_db()
    response = client.post("/login/code/", {"code": device_code(device)})
    assert response.status_code == 302
    assert response["Location"] == "/responses/"
    assert signed_in(client)
    assert client.session.get("otp_device_id") == device.persistent_id


def test_a_code_cannot_be_used_twice(org):
    user = make_user(org, "olle", Role.OWNER)
    device = enrolled(user)
    device.refresh_from_db()
    first = Client()
    password_step(first, "olle")
    code = device_code(device)
    assert first.post("/login/code/", {"code": code}).status_code == 302
    assert signed_in(first)

    thief = Client()
    password_step(thief, "olle")
    assert thief.post("/login/code/", {"code": code}).status_code == 200
    assert not signed_in(thief)


def test_a_backup_code_signs_in_once(org, settings):
    settings.OTP_STATIC_THROTTLE_FACTOR = 0  # a refused code then a good one at once: not about throttling
    user = make_user(org, "olle", Role.OWNER)
    enrolled(user)
    codes = actions.new_backup_codes(user)
    client = Client()
    password_step(client, "olle")
    assert client.post("/login/code/", {"code": codes[0].upper()}).status_code == 302
    assert signed_in(client)

    again = Client()
    password_step(again, "olle")
    assert again.post("/login/code/", {"code": codes[0]}).status_code == 200
    assert not signed_in(again)
    assert again.post("/login/code/", {"code": codes[1]}).status_code == 302


def test_new_backup_codes_replace_the_old_ones(org):
    user = make_user(org, "olle", Role.OWNER)
    enrolled(user)
    old = actions.new_backup_codes(user)
    actions.new_backup_codes(user)
    client = Client()
    password_step(client, "olle")
    assert client.post("/login/code/", {"code": old[0]}).status_code == 200
    assert not signed_in(client)


def test_wrong_codes_count_towards_the_login_lockout(org):
    user = make_user(org, "olle", Role.OWNER)
    enrolled(user)
    client = Client()
    password_step(client, "olle")
    statuses = [client.post("/login/code/", {"code": f"{i:06d}"}).status_code for i in range(12)]
    assert 429 in statuses
    assert not signed_in(client)
    # The password alone does not start over: this username from this address is locked.
    assert password_step(Client(), "olle").status_code == 429


def test_the_code_page_without_a_password_first_goes_to_the_login(client):
    assert client.get("/login/code/")["Location"] == "/login/"
    assert client.post("/login/enrol/", {"code": "123456"})["Location"] == "/login/"


def test_members_of_other_roles_sign_in_with_the_password_and_may_opt_in(org):
    user = make_user(org, "ana", Role.ANALYST)
    client = Client()
    assert password_step(client, "ana")["Location"] == "/"
    assert signed_in(client)

    page = client.get("/settings/two-factor/")
    assert "Tvåstegsinloggning är av." in page.text
    key = client.session[SESSION_KEY]
    response = client.post("/settings/two-factor/", {"action": "enrol", "code": current_code(key)})
    assert response.status_code == 200
    assert len(response.context["codes"]) == 10
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()

    later = Client()
    assert password_step(later, "ana")["Location"] == "/login/code/"
    assert not signed_in(later)

    # They may turn it off again; an owner may not.
    client.post("/settings/two-factor/", {"action": "off"})
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert password_step(Client(), "ana")["Location"] == "/"


def test_an_owner_cannot_turn_two_factor_off(org):
    owner = make_user(org, "olle", Role.OWNER)
    enrolled(owner)
    client = Client()
    client.force_login(owner)
    page = client.get("/settings/two-factor/")
    assert 'value="off"' not in page.text
    client.post("/settings/two-factor/", {"action": "off"})
    assert TOTPDevice.objects.filter(user=owner).exists()


def test_staff_of_the_admin_site_need_a_second_factor(db):
    actions.create_user("root", PASSWORD, is_superuser=True)
    client = Client()
    response = password_step(client, "root", next_url="/admin/")
    assert response["Location"] == "/login/enrol/"
    assert not signed_in(client)


def test_the_demo_mode_setting_lets_owners_in_with_the_password(org, settings):
    settings.GLAPP_REQUIRE_2FA = False
    make_user(org, "olle", Role.OWNER)
    client = Client()
    assert password_step(client, "olle")["Location"] == "/"
    assert signed_in(client)


def test_api_keys_need_no_second_factor(org):
    enrolled(make_user(org, "olle", Role.OWNER))
    key = make_api_key(org)
    response = Client().get("/api/v1/responses", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200


def test_a_pending_sign_in_does_not_reuse_the_session_id_from_before(org):
    make_user(org, "olle", Role.OWNER)
    client = Client()
    client.get("/login/")
    client.session.save()
    before = client.session.session_key
    password_step(client, "olle")
    assert client.session.session_key != before
