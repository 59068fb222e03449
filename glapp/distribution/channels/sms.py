"""SMS invitations: a provider protocol, the 46elks adapter and a local outbox.

`GLAPP_SMS_PROVIDER` chooses: "46elks" sends through 46elks' REST API
(https://46elks.com/docs/send-sms: `POST /a1/sms`, form fields `from`, `to`, `message`, HTTP
basic auth with the API username and password, JSON answer with the message `id`); "local"
appends each message to a JSONL file in the data dir (demo, tests, development).
"""

import base64
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from glapp.distribution.channels import DeliveryError, Rejected, TemporaryFailure
from glapp.distribution.channels.content import absolute, header_safe, message_id
from glapp.distribution.channels.sms_length import gsm7_fold, sms_segments
from glapp.distribution.models import Invitation

TIMEOUT_SECONDS = 15


class SmsProvider(Protocol):
    def send(self, to: str, message: str, reference: str) -> str:
        """Send one SMS; return the provider's message id. Raises a channel error."""


@dataclass
class HttpSmsProvider:
    """46elks: form POST over HTTPS with basic auth."""

    url: str
    username: str
    password: str
    sender: str
    timeout: float = TIMEOUT_SECONDS

    def __post_init__(self):
        if urllib.parse.urlsplit(self.url).scheme not in ("https", "http"):
            raise DeliveryError(f"GLAPP_SMS_URL must be an http(s) URL, not {self.url!r}.")

    def send(self, to: str, message: str, reference: str) -> str:
        if not self.username or not self.password:
            raise DeliveryError("SMS provider credentials are not configured (GLAPP_SMS_USERNAME/PASSWORD).")
        body = urllib.parse.urlencode({"from": self.sender, "to": to, "message": message}).encode()
        credentials = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        request = urllib.request.Request(self.url, data=body, method="POST", headers={  # noqa: S310 (checked above)
            "Authorization": f"Basic {credentials}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        })
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (checked above)
                answer = response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:300]
            raise _error_for(exc.code, detail) from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise TemporaryFailure(f"SMS provider unreachable: {exc}") from exc
        try:
            data = json.loads(answer)
        except ValueError as exc:
            raise TemporaryFailure(f"SMS provider answered something that is not JSON: {answer[:200]!r}") from exc
        if data.get("status") == "failed":
            raise Rejected(f"SMS provider refused the message: {answer[:200]}")
        if not data.get("id"):
            raise TemporaryFailure(f"SMS provider answer has no message id: {answer[:200]!r}")
        return str(data["id"])


def _error_for(status: int, detail: str) -> DeliveryError:
    if status in (401, 402, 403) and "to" not in detail.lower():
        # Wrong credentials or no credit: not the recipient's fault, and retrying will not help.
        return DeliveryError(f"SMS provider refused our request ({status}): {detail}")
    if status == 429 or status >= 500:
        return TemporaryFailure(f"SMS provider failed ({status}): {detail}")
    if "to" in detail.lower() or "number" in detail.lower():
        return Rejected(f"SMS provider rejected the number ({status}): {detail}")
    return DeliveryError(f"SMS provider refused the message ({status}): {detail}")


class LocalSmsProvider:
    """Appends messages to a JSONL outbox (one object per line) instead of sending them."""

    _lock = threading.Lock()

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def send(self, to: str, message: str, reference: str) -> str:
        record = {"id": reference, "to": to, "message": message, "at": timezone.now().isoformat()}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        return reference

    def messages(self) -> list[dict]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]


def provider() -> SmsProvider:
    name = settings.GLAPP_SMS_PROVIDER
    if name == "local":
        return LocalSmsProvider(settings.GLAPP_SMS_OUTBOX)
    if name == "46elks":
        return HttpSmsProvider(settings.GLAPP_SMS_URL, settings.GLAPP_SMS_USERNAME, settings.GLAPP_SMS_PASSWORD,
                               settings.GLAPP_SMS_SENDER)
    raise DeliveryError(f"Unknown GLAPP_SMS_PROVIDER {name!r} (use local or 46elks).")


def sms_text(invitation: Invitation, reminder: bool = False) -> str:
    """The SMS's own short wording: who asks, a short ask (another for the reminder), the link
    and the opt-out link (every message must offer it). Not the e-mail's greeting and question:
    piped wording has no length bound, and each 153 characters more is another SMS to pay."""
    with translation.override(invitation.language):
        first, again = gettext("%(organization)s: how was it?"), gettext("Reminder from %(organization)s:")
        head = again if reminder else first
        stop = gettext("Stop:")
    name = header_safe(invitation.organization.name)
    # Outside GSM-7 one character would make the whole SMS UCS-2 (70 characters, not 160).
    organization = gsm7_fold(name, keep_others=False).strip() or name
    return compose_sms(gsm7_fold(head), organization, absolute(f"/r/{invitation.token}/"), gsm7_fold(stop),
                       absolute(f"/u/{invitation.token}/"))


MAX_SEGMENTS = 2


def compose_sms(head: str, organization: str, link: str, stop: str, unsubscribe: str) -> str:
    """`head` (with %(organization)s), the link, then the opt-out link: in one SMS if it fits,
    if need be with the opt-out link written without its scheme (phones link `host/path` too);
    else with both links in full in at most two SMS, shortening a long organization name to
    get there."""
    def text(org: str, opt_out: str) -> str:
        return f"{head % {'organization': org}} {link}\n{stop} {opt_out}"

    full = text(organization, unsubscribe)
    for candidate in (full, text(organization, unsubscribe.split("://", 1)[-1])):
        if sms_segments(candidate) == 1:
            return candidate
    if sms_segments(full) <= MAX_SEGMENTS:
        return full
    for length in range(len(organization) - 1, 0, -1):
        full = text(organization[:length].rstrip(" .,-") + ".", unsubscribe)
        if sms_segments(full) <= MAX_SEGMENTS:
            break
    return full  # beyond two only when the links alone need it (e.g. UCS-2 wording)


def send(invitation: Invitation, reminder: bool = False, sms_provider: SmsProvider | None = None) -> str:
    reference = message_id(invitation, reminder)
    return (sms_provider or provider()).send(invitation.customer.phone, sms_text(invitation, reminder), reference)
