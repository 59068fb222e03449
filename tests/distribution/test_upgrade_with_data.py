"""Upgrading a database that holds data: the migrations of the response-rate counts and the
answered flag take an installation from before them to now, with invitations, widget displays
and answers in place, and end with the counts the live code keeps. Run with DATABASE_URL set to
PostgreSQL too (`scripts/test` does): there, a migration that adds a foreign key and updates
the table's rows in one transaction fails ("pending trigger events"), which SQLite never shows.
"""


import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from glapp.analytics.models import Rollup
from glapp.distribution.dispatch import dispatch_due_invitations
from glapp.respond.models import Display, RespondentSession
from glapp.responses.models import Response
from glapp.surveys.models import Question
from tests.distribution.test_dispatch import NOON, invite
from tests.factories import make_org
from tests.surveys.test_respondent_pages import answer, make_swedish_survey
from tests.surveys.test_respondent_widget import allow_widget, post_display

BEFORE = [("analytics", "0002_count_existing_responses"), ("surveys", "0002_listening"),
          ("distribution", "0003_invitation_channel_requested")]


def snapshot():
    counts = sorted(Rollup.objects.filter(source="invitations").values_list(
        "organization_id", "grain", "day", "survey", "touchpoint", "unit", "channel", "language", "segment",
        "d1", "d2", "d3", "d4", "n", "c0", "c1", "c2"))
    flags = sorted(Question.objects.filter(answered=True).values_list("id", flat=True))
    answered_displays = sorted(pk for pk, at in Display.objects.values_list("id", "responded_at") if at)
    external_ids = sorted(Response.objects.values_list("id", "external_id"))
    return (counts, flags, answered_displays, sorted(Display.objects.values_list("id", "touchpoint_id")),
            external_ids)


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_recounts_what_the_live_code_counted(smtp):
    org = make_org("acme")
    allow_widget(org)
    survey = make_swedish_survey(org, widget_delay_seconds=2)
    urls = [post_display(Client(), survey).json()["url"] for _ in range(3)]
    answer(Client(), urls[0], "nps", "9", start="U" * 24)
    for i in range(3):
        invite(org, f"U{i}", f"u{i}@example.se")
    dispatch_due_invitations(now=NOON)
    live = snapshot()
    assert live[0] and live[1] and live[2]  # counts, answered questions and an answered display exist

    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    # Before surveys 0006 a session's response was keyed by its link token; going back restores that.
    tokens = {f"session:{t}" for t in RespondentSession.objects.values_list("token", flat=True)}
    keyed = {e for e in Response.objects.values_list("external_id", flat=True) if e.startswith("session:")}
    assert keyed and keyed <= tokens
    Rollup.objects.filter(source="invitations").delete()  # what an installation before them had
    executor = MigrationExecutor(connection)  # a fresh graph state, as a new `migrate` run has
    executor.migrate(leaves)
    assert snapshot() == live
