"""The case inbox: tabs and filters within the reader's units, countdowns, bulk assignment with
partial refusal, the polling fragment's 204 while nothing changed, bounded queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from glapp.accounts.models import Role
from glapp.cases import actions
from glapp.cases.countdown import Countdown, duration_text
from glapp.cases.models import Case
from tests.cases.helpers import handler
from tests.cases.web_helpers import HOSTILE, calendar_clock, client_for, open_case
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def case_numbers(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'data-case="(\d+)"', html)}


def test_a_unit_limited_handler_lists_only_their_units_cases(org):
    north = open_case(org, "acme-north-store", "N")
    south = open_case(org, "acme-south-store", "S")
    sara = handler(org, "sara", "acme-north")
    page = client_for(sara).get("/cases/?view=queue")
    assert page.status_code == 200
    assert case_numbers(page.content.decode()) == {north.pk}
    everything = client_for(make_user(org, "ola", Role.ADMIN)).get("/cases/?view=all").content.decode()
    assert case_numbers(everything) == {north.pk, south.pk}


def test_my_cases_are_the_readers_open_cases(org):
    sara = handler(org, "sara", "acme-north")
    mine = open_case(org, "acme-north-store", "N1")
    open_case(org, "acme-north-store", "N2")
    actions.assign(mine, sara.pk, actor_id=sara.pk)
    page = client_for(sara).get("/cases/").content.decode()  # "My cases" is a handler's first tab
    assert case_numbers(page) == {mine.pk}
    assert 'data-testid="my-open-cases"' in page  # the navigation's count of the reader's open cases


def test_filters_and_search_by_number(org):
    a = open_case(org, "acme-north-store", "N1")
    b = open_case(org, "acme-south-store", "S1")
    actions.set_priority(b, 4, actor_id=None)
    admin = client_for(make_user(org, "ola", Role.ADMIN))
    assert case_numbers(admin.get("/cases/?view=all&priority=4").content.decode()) == {b.pk}
    assert case_numbers(admin.get(f"/cases/?view=all&q=%23{a.pk}").content.decode()) == {a.pk}
    assert case_numbers(admin.get("/cases/?view=all&q=S1").content.decode()) == {b.pk}  # the customer's id
    sorted_by_priority = admin.get("/cases/?view=all&sort=priority").content.decode()
    assert sorted_by_priority.index(f'data-case="{b.pk}"') < sorted_by_priority.index(f'data-case="{a.pk}"')


def test_hostile_comment_text_and_titles_are_inert_on_the_inbox(org):
    case = open_case(org, comment=HOSTILE)
    Case.objects.filter(pk=case.pk).update(title=HOSTILE)
    page = client_for(make_user(org, "ola", Role.ADMIN)).get("/cases/?view=all").content.decode()
    assert "<script>document.title" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page


def test_rows_show_the_countdown_and_analysis_only(org):
    calendar_clock(org)
    case = open_case(org)
    no_consent = open_case(org, customer="K-2", consent=False)
    page = client_for(make_user(org, "ola", Role.ADMIN)).get("/cases/?view=all").content.decode()
    row = page[page.index(f'data-case="{case.pk}"'):]
    assert re.search(r"\d+ h( \d+ min)? left", row[:3000])
    analysis = page[page.index(f'data-case="{no_consent.pk}"'):]
    assert 'data-testid="analysis-only"' in analysis[:2000]


def test_countdown_words():
    import datetime as dt

    now = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    assert duration_text(3 * 3600 + 20 * 60) == "3 h 20 min"
    assert duration_text(45 * 60) == "45 min"
    assert duration_text(59) == "1 min"
    assert Countdown(now, 2 * 3600, "resolve", False).text == "2 h left"
    overdue = Countdown(now, -3600, "first_contact", False)
    assert overdue.overdue and overdue.text == "overdue by 1 h"


def test_polling_answers_204_until_a_case_changes(org):
    case = open_case(org)
    admin = client_for(make_user(org, "ola", Role.ADMIN))
    page = admin.get("/cases/?view=all").content.decode()
    poll = re.search(r'hx-get="([^"]+)" hx-trigger="every 10s"', page).group(1).replace("&amp;", "&")
    assert admin.get(poll).status_code == 204
    actions.add_note(case, "Ringer i morgon", actor_id=None)  # any change to a case in view
    again = admin.get(poll)
    assert again.status_code == 200 and f'data-case="{case.pk}"' in again.content.decode()
    new_poll = re.search(r'hx-get="([^"]+)"', again.content.decode()).group(1).replace("&amp;", "&")
    assert admin.get(new_poll).status_code == 204


def test_polling_sees_a_new_case(org):
    open_case(org, customer="A")
    admin = client_for(make_user(org, "ola", Role.ADMIN))
    page = admin.get("/cases/?view=all").content.decode()
    poll = re.search(r'hx-get="([^"]+)" hx-trigger="every 10s"', page).group(1).replace("&amp;", "&")
    new = open_case(org, customer="B")
    fresh = admin.get(poll)
    assert fresh.status_code == 200 and f'data-case="{new.pk}"' in fresh.content.decode()


def test_bulk_assign_reports_the_cases_it_could_not_assign(org):
    north = open_case(org, "acme-north-store", "N")
    south = open_case(org, "acme-south-store", "S")
    sara = handler(org, "sara", "acme-north")  # may work the north only
    admin = client_for(make_user(org, "ola", Role.ADMIN))
    answer = admin.post("/cases/assign/", {"cases": [north.pk, south.pk], "owner": sara.pk}, follow=True)
    text = answer.content.decode()
    north.refresh_from_db()
    south.refresh_from_db()
    assert north.owner_id == sara.pk and south.owner_id is None
    assert f"#{south.pk}" in text and "may not work this case" in text


def test_bulk_assign_cannot_reach_another_units_case(org):
    south = open_case(org, "acme-south-store", "S")
    sara = handler(org, "sara", "acme-north")
    answer = client_for(sara).post("/cases/assign/", {"cases": [south.pk], "owner": sara.pk}, follow=True)
    south.refresh_from_db()
    assert south.owner_id is None and "not found" in answer.content.decode()


def test_viewers_read_the_inbox_but_cannot_assign(org):
    open_case(org)
    viewer = client_for(make_user(org, "vera", Role.VIEWER))
    page = viewer.get("/cases/")
    assert page.status_code == 200 and 'id="bulk-form"' not in page.content.decode()
    assert viewer.post("/cases/assign/", {"cases": [1], "owner": "queue"}).status_code == 403


def test_the_inbox_reads_a_bounded_number_of_queries(org):
    admin = client_for(make_user(org, "ola", Role.ADMIN))
    open_case(org, customer="C0")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert admin.get("/cases/?view=all").status_code == 200
        return len(ctx.captured_queries)

    count()  # the first request of a session reads what later ones find in it
    few = count()
    assert few <= 16
    for i in range(1, 12):
        open_case(org, "acme-south-store" if i % 2 else "acme-north-store", customer=f"C{i}")
    assert count() == few
