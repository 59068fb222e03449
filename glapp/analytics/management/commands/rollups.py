"""`glapp rollups`: rebuild the counts dashboards read, or choose the metadata keys they keep."""

from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from glapp.accounts.lookups import organization_by_slug
from glapp.accounts.models import Organization
from glapp.analytics.actions import meta_keys, rebuild_rollups, set_rollup_dimensions
from glapp.core.errors import ValidationFailed
from glapp.responses.queries import response_count


class Command(BaseCommand):
    help = ("Rebuild rollups from stored responses (after a restore, a bulk delete or a change of "
            "dimensions), or show and set the metadata keys rolled up as dimensions.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{rebuild,dimensions}")
        rebuild = sub.add_parser("rebuild", help="recount every rollup of one or all organizations")
        rebuild.add_argument("--org", help="organization slug (default: every organization)")
        dims = sub.add_parser("dimensions", help="show, or set and rebuild, the metadata keys rolled up")
        dims.add_argument("--org", required=True, help="organization slug")
        dims.add_argument("keys", nargs="*", help="up to four metadata keys, e.g. campaign product agent")
        dims.add_argument("--clear", action="store_true", help="roll up no metadata keys")

    def handle(self, *args, **opts):
        if opts["action"] == "rebuild":
            orgs = [organization_by_slug(opts["org"])] if opts["org"] else list(Organization.objects.order_by("slug"))
            for org in orgs:
                self._rebuild(org)
            return
        org = organization_by_slug(opts["org"])
        if not opts["keys"] and not opts["clear"]:
            keys = [k for k in meta_keys(org.id) if k]
            self.stdout.write(f"{org.slug}: {', '.join(keys) if keys else '(no metadata keys)'}")
            return
        try:
            keys = set_rollup_dimensions(org.id, [] if opts["clear"] else opts["keys"])
        except ValidationFailed as exc:
            raise CommandError("; ".join(e.message for e in exc.errors)) from None
        self.stdout.write(f"{org.slug}: rolling up {', '.join(keys) or 'no metadata keys'}")
        self._rebuild(org)

    def _rebuild(self, org: Organization) -> None:
        total = response_count(org.id)
        columns = (TextColumn(f"[bold]{org.slug}[/]"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, disable=not self.stdout.isatty()) as progress:
            task = progress.add_task("rebuild", total=total)
            counted = rebuild_rollups(org.id, progress=lambda n: progress.advance(task, n))
        self.stdout.write(f"{org.slug}: rollups rebuilt from {counted:,} responses")
