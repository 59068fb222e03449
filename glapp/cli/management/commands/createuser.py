"""`glapp createuser`: add a person and give them a role in an organization."""

import getpass
import os
import sys

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from glapp.accounts import actions
from glapp.accounts.lookups import organization_by_slug, unit_by_code
from glapp.accounts.models import Role, User
from glapp.core.errors import GlappError


class Command(BaseCommand):
    help = ("Create a user with a role in an organization. The password comes from --password, "
            "the GLAPP_PASSWORD environment variable, or a prompt.")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--org", help="Organization slug (required unless --superuser)")
        parser.add_argument("--role", default=Role.VIEWER, choices=Role.values,
                            help="Role in the organization (default: %(default)s)")
        parser.add_argument("--unit", help="Unit code: limit what the user sees to this unit and below")
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--language", default="", choices=["", *(code for code, _ in settings.LANGUAGES)],
                            help="UI language (default: the organization's)")
        parser.add_argument("--superuser", action="store_true", help="May use the admin site for every organization")
        parser.add_argument("--password", help="Visible in the process list; prefer GLAPP_PASSWORD or the prompt")

    def handle(self, *args, username, org, role, unit, email, first_name, last_name, language, superuser,
               password, **options):
        if not org and not superuser:
            raise CommandError("--org is required: a user without an organization cannot see anything.")
        if unit and not org:
            raise CommandError("--unit needs --org.")
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user named {username!r} already exists.")
        organization = organization_by_slug(org) if org else None
        unit_obj = unit_by_code(organization, unit) if unit else None

        password = password or os.environ.get("GLAPP_PASSWORD") or self._prompt_password()
        try:
            validate_password(password, User(username=username, email=email, first_name=first_name,
                                              last_name=last_name))
        except ValidationError as exc:
            raise CommandError("Password rejected: " + " ".join(exc.messages)) from None

        try:
            with transaction.atomic():
                user = actions.create_user(username, password, email=email, first_name=first_name,
                                           last_name=last_name, language=language, is_superuser=superuser)
                if organization is not None:
                    actions.add_member(organization, user, role=role, unit=unit_obj)
        except GlappError as exc:
            raise CommandError(str(exc)) from None

        where = f" as {role} in {organization.slug}" if organization else ""
        scope = f" (unit {unit_obj.code} and below)" if unit_obj else ""
        kind = "superuser" if superuser else "user"
        self.stdout.write(self.style.SUCCESS(f"Created {kind} {username!r}{where}{scope}."))

    def _prompt_password(self) -> str:
        if not sys.stdin.isatty():
            raise CommandError("No password given: use --password, GLAPP_PASSWORD, or run interactively.")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The passwords do not match.")
        return first
