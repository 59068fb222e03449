"""Writes for organizations, units, users, memberships and API keys."""

import datetime as dt
import hashlib
import re
import secrets
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from glapp.accounts.models import ApiKey, AuditEntry, Membership, Organization, Role, SetupToken, Unit, User
from glapp.core import events
from glapp.core.errors import FieldError, ValidationFailed


def create_organization(name: str, slug: str = "", default_language: str = "sv",
                        keep_comment_originals: bool = True, languages: list[str] | None = None,
                        time_zone: str = "") -> Organization:
    """The one way an organization comes to be (the CLI, the first-run page, the demo, the admin
    site and tests all call it). Higher apps give it what every organization has from the start
    (text analysis: the built-in topics; contacts: the contact policy in `time_zone`) in the same
    transaction, on `events.OrganizationCreated`, so no read ever has to create it."""
    fields = organization_fields(name=name, slug=slug or slugify(name), default_language=default_language,
                                 languages=languages, time_zone=time_zone)
    with transaction.atomic():
        if Organization.objects.filter(slug=fields["slug"]).exists():
            raise ValidationFailed([FieldError("slug", "is taken by another organization", "taken")])
        org = Organization.objects.create(name=fields["name"], slug=fields["slug"],
                                          default_language=fields["default_language"],
                                          languages=fields["languages"], keep_comment_originals=keep_comment_originals)
        create_unit(org, name=org.name, code=slugify(org.name) or "root", kind=Unit.Kind.COMPANY)
        events.OrganizationCreated(org.id, time_zone=time_zone).send()
    return org


def organization_fields(*, name: str, slug: str, default_language: str, languages: list[str] | None,
                        time_zone: str = "") -> dict:
    """An organization's settings checked as one: each bad field named, the default language
    first among its languages."""
    errors = []
    name = (name or "").strip()
    if not name:
        errors.append(FieldError("name", "is required", "required"))
    if not SLUG.fullmatch(slug or ""):
        errors.append(FieldError("slug", "use lowercase letters, digits and hyphens", "invalid"))
    ui_languages = [code for code, _name in settings.LANGUAGES]
    if languages and not (isinstance(languages, list) and all(isinstance(code, str) for code in languages)):
        languages = [repr(languages)]  # not a list of codes: refused below, with the others
    languages = list(dict.fromkeys(languages or [default_language]))
    if default_language not in ui_languages:
        errors.append(FieldError("default_language", f"must be one of: {', '.join(ui_languages)}"))
    bad = [code for code in languages if code not in ui_languages]
    if bad:
        errors.append(FieldError("languages", f"must be among: {', '.join(ui_languages)}"))
    if time_zone and not is_time_zone(time_zone):
        errors.append(FieldError("time_zone", "is not a known time zone (e.g. Europe/Stockholm)", "invalid"))
    if errors:
        raise ValidationFailed(errors)
    languages = [default_language, *(code for code in languages if code != default_language)]
    return {"name": name, "slug": slug, "default_language": default_language, "languages": languages}


SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?")


def is_time_zone(name: str) -> bool:
    return name in zoneinfo.available_timezones()


def update_organization(org: Organization, *, name: str, default_language: str, languages: list[str]) -> Organization:
    """Rename an organization or change its languages (its slug stays: commands and links use it)."""
    fields = organization_fields(name=name, slug=org.slug, default_language=default_language, languages=languages)
    org.name, org.default_language, org.languages = fields["name"], fields["default_language"], fields["languages"]
    org.save(update_fields=["name", "default_language", "languages"])
    return org


def create_unit(org: Organization, name: str, code: str, kind: str = Unit.Kind.OTHER,
                parent: Unit | None = None) -> Unit:
    # Unit.save() checks the parent and sets the path, as it does for the admin.
    with transaction.atomic():
        if Unit.objects.for_org(org).filter(code=code).exists():
            raise ValidationFailed([FieldError("code", "is taken by another unit", "taken")])
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


def create_user(username: str, password: str | None, *, email: str = "", first_name: str = "", last_name: str = "",
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
            if before is not None:
                events.MembershipChanged(org.id, user_id=user.pk).send()
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


# --- The first organization of an empty installation -------------------------------------------

SETUP_TOKEN_HOURS = 24


def issue_setup_token() -> str:
    """A new one-time token for the first-run page (printed by `glapp serve` and `glapp
    setup-token`), valid for a day; earlier unspent tokens stop working. Only its hash is stored."""
    token = secrets.token_urlsafe(24)
    with transaction.atomic():
        SetupToken.objects.filter(spent_at__isnull=True).delete()
        SetupToken.objects.create(token_hash=hash_key_secret(token))
    return token


def spend_setup_token(token: str) -> bool:
    """Spend the token if it is the current one and the installation is still empty. Called in the
    transaction that creates the organization, so the token and the emptiness are checked under
    one lock: two people with one token cannot both create an organization."""
    if not token:
        return False
    fresh = timezone.now() - dt.timedelta(hours=SETUP_TOKEN_HOURS)
    row = (SetupToken.objects.select_for_update()
           .filter(token_hash=hash_key_secret(token.strip()), spent_at__isnull=True, created_at__gte=fresh).first())
    if row is None or Organization.objects.exists():
        return False
    row.spent_at = timezone.now()
    row.save(update_fields=["spent_at"])
    return True


@dataclass(frozen=True)
class OwnerSpec:
    """The first owner of an organization: with a password (checked by the password rules), or
    none, and then an invitation link sets it."""

    username: str
    email: str = ""
    password: str = ""
    first_name: str = ""
    last_name: str = ""


def create_organization_with_owner(org_fields: dict, owner: OwnerSpec, *, setup_token: str | None = None,
                                   actor: AuditActor | None = None) -> tuple[Organization, User]:
    """An organization and its first owner in one transaction (`glapp org create`, the first-run
    page). With `setup_token` (the first-run page) the token must be the current one and the
    installation empty, and it is spent. Bad fields are all reported at once."""
    errors = owner_errors(owner)
    with transaction.atomic():
        if setup_token is not None and not spend_setup_token(setup_token):
            raise ValidationFailed([FieldError("token", "is not the current setup token, or an organization exists",
                                               "invalid_token")])
        try:
            org = create_organization(**org_fields)
        except ValidationFailed as refused:
            raise ValidationFailed([*refused.errors, *errors]) from None
        if errors:
            raise ValidationFailed(errors)
        user = create_user(owner.username, owner.password or None, email=owner.email, first_name=owner.first_name,
                           last_name=owner.last_name, language=org.default_language)
        add_member(org, user, Role.OWNER, actor=actor or AuditActor.command())
    return org, user


def owner_errors(owner: OwnerSpec) -> list[FieldError]:
    errors = []
    if not owner.username.strip():
        errors.append(FieldError("username", "is required", "required"))
    elif User.objects.filter(username=owner.username).exists():
        errors.append(FieldError("username", "is taken", "taken"))
    if owner.email:
        try:
            validate_email(owner.email)
        except DjangoValidationError:
            errors.append(FieldError("email", "is not an e-mail address", "invalid"))
    if owner.password:
        try:
            validate_password(owner.password, User(username=owner.username, email=owner.email,
                                                   first_name=owner.first_name, last_name=owner.last_name))
        except DjangoValidationError as exc:
            errors.append(FieldError("password", " ".join(exc.messages), "weak"))
    elif not owner.email:
        errors.append(FieldError("email", "is needed to invite an owner without a password", "required"))
    return errors


# --- People --------------------------------------------------------------------------------------

MANAGER_ROLES = (Role.OWNER, Role.ADMIN)


def roles_grantable_by(role: str) -> list[str]:
    """Owners hand out every role; admins every role but owner (and they cannot change an owner)."""
    return list(Role.values) if role == Role.OWNER else [r for r in Role.values if r != Role.OWNER]


def _check_may_change(actor_role: str, before_role: str | None, after_role: str | None) -> None:
    grantable = roles_grantable_by(actor_role)
    if actor_role not in MANAGER_ROLES or (before_role and before_role not in grantable) or (
            after_role and after_role not in grantable):
        raise ValidationFailed([FieldError("role", "only an owner may make or change an owner", "forbidden")])


def _check_not_last_owner(org: Organization, user: User, after_role: str | None) -> None:
    """An organization always keeps an owner: the last one cannot be demoted or removed."""
    if after_role == Role.OWNER:
        return
    owners = Membership.objects.for_org(org).filter(role=Role.OWNER, user__is_active=True)
    if owners.filter(user=user).exists() and not owners.exclude(user=user).exists():
        raise ValidationFailed([FieldError("role", "the organization needs at least one owner", "last_owner")])


def invite_member(org: Organization, email: str, role: str, unit: Unit | None, *, actor_role: str,
                  actor: AuditActor, first_name: str = "", last_name: str = "") -> tuple[Membership, bool]:
    """Give the person with this e-mail address a role, creating their account (no password yet:
    the invitation's link sets it) when glapp does not know them. Returns (membership, whether the
    account is new). The caller sends the invitation after the commit (`invitations.py`)."""
    email = email.strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ValidationFailed([FieldError("email", "is not an e-mail address", "invalid")]) from None
    _check_may_change(actor_role, None, role)
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).order_by("pk").first()
        new = user is None
        if new:
            user = create_user(_free_username(email), None, email=email, first_name=first_name, last_name=last_name)
        elif Membership.objects.for_org(org).filter(user=user).exists():
            raise ValidationFailed([FieldError("email", "already belongs to someone in this organization", "member")])
        if not user.is_active:
            user.is_active = True
            user.save(update_fields=["is_active"])
        membership = add_member(org, user, role, unit, actor=actor)
        record_audit(org.id, AuditEntry.Action.MEMBER_INVITED, actor, target_type="user", target=user.pk,
                     details={"role": role, "unit_id": unit.pk if unit else None, "new_account": new})
    return membership, new


def _free_username(email: str) -> str:
    base = email[:140]
    name, n = base, 2
    while User.objects.filter(username=name).exists():
        name, n = f"{base}-{n}", n + 1
    return name


def change_member(membership: Membership, role: str, unit: Unit | None, *, actor_role: str,
                  actor: AuditActor) -> Membership:
    """Change someone's role or unit (audited); the last owner stays an owner."""
    _check_may_change(actor_role, membership.role, role)
    with transaction.atomic():
        # The owners are locked, so two owners demoting each other at once cannot leave none.
        list(Membership.objects.select_for_update().filter(organization_id=membership.organization_id,
                                                           role=Role.OWNER))
        _check_not_last_owner(membership.organization, membership.user, role)
        return add_member(membership.organization, membership.user, role, unit, actor=actor)


def remove_member(membership: Membership, *, actor_role: str, actor: AuditActor) -> None:
    """Take someone's access to the organization away (audited). Someone who then belongs to no
    organization and is not a superuser is deactivated: they can no longer sign in."""
    _check_may_change(actor_role, membership.role, None)
    with transaction.atomic():
        list(Membership.objects.select_for_update().filter(organization_id=membership.organization_id,
                                                           role=Role.OWNER))
        _check_not_last_owner(membership.organization, membership.user, None)
        before = {"role": membership.role, "unit_id": membership.unit_id}
        Membership.objects.filter(pk=membership.pk).delete()
        record_role_change(membership.organization_id, membership.user_id, before, None, actor)
        events.MembershipChanged(membership.organization_id, user_id=membership.user_id).send()
        user = membership.user
        if not user.is_superuser and not Membership.objects.filter(user=user).exists():
            user.is_active = False
            user.save(update_fields=["is_active"])


def rename_unit(unit: Unit, name: str) -> Unit:
    """A unit's name is what people read; its code (what imports and the API use) stays."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed([FieldError("name", "is required", "required")])
    unit.name = name
    unit.save(update_fields=["name"])
    return unit


def free_unit_code(org: Organization, name: str) -> str:
    """A unit code from its name, unique in the organization ("Malmö" → "malmo", "malmo-2")."""
    base = slugify(name)[:70].strip("-") or "unit"
    taken = set(Unit.objects.for_org(org).filter(code__startswith=base).values_list("code", flat=True))
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    return code
