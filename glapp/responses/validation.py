"""Turn one raw response (from the API, a file row or the demo) into a clean, resolved record,
or a list of field errors that say exactly what is wrong. No writes happen here."""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from glapp.accounts.models import Unit
from glapp.contacts.models import Customer
from glapp.core import hostile
from glapp.core.errors import FieldError
from glapp.responses.catalog import Catalog, SurveyInfo
from glapp.responses.models import Channel
from glapp.surveys import question_types as qt
from glapp.surveys.question_types import AnswerInvalid, clean_answer

CHANNELS = set(Channel.values)
# A response's metadata limits, stated here only: an event's metadata becomes the metadata of the
# response to its invitation, so event validation, respondent sessions and the API schema read them.
MAX_METADATA_KEYS = 30
METADATA_KEY_LENGTH = 80  # a key becomes a column of the export and a dimension of the rollups
METADATA_VALUE_LENGTH = 500
KNOWN_FIELDS = {
    "survey", "answers", "submitted_at", "touchpoint", "unit", "customer", "channel",
    "language", "segment", "external_id", "metadata",
}
CUSTOMER_FIELDS = {"external_id", "first_name", "email", "phone", "language", "segment", "region", "attributes"}
# The register's column widths: a longer value is refused, never cut to fit.
CUSTOMER_LENGTHS = {name: Customer._meta.get_field(name).max_length
                    for name in CUSTOMER_FIELDS - {"external_id", "attributes"}}
EXTERNAL_ID_LENGTH = 200  # a response's and a customer's; the API document shows it from here
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
ONE_DAY = dt.timedelta(days=1)
_fromisoformat = dt.datetime.fromisoformat


@dataclass
class CleanAnswer:
    question_id: int
    question_type: str
    number: int | None
    text: str
    choices: list[str] | None


@dataclass
class CleanResponse:
    survey_id: int
    survey_version_id: int | None
    touchpoint_id: int | None
    unit_id: int | None
    customer: dict | None  # {"external_id": ..., other attributes}; resolved to an id at write time
    channel: str
    language: str
    segment: str
    submitted_at: dt.datetime
    external_id: str | None
    metadata: dict
    answers: list[CleanAnswer] = field(default_factory=list)

    @property
    def has_comment(self) -> bool:
        return any(a.question_type == qt.TEXT and a.text for a in self.answers)


def parse_timestamp(value, tz) -> dt.datetime:
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime.combine(value, dt.time(12))
    elif isinstance(value, str):
        text = value.strip()
        parsed = None
        if len(text) > 10:
            text_t = text.replace(" ", "T", 1)
            try:  # what parse_datetime tries first, without its call overhead (hot in imports)
                parsed = _fromisoformat(text_t)
            except ValueError:
                parsed = parse_datetime(text_t)
        if parsed is None:
            day = parse_date(text)
            if day is None:
                raise ValueError("is not a date or an ISO 8601 timestamp")
            parsed = dt.datetime.combine(day, dt.time(12))
    else:
        raise ValueError("is not a date or an ISO 8601 timestamp")
    if parsed.utcoffset() is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed


def _text(raw: dict, name: str, errors: list[FieldError], max_length: int) -> str:
    value = raw.get(name)
    if value is None:
        return ""
    if not isinstance(value, str | int):
        errors.append(FieldError(name, "must be text"))
        return ""
    value = str(value).strip()
    if len(value) > max_length:
        errors.append(FieldError(name, f"is longer than {max_length} characters"))
    return value


def clean_response(raw: dict, catalog: Catalog, *, tz=None, now=None) -> CleanResponse | list[FieldError]:
    """The one set of rules for a response, in steps. Each step reads its fields, adds what is
    wrong with them to `errors` and returns their cleaned value, so one call names every bad
    field. No step queries: everything is looked up in the catalog."""
    tz = tz or timezone.get_current_timezone()
    now = now or timezone.now()
    errors: list[FieldError] = []
    if not isinstance(raw, dict):
        return [FieldError("", "must be an object")]
    unstorable = hostile.problems(raw)
    if unstorable:
        # Said alone: the other steps would name fields by keys that cannot be sent back.
        return [FieldError(path, reason, "unstorable") for path, reason in unstorable]
    if not raw.keys() <= KNOWN_FIELDS:
        for name in raw.keys() - KNOWN_FIELDS:
            errors.append(FieldError(str(name), "is not a known field", "unknown_field"))
    get = raw.get
    survey = _survey(get("survey"), catalog, errors)
    touchpoint_id, unit_id = _touchpoint_and_unit(raw, survey, catalog, errors)
    channel, language, segment, external_id = _text_fields(raw, errors)
    submitted_at = _submitted_at(get("submitted_at"), tz, now, errors)
    metadata = _metadata(get("metadata"), errors)
    customer = _customer(get("customer"), errors)
    answers = _answers(get("answers"), survey, errors)  # last: it checks whether anything else is wrong
    if errors:
        return errors
    return CleanResponse(
        survey.id, survey.version_id, touchpoint_id, unit_id, customer, channel, language,
        segment or (customer or {}).get("segment", "") or "",
        submitted_at, external_id, metadata, answers,
    )


def _survey(code, catalog: Catalog, errors: list[FieldError]) -> SurveyInfo | None:
    """The active survey the code names (its current version comes with it)."""
    survey = catalog.surveys.get(str(code or ""))
    if not code:
        errors.append(FieldError("survey", "is required", "required"))
    elif survey is None:
        errors.append(FieldError("survey", f"no active survey with code '{str(code)[:80]}'", "unknown"))
    return survey


def _touchpoint_and_unit(raw: dict, survey: SurveyInfo | None, catalog: Catalog,
                         errors: list[FieldError]) -> tuple[int | None, int | None]:
    """Codes to ids; without a touchpoint the response belongs to its survey's."""
    touchpoint_id = survey.touchpoint_id if survey else None
    value = raw.get("touchpoint")
    if value:
        touchpoint_id = catalog.touchpoints.get(str(value))
        if touchpoint_id is None:
            errors.append(FieldError("touchpoint", f"no touchpoint with code '{str(value)[:80]}'", "unknown"))
    unit_id = None
    value = raw.get("unit")
    if value:
        unit_id = catalog.units.get(str(value))
        if unit_id is None:
            errors.append(FieldError("unit", f"no unit with code '{str(value)[:80]}'", "unknown"))
    return touchpoint_id, unit_id


def _text_fields(raw: dict, errors: list[FieldError]) -> tuple[str, str, str, str | None]:
    """Channel, language, segment and external id. Plain strings (every file row) take the
    short way; anything else goes through _text, which says what is wrong with it."""
    get = raw.get
    value = get("channel")
    if type(value) is str and len(value) <= 16:
        channel = value.strip() or Channel.OTHER
    else:
        channel = _text(raw, "channel", errors, 16) or Channel.OTHER
    if channel not in CHANNELS:
        errors.append(FieldError("channel", f"must be one of: {', '.join(sorted(CHANNELS))}"))
    value = get("language")
    if type(value) is str and len(value) <= 8:
        language = value.strip().lower()
    else:
        language = _text(raw, "language", errors, 8).lower()
    value = get("segment")
    segment = value.strip() if type(value) is str and len(value) <= 80 else _text(raw, "segment", errors, 80)
    value = get("external_id")
    if type(value) is str and len(value) <= EXTERNAL_ID_LENGTH:
        external_id = value.strip() or None
    else:
        external_id = _text(raw, "external_id", errors, EXTERNAL_ID_LENGTH) or None
    return channel, language, segment, external_id


def _submitted_at(value, tz, now: dt.datetime, errors: list[FieldError]) -> dt.datetime:
    """When the response was given: now when not said, never far in the future or before 2000."""
    if value is None or value == "":
        return now
    try:
        submitted_at = parse_timestamp(value, tz)
    except ValueError as exc:
        errors.append(FieldError("submitted_at", str(exc)))
        return now
    if submitted_at > now + ONE_DAY:
        errors.append(FieldError("submitted_at", "is in the future"))
    elif submitted_at < EARLIEST:
        errors.append(FieldError("submitted_at", "is before the year 2000"))
    return submitted_at


def _metadata(metadata, errors: list[FieldError]) -> dict:
    """Flat keys and values; a key whose value is null is left out."""
    metadata = metadata or {}
    if type(metadata) is not dict and not isinstance(metadata, dict):
        errors.append(FieldError("metadata", "must be an object of keys and values"))
        return {}
    if len(metadata) > MAX_METADATA_KEYS:
        errors.append(FieldError("metadata", f"has more than {MAX_METADATA_KEYS} keys"))
        return metadata
    for key, value in metadata.items():
        if len(str(key)) > METADATA_KEY_LENGTH:
            errors.append(FieldError(f"metadata.{str(key)[:METADATA_KEY_LENGTH]}…",
                                     f"key is longer than {METADATA_KEY_LENGTH} characters"))
            continue
        if type(value) is str:
            if len(value) > METADATA_VALUE_LENGTH:
                errors.append(FieldError(f"metadata.{key}", f"is longer than {METADATA_VALUE_LENGTH} characters"))
        elif not isinstance(value, str | int | float | bool) and value is not None:
            errors.append(FieldError(f"metadata.{key}", "must be text, a number or true/false"))
        elif isinstance(value, str) and len(value) > METADATA_VALUE_LENGTH:
            errors.append(FieldError(f"metadata.{key}", f"is longer than {METADATA_VALUE_LENGTH} characters"))
    return {k: v for k, v in metadata.items() if v is not None} if metadata else {}


def _customer(customer, errors: list[FieldError]) -> dict | None:
    """An external id alone, or an object of customer fields with one; resolved to a customer
    at write time."""
    if customer is None or customer == "":
        customer = None
    elif type(customer) is str:
        customer = {"external_id": customer.strip()}
    elif isinstance(customer, str | int):
        customer = {"external_id": str(customer).strip()}
    elif isinstance(customer, dict):
        unknown = customer.keys() - CUSTOMER_FIELDS
        for name in unknown:
            errors.append(FieldError(f"customer.{name}", "is not a known field", "unknown_field"))
        if not str(customer.get("external_id") or "").strip():
            errors.append(FieldError("customer.external_id", "is required", "required"))
            customer = None
        else:
            customer = {**customer, "external_id": str(customer["external_id"]).strip()}
            _customer_fields(customer, errors)
    else:
        errors.append(FieldError("customer", "must be an external id or an object"))
        customer = None
    if customer and len(customer["external_id"]) > EXTERNAL_ID_LENGTH:
        errors.append(FieldError("customer.external_id", f"is longer than {EXTERNAL_ID_LENGTH} characters"))
    return customer


def _customer_fields(customer: dict, errors: list[FieldError]) -> None:
    """A new customer's attributes, checked against the register's columns."""
    for name, limit in CUSTOMER_LENGTHS.items():
        value = customer.get(name)
        if value is None:
            continue
        if not isinstance(value, str | int) or isinstance(value, bool):
            errors.append(FieldError(f"customer.{name}", "must be text"))
        elif len(str(value)) > limit:
            errors.append(FieldError(f"customer.{name}", f"is longer than {limit} characters"))
    attributes = customer.get("attributes")
    if attributes is not None and not isinstance(attributes, dict):
        errors.append(FieldError("customer.attributes", "must be an object of keys and values"))


def _answers(raw_answers, survey: SurveyInfo | None, errors: list[FieldError]) -> list[CleanAnswer]:
    """Each answer checked against its question; required questions must be answered. A
    response with nothing answered is refused, but only said so when nothing else is wrong."""
    answers: list[CleanAnswer] = []
    if not isinstance(raw_answers, dict) or not raw_answers:
        errors.append(FieldError("answers", "must be an object of question key → value, with at least one answer",
                                 "required"))
        return answers
    if survey is None:
        return answers
    questions, required = survey.answer_specs, survey.required
    for key, value in raw_answers.items():
        question = questions.get(key)
        if question is None:
            errors.append(FieldError(f"answers.{key}", f"survey '{survey.code}' has no question '{key}'",
                                     "unknown"))
            continue
        if value is None or value == "" or value == []:
            continue  # an unanswered question is not an answer
        question_id, question_type, options, scale_max = question
        try:
            number, text, choices = clean_answer(question_type, value, options, scale_max)
        except AnswerInvalid as exc:
            errors.append(FieldError(f"answers.{key}", str(exc)))
            continue
        answers.append(CleanAnswer(question_id, question_type, number, text, choices))
    if required:
        # A required answer that was given but invalid is already reported as invalid.
        given = {a.question_id for a in answers} | {
            questions[k][0] for k, v in raw_answers.items() if k in questions and v not in (None, "", [])
        }
        for question_id, key in required:
            if question_id not in given:
                errors.append(FieldError(f"answers.{key}", "is required", "required"))
    if not errors and not answers:
        errors.append(FieldError("answers", "has no answered question", "required"))
    return answers


def confine_to_unit(unit_path: str | None, catalog: Catalog, clean: CleanResponse, field: str,
                    who: str = "you") -> FieldError | None:
    """A writer limited to a unit (`unit_path`, None = the whole organization) writes into its
    subtree: a response without a unit lands on the writer's own unit, one elsewhere is refused.
    The same rule for the API and for file imports."""
    clean.unit_id, allowed = Unit.confined(unit_path, clean.unit_id, catalog.unit_paths.get(clean.unit_id))
    return None if allowed else FieldError(field, f"is outside the units {who} may write to", "forbidden_unit")
