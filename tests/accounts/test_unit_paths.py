"""A unit's path decides what a unit-limited person or key sees, so it is kept by one mechanism
(Unit.save) on every create and move, and an empty path never reads as "every unit"."""

import datetime as dt
import importlib

import pytest
from django.apps import apps

from glapp.accounts import actions as accounts
from glapp.accounts.models import Role, Unit
from glapp.accounts.queries import Access, access_for, units_of
from glapp.analytics.queries import MetricQuery, metric_table
from glapp.core.errors import ValidationFailed
from glapp.responses.actions import create_import_job
from glapp.responses.importing import jobs
from glapp.responses.models import ImportJob
from glapp.responses.queries import import_job_for, scoped_responses
from tests.factories import PASSWORD, make_user
from tests.importing.test_import_csv import row, write_csv
from tests.web.helpers import add_responses

pytestmark = pytest.mark.django_db

MAY = dict(date_from=dt.date(2026, 5, 1), date_to=dt.date(2026, 5, 31), compare=False)


def unit(org, code: str) -> Unit:
    return Unit.objects.get(organization=org, code=code)


def codes(access: Access) -> set[str]:
    return set(units_of(access).values_list("code", flat=True))


def manager(org, code: str) -> Access:
    return access_for(make_user(org, f"manager-{code}", Role.ANALYST, unit_code=code))


def in_may(unit_code: str, n: int) -> list[dict]:
    return [{"nps": 9, "unit": unit_code, "submitted_at": f"2026-05-{1 + i:02d}T12:00:00+00:00"} for i in range(n)]


@pytest.fixture
def admin_client(client):
    user = accounts.create_user("root", PASSWORD, is_superuser=True)
    user.is_staff = True
    user.save()
    client.force_login(user)
    return client


def test_a_unit_added_in_the_admin_gets_its_path_and_its_manager_sees_only_it(org, admin_client):
    north = unit(org, "acme-north")
    page = admin_client.post("/admin/accounts/unit/add/", {
        "organization": org.id, "parent": north.id, "name": "Kiruna", "code": "acme-kiruna", "kind": "store"})
    assert page.status_code == 302, page.content
    kiruna = unit(org, "acme-kiruna")
    assert kiruna.path == f"{north.path}{kiruna.id}/"
    assert codes(manager(org, "acme-kiruna")) == {"acme-kiruna"}


def test_an_empty_path_matches_nothing(org):
    """A unit stored without a path (as the admin once did) must not widen a limit to the whole
    organization: a prefix match on "" would."""
    add_responses(org, *in_may("acme-north-store", 2), *in_may("acme-south-store", 1))
    store = unit(org, "acme-north-store")
    user = make_user(org, "stina", Role.ANALYST, unit_code="acme-north-store")
    Unit.objects.filter(pk=store.pk).update(path="")
    limited = access_for(user)
    assert limited.unit_path == ""
    assert not limited.whole_organization
    assert codes(limited) == set()
    assert not scoped_responses(limited).exists()
    assert metric_table(limited, MetricQuery("nps", **MAY)).total.n == 0
    assert not Unit.in_subtree("/1/", "") and not Unit.in_subtree("", "/1/")
    assert Unit.confined("/1/4/", store.id, "") == (store.id, False)


@pytest.fixture
def moved(org):
    """Region North (with its store) moved under region South, after responses were stored and
    after a North manager queued an import (the job remembers the manager's unit path)."""
    add_responses(org, *in_may("acme-north-store", 2), *in_may("acme-south-store", 1))
    north, south = unit(org, "acme-north"), unit(org, "acme-south")
    job = create_import_job(org.id, filename="a.csv", file_sha256="0" * 64, dry_run=False, unit_path=north.path)
    accounts.move_unit(north, south)
    return job


def test_moving_a_region_rewrites_every_path_below_it(org, moved):
    north, south, store = unit(org, "acme-north"), unit(org, "acme-south"), unit(org, "acme-north-store")
    assert north.path == f"{south.path}{north.id}/"
    assert store.path == f"{north.path}{store.id}/"
    assert unit(org, "acme-south-store").path == f"{south.path}{unit(org, 'acme-south-store').id}/"


def test_after_a_move_each_manager_sees_exactly_their_subtree(org, moved):
    north = manager(org, "acme-north")
    assert codes(north) == {"acme-north", "acme-north-store"}
    assert scoped_responses(north).count() == 2
    assert codes(manager(org, "acme-south")) == {"acme-south", "acme-south-store", "acme-north", "acme-north-store"}


def test_an_import_job_from_before_the_move_moves_with_its_unit(org, moved, tmp_path):
    assert ImportJob.objects.get(pk=moved.pk).unit_path == unit(org, "acme-north").path
    assert import_job_for(manager(org, "acme-north"), moved.pk) is not None
    assert import_job_for(manager(org, "acme-south"), moved.pk) is not None  # North is South's now
    assert import_job_for(manager(org, "acme-south-store"), moved.pk) is None
    # Run after the move, it is still confined to North: its store in, the other region's out.
    moved.refresh_from_db()
    report = jobs.run_import_job(moved, None, None, path=write_csv(tmp_path / "a.csv", [
        row(1, unit="acme-north-store"), row(2, unit="acme-south-store")]))
    assert (report.created, report.rejected) == (1, 1)


def test_unit_metrics_count_moved_stores_under_their_new_region(org, moved):
    everyone = access_for(make_user(org, "anna", Role.ANALYST))
    assert metric_table(everyone, MetricQuery("nps", unit="acme-south", **MAY)).total.n == 3
    assert metric_table(everyone, MetricQuery("nps", unit="acme-north", **MAY)).total.n == 2
    south = manager(org, "acme-south")
    table = metric_table(south, MetricQuery("nps", ("unit",), **MAY))
    assert {c.key: c.estimate.n for c in table.cells} == {("acme-north-store",): 2, ("acme-south-store",): 1}
    assert metric_table(manager(org, "acme-north"), MetricQuery("nps", **MAY)).total.n == 2


@pytest.mark.parametrize("target", ["acme-north", "acme-north-store"])
def test_a_unit_cannot_move_under_itself_or_below_it(org, target):
    north = unit(org, "acme-north")
    paths = dict(Unit.objects.values_list("code", "path"))
    with pytest.raises(ValidationFailed) as refused:
        accounts.move_unit(north, unit(org, target))
    assert refused.value.errors[0].field == "parent" and refused.value.errors[0].code == "cycle"
    assert north.parent == unit(org, "acme")
    assert dict(Unit.objects.values_list("code", "path")) == paths


def test_the_admin_refuses_a_move_under_a_descendant_on_the_form(org, admin_client):
    north = unit(org, "acme-north")
    page = admin_client.post(f"/admin/accounts/unit/{north.id}/change/", {
        "organization": org.id, "parent": unit(org, "acme-north-store").id, "name": "North", "code": "acme-north",
        "kind": "region"})
    assert page.status_code == 200 and "parent" in page.context["adminform"].form.errors
    assert unit(org, "acme-north").parent_id == north.parent_id


def test_a_move_in_the_admin_moves_the_subtree(org, admin_client):
    north, south = unit(org, "acme-north"), unit(org, "acme-south")
    page = admin_client.post(f"/admin/accounts/unit/{north.id}/change/", {
        "organization": org.id, "parent": south.id, "name": "North", "code": "acme-north", "kind": "region"})
    assert page.status_code == 302, page.content
    assert unit(org, "acme-north-store").path == f"{south.path}{north.id}/{unit(org, 'acme-north-store').id}/"


def test_a_parent_in_another_organization_is_refused(org, other_org):
    with pytest.raises(ValidationFailed):
        accounts.create_unit(org, "Stray", "stray", parent=unit(other_org, "rival-north"))


def test_the_upgrade_repairs_paths_the_admin_left_wrong(org):
    """Before save() kept paths, a unit added in the admin had none and a parent changed there
    left the old paths behind, in the units and in import jobs made there."""
    north, south, store = unit(org, "acme-north"), unit(org, "acme-south"), unit(org, "acme-north-store")
    job = create_import_job(org.id, filename="a.csv", file_sha256="0" * 64, dry_run=False, unit_path=north.path)
    Unit.objects.filter(pk=store.pk).update(path="")
    Unit.objects.filter(pk=north.pk).update(parent=south)  # a move that left North's paths as they were
    importlib.import_module("glapp.accounts.migrations.0003_unit_paths_from_parents").fill(apps, None)
    importlib.import_module("glapp.responses.migrations.0004_import_job_unit_paths").follow(apps, None)
    north.refresh_from_db()
    assert north.path == f"{south.path}{north.id}/"
    assert unit(org, "acme-north-store").path == f"{north.path}{store.id}/"
    assert ImportJob.objects.get(pk=job.pk).unit_path == north.path


def test_units_whose_parents_loop_get_no_path():
    paths = importlib.import_module("glapp.accounts.migrations.0003_unit_paths_from_parents").unit_paths(
        {1: None, 2: 1, 3: 4, 4: 3, 5: 4, 6: 2})
    assert paths == {1: "/1/", 2: "/1/2/", 6: "/1/2/6/", 3: "", 4: "", 5: ""}
