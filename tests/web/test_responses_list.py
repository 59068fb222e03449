import re

import pytest

from tests.factories import make_user
from tests.web.helpers import add_responses, days_ago, login

pytestmark = pytest.mark.django_db


def ids_in(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-response-id="(\d+)"', html)]


@pytest.fixture
def anna(client, org):
    return login(client, make_user(org, "anna"))


def test_list_shows_rows_newest_first_with_details(anna, org):
    old, new = add_responses(
        org, {"nps": 3, "comment": "För lång kö i telefon", "submitted_at": days_ago(10)},
        {"nps": 10, "comment": "Mycket trevlig personal", "unit": "acme-north-store", "submitted_at": days_ago(1),
         "metadata": {"agent": "Björn"}, "customer": {"external_id": "K-77"}},
    )
    html = anna.get("/responses/").text
    assert ids_in(html) == [new, old]
    assert "Mycket trevlig personal" in html and "För lång kö i telefon" in html
    assert "North store" in html and "Phone support" in html
    assert "Björn" in html and "K-77" in html
    assert 'class="resp-score promoter"' in html and 'class="resp-score detractor"' in html
    assert "2 svar" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("touchpoint=web-checkout", ["web"]),
        ("unit=acme-north", ["north"]),
        ("score_min=9", ["north"]),
        ("score_max=6", ["web", "none"]),
        ("score_min=7&score_max=8", ["south"]),
        ("comment=yes", ["web", "north", "south"]),
        ("comment=no", ["none"]),
        ("q=kassan", ["web"]),
        ("q=KASSAN", ["web"]),
        ("survey=nps", ["web", "north", "south", "none"]),
        ("period=30d", ["web", "north", "south"]),
        ("date_from=2025-01-01&date_to=2025-01-31", ["none"]),
    ],
)
def test_filters(anna, org, query, expected):
    ids = dict(zip(["web", "north", "south", "none"], add_responses(
        org,
        {"nps": 2, "touchpoint": "web-checkout", "comment": "Kassan krånglade", "submitted_at": days_ago(4)},
        {"nps": 10, "unit": "acme-north-store", "comment": "Toppen", "submitted_at": days_ago(3)},
        {"nps": 7, "unit": "acme-south-store", "comment": "Okej", "submitted_at": days_ago(2)},
        {"nps": 5, "answers": {"nps": 5}, "submitted_at": "2025-01-15T10:00:00+01:00"},
    ), strict=True))
    html = anna.get(f"/responses/?{query}").text
    assert sorted(ids_in(html)) == sorted(ids[k] for k in expected)


@pytest.mark.parametrize("query", ["", "touchpoint=web-checkout", "unit=acme-north", "score_max=6",
                                   "score_min=7&score_max=8", "comment=yes", "comment=no", "q=kassan",
                                   "date_from=2025-01-01&date_to=2025-01-31"])
def test_the_export_link_downloads_what_the_list_shows(anna, org, query):
    import csv
    import io

    add_responses(
        org,
        {"nps": 2, "touchpoint": "web-checkout", "comment": "Kassan krånglade", "submitted_at": days_ago(4)},
        {"nps": 10, "unit": "acme-north-store", "comment": "Toppen", "submitted_at": days_ago(3)},
        {"nps": 7, "unit": "acme-south-store", "comment": "Okej", "submitted_at": days_ago(2)},
        {"nps": 5, "answers": {"nps": 5}, "submitted_at": "2025-01-15T10:00:00+01:00"},
    )
    html = anna.get(f"/responses/?{query}").text
    link = re.search(r'href="([^"]+)" data-testid="export"', html).group(1).replace("&amp;", "&")
    exported = list(csv.DictReader(io.StringIO(b"".join(anna.get(link).streaming_content).decode())))
    assert len(exported) == len(ids_in(html)) > 0


def test_no_export_link_without_the_right_to_export(client, org):
    from glapp.accounts.models import Role

    add_responses(org, {"nps": 9})
    login(client, make_user(org, "vera", role=Role.VIEWER))
    assert 'data-testid="export"' not in client.get("/responses/").text


def test_comment_search_means_every_word_or_a_quoted_phrase_as_in_the_verbatim_explorer(anna, org):
    both, apart, one = add_responses(org, {"nps": 3, "comment": "Ring mig gärna"},
                                     {"nps": 4, "comment": "Ni sa att ni skulle kontakta mig men ingen ring"},
                                     {"nps": 5, "comment": "Ring inte"})
    assert sorted(ids_in(anna.get("/responses/?q=ring+mig").text)) == sorted([both, apart])
    assert ids_in(anna.get('/responses/?q="ring+mig"').text) == [both]
    assert sorted(ids_in(anna.get("/responses/?q=RING").text)) == sorted([both, apart, one])


def test_a_search_counts_only_the_window_it_searched(anna, org, settings):
    """The count above the list reads no more comments than the page does (GLAPP_SEARCH_WINDOW):
    beyond the window it says how many it searched, and the next page goes on below."""
    ids = add_responses(org, *({"nps": 5, "comment": f"ring mig {n}", "submitted_at": days_ago(10 - n)}
                               for n in range(7)))
    settings.GLAPP_SEARCH_WINDOW = 3
    html = anna.get("/responses/?q=ring").text
    assert ids_in(html) == ids[:-4:-1]
    assert "3 svar bland de 3 senaste som sökts igenom" in html
    assert "cursor=" in html  # older matches follow
    settings.GLAPP_SEARCH_WINDOW = 100  # the whole organization fits: the count is exact
    assert "7 svar</p>" in anna.get("/responses/?q=ring").text


def test_invalid_filter_values_are_reported_not_crashing(anna, org):
    html = anna.get("/responses/?touchpoint=nope&score_min=11&cursor=").text
    assert 'role="alert"' in html
    assert ids_in(html) == []


def test_bad_cursor_is_reported(anna, org):
    add_responses(org, {"nps": 5})
    response = anna.get("/responses/?cursor=not-a-cursor")
    assert response.status_code == 200
    assert 'role="alert"' in response.text


def test_cursor_pagination_walks_every_row_once(anna, org):
    created = add_responses(org, *[{"nps": i % 11, "submitted_at": days_ago(i + 1)} for i in range(63)])
    html = anna.get("/responses/").text
    first = ids_in(html)
    assert len(first) == 50
    assert "63 svar" in html
    next_url = re.search(r'<li class="more">\s*<a href="([^"]+)"', html).group(1).replace("&amp;", "&")
    second = anna.get("/responses/" + next_url).text
    assert len(ids_in(second)) == 13
    assert 'class="more"' not in second
    assert sorted(first + ids_in(second)) == sorted(created)


def test_htmx_gets_partials(anna, org):
    add_responses(org, *[{"nps": 9} for _ in range(55)])
    results = anna.get("/responses/?survey=nps", headers={"HX-Request": "true"})
    assert "<html" not in results.text
    assert 'class="responses"' in results.text
    assert "HX-Request" in results["Vary"]
    cursor_url = re.search(r'hx-get="([^"]+)"', results.text).group(1).replace("&amp;", "&")
    rows = anna.get("/responses/" + cursor_url, headers={"HX-Request": "true"})
    assert "<html" not in rows.text and 'class="responses"' not in rows.text
    assert len(ids_in(rows.text)) == 5
    # A history restore needs the whole page.
    full = anna.get("/responses/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in full.text


def test_page_works_without_javascript(anna, org):
    html = anna.get("/responses/").text
    assert re.search(r'<form method="get" action="/responses/"', html)
    assert 'hx-get="/responses/"' in html and 'hx-push-url="true"' in html


def test_query_count_does_not_grow_with_rows(anna, org, django_assert_max_num_queries):
    def rich(i):
        return {"nps": i % 11, "comment": f"c{i}", "metadata": {"k": str(i)}, "customer": {"external_id": f"K-{i}"},
                "unit": "acme-north-store", "touchpoint": ["web-checkout", "phone-support"][i % 2]}

    add_responses(org, *[rich(i) for i in range(3)])
    anna.get("/responses/")  # the first visit stores the chosen organization in the session
    # 10 for the list, and the frame's two counts: unread notifications (the bell) and the
    # reader's open cases beside "Cases".
    with django_assert_max_num_queries(12) as few:
        anna.get("/responses/")
    add_responses(org, *[rich(i) for i in range(3, 80)])
    with django_assert_max_num_queries(12) as many:
        html = anna.get("/responses/").text
    assert len(ids_in(html)) == 50
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_filter_reads_back_from_its_own_parameters():
    import datetime as dt

    from glapp.responses.queries import ResponseFilter

    full = ResponseFilter(survey="nps", touchpoint="phone-support", unit="acme-north", date_from=dt.date(2026, 3, 1),
                          date_to=dt.date(2026, 3, 31), score_type="ces", score_min=1, score_max=3,
                          has_comment=False, q='"ring mig"')
    for f in (full, ResponseFilter(), ResponseFilter(has_comment=True, score_max=6)):
        assert ResponseFilter.from_params(f.to_params()) == f
