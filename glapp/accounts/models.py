"""Tenants, their unit hierarchy, people and their roles, and API keys."""

import re

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _

from glapp.core import events
from glapp.core.errors import FieldError, ValidationFailed
from glapp.core.models import OrgQuerySet, OrgScopedModel


def default_languages() -> list[str]:
    return ["sv", "en"]


class Organization(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    default_language = models.CharField(max_length=8, default="sv")
    # The languages its surveys and customers use (the default first); the UI languages glapp has.
    languages = models.JSONField(default=default_languages, blank=True)
    keep_comment_originals = models.BooleanField(
        default=True,
        help_text="Keep comments as written (shown only to roles with PII rights). Off: once analyzed, "
                  "a comment's stored text is replaced by its redacted text and the original is gone.")
    widget_origins = models.TextField(
        blank=True, default="",
        help_text=_("The sites that may show this organization's survey widget, one origin per line "
                    "(https://shop.example). The widget's survey pages may be framed only by these, and "
                    "the widget stays off until one is listed."))
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    @property
    def widget_origin_list(self) -> list[str]:
        return parse_origins(self.widget_origins)[0]

    def clean(self) -> None:
        _origins, bad = parse_origins(self.widget_origins)
        if bad:
            raise ValidationError({"widget_origins": _("Not an origin (scheme://host[:port], nothing after it): "
                                                       "%(lines)s") % {"lines": ", ".join(bad)}})


def parse_origins(text: str) -> tuple[list[str], list[str]]:
    """(origins, lines that are not one) of a text with one origin per line. An origin is
    scheme://host[:port] with http or https; it goes into a Content-Security-Policy header, so
    nothing else (spaces, semicolons, quotes, paths) may pass."""
    good, bad = [], []
    for line in (text or "").splitlines():
        line = line.strip().rstrip("/").lower()
        if not line:
            continue
        (good if ORIGIN.fullmatch(line) else bad).append(line)
    return good, bad


ORIGIN = re.compile(r"https?://(?:[A-Za-z0-9-]+\.)*[A-Za-z0-9-]+(?::\d{1,5})?")


class Unit(OrgScopedModel):
    """A node of the organization's hierarchy (company → region → store/team).

    `path` is a materialized path ("/1/4/9/") so "this unit and everything below it"
    is one indexed prefix match instead of a recursive query. `save()` alone sets it, on every
    create and every change of parent, whoever saves (actions, the admin, the demo, tests).
    """

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        REGION = "region", _("Region")
        STORE = "store", _("Store")
        TEAM = "team", _("Team")
        OTHER = "other", _("Other")

    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    name = models.CharField(max_length=200)
    code = models.SlugField(max_length=80, help_text="Stable key used by imports and the API.")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OTHER)
    path = models.CharField(max_length=500, db_index=True, editable=False, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="unit_code_unique")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        """Save, then give the unit the path under its parent. When that differs from the stored
        path the unit has moved: the paths below it and every stored copy (`events.UnitMoved`) are
        rewritten in the same transaction. Moving a unit under itself or a unit below it is
        refused."""
        with transaction.atomic():
            before, parent_path = self._placement()
            super().save(*args, **kwargs)
            path = f"{parent_path}{self.pk}/"
            self.path = path
            if path == before:
                return
            if not before:  # a new unit, or one saved before save() kept paths: nothing below knows it
                Unit.objects.filter(pk=self.pk).update(path=path)
                return
            # A move: one UPDATE rewrites the unit and everything below it (the unit's own row
            # still has the old path, so it is the prefix's first match).
            subtree = Unit.objects.for_org(self.organization_id).filter(Unit.subtree_filter("path", before))
            subtree.update(path=Unit.moved_path("path", before, path))
            events.UnitMoved(self.organization_id, old_path=before, new_path=path).send()

    def clean(self) -> None:
        # The admin validates before it saves, so a refused parent is shown on the form.
        try:
            with transaction.atomic():  # _placement locks rows, which needs a transaction
                self._placement()
        except ValidationFailed as refused:
            raise ValidationError({"parent": [e.message for e in refused.errors]}) from None

    def _placement(self) -> tuple[str, str]:
        """(the stored path, the parent's path) read under a row lock, so a concurrent move of
        either cannot leave this unit with a stale path; raises ValidationFailed when the parent
        may not hold this unit."""
        ids = [pk for pk in (self.pk, self.parent_id) if pk is not None]
        rows = {pk: (org_id, path) for pk, org_id, path in
                Unit.objects.select_for_update().filter(pk__in=ids).order_by("pk")
                .values_list("pk", "organization_id", "path")}
        before = rows[self.pk][1] if self.pk in rows else ""
        if self.parent_id is None:
            return before, "/"
        parent_org, parent_path = rows.get(self.parent_id, (None, ""))
        if parent_org != self.organization_id:
            raise ValidationFailed([FieldError("parent", "belongs to another organization")])
        if self.parent_id == self.pk or Unit.in_subtree(parent_path, before):
            raise ValidationFailed([FieldError("parent", "cannot be the unit itself or a unit below it", "cycle")])
        return before, parent_path

    @staticmethod
    def in_subtree(path: str | None, subtree: str | None) -> bool:
        """Whether the unit at `path` is the unit at `subtree` or below it: the one subtree rule
        in Python. An empty path or subtree matches nothing, never everything."""
        return bool(path) and bool(subtree) and path.startswith(subtree)

    @staticmethod
    def subtree_filter(lookup: str, subtree: str) -> Q:
        """The same rule as a filter on a stored path (`lookup`: "path", "unit__path",
        "unit_path", …)."""
        if not subtree:
            return Q(pk__in=[])
        return Q(**{f"{lookup}__startswith": subtree})

    @staticmethod
    def moved_path(lookup: str, old_path: str, new_path: str) -> Concat:
        """For an UPDATE: the stored path `lookup` with its prefix `old_path` replaced by `new_path`."""
        return Concat(Value(new_path), Substr(lookup, len(old_path) + 1), output_field=models.CharField())

    @staticmethod
    def id_in_path(path: str) -> int:
        """The unit a materialized path ends in: "/1/4/9/" → 9."""
        return int(path.strip("/").rsplit("/", 1)[-1])

    @staticmethod
    def ids_on_path(path: str | None) -> list[int]:
        """The units a materialized path passes through, top first: "/1/4/9/" → [1, 4, 9]."""
        return [int(part) for part in (path or "").strip("/").split("/") if part]

    @staticmethod
    def confined(limit_path: str | None, unit_id: int | None, unit_path: str | None) -> tuple[int | None, bool]:
        """Where a writer limited to the subtree `limit_path` (None: the whole organization) may
        write what names `unit_id` at `unit_path`: (the unit to store, allowed). Nothing named
        lands on the writer's own unit; a unit outside the subtree is not allowed. The one rule
        for API responses, events and file imports."""
        if limit_path is None:
            return unit_id, True
        if unit_id is None:
            return Unit.id_in_path(limit_path), True
        return unit_id, Unit.in_subtree(unit_path, limit_path)


class User(AbstractUser):
    language = models.CharField(max_length=8, blank=True, default="", help_text="UI language; empty = org default")


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    ANALYST = "analyst", _("Analyst")
    CASE_HANDLER = "case_handler", _("Case handler")
    VIEWER = "viewer", _("Viewer")


# What each role may do. Checked in actions/queries, never in templates alone.
# "surveys": may design, edit and publish surveys. "cases": may work cases (contact the customer,
# change status, owner and notes, close with a root cause) within their units.
ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.OWNER: {"read", "write", "import", "export", "manage", "manage_keys", "pii", "surveys", "cases"},
    Role.ADMIN: {"read", "write", "import", "export", "manage", "manage_keys", "pii", "surveys", "cases"},
    Role.ANALYST: {"read", "write", "import", "export", "surveys"},
    Role.CASE_HANDLER: {"read", "export", "pii", "cases"},  # "pii": may read comments unredacted
    Role.VIEWER: {"read"},
}


class Membership(OrgScopedModel):
    """A user's role in an organization, limited to a unit subtree (null unit = all units)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="membership_unique")]

    def can(self, permission: str) -> bool:
        return permission in ROLE_PERMISSIONS.get(self.role, set())


class ApiKeyQuerySet(OrgQuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiKey(OrgScopedModel):
    """An organization's API key. Only a SHA-256 of the secret is stored.

    Keys look like `glk_<prefix>_<secret>`; the prefix finds the row, the hash verifies it.
    SHA-256 (not a slow KDF) is right here because the secret is 32 random bytes.
    """

    SCOPES = ("responses:read", "responses:write", "surveys:write", "customers:export", "customers:erase",
              "cases:read", "cases:write", "admin")

    name = models.CharField(max_length=120)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"


class AuditQuerySet(OrgQuerySet):
    """Append-only: the code has no way to change or remove an entry (an organization's entries
    go only when the organization itself is deleted)."""

    def update(self, **kwargs):
        raise TypeError("Audit entries are append-only.")

    def delete(self):
        raise TypeError("Audit entries are append-only.")


class AuditEntry(OrgScopedModel):
    """Who did something with personal data or access rights, and when. Internal ids and keyed
    hashes only: an entry never holds a customer's name, e-mail, phone or external id, so it can
    outlive that customer's erasure."""

    class Actor(models.TextChoices):
        USER = "user", _("Person")
        API_KEY = "api_key", _("API key")
        COMMAND = "command", _("Command line")
        SCHEDULED = "scheduled", _("Scheduled task")

    class Action(models.TextChoices):
        UNREDACTED_VIEWED = "comments.unredacted_viewed", _("Viewed unredacted comments")
        RESPONSES_EXPORTED = "responses.exported", _("Exported responses")
        CUSTOMER_EXPORTED = "customer.exported", _("Exported a customer's data")
        CUSTOMER_ERASED = "customer.erased", _("Erased a customer")
        ROLE_CHANGED = "member.role_changed", _("Changed a role")
        MEMBER_INVITED = "member.invited", _("Invited a person")
        KEY_CREATED = "api_key.created", _("Created an API key")
        KEY_REVOKED = "api_key.revoked", _("Revoked an API key")
        RETENTION_APPLIED = "retention.applied", _("Applied the retention periods")
        RETENTION_CHANGED = "retention.changed", _("Changed the retention periods")
        WEBHOOK_CREATED = "webhook.created", _("Added a webhook endpoint")
        WEBHOOK_CHANGED = "webhook.changed", _("Changed a webhook endpoint")
        WEBHOOK_DELETED = "webhook.deleted", _("Deleted a webhook endpoint")
        WEBHOOK_ENABLED = "webhook.enabled", _("Enabled a webhook endpoint")
        WEBHOOK_DISABLED = "webhook.disabled", _("Disabled a webhook endpoint")
        WEBHOOK_SECRET_ROTATED = "webhook.secret_rotated", _("Rotated a webhook signing secret")
        WEBHOOK_REPLAYED = "webhook.replayed", _("Replayed webhook messages")
        WEBHOOK_TESTED = "webhook.tested", _("Sent a test webhook")

    actor = models.CharField(max_length=16, choices=Actor.choices)
    # Plain ids, not foreign keys: an entry stays as written when the person or key is removed.
    user_id = models.IntegerField(null=True, blank=True)
    username = models.CharField(max_length=150, blank=True, default="")
    api_key_id = models.IntegerField(null=True, blank=True)
    action = models.CharField(max_length=40, choices=Action.choices)
    target_type = models.CharField(max_length=40, blank=True, default="")
    target = models.CharField(max_length=80, blank=True, default="", help_text="An internal id or a keyed hash.")
    details = models.JSONField(default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["organization", "created_at"], name="audit_org_time")]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit entries are append-only.")


class SetupToken(models.Model):
    """The one-time token that lets someone create the first organization on the first-run page
    of an empty installation (`glapp serve` and `glapp setup-token` print it). Only a SHA-256 of
    it is stored; it is spent with the organization it creates, in one transaction."""

    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    spent_at = models.DateTimeField(null=True, blank=True)
