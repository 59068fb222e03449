"""The apps' layers hold (docs/architecture.md), and the checker that CI runs would notice if they
stopped holding: an import from a lower app up into a higher one fails it."""

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GLAPP = ROOT / "glapp"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=tree, capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree)})


@pytest.fixture(scope="module")
def copy_of_the_code(tmp_path_factory) -> Path:
    tree = tmp_path_factory.mktemp("layers")
    shutil.copytree(GLAPP, tree / "glapp", ignore=shutil.ignore_patterns("__pycache__", "*.mo", "static", "locale"))
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def test_the_layers_hold(copy_of_the_code):
    result = lint_imports(copy_of_the_code)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" in result.stdout and "0 broken" in result.stdout


@pytest.mark.parametrize(("module", "upward"), [
    ("surveys/queries.py", "from glapp.respond import queries as respond_queries"),  # lower app reaching up
    ("analytics/queries.py", "from glapp.textanalytics import queries as text_queries"),  # one layer, two apps
    ("responses/actions.py", "    from glapp.web import views"),  # hidden in a function
    ("core/stats.py", "from django.conf import settings"),  # a pure module importing Django
    ("api/api.py", "from glapp.demo import company"),  # only the command line may use the demo
])
def test_the_checker_rejects_a_forbidden_import(copy_of_the_code, tmp_path, module, upward):
    tree = tmp_path / "tree"
    shutil.copytree(copy_of_the_code, tree)
    path = tree / "glapp" / module
    source = path.read_text()
    if upward.startswith("    "):  # inside a function, where a lazy import would hide from a quick look
        source += f"\n\ndef _reach_up():\n{upward}\n    return views\n"
    else:
        source = f"{upward}  # noqa\n{source}"
    path.write_text(source)
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout or "broken" in result.stdout.lower()
    assert "0 broken" not in result.stdout


# Names every entry point must give (Django's settings module, the WSGI application): they are
# where the command line hands over to config, not a reach into another app.
ENTRY_POINTS = {"glapp.config.settings", "glapp.config.wsgi:application"}


def _product_modules():
    for path in sorted(GLAPP.rglob("*.py")):
        parts = path.relative_to(GLAPP).parts
        if "migrations" in parts or parts[0] == "config":
            continue
        yield parts[0], path


def _is_module(dotted: str) -> bool:
    """A dotted name of a real module or package under glapp (logger names and signing salts
    such as "glapp.surveys.start" merely look like one)."""
    path = GLAPP.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def test_no_app_reaches_another_by_name():
    """No `apps.get_model`, `import_module` or dotted string naming another app's module: such a
    reach would slip past the import checker."""
    found = []
    for app, path in _product_modules():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("get_model", "import_module"):
                found.append(f"{path}:{node.lineno} {node.attr}")
            elif isinstance(node, ast.Name) and node.id == "import_module":
                found.append(f"{path}:{node.lineno} import_module")
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value not in ENTRY_POINTS:
                match = re.fullmatch(r"glapp\.(\w+)((?:\.\w+)*)(?::\w+)?", node.value)
                if match and match[2] and match[1] != app and _is_module(match[1] + match[2]):
                    found.append(f"{path}:{node.lineno} {node.value!r}")
    assert not found, "\n".join(found)


def test_no_app_imports_another_in_both_directions():
    """The measure the layers exist for: no two apps import each other, counted over every import
    (module and function level) outside tests and migrations."""
    edges: dict[str, set[str]] = {}
    for app, path in _product_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            for name in names:
                parts = name.split(".")
                if len(parts) >= 2 and parts[0] == "glapp" and parts[1] != app and (GLAPP / parts[1]).is_dir():
                    edges.setdefault(app, set()).add(parts[1])
    mutual = sorted((a, b) for a in edges for b in edges[a] if a < b and a in edges.get(b, set()))
    assert mutual == []
