"""`glapp retention apply [--org SLUG] [--dry-run]`: apply the retention periods now."""

from django.core.management.base import BaseCommand

from glapp.accounts.actions import AuditActor
from glapp.accounts.lookups import organization_by_slug
from glapp.privacy import retention
from glapp.privacy.models import RetentionPolicy


class Command(BaseCommand):
    help = "Apply the organizations' retention periods (Settings → Privacy) now, or count what that would do."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        apply = sub.add_parser("apply", help="Anonymise or delete what is past its period")
        apply.add_argument("--org", help="Organization slug (default: every organization with a period set)")
        apply.add_argument("--dry-run", action="store_true", help="Count what would be done; change nothing")

    def handle(self, *args, action, org=None, dry_run=False, **options):
        if org:
            organization_ids = [organization_by_slug(org).id]
        else:
            organization_ids = list(RetentionPolicy.objects.order_by("organization_id")
                                    .values_list("organization_id", flat=True))
        for organization_id in organization_ids:
            run = retention.apply_retention(organization_id, actor=AuditActor.command(), dry_run=dry_run)
            verb = "would change" if dry_run else "changed"
            if not run.cutoff:
                self.stdout.write(f"Organization {organization_id}: no retention period set.")
                continue
            for step, cutoff in run.cutoff.items():
                counts = ", ".join(f"{kind.replace('_', ' ')} {n}" for kind, n in run.counts.get(step, {}).items())
                self.stdout.write(f"Organization {organization_id}, {step.replace('_', ' ')} (before "
                                  f"{cutoff:%Y-%m-%d %H:%M} UTC): {verb} {counts or 'nothing'}.")
