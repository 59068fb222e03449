"""`glapp customer erase|export`: a person's erasure and data-subject export from the command line."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

from glapp.accounts.actions import AuditActor
from glapp.accounts.lookups import organization_by_slug
from glapp.core.errors import GlappError
from glapp.privacy import actions
from glapp.privacy.queries import Lookup, customers_named, erasure_preview


def _identify(parser):
    parser.add_argument("--org", required=True, help="Organization slug")
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--external-id", help="The customer's id in the organization's systems")
    who.add_argument("--email", help="Every customer with this e-mail address")
    who.add_argument("--phone", help="Every customer with this phone number")


class Command(BaseCommand):
    help = "Erase a customer (anonymise or delete) or export everything glapp holds about them as JSON."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        erase = sub.add_parser("erase", help="Erase a customer; asks for confirmation unless --yes")
        _identify(erase)
        erase.add_argument("--mode", choices=actions.MODES, default=actions.ANONYMISE,
                           help="anonymise (default): responses stay without the person; delete: responses go "
                                "and figures are recounted without them")
        erase.add_argument("--yes", action="store_true", help="Do not ask for confirmation")
        export = sub.add_parser("export", help="Print everything glapp holds about a customer as JSON")
        _identify(export)
        export.add_argument("--out", default="-", help="File to write, or - for standard output")

    def handle(self, *args, action, **options):
        organization = organization_by_slug(options["org"])
        try:
            lookup = Lookup.of(options["external_id"], options["email"], options["phone"])
            getattr(self, f"_{action}")(organization, lookup, **options)
        except GlappError as exc:
            raise CommandError(str(exc)) from None

    def _erase(self, organization, lookup: Lookup, *, mode, yes, **_):
        customers = customers_named(organization.id, lookup)
        if customers and not yes:
            preview = erasure_preview(organization.id, customers)
            counts = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in preview.counts.items())
            self.stderr.write(f"This erases {len(customers)} customer record(s) ({mode}): {counts}.")
            if input("Type 'erase' to go on: ").strip() != "erase":
                raise CommandError("Nothing was erased.")
        done = actions.erase_customer(organization.id, lookup, mode, actor=AuditActor.command())
        if done.status == actions.ALREADY_ERASED:
            self.stdout.write("Already erased: only a tombstone is left; nothing changed.")
            return
        counts = ", ".join(f"{kind.replace('_', ' ')} {n}" for kind, n in done.counts.items() if n)
        self.stdout.write(f"Erased ({done.mode}): {counts}. Audit reference {done.reference[:16]}.")

    def _export(self, organization, lookup: Lookup, *, out, **_):
        data = actions.export_customer(organization.id, lookup, actor=AuditActor.command())
        text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2) + "\n"
        if out == "-":
            self.stdout.write(text, ending="")
        else:
            with open(out, "w", encoding="utf-8") as f:
                f.write(text)
            self.stderr.write(f"Wrote {len(data['responses'])} responses of {len(data['customers'])} customer "
                              f"record(s) to {out}.")
