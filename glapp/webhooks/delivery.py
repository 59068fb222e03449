"""Sending a batch of one endpoint's messages: signed per Standard Webhooks, over one kept-alive
HTTP client, to an address checked again at every connection.

A run (one delivery task) claims up to GLAPP_WEBHOOK_BATCH due deliveries, asks for the next run
at once when it found a full batch (so a second worker can take the next one meanwhile), sends,
and writes every result in one transaction (actions.record_results). A worker killed meanwhile
loses nothing: its task runs again when its lease runs out, and its claimed deliveries are due
again after GLAPP_WEBHOOK_CLAIM_SECONDS, with the same `webhook-id`."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import threading
import time
from collections.abc import Sequence

import httpcore
import httpx
from django.conf import settings
from django.utils import timezone
from standardwebhooks import Webhook

from glapp.webhooks import actions, addresses, queries
from glapp.webhooks.models import Endpoint

log = logging.getLogger("glapp.webhooks")
USER_AGENT = "glapp-webhooks/1"
READ_AT_MOST = 4096  # bytes of an answer read for the log; a longer one is cut off


class GuardedBackend(httpcore.SyncBackend):
    """Connects only to addresses a webhook may go to: the check runs on the addresses the
    connection really uses, so a name that resolved to a public address when the URL was saved
    and to a private one now is refused."""

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        if not settings.GLAPP_WEBHOOKS_ALLOW_PRIVATE:
            try:
                host = addresses.check_host(host, port)[0]
            except addresses.RefusedAddress as exc:
                raise httpcore.ConnectError(f"refused: {exc}") from exc
        return super().connect_tcp(host, port, timeout=timeout, local_address=local_address,
                                   socket_options=socket_options)


_clients: dict[tuple, httpx.Client] = {}
_clients_lock = threading.Lock()


def client() -> httpx.Client:
    """This process's client (kept-alive connections, no redirects followed: a redirect is an
    answer like any other 3xx, not delivered)."""
    key = (settings.GLAPP_WEBHOOKS_ALLOW_PRIVATE, settings.GLAPP_WEBHOOK_TIMEOUT)
    with _clients_lock:
        found = _clients.get(key)
        if found is None:
            transport = httpx.HTTPTransport(retries=0)
            transport._pool._network_backend = GuardedBackend()  # httpx has no public parameter for it
            found = _clients[key] = httpx.Client(transport=transport, follow_redirects=False,
                                                 timeout=settings.GLAPP_WEBHOOK_TIMEOUT,
                                                 headers={"user-agent": USER_AGENT})
        return found


def signers(endpoint: Endpoint, now: dt.datetime) -> list[Webhook]:
    found = [Webhook(endpoint.secret)]
    if endpoint.previous_secret and endpoint.previous_secret_until and endpoint.previous_secret_until > now:
        found.append(Webhook(endpoint.previous_secret))
    return found


def headers_for(signing: Sequence[Webhook], msg_id: str, body: bytes) -> dict[str, str]:
    # The receiver checks the timestamp against its own clock, so it is the wall clock's.
    at = dt.datetime.now(dt.UTC)
    return {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": " ".join(s.sign(msg_id, at, body) for s in signing),
    }


def run(endpoint_id: int, wake) -> dict[str, int]:
    """One delivery task's work for an endpoint; `wake(endpoint_id, at=None)` queues the next run."""
    actions.task_started(endpoint_id)
    endpoint = Endpoint.objects.filter(pk=endpoint_id, active=True).first()
    if endpoint is None:
        return {"claimed": 0}
    token = secrets.token_hex(16)
    batch = actions.claim(endpoint_id, settings.GLAPP_WEBHOOK_BATCH, token)
    if len(batch) >= settings.GLAPP_WEBHOOK_BATCH:
        wake(endpoint_id)  # more are due: another worker may take them while this one sends
    counts = {"claimed": len(batch)}
    if batch:
        try:
            addresses.check_url(endpoint.url, allow_private=settings.GLAPP_WEBHOOKS_ALLOW_PRIVATE)
        except addresses.RefusedAddress as exc:
            counts.update(actions.refuse_batch(endpoint_id, token, batch, f"refused: {exc}"))
        else:
            counts.update(actions.record_results(endpoint_id, token, send(endpoint, batch)))
    upcoming = queries.next_due_at(endpoint_id)
    if upcoming is not None:
        wake(endpoint_id, upcoming)
    return counts


def send(endpoint: Endpoint, batch: Sequence[actions.Claimed]) -> list[actions.Result]:
    """Send the claimed messages in order. After a timeout or a connection failure the rest are
    left unsent (the endpoint is not answering); after a third of the claim time too, so a slow
    endpoint cannot hold a batch past it."""
    http = client()
    signing = signers(endpoint, timezone.now())
    deadline = time.monotonic() + settings.GLAPP_WEBHOOK_CLAIM_SECONDS / 3
    results: list[actions.Result] = []
    stopped = False
    for item in batch:
        if stopped or time.monotonic() > deadline:
            results.append(actions.Result(item.delivery_id, item.attempts, timezone.now()))
            continue
        text = item.personal_payload if endpoint.personal_data and item.personal_payload else item.payload
        body = text.encode()
        started = time.monotonic()
        at = timezone.now()
        status, error, excerpt = None, "", b""
        try:
            with http.stream("POST", endpoint.url, content=body,
                             headers=headers_for(signing, item.msg_id, body)) as answer:
                status = answer.status_code
                for chunk in answer.iter_bytes():
                    excerpt += chunk
                    if len(excerpt) >= READ_AT_MOST:
                        break
        except httpx.TimeoutException:
            error, stopped = f"timeout after {settings.GLAPP_WEBHOOK_TIMEOUT:g} s", True
        except httpx.HTTPError as exc:
            error, stopped = (str(exc) or type(exc).__name__)[:300], True
            status = None
        duration = int((time.monotonic() - started) * 1000)
        if status is not None and error:
            error = ""  # an answer was read; a failure reading the rest of it does not change it
        results.append(actions.Result(item.delivery_id, item.attempts, at, status, error, duration,
                                      excerpt[:actions.EXCERPT].decode("utf-8", "replace")))
    return results
