"""Plain SQL for the hot paths, behind named steps: one function per kind of statement.

The ORM's bulk_create builds a model instance per row, which costs more than the insert itself
at millions of rows, and on the respondent's path building a queryset costs more than running
it. Here rows are tuples adapted once per value by the caller and written with `executemany` or
one multi-row statement. Tables and columns come from the model's `_meta` (field names in,
columns out), never from input, so nothing is spelled twice and no caller quotes a name or
assembles SQL. Every statement is the same SQL on SQLite (3.35+) and PostgreSQL, and each is
built once per model and field list, then reused. Callers hold the transaction (the SQLite id
allocation relies on the IMMEDIATE write lock; `locked_row` locks until it ends).
"""

import datetime as dt
import functools
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, models


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


# --- Writes ----------------------------------------------------------------------------------

MAX_PARAMETERS = 999  # SQLite's smallest bound-parameter limit on any build


def insert_rows(model: type[models.Model], field_names: Sequence[str], rows: Iterable[Sequence], *,
                ignore_conflicts: bool = False) -> None:
    """INSERT one row per tuple, in one executemany. With `ignore_conflicts`, a row that would
    break any unique constraint is skipped (ON CONFLICT DO NOTHING), also against a concurrent
    insert of the same key."""
    sql = _insert_sql(connection.vendor, model, tuple(field_names))
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def insert_values(model: type[models.Model], field_names: Sequence[str], rows: Sequence[Sequence], *,
                  returning: str | None = None, ignore_conflicts_on: Sequence[str] | None = None) -> list:
    """INSERT … VALUES (…), (…) in as few statements as SQLite's parameter limit allows. With
    `returning`, that field of each row inserted, in row order (as bulk_create relies on too);
    with `ignore_conflicts_on` (a unique key's fields), rows already there are skipped and not
    returned, so what comes back is what this call stored."""
    if not rows:
        return []
    head, one, tail = _insert_values_sql(connection.vendor, model, tuple(field_names), returning,
                                         None if ignore_conflicts_on is None else tuple(ignore_conflicts_on))
    size = max(1, min(500, MAX_PARAMETERS // len(field_names)))
    found: list = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start:start + size]
            cursor.execute(head + ", ".join([one] * len(batch)) + tail, [v for row in batch for v in row])
            if returning is not None:
                found += [row[0] for row in cursor.fetchall()]
    return found


def insert_or_add(model: type[models.Model], key_fields: Sequence[str], count_fields: Sequence[str],
                  rows: Iterable[Sequence]) -> None:
    """Counters upserted in one executemany: each row is its key's values then its counts; a
    key not there yet is inserted, one already there gets the counts added to its own
    (INSERT … ON CONFLICT (key) DO UPDATE SET n = n + excluded.n, …). The key must be a unique
    constraint's fields.

    Rows go in key order: concurrent writers of today's figures add to the same few cells and
    hold them locked until their commit, and one order for all of them means two never wait
    for each other in a cycle (a deadlock, which PostgreSQL resolves by failing one). One
    statement per row, not one for all: a statement of hundreds of parameters is parsed anew
    by the drivers on every call (they cache short ones only), which cost more than it saved."""
    rows = sorted(rows, key=lambda row: ["" if v is None else str(v) for v in row[:len(key_fields)]])
    if connection.vendor == "postgresql" and len(rows) >= UNNEST_FROM:
        _insert_or_add_unnest(model, tuple(key_fields), tuple(count_fields), rows)
        return
    with connection.cursor() as cursor:
        cursor.executemany(_insert_or_add_sql(connection.vendor, model, tuple(key_fields), tuple(count_fields)),
                           rows)


# From this many rows (an import's or a rebuild's chunk, the demo's load), PostgreSQL gets the
# rows as one array per column, unnested in one statement: planned once and run as one set,
# where one statement per row cost a plan and an index probe each (the demo's 60,000 responses
# write 300,000 cells). Few rows (one API request's) keep the short cached statement above.
UNNEST_FROM = 200
UNNEST_CHUNK = 20_000  # rows per statement: bounded memory for the arrays on both sides


def _insert_or_add_unnest(model: type[models.Model], key_fields: tuple[str, ...], count_fields: tuple[str, ...],
                          rows: Sequence[Sequence]) -> None:
    """PostgreSQL: insert_or_add's upsert as INSERT … SELECT FROM unnest(%s::type[], …): one
    parameter per column, so the statement text stays short (the driver caches it) however many
    rows it carries. Keys must be distinct (ON CONFLICT may touch a row once per statement)."""
    sql = _insert_or_add_unnest_sql(model, key_fields, count_fields)
    width = len(key_fields) + len(count_fields)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), UNNEST_CHUNK):
            batch = rows[start:start + UNNEST_CHUNK]
            cursor.execute(sql, [[row[i] for row in batch] for i in range(width)])


def update_by_id(model: type[models.Model], field_names: Sequence[str], rows: Sequence[Sequence]) -> None:
    """UPDATE … SET the fields WHERE id = …, for rows of (*values, id): instance.save(update_fields=…)
    without the save machinery, which costs more than the statement. One row is one execute."""
    sql = _update_sql(connection.vendor, model, tuple(field_names))
    with connection.cursor() as cursor:
        if len(rows) == 1:
            cursor.execute(sql, rows[0])
        elif rows:
            cursor.executemany(sql, rows)


def set_flag(model: type[models.Model], field_name: str, ids: Sequence[int]) -> int:
    """Set a boolean that is set once and never unset on the rows with these ids (UPDATE … SET
    flag = true WHERE flag = false AND id IN (…)); returns how many this call set. A row already
    set is an index lookup that writes and locks nothing."""
    if not ids:
        return 0
    changed = 0
    with connection.cursor() as cursor:
        for start in range(0, len(ids), LOOKUP_CHUNK):
            chunk = list(ids[start:start + LOOKUP_CHUNK])
            cursor.execute(f"{_set_flag_sql(connection.vendor, model, field_name)} ({', '.join(['%s'] * len(chunk))})",
                           [True, False, *chunk])
            changed += cursor.rowcount
    return changed


def set_once(model: type[models.Model], pk: int, field_name: str, value) -> bool:
    """Set a field that is set once and never unset (UPDATE … WHERE id = … AND field IS NULL);
    True if this call set it. Of two concurrent calls only one finds it still unset."""
    with connection.cursor() as cursor:
        cursor.execute(_set_once_sql(connection.vendor, model, field_name), [value, pk])
        return cursor.rowcount > 0


# --- Reads inside a write --------------------------------------------------------------------

def select_rows(model: type[models.Model], field_names: Sequence[str], where: Mapping[str, object]) -> list[tuple]:
    """The fields' values of every row whose fields equal `where`'s values, as the driver
    returns them (JSON as text, datetimes on SQLite as text): for a writer's indexed lookup,
    where building the ORM's query costs more than running it."""
    with connection.cursor() as cursor:
        cursor.execute(_select_sql(connection.vendor, model, tuple(field_names), tuple(where)), list(where.values()))
        return cursor.fetchall()


def select_row(model: type[models.Model], field_names: Sequence[str], where: Mapping[str, object]) -> tuple | None:
    """`select_rows`' first row, or None: for a `where` that names a unique key."""
    with connection.cursor() as cursor:
        cursor.execute(_select_sql(connection.vendor, model, tuple(field_names), tuple(where)), list(where.values()))
        return cursor.fetchone()


LOOKUP_CHUNK = 900  # values per IN (…), below SQLite's parameter limit with room for `where`


def lookup(model: type[models.Model], key_field: str, keys: Iterable, where: Mapping[str, object], *,
           value_field: str = "id") -> dict:
    """key → value_field for the rows among `keys` (in chunks) that match `where`: the ORM's
    `__in` costs several microseconds per value to build, which dominates at import speeds."""
    keys = list(keys)
    head = _lookup_sql(connection.vendor, model, key_field, value_field, tuple(where))
    fixed = list(where.values())
    found: dict = {}
    with connection.cursor() as cursor:
        for start in range(0, len(keys), LOOKUP_CHUNK):
            chunk = keys[start:start + LOOKUP_CHUNK]
            cursor.execute(f"{head} IN ({', '.join(['%s'] * len(chunk))})", [*fixed, *chunk])
            found.update(cursor.fetchall())
    return found


def exists(model: type[models.Model], where: Mapping[str, object], *,
           at_least: Mapping[str, object] | None = None) -> bool:
    """Whether any row's fields equal `where`'s values, and those of `at_least` are at least its
    values (already adapted to the database), stopping at the first."""
    at_least = at_least or {}
    with connection.cursor() as cursor:
        cursor.execute(_exists_sql(connection.vendor, model, tuple(where), tuple(at_least)),
                       [*where.values(), *at_least.values()])
        return cursor.fetchone() is not None


def select_instance(model: type[models.Model], where: Mapping[str, object], *,
                    related: Sequence[str] = ()) -> models.Model | None:
    """The row whose fields equal `where`'s values (a unique key), as a model instance with
    every field converted as the ORM converts it, or None; `related` names foreign keys whose
    rows come along in the same statement (LEFT JOIN), cached on the instance as select_related
    caches them. For an indexed read on every request, where building the ORM's query (a
    join and an ordering) costs many times more than running it."""
    shape = (connection.vendor, model, tuple(where), tuple(related))
    sql, parts, columns = _instance_sql(*shape)
    db = connections[DEFAULT_DB_ALIAS]
    with db.cursor() as cursor:
        cursor.execute(sql, list(where.values()))
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for index, column, converters in _converters_of(db, shape, columns):
        value = values[index]
        for convert in converters:
            value = convert(value, column, db)
        values[index] = value
    instances = [None if values[first + pk] is None else part.from_db(db.alias, attnames, values[first:last])
                 for part, attnames, first, last, pk in parts]
    found = instances[0]
    for name, other in zip(related, instances[1:], strict=True):
        model._meta.get_field(name).set_cached_value(found, other)
    return found


# A connection's converters for a statement's columns, looked up once per connection (each
# thread has its own), not per row: finding them costs more than the lookup they serve.
_converters: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _converters_of(db, shape: tuple, columns: Sequence) -> list[tuple[int, object, list]]:
    known = _converters.setdefault(db, {})
    found = known.get(shape)
    if found is None:
        found = known[shape] = [(i, col, converters) for i, col in enumerate(columns)
                                if (converters := db.ops.get_db_converters(col) + col.get_db_converters(db))]
    return found


def locked_row(model: type[models.Model], where: Mapping[str, object], *,
               joined: Mapping[str, tuple[str, str]] | None = None) -> models.Model | None:
    """The row whose fields equal `where`'s values, as a model instance, locked until the
    transaction ends (FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transaction already holds
    the write lock), or None. `joined` brings fields of rows the row points to along, as
    attributes: {attribute: (foreign key, field of the row it points to)}, values as the driver
    returns them; only this model's row is locked."""
    sql = _locked_row_sql(connection.vendor, model, tuple(where), tuple((joined or {}).items()))
    return next(iter(model._default_manager.raw(sql, list(where.values()))), None)


# --- The statements, built once per model and field list ------------------------------------
# `vendor` only keys the cache: quoting and row locking are the backend's.

def _columns(opts, field_names: Sequence[str]) -> list[str]:
    qn = connection.ops.quote_name
    return [qn(opts.get_field(name).column) for name in field_names]


def _where(opts, field_names: Sequence[str], prefix: str = "") -> str:
    return " AND ".join(f"{prefix}{column} = %s" for column in _columns(opts, field_names))


@functools.cache
def _insert_sql(vendor: str, model: type[models.Model], field_names: tuple[str, ...]) -> str:
    opts = model._meta
    columns = _columns(opts, field_names)
    return (f"INSERT INTO {connection.ops.quote_name(opts.db_table)} ({', '.join(columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})")


@functools.cache
def _insert_values_sql(vendor: str, model: type[models.Model], field_names: tuple[str, ...],
                       returning: str | None, conflict: tuple[str, ...] | None) -> tuple[str, str, str]:
    opts = model._meta
    head, one = _insert_sql(vendor, model, field_names).split(" VALUES ")
    tail = "" if conflict is None else f" ON CONFLICT ({', '.join(_columns(opts, conflict))}) DO NOTHING"
    if returning is not None:
        tail += f" RETURNING {_columns(opts, [returning])[0]}"
    return f"{head} VALUES ", one, tail


@functools.cache
def _insert_or_add_sql(vendor: str, model: type[models.Model], key_fields: tuple[str, ...],
                       count_fields: tuple[str, ...]) -> str:
    opts = model._meta
    table = connection.ops.quote_name(opts.db_table)
    # Same syntax on SQLite (3.24+) and PostgreSQL: add to the cell when it exists.
    updates = ", ".join(f"{c} = {table}.{c} + EXCLUDED.{c}" for c in _columns(opts, count_fields))
    return (f"{_insert_sql(vendor, model, key_fields + count_fields)} "
            f"ON CONFLICT ({', '.join(_columns(opts, key_fields))}) DO UPDATE SET {updates}")


@functools.cache
def _insert_or_add_unnest_sql(model: type[models.Model], key_fields: tuple[str, ...],
                              count_fields: tuple[str, ...]) -> str:
    opts = model._meta
    table = connection.ops.quote_name(opts.db_table)
    fields = [opts.get_field(name) for name in key_fields + count_fields]
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
    updates = ", ".join(f"{c} = {table}.{c} + EXCLUDED.{c}" for c in _columns(opts, count_fields))
    return (f"INSERT INTO {table} ({', '.join(_columns(opts, key_fields + count_fields))}) "
            f"SELECT * FROM unnest({arrays}) "
            f"ON CONFLICT ({', '.join(_columns(opts, key_fields))}) DO UPDATE SET {updates}")


@functools.cache
def _update_sql(vendor: str, model: type[models.Model], field_names: tuple[str, ...]) -> str:
    opts = model._meta
    qn = connection.ops.quote_name
    return (f"UPDATE {qn(opts.db_table)} SET {', '.join(f'{c} = %s' for c in _columns(opts, field_names))} "
            f"WHERE {qn(opts.pk.column)} = %s")


@functools.cache
def _set_once_sql(vendor: str, model: type[models.Model], field_name: str) -> str:
    column = _columns(model._meta, [field_name])[0]
    return f"{_update_sql(vendor, model, (field_name,))} AND {column} IS NULL"


@functools.cache
def _set_flag_sql(vendor: str, model: type[models.Model], field_name: str) -> str:
    """The statement up to its IN, which takes as many placeholders as the chunk has ids."""
    opts = model._meta
    qn = connection.ops.quote_name
    column = _columns(opts, [field_name])[0]
    return (f"UPDATE {qn(opts.db_table)} SET {column} = %s WHERE {column} = %s AND {qn(opts.pk.column)} IN")


@functools.cache
def _exists_sql(vendor: str, model: type[models.Model], where: tuple[str, ...], at_least: tuple[str, ...] = ()) -> str:
    opts = model._meta
    conditions = [_where(opts, where), *(f"{column} >= %s" for column in _columns(opts, at_least))]
    return f"SELECT 1 FROM {connection.ops.quote_name(opts.db_table)} WHERE {' AND '.join(conditions)} LIMIT 1"


@functools.cache
def _instance_sql(vendor: str, model: type[models.Model], where: tuple[str, ...], related: tuple[str, ...]):
    """The statement; per model in it (the row's, then each related one's) the model, its
    fields' attribute names, where its values start and end in a row and where its key is;
    and every column as the ORM's converters expect it."""
    opts = model._meta
    qn = connection.ops.quote_name
    tables = [(model, "t")]
    joins = []
    for i, name in enumerate(related):
        fk = opts.get_field(name)
        alias = f"j{i}"
        tables.append((fk.related_model, alias))
        joins.append(f" LEFT JOIN {qn(fk.related_model._meta.db_table)} {alias} "
                     f"ON {alias}.{qn(fk.target_field.column)} = t.{qn(fk.column)}")
    select, parts, columns = [], [], []
    for part, alias in tables:
        fields = part._meta.concrete_fields
        first = len(columns)
        select += [f"{alias}.{qn(f.column)}" for f in fields]
        columns += [f.get_col(alias) for f in fields]
        attnames = [f.attname for f in fields]
        parts.append((part, attnames, first, len(columns), attnames.index(part._meta.pk.attname)))
    sql = (f"SELECT {', '.join(select)} FROM {qn(opts.db_table)} t{''.join(joins)} "
           f"WHERE {_where(opts, where, 't.')}")
    return sql, tuple(parts), tuple(columns)


@functools.cache
def _select_sql(vendor: str, model: type[models.Model], field_names: tuple[str, ...],
                where: tuple[str, ...]) -> str:
    opts = model._meta
    return (f"SELECT {', '.join(_columns(opts, field_names))} FROM {connection.ops.quote_name(opts.db_table)} "
            f"WHERE {_where(opts, where)}")


@functools.cache
def _lookup_sql(vendor: str, model: type[models.Model], key_field: str, value_field: str,
                where: tuple[str, ...]) -> str:
    """The lookup's statement up to its IN, which takes as many placeholders as the chunk has keys."""
    opts = model._meta
    key = _columns(opts, [key_field])[0]
    conditions = [f"{_where(opts, where)} AND "] if where else []
    return (f"SELECT {key}, {_columns(opts, [value_field])[0]} FROM {connection.ops.quote_name(opts.db_table)} "
            f"WHERE {''.join(conditions)}{key}")


@functools.cache
def _locked_row_sql(vendor: str, model: type[models.Model], where: tuple[str, ...],
                    joined: tuple[tuple[str, tuple[str, str]], ...]) -> str:
    opts = model._meta
    qn = connection.ops.quote_name
    select, joins = ["t.*"], []
    for i, (attribute, (fk_name, field_name)) in enumerate(joined):
        fk = opts.get_field(fk_name)
        target = fk.related_model._meta
        select.append(f"j{i}.{qn(target.get_field(field_name).column)} AS {qn(attribute)}")
        joins.append(f" JOIN {qn(target.db_table)} j{i} ON j{i}.{qn(fk.target_field.column)} = t.{qn(fk.column)}")
    sql = f"SELECT {', '.join(select)} FROM {qn(opts.db_table)} t{''.join(joins)} WHERE {_where(opts, where, 't.')}"
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE OF t" if joined else " FOR UPDATE"
    return sql
