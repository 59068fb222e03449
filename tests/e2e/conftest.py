"""Browser tests drive Debian's Chromium through pytest-playwright; no browser is ever downloaded."""

import os

import pytest

# live_server runs the app in a thread while Playwright's sync API keeps an event loop in the
# test thread; Django would otherwise refuse ORM calls from that "async" context.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # tests run as root in containers, where the sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing; scripts/test installs the Debian chromium package")
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The respondents of the tests' Swedish surveys browse in Swedish: respondent pages follow the
    # browser's language (Accept-Language), and headless Chromium would otherwise say en-US.
    return {**browser_context_args, "locale": "sv-SE"}


def pytest_collection_modifyitems(items):
    # Everything under tests/e2e drives a browser; mark it so `-m "not browser"` skips it as a group.
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.browser)
