"""The plain-SQL steps of the hot paths (`core/bulk.py`) do what their names say, on any backend,
and no other module builds SQL by hand."""

import datetime as dt
from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction

from glapp.accounts.actions import create_api_key
from glapp.accounts.models import ApiKey, Organization, Unit
from glapp.analytics.models import Rollup, RollupDimension
from glapp.contacts.models import Customer
from glapp.core import bulk
from glapp.surveys.models import Question
from tests.factories import make_survey

pytestmark = pytest.mark.django_db

GLAPP = Path(__file__).resolve().parents[2] / "glapp"


def _now():
    return connection.ops.adapt_datetimefield_value(dt.datetime(2026, 5, 4, 9, 30, tzinfo=dt.UTC))


def _dimensions(org, slots):
    bulk.insert_rows(RollupDimension, ("organization", "created_at", "slot", "key"),
                     [(org.id, _now(), slot, f"key{slot}") for slot in slots])


def test_insert_rows_can_skip_rows_already_there(org):
    _dimensions(org, [1, 2])
    with pytest.raises(IntegrityError), transaction.atomic():
        _dimensions(org, [2])
    bulk.insert_rows(RollupDimension, ("organization", "created_at", "slot", "key"),
                     [(org.id, _now(), 2, "key2"), (org.id, _now(), 3, "key3")], ignore_conflicts=True)
    assert list(RollupDimension.objects.for_org(org).values_list("slot", "key")) == [
        (1, "key1"), (2, "key2"), (3, "key3")]


def test_insert_values_returns_what_it_stored_in_row_order_across_statements(org):
    fields = ("organization", "created_at", "slot", "key")
    rows = [(org.id, _now(), slot, f"key{slot}") for slot in range(1, 601)]  # 250 rows a statement: three
    ids = bulk.insert_values(RollupDimension, fields, rows, returning="id")
    assert ids == list(RollupDimension.objects.for_org(org).order_by("slot").values_list("id", flat=True))
    again = [(org.id, _now(), 600, "key600"), (org.id, _now(), 601, "key601"), (org.id, _now(), 5, "key5")]
    assert bulk.insert_values(RollupDimension, fields, again, returning="slot",
                              ignore_conflicts_on=("organization", "slot")) == [601]
    assert bulk.insert_values(RollupDimension, fields, [], returning="id") == []


def test_insert_or_add_inserts_a_new_cell_and_adds_to_one_there(org):
    key = ("organization", "source", "grain", "day", "survey", "touchpoint", "unit", "channel", "language",
           "segment", "d1", "d2", "d3", "d4", "question", "option")  # the unique constraint's fields
    counts = ("n", *(f"c{i}" for i in range(11)))
    day = connection.ops.adapt_datefield_value(dt.date(2026, 5, 4))

    def cell(survey, *values):
        return (org.id, "nps", 1, day, survey, 0, 0, "", "", "", "", "", "", "", 0, "", *values,
                *[0] * (12 - len(values)))

    bulk.insert_or_add(Rollup, key, counts, [cell(7, 2, 1, 1)])
    bulk.insert_or_add(Rollup, key, counts, [cell(7, 3, 0, 2), cell(8, 1, 1, 0)])
    cells = Rollup.objects.filter(organization=org).order_by("survey").values_list("survey", "n", "c0", "c1", "c2")
    assert list(cells) == [(7, 5, 1, 3, 0), (8, 1, 1, 0, 0)]


def test_insert_or_add_of_many_cells_adds_like_one_statement_per_cell(org, other_org):
    """An import's or a rebuild's chunk (on PostgreSQL one unnest statement per chunk): new
    cells inserted, existing ones added to, NULL-free defaults and dates kept, per organization."""
    key = ("organization", "source", "grain", "day", "survey", "touchpoint", "unit", "channel", "language",
           "segment", "d1", "d2", "d3", "d4", "question", "option")
    counts = ("n", *(f"c{i}" for i in range(11)), "m_sq")
    many = bulk.UNNEST_FROM + 50

    def cells(organization, n, big=0):
        return [(organization.id, "csat", 2, connection.ops.adapt_datefield_value(dt.date(2026, 5, 1 + i % 28)),
                 i, 3, 0, "email", "sv", "Företag", f"kampanj-{i % 3}", "", "", "", 12, "" if i % 2 else "opt-å",
                 n, *[n * (j == i % 11) for j in range(11)], big) for i in range(many)]

    bulk.insert_or_add(Rollup, key, counts, cells(org, 1, big=2**40)[::-1])  # order of rows does not matter
    bulk.insert_or_add(Rollup, key, counts, cells(org, 2) + cells(other_org, 5)[:3])
    stored = Rollup.objects.filter(organization=org)
    assert stored.count() == many
    assert {(r.n, r.m_sq) for r in stored} == {(3, 2**40)}
    assert sum(getattr(r, f"c{r.survey % 11}") for r in stored) == 3 * many
    assert stored.get(survey=5).day == dt.date(2026, 5, 6) and stored.get(survey=4).option == "opt-å"
    assert Rollup.objects.filter(organization=other_org).count() == 3


def test_update_by_id_sets_the_fields_of_one_row_or_many(org):
    _dimensions(org, [1, 2, 3])
    first, second, third = RollupDimension.objects.for_org(org).order_by("slot").values_list("id", flat=True)
    bulk.update_by_id(RollupDimension, ("key",), [("one", first)])
    bulk.update_by_id(RollupDimension, ("key", "slot"), [("two", 12, second), ("three", 13, third)])
    bulk.update_by_id(RollupDimension, ("key",), [])
    assert list(RollupDimension.objects.for_org(org).order_by("id").values_list("key", "slot")) == [
        ("one", 1), ("two", 12), ("three", 13)]


def test_set_once_sets_a_time_only_while_it_is_unset(org):
    customer = Customer.objects.create(organization=org, external_id="c1")
    assert bulk.set_once(Customer, customer.pk, "unsubscribed_at", _now())
    later = connection.ops.adapt_datetimefield_value(dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    assert not bulk.set_once(Customer, customer.pk, "unsubscribed_at", later)
    customer.refresh_from_db()
    assert customer.unsubscribed_at == dt.datetime(2026, 5, 4, 9, 30, tzinfo=dt.UTC)


def test_selects_match_every_condition(org, other_org):
    _dimensions(org, [1, 2])
    _dimensions(other_org, [1])
    assert sorted(bulk.select_rows(RollupDimension, ("slot", "key"), {"organization": org.id})) == [
        (1, "key1"), (2, "key2")]
    assert bulk.select_row(RollupDimension, ("key",), {"organization_id": other_org.id, "slot": 1}) == ("key1",)
    assert bulk.select_row(RollupDimension, ("key",), {"organization": other_org.id, "slot": 2}) is None


def test_lookup_maps_keys_in_chunks_within_the_conditions(org, other_org):
    _dimensions(org, range(1, 1001))  # more keys than one IN (…) takes
    _dimensions(other_org, [5])
    ids = dict(RollupDimension.objects.for_org(org).values_list("key", "id"))
    wanted = [f"key{slot}" for slot in range(1, 1002)]  # key1001 is nowhere
    assert bulk.lookup(RollupDimension, "key", wanted, {"organization": org.id}) == ids
    assert bulk.lookup(RollupDimension, "key", ["key5"], {"organization": other_org.id}, value_field="slot") == {
        "key5": 5}


def test_locked_row_is_a_model_instance_with_the_joined_fields(org):
    _dimensions(org, [1])
    with transaction.atomic():
        row = bulk.locked_row(RollupDimension, {"organization": org.id, "slot": 1},
                              joined={"org_slug": ("organization", "slug")})
        assert isinstance(row, RollupDimension)
        assert (row.key, row.slot, row.org_slug) == ("key1", 1, org.slug)
        assert bulk.locked_row(RollupDimension, {"organization": org.id, "slot": 2}) is None


def test_select_instance_is_the_orm_row_with_its_related_rows(org, django_assert_num_queries):
    unit = Unit.objects.get(organization=org, code="acme-north")
    key, _ = create_api_key(org, "k", ["responses:write", "admin"], unit=unit)
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=dt.datetime(2026, 5, 4, 9, 30, tzinfo=dt.UTC))
    expected = ApiKey.objects.select_related("organization", "unit").get(pk=key.pk)
    with django_assert_num_queries(1):
        found = bulk.select_instance(ApiKey, {"prefix": key.prefix}, related=("organization", "unit"))
        # Every field converted as the ORM converts it (JSON, aware datetimes, booleans) …
        for model, got, want in ((ApiKey, found, expected), (Organization, found.organization, expected.organization),
                                 (Unit, found.unit, expected.unit)):
            for field in model._meta.concrete_fields:
                assert getattr(got, field.attname) == getattr(want, field.attname), field.name
        # … and the related rows come with it: reading them is no query.
        assert found.organization.keep_comment_originals is True and found.unit.path == unit.path
    assert found.scopes == ["responses:write", "admin"] and found.last_used_at.tzinfo is not None
    assert not found._state.adding and found._state.db == "default"


def test_select_instance_without_a_row_or_a_related_row(org, django_assert_num_queries):
    key, _ = create_api_key(org, "k", ["responses:read"])
    assert bulk.select_instance(ApiKey, {"prefix": "nosuch"}, related=("organization", "unit")) is None
    with django_assert_num_queries(1):
        found = bulk.select_instance(ApiKey, {"prefix": key.prefix}, related=("unit",))
        assert found.unit is None  # a null foreign key: None, not a query
    assert found.organization == org  # not brought along: the ORM reads it when asked


def test_exists_matches_every_condition(org, other_org):
    _dimensions(org, [1])
    assert bulk.exists(RollupDimension, {"organization": org.id})
    assert bulk.exists(RollupDimension, {"organization": org.id, "slot": 1})
    assert not bulk.exists(RollupDimension, {"organization": org.id, "slot": 2})
    assert not bulk.exists(RollupDimension, {"organization": other_org.id})


def test_set_flag_sets_only_rows_still_unset_and_says_how_many(org):
    survey = make_survey(org, "flags")
    ids = list(Question.objects.filter(survey=survey).order_by("id").values_list("id", flat=True))
    assert bulk.set_flag(Question, "answered", ids[:1]) == 1
    assert bulk.set_flag(Question, "answered", ids) == len(ids) - 1
    assert bulk.set_flag(Question, "answered", ids) == 0
    assert bulk.set_flag(Question, "answered", []) == 0
    assert set(Question.objects.filter(survey=survey).values_list("answered", flat=True)) == {True}
    missing = range(10**9, 10**9 + 1000)  # more ids than one IN (…) takes
    assert bulk.set_flag(Question, "answered", missing) == 0


def test_no_module_but_bulk_builds_sql_from_quoted_names():
    """Table and column names are quoted in one place, from the models' _meta: a hand-built
    statement elsewhere is a second spelling of the schema, and a place where input could end up
    in SQL."""
    found = [str(path.relative_to(GLAPP)) for path in GLAPP.rglob("*.py")
             if "migrations" not in path.parts and path != GLAPP / "core" / "bulk.py"
             and "quote_name" in path.read_text()]
    assert found == []
