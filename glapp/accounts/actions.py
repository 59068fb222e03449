"""Writes for organizations, units, users, memberships and API keys."""

import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from glapp.accounts.models import ApiKey, Membership, Organization, Role, Unit, User
from glapp.core.errors import FieldError, ValidationFailed


def create_organization(name: str, slug: str = "", default_language: str = "sv") -> Organization:
    with transaction.atomic():
        org = Organization.objects.create(name=name, slug=slug or slugify(name), default_language=default_language)
        create_unit(org, name=name, code=slugify(name) or "root", kind=Unit.Kind.COMPANY)
    return org


def create_unit(org: Organization, name: str, code: str, kind: str = Unit.Kind.OTHER,
                parent: Unit | None = None) -> Unit:
    if parent is not None and parent.organization_id != org.id:
        raise ValidationFailed([FieldError("parent", "belongs to another organization")])
    with transaction.atomic():
        unit = Unit.objects.create(organization=org, name=name, code=code, kind=kind, parent=parent)
        unit.path = f"{parent.path if parent else '/'}{unit.id}/"
        unit.save(update_fields=["path"])
    return unit


def create_user(username: str, password: str, *, email: str = "", first_name: str = "", last_name: str = "",
                language: str = "", is_superuser: bool = False) -> User:
    if is_superuser:
        return User.objects.create_superuser(username=username, password=password, email=email,
                                             first_name=first_name, last_name=last_name, language=language)
    return User.objects.create_user(username=username, password=password, email=email, first_name=first_name,
                                    last_name=last_name, language=language)


def add_member(org: Organization, user: User, role: str = Role.VIEWER, unit: Unit | None = None) -> Membership:
    if role not in Role.values:
        raise ValidationFailed([FieldError("role", f"must be one of: {', '.join(Role.values)}")])
    if unit is not None and unit.organization_id != org.id:
        raise ValidationFailed([FieldError("unit", "belongs to another organization")])
    membership, _ = Membership.objects.update_or_create(
        organization=org, user=user, defaults={"role": role, "unit": unit}
    )
    return membership


def hash_key_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(org: Organization, name: str, scopes: list[str], created_by: User | None = None,
                   unit: Unit | None = None) -> tuple[ApiKey, str]:
    """Create a key and return it with its plaintext, which is shown once and never stored."""
    bad = [s for s in scopes if s not in ApiKey.SCOPES]
    if bad or not scopes:
        raise ValidationFailed([FieldError("scopes", f"choose from: {', '.join(ApiKey.SCOPES)}")])
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    key = ApiKey.objects.create(organization=org, name=name, prefix=prefix, key_hash=hash_key_secret(secret),
                                scopes=scopes, created_by=created_by, unit=unit)
    return key, f"glk_{prefix}_{secret}"


def revoke_api_key(key: ApiKey) -> None:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])


def touch_api_key(key: ApiKey) -> None:
    """Record use at most once a minute, so a busy integration does not write on every call."""
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now


def remember_language(user: User, language: str) -> None:
    """Store the UI language on the user so it follows them to every browser."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"unsupported language {language!r}")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
