"""Property test of `clean_response`, the one validation every response passes: whatever JSON
values arrive in any field (non-finite numbers, huge integers, NUL, lone surrogates, nesting), it
returns field errors or a clean response, never raises; and a clean response holds only text and
numbers that can be stored."""

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glapp.core.hostile import problems
from glapp.responses.catalog import Catalog
from glapp.responses.validation import KNOWN_FIELDS, CleanResponse, clean_response
from tests.factories import response_payload

pytestmark = pytest.mark.django_db

texts = st.one_of(st.text(max_size=30), st.sampled_from(["nan", "inf", "1e309", "\x00", "\ud800", "9", "sv",
                                                         "email", "nps", "2026-05-03", "acme-north-store"]))
scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
                    st.floats(allow_nan=True, allow_infinity=True), texts)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(texts, inner, max_size=4)), max_leaves=12)
fields = st.sampled_from([*sorted(KNOWN_FIELDS), "unknown"])
answer_keys = st.sampled_from(["nps", "ces", "reason", "comment", "other"])


@pytest.fixture
def catalog(org):
    return Catalog.load(org.id)


@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(overrides=st.dictionaries(fields, values, max_size=4),
       answers=st.dictionaries(answer_keys, values, max_size=4))
def test_clean_response_never_raises_and_keeps_only_storable_values(catalog, overrides, answers):
    raw = response_payload(**overrides)
    if answers:
        raw["answers"] = answers
    result = clean_response(raw, catalog)
    if isinstance(result, CleanResponse):
        stored = [result.channel, result.language, result.segment, result.external_id or "", result.metadata,
                  result.customer or {}, [(a.number, a.text, a.choices) for a in result.answers]]
        assert problems(stored) == []
        assert all(a.number is None or (isinstance(a.number, int) and -1 < a.number < 11) for a in result.answers)
        assert all(not isinstance(v, float) or math.isfinite(v) for v in result.metadata.values())
    else:
        assert result and all(isinstance(e.field, str) and e.message for e in result)
        for error in result:  # every error can be sent back in a JSON document
            error.field.encode("utf-8")
            error.message.encode("utf-8")
