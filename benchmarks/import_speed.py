"""Import speed: glapp's file import against a bare baseline, in the same run.

    python benchmarks/import_speed.py --rows 1000000 [--csv PATH] [--profile]

glapp: the `import_responses` command (the same path as `glapp import`) into a freshly
migrated SQLite database: decode, map, validate every row with `clean_response`, key it,
and store responses, answers and customers through `ingest_responses`.
Baseline: `csv.reader` over the same file and `sqlite3.executemany` of its rows, in chunks of
the same size, into a bare table with one column per CSV column and no indexes, in a fresh
SQLite file with the same PRAGMAs (WAL, synchronous=NORMAL).
The last line is `import_ratio=<glapp seconds / baseline seconds>`.
"""

import argparse
import csv
import datetime as dt
import io
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ORG = "bench"
QUESTIONS = ["nps", "ces", "reason", "comment"]
METADATA = ["campaign", "agent"]
CHUNK = 5000
COMMENTS = [
    "Snabbt och trevligt bemötande", "Fick vänta länge i telefonkön", "Bra, men fakturan var fel",
    "Personalen i butiken var hjälpsam", "Appen krånglade vid inloggningen", "Allt fungerade som det skulle",
    "Dyrt jämfört med andra", "Leveransen kom en dag för sent",
]


def generate_csv(path: Path, rows: int, seed: int = 7) -> str:
    """Responses in glapp's tabular format (fixed seed: the same file every run), from the demo
    generator when it is available; returns the organization slug the file is meant for."""
    try:
        from glapp.demo import company
        from glapp.demo.csvfile import write_csv
        from glapp.demo.generator import DemoGenerator
    except ImportError:
        pass
    else:
        write_csv(DemoGenerator(seed, rows, dt.datetime.now(dt.UTC).date()), path)
        return company.ORG_SLUG
    return _generate_own_csv(path, rows, seed)


def _generate_own_csv(path: Path, rows: int, seed: int) -> str:
    from glapp.responses.tabular import header

    rng = random.Random(seed)
    columns = header(QUESTIONS, METADATA)
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    units = [f"{ORG}-{r}-store" for r in ("north", "south")] + [f"{ORG}-{r}" for r in ("north", "south")]
    channels = ["email", "sms", "web", "app"]
    campaigns = ["spring", "summer", "autumn", "winter", ""]
    agents = ["Anna", "Bo", "Cecilia", "David", "Eva", ""]
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        for n in range(rows):
            at = start + dt.timedelta(seconds=n * 23 + rng.randrange(20))
            nps = min(10, max(0, round(rng.gauss(7.5, 2.2))))
            comment = rng.choice(COMMENTS) if rng.random() < 0.3 else ""
            writer.writerow([
                f"R-{n:08d}" if n % 2 else "",  # half carry the sender's id, half get a natural key
                "nps", "", rng.choice(units), at.isoformat(), rng.choice(channels), "sv",
                f"C-{rng.randrange(max(rows // 3, 1)):07d}", rng.choice(["private", "business"]),
                str(nps), str(rng.randint(1, 7)) if rng.random() < 0.6 else "",
                rng.choice(["price", "service", ""]), comment, rng.choice(campaigns), rng.choice(agents),
            ])
    return ORG


def setup_django(data_dir: Path) -> None:
    os.environ["GLAPP_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("GLAPP_SECRET_KEY", "benchmark-only-not-secret")
    os.environ["DJANGO_SETTINGS_MODULE"] = "glapp.config.settings"
    os.environ.pop("DATABASE_URL", None)
    os.environ["GLAPP_LOG_LEVEL"] = "WARNING"
    import django

    django.setup()


def demo_org(data_dir: Path, responses: int):
    """The demo organization with `responses` responses in a (migrated) database under
    `data_dir`, loaded once (no analysis, no listening) and reused while its size matches."""
    setup_django(data_dir)
    from django.core.management import call_command

    from glapp.demo import loader
    from glapp.responses.models import Response

    call_command("migrate", verbosity=0)
    org = loader.find_demo_org()
    if org is None or Response.objects.filter(organization=org).count() != responses:
        print(f"== loading {responses:,} demo responses into {data_dir}", flush=True)
        call_command("demo", "--responses", str(responses), "--end", dt.date(2026, 6, 30).isoformat(),
                     "--no-serve", "--skip-analysis", "--skip-listening", stdout=io.StringIO())
        org = loader.find_demo_org()
    return org


def create_org(slug: str) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        from glapp.demo import company, loader
    except ImportError:
        pass
    else:
        if slug == company.ORG_SLUG:
            loader.create_demo_org()
            return

    from glapp.accounts import actions as accounts
    from glapp.accounts.models import Unit
    from glapp.journeys.actions import create_journey
    from glapp.journeys.models import Touchpoint
    from glapp.surveys import question_types as qt
    from glapp.surveys.actions import QuestionSpec, create_survey

    org = accounts.create_organization("Bench", slug=ORG)
    root = Unit.objects.get(organization=org, parent=None)
    for region in ("north", "south"):
        parent = accounts.create_unit(org, region.title(), f"{ORG}-{region}", Unit.Kind.REGION, parent=root)
        accounts.create_unit(org, f"{region.title()} store", f"{ORG}-{region}-store", Unit.Kind.STORE, parent=parent)
    create_journey(org, "Main", [("Contact", ["Phone support"])], code="main")
    create_survey(
        org, name="NPS", code="nps", touchpoint=Touchpoint.objects.get(organization=org, code="phone-support"),
        questions=[
            QuestionSpec("nps", qt.NPS, {"sv": "Rekommendera?", "en": "Recommend?"}, required=True),
            QuestionSpec("ces", qt.CES, {"sv": "Lätt?", "en": "Easy?"}),
            QuestionSpec("reason", qt.SINGLE, {"sv": "Varför?", "en": "Why?"}, options=["price", "service"]),
            QuestionSpec("comment", qt.TEXT, {"sv": "Kommentar", "en": "Comment"}),
        ],
    )


def time_glapp(csv_path: Path, slug: str, profile: bool = False) -> tuple[float, str]:
    from django.core.management import call_command

    out = io.StringIO()
    started = time.perf_counter()
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(call_command, "import_responses", str(csv_path), "--org", slug, stdout=out)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(35)
    else:
        call_command("import_responses", str(csv_path), "--org", slug, stdout=out)
    return time.perf_counter() - started, out.getvalue()


def chunks(reader):
    """The rows in lists of CHUNK, one transaction each, as glapp's import commits them (written
    here, not imported: the baselines and floors use no glapp code)."""
    chunk = []
    for row in reader:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def time_baseline(csv_path: Path, db_path: Path) -> float:
    started = time.perf_counter()
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    with open(csv_path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        columns = next(reader)
        integer = {"nps", "ces"}
        db.execute("CREATE TABLE bare (" + ", ".join(
            f'"{c}" {"INTEGER" if c in integer else "TEXT"}' for c in columns) + ")")
        sql = f"INSERT INTO bare VALUES ({', '.join('?' * len(columns))})"
        for chunk in chunks(reader):
            with db:
                db.executemany(sql, chunk)
    db.close()
    return time.perf_counter() - started


def time_schema_floor(glapp_db: Path, floor_db: Path) -> float:
    """A reference, not the goal's baseline: the rows glapp stored (customers, responses,
    answers), replayed with plain executemany into fresh copies of glapp's own tables and
    indexes, one transaction per 5,000 responses as the import does. It is the cost of the
    schema alone, with no parsing, validation or Python row building; foreign-key checks are
    off here (glapp runs with them on), so the floor is slightly optimistic."""
    tables = ("contacts_customer", "responses_response", "responses_answer")
    src = sqlite3.connect(glapp_db)
    ddl = [sql for (sql,) in src.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name IN (?, ?, ?) AND sql IS NOT NULL "
        "ORDER BY type = 'index'", tables)]
    data = {t: src.execute(f'SELECT * FROM "{t}" ORDER BY id').fetchall() for t in tables}
    columns = [row[1] for row in src.execute('PRAGMA table_info("responses_answer")')]
    response_col = columns.index("response_id")
    src.close()
    db = sqlite3.connect(floor_db)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    for sql in ddl:
        db.execute(sql)
    db.commit()

    def insert(table: str, rows: list) -> None:
        if rows:
            db.executemany(f'INSERT INTO "{table}" VALUES ({", ".join("?" * len(rows[0]))})', rows)

    responses, answers = data["responses_response"], data["responses_answer"]
    started = time.perf_counter()
    with db:
        insert("contacts_customer", data["contacts_customer"])
    a = 0
    for start in range(0, len(responses), CHUNK):
        chunk = responses[start:start + CHUNK]
        last_id = chunk[-1][0]
        end = a
        while end < len(answers) and answers[end][response_col] <= last_id:
            end += 1
        with db:
            insert("responses_response", chunk)
            insert("responses_answer", answers[a:end])
        a = end
    seconds = time.perf_counter() - started
    db.close()
    return seconds


def time_one_table_floor(csv_path: Path, db_path: Path) -> float:
    """A reference for the layout a 3x import would need, not the goal's baseline: the bare
    baseline's `csv.reader` + `executemany` into one table per response (every answer a column,
    no answers table) with the three indexes a response needs (external id, time, touchpoint ×
    time), plus counting each chunk into a finest-grain rollup (day × touchpoint × unit ×
    channel × language × segment × metadata) set-based in SQL. Nothing is validated and no
    timezone is applied, so it bounds such a redesign from below."""
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    started = time.perf_counter()
    with open(csv_path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        columns = next(reader)
        db.execute("CREATE TABLE r (" + ", ".join(f'"{c}"' for c in columns) + ")")
        db.execute('CREATE UNIQUE INDEX r_key ON r ("external_id")')
        db.execute('CREATE INDEX r_time ON r ("submitted_at")')
        db.execute('CREATE INDEX r_touchpoint ON r ("touchpoint", "submitted_at")')
        keys = [c for c in ("touchpoint", "unit", "channel", "language", "segment") if c in columns]
        keys += [c for c in columns if c.startswith("meta.")]
        cells = ", ".join(f'"{c}"' for c in keys)
        db.execute(f"CREATE TABLE cell (day, {cells}, n INTEGER, score INTEGER, "
                   f"PRIMARY KEY (day, {cells})) WITHOUT ROWID")
        score = '"nps"' if "nps" in columns else "0"
        count = (f"INSERT INTO cell SELECT substr(submitted_at, 1, 10), {cells}, count(*), sum({score}) "
                 f"FROM r WHERE rowid > ? GROUP BY 1, {cells} "
                 "ON CONFLICT DO UPDATE SET n = n + excluded.n, score = score + excluded.score")
        sql = f"INSERT INTO r VALUES ({', '.join('?' * len(columns))})"
        last = 0
        for chunk in chunks(reader):
            with db:
                db.executemany(sql, chunk)
                db.execute(count, (last,))
            last += len(chunk)
    seconds = time.perf_counter() - started
    db.close()
    return seconds


def run(rows: int, csv_path: str | None = None) -> dict:
    """Both timings for `rows` rows (or the rows of `csv_path`); for benchmarks/ingest.py.

    Runs in a fresh interpreter, so its temporary database cannot collide with a Django that
    the caller has already configured."""
    command = [sys.executable, str(Path(__file__).resolve()), "--rows", str(rows), "--json"]
    if csv_path:
        command += ["--csv", str(csv_path)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(rows: int, csv_path: str | None = None, profile: bool = False, org: str | None = None) -> dict:
    """Both timings, in this process (which must not have configured Django yet)."""
    with tempfile.TemporaryDirectory(prefix="glapp-import-bench-") as tmp:
        tmp = Path(tmp)
        setup_django(tmp / "glapp")
        if csv_path is None:
            path = tmp / "responses.csv"
            started = time.perf_counter()
            org = generate_csv(path, rows)
            seconds, size = time.perf_counter() - started, path.stat().st_size / 1e6
            print(f"generated {rows:,} rows in {seconds:.1f} s ({size:.0f} MB)", file=sys.stderr)
        else:
            path = Path(csv_path)
        org = org or ORG
        create_org(org)
        with open(path, newline="", encoding="utf-8-sig") as f:
            count = sum(1 for _ in csv.reader(f)) - 1
        baseline = time_baseline(path, tmp / "bare.sqlite3")
        glapp_seconds, _ = time_glapp(path, org, profile)
        from glapp.responses.models import Answer, Response

        stored = Response.objects.count()
        answers = Answer.objects.count()
        from django.db import connections

        connections.close_all()
        floor = time_schema_floor(tmp / "glapp" / "glapp.sqlite3", tmp / "floor.sqlite3")
        one_table = time_one_table_floor(path, tmp / "one-table.sqlite3")
        result = {
            "one_table_floor_seconds": one_table, "one_table_floor_ratio": one_table / baseline,
            "schema_floor_seconds": floor, "schema_floor_ratio": floor / baseline,
            "rows": count, "glapp_seconds": glapp_seconds, "baseline_seconds": baseline,
            "glapp_rows_per_second": count / glapp_seconds, "baseline_rows_per_second": count / baseline,
            "responses_stored": stored, "answers_stored": answers, "import_ratio": glapp_seconds / baseline,
            "organization": org,
        }
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--csv", help="import this file instead of generating one")
    parser.add_argument("--org", help="with --csv: the organization the file is for (default: a bench "
                                      "organization; 'exempelbolaget' creates the demo company)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of glapp's import")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON line")
    args = parser.parse_args()
    r = measure(args.rows, args.csv, args.profile, args.org)
    if args.json:
        print(json.dumps(r))
        return
    print(f"organization: {r['organization']}")
    print(f"rows: {r['rows']:,} (stored {r['responses_stored']:,} responses, {r['answers_stored']:,} answers)")
    print(f"glapp import:   {r['glapp_seconds']:8.2f} s  {r['glapp_rows_per_second']:>10,.0f} rows/s")
    print(f"bare baseline:  {r['baseline_seconds']:8.2f} s  {r['baseline_rows_per_second']:>10,.0f} rows/s")
    print(f"schema floor:   {r['schema_floor_seconds']:8.2f} s  (the stored rows replayed into glapp's tables "
          f"with executemany; {r['schema_floor_ratio']:.2f}x the bare baseline)")
    print(f"one-table floor:{r['one_table_floor_seconds']:8.2f} s  (one indexed row per response and a "
          f"rollup in SQL, nothing validated; {r['one_table_floor_ratio']:.2f}x)")
    print(f"import_ratio={r['import_ratio']:.2f}")


if __name__ == "__main__":
    main()
