"""Request logging (a refused or missing page is one line; a server error keeps its traceback) and the favicon."""

import logging

import pytest
from django.core.exceptions import PermissionDenied

from glapp.config.logging import ClientErrorsWithoutTraceback, build_logging


def record(status: int) -> logging.LogRecord:
    try:
        raise PermissionDenied
    except PermissionDenied:
        import sys

        exc_info = sys.exc_info()
    rec = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Forbidden: %s", ("/x/",), exc_info)
    rec.status_code = status
    return rec


@pytest.mark.parametrize(("status", "traceback"), [(403, False), (404, False), (500, True)])
def test_client_errors_lose_their_traceback(status, traceback):
    rec = record(status)
    assert ClientErrorsWithoutTraceback().filter(rec) is True
    assert (rec.exc_info is not None) is traceback


def test_the_console_handler_uses_the_filter():
    config = build_logging(json=True)
    assert "client_errors" in config["handlers"]["console"]["filters"]


@pytest.mark.django_db
def test_the_favicon_is_served_and_linked(client):
    redirect = client.get("/favicon.ico")
    assert redirect.status_code == 301 and redirect["Location"].endswith("web/favicon.svg")
    assert 'rel="icon"' in client.get("/login/", follow=True).text
