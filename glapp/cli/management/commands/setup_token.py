"""`glapp setup-token`: a new one-time token for the first-run page of an empty installation."""

from django.core.management.base import BaseCommand, CommandError

from glapp.accounts.actions import SETUP_TOKEN_HOURS, issue_setup_token
from glapp.accounts.queries import installation_is_empty


class Command(BaseCommand):
    help = ("Print a new one-time token for the first-run page (/setup/), where the first organization and its "
            "owner are created. Earlier tokens stop working. Only while no organization exists.")

    def handle(self, *args, **options):
        if not installation_is_empty():
            raise CommandError("This installation already has an organization; the first-run page is closed. "
                               "Use `glapp org create` for another.")
        token = issue_setup_token()
        self.stderr.write(f"Open /setup/ on this server and give this token (valid {SETUP_TOKEN_HOURS} hours, once):")
        self.stdout.write(token)  # alone on stdout, so it can be piped
