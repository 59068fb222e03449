"""Upgrading with import jobs in place: a job a unit-limited member made before jobs recorded
their importer's limit gets it from the membership, so it stays confined and visible to them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from glapp.accounts.models import Role
from glapp.responses.models import ImportJob
from tests.factories import make_org, make_user

BEFORE = [("responses", "0001_initial")]


@pytest.mark.django_db(transaction=True)
def test_jobs_from_before_get_their_importers_unit_limit():
    org = make_org("acme")
    north = make_user(org, "north", Role.ANALYST, unit_code="acme-north")
    anna = make_user(org, "anna", Role.ANALYST)
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("responses", "ImportJob")
    ids = {name: old.objects.create(organization_id=org.id, filename="a.csv", file_sha256="0" * 64,
                                    created_by_id=user.id if user else None).id
           for name, user in (("north", north), ("anna", anna), ("cli", None))}
    executor = MigrationExecutor(connection)
    executor.migrate(leaves)
    paths = {name: ImportJob.objects.get(pk=pk).unit_path for name, pk in ids.items()}
    assert paths["north"] and paths["north"] == north.memberships.get().unit.path
    assert paths["anna"] == "" and paths["cli"] == ""
