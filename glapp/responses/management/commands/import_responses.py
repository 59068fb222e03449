"""`manage.py import_responses FILE --org SLUG`: validate and import a CSV/XLSX of responses."""

import hashlib

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from glapp.accounts.models import Organization
from glapp.responses import queries
from glapp.responses.catalog import Catalog
from glapp.responses.importing.dates import FORMATS, LABELS
from glapp.responses.importing.errorfile import ErrorFile
from glapp.responses.importing.jobs import CHUNK_SIZE, DatesUnconfirmed, run_import, run_import_job, start_import
from glapp.responses.importing.mapping import MappingUnusable, parse_assignments, proposed_mapping
from glapp.responses.importing.options import ImportOptions
from glapp.responses.importing.reading import TableError, read_preview
from glapp.responses.importing.suggest import suggested_values

SHOWN_ERRORS = 50


class Command(BaseCommand):
    help = "Import responses from a CSV or XLSX file (validated, idempotent: re-running adds only what is missing)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--org", required=True, help="organization slug")
        parser.add_argument("--source", help="name of the kind of file; its saved mapping and defaults are used")
        parser.add_argument("--map", action="append", metavar="COLUMN=TARGET",
                            help="map a file column to a glapp column, question key or meta.<key>; empty ignores it")
        parser.add_argument("--set", action="append", metavar="FIELD=VALUE",
                            help="default for rows that lack it: survey, channel, touchpoint, unit, ...")
        parser.add_argument("--save-mapping", action="store_true", help="save the mapping and defaults under --source")
        parser.add_argument("--dry-run", action="store_true", help="validate every row, write nothing")
        parser.add_argument("--format", choices=["csv", "xlsx"], help="default: detected from the content")
        parser.add_argument("--encoding", help="a CSV's encoding when it is not UTF-8, e.g. cp1252 (default: UTF-8, "
                                               "or cp1252 for a file with no UTF-8 characters)")
        parser.add_argument("--errors-out", metavar="FILE",
                            help="write every rejected row as CSV: the file's columns, then import_error "
                                 "(line, reason)")
        parser.add_argument("--date-format", choices=FORMATS,
                            help="how submitted_at is written: " + ", ".join(f"{k} = {v}" for k, v in LABELS.items())
                                 + " (default: detected; a detected format other than ISO must be confirmed "
                                   "with this option)")
        parser.add_argument("--time-zone", metavar="ZONE",
                            help="time zone of times without an offset, e.g. Europe/London (default: the "
                                 "organization's customers' time zone)")
        parser.add_argument("--value", action="append", metavar="COLUMN:VALUE=TARGET",
                            help="map one value of a column, e.g. 'Touchpoint:First Payment=first-payment' or "
                                 "'Satisfaction:N/A do not use=' (blank); saved with --save-mapping")
        parser.add_argument("--create-missing", action="store_true",
                            help="create the touchpoints, units and surveys the file names that do not exist")
        parser.add_argument("--stage", metavar="ID", type=int,
                            help="the journey stage for created touchpoints (default: a stage 'Imported')")
        parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE)
        parser.add_argument("--show-errors", type=int, default=SHOWN_ERRORS, help="rejected rows printed")

    def handle(self, *args, **opts):
        console = Console(file=self.stdout._out, stderr=False)
        org = Organization.objects.filter(slug=opts["org"]).first()
        if org is None:
            raise CommandError(f"no organization with slug '{opts['org']}'")
        try:
            manual = parse_assignments(opts["map"], "--map")
            defaults = parse_assignments(opts["set"], "--set")
            value_maps = parse_values(opts["value"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if opts["save_mapping"] and not opts["source"]:
            raise CommandError("--save-mapping needs --source NAME")

        try:
            header, _, table = read_preview(opts["file"], encoding=opts["encoding"])
        except TableError as exc:
            raise CommandError(f"cannot read {opts['file']}: {exc}") from exc
        source = queries.import_source_named(org.id, opts["source"]) if opts["source"] else None
        defaults = {**(source.defaults if source else {}), **defaults}
        catalog = Catalog.load(org.id)
        mapping = {**proposed_mapping(header, catalog, source, defaults.get("survey")), **manual}
        saved = ImportOptions.from_dict(source.options if source else {})
        values = suggested_values(org.id, opts["file"], header, mapping, catalog, encoding=opts["encoding"],
                                  fmt=opts["format"], survey=defaults.get("survey"))
        for column, chosen in {**saved.values, **value_maps}.items():
            values[column] = {**values.get(column, {}), **chosen}
        options = ImportOptions(date_format=opts["date_format"] or saved.date_format,
                                time_zone=opts["time_zone"] or saved.time_zone,
                                values={c: m for c, m in values.items() if m})
        if opts["create_missing"] and not opts["dry_run"]:
            options.create = self._missing(org, opts, mapping, defaults, options, console)
        digest = hashlib.sha256()
        with open(opts["file"], "rb") as f:
            while block := f.read(1 << 20):
                digest.update(block)
        try:  # run here rather than queued, so the progress shows
            job = start_import(
                org.id, filename=str(opts["file"]).rsplit("/", 1)[-1], file_sha256=digest.hexdigest(),
                mapping=mapping, defaults=defaults, dry_run=opts["dry_run"], header=header, catalog=catalog,
                save_as=opts["source"] if opts["save_mapping"] else None, source=source, queue=False,
                options=options.to_dict())
        except MappingUnusable as exc:
            raise CommandError("the mapping cannot be used:\n  " + "\n  ".join(exc.problems)) from exc
        self._print_mapping(console, table, header, mapping, defaults, options)
        if opts["save_mapping"]:
            console.print(f"Saved the mapping as [bold]{escape(job.source.name)}[/bold].")

        rejected_out = self._open_rejected(opts["errors_out"], header)
        with Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                      TextColumn("{task.fields[rows]:,} rows · {task.fields[rate]:,.0f} rows/s"),
                      TimeElapsedColumn(), console=console, transient=False) as bar:
            task = bar.add_task("Validating" if opts["dry_run"] else "Importing", total=1.0, rows=0, rate=0.0)

            def progress(report, share):
                elapsed = bar.tasks[0].elapsed or 1e-9
                bar.update(task, completed=share if share is not None else 0, rows=report.total,
                           rate=report.total / elapsed)

            try:
                report = run_import_job(job, mapping, defaults, path=opts["file"], progress=progress,
                                        fmt=opts["format"], encoding=opts["encoding"],
                                        chunk_size=opts["chunk_size"], options=options.to_dict(),
                                        on_reject=rejected_out[1] if rejected_out else None)
            except DatesUnconfirmed as exc:
                raise CommandError(f"nothing was imported: {exc}") from exc
            except TableError as exc:
                raise CommandError(f"cannot read {opts['file']}: {exc}") from exc
            finally:
                if rejected_out:
                    rejected_out[0].close()
        self._print_report(console, report, opts)
        if rejected_out:
            console.print(f"Every rejected row, with its line and reason, is in {escape(opts['errors_out'])}.")

    def _missing(self, org, opts, mapping, defaults, options, console) -> dict:
        """What the file names and the organization lacks, found by a dry pass, to create first."""
        try:
            dry = run_import(org.id, opts["file"], mapping=mapping, defaults=defaults, dry_run=True,
                             fmt=opts["format"], encoding=opts["encoding"], options=options.to_dict())
        except TableError as exc:
            raise CommandError(f"cannot read {opts['file']}: {exc}") from exc
        missing = dry.summary.get("missing", {})
        for kind, entries in missing.items():
            for entry in entries:
                console.print(f"Creating {kind} [bold]{escape(entry['code'])}[/bold] ({escape(entry['name'])}, "
                              f"{entry['rows']:,} rows)")
        create = {f"{kind}s": entries for kind, entries in missing.items()}
        if opts["stage"]:
            create["stage"] = opts["stage"]
        return create

    def _print_mapping(self, console, table, header, mapping, defaults, options=None):
        details = table.format.upper()
        if table.encoding:
            delimiter = {"\t": "tab"}.get(table.delimiter, table.delimiter)
            details += f" · {table.encoding} · delimiter {delimiter}"
        console.print(escape(details))
        grid = RichTable(show_header=True)
        grid.add_column("file column")
        grid.add_column("glapp column")
        for column in header:
            target = mapping.get(column, column)
            grid.add_row(escape(column), escape(target) if target else "[dim](ignored)[/dim]")
        for name, value in defaults.items():
            grid.add_row("[dim](default)[/dim]", escape(f"{name} = {value}"))
        console.print(grid)
        if options and options.values:
            grid = RichTable(show_header=True, title="Values")
            for name in ("file column", "value", "becomes"):
                grid.add_column(name)
            for column, values in options.values.items():
                for value, target in values.items():
                    grid.add_row(escape(column), escape(value), escape(target) if target else "[dim](blank)[/dim]")
            console.print(grid)

    def _print_summary(self, console, report):
        dates = report.summary.get("dates")
        if dates and dates.get("format"):
            how = "detected" if dates.get("detected") else "as chosen"
            console.print(f"Dates in {escape(dates['column'])}: {LABELS[dates['format']]} ({how})")
        for column, values in report.summary.get("values", {}).items():
            unknown = [v for v in values["values"] if v[3] == "unknown"]
            if unknown:
                listed = ", ".join(f"{v[0]} ({v[2]:,})" for v in unknown[:20])
                console.print(f"[yellow]{escape(column)}: values nothing maps: {escape(listed)}[/yellow]")
        for kind, entries in report.summary.get("missing", {}).items():
            names = ", ".join(f"{e['name']} → {e['code']}" for e in entries[:20])
            console.print(f"[yellow]{kind}s that do not exist: {escape(names)} (--create-missing creates "
                          "them)[/yellow]")

    def _print_report(self, console, report, opts):
        self._print_summary(console, report)
        verb = "would create" if report.dry_run else "created"
        console.print(
            f"{report.total:,} rows: {report.valid:,} valid, {report.rejected:,} rejected; "
            f"{verb} {report.created:,}, {report.duplicates:,} already stored "
            f"({report.seconds:.1f} s, {report.total / max(report.seconds, 1e-9):,.0f} rows/s)"
        )
        if report.errors:
            shown = report.errors[: opts["show_errors"]]
            grid = RichTable(title=f"Rejected rows (first {len(shown)} of {report.error_count:,} errors)")
            for name in ("line", "column", "reason"):
                grid.add_column(name)
            for e in shown:
                grid.add_row(str(e["line"]), escape(e["field"]), escape(e["message"]))
            console.print(grid)

    def _open_rejected(self, path, header):
        """A CSV of every rejected row (not capped), in the file's own columns plus the reason,
        so it can be fixed and imported again."""
        if not path:
            return None
        out = open(path, "w", newline="", encoding="utf-8")  # noqa: SIM115 - closed after the run
        return out, ErrorFile(out, header)


def parse_values(items: list[str] | None) -> dict[str, dict[str, str]]:
    """["Touchpoint:First Payment=first-payment"] → {"Touchpoint": {"First Payment": "first-payment"}}."""
    out: dict[str, dict[str, str]] = {}
    for item in items or []:
        column, colon, rest = item.partition(":")
        value, equals, target = rest.partition("=")
        if not colon or not equals or not column.strip() or not value.strip():
            raise ValueError(f"--value '{item}' is not COLUMN:VALUE=TARGET")
        out.setdefault(column.strip(), {})[value.strip()] = target.strip()
    return out
