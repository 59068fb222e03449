"""The same formats as English (en/formats.py): one way to write a date across the UI."""

from glapp.config.formats.en.formats import (  # noqa: F401 - read by Django's format lookup
    DATE_FORMAT,
    DATETIME_FORMAT,
    FIRST_DAY_OF_WEEK,
    MONTH_DAY_FORMAT,
    SHORT_DATE_FORMAT,
    SHORT_DATETIME_FORMAT,
    TIME_FORMAT,
    YEAR_MONTH_FORMAT,
)
