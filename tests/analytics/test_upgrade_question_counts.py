"""Upgrading a database with answers to 0005_per_question_and_respondent_counts: the migration
adds the question key, the choice options and the per-respondent sums and recounts, ending with
what the live code keeps; going back leaves only rows the older schema can hold."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from glapp.accounts.models import Role
from glapp.accounts.queries import Access
from glapp.analytics.actions import ROLLUP_COUNTS, ROLLUP_KEY
from glapp.analytics.models import Rollup
from glapp.analytics.queries import MetricQuery, metric_table
from tests.analytics.test_question_figures import MARCH, it_survey, respondents
from tests.factories import make_org

BEFORE = [("analytics", "0004_count_widget_displays")]


def cells():
    return sorted(Rollup.objects.values_list(*ROLLUP_KEY, *ROLLUP_COUNTS))


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_counts_questions_and_respondents_as_the_live_code_does():
    org = make_org("acme")
    it_survey(org)
    respondents(org, k=30)
    live = cells()
    pooled = metric_table(Access(org, Role.ADMIN), MetricQuery("csat", **MARCH)).total
    assert pooled.respondents == 30 and pooled.n == 90

    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT source FROM analytics_rollup")
        assert {row[0] for row in cursor.fetchall()} <= {"responses", "invitations"}
    executor = MigrationExecutor(connection)  # a fresh graph state, as a new `migrate` run has
    executor.migrate(leaves)
    assert cells() == live
