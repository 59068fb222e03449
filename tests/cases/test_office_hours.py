"""SLA due times counted in office hours: weekends, Swedish public holidays and de facto days
off, other countries, clock changes, 24/7 calendars, and the countdown as the inverse of the due
time. Every date is fixed: nothing here depends on when the tests run."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glapp.cases import office_hours as oh
from glapp.cases.office_hours import ALWAYS_OPEN, EVERY_DAY, MIDNIGHT, OfficeCalendar

STOCKHOLM = ZoneInfo("Europe/Stockholm")
SWEDEN = OfficeCalendar()  # 08:00–17:00 Monday to Friday, Swedish holidays


def local(*args, zone=STOCKHOLM) -> dt.datetime:
    return dt.datetime(*args, tzinfo=zone)


def due_local(calendar, start, hours, zone=STOCKHOLM):
    got = calendar.add_office_hours(start, hours)
    assert got.tzinfo is dt.UTC
    return got.astimezone(zone)


# --- Weekends, nights, Saturdays -----------------------------------------------------------


def test_friday_afternoon_plus_four_hours_is_monday_eleven():
    assert due_local(SWEDEN, local(2025, 3, 7, 16), 4) == local(2025, 3, 10, 11)


def test_a_start_in_the_night_counts_from_the_opening():
    assert due_local(SWEDEN, local(2025, 3, 11, 3, 12), 2) == local(2025, 3, 11, 10)
    assert due_local(SWEDEN, local(2025, 3, 11, 22), 1.5) == local(2025, 3, 12, 9, 30)


def test_a_start_on_a_saturday_counts_from_monday():
    assert due_local(SWEDEN, local(2025, 3, 8, 12), 24) == local(2025, 3, 12, 14)  # 9 + 9 + 6 hours


def test_an_office_open_on_saturdays_counts_them():
    saturdays = OfficeCalendar(opens=dt.time(10), closes=dt.time(16), days=(1, 2, 3, 4, 5, 6))
    assert due_local(saturdays, local(2025, 3, 7, 16), 4) == local(2025, 3, 8, 14)  # Fri closes at 16
    assert due_local(saturdays, local(2025, 3, 8, 15), 4) == local(2025, 3, 10, 13)  # Sunday closed


def test_sundays_are_not_holidays_unless_the_office_says_so():
    """The library's optional "every Sunday is a holiday" is left out: an office open every day
    works on an ordinary Sunday, and is closed on Easter Sunday and Monday."""
    every_day = OfficeCalendar(days=EVERY_DAY)
    assert due_local(every_day, local(2025, 3, 8, 16), 4) == local(2025, 3, 9, 11)
    assert due_local(every_day, local(2025, 4, 19, 16), 4) == local(2025, 4, 22, 11)
    assert not [d for d in oh.holiday_dates("SE", 2025) if d.isoweekday() == 7 and d.month == 3]


def test_the_closing_moment_is_outside_office_hours():
    assert SWEDEN.is_open(local(2025, 3, 7, 16, 59, 59))
    assert not SWEDEN.is_open(local(2025, 3, 7, 17))
    assert SWEDEN.is_open(local(2025, 3, 10, 8))
    assert not SWEDEN.is_open(local(2025, 3, 10, 7, 59))
    assert not SWEDEN.is_open(local(2025, 3, 8, 12))  # Saturday


def test_next_opening():
    assert SWEDEN.next_opening(local(2025, 3, 7, 17)) == local(2025, 3, 10, 8)
    assert SWEDEN.next_opening(local(2025, 3, 10, 9, 15)) == local(2025, 3, 10, 9, 15)  # open: now
    assert SWEDEN.next_opening(local(2025, 12, 23, 18)) == local(2025, 12, 29, 8)
    assert SWEDEN.next_opening(local(2025, 3, 7, 17)).tzinfo is dt.UTC


# --- Swedish holidays and de facto days off -----------------------------------------------


@pytest.mark.parametrize(("start", "due", "why"), [
    (local(2025, 5, 28, 16), local(2025, 5, 30, 11), "Kristi himmelfärdsdag, Thursday 29 May 2025"),
    (local(2025, 6, 5, 16), local(2025, 6, 9, 11), "Nationaldagen, Friday 6 June 2025 (annandag pingst is no "
                                                    "holiday since 2005)"),
    (local(2025, 4, 17, 16), local(2025, 4, 22, 11), "långfredag 18 April and annandag påsk 21 April 2025"),
    (local(2025, 6, 19, 16), local(2025, 6, 23, 11), "Midsommarafton, Friday 20 June 2025 (de facto)"),
    (local(2024, 12, 30, 16), local(2025, 1, 2, 11), "nyårsafton (de facto) and nyårsdagen"),
    (local(2025, 1, 3, 16), local(2025, 1, 7, 11), "trettondedag jul, Monday 6 January 2025"),
    (local(2025, 10, 31, 16), local(2025, 11, 3, 11), "alla helgons dag falls on a Saturday: nothing more"),
])
def test_swedish_holidays_close_the_office(start, due, why):
    assert due_local(SWEDEN, start, 4) == due, why


def test_christmas_week():
    """Monday 22 December 2025 16:00 + 24 office hours: Monday 1 h, Tuesday 9 h, julafton to
    Sunday closed, Monday 29th 9 h, Tuesday 30th 5 h."""
    assert due_local(SWEDEN, local(2025, 12, 22, 16), 24) == local(2025, 12, 30, 13)


def test_de_facto_days_off_can_be_worked():
    """A shop open on julafton, nyårsafton and midsommarafton says so; juldagen stays closed."""
    open_on_eves = OfficeCalendar(de_facto_days_off=False)
    assert due_local(open_on_eves, local(2025, 12, 22, 16), 24) == local(2025, 12, 29, 13)
    assert due_local(open_on_eves, local(2025, 6, 19, 16), 4) == local(2025, 6, 20, 11)
    assert local(2025, 12, 25).date() in oh.holiday_dates("SE", 2025, de_facto=False)
    assert local(2025, 12, 24).date() not in oh.holiday_dates("SE", 2025, de_facto=False)


def test_the_library_names_the_swedish_days_off():
    """What the `holidays` library gives is checked here, so an upgrade that moves a day to
    another category (as 0.88 did with the eves) fails a test instead of moving due times."""
    names = oh.holiday_names("SE", 2025, language="sv")
    assert names[dt.date(2025, 6, 20)] == "Midsommarafton"
    assert names[dt.date(2025, 12, 24)] == "Julafton"
    assert names[dt.date(2025, 12, 31)] == "Nyårsafton"
    assert names[dt.date(2025, 6, 6)] == "Nationaldagen"
    assert dt.date(2025, 4, 17) not in names  # skärtorsdagen is a half day for banks, not a day off
    assert dt.date(2025, 4, 30) not in names  # valborgsmässoafton likewise
    assert len(names) == 16  # 13 public holidays (none of them "every Sunday") and 3 de facto days off


def test_the_organizations_own_closing_days():
    calendar = OfficeCalendar(closed_dates=frozenset({dt.date(2025, 3, 10)}))
    assert due_local(calendar, local(2025, 3, 7, 16), 4) == local(2025, 3, 11, 11)


# --- Other countries and none --------------------------------------------------------------


def test_norway_closes_on_maundy_thursday_which_sweden_works():
    norway = OfficeCalendar(time_zone="Europe/Oslo", country="NO")
    oslo = ZoneInfo("Europe/Oslo")
    start = local(2025, 4, 16, 16, zone=oslo)
    assert due_local(norway, start, 4, oslo) == local(2025, 4, 22, 11, zone=oslo)
    assert due_local(SWEDEN, local(2025, 4, 16, 16), 4) == local(2025, 4, 17, 11)


def test_finland_closes_on_its_independence_day():
    finland = OfficeCalendar(time_zone="Europe/Helsinki", country="FI")
    helsinki = ZoneInfo("Europe/Helsinki")
    start = local(2024, 12, 5, 16, zone=helsinki)  # 6 December 2024 is a Friday
    assert due_local(finland, start, 4, helsinki) == local(2024, 12, 9, 11, zone=helsinki)
    assert due_local(SWEDEN, local(2024, 12, 5, 16), 4) == local(2024, 12, 6, 11)


def test_no_country_means_no_public_holidays():
    assert due_local(OfficeCalendar(country=""), local(2025, 12, 23, 16), 4) == local(2025, 12, 24, 11)


def test_a_region_with_holidays_of_its_own():
    """Epiphany (6 January) is a holiday in Bavaria, not in Berlin."""
    berlin = ZoneInfo("Europe/Berlin")
    bavaria = OfficeCalendar(time_zone="Europe/Berlin", country="DE", subdivision="BY")
    city = OfficeCalendar(time_zone="Europe/Berlin", country="DE", subdivision="BE")
    start = local(2025, 1, 3, 16, zone=berlin)  # a Friday; 6 January 2025 is a Monday
    assert due_local(bavaria, start, 4, berlin) == local(2025, 1, 7, 11, zone=berlin)
    assert due_local(city, start, 4, berlin) == local(2025, 1, 6, 11, zone=berlin)


# --- Clock changes ----------------------------------------------------------------------------


def test_across_the_last_sunday_of_march():
    got = due_local(SWEDEN, local(2025, 3, 28, 16), 4)
    assert got == local(2025, 3, 31, 11)
    assert got.utcoffset() == dt.timedelta(hours=2)
    assert SWEDEN.add_office_hours(local(2025, 3, 28, 16), 4) == dt.datetime(2025, 3, 31, 9, tzinfo=dt.UTC)


def test_across_the_last_sunday_of_october():
    got = due_local(SWEDEN, local(2025, 10, 24, 16), 4)
    assert got == local(2025, 10, 27, 11)
    assert got.utcoffset() == dt.timedelta(hours=1)
    assert SWEDEN.add_office_hours(local(2025, 10, 24, 16), 4) == dt.datetime(2025, 10, 27, 10, tzinfo=dt.UTC)


def test_a_day_after_the_change_is_nine_office_hours():
    assert SWEDEN.office_seconds_between(local(2025, 3, 31), local(2025, 4, 1)) == 9 * 3600
    assert SWEDEN.office_seconds_between(local(2025, 10, 27), local(2025, 10, 28)) == 9 * 3600


def test_a_round_the_clock_calendar_counts_real_hours_across_the_change():
    """00:00–24:00 every day in Stockholm: the night the clocks go forward has 23 hours, the one
    they go back 25; 24 office hours are 24 real hours."""
    all_day = OfficeCalendar(opens=MIDNIGHT, closes=MIDNIGHT, days=EVERY_DAY, country="")
    for start in (local(2025, 3, 29, 12), local(2025, 10, 25, 12), local(2025, 3, 30, 1, 30)):
        assert all_day.add_office_hours(start, 24) == start.astimezone(dt.UTC) + dt.timedelta(hours=24)
    assert due_local(all_day, local(2025, 3, 29, 12), 24) == local(2025, 3, 30, 13)
    assert due_local(all_day, local(2025, 10, 25, 12), 24) == local(2025, 10, 26, 11)
    assert all_day.office_seconds_between(local(2025, 3, 30), local(2025, 3, 31)) == 23 * 3600
    assert all_day.office_seconds_between(local(2025, 10, 26), local(2025, 10, 27)) == 25 * 3600


def test_an_office_spanning_the_changed_hour_counts_real_time():
    night = OfficeCalendar(opens=dt.time(1), closes=dt.time(5), days=EVERY_DAY, country="")
    assert night.office_seconds_between(local(2025, 3, 30), local(2025, 3, 31)) == 3 * 3600
    assert night.office_seconds_between(local(2025, 10, 26), local(2025, 10, 27)) == 5 * 3600
    assert night.office_seconds_between(local(2025, 10, 27), local(2025, 10, 28)) == 4 * 3600


def test_always_open_is_plain_elapsed_time():
    start = local(2025, 12, 24, 16, 30)
    assert ALWAYS_OPEN.add_office_hours(start, 100.25) == start + dt.timedelta(hours=100.25)
    assert ALWAYS_OPEN.office_seconds_between(start, start + dt.timedelta(days=3)) == 3 * 86400
    assert ALWAYS_OPEN.is_open(start)


# --- Zero, negative, the countdown --------------------------------------------------------


def test_zero_hours():
    open_moment = local(2025, 3, 10, 9, 15)
    assert SWEDEN.add_office_hours(open_moment, 0) == open_moment
    assert due_local(SWEDEN, local(2025, 3, 7, 17), 0) == local(2025, 3, 10, 8)  # closing: next opening
    assert due_local(SWEDEN, local(2025, 3, 8, 12), 0) == local(2025, 3, 10, 8)


def test_negative_hours_count_back():
    assert due_local(SWEDEN, local(2025, 3, 10, 11), -4) == local(2025, 3, 7, 16)
    assert due_local(SWEDEN, local(2025, 4, 22, 11), -4) == local(2025, 4, 17, 16)
    assert due_local(SWEDEN, local(2025, 3, 8, 12), -1) == local(2025, 3, 7, 16)


def test_the_countdown_is_signed():
    due = SWEDEN.add_office_hours(local(2025, 3, 7, 16), 4)
    assert SWEDEN.office_seconds_between(local(2025, 3, 10, 8, 40), due) == 2 * 3600 + 20 * 60
    assert SWEDEN.office_seconds_between(local(2025, 3, 10, 12), due) == -3600  # overdue by 1 h
    assert SWEDEN.office_seconds_between(local(2025, 3, 8, 12), local(2025, 3, 9, 12)) == 0  # weekend
    assert SWEDEN.office_seconds_between(due, due) == 0


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="aware"):
        SWEDEN.add_office_hours(dt.datetime(2025, 3, 7, 16), 4)
    for hours in (float("nan"), float("inf"), 1e9, True, "4"):
        with pytest.raises(ValueError, match="hours"):
            SWEDEN.add_office_hours(local(2025, 3, 7, 16), hours)


def test_a_calendar_that_never_opens_says_so():
    closed = OfficeCalendar(days=(1,), country="", closed_dates=frozenset(
        dt.date(2025, 1, 6) + dt.timedelta(weeks=w) for w in range(200)))
    with pytest.raises(ValueError, match="closed"):
        closed.add_office_hours(local(2025, 1, 1), 1)


# --- Property: the countdown is the inverse of the due time --------------------------------

CALENDARS = [SWEDEN, ALWAYS_OPEN, OfficeCalendar(days=EVERY_DAY, opens=dt.time(7, 30), closes=dt.time(22)),
             OfficeCalendar(time_zone="America/New_York", country="US", opens=dt.time(9), closes=MIDNIGHT),
             OfficeCalendar(opens=dt.time(1), closes=dt.time(4), days=(6, 7), country="")]
starts = st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2027, 12, 31),
                      timezones=st.just(dt.UTC))
hours = st.integers(min_value=0, max_value=400 * 60).map(lambda minutes: minutes / 60)


@settings(max_examples=300, deadline=None)
@given(calendar=st.sampled_from(CALENDARS), start=starts, hours=hours)
def test_measuring_after_adding_gives_the_hours_back(calendar, start, hours):
    due = calendar.add_office_hours(start, hours)
    begin = calendar.next_opening(start)
    assert due >= begin
    assert calendar.office_seconds_between(start, due) == pytest.approx(hours * 3600, abs=1e-6)
    assert calendar.office_seconds_between(due, start) == pytest.approx(-hours * 3600, abs=1e-6)
    if hours > 0:
        assert calendar.is_open(due - dt.timedelta(microseconds=1))
    # Counting back from the due time lands where counting began.
    if hours > 0:
        assert calendar.add_office_hours(due, -hours) == begin


@settings(max_examples=200, deadline=None)
@given(calendar=st.sampled_from(CALENDARS), start=starts, first=hours, second=hours)
def test_adding_in_two_steps_is_adding_once(calendar, start, first, second):
    if first == 0:
        first = 0.5
    assert calendar.add_office_hours(calendar.add_office_hours(start, first), second) == \
        calendar.add_office_hours(start, first + second)


# --- Settings forms -------------------------------------------------------------------------


def test_calendar_problems_name_the_field_in_the_ui_language():
    problems = dict(oh.calendar_problems(time_zone="Europe/Stokholm", opens=dt.time(17), closes=dt.time(8),
                                         days=(), country="XX", language="sv"))
    assert set(problems) == {"time_zone", "closes", "days", "country"}
    assert "Europe/Stokholm" in problems["time_zone"] and "tidszon" in problems["time_zone"]
    assert "XX" in problems["country"] and "helgdagar" in problems["country"]
    english = dict(oh.calendar_problems(time_zone="UTC", opens=dt.time(8), closes=dt.time(17), days=(0, 8),
                                        country="se"))
    assert set(english) == {"days", "country"}
    assert "public holidays" in english["country"]


def test_valid_settings_have_no_problems():
    for country in ("SE", "NO", "FI", "DK", "DE", "GB", "US", ""):
        assert oh.calendar_problems(time_zone="Europe/Stockholm", opens=dt.time(8), closes=MIDNIGHT,
                                    days=(1, 2, 3), country=country) == []
    assert {"SE", "NO", "FI", "DK"} <= set(oh.supported_countries())


def test_regions_are_checked_against_their_country():
    problems = dict(oh.calendar_problems(time_zone="Europe/Berlin", opens=dt.time(8), closes=dt.time(17),
                                         days=(1,), country="DE", subdivision="XX"))
    assert "BY" in problems["subdivision"]
    assert dict(oh.calendar_problems(time_zone="UTC", opens=dt.time(8), closes=dt.time(17), days=(1,),
                                     subdivision="BY"))["subdivision"]


def test_an_invalid_calendar_cannot_be_built():
    with pytest.raises(ValueError, match="country"):
        OfficeCalendar(country="ZZ")
    with pytest.raises(ValueError, match="closes"):
        OfficeCalendar(opens=dt.time(9), closes=dt.time(9))


def test_calendars_are_values():
    assert OfficeCalendar() == OfficeCalendar(days=(5, 4, 3, 2, 1))
    assert hash(OfficeCalendar()) == hash(OfficeCalendar())
    SWEDEN.add_office_hours(local(2025, 3, 7, 16), 4)  # a filled day cache changes neither
    assert OfficeCalendar() == SWEDEN
