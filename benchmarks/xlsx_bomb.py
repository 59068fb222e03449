"""An XLSX "bomb": a small file whose shared strings unpack to a lot, read as an import reads it.

    .venv/bin/python benchmarks/xlsx_bomb.py [--megabytes 90]

The workbook holds one sheet and a sharedStrings part of --megabytes MB of distinct strings,
which deflate compresses to a few hundred kB. Each side runs in a fresh process, so its peak
memory (max RSS) is its own: the baseline is openpyxl's read-only load and first row, what the
importer did before (it parses every shared string into memory before the first row); glapp's
reader checks the zip's directory first and refuses the file (GLAPP_XLSX_MAX_PART_MB, 50).

Last line: glapp_ms=<x> glapp_rss_mb=<y> baseline_ms=<x> baseline_rss_mb=<y>
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, os, resource, sys, time
sys.path.insert(0, {root!r})
os.environ["DJANGO_SETTINGS_MODULE"] = "glapp.config.settings"
os.environ.setdefault("GLAPP_SECRET_KEY", "benchmark-only-not-secret")
os.environ["GLAPP_DATA_DIR"] = {data!r}
import django
django.setup()
import openpyxl
from glapp.responses.importing.reading import TableError, open_table
started = time.perf_counter()
outcome = ""
if {side!r} == "baseline":
    with open({path!r}, "rb") as f:
        book = openpyxl.load_workbook(f, read_only=True, data_only=True)
        next(book.worksheets[0].iter_rows())
        outcome = "read"
else:
    try:
        open_table({path!r}).close()
        outcome = "read"
    except TableError as exc:
        outcome = "refused: " + str(exc)
seconds = time.perf_counter() - started
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"ms": seconds * 1000, "rss_mb": rss, "outcome": outcome}}))
"""


def bomb(path: Path, megabytes: float) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["survey", "nps"])
    book.active.append(["nps", 9])
    book.save(path)
    count = int(megabytes * 1_000_000 / 1000)
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    head = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/'
            f'spreadsheetml/2006/main" count="{count}" uniqueCount="{count}">')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            if name != "xl/sharedStrings.xml":
                out.writestr(name, data)
        with out.open("xl/sharedStrings.xml", "w") as part:
            part.write(head.encode())
            for i in range(count):
                part.write(f"<si><t>{i:08d}{'x' * 992}</t></si>".encode())
            part.write(b"</sst>")


def run(side: str, path: Path, data: Path) -> dict:
    code = CHILD.format(root=str(ROOT), data=str(data), side=side, path=str(path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "GLAPP_LOG_LEVEL": "WARNING"})
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--megabytes", type=float, default=90)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="glapp-xlsx-") as tmp:
        path = Path(tmp) / "bomb.xlsx"
        bomb(path, args.megabytes)
        print(f"{path.stat().st_size / 1e6:.2f} MB file, shared strings unpack to {args.megabytes:.0f} MB")
        glapp = run("glapp", path, Path(tmp))
        baseline = run("baseline", path, Path(tmp))
    for name, r in (("glapp", glapp), ("baseline (openpyxl read-only)", baseline)):
        print(f"  {name}: {r['ms']:,.0f} ms, peak {r['rss_mb']:,.0f} MB, {r['outcome'][:90]}")
    print(f"glapp_ms={glapp['ms']:.0f} glapp_rss_mb={glapp['rss_mb']:.0f} "
          f"baseline_ms={baseline['ms']:.0f} baseline_rss_mb={baseline['rss_mb']:.0f}")


if __name__ == "__main__":
    main()
