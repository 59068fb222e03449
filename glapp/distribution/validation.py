"""clean_event: the one set of rules for a touchpoint event (API single and bulk, tests, demo).

No queries: the organization's touchpoints and units are passed in as an `EventCatalog`.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from glapp.contacts.actions import CustomerData
from glapp.core import hostile
from glapp.core.errors import FieldError
from glapp.distribution import rules
from glapp.responses.validation import (  # the response's limits
    MAX_METADATA_KEYS,
    METADATA_KEY_LENGTH,
    METADATA_VALUE_LENGTH,
)

PHONE = re.compile(r"^\+?[0-9]{6,15}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
FUTURE_TOLERANCE = dt.timedelta(hours=1)


@dataclass
class EventCatalog:
    touchpoints: dict[str, int]  # code → id
    units: dict[str, tuple[int, str]]  # code → (id, path)
    time_zone: str = "Europe/Stockholm"


@dataclass
class CleanEvent:
    customer: CustomerData
    touchpoint_id: int
    occurred_at: dt.datetime
    external_id: str | None = None
    unit_id: int | None = None
    unit_path: str | None = None
    interaction: str = ""
    metadata: dict = field(default_factory=dict)
    channel: str = ""  # "" (the customer's), email, sms, or link (the organization hands the link out)


def _text(raw: dict, name: str, errors: list, prefix: str, max_length: int, required: bool = False) -> str | None:
    value = raw.get(name)
    if value is None:
        if required:
            errors.append(FieldError(prefix + name, "is required", "required"))
        return None
    if not isinstance(value, str):
        errors.append(FieldError(prefix + name, "must be a string", "type"))
        return None
    value = value.strip()
    if required and not value:
        errors.append(FieldError(prefix + name, "must not be empty", "required"))
        return None
    if len(value) > max_length:
        errors.append(FieldError(prefix + name, f"must be at most {max_length} characters", "too_long"))
        return None
    return value


def _flag(raw: dict, name: str, errors: list, prefix: str) -> bool | None:
    value = raw.get(name)
    if value is None or isinstance(value, bool):
        return value
    errors.append(FieldError(prefix + name, "must be true or false", "type"))
    return None


# The longest text each customer field may hold (the register's columns), stated here once:
# clean_customer applies them and the API document shows them.
CUSTOMER_LENGTHS = {"external_id": 200, "first_name": 120, "email": 254, "phone": 32, "language": 8,
                    "preferred_channel": 8}


def clean_customer(raw, errors: list, prefix: str = "customer.") -> CustomerData | None:
    if not isinstance(raw, dict):
        errors.append(FieldError(prefix.rstrip("."), "must be an object with external_id", "type"))
        return None
    known = {"external_id", "first_name", "email", "phone", "language", "preferred_channel",
             "consent_email", "consent_sms", "consent_marketing"}
    for name in sorted(set(raw) - known):
        errors.append(FieldError(prefix + name, "is not a known field", "unknown_field"))
    start = len(errors)
    external_id = _text(raw, "external_id", errors, prefix, CUSTOMER_LENGTHS["external_id"], required=True)
    first_name = _text(raw, "first_name", errors, prefix, CUSTOMER_LENGTHS["first_name"])
    email = _text(raw, "email", errors, prefix, CUSTOMER_LENGTHS["email"])
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(FieldError(prefix + "email", "is not a valid e-mail address", "invalid"))
    phone = _text(raw, "phone", errors, prefix, CUSTOMER_LENGTHS["phone"])
    if phone:
        phone = re.sub(r"[\s()-]", "", phone)
        if phone.startswith("00"):
            phone = "+" + phone[2:]
        if not PHONE.match(phone):
            errors.append(FieldError(prefix + "phone", "must be a phone number, e.g. +46701234567", "invalid"))
    language = _text(raw, "language", errors, prefix, CUSTOMER_LENGTHS["language"])
    if language and not LANGUAGE.match(language.lower()):
        errors.append(FieldError(prefix + "language", "must be a language code such as sv or en", "invalid"))
    preferred = _text(raw, "preferred_channel", errors, prefix, CUSTOMER_LENGTHS["preferred_channel"])
    if preferred and preferred not in ("email", "sms"):
        errors.append(FieldError(prefix + "preferred_channel", "must be email or sms", "invalid"))
    consent_email = _flag(raw, "consent_email", errors, prefix)
    consent_sms = _flag(raw, "consent_sms", errors, prefix)
    consent_marketing = _flag(raw, "consent_marketing", errors, prefix)
    if len(errors) > start:
        return None
    return CustomerData(external_id=external_id, first_name=first_name, email=email.lower() if email else email,
                        phone=phone, language=language.lower() if language else language,
                        preferred_channel=preferred, consent_email=consent_email, consent_sms=consent_sms,
                        consent_marketing=consent_marketing)


def parse_time(value, time_zone: str) -> dt.datetime | None:
    """ISO 8601; a timestamp without offset is read in `time_zone` (the installation's)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(time_zone))
    return parsed.astimezone(dt.UTC)


def clean_event(raw: dict, catalog: EventCatalog, now: dt.datetime, prefix: str = "") -> CleanEvent | list[FieldError]:
    unstorable = hostile.problems(raw) if isinstance(raw, dict) else []
    if unstorable:
        # Said alone: the other checks would name fields by keys that cannot be sent back.
        return [FieldError(f"{prefix}{path}", reason, "unstorable") for path, reason in unstorable]
    errors: list[FieldError] = []
    known = {"id", "customer", "touchpoint", "unit", "interaction", "occurred_at", "metadata", "channel"}
    for name in sorted(set(raw) - known):
        errors.append(FieldError(prefix + name, "is not a known field", "unknown_field"))
    external_id = _text(raw, "id", errors, prefix, 200)
    customer = clean_customer(raw.get("customer"), errors, prefix + "customer.") if "customer" in raw else None
    if "customer" not in raw:
        errors.append(FieldError(prefix + "customer", "is required", "required"))
    touchpoint_id = None
    code = _text(raw, "touchpoint", errors, prefix, 80, required=True)
    if code:
        touchpoint_id = catalog.touchpoints.get(code)
        if touchpoint_id is None:
            errors.append(FieldError(prefix + "touchpoint", f"no touchpoint with code '{code}'", "unknown"))
    unit_id = unit_path = None
    unit_code = _text(raw, "unit", errors, prefix, 80)
    if unit_code:
        if unit_code in catalog.units:
            unit_id, unit_path = catalog.units[unit_code]
        else:
            errors.append(FieldError(prefix + "unit", f"no unit with code '{unit_code}'", "unknown"))
    interaction = _text(raw, "interaction", errors, prefix, 120) or ""
    channel = _text(raw, "channel", errors, prefix, 8) or ""
    if channel and channel not in rules.CHANNELS:
        errors.append(FieldError(prefix + "channel", f"must be one of: {', '.join(rules.CHANNELS)}", "invalid"))
    occurred_at = now
    if raw.get("occurred_at") is not None:
        parsed = parse_time(raw["occurred_at"], catalog.time_zone)
        if parsed is None:
            errors.append(FieldError(prefix + "occurred_at", "must be an ISO 8601 timestamp", "invalid"))
        elif parsed > now + FUTURE_TOLERANCE:
            errors.append(FieldError(prefix + "occurred_at", "must not be in the future", "future"))
        else:
            occurred_at = parsed
    metadata = raw.get("metadata") or {}
    if not isinstance(metadata, dict):
        errors.append(FieldError(prefix + "metadata", "must be an object", "type"))
        metadata = {}
    elif len(metadata) > MAX_METADATA_KEYS:
        errors.append(FieldError(prefix + "metadata", f"has more than {MAX_METADATA_KEYS} keys", "too_many"))
    else:
        for key, value in metadata.items():
            if len(str(key)) > METADATA_KEY_LENGTH:
                errors.append(FieldError(f"{prefix}metadata.{str(key)[:METADATA_KEY_LENGTH]}…",
                                         f"key must be at most {METADATA_KEY_LENGTH} characters", "too_long"))
            elif value is not None and not isinstance(value, str | int | float | bool):
                errors.append(FieldError(f"{prefix}metadata.{key}", "must be text, a number or a boolean", "type"))
            elif isinstance(value, str) and len(value) > METADATA_VALUE_LENGTH:
                errors.append(FieldError(f"{prefix}metadata.{key}",
                                         f"must be at most {METADATA_VALUE_LENGTH} characters", "too_long"))
    if errors:
        return errors
    return CleanEvent(customer=customer, touchpoint_id=touchpoint_id, occurred_at=occurred_at,
                      external_id=external_id or None, unit_id=unit_id, unit_path=unit_path,
                      interaction=interaction, metadata=metadata, channel=channel)
