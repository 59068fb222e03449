"""Dates and times as other tools export them: read in a named format, or the format detected
from a whole column, never guessed where the column cannot tell (every day ≤ 12).

Formats (the mapping's `date_format`):

- `iso`    2024-03-31, 2024-03-31 14:05[:09], with or without an offset (glapp's own export)
- `dmy`    31/03/2024 14:05[:09], 31.03.2024, 31-03-2024, two-digit years too
- `mdy`    3/31/2024 2:05 PM, 03/31/2024 14:05:09
- `excel`  a serial day number as Excel stores it (45382 or 45382.5868), 1900 date system

Every format also reads ISO text, which is how an XLSX date cell arrives (`xlsx.xlsx_cell`).
A time without an offset is local time in the source's time zone, DST right: of the hour that
occurs twice when clocks go back the first is meant; a time the clocks skip is refused. A date
without a time is noon, as everywhere else in glapp. Pure Python: no Django.
"""

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

FORMATS = ("iso", "dmy", "mdy", "excel")
LABELS = {  # how each format is shown in the mapping, the dry run and `glapp import --help`
    "iso": "YYYY-MM-DD HH:MM",
    "dmy": "DD/MM/YYYY HH:MM",
    "mdy": "MM/DD/YYYY HH:MM",
    "excel": "Excel serial number",
}
EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # the 1900 system, counting Excel's phantom 29 Feb 1900
EXCEL_RANGE = (32874, 73051)  # 1990-01-01 .. 2099-12-31: a number outside is not a date here
NOON = dt.time(12)

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?")
_PARTS = re.compile(
    r"(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{2,4})"  # three numbers
    r"(?:[T ,]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:[.,]\d+)?)?\s*([AaPp]\.?[Mm]\.?)?)?"  # an optional time
    r"\s*(Z|[+-]\d{2}:?\d{2})?")
_SERIAL = re.compile(r"\d{4,5}(?:[.,]\d+)?")


class DateUnreadable(ValueError):
    """The cell is not a date in the format; the message says what was expected."""


@dataclass(frozen=True)
class Detection:
    """What a column's cells say about their format: `format` when only one fits every cell,
    else None with `ambiguous` (day and month cannot be told apart) or `mixed` set."""

    format: str | None
    ambiguous: bool = False
    mixed: bool = False
    evidence: str = ""  # one cell that decided it, or an example of the ambiguity


def classify(text: str) -> tuple[str, int, int] | None:
    """A cell's shape: ("iso", 0, 0), ("slash", first, second) with the first two numbers of a
    day-month-year or month-day-year cell, ("ymd-slash", 0, 0) for 2024/03/31, ("serial", 0, 0),
    or None when it is no date at all."""
    text = text.strip()
    if _ISO.fullmatch(text):
        return ("iso", 0, 0)
    m = _PARTS.fullmatch(text)
    if m:
        if len(m.group(1)) == 4:
            return ("ymd-slash", 0, 0)
        return ("slash", int(m.group(1)), int(m.group(2)))
    if _SERIAL.fullmatch(text):
        value = float(text.replace(",", "."))
        if EXCEL_RANGE[0] <= value <= EXCEL_RANGE[1]:
            return ("serial", 0, 0)
    return None


class Detector:
    """Fed every cell of the date column (in one pass), says which format fits them all."""

    def __init__(self):
        self.shapes: Counter = Counter()
        self.first_over_12: str | None = None  # a cell whose first number can only be a day
        self.second_over_12: str | None = None  # a cell whose second number can only be a day
        self.example: str | None = None
        self.unreadable = 0

    def add(self, text: str) -> None:
        if not text or not text.strip():
            return
        shape = classify(text)
        if shape is None:
            self.unreadable += 1
            return
        kind, first, second = shape
        self.shapes[kind] += 1
        if kind == "slash":
            self.example = self.example or text.strip()
            if first > 12 and self.first_over_12 is None:
                self.first_over_12 = text.strip()
            if second > 12 and self.second_over_12 is None:
                self.second_over_12 = text.strip()

    def result(self) -> Detection:
        kinds = set(self.shapes) - {"iso", "ymd-slash"}  # ISO-like cells fit every format
        if not kinds:
            return Detection("iso")
        if kinds == {"serial"}:
            return Detection("excel", evidence=str(self.shapes["serial"]))
        if kinds != {"slash"}:
            return Detection(None, mixed=True)
        if self.first_over_12 and self.second_over_12:
            return Detection(None, mixed=True, evidence=f"{self.first_over_12} / {self.second_over_12}")
        if self.first_over_12:
            return Detection("dmy", evidence=self.first_over_12)
        if self.second_over_12:
            return Detection("mdy", evidence=self.second_over_12)
        return Detection(None, ambiguous=True, evidence=self.example or "")


def detect(cells) -> Detection:
    detector = Detector()
    for cell in cells:
        detector.add(cell)
    return detector.result()


def looks_iso(cells) -> bool:
    """True when every non-empty cell is ISO text: no detection pass is needed."""
    return all(not c or not c.strip() or _ISO.fullmatch(c.strip()) for c in cells)


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        return 2000 + year  # survey exports are of this century
    if len(text) != 4:
        raise DateUnreadable("has a year that is not 2 or 4 digits")
    return year


def _offset(text: str | None) -> dt.tzinfo | None:
    if not text:
        return None
    if text == "Z":
        return dt.UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _localize(naive: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """Local wall time in `tz`, DST right: the first of a repeated hour, a skipped time refused."""
    aware = naive.replace(tzinfo=tz, fold=0)
    if isinstance(tz, ZoneInfo):
        back = aware.astimezone(dt.UTC).astimezone(tz)
        if back.replace(tzinfo=None) != naive:
            raise DateUnreadable(f"{naive:%Y-%m-%d %H:%M} does not exist in {tz.key} (the clocks moved forward "
                                 "over it)")
    return aware


def _iso(text: str, tz: dt.tzinfo) -> dt.datetime:
    value = text.strip().replace(" ", "T", 1).replace(",", ".")
    try:
        if len(value) == 10:
            return _localize(dt.datetime.combine(dt.date.fromisoformat(value), NOON), tz)
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise DateUnreadable("is not a valid date") from exc
    return _localize(parsed, tz) if parsed.tzinfo is None else parsed


def parse(text: str, fmt: str, tz: dt.tzinfo) -> dt.datetime:
    """A cell in the format, as an aware datetime; DateUnreadable says why not."""
    text = text.strip()
    if _ISO.fullmatch(text):
        return _iso(text, tz)
    if fmt == "excel":
        if not _SERIAL.fullmatch(text):
            raise DateUnreadable(f"is not an Excel serial date ({LABELS['excel']})")
        days = float(text.replace(",", "."))
        if not EXCEL_RANGE[0] <= days <= EXCEL_RANGE[1]:
            raise DateUnreadable("is not an Excel serial date between 1990 and 2099")
        value = EXCEL_EPOCH + dt.timedelta(days=days)
        value = (value + dt.timedelta(microseconds=500_000)).replace(microsecond=0)  # Excel keeps whole seconds
        if value.time() == dt.time() and days == int(days):
            value = dt.datetime.combine(value.date(), NOON)
        return _localize(value, tz)
    m = _PARTS.fullmatch(text)
    if fmt not in ("dmy", "mdy", "iso") or m is None:
        raise DateUnreadable(f"is not a date in the format {LABELS.get(fmt, fmt)}")
    a, b, c, hour, minute, second, meridiem, offset = m.groups()
    try:
        if len(a) == 4:  # 2024/03/31: year first reads alike in every format
            day = dt.date(int(a), int(b), int(c))
        elif fmt == "iso":
            raise DateUnreadable(f"is not a date in the format {LABELS['iso']}")
        elif fmt == "dmy":
            day = dt.date(_year(c), int(b), int(a))
        else:
            day = dt.date(_year(c), int(a), int(b))
    except ValueError as exc:
        raise DateUnreadable(f"is not a date in the format {LABELS[fmt]} ({exc})") from exc
    if hour is None:
        return _localize(dt.datetime.combine(day, NOON), tz)
    hour, minute, second = int(hour), int(minute), int(second or 0)
    if meridiem:
        if not 1 <= hour <= 12:
            raise DateUnreadable("has an hour that is not 1–12 before AM/PM")
        hour = hour % 12 + (12 if meridiem[0] in "Pp" else 0)
    try:
        moment = dt.datetime.combine(day, dt.time(hour, minute, second))
    except ValueError as exc:
        raise DateUnreadable(f"has a time that does not exist ({exc})") from exc
    zone = _offset(offset)
    return moment.replace(tzinfo=zone) if zone else _localize(moment, tz)
