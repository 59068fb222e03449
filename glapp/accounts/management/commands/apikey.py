"""`glapp apikey create|list|revoke`: an organization's API keys from the command line."""

from django.core.management.base import BaseCommand, CommandError

from glapp.accounts.actions import create_api_key, revoke_api_key
from glapp.accounts.lookups import organization_by_slug, unit_by_code
from glapp.accounts.models import ApiKey
from glapp.accounts.queries import api_keys_of
from glapp.core.errors import GlappError


class Command(BaseCommand):
    help = "Create, list and revoke API keys. A new key is printed once; only its hash is stored."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a key and print it (once)")
        create.add_argument("--org", required=True, help="Organization slug")
        create.add_argument("--name", required=True, help="Which system uses the key")
        create.add_argument("--scope", action="append", dest="scopes", choices=ApiKey.SCOPES,
                            help="Repeat for several (default: responses:write)")
        create.add_argument("--unit", help="Unit code: the key sees and writes only this unit and below")
        listing = sub.add_parser("list", help="List an organization's keys")
        listing.add_argument("--org", required=True, help="Organization slug")
        revoke = sub.add_parser("revoke", help="Revoke a key by its prefix (the part after glk_)")
        revoke.add_argument("prefix")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _create(self, org, name, scopes, unit, **_):
        organization = organization_by_slug(org)
        unit_obj = unit_by_code(organization, unit) if unit else None
        try:
            key, plaintext = create_api_key(organization, name, scopes or ["responses:write"], unit=unit_obj)
        except GlappError as exc:
            raise CommandError(str(exc)) from None
        self.stderr.write(f"Created {key.name!r} ({', '.join(key.scopes)}"
                          f"{', unit ' + unit_obj.code if unit_obj else ''}). Store it now; it is not shown again:")
        self.stdout.write(plaintext)  # alone on stdout, so `KEY=$(glapp apikey create …)` works

    def _list(self, org, **_):
        organization = organization_by_slug(org)
        rows = [("PREFIX", "NAME", "SCOPES", "UNIT", "CREATED", "LAST USED", "REVOKED")]
        for key in api_keys_of(organization).select_related("unit"):
            rows.append((
                key.prefix, key.name, ",".join(key.scopes), key.unit.code if key.unit else "-",
                f"{key.created_at:%Y-%m-%d %H:%M}",
                f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never",
                f"{key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "-",
            ))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())

    def _revoke(self, prefix, **_):
        prefix = prefix.removeprefix("glk_").split("_")[0]
        # The operator names the key itself; prefixes are unique across organizations.
        key = ApiKey.objects.filter(prefix=prefix).select_related("organization").first()
        if key is None:
            raise CommandError(f"No API key with prefix {prefix!r}.")
        if key.revoked_at is not None:
            self.stdout.write(f"{key.prefix} ({key.name}, {key.organization.slug}) was already revoked.")
            return
        revoke_api_key(key)
        self.stdout.write(f"Revoked {key.prefix} ({key.name}, {key.organization.slug}).")
