"""Who is told what: one notification per recipient, written with the change, never to the
person who made it, never to anyone outside the case's unit."""

import pytest
from django.db import transaction

from glapp.accounts.models import Role
from glapp.cases import actions
from glapp.cases.models import Case, UnitCaseSettings
from glapp.notifications import actions as notify_actions
from glapp.notifications.models import Delivery, EmailState, Kind, Notification
from tests.notifications.helpers import assign_on_open, open_case, person, told, unit

pytestmark = pytest.mark.django_db


def test_a_new_unowned_case_tells_its_queue_and_nobody_else(org):
    person(org, "north", unit_code="acme-north-store")  # the queue: a case handler placed there
    person(org, "south", unit_code="acme-south-store")
    person(org, "analyst", role=Role.ANALYST, unit_code="acme-north-store")  # may not work cases
    case = open_case(org)
    assert case.owner_id is None and case.queue_id == unit(org, "acme-north-store").id
    assert told(org) == {"north": [Kind.QUEUE]}
    n = Notification.objects.get()
    assert n.case_id == case.id and n.title == f"#{case.id} · P2 · acme-north-store"


def test_a_case_given_to_someone_tells_them_it_is_theirs(org):
    assign_on_open(org)
    sara = person(org, "sara", unit_code="acme-north-store")
    case = open_case(org)
    assert case.owner_id == sara.id
    assert told(org) == {"sara": [Kind.ASSIGNED]}


def test_assigning_tells_the_new_owner_but_not_the_one_who_takes_it_themselves(org):
    sara = person(org, "sara", role=Role.ADMIN)
    olle = person(org, "olle", unit_code="acme-north")
    case = open_case(org)
    Notification.objects.all().delete()
    actions.assign(case, olle.id, actor_id=sara.id)
    assert told(org) == {"olle": [Kind.ASSIGNED]}
    Notification.objects.all().delete()
    actions.assign(case, sara.id, actor_id=sara.id, reason="I'll call")
    assert told(org) == {}


def test_activity_on_my_case_by_someone_else_tells_me_not_them(org):
    assign_on_open(org)
    owner = person(org, "owner", unit_code="acme-north-store")
    boss = person(org, "boss", role=Role.ADMIN)
    case = open_case(org)
    Notification.objects.all().delete()
    actions.add_note(case, "<b>ring henne</b>", actor_id=boss.id)
    actions.set_status(case, Case.Status.IN_PROGRESS, actor_id=boss.id)
    actions.add_note(case, "my own note", actor_id=owner.id)  # the owner's own doing: nobody told
    assert told(org) == {"owner": [Kind.ACTIVITY, Kind.ACTIVITY]}
    changes = list(Notification.objects.order_by("id").values_list("data__change", flat=True))
    assert changes == ["note", "status"]
    assert not Notification.objects.filter(title__contains="ring").exists()


def test_a_breach_tells_the_escalation_contact_and_the_owner(org):
    assign_on_open(org)
    owner = person(org, "owner", unit_code="acme-north-store")
    boss = person(org, "boss", unit_code="acme-north")
    UnitCaseSettings.objects.create(organization=org, unit=unit(org, "acme-north"), escalation_contact=boss)
    case = open_case(org)
    Notification.objects.all().delete()
    actions.mark_breaches(org.id, now=case.first_contact_due_at.replace(year=case.first_contact_due_at.year + 1))
    assert told(org) == {owner.username: [Kind.BREACHED], boss.username: [Kind.BREACHED]}


def test_a_unit_limited_person_named_by_a_rule_never_hears_of_another_units_case(org):
    north = person(org, "north", role=Role.ANALYST, unit_code="acme-north")
    south = person(org, "south", unit_code="acme-south")
    whole = person(org, "whole", role=Role.ANALYST)
    south_queue = unit(org, "acme-south-store")
    person(org, "southstore", unit_code="acme-south-store")
    open_case(org, notify_users=[north.id, south.id, whole.id], notify_units=[south_queue.id])
    alerted = told(org, Kind.ALERT)
    assert "south" not in alerted and "southstore" not in alerted
    assert alerted == {"north": [Kind.ALERT], "whole": [Kind.ALERT]}


def test_a_case_without_a_unit_is_told_only_to_people_without_a_unit_limit(org):
    north = person(org, "north", unit_code="acme-north")
    whole = person(org, "whole", role=Role.ANALYST)
    open_case(org, unit=None, notify_users=[north.id, whole.id])
    assert told(org, Kind.ALERT) == {"whole": [Kind.ALERT]}


def test_an_alert_adds_nothing_for_someone_already_told_of_the_case(org):
    queue = person(org, "north", unit_code="acme-north-store")
    open_case(org, notify_users=[queue.id])
    assert told(org) == {"north": [Kind.QUEUE]}


def test_a_person_of_another_organization_is_never_told(org, other_org):
    stranger = person(other_org, "stranger")
    open_case(org, notify_users=[])
    notify_actions.notify(org.id, Kind.ALERT, [stranger.id], unit_id=None, title="#1")
    assert not Notification.objects.filter(user=stranger).exists()


def test_preferences_choose_how_each_kind_is_delivered(org):
    north = person(org, "north", unit_code="acme-north-store")
    assert notify_actions.set_preferences(org.id, north.id, {Kind.QUEUE: Delivery.OFF}) is None
    open_case(org, external_id="R-1", customer="C-1")
    assert told(org) == {}
    notify_actions.set_preferences(org.id, north.id, {Kind.QUEUE: Delivery.HOURLY})
    open_case(org, external_id="R-2", customer="C-2")
    n = Notification.objects.get()
    assert (n.delivery, n.email_state) == (Delivery.HOURLY, EmailState.PENDING)
    notify_actions.set_preferences(org.id, north.id, {Kind.QUEUE: Delivery.IN_APP})
    open_case(org, external_id="R-3", customer="C-3")
    assert Notification.objects.order_by("-id").first().email_state == EmailState.NONE


def test_defaults_are_at_once_for_assigned_and_breached_and_daily_for_the_rest(org):
    from glapp.notifications.queries import preferences_of

    north = person(org, "north", unit_code="acme-north-store")
    assert preferences_of(org.id, north.id) == {
        "assigned": "immediate", "queue": "daily", "breached": "immediate", "activity": "daily", "alert": "daily"}


def test_unknown_preferences_are_refused_naming_the_kind(org):
    from glapp.core.errors import ValidationFailed

    north = person(org, "north")
    with pytest.raises(ValidationFailed) as refused:
        notify_actions.set_preferences(org.id, north.id, {"queue": "weekly", "gossip": "off"})
    assert {e.field for e in refused.value.errors} == {"queue", "gossip"}


def test_a_change_that_rolls_back_leaves_no_notification(org):
    sara = person(org, "sara", role=Role.ADMIN)
    olle = person(org, "olle", unit_code="acme-north")
    case = open_case(org)
    Notification.objects.all().delete()
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.assign(case, olle.id, actor_id=sara.id)
        raise RuntimeError
    assert not Notification.objects.exists()


def test_a_case_back_in_its_queue_tells_the_queue(org):
    sara = person(org, "sara", role=Role.ADMIN)
    person(org, "north", unit_code="acme-north-store")
    olle = person(org, "olle", unit_code="acme-north")
    case = open_case(org)
    actions.assign(case, olle.id, actor_id=sara.id)
    Notification.objects.all().delete()
    actions.assign(case, None, actor_id=sara.id)
    assert told(org) == {"north": [Kind.QUEUE]}


def test_a_removed_member_loses_their_notifications_and_a_moved_one_those_out_of_reach(org):
    from glapp.accounts.actions import AuditActor, add_member, remove_member

    north = person(org, "north", unit_code="acme-north-store")
    gone = person(org, "gone", unit_code="acme-north-store")
    open_case(org)
    assert told(org) == {"north": [Kind.QUEUE], "gone": [Kind.QUEUE]}
    from glapp.accounts.models import Membership

    remove_member(Membership.objects.get(organization=org, user=gone), actor_role="owner", actor=AuditActor.command())
    add_member(org, north, Role.CASE_HANDLER, unit(org, "acme-south"))
    assert told(org) == {}
