"""The 46elks adapter against a real HTTP server on loopback (http.server in a thread)."""

import base64
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from glapp.distribution.channels import DeliveryError, Rejected, TemporaryFailure
from glapp.distribution.channels.sms import HttpSmsProvider


class FakeElks(BaseHTTPRequestHandler):
    """Answers like 46elks' POST /a1/sms; the recipient number picks the scenario."""

    received: list = []

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        auth = self.headers.get("Authorization", "")
        FakeElks.received.append({"path": self.path, "form": form, "auth": auth,
                                  "type": self.headers.get("Content-Type")})
        user, _, password = base64.b64decode(auth.removeprefix("Basic ")).decode().partition(":")
        if (user, password) != ("u123", "secret"):
            return self._answer(401, "text/plain", "Invalid credentials")
        to = form.get("to", "")
        if to == "+46700000001":
            return self._answer(403, "text/plain", "Invalid to number")
        if to == "+46700000002":
            return self._answer(503, "text/plain", "Service unavailable")
        if to == "+46700000003":
            time.sleep(2)
        return self._answer(200, "application/json", json.dumps({
            "status": "created", "direction": "outgoing", "from": form["from"], "to": to,
            "message": form["message"], "id": "s70df59406a1b4643b96f3f91e0bfb7b0", "parts": 1, "cost": 3500}))

    def _answer(self, status, content_type, body):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def elks():
    FakeElks.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeElks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/a1/sms"
    server.shutdown()
    server.server_close()


def provider(url, **kw):
    return HttpSmsProvider(url, kw.pop("username", "u123"), kw.pop("password", "secret"), "Acme", **kw)


def test_sends_a_form_post_with_basic_auth(elks):
    assert provider(elks).send("+46701234567", "Hej! https://x/r/t/", "<inv-1@glapp>") == \
        "s70df59406a1b4643b96f3f91e0bfb7b0"
    [request] = FakeElks.received
    assert request["path"] == "/a1/sms"
    assert request["type"] == "application/x-www-form-urlencoded"
    assert request["form"] == {"from": "Acme", "to": "+46701234567", "message": "Hej! https://x/r/t/"}


def test_wrong_credentials_fail_without_blaming_the_number(elks):
    with pytest.raises(DeliveryError) as raised:
        provider(elks, password="wrong").send("+46701234567", "x", "r")
    assert not isinstance(raised.value, Rejected | TemporaryFailure)


def test_an_invalid_number_is_a_bounce(elks):
    with pytest.raises(Rejected):
        provider(elks).send("+46700000001", "x", "r")


def test_server_errors_and_timeouts_are_temporary(elks):
    with pytest.raises(TemporaryFailure):
        provider(elks).send("+46700000002", "x", "r")
    with pytest.raises(TemporaryFailure):
        provider(elks, timeout=0.3).send("+46700000003", "x", "r")


def test_unreachable_is_temporary_and_missing_credentials_fail():
    with pytest.raises(TemporaryFailure):
        provider("http://127.0.0.1:1/a1/sms", timeout=2).send("+46701234567", "x", "r")
    with pytest.raises(DeliveryError):
        provider("https://api.46elks.com/a1/sms", username="").send("+46701234567", "x", "r")
    with pytest.raises(DeliveryError):
        provider("file:///etc/passwd")


@pytest.mark.django_db
def test_dispatch_through_the_46elks_adapter(org, elks, settings):
    from glapp.distribution.dispatch import dispatch_due_invitations
    from tests.distribution.test_dispatch import NOON, invite

    settings.GLAPP_SMS_PROVIDER = "46elks"
    settings.GLAPP_SMS_URL = elks
    settings.GLAPP_SMS_USERNAME, settings.GLAPP_SMS_PASSWORD, settings.GLAPP_SMS_SENDER = "u123", "secret", "Acme"
    settings.GLAPP_BASE_URL = "https://glapp.test"
    ok = invite(org, email_address="", phone="+46701234567", consent_sms=True)
    bad = invite(org, external_id="C2", email_address="", phone="+46700000001", consent_sms=True)
    assert dispatch_due_invitations(now=NOON) == {"sent": 1, "bounced": 1}
    ok.refresh_from_db()
    bad.refresh_from_db()
    assert ok.status == "sent" and bad.status == "bounced" and bad.customer.phone_bounced_at == NOON
    [sent] = [r for r in FakeElks.received if r["form"]["to"] == "+46701234567"]
    assert f"https://glapp.test/r/{ok.token}/" in sent["form"]["message"]
