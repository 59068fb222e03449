"""Settings → People and Units, for owners and admins: invitations go out through the real SMTP
path, role and unit changes are audited, the last owner stays, admins neither make nor change
owners, unit-limited admins stay in their subtree, and units are added, renamed and moved with
their paths kept right."""

import email
import re
from email import policy as email_policy

import pytest

from glapp.accounts import actions
from glapp.accounts.models import AuditEntry, Membership, Role, Unit, User
from glapp.accounts.queries import access_for, units_of
from tests.distribution.conftest import Recorder, smtp  # noqa: F401 - the real SMTP server fixture
from tests.factories import PASSWORD, make_user
from tests.web.helpers import login

pytestmark = pytest.mark.django_db
STRONG = "Tallrik-Gurka-93"


def unit(org, code):
    return Unit.objects.get(organization=org, code=code)


def test_an_invitation_goes_out_by_smtp_and_its_link_sets_the_password_once(client, org, smtp):  # noqa: F811
    owner = make_user(org, "owner", Role.OWNER)
    login(client, owner)
    page = client.post("/settings/people/", {"email": "Nils@Acme.test", "first_name": "Nils", "last_name": "",
                                             "role": Role.ANALYST, "unit": unit(org, "acme-north").pk})
    assert page.status_code == 302
    member = Membership.objects.get(organization=org, user__email="nils@acme.test")
    assert (member.role, member.unit.code) == (Role.ANALYST, "acme-north")
    [(recipients, raw)] = smtp.messages
    assert recipients == ["nils@acme.test"]
    message = email.message_from_bytes(raw, policy=email_policy.default)
    text = message.get_body(("plain",)).get_content()
    link = re.search(r"https://glapp\.test(/login/welcome/\S+/)", text).group(1)
    assert "Acme" in message["Subject"]
    audit = AuditEntry.objects.filter(organization=org, target=str(member.user_id))
    assert set(audit.values_list("action", flat=True)) == {"member.invited", "member.role_changed"}
    assert audit.get(action="member.invited").username == "owner"
    client.logout()
    form = client.get(link, follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": STRONG, "new_password2": STRONG})
    assert client.login(username=member.user.username, password=STRONG)
    client.logout()
    assert not client.get(link, follow=True).context["validlink"]


def test_an_invitation_that_cannot_be_sent_says_so_and_can_be_sent_again(client, org, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    login(client, make_user(org, "owner", Role.OWNER))
    page = client.post("/settings/people/", {"email": "x@acme.test", "role": Role.VIEWER, "unit": ""}, follow=True)
    assert "could not be sent" in page.content.decode() or "kunde inte skickas" in page.content.decode()
    assert Membership.objects.filter(organization=org, user__email="x@acme.test").exists()


def test_role_and_unit_changes_are_audited_with_before_and_after(client, org):
    login(client, make_user(org, "owner", Role.OWNER))
    viewer = make_user(org, "viewer", Role.VIEWER)
    m = Membership.objects.get(organization=org, user=viewer)
    page = client.post(f"/settings/people/{m.pk}/", {f"m{m.pk}-role": Role.ADMIN, f"m{m.pk}-unit": ""})
    assert page.status_code == 302
    m.refresh_from_db()
    assert m.role == Role.ADMIN
    entry = AuditEntry.objects.filter(organization=org, target=str(viewer.pk)).order_by("-id").first()
    assert entry.action == "member.role_changed" and entry.username == "owner"
    assert entry.details == {"before": {"role": "viewer", "unit_id": None}, "after": {"role": "admin", "unit_id": None}}


def test_the_last_owner_cannot_be_demoted_or_removed(org):
    owner = make_user(org, "owner", Role.OWNER)
    m = Membership.objects.get(organization=org, user=owner)
    actor = actions.AuditActor.of_user(owner)
    with pytest.raises(actions.ValidationFailed) as refused:
        actions.change_member(m, Role.ADMIN, None, actor_role=Role.OWNER, actor=actor)
    assert refused.value.errors[0].code == "last_owner"
    with pytest.raises(actions.ValidationFailed):
        actions.remove_member(m, actor_role=Role.OWNER, actor=actor)
    second = make_user(org, "second", Role.OWNER)
    actions.change_member(m, Role.ADMIN, None, actor_role=Role.OWNER, actor=actor)  # now allowed
    with pytest.raises(actions.ValidationFailed):
        actions.remove_member(Membership.objects.get(user=second), actor_role=Role.OWNER, actor=actor)


def test_removing_someone_takes_their_access_away_and_deactivates_an_account_with_nothing_left(client, org, other_org):
    login(client, make_user(org, "owner", Role.OWNER))
    gone = make_user(org, "gone", Role.ANALYST)
    both = make_user(org, "both", Role.ANALYST)
    actions.add_member(other_org, both, Role.VIEWER)
    for user in (gone, both):
        m = Membership.objects.get(organization=org, user=user)
        assert client.post(f"/settings/people/{m.pk}/remove/").status_code == 302
    gone.refresh_from_db()
    both.refresh_from_db()
    assert not gone.is_active and both.is_active
    assert access_for(both, org.id) is None and access_for(both, other_org.id) is not None
    assert AuditEntry.objects.filter(organization=org, target=str(gone.pk), details__after=None).exists()


def test_an_admin_neither_makes_nor_changes_an_owner(client, org):
    make_user(org, "owner", Role.OWNER)
    login(client, make_user(org, "admin", Role.ADMIN))
    owner_m = Membership.objects.get(organization=org, user__username="owner")
    client.post(f"/settings/people/{owner_m.pk}/", {f"m{owner_m.pk}-role": Role.VIEWER, f"m{owner_m.pk}-unit": ""})
    assert Membership.objects.get(pk=owner_m.pk).role == Role.OWNER
    page = client.post("/settings/people/", {"email": "boss@acme.test", "role": Role.OWNER, "unit": ""})
    assert page.status_code == 200 and not User.objects.filter(email="boss@acme.test").exists()
    people = client.get("/settings/people/").content.decode()
    assert f'action="/settings/people/{owner_m.pk}/"' not in people


def test_a_unit_limited_admin_manages_only_people_and_units_of_their_subtree(client, org):
    make_user(org, "southie", Role.ANALYST, unit_code="acme-south")
    admin = make_user(org, "north-admin", Role.ADMIN, unit_code="acme-north")
    login(client, admin)
    people = client.get("/settings/people/").content.decode()
    assert "southie" not in people
    south_m = Membership.objects.get(organization=org, user__username="southie")
    assert client.post(f"/settings/people/{south_m.pk}/remove/").status_code == 404
    # A new person must be limited to their subtree.
    page = client.post("/settings/people/", {"email": "wide@acme.test", "role": Role.VIEWER, "unit": ""})
    assert page.status_code == 200 and not User.objects.filter(email="wide@acme.test").exists()
    # Units: add under their own; not under another region; their own top unit does not move.
    assert client.post("/settings/units/", {"new-name": "Luleå", "new-code": "", "new-kind": "store",
                                            "new-parent": unit(org, "acme-north").pk}).status_code == 302
    assert unit(org, "lulea").path.startswith(unit(org, "acme-north").path)
    page = client.post("/settings/units/", {"new-name": "Ystad", "new-kind": "store",
                                            "new-parent": unit(org, "acme-south").pk})
    assert page.status_code == 200 and not Unit.objects.filter(name="Ystad").exists()
    north = unit(org, "acme-north")
    client.post("/settings/units/move/", {"unit": north.pk, "parent": unit(org, "acme-north-store").pk})
    client.post("/settings/units/move/", {"unit": unit(org, "lulea").pk, "parent": unit(org, "acme-south").pk})
    assert unit(org, "acme-north").path == north.path  # their own top unit stays
    assert unit(org, "lulea").parent_id == north.pk  # and nothing leaves their subtree


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANALYST, Role.CASE_HANDLER])
def test_read_only_roles_see_units_without_edit_controls_and_no_people_page(client, org, role):
    login(client, make_user(org, "reader", role))
    page = client.get("/settings/units/").content.decode()
    assert "North store" in page and "/rename/" not in page and 'data-testid="add-unit"' not in page
    assert 'data-testid="move-unit"' not in page
    assert client.get("/settings/people/").status_code == 403
    north = unit(org, "acme-north")
    assert client.post(f"/settings/units/{north.pk}/rename/", {"name": "X"}).status_code == 403
    assert client.post("/settings/units/", {"new-name": "X", "new-kind": "store",
                                            "new-parent": north.pk}).status_code == 403


def test_units_are_added_renamed_and_moved_with_the_whole_subtree(client, org):
    login(client, make_user(org, "owner", Role.OWNER))
    north, south = unit(org, "acme-north"), unit(org, "acme-south")
    client.post("/settings/units/", {"new-name": "Kiruna", "new-code": "kiruna", "new-kind": "store",
                                     "new-parent": north.pk})
    kiruna = unit(org, "kiruna")
    client.post(f"/settings/units/{north.pk}/rename/", {"name": "Norrland"})
    north.refresh_from_db()
    assert (north.name, north.code) == ("Norrland", "acme-north")
    # Move North (with its store and Kiruna) under South.
    assert client.post("/settings/units/move/", {"unit": north.pk, "parent": south.pk}).status_code == 302
    for u in (north, kiruna, unit(org, "acme-north-store")):
        u.refresh_from_db()
        assert Unit.in_subtree(u.path, south.path), u.code
    manager = access_for(make_user(org, "south-manager", Role.ANALYST, unit_code="acme-south"))
    assert {"acme-north", "kiruna", "acme-north-store"} <= set(units_of(manager).values_list("code", flat=True))
    # No cycles: South under Kiruna (below it now) is refused, nothing moves.
    before = south.path
    client.post("/settings/units/move/", {"unit": south.pk, "parent": kiruna.pk})
    south.refresh_from_db()
    assert south.path == before
    # A code that is taken is named on the form.
    page = client.post("/settings/units/", {"new-name": "Again", "new-code": "kiruna", "new-kind": "store",
                                            "new-parent": south.pk})
    assert page.status_code == 200 and "new-code" in page.content.decode() and page.context["form"].errors


def test_another_organization_s_people_and_units_are_not_found(client, org, other_org):
    login(client, make_user(org, "owner", Role.OWNER))
    theirs = make_user(other_org, "theirs", Role.VIEWER)
    m = Membership.objects.get(user=theirs)
    assert client.post(f"/settings/people/{m.pk}/remove/").status_code == 404
    their_unit = unit(other_org, "rival-north")
    assert client.post(f"/settings/units/{their_unit.pk}/rename/", {"name": "X"}).status_code == 404
    assert PASSWORD  # the factories' password signs the owner in
