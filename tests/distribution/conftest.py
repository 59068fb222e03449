"""Fixtures for distribution tests: an API client, a real SMTP server on loopback (aiosmtpd)
and Django's SMTP backend pointed at it, and the local SMS outbox in a temporary file."""

import socket
import threading

import pytest
from aiosmtpd.controller import Controller

from tests.api.helpers import Api, key_for


@pytest.fixture
def api(org):
    return Api(key_for(org))


class Recorder:
    """Keeps every accepted message; refuses recipients whose address contains "bounce"."""

    def __init__(self):
        self.messages = []  # (envelope recipients, raw message bytes)
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if "bounce" in address:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.messages.append((list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(settings, tmp_path):
    recorder = Recorder()
    with socket.socket() as probe:  # a free port (aiosmtpd's start-up check cannot use port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 10
        settings.DEFAULT_FROM_EMAIL = "Acme <survey@acme.test>"
        settings.GLAPP_BASE_URL = "https://glapp.test"
        settings.GLAPP_SMS_PROVIDER = "local"
        settings.GLAPP_SMS_OUTBOX = str(tmp_path / "sms.jsonl")
        yield recorder
    finally:
        controller.stop()
