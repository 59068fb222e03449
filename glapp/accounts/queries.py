"""Reads for accounts, and the `Access` that scopes every other read to what a person may see."""

import datetime as dt
import hmac
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from glapp.accounts.actions import hash_key_secret
from glapp.accounts.models import ROLE_PERMISSIONS, ApiKey, AuditEntry, Membership, Organization, Role, Unit, User
from glapp.core import bulk


@dataclass(frozen=True)
class Access:
    """Who is asking: an organization, a role, and optionally a unit subtree they are limited to."""

    organization: Organization
    role: str
    unit_path: str | None = None  # None: every unit; "/1/4/": that unit and below
    scopes: frozenset[str] = frozenset()  # API keys only

    @property
    def organization_id(self) -> int:
        return self.organization.id

    def can(self, permission: str) -> bool:
        return permission in ROLE_PERMISSIONS.get(self.role, set())

    @property
    def whole_organization(self) -> bool:
        """Not limited to a unit. What belongs to every unit (surveys, topics, the customer
        register, bounces, relationship waves) is changed only by such people and keys."""
        return self.unit_path is None

    def can_for_organization(self, permission: str) -> bool:
        return self.whole_organization and self.can(permission)

    def unit_filter(self, path: str = "unit__path") -> Q:
        """Rows this access may see, by the unit path `path` looks up ("unit__path", "path" on
        units themselves, "unit_path" where a row keeps a copy). Rows with no unit are org-wide
        and hidden from unit-limited users. Every read limited by an access filters through here."""
        if self.whole_organization:
            return Q()
        return Unit.subtree_filter(path, self.unit_path)


def memberships_of(user: User):
    return Membership.objects.filter(user=user).select_related("organization", "unit").order_by("organization__name")


def access_for(user: User, organization_id: int | None = None) -> Access | None:
    if not user.is_authenticated:
        return None
    qs = memberships_of(user)
    if organization_id is not None:
        qs = qs.filter(organization_id=organization_id)
    membership = qs.first()
    if membership is None:
        return None
    return Access(membership.organization, membership.role, membership.unit.path if membership.unit else None)


def api_key_access(raw_key: str) -> tuple[Access, ApiKey] | None:
    parts = raw_key.split("_", 2)
    if len(parts) != 3 or parts[0] != "glk":
        return None
    # Read on every API request, so in one plain statement: the ORM's query for this (two joins,
    # an ordering) costs several times the lookup itself. Nothing is cached between requests, so
    # a revoked key, a changed scope or a moved unit counts from the next request in every process.
    key = bulk.select_instance(ApiKey, {"prefix": parts[1]}, related=("organization", "unit"))
    if key is None or key.revoked_at is not None or not hmac.compare_digest(key.key_hash, hash_key_secret(parts[2])):
        return None
    role = Role.ADMIN if "admin" in key.scopes else Role.ANALYST
    access = Access(key.organization, role, key.unit.path if key.unit else None, frozenset(key.scopes))
    return access, key


def units_of(access: Access):
    return Unit.objects.for_org(access.organization).filter(access.unit_filter("path")).order_by("path")


def unit_trail(organization_id: int, path: str) -> list[Unit]:
    """The units along a materialized path ("/1/4/9/"), top first: where a unit sits, in one query."""
    ids = [int(part) for part in path.strip("/").split("/") if part.isdigit()]
    found = {u.pk: u for u in Unit.objects.for_org(organization_id).filter(pk__in=ids)
             .only("id", "name", "code", "path")}
    return [found[pk] for pk in ids if pk in found]


def api_keys_of(org: Organization):
    return ApiKey.objects.for_org(org).order_by("-created_at")


def organization_policy(organization_id: int) -> Organization:
    """The organization's settings (data policies), read where a write must honour them."""
    return Organization.objects.only("id", "keep_comment_originals").get(pk=organization_id)


def audit_entries(organization_id: int, action: str = "", date_from=None, date_to=None):
    """The organization's audit log, newest first, optionally one action and an inclusive range
    of local days."""
    rows = AuditEntry.objects.for_org(organization_id).order_by("-created_at", "-id")
    if action:
        rows = rows.filter(action=action)
    tz = timezone.get_current_timezone()
    if date_from:
        rows = rows.filter(created_at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=tz))
    if date_to:
        rows = rows.filter(created_at__lt=dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return rows


def installation_is_empty() -> bool:
    """No organization yet: the first-run page is open (with the setup token)."""
    return not Organization.objects.exists()


def members_of(access: Access):
    """The organization's people as the access may see them: a unit-limited manager sees only
    those limited to units in their subtree."""
    rows = Membership.objects.for_org(access.organization).select_related("user", "unit")
    if not access.whole_organization:
        rows = rows.filter(access.unit_filter("unit__path"))
    return rows.order_by("user__last_name", "user__first_name", "user__username")


def member_of(access: Access, membership_id: int) -> Membership | None:
    return members_of(access).filter(pk=membership_id).first()


def unit_of(access: Access, unit_id) -> Unit | None:
    try:
        return units_of(access).filter(pk=int(unit_id)).first()
    except (TypeError, ValueError):
        return None
