"""`manage.py export_responses --org SLUG [filters] [--out FILE|-]`: responses as glapp's tabular CSV."""

import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError

from glapp.accounts.actions import AuditActor, record_audit
from glapp.accounts.models import AuditEntry, Organization, Role
from glapp.accounts.queries import Access
from glapp.core.errors import ValidationFailed
from glapp.responses import exporting
from glapp.responses.queries import ResponseFilter


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"'{value}' is not a date (YYYY-MM-DD)") from None


def _bool(value: str) -> bool:
    if value.lower() in {"1", "true", "yes", "ja"}:
        return True
    if value.lower() in {"0", "false", "no", "nej"}:
        return False
    raise ValueError(f"'{value}' is not true or false")


class Command(BaseCommand):
    help = "Export responses as CSV in glapp's tabular format (re-importable as is)."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="organization slug")
        parser.add_argument("--survey", help="survey code")
        parser.add_argument("--touchpoint", help="touchpoint code")
        parser.add_argument("--unit", help="unit code: that unit and everything below it")
        parser.add_argument("--from", dest="date_from", type=_date, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", type=_date, help="last day (inclusive), YYYY-MM-DD")
        parser.add_argument("--score-type", default="nps", help="question type the score filters use")
        parser.add_argument("--score-min", type=int)
        parser.add_argument("--score-max", type=int)
        parser.add_argument("--has-comment", type=_bool, help="true or false")
        parser.add_argument("--q", help="words in the comment")
        parser.add_argument("--out", default="-", help="file to write, or - for standard output")

    def handle(self, *args, **opts):
        org = Organization.objects.filter(slug=opts["org"]).first()
        if org is None:
            raise CommandError(f"no organization with slug '{opts['org']}'")
        # The operator at the command line sees the whole organization.
        access = Access(org, Role.ADMIN)
        f = ResponseFilter(
            survey=opts["survey"], touchpoint=opts["touchpoint"], unit=opts["unit"], date_from=opts["date_from"],
            date_to=opts["date_to"], score_type=opts["score_type"], score_min=opts["score_min"],
            score_max=opts["score_max"], has_comment=opts["has_comment"], q=opts["q"],
        )
        to_stdout = opts["out"] == "-"
        out = self.stdout._out if to_stdout else open(opts["out"], "w", newline="", encoding="utf-8")  # noqa: SIM115
        try:
            count = exporting.write_csv(access, f, out)
        except ValidationFailed as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if not to_stdout:
                out.close()
        record_audit(org.id, AuditEntry.Action.RESPONSES_EXPORTED, AuditActor.command(), target_type="responses",
                     details={"filters": f.audit_params(), "unredacted": True, "via": "command", "responses": count})
        (sys.stderr if to_stdout else self.stdout).write(f"Exported {count:,} responses.\n")
