"""Writes for organizations, units, users, memberships and API keys."""

import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from glapp.accounts.models import ApiKey, AuditEntry, Membership, Organization, Role, Unit, User
from glapp.core import events
from glapp.core.errors import FieldError, ValidationFailed


def create_organization(name: str, slug: str = "", default_language: str = "sv",
                        keep_comment_originals: bool = True) -> Organization:
    """The one way an organization comes to be (the CLI, the demo, the admin site and tests all
    call it). Higher apps give it what every organization has from the start (text analysis: the
    built-in topics) in the same transaction, on `events.OrganizationCreated`, so no read ever
    has to create it."""
    with transaction.atomic():
        org = Organization.objects.create(name=name, slug=slug or slugify(name), default_language=default_language,
                                          keep_comment_originals=keep_comment_originals)
        create_unit(org, name=name, code=slugify(name) or "root", kind=Unit.Kind.COMPANY)
        events.OrganizationCreated(org.id).send()
    return org


def create_unit(org: Organization, name: str, code: str, kind: str = Unit.Kind.OTHER,
                parent: Unit | None = None) -> Unit:
    # Unit.save() checks the parent and sets the path, as it does for the admin.
    return Unit.objects.create(organization=org, name=name, code=code, kind=kind, parent=parent)


def move_unit(unit: Unit, parent: Unit) -> Unit:
    """Put the unit (and everything below it) under another parent. Unit.save() rewrites the
    paths below it and every stored copy in one transaction, and refuses a parent below the unit."""
    previous, unit.parent = unit.parent, parent
    try:
        unit.save(update_fields=["parent"])
    except ValidationFailed:
        unit.parent = previous  # refused: the caller's copy stays what is stored
        raise
    return unit


def create_user(username: str, password: str, *, email: str = "", first_name: str = "", last_name: str = "",
                language: str = "", is_superuser: bool = False) -> User:
    if is_superuser:
        return User.objects.create_superuser(username=username, password=password, email=email,
                                             first_name=first_name, last_name=last_name, language=language)
    return User.objects.create_user(username=username, password=password, email=email, first_name=first_name,
                                    last_name=last_name, language=language)


@dataclass(frozen=True)
class AuditActor:
    """Who an audit entry names: a signed-in person, an API key or the operator's command line."""

    kind: str
    user_id: int | None = None
    username: str = ""
    api_key_id: int | None = None

    @classmethod
    def of_user(cls, user) -> "AuditActor":
        return cls(AuditEntry.Actor.USER, user.pk, user.get_username())

    @classmethod
    def of_key(cls, key: ApiKey) -> "AuditActor":
        return cls(AuditEntry.Actor.API_KEY, api_key_id=key.pk, username=key.prefix)

    @classmethod
    def command(cls) -> "AuditActor":
        return cls(AuditEntry.Actor.COMMAND)

    @classmethod
    def scheduled(cls) -> "AuditActor":
        """glapp's own background work (e.g. the nightly retention run)."""
        return cls(AuditEntry.Actor.SCHEDULED)


def record_audit(organization_id: int, action: str, actor: AuditActor, *, target_type: str = "",
                 target: str | int = "", details: dict | None = None) -> AuditEntry:
    """Append an entry to the organization's audit log. Callers pass internal ids, counts and
    keyed hashes only, never a customer's identifiers or comment text."""
    return AuditEntry.objects.create(
        organization_id=organization_id, action=action, actor=actor.kind, user_id=actor.user_id,
        username=actor.username[:150], api_key_id=actor.api_key_id, target_type=target_type,
        target=str(target)[:80], details=details or {})


def add_member(org: Organization, user: User, role: str = Role.VIEWER, unit: Unit | None = None,
               actor: AuditActor | None = None) -> Membership:
    """Give a person a role (or change it); a change of role or unit is audited."""
    if role not in Role.values:
        raise ValidationFailed([FieldError("role", f"must be one of: {', '.join(Role.values)}")])
    if unit is not None and unit.organization_id != org.id:
        raise ValidationFailed([FieldError("unit", "belongs to another organization")])
    with transaction.atomic():
        before = Membership.objects.filter(organization=org, user=user).values("role", "unit_id").first()
        membership, _ = Membership.objects.update_or_create(
            organization=org, user=user, defaults={"role": role, "unit": unit}
        )
        after = {"role": role, "unit_id": unit.pk if unit else None}
        if before != after:
            record_role_change(org.id, user.pk, before, after, actor or AuditActor.command())
    return membership


def record_role_change(organization_id: int, user_id: int, before: dict | None, after: dict | None,
                       actor: AuditActor) -> AuditEntry:
    """A membership made, changed or removed (None: none before / none after)."""
    return record_audit(organization_id, AuditEntry.Action.ROLE_CHANGED, actor, target_type="user",
                        target=user_id, details={"before": before, "after": after})


def hash_key_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(org: Organization, name: str, scopes: list[str], created_by: User | None = None,
                   unit: Unit | None = None, actor: AuditActor | None = None) -> tuple[ApiKey, str]:
    """Create a key and return it with its plaintext, which is shown once and never stored.
    Audited, with its scopes and unit."""
    bad = [s for s in scopes if s not in ApiKey.SCOPES]
    if bad or not scopes:
        raise ValidationFailed([FieldError("scopes", f"choose from: {', '.join(ApiKey.SCOPES)}")])
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        key = ApiKey.objects.create(organization=org, name=name, prefix=prefix, key_hash=hash_key_secret(secret),
                                    scopes=scopes, created_by=created_by, unit=unit)
        actor = actor or (AuditActor.of_user(created_by) if created_by else AuditActor.command())
        record_audit(org.id, AuditEntry.Action.KEY_CREATED, actor, target_type="api_key", target=key.pk,
                     details={"prefix": prefix, "scopes": list(scopes), "unit_id": unit.pk if unit else None})
    return key, f"glk_{prefix}_{secret}"


def revoke_api_key(key: ApiKey, actor: AuditActor | None = None) -> None:
    if key.revoked_at is None:
        with transaction.atomic():
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
            record_audit(key.organization_id, AuditEntry.Action.KEY_REVOKED, actor or AuditActor.command(),
                         target_type="api_key", target=key.pk, details={"prefix": key.prefix})


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


def confirm_totp(user: User, key_hex: str, code: str) -> TOTPDevice | None:
    """Store the TOTP app the person set up with `key_hex` once they prove it with a current code;
    None (and nothing stored) when the code does not match. One app per person: a new one
    replaces the old."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name="TOTP", key=key_hex, confirmed=True)
        if not device.verify_token(code):
            transaction.set_rollback(True)
            return None
    return device


BACKUP_CODES = 10


def new_backup_codes(user: User) -> list[str]:
    """Ten one-time codes for when the phone is lost, shown once; earlier codes stop working."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(user=user, name="backup", defaults={"confirmed": True})
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def verify_second_factor(user: User, code: str) -> TOTPDevice | StaticDevice | None:
    """The person's device that accepts `code` (a TOTP code, or a backup code, which is then used
    up), or None. django-otp records the code's time step so it cannot be replayed, and slows
    down a device after each failure."""
    code = "".join(code.split()).lower()
    # A six-digit code is for the app, anything else a backup code: a backup code tried on the
    # app would count as the app's failure and slow down its next code.
    kind = TOTPDevice if len(code) == 6 and code.isdigit() else StaticDevice
    with transaction.atomic():
        for device in kind.objects.filter(user=user, confirmed=True).select_for_update():
            if device.verify_token(code):
                return device
    return None


def remove_second_factor(user: User) -> None:
    """Forget the person's TOTP app and backup codes (they opted out, or lost the phone and an
    administrator resets them: they enrol again at their next sign-in if their role needs it)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
