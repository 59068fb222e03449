"""`glapp serve` on an empty installation prints the one-time token of the first-run page, and
the page it names answers; with an organization there is nothing to print."""

import re
import subprocess
import time

import httpx
import pytest

from glapp.cli.main import COMMANDS
from tests.cli.test_glapp_command import PROXIED, start_serve


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.mark.django_db
def test_serve_on_an_empty_installation_prints_the_setup_token_and_serves_the_first_run_page(tmp_path):
    proc, port, log_path = start_serve(tmp_path, "--workers", "1", "--threads", "1")
    try:
        deadline = time.monotonic() + 180  # a fresh SQLite file is migrated first
        while not (found := re.search(r"/setup/ and give this one-time setup token.*\n\s+(\S+)", log_path.read_text())):
            assert proc.poll() is None and time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.2)
        assert len(found.group(1)) >= 20
        while True:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/setup/", headers=PROXIED, timeout=5)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.2)
        assert page.status_code == 200 and 'name="token"' in page.text
    finally:
        _stop(proc)


def test_the_new_commands_are_listed():
    assert COMMANDS["org"][0] == "org" and COMMANDS["setup-token"][0] == "setup_token"
