"""Dates and times in the UI, one way in both languages (ISO 8601 dates, 24-hour times), as
every page and export writes them: English would otherwise show "12/07/2026 8:15 a.m."
(Django's US formats), which reads as 12 July in Europe. Shared with sv/formats.py."""

DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
FIRST_DAY_OF_WEEK = 1  # Monday, as ISO weeks (the trends' weeks) count
