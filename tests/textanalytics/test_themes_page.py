"""The emerging themes page: a complaint no topic covers that starts in the last week shows up,
labelled with its words and its growth; covered comments and other units' comments stay out;
comment text is escaped."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from glapp.accounts.models import Role
from glapp.accounts.queries import Access
from glapp.textanalytics import queries
from tests.factories import make_user
from tests.textanalytics.test_views import analyzed, topic
from tests.web.helpers import days_ago, login

pytestmark = pytest.mark.django_db

STEADY = ["Lång kö i kassan", "Trevlig personal i butiken", "Priserna är för höga", "Bra sortiment av frukt"]


def weeks_back(weeks: int) -> str:
    """Noon on the Thursday of the calendar week `weeks` weeks before this one: the themes window
    is whole ISO weeks (this one and the seven before), so "7 × weeks days ago" would leave the
    window on a Monday."""
    today = timezone.localdate()
    day = today - dt.timedelta(days=today.weekday(), weeks=weeks) + dt.timedelta(days=3)
    return dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_current_timezone()).isoformat()


@pytest.fixture
def synthetic(org):
    """Seven weeks of ordinary comments (the queue ones covered by a topic), then a new complaint
    — a parking barrier — in the last few days only."""
    topic(org, "queue", "Kö", "Queue", query="kö")
    for week in range(1, 8):
        for text in STEADY:
            analyzed(org, text, submitted_at=weeks_back(week),
                     topics={"queue": [[5, 7]]} if "kö" in text else None)
    for i in range(8):
        analyzed(org, f"Parkeringsbommen var trasig igen, fick vänta {i + 5} minuter", submitted_at=days_ago(1 + i % 3))
    analyzed(org, '<script>alert("x")</script> parkeringsbommen var trasig', submitted_at=days_ago(1))


def test_a_new_complaint_appears_the_week_it_starts(org, synthetic):
    result = queries.emerging_themes(Access(org, Role.OWNER))
    assert result.considered == 7 * 4 + 9 and result.uncovered == 7 * 3 + 9  # queue comments are covered
    first = result.themes[0]
    assert any("parkeringsbommen" in w.lower() for w in first.label_words)
    assert first.size == 9 and first.recent == 9 and first.new
    assert sum(n for _, n in first.weekly_counts) == 9 and len(first.examples) == 3
    assert all("kö" not in text for t in result.themes for text in t.examples)


def test_themes_page(client, org, synthetic):
    login(client, make_user(org, "anna"))
    assert 'href="/topics/themes/"' in client.get("/topics/").text
    html = client.get("/topics/themes/").text
    assert html.count('data-testid="theme"') >= 1
    label = html.split('class="theme-label"')[1].split("</h2>")[0].lower()
    assert "parkeringsbommen" in label
    assert "<polyline" in html
    # Nine comments, however new, are below the minimum for calling growth.
    assert 'data-testid="growth"' not in html and 'data-testid="no-growth"' in html
    assert "<script>alert" not in html


def background(org, **response):
    """Ordinary comments a theme has to stand out from (a word in most comments is no theme)."""
    for week in range(1, 4):
        for text in STEADY:
            analyzed(org, text, submitted_at=days_ago(7 * week + 1), **response)


def test_examples_are_escaped(client, org):
    background(org)
    for i in range(6):
        analyzed(org, f'<img src=x onerror=alert({i})> parkeringsbommen trasig', submitted_at=days_ago(1))
    login(client, make_user(org, "anna"))
    html = client.get("/topics/themes/").text
    assert 'data-testid="theme"' in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(" in html


def test_themes_stay_within_the_users_units(client, org):
    background(org, unit="acme-south-store")
    for i in range(6):
        analyzed(org, f"Parkeringsbommen trasig {i}", unit="acme-south-store", submitted_at=days_ago(1))
    login(client, make_user(org, "nils", unit_code="acme-north-store"))
    html = client.get("/topics/themes/").text
    assert 'data-testid="theme"' not in html and "Parkeringsbommen" not in html
    owner = queries.emerging_themes(Access(org, Role.OWNER))
    assert owner.themes and owner.themes[0].size == 6


def test_old_comments_are_left_out(org):
    for i in range(6):
        analyzed(org, f"Parkeringsbommen trasig {i}", submitted_at=days_ago(70))
    assert queries.emerging_themes(Access(org, Role.OWNER)).considered == 0


def test_growth_is_shown_only_beyond_chance_and_examples_are_distinct(client, org):
    for week in range(1, 8):  # a steady background, 6 comments a week
        for text in [*STEADY, "Svårt att hitta rätt ingång", "Tog tid att hitta hyllan"]:
            analyzed(org, text, submitted_at=days_ago(7 * week + 2))
    for i in range(14):  # a real surge: 14 in the last days, the same text sent again and again
        text = "Parkeringsbommen var trasig, Johan i kassan visste inget" if i < 10 else f"Parkeringsbommen trasig {i}"
        analyzed(org, text, submitted_at=days_ago(1 + i % 3))
    for i in range(8):  # small: 8 recent comments about another subject
        analyzed(org, f"Pantmaskinen strular {i}", submitted_at=days_ago(1 + i % 2))
    result = queries.emerging_themes(Access(org, Role.OWNER))
    surge = result.themes[0]
    assert any("parkeringsbommen" in w.lower() for w in surge.label_words)
    assert surge.growing and surge.p_growth < 0.05 and surge.recent == 14
    assert len(surge.examples) == len(set(surge.examples)) == 3
    assert all("johan" not in w.lower() for t in result.themes for w in t.label_words)
    small = next(t for t in result.themes if any("pantmaskinen" in w.lower() for w in t.label_words))
    assert small.recent == 8 and not small.growing  # too few to call, whatever the ratio
    assert all(not t.growing for t in result.themes[1:])
    login(client, make_user(org, "anna"))
    html = client.get("/topics/themes/").text
    assert html.count('data-testid="growth"') == 1 and re.search(r"p (&lt;|=) 0,\d{3}", html)
