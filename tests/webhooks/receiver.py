"""A real HTTP receiver on loopback that verifies each request's signature with the
standardwebhooks package, as a customer's endpoint would, and answers as a test scripts it."""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook


@dataclass
class Received:
    webhook_id: str
    headers: dict
    body: bytes
    verified: dict | None  # the parsed body if the signature verified, else None


class Receiver:
    """`answers`: status codes to give in turn (then 200); `hold`: an Event the handler waits on
    before answering (a delivery held open)."""

    def __init__(self, secret: str | None = None):
        self.secret = secret
        self.received: list[Received] = []
        self.answers: deque[int] = deque()
        self.hold: threading.Event | None = None
        self.arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                verified = None
                if receiver.secret:
                    try:
                        verified = Webhook(receiver.secret).verify(body, headers)
                    except Exception:
                        verified = None
                receiver.received.append(Received(headers.get("webhook-id", ""), headers, body, verified))
                receiver.arrived.set()
                if receiver.hold is not None:
                    receiver.hold.wait(60)
                status = receiver.answers.popleft() if receiver.answers else 200
                reply = json.dumps({"ok": status < 300}).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.hold is not None:
            self.hold.set()
        self.server.shutdown()
        self.server.server_close()

    def bodies(self) -> list[dict]:
        return [json.loads(r.body) for r in self.received]
