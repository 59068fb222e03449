"""How a file's cells are read, saved with its mapping (`ImportSource.options`): the date format
(or "" to detect it, with a confirmation), the source's time zone (or "" for the organization's
customers' time zone) and value mappings per column. A run may also carry what the user
confirmed to create (`create`), which is never saved: it is a decision about one file."""

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from glapp.responses.importing.dates import FORMATS

MAX_VALUES_PER_COLUMN = 500  # distinct source values one column may map
MAX_VALUE_LENGTH = 500


@dataclass
class ImportOptions:
    date_format: str = ""  # one of dates.FORMATS, or "" to detect
    time_zone: str = ""  # IANA name, or "" for the customers' time zone
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # column → source value → target
    create: dict = field(default_factory=dict)  # {"touchpoints": [{code, name}], "units": …, "surveys": …, "stage": id}

    @classmethod
    def from_dict(cls, data: dict | None) -> "ImportOptions":
        data = data or {}
        values = data.get("values") or {}
        return cls(date_format=str(data.get("date_format") or ""), time_zone=str(data.get("time_zone") or ""),
                   values={str(c): {str(k): str(v) for k, v in m.items()} for c, m in values.items()
                           if isinstance(m, dict)},
                   create=dict(data.get("create") or {}))

    def saved(self) -> dict:
        """What is kept with the mapping for the next file of the kind (not `create`)."""
        out: dict = {}
        if self.date_format:
            out["date_format"] = self.date_format
        if self.time_zone:
            out["time_zone"] = self.time_zone
        if self.values:
            out["values"] = {c: dict(m) for c, m in self.values.items() if m}
        return out

    def to_dict(self) -> dict:
        out = self.saved()
        if self.create:
            out["create"] = self.create
        return out

    def problems(self, header: list[str]) -> list[str]:
        out = []
        if self.date_format and self.date_format not in FORMATS:
            out.append(f"date format '{self.date_format[:40]}' is not one of: {', '.join(FORMATS)}")
        if self.time_zone and zone(self.time_zone) is None:
            out.append(f"'{self.time_zone[:60]}' is not a time zone (for example Europe/Stockholm)")
        for column, mapping in self.values.items():
            if column not in header:
                out.append(f"values of '{column[:80]}': not a column of this file")
            if len(mapping) > MAX_VALUES_PER_COLUMN:
                out.append(f"values of '{column[:80]}': more than {MAX_VALUES_PER_COLUMN} values mapped")
            for source, target in mapping.items():
                if len(source) > MAX_VALUE_LENGTH or len(target) > MAX_VALUE_LENGTH:
                    out.append(f"values of '{column[:80]}': a value is longer than {MAX_VALUE_LENGTH} characters")
                    break
        return out


def zone(name: str) -> ZoneInfo | None:
    """The named IANA time zone, or None; names from the system's tz database only (no paths)."""
    if not name or name not in _zone_names():
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


_ZONES: set[str] = set()


def _zone_names() -> set[str]:
    if not _ZONES:
        _ZONES.update(available_timezones())
    return _ZONES


def zone_choices() -> list[str]:
    return sorted(n for n in _zone_names() if "/" in n and not n.startswith(("Etc/", "SystemV/", "posix/", "right/")))
