"""Schemas every router shares."""

from ninja import Field, Schema

from glapp.api.errors import problem_type


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
