"""The UI speaks Swedish and English: every string the code and templates mark for translation is
in both catalogues, and Swedish has a settled translation for each (none empty, none fuzzy).

The catalogues are extracted again, as a developer would, into a copy of the package: what
`makemessages` adds to the copy is what the committed catalogues lack."""

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import glapp

PACKAGE = Path(glapp.__file__).resolve().parent


def entries(po: Path) -> list[dict]:
    """The catalogue's live entries (not the header, not obsolete ones), read as msgfmt reads them:
    an entry starts at a comment, msgctxt or msgid after the previous one's msgstr."""
    out, entry, field = [], None, None
    for line in po.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith(("#", "msgctxt", "msgid ")) and (entry is None or entry["msgstr"]):
            entry = {"flags": set(), "msgctxt": None, "msgid": "", "msgstr": []}
            out.append(entry)
        if line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if field == "msgstr":
                entry["msgstr"][-1] += ast.literal_eval(line)
            else:
                entry[field] += ast.literal_eval(line)
        else:
            keyword, _, text = line.partition(" ")
            field = "msgstr" if keyword.startswith("msgstr") else keyword
            if field == "msgstr":
                entry["msgstr"].append(ast.literal_eval(text))
            else:  # msgctxt, msgid, msgid_plural
                entry[field] = ast.literal_eval(text)
    return [e for e in out if e["msgid"]]


def key(entry: dict) -> tuple:
    return entry["msgctxt"], entry["msgid"]


def extracted(tmp_path) -> Path:
    """A copy of the package with its catalogues brought up to date by `makemessages`."""
    copy = tmp_path / "glapp"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}  # as scripts/test compiles
    subprocess.run([sys.executable, "-m", "django", "makemessages", "-l", "sv", "-l", "en", "-v", "0"],
                   cwd=copy, env=env, check=True, capture_output=True)
    return copy / "locale"


def test_every_marked_string_is_in_both_catalogues_and_settled_in_swedish(tmp_path):
    locale = extracted(tmp_path)
    for language in ("sv", "en"):
        committed = {key(e) for e in entries(PACKAGE / "locale" / language / "LC_MESSAGES" / "django.po")}
        missing = [e["msgid"] for e in entries(locale / language / "LC_MESSAGES" / "django.po")
                   if key(e) not in committed]
        assert not missing, f"not in the {language} catalogue: {missing}"
    swedish = entries(locale / "sv" / "LC_MESSAGES" / "django.po")
    assert not [e["msgid"] for e in swedish if not all(e["msgstr"]) or "fuzzy" in e["flags"]]
    assert not [e["msgid"] for e in entries(locale / "en" / "LC_MESSAGES" / "django.po") if "fuzzy" in e["flags"]]
