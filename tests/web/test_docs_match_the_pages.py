"""docs/api.md sends people only to pages that exist, by the names the navigation gives them:
it once named a settings menu ("Inställningar → API-nycklar") the web app never had."""

import re
from pathlib import Path

import pytest
from django.urls import Resolver404, resolve

REPOSITORY = Path(__file__).resolve().parents[2]
DOC = (REPOSITORY / "docs" / "api.md").read_text(encoding="utf-8")
NAV = (REPOSITORY / "glapp" / "web" / "templates" / "web" / "base.html").read_text(encoding="utf-8")
NAV_LABELS = set(re.findall(r'\{% translate "([^"]+)" %\}</a>', NAV))


def test_every_menu_path_in_the_api_docs_is_made_of_navigation_labels():
    paths = re.findall(r"\*\*([^*]+)\*\*", DOC)
    for bold in (p for p in paths if "→" in p or p.endswith(" page")):
        for part in (s.strip() for s in bold.split("→")):
            assert part in NAV_LABELS, f"docs/api.md names {part!r}; the navigation has {sorted(NAV_LABELS)}"
    named = re.findall(r"the \*\*([^*]+)\*\* page", DOC)
    assert named and all(name in NAV_LABELS for name in named), named


@pytest.mark.parametrize("path", sorted(set(re.findall(r"`(/settings/[^`]*)`", DOC))))
def test_every_settings_address_in_the_api_docs_exists(path):
    try:
        resolve(path)
    except Resolver404:
        pytest.fail(f"docs/api.md points at {path}, which is no page")


def test_the_cli_commands_in_the_api_docs_exist():
    from glapp.cli.main import COMMANDS

    for command in set(re.findall(r"^glapp ([a-z]+)", DOC, re.M)):
        assert command in COMMANDS, command
