"""Simultaneous requests (a double click that really arrives twice at once, two tabs) store one
session, one response and one answer. Real concurrency needs a server database: SQLite's
in-memory test database serializes everything anyway, so this runs on PostgreSQL."""

import threading

import pytest
from django.db import connection
from django.test import Client

from glapp.analytics.models import Rollup
from glapp.respond.models import RespondentSession
from glapp.respond.views import START_SIGNER
from glapp.responses.models import Answer, Response
from tests.factories import make_org
from tests.surveys.test_respondent_pages import make_invitation, make_swedish_survey

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"),
]
RACERS = 8


def race(post) -> list:
    barrier = threading.Barrier(RACERS)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(post().status_code)
        except Exception as exc:  # collected: an exception in a thread must fail the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


def test_simultaneous_first_answers_store_one_of_everything():
    org = make_org("acme")
    survey = make_swedish_survey(org)
    inv = make_invitation(org, survey)
    # No view before: the racers also race to create the session from the invitation.
    codes = race(lambda: Client().post(f"/r/{inv.token}/", {"question": "nps", "answer": ["4"]}))
    assert set(codes) == {302}
    public = race(lambda: Client().post(f"/s/{survey.public_token}/",
                                        {"question": "nps", "answer": ["10"], "start": START_SIGNER.sign("S" * 24)}))
    assert set(public) == {302}
    assert RespondentSession.objects.count() == 2
    assert Response.objects.count() == 2 and Answer.objects.count() == 2
    assert sum(r.n for r in Rollup.objects.filter(source="responses", grain=1)) == 2
    assert sum(r.n for r in Rollup.objects.filter(source="nps", grain=1)) == 2
