"""Due times counted in office hours: a case's SLA clock.

Pure Python (no Django). An `OfficeCalendar` says when a unit's office is open: local opening
and closing times in an IANA time zone, the weekdays it works (ISO numbers, Monday = 1) and the
country whose public holidays close it (the `holidays` library; Sweden by default, "" for none).
`add_office_hours(start, hours)` is the due time of an SLA ("first contact within 24 business
hours"), `office_seconds_between(now, due)` its countdown ("3 h 20 min of office time left",
negative when overdue).

Decisions worth knowing:
- Office days decide the weekend: the library's optional "every Sunday is a holiday" (Sweden,
  Norway) is always left out, so an office open on Sundays counts them.
- Sweden's de facto days off (Midsommarafton, julafton, nyårsafton; the library's DE_FACTO
  category, which the Annual Leave Act treats like Sundays) close the office unless the calendar
  sets `de_facto_days_off=False` (a shop open on julafton). Other countries with such a category
  (Switzerland) are treated the same way; the bank holidays and half days ("from 14:00") are not
  days off.
- Times are wall-clock times: 08:00–17:00 is 08:00–17:00 local on the day after a clock change,
  and each office period is measured in real elapsed time, so a period spanning the skipped or
  the repeated hour is one hour shorter or longer (a 24/7 calendar counts real hours). A local
  time that does not exist (in the skipped hour) is read with the offset before the change,
  one that exists twice as its first occurrence (PEP 495's fold=0).
- `closes=time(0)` means midnight at the end of the day, so 00:00–00:00 is the whole day. An
  office period never crosses midnight (night shifts are two periods: not supported).
- A moment at closing time is outside office hours (periods are [opens, closes)); an SLA of 0
  hours started outside office hours is due at the next opening.
- Negative hours count backwards (the moment that many office hours before `start`).

Speed: the walk goes day by day, never hour by hour; each day's period (two zone conversions and
a holiday lookup) is cached on the calendar, and holiday sets are cached per country and year.
"""

import datetime as dt
import inspect
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import holidays

from glapp.core.i18n import catalogue, gettext_noop

UTC = dt.UTC
MIDNIGHT = dt.time(0)
WEEKDAYS = (1, 2, 3, 4, 5)
EVERY_DAY = (1, 2, 3, 4, 5, 6, 7)
# A calendar with no open day within this many days of a moment is refused (all days closed).
MAX_CLOSED_DAYS = 366 * 2
_DAY_CACHE_MAX = 50_000
_ZERO = dt.timedelta(0)
_ONE_DAY = dt.timedelta(days=1)

Period = tuple[dt.datetime, dt.datetime]  # an office period in UTC: [opens, closes)


# --- Holidays --------------------------------------------------------------------------------


@lru_cache(maxsize=512)
def _country_class_options(country: str) -> tuple[tuple[str, ...], bool]:
    """(supported categories, whether the class takes `include_sundays`) of a country's class."""
    probe = holidays.country_holidays(country, years=())
    takes_sundays = "include_sundays" in inspect.signature(type(probe).__init__).parameters
    return tuple(probe.supported_categories), takes_sundays


@lru_cache(maxsize=1024)
def holiday_dates(country: str, year: int, subdivision: str = "", de_facto: bool = True) -> frozenset[dt.date]:
    """The days off of a country (and subdivision) in a year: public holidays, plus the de facto
    days off where the library has them and `de_facto` is set; never "every Sunday"."""
    if not country:
        return frozenset()
    supported, takes_sundays = _country_class_options(country)
    categories = [holidays.PUBLIC]
    if de_facto and holidays.DE_FACTO in supported:
        categories.append(holidays.DE_FACTO)
    options = {"include_sundays": False} if takes_sundays else {}
    found = holidays.country_holidays(country, subdiv=subdivision or None, years=year,
                                      categories=tuple(categories), **options)
    return frozenset(found)


def holiday_names(country: str, year: int, subdivision: str = "", de_facto: bool = True,
                  language: str | None = None) -> dict[dt.date, str]:
    """The same days with their names (for a settings page's preview), in `language` if the
    library has it (e.g. "sv", "en_US"), else the country's own language."""
    if not country:
        return {}
    supported, takes_sundays = _country_class_options(country)
    categories = [holidays.PUBLIC]
    if de_facto and holidays.DE_FACTO in supported:
        categories.append(holidays.DE_FACTO)
    options = {"include_sundays": False} if takes_sundays else {}
    found = holidays.country_holidays(country, subdiv=subdivision or None, years=year,
                                      categories=tuple(categories), language=language, **options)
    return dict(sorted(found.items()))


@lru_cache(maxsize=1)
def supported_countries() -> dict[str, tuple[str, ...]]:
    """ISO 3166 alpha-2 codes the holidays library knows → their subdivision codes."""
    return {code: tuple(subdivisions) for code, subdivisions in holidays.list_supported_countries().items()
            if len(code) == 2 and code.isalpha() and code.isupper()}


# --- Validation for settings forms ------------------------------------------------------------

MESSAGES = {
    "country": gettext_noop("“%(value)s” is not a country code whose public holidays glapp knows. Use a two-letter "
                            "ISO 3166 code such as SE, NO, FI or DK, or leave it empty for no public holidays."),
    "subdivision": gettext_noop("“%(value)s” is not a region of %(country)s whose holidays glapp knows. "
                                "Choose one of: %(choices)s."),
    "subdivision_without_country": gettext_noop("A region needs a country."),
    "time_zone": gettext_noop("“%(value)s” is not a time zone. Use a name such as Europe/Stockholm."),
    "hours": gettext_noop("The office must close after it opens (00:00 as closing time means midnight)."),
    "days": gettext_noop("Choose at least one office day."),
    "day_number": gettext_noop("Office days are numbered 1 (Monday) to 7 (Sunday)."),
}


def calendar_problems(*, time_zone: str, opens: dt.time, closes: dt.time, days, country: str = "",
                      subdivision: str = "", language: str = "en") -> list[tuple[str, str]]:
    """(field, message) for each bad setting of an office calendar, in the UI `language`;
    [] when the settings make a valid `OfficeCalendar`."""
    tr = catalogue(language).gettext
    out = []
    if not _zone_exists(time_zone):
        out.append(("time_zone", tr(MESSAGES["time_zone"]) % {"value": time_zone}))
    if not (closes == MIDNIGHT or opens < closes) or opens.tzinfo is not None or closes.tzinfo is not None:
        out.append(("closes", tr(MESSAGES["hours"])))
    days = tuple(days)
    if not days:
        out.append(("days", tr(MESSAGES["days"])))
    elif any(isinstance(d, bool) or not isinstance(d, int) or not 1 <= d <= 7 for d in days):
        out.append(("days", tr(MESSAGES["day_number"])))
    countries = supported_countries()
    if country and country not in countries:
        out.append(("country", tr(MESSAGES["country"]) % {"value": country}))
    elif subdivision and not country:
        out.append(("subdivision", tr(MESSAGES["subdivision_without_country"])))
    elif subdivision and subdivision not in countries[country]:
        choices = ", ".join(countries[country]) or "—"
        out.append(("subdivision", tr(MESSAGES["subdivision"]) % {"value": subdivision, "country": country,
                                                                  "choices": choices}))
    return out


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _zone_exists(name: str) -> bool:
    if not isinstance(name, str) or (name not in _zones() and name != "UTC"):
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


# --- The calendar -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficeCalendar:
    time_zone: str = "Europe/Stockholm"
    opens: dt.time = dt.time(8)
    closes: dt.time = dt.time(17)  # time(0): midnight at the end of the day
    days: tuple[int, ...] = WEEKDAYS  # ISO weekdays, Monday = 1
    country: str = "SE"  # ISO 3166 alpha-2; "" = no public holidays
    subdivision: str = ""  # a region with holidays of its own (e.g. a German state); "" = national only
    de_facto_days_off: bool = True  # Midsommarafton, julafton, nyårsafton closed (see the module docstring)
    closed_dates: frozenset[dt.date] = frozenset()  # the organization's own closing days
    _days: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self):
        object.__setattr__(self, "days", tuple(sorted(set(self.days))))
        object.__setattr__(self, "closed_dates", frozenset(self.closed_dates))
        problems = calendar_problems(time_zone=self.time_zone, opens=self.opens, closes=self.closes,
                                     days=self.days, country=self.country, subdivision=self.subdivision)
        if problems:
            raise ValueError("; ".join(f"{name}: {message}" for name, message in problems))
        object.__setattr__(self, "_zone", ZoneInfo(self.time_zone))
        object.__setattr__(self, "_weekdays", frozenset(self.days))

    # -- one day's period

    def period(self, day: dt.date) -> Period | None:
        """The office period of a local day in UTC, or None when the office is closed that day."""
        got = self._days.get(day, False)
        if got is not False:
            return got
        got = None
        if day.isoweekday() in self._weekdays and day not in self.closed_dates and day not in holiday_dates(
                self.country, day.year, self.subdivision, self.de_facto_days_off):
            zone = self._zone
            opens = dt.datetime.combine(day, self.opens, tzinfo=zone).astimezone(UTC)
            closes_on = day + dt.timedelta(days=1) if self.closes == MIDNIGHT else day
            closes = dt.datetime.combine(closes_on, self.closes, tzinfo=zone).astimezone(UTC)
            got = (opens, closes)
        if len(self._days) >= _DAY_CACHE_MAX:
            self._days.clear()
        self._days[day] = got
        return got

    def _local_day(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self._zone).date()

    def periods_from(self, moment: dt.datetime) -> Iterator[Period]:
        """Office periods that end after `moment`, in order (the first may have begun before it)."""
        day = self._local_day(moment) - dt.timedelta(days=1)  # a period of the day before may still run
        closed = 0
        one = dt.timedelta(days=1)
        while True:
            got = self.period(day)
            day += one
            if got is None:
                closed += 1
                if closed > MAX_CLOSED_DAYS:
                    raise ValueError(f"the office is closed for more than {MAX_CLOSED_DAYS} days from {moment}")
                continue
            closed = 0
            if got[1] > moment:
                yield got

    def periods_before(self, moment: dt.datetime) -> Iterator[Period]:
        """Office periods that begin before `moment`, latest first (the first may end after it)."""
        day = self._local_day(moment) + dt.timedelta(days=1)
        closed = 0
        one = dt.timedelta(days=1)
        while True:
            got = self.period(day)
            day -= one
            if got is None:
                closed += 1
                if closed > MAX_CLOSED_DAYS:
                    raise ValueError(f"the office is closed for more than {MAX_CLOSED_DAYS} days before {moment}")
                continue
            closed = 0
            if got[0] < moment:
                yield got

    # -- the SLA clock

    def is_open(self, moment: dt.datetime) -> bool:
        moment = _aware(moment)
        day = self._local_day(moment)
        for d in (day - dt.timedelta(days=1), day):
            got = self.period(d)
            if got is not None and got[0] <= moment < got[1]:
                return True
        return False

    def next_opening(self, moment: dt.datetime) -> dt.datetime:
        """`moment` itself (in UTC) while the office is open, else when it next opens."""
        moment = _aware(moment).astimezone(UTC)
        opens, _ = next(self.periods_from(moment))
        return max(opens, moment)

    def add_office_hours(self, start: dt.datetime, hours: float) -> dt.datetime:
        """The moment (UTC) when `hours` office hours have passed since `start`. A start outside
        office hours counts from the next opening; 0 hours outside office hours is that opening.
        Negative hours count back from `start` (0 office hours back from a closed moment is the
        last closing)."""
        start = _aware(start).astimezone(UTC)
        left = dt.timedelta(hours=_finite(hours))
        if left >= _ZERO:
            # periods_from(), inlined: this runs for every case, and most of its time was the
            # generator's and the day lookup's calls.
            day = self._local_day(start) - _ONE_DAY
            days, closed = self._days, 0
            while True:
                got = days.get(day, False)
                if got is False:
                    got = self.period(day)
                day += _ONE_DAY
                if got is None:
                    closed += 1
                    if closed > MAX_CLOSED_DAYS:
                        raise ValueError(f"the office is closed for more than {MAX_CLOSED_DAYS} days from {start}")
                    continue
                closed = 0
                opens, closes = got
                if closes <= start:
                    continue
                begin = opens if opens > start else start
                if left <= closes - begin:
                    return begin + left
                left -= closes - begin
        left = -left
        for opens, closes in self.periods_before(start):
            end = min(closes, start)
            if left <= end - opens:
                return end - left
            left -= end - opens
        raise AssertionError("unreachable: the period iterators never end")

    def office_seconds_between(self, a: dt.datetime, b: dt.datetime) -> float:
        """Office time from `a` to `b` in seconds; negative when `b` is before `a` (an overdue
        countdown: `office_seconds_between(due, now)` > 0 is how long it is overdue)."""
        a = _aware(a).astimezone(UTC)
        b = _aware(b).astimezone(UTC)
        if b < a:
            return -self.office_seconds_between(b, a)
        total = _ZERO
        day = self._local_day(a) - _ONE_DAY  # as in add_office_hours: periods_from(a), inlined
        days, last = self._days, self._local_day(b)
        while day <= last:
            got = days.get(day, False)
            if got is False:
                got = self.period(day)
            day += _ONE_DAY
            if got is None:
                continue
            opens, closes = got
            if closes <= a:
                continue
            if opens >= b:
                break
            total += (closes if closes < b else b) - (opens if opens > a else a)
        return total.total_seconds()


# Calendar hours: organizations whose SLAs count every hour of every day.
ALWAYS_OPEN = OfficeCalendar(time_zone="UTC", opens=MIDNIGHT, closes=MIDNIGHT, days=EVERY_DAY, country="")


def add_office_hours(calendar: OfficeCalendar, start: dt.datetime, hours: float) -> dt.datetime:
    return calendar.add_office_hours(start, hours)


def office_seconds_between(calendar: OfficeCalendar, a: dt.datetime, b: dt.datetime) -> float:
    return calendar.office_seconds_between(a, b)


def _aware(moment: dt.datetime) -> dt.datetime:
    if not isinstance(moment, dt.datetime) or moment.utcoffset() is None:
        raise ValueError(f"an aware datetime is needed, got {moment!r}")
    return moment


def _finite(hours: float) -> float:
    if isinstance(hours, bool) or not isinstance(hours, int | float) or hours != hours or abs(hours) > 100_000:
        raise ValueError(f"hours must be a finite number of at most 100,000, got {hours!r}")
    return hours
