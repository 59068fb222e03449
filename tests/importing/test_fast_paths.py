"""The shortcuts taken for import speed agree with the general code they replace."""

import datetime as dt
import zoneinfo

import pytest
from django.db import connection

from glapp.core.bulk import datetime_adapter

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", [
    dt.datetime(2026, 5, 3, 10, 15, tzinfo=zoneinfo.ZoneInfo("Europe/Stockholm")),
    dt.datetime(2026, 1, 3, 23, 59, 59, 123456, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    dt.datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=zoneinfo.ZoneInfo("Europe/Stockholm")),
    dt.datetime(2026, 5, 3, 10, 15, tzinfo=dt.UTC),
    dt.datetime(2026, 5, 3, 10, 15),
    None,
])
def test_datetime_adapter_matches_django(value):
    assert datetime_adapter()(value) == connection.ops.adapt_datetimefield_value(value)
