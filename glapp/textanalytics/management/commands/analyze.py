"""`glapp analyze`: run the text pipeline on an organization's comments, or on any file.

    glapp analyze --org SLUG [--workers 2]                      comments not yet analyzed by the current pipeline
    glapp analyze FILE --column text [--language sv|en|auto] --out results.jsonl [--workers 2]

The file mode needs no organization and no database rows: it reads CSV, XLSX or JSONL and
writes one JSON result per input row, in input order, with glapp's built-in topics.
"""

import json
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from glapp.textanalytics.analyzers import pipeline as pipeline_mod
from glapp.textanalytics.analyzers.pipeline import Pipeline

BATCH = 2000


def _read_rows(path: Path, column: str):
    """(line, text) per input row, from JSONL, CSV or XLSX."""
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        with open(path, encoding="utf-8") as f:
            for line_no, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise CommandError(f"line {line_no}: not JSON ({exc.msg})") from None
                if column not in obj:
                    raise CommandError(f"line {line_no}: no field '{column}'")
                yield line_no, str(obj[column] or "")
        return
    from glapp.responses.importing.reading import TableError, open_table

    try:
        table = open_table(path)
    except TableError as exc:
        raise CommandError(str(exc)) from None
    with table:
        if column not in table.header:
            raise CommandError(f"no column '{column}' (columns: {', '.join(table.header)})")
        index = table.header.index(column)
        for line_no, cells in table.rows:
            yield line_no, str(cells[index] if index < len(cells) and cells[index] is not None else "")


def _count_rows(path: Path) -> int | None:
    if path.suffix.lower() in (".csv", ".jsonl", ".ndjson", ".txt"):
        with open(path, "rb") as f:
            return sum(1 for _ in f) - (0 if path.suffix.lower() != ".csv" else 1)
    return None


class Command(BaseCommand):
    help = ("Analyze comments: an organization's (--org) in the database, or a CSV/XLSX/JSONL file's "
            "column into a JSONL file of results (language, redacted text, sentiment, clauses, topics, "
            "emotions, key phrases).")

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="CSV, XLSX or JSONL file to analyze (no organization needed)")
        parser.add_argument("--column", default="text", help="the column (or JSONL field) holding the text")
        parser.add_argument("--language", default="auto", choices=("auto", "sv", "en"))
        parser.add_argument("--out", help="JSONL file to write (default: FILE.results.jsonl)")
        parser.add_argument("--org", help="analyze this organization's comments instead of a file")
        parser.add_argument("--workers", type=int, default=1, help="processes (default 1; use the cores you have)")
        parser.add_argument("--train", action="store_true",
                            help="with --org: first learn the organization's own sentiment model from its scored "
                                 "comments (used only if it beats the built-in analyzer on held-out comments)")

    def handle(self, *args, **opts):
        workers = max(1, min(opts["workers"], os.cpu_count() or 1))
        if opts["org"]:
            if opts["file"]:
                raise CommandError("give a FILE or --org, not both")
            return self._organization(opts["org"], workers, opts["train"])
        if not opts["file"]:
            raise CommandError("give a FILE to analyze, or --org SLUG")
        self._file(Path(opts["file"]), opts["column"], opts["language"], opts["out"], workers)

    def _progress(self, label: str, total: int | None) -> tuple[Progress, object]:
        progress = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                            disable=not self.stdout.isatty())
        return progress, progress.add_task(label, total=total)

    def _file(self, path: Path, column: str, language: str, out: str | None, workers: int) -> None:
        if not path.exists():
            raise CommandError(f"no such file: {path}")
        out_path = Path(out) if out else path.with_suffix(".results.jsonl")
        pipeline = Pipeline()
        progress, task = self._progress("analyzing", _count_rows(path))
        written = 0
        with progress, open(out_path, "w", encoding="utf-8") as f:
            def emit(lines: list[int], results: list[dict]) -> None:
                nonlocal written
                for line, result in zip(lines, results, strict=True):
                    f.write(json.dumps({"line": line, **result}, ensure_ascii=False) + "\n")
                written += len(results)
                progress.advance(task, len(results))

            batches = _batches(_read_rows(path, column), language)
            if workers == 1:
                for lines, batch in batches:
                    emit(lines, [pipeline.analyze(text, lang).to_dict() for text, lang in batch])
            else:
                with ProcessPoolExecutor(workers, initializer=pipeline_mod.init_worker,
                                         initargs=(pipeline.topics, pipeline.learned)) as pool:
                    pending = []
                    for lines, batch in batches:
                        items = [(text, lang, None) for text, lang in batch]
                        pending.append((lines, pool.submit(pipeline_mod.analyze_in_worker, items)))
                        if len(pending) >= workers * 2:  # bounded read-ahead keeps memory flat
                            done_lines, future = pending.pop(0)
                            emit(done_lines, [a.to_dict() for a in future.result()])
                    for done_lines, future in pending:
                        emit(done_lines, [a.to_dict() for a in future.result()])
        self.stdout.write(f"analyzed {written:,} rows → {out_path}")

    def _organization(self, slug: str, workers: int, train: bool) -> None:
        from glapp.accounts.lookups import organization_by_slug
        from glapp.textanalytics import actions
        from glapp.textanalytics.queries import pending_count

        org = organization_by_slug(slug)
        if train:
            report = actions.train_sentiment_model(org.id)
            if "learned_f1" in report:
                self.stdout.write(f"{org.slug}: learned model macro-F1 {report['learned_f1']:.3f} against built-in "
                                  f"{report['builtin_f1']:.3f} on {report['n']:,} held-out comments → using "
                                  f"{report['use']}")
            else:
                self.stdout.write(f"{org.slug}: {report.get('reason', 'not trained')}; using the built-in analyzer")
        total = pending_count(org.id)
        progress, task = self._progress(org.slug, total)
        with progress:
            done = actions.analyze_pending(org.id, progress=lambda n: progress.advance(task, n), workers=workers)
        self.stdout.write(f"{org.slug}: analyzed {done:,} comments")


def _batches(rows, language: str):
    lines, batch = [], []
    for line, text in rows:
        lines.append(line)
        batch.append((text, language))
        if len(batch) >= BATCH:
            yield lines, batch
            lines, batch = [], []
    if batch:
        yield lines, batch
