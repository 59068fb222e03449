"""Fast, backend-neutral batch inserts for the ingestion hot path.

The ORM's bulk_create builds a model instance per row, which costs more than the insert
itself at millions of rows. Here rows are tuples adapted once per value and written with
`executemany`; column names come from the model so nothing is spelled twice. Callers must
hold a transaction (the SQLite id allocation relies on the IMMEDIATE write lock).
"""

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

from django.conf import settings
from django.db import connection, models


def datetime_adapter() -> Callable:
    """Django's adapter for datetime values, or on SQLite with UTC storage (the default) an
    equivalent that skips its per-call settings and time-zone lookups (a few µs a row)."""
    if connection.vendor == "sqlite" and settings.USE_TZ and connection.timezone_name == "UTC":
        utc = dt.UTC

        def adapt(value):
            if value is None or value.utcoffset() is None:
                return connection.ops.adapt_datetimefield_value(value)
            return value.astimezone(utc).isoformat(" ")[:-6]  # str() of the naive UTC time

        return adapt
    return connection.ops.adapt_datetimefield_value


def json_adapter() -> Callable:
    ops = connection.ops
    return lambda value: ops.adapt_json_value(value, None)


def table_and_columns(model: type[models.Model], field_names: Sequence[str]) -> tuple[str, list[str]]:
    opts = model._meta
    return opts.db_table, [opts.get_field(name).column for name in field_names]


def insert_rows(model: type[models.Model], field_names: Sequence[str], rows: Iterable[Sequence]) -> None:
    table, columns = table_and_columns(model, field_names)
    qn = connection.ops.quote_name
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) VALUES ({placeholders})"
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """Reserve `count` primary keys so child rows can reference parents without a round trip."""
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor == "sqlite":
            if not connection.in_atomic_block:
                raise RuntimeError("allocate_ids needs a transaction on SQLite")
            qn = connection.ops.quote_name
            # AUTOINCREMENT tables never reuse ids; sqlite_sequence remembers the highest ever used.
            cursor.execute(
                f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
                f"COALESCE((SELECT MAX(id) FROM {qn(table)}), 0))",
                [table],
            )
            start = cursor.fetchone()[0] + 1
            return list(range(start, start + count))
    raise NotImplementedError(f"allocate_ids does not support {connection.vendor}")
