"""The `glapp` command line: help without a database, createuser, and serve under gunicorn."""

import io
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from glapp.accounts.models import Membership, Role, User
from glapp.cli.main import COMMANDS, configure_environment


# Liveness bounds, not timings: a hung command fails the test instead of the suite. They are
# generous because the two databases' runs share the machine's cores.
def glapp(*args: str, env: dict | None = None, timeout: float = 120, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "glapp.cli.main", *args], capture_output=True, text=True,
                          env=env, timeout=timeout, cwd=cwd, stdin=subprocess.DEVNULL)


def clean_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("GLAPP_") and k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    return {**env, **extra}


def test_help_lists_every_subcommand_without_touching_a_database(tmp_path):
    # An unreachable database and no secret key: help must still work.
    result = glapp("--help", env=clean_env(DATABASE_URL="postgres://nobody@127.0.0.1:1/none"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for name in ["demo", "serve", "worker", "import", "export", "migrate", "createuser", "apikey", "manage"]:
        assert re.search(rf"^  {name} +\S", result.stdout, re.MULTILINE), name
    assert not (tmp_path / "var").exists()


def test_subcommand_help_is_djangos_parser_under_the_glapp_name(tmp_path):
    result = glapp("createuser", "--help", env=clean_env(GLAPP_DATA_DIR=str(tmp_path)))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: glapp createuser")
    assert "--role {owner,admin,analyst,case_handler,viewer}" in result.stdout


def test_unknown_subcommand_fails_with_usage():
    result = glapp("frobnicate", env=clean_env())
    assert result.returncode == 2
    assert "unknown command 'frobnicate'" in result.stderr


def test_local_use_gets_demo_defaults_but_a_deployment_does_not():
    local: dict = {}
    configure_environment(local)
    assert local["GLAPP_DEMO"] == "1"
    deployed = {"GLAPP_SECRET_KEY": "k" * 50}
    configure_environment(deployed)
    assert "GLAPP_DEMO" not in deployed
    with_db = {"DATABASE_URL": "postgres://db/glapp"}
    configure_environment(with_db)
    assert "GLAPP_DEMO" not in with_db


def test_every_mapped_command_names_a_django_command():
    from django.core.management import get_commands

    available = get_commands()
    for name, (command, _) in COMMANDS.items():
        if name != "manage":
            assert command in available, name


def test_each_subcommand_has_help(tmp_path):
    names = ["demo", "serve", "worker", "import", "export", "migrate", "createuser", "apikey"]
    env = clean_env(GLAPP_DATA_DIR=str(tmp_path))
    # In parallel: each one starts Python and Django, and nothing here depends on the others.
    procs = {name: subprocess.Popen([sys.executable, "-m", "glapp.cli.main", name, "--help"], env=env, text=True,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
             for name in names}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, (name, err)
        assert out.startswith(f"usage: glapp {name}"), name


def test_manage_passes_through_to_any_django_command(tmp_path):
    result = glapp("manage", "check", env=clean_env(GLAPP_DATA_DIR=str(tmp_path)))
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


# --- createuser -------------------------------------------------------------------------

PASSWORD = "a-long-enough-passphrase"


def test_createuser_creates_a_user_with_a_scoped_membership(org):
    call_command("createuser", "carla", org="acme", role="analyst", unit="acme-north", password=PASSWORD,
                 email="carla@example.com", language="en", stdout=(out := io.StringIO()))
    assert "Created user 'carla' as analyst in acme (unit acme-north and below)" in out.getvalue()
    user = User.objects.get(username="carla")
    assert user.check_password(PASSWORD)
    assert (user.email, user.language, user.is_superuser) == ("carla@example.com", "en", False)
    membership = Membership.objects.get(user=user)
    assert membership.organization == org
    assert membership.role == Role.ANALYST
    assert membership.unit.code == "acme-north"


def test_createuser_reads_the_password_from_the_environment(org, monkeypatch):
    monkeypatch.setenv("GLAPP_PASSWORD", PASSWORD)
    call_command("createuser", "dave", org="acme", stdout=io.StringIO())
    user = User.objects.get(username="dave")
    assert user.check_password(PASSWORD)
    assert Membership.objects.get(user=user).role == Role.VIEWER  # least privilege by default


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"org": "nope", "password": PASSWORD}, "No organization with slug 'nope'"),
        ({"org": "acme", "unit": "rival-north", "password": PASSWORD}, "No unit with code 'rival-north'"),
        ({"org": "acme", "password": "short"}, "Password rejected"),
        ({"password": PASSWORD}, "--org is required"),
    ],
)
def test_createuser_refuses_bad_input_and_creates_nothing(org, other_org, kwargs, message, monkeypatch):
    monkeypatch.delenv("GLAPP_PASSWORD", raising=False)
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("createuser", "erin", **kwargs)
    assert not User.objects.filter(username="erin").exists()


def test_createuser_refuses_an_existing_username(org):
    call_command("createuser", "frank", org="acme", password=PASSWORD, stdout=io.StringIO())
    with pytest.raises(CommandError, match="already exists"):
        call_command("createuser", "frank", org="acme", password=PASSWORD)


# --- serve ------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_env(tmp_path) -> dict:
    """Deployment-like settings behind a TLS-ending proxy (README, Deployment: the requests below
    carry the proxy's X-Forwarded-Proto); PostgreSQL runs use the migrated test database, SQLite a
    fresh file."""
    env = clean_env(GLAPP_SECRET_KEY="s" * 50, GLAPP_ALLOWED_HOSTS="127.0.0.1", GLAPP_DATA_DIR=str(tmp_path),
                    GLAPP_PROXY_COUNT="1")
    if connection.vendor == "postgresql":
        params = connection.settings_dict
        env["DATABASE_URL"] = (f"postgres://{params['USER']}:{params['PASSWORD'] or ''}@{params['HOST']}:"
                               f"{params['PORT']}/{params['NAME']}")
    return env


@pytest.mark.django_db
def test_serve_refuses_to_start_on_an_unmigrated_database(tmp_path):
    env = clean_env(GLAPP_SECRET_KEY="s" * 50, GLAPP_DATA_DIR=str(tmp_path))
    result = glapp("serve", "--bind", f"127.0.0.1:{free_port()}", env=env)
    assert result.returncode != 0
    assert "unapplied migration" in result.stderr and "glapp migrate" in result.stderr


def start_serve(tmp_path, *options: str) -> tuple[subprocess.Popen, int, Path]:
    """`glapp serve` on a free port in a production-like environment, logging to a file."""
    port = free_port()
    args = ["serve", "--bind", f"127.0.0.1:{port}", *options]
    if connection.vendor == "sqlite":
        args.append("--migrate")
    log_path = tmp_path / "serve.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "glapp.cli.main", *args], env=production_env(tmp_path),
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    return proc, port, log_path


PROXIED = {"X-Forwarded-Proto": "https"}  # what the TLS-ending proxy adds


@pytest.mark.django_db
def test_serve_runs_gunicorn_with_two_workers_and_answers_http(tmp_path):
    proc, port, log_path = start_serve(tmp_path, "--workers", "2", "--threads", "2")
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180  # a fresh SQLite file is migrated first
        while True:
            assert proc.poll() is None, log_path.read_text()
            try:
                response = httpx.get(f"{base}/api/v1/openapi.json", headers=PROXIED, timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.2)
        assert response.status_code == 200
        assert response.json()["info"]["title"] == "glapp API"
        # Static files come from installed packages through WhiteNoise, with no collectstatic step.
        static = httpx.get(f"{base}/static/ninja/swagger-ui-bundle.js", headers=PROXIED, timeout=5)
        assert static.status_code == 200 and len(static.content) > 100_000
        # Not DEBUG: unknown hosts are refused; plain HTTP (not through the proxy) goes to HTTPS.
        assert httpx.get(f"{base}/api/v1/openapi.json", headers={"Host": "evil.example", **PROXIED}).status_code == 400
        plain = httpx.get(f"{base}/api/v1/openapi.json", timeout=5)
        assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")
        deadline = time.monotonic() + 20
        while len(re.findall(r"Booting worker with pid", log_path.read_text())) < 2:
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.1)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, log_path.read_text()
    assert "Using worker: gthread" in log_path.read_text()


@pytest.mark.django_db
def test_serve_with_a_task_worker_starts_and_stops_it_with_the_server(tmp_path):
    """Local demo mode serves with a background worker by default (an import started in the
    browser must run); it is the server's child and never outlives it."""
    proc, _port, log_path = start_serve(tmp_path, "--workers", "1", "--task-worker")
    try:
        deadline = time.monotonic() + 180  # a fresh SQLite file is migrated first
        while not (found := re.search(r"Started the background task worker \(pid (\d+)\)", log_path.read_text())):
            assert proc.poll() is None and time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.2)
        worker = int(found.group(1))
        os.kill(worker, 0)  # alive
        assert "and a background task worker" in log_path.read_text()
    finally:
        proc.terminate()
        proc.wait(timeout=40)
    deadline = time.monotonic() + 10
    while True:  # the master waited for it; it is gone (or a reaped zombie of nobody's)
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            break
        assert time.monotonic() < deadline, log_path.read_text()
        time.sleep(0.1)
