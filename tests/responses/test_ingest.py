import pytest

from glapp.responses.actions import ingest_responses
from glapp.responses.catalog import Catalog
from glapp.responses.models import Answer, Response
from glapp.responses.validation import clean_response
from tests.factories import response_payload

pytestmark = pytest.mark.django_db


def clean(org, **overrides):
    result = clean_response(response_payload(**overrides), Catalog.load(org.id))
    assert not isinstance(result, list), result
    return result


def test_ingest_stores_response_and_answers(org):
    [result] = ingest_responses(org.id, [clean(org, external_id="r-1")], "api")
    assert result.created
    response = Response.objects.get(pk=result.id)
    assert response.touchpoint.code == "phone-support"  # the survey's touchpoint by default
    assert response.customer.external_id == "C-1"
    assert response.metadata == {"campaign": "spring", "agent": "Anna"}
    assert response.has_comment
    assert {a.question.key: (a.number, a.text) for a in Answer.objects.filter(response=response)} == {
        "nps": (9, ""), "ces": (6, ""), "comment": (None, "Bra och snabbt"),
    }


def test_same_external_id_is_stored_once(org):
    first = ingest_responses(org.id, [clean(org, external_id="r-1")], "api")
    again = ingest_responses(org.id, [clean(org, external_id="r-1"), clean(org, external_id="r-1")], "api")
    assert [r.created for r in again] == [False, False]
    assert {r.id for r in again} == {first[0].id}
    assert Response.objects.count() == 1
    assert Answer.objects.count() == 3


def test_ids_keep_growing_across_batches(org):
    a = ingest_responses(org.id, [clean(org), clean(org)], "api")
    b = ingest_responses(org.id, [clean(org)], "api")
    assert len({r.id for r in a + b}) == 3
    assert Response.objects.count() == 3


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"survey": "nope"}, "survey"),
        ({"answers": {"nps": 11}}, "answers.nps"),
        ({"answers": {"nps": "ten"}}, "answers.nps"),
        ({"answers": {"ces": 3}}, "answers.nps"),  # nps is required
        ({"answers": {"nps": 5, "reason": "weather"}}, "answers.reason"),
        ({"answers": {"nps": 5, "bogus": 1}}, "answers.bogus"),
        ({"submitted_at": "yesterday"}, "submitted_at"),
        ({"submitted_at": "2999-01-01"}, "submitted_at"),
        ({"channel": "pigeon"}, "channel"),
        ({"unit": "atlantis"}, "unit"),
        ({"metadata": {"deep": {"x": 1}}}, "metadata.deep"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_validation_names_the_bad_field(org, overrides, field):
    errors = clean_response(response_payload(**overrides), Catalog.load(org.id))
    assert isinstance(errors, list)
    assert field in [e.field for e in errors]


def test_catalog_of_one_org_cannot_resolve_another_orgs_survey(org, other_org):
    errors = clean_response(response_payload(survey="nps", unit="acme-north"), Catalog.load(other_org.id))
    assert [e.field for e in errors] == ["unit"]


def test_an_invalid_required_answer_is_reported_once(org):
    errors = clean_response(response_payload(answers={"nps": 11}), Catalog.load(org.id))
    assert [(e.field, e.code) for e in errors] == [("answers.nps", "invalid")]


def test_validation_performs_no_query(org, django_assert_num_queries):
    """Every step reads the catalog loaded once per batch: a query per row would cost an import
    a round trip per row."""
    catalog = Catalog.load(org.id)
    valid = response_payload(touchpoint="web-checkout", unit="acme-north", metadata={"campaign": "spring"})
    invalid = response_payload(survey="nope", unit="atlantis", customer={"segment": "x"}, answers={"nps": 11},
                               submitted_at="2999-01-01", colour="blue")
    with django_assert_num_queries(0):
        assert not isinstance(clean_response(valid, catalog), list)
        assert len(clean_response(invalid, catalog)) == 5
