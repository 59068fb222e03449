"""`glapp invite`: a relationship wave, under the same contact rules as touchpoint events."""

from django.core.management.base import BaseCommand, CommandError

from glapp.accounts.lookups import organization_by_slug
from glapp.core import writelock
from glapp.core.errors import GlappError
from glapp.distribution.actions import invite_wave
from glapp.distribution.queries import wave_customer_ids
from glapp.surveys.models import Survey


class Command(BaseCommand):
    help = "Invite customers (all, or a segment) to a relationship survey, honouring the contact policy."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="organization slug")
        parser.add_argument("--survey", required=True, help="code of an active relationship survey")
        parser.add_argument("--segment", default=None, help="only customers of this segment")
        parser.add_argument("--limit", type=int, default=None, help="at most this many customers")

    def handle(self, *args, org, survey, segment, limit, **options):
        organization = organization_by_slug(org)
        found = Survey.objects.for_org(organization).filter(code=survey).first()
        if found is None:
            raise CommandError(f"No survey with code {survey!r} in {org}.")
        if limit is not None and limit < 1:
            raise CommandError("--limit must be at least 1.")
        ids, _unknown = wave_customer_ids(organization.id, None, segment, limit)
        try:
            with writelock.serialized():
                counts = invite_wave(found, ids)
        except GlappError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{len(ids)} customers considered, {counts.get('invited', 0)} invited.")
        for reason, n in sorted(counts.items()):
            if reason != "invited":
                self.stdout.write(f"  skipped {reason}: {n}")
