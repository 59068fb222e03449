"""No personal data and no respondent tokens in the logs, in console and in JSON mode, while a
server error keeps its whole traceback (docs/security.md, "Logs without personal data")."""

import io
import json
import logging
import logging.config

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client
from django.urls import include, path

from glapp.cli.gunicorn_logging import ScrubbedLogger
from glapp.config.logging import build_logging

EMAIL = "anna.svensson@example.se"
PERSONNUMMER = "19121212-1212"  # Tolvan Tolvansson, the Tax Agency's test number (valid checksum)
PHONE = "070-123 45 67"
TOKEN = "Xy7Qw2Er9Ty5Ui1Op3As6Df"


def failing_view(request):
    """Reads personal data into locals, then fails, quoting one of them in its message."""
    email = request.POST["email"]
    personnummer = request.POST["personnummer"]
    phone = request.POST["phone"]
    customer = {"email": email, "personnummer": personnummer, "phone": phone}
    raise RuntimeError(f"could not store the customer {customer['email']}")


def fine_view(request):
    return HttpResponse("ok")


urlpatterns = [
    path("boom/", failing_view),
    path("fine/", fine_view),
    path("", include("glapp.config.urls")),
]


@pytest.fixture(params=["console", "json"])
def captured_logs(request):
    """The root handler of `mode`, writing to a buffer; the project's logging restored after."""
    logging.config.dictConfig(build_logging(json=request.param == "json"))
    buffer = io.StringIO()
    logging.getLogger().handlers[0].setStream(buffer)
    yield request.param, buffer
    logging.config.dictConfig(settings.LOGGING)


@pytest.mark.urls("tests.core.test_logs_without_pii")
@pytest.mark.django_db
def test_a_server_error_logs_its_traceback_without_the_requests_personal_data(captured_logs):
    mode, buffer = captured_logs
    response = Client(raise_request_exception=False).post(
        "/boom/", {"email": EMAIL, "personnummer": PERSONNUMMER, "phone": PHONE})
    assert response.status_code == 500
    text = buffer.getvalue()
    for secret in (EMAIL, PERSONNUMMER, PHONE, "19121212", "123 45 67"):
        assert secret not in text, f"{secret!r} in the {mode} log"
    # The traceback is all there: the failing frame, the exception type and its (scrubbed) message.
    assert "failing_view" in text
    assert "RuntimeError" in text
    assert "could not store the customer [EMAIL]" in text
    if mode == "json":
        error = next(json.loads(line) for line in text.splitlines() if '"django.request"' in line)
        [exception] = error["exception"]
        assert exception["exc_type"] == "RuntimeError"
        assert any(frame["name"] == "failing_view" for frame in exception["frames"])
        assert not any(frame.get("locals") for frame in exception["frames"])
    else:
        assert "Traceback (most recent call last)" in text


@pytest.mark.urls("tests.core.test_logs_without_pii")
@pytest.mark.django_db
def test_request_logs_do_not_carry_respondent_tokens(captured_logs):
    mode, buffer = captured_logs
    client = Client()
    for url in (f"/r/{TOKEN}/", f"/s/{TOKEN[:20]}/", f"/u/{TOKEN}/", f"/w/{TOKEN[:20]}/config.json"):
        client.get(url)
    client.get("/fine/")
    text = buffer.getvalue()
    assert "/fine/" in text  # the request log is on
    assert TOKEN[:20] not in text, f"a respondent token in the {mode} log"
    assert "/r/<token>/" in text


def test_gunicorns_access_log_is_scrubbed():
    class Environ(dict):
        pass

    logger = ScrubbedLogger.__new__(ScrubbedLogger)

    class Response:
        status = "200 OK"
        headers = []
        sent = 10

    class Request:
        headers = [("REFERER", f"https://shop.example/r/{TOKEN}/")]

    import datetime as dt

    environ = {"REQUEST_METHOD": "GET", "RAW_URI": f"/r/{TOKEN}/?email={EMAIL}", "SERVER_PROTOCOL": "HTTP/1.1",
               "PATH_INFO": f"/r/{TOKEN}/", "QUERY_STRING": f"email={EMAIL}",
               "HTTP_REFERER": f"https://shop.example/r/{TOKEN}/"}
    logger.cfg = type("Cfg", (), {"forwarded_allow_ips": []})()
    atoms = logger.atoms(Response(), Request(), environ, dt.timedelta(milliseconds=5))
    rendered = " ".join(str(v) for v in atoms.values())
    assert TOKEN not in rendered and EMAIL not in rendered
    assert atoms["r"] == "GET /r/<token>/?email=[EMAIL] HTTP/1.1"
