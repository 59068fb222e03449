"""`glapp org create|list`: an organization and its first owner from the command line."""

import getpass
import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from glapp.accounts import actions, invitations
from glapp.accounts.models import Organization
from glapp.core.errors import ValidationFailed

LANGUAGES = [code for code, _name in settings.LANGUAGES]


class Command(BaseCommand):
    help = ("Create an organization with its first owner, or list organizations. The owner's password comes "
            "from --password, GLAPP_PASSWORD or a prompt; with --invite, glapp prints a link where the owner "
            "sets it instead.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create an organization and its first owner")
        create.add_argument("--name", required=True, help="The organization's name, as its people read it")
        create.add_argument("--slug", default="", help="Short name used by commands and links (default: from the name)")
        create.add_argument("--language", default=LANGUAGES[0], choices=LANGUAGES,
                            help="Default language of surveys and the UI (default: %(default)s)")
        create.add_argument("--languages", default="",
                            help=f"Comma-separated languages its surveys use (of {', '.join(LANGUAGES)}; "
                                 "default: the default language)")
        create.add_argument("--time-zone", default=settings.TIME_ZONE,
                            help="The customers' time zone, for quiet and office hours (default: %(default)s)")
        create.add_argument("--owner", required=True, help="The first owner's username")
        create.add_argument("--owner-email", default="", help="The owner's e-mail address (needed with --invite)")
        create.add_argument("--first-name", default="")
        create.add_argument("--last-name", default="")
        create.add_argument("--invite", action="store_true",
                            help="No password now: print a one-time link where the owner sets it")
        create.add_argument("--password", help="Visible in the process list; prefer GLAPP_PASSWORD or the prompt")
        sub.add_parser("list", help="List the organizations")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _create(self, name, slug, language, languages, time_zone, owner, owner_email, first_name, last_name,
                invite, password, **_):
        if invite and not owner_email:
            raise CommandError("--invite needs --owner-email: the link is for that address.")
        if not invite:
            password = password or os.environ.get("GLAPP_PASSWORD") or self._prompt_password()
        wanted = [code.strip() for code in languages.split(",") if code.strip()] or [language]
        try:
            org, user = actions.create_organization_with_owner(
                {"name": name, "slug": slug, "default_language": language, "languages": wanted,
                 "time_zone": time_zone},
                actions.OwnerSpec(owner, owner_email, "" if invite else password, first_name, last_name))
        except ValidationFailed as exc:
            raise CommandError("\n".join(f"--{e.field.replace('_', '-')}: {e.message}" for e in exc.errors)) from None
        self.stdout.write(self.style.SUCCESS(
            f"Created {org.name!r} (slug {org.slug}, languages {', '.join(org.languages)}, time zone {time_zone}) "
            f"with owner {user.username!r}."))
        if invite:
            self.stdout.write("The owner sets a password here (the link works once, for "
                              f"{invitations.LINK_DAYS} days):")
            self.stdout.write(invitations.set_password_url(user))

    def _list(self, **_):
        for org in Organization.objects.order_by("slug"):
            self.stdout.write(f"{org.slug}  {org.name}  ({', '.join(org.languages)})")

    def _prompt_password(self) -> str:
        if not sys.stdin.isatty():
            raise CommandError("No password given: use --password, GLAPP_PASSWORD, --invite, or run interactively.")
        first = getpass.getpass("Owner's password: ")
        if first != getpass.getpass("Owner's password (again): "):
            raise CommandError("The passwords do not match.")
        return first
