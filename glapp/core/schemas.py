"""Schemas every router shares."""

from typing import Annotated, Any

from django.conf import settings
from ninja import Field, Schema
from pydantic import PlainValidator

from glapp.core.errors import GlappError
from glapp.core.problems import problem_type


def bounded_batch(value, noun: str):
    """A bulk endpoint's list, refused (413) before its items are validated when it is longer than
    GLAPP_BULK_MAX: validating thousands of items only to refuse them wastes the server's time."""
    if isinstance(value, list) and len(value) > settings.GLAPP_BULK_MAX:
        raise GlappError(f"A batch holds at most {settings.GLAPP_BULK_MAX} {noun}; this one has {len(value)}. "
                         "Split it.", code="payload_too_large", status=413)
    return value


def documented_as(shape: Any) -> PlainValidator:
    """For a request part that a domain validator judges (its field errors are the API's): pydantic passes
    the value on as sent, and `shape`, typed with that validator's limits, describes it in the document,
    so the limits are stated once."""
    return PlainValidator(lambda value: value, json_schema_input_type=shape)


# The largest id a database row has (a signed 64-bit integer): a larger number sent as an id is
# refused by the schema as a field error, instead of overflowing in the database driver.
MAX_ROW_ID = 2**63 - 1
RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]
# A whole number compared with a stored one (a score filter): any 32-bit value is harmless.
FilterInt = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]


class FieldProblem(Schema):
    field: str = Field(..., examples=["answers.nps"])
    message: str = Field(..., examples=["must be between 0 and 10"])
    code: str = Field(..., examples=["invalid"])


class Problem(Schema):
    """An RFC 9457 problem document, served as application/problem+json."""

    type: str = Field(..., examples=[problem_type("validation_failed")])
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldProblem] | None = None
