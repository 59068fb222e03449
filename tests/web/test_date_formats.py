"""One date and time format across the UI in both languages: ISO dates and 24-hour times, never
Django's US "12/07/2026 8:15 a.m." in English."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

WHEN = dt.datetime(2026, 7, 12, 8, 15, tzinfo=dt.UTC)


@pytest.mark.parametrize("language", ["en", "sv"])
@pytest.mark.parametrize(("template", "expected"), [
    ('{{ when|date:"SHORT_DATETIME_FORMAT" }}', "2026-07-12 {hm}"),
    ('{{ when|date:"DATETIME_FORMAT" }}', "2026-07-12 {hm}"),
    ("{{ when }}", "2026-07-12 {hm}"),  # a bare datetime, as on the import page
    ('{{ when|date:"SHORT_DATE_FORMAT" }}', "2026-07-12"),
    ("{{ day }}", "2026-07-12"),
    ('{{ when|time }}', "{hm}"),
])
def test_dates_and_times_read_the_same_in_both_languages(language, template, expected):
    local = timezone.localtime(WHEN)
    with translation.override(language):
        shown = Template(template).render(Context({"when": local, "day": WHEN.date()}))
    assert shown == expected.format(hm=local.strftime("%H:%M"))
