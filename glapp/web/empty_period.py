"""A page whose period holds nothing while there is data elsewhere in time (a history imported
from another tool ends before today's default period) says so and offers the period the data
cover, rather than showing n = 0 everywhere."""

import datetime as dt
from dataclasses import dataclass

from django.http import HttpRequest

from glapp.accounts.queries import Access
from glapp.analytics.queries import data_span
from glapp.analytics.rollup_keys import RESPONSES


@dataclass(frozen=True)
class EmptyPeriod:
    first: dt.date
    last: dt.date
    link: str  # this page's query string with the data's period


def empty_period(request: HttpRequest, access: Access, empty: bool, source: str = RESPONSES,
                 **params: str) -> EmptyPeriod | None:
    """The notice for a page whose figures are all empty (`empty`), when the data the person may
    see (of `source`: NPS answers for an NPS page) lie outside its period."""
    if not empty:
        return None
    span = data_span(access, source)
    if span is None:
        return None
    query = request.GET.copy()
    query.pop("cursor", None)
    query["date_from"], query["date_to"] = span[0].isoformat(), span[1].isoformat()
    for key, value in params.items():  # e.g. period=custom, for a page with quick-period buttons
        query[key] = value
    return EmptyPeriod(span[0], span[1], "?" + query.urlencode())
