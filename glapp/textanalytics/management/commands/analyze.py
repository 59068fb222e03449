"""`glapp analyze`: run the text pipeline on an organization's comments, or on any file.

    glapp analyze --org SLUG [--workers 2]                      comments not yet analyzed by the current pipeline
    glapp analyze FILE --column text [--id-column id] [--language sv|en|auto] [--pack travel | --org SLUG]
                  --out results.jsonl [--workers 2]

The file mode needs no organization and no database rows: it reads CSV, XLSX or JSONL and
writes one JSON result per input row, in input order (with the row's id when `--id-column` names
one). Its topics are the ones a new organization has switched on (the general topics), plus any
industry pack named with `--pack`; with `--org` they are that organization's topics and models,
so a file reads as the organization's own comments do. With `--language auto`, a short text's
language leans towards the language the file's clear texts are written in.
"""

import json
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from glapp.textanalytics.analyzers import language as language_mod
from glapp.textanalytics.analyzers import pipeline as pipeline_mod
from glapp.textanalytics.analyzers import taxonomy
from glapp.textanalytics.analyzers.pipeline import Pipeline, builtin_topics

BATCH = 2000


def _read_rows(path: Path, column: str, id_column: str | None = None):
    """(line, text, id) per input row, from JSONL, CSV or XLSX (id None without `id_column`)."""
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        with open(path, encoding="utf-8") as f:
            for line_no, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise CommandError(f"line {line_no}: not JSON ({exc.msg})") from None
                for name in (column, id_column):
                    if name and name not in obj:
                        raise CommandError(f"line {line_no}: no field '{name}'")
                yield line_no, str(obj[column] or ""), obj[id_column] if id_column else None
        return
    from glapp.responses.importing.reading import TableError, open_table

    try:
        table = open_table(path)
    except TableError as exc:
        raise CommandError(str(exc)) from None
    with table:
        for name in (column, id_column):
            if name and name not in table.header:
                raise CommandError(f"no column '{name}' (columns: {', '.join(table.header)})")
        index = table.header.index(column)
        id_index = table.header.index(id_column) if id_column else None

        def cell(cells, i):
            return cells[i] if i < len(cells) and cells[i] is not None else ""

        for line_no, cells in table.rows:
            yield line_no, str(cell(cells, index)), cell(cells, id_index) if id_index is not None else None


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
        parser.add_argument("--id-column", help="a column (or JSONL field) copied into each result as its id")
        parser.add_argument("--pack", action="append", default=[], choices=[p for p in taxonomy.PACKS if p],
                            help="with FILE: also the topics of this industry pack (repeatable)")
        parser.add_argument("--language", default="auto", choices=("auto", "sv", "en"))
        parser.add_argument("--out", help="JSONL file to write (default: FILE.results.jsonl)")
        parser.add_argument("--org", help="analyze this organization's comments instead of a file")
        parser.add_argument("--workers", type=int, default=1, help="processes (default 1; use the cores you have)")
        parser.add_argument("--train", action="store_true",
                            help="with --org: first learn the organization's own sentiment model from its scored "
                                 "comments (used only if it beats the built-in analyzer on held-out comments)")

    def handle(self, *args, **opts):
        workers = max(1, min(opts["workers"], os.cpu_count() or 1))
        if opts["org"] and not opts["file"]:
            return self._organization(opts["org"], workers, opts["train"])
        if not opts["file"]:
            raise CommandError("give a FILE to analyze, or --org SLUG")
        if opts["org"] and opts["pack"]:
            raise CommandError("--pack is for the built-in topics; with --org the organization's topics are used")
        if opts["train"]:
            raise CommandError("--train is for an organization's comments (--org SLUG without FILE)")
        if opts["org"]:
            from glapp.accounts.lookups import organization_by_slug
            from glapp.textanalytics.pipelines import pipeline_for

            pipeline = pipeline_for(organization_by_slug(opts["org"]).id)
        else:
            pipeline = Pipeline(builtin_topics(opts["pack"]))
        self._file(Path(opts["file"]), opts["column"], opts["id_column"], opts["language"], opts["out"], workers,
                   pipeline)

    def _progress(self, label: str, total: int | None) -> tuple[Progress, object]:
        progress = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                            disable=not self.stdout.isatty())
        return progress, progress.add_task(label, total=total)

    def _file(self, path: Path, column: str, id_column: str | None, language: str, out: str | None,
              workers: int, pipeline: Pipeline) -> None:
        if not path.exists():
            raise CommandError(f"no such file: {path}")
        out_path = Path(out) if out else path.with_suffix(".results.jsonl")
        # A first look at the file: the language its clear texts are written in decides short ones.
        hint = language_mod.prior(text for _, text, _ in _read_rows(path, column)) if language == "auto" else None
        progress, task = self._progress("analyzing", _count_rows(path))
        written = 0
        with progress, open(out_path, "w", encoding="utf-8") as f:
            def emit(rows: list[tuple[int, object]], results: list[dict]) -> None:
                nonlocal written
                for (line, row_id), result in zip(rows, results, strict=True):
                    head = {"line": line, "id": row_id} if id_column else {"line": line}
                    f.write(json.dumps({**head, **result}, ensure_ascii=False, default=str) + "\n")
                written += len(results)
                progress.advance(task, len(results))

            batches = _batches(_read_rows(path, column, id_column), language)
            if workers == 1:
                for rows, batch in batches:
                    emit(rows, [pipeline.analyze(text, lang, hint=hint).to_dict() for text, lang in batch])
            else:
                with ProcessPoolExecutor(workers, initializer=pipeline_mod.init_worker,
                                         initargs=(pipeline.topics, pipeline.learned)) as pool:
                    pending = []
                    for rows, batch in batches:
                        items = [(text, lang, hint) for text, lang in batch]
                        pending.append((rows, pool.submit(pipeline_mod.analyze_in_worker, items)))
                        if len(pending) >= workers * 2:  # bounded read-ahead keeps memory flat
                            done_rows, future = pending.pop(0)
                            emit(done_rows, [a.to_dict() for a in future.result()])
                    for done_rows, future in pending:
                        emit(done_rows, [a.to_dict() for a in future.result()])
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
    keys, batch = [], []
    for line, text, row_id in rows:
        keys.append((line, row_id))
        batch.append((text, language))
        if len(batch) >= BATCH:
            yield keys, batch
            keys, batch = [], []
    if batch:
        yield keys, batch
