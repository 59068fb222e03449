"""Due times of a case: its SLA's hours for its priority, counted on its unit's calendar."""

from __future__ import annotations

import datetime as dt

from glapp.cases import office_hours
from glapp.cases.models import SlaPolicy, UnitCaseSettings


def sla_policy(organization_id: int) -> SlaPolicy:
    """The organization's SLA; the defaults (unsaved) when none was stored yet."""
    return SlaPolicy.objects.for_org(organization_id).first() or SlaPolicy(organization_id=organization_id)


class Calendars:
    """Calendars of one organization's units, built once per batch of cases."""

    def __init__(self, organization_id: int, policy: SlaPolicy):
        from glapp.contacts.queries import contact_policy

        contact = contact_policy(organization_id)
        self.policy = policy
        self._base = dict(time_zone=contact.time_zone, start=contact.office_hours_start,
                          end=contact.office_hours_end, days=tuple(contact.office_days or ()))
        self._countries = dict(UnitCaseSettings.objects.for_org(organization_id).exclude(country="")
                               .values_list("unit_id", "country"))
        self._cache: dict[str, office_hours.OfficeCalendar] = {}

    def of(self, unit_path: str | None) -> office_hours.OfficeCalendar:
        """A unit's calendar: the contact policy's office hours, the country of the nearest unit
        on its path that names one (else the organization's)."""
        from glapp.accounts.models import Unit

        country = self.policy.country
        for unit_id in Unit.ids_on_path(unit_path):
            country = self._countries.get(unit_id, country)
        if country not in self._cache:
            if self.policy.clock == SlaPolicy.Clock.CALENDAR:
                self._cache[country] = office_hours.OfficeCalendar(
                    time_zone=self._base["time_zone"], opens=dt.time(0), closes=dt.time(0),
                    days=(1, 2, 3, 4, 5, 6, 7), country="")
            else:
                self._cache[country] = office_hours.OfficeCalendar(
                    time_zone=self._base["time_zone"], opens=self._base["start"], closes=self._base["end"],
                    days=tuple(self._base["days"]) or (1, 2, 3, 4, 5), country=country)
        return self._cache[country]

    def due_times(self, unit_path: str | None, priority: int, since: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        calendar = self.of(unit_path)
        return (calendar.add_office_hours(since, self.policy.hours_to_first_contact(priority)),
                calendar.add_office_hours(since, self.policy.hours_to_resolve(priority)))
