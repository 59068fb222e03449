"""Fast, backend-neutral batch inserts for the ingestion hot path.

The ORM's bulk_create builds a model instance per row, which costs more than the insert
itself at millions of rows. Here rows are tuples adapted once per value and written with
`executemany`; column names come from the model so nothing is spelled twice. Callers must
hold a transaction (the SQLite id allocation relies on the IMMEDIATE write lock).
"""

from collections.abc import Iterable, Sequence

from django.db import connection, models


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
