"""A small, real OpenID Connect provider on loopback for the single sign-on tests.

Authorization code flow with PKCE (S256), RS256 ID tokens signed with joserfc and published as
a JWKS, a userinfo endpoint. It signs in one configured person without a login form (the
provider's own login is not what glapp tests), and can be told to misbehave: sign with a key it
does not publish, issue an expired token, or address the token to another client.
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "glapp-test"
CLIENT_SECRET = "provider-secret-for-tests"


@dataclass
class Person:
    sub: str = "u-1"
    email: str = "anna@example.com"
    email_verified: bool = True
    name: str = "Anna Lindqvist"


@dataclass
class Provider:
    person: Person = field(default_factory=Person)
    misbehave: str = ""  # "", "foreign_key", "expired", "other_audience"
    codes: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, {"kid": "k1", "use": "sig", "alg": "RS256"}))
    base_url: str = ""
    token_requests: int = 0

    @property
    def issuer(self) -> str:
        return self.base_url

    def settings(self) -> dict:
        """Django settings that point glapp at this provider."""
        return {
            "GLAPP_OIDC_ENABLED": True,
            "GLAPP_OIDC_PROVIDER_NAME": "Acme ID",
            "GLAPP_OIDC_ISSUER": self.issuer,
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.base_url}/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.base_url}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.base_url}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.base_url}/jwks",
        }

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer, "sub": self.person.sub, "aud": CLIENT_ID, "iat": now, "exp": now + 300,
            "nonce": nonce, "email": self.person.email, "email_verified": self.person.email_verified,
        }
        key = self.key
        if self.misbehave == "foreign_key":  # same kid, a key the JWKS does not hold: a forgery
            key = RSAKey.generate_key(2048, {"kid": "k1", "use": "sig", "alg": "RS256"})
        elif self.misbehave == "expired":
            claims.update(iat=now - 3600, exp=now - 1800)
        elif self.misbehave == "other_audience":
            claims["aud"] = "another-client"
        return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _handler(provider: Provider):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet test output
            pass

        def _json(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/jwks":
                self._json(200, {"keys": [provider.key.as_dict(private=False)]})
            elif url.path == "/authorize":
                if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
                    self._json(400, {"error": "invalid_request"})
                    return
                code = secrets.token_urlsafe(16)
                provider.codes[code] = {"nonce": query.get("nonce", ""), "redirect_uri": query["redirect_uri"],
                                        "challenge": query.get("code_challenge", "")}
                self.send_response(302)
                self.send_header("Location", f"{query['redirect_uri']}?" + urlencode(
                    {"code": code, "state": query.get("state", "")}))
                self.end_headers()
            elif url.path == "/userinfo":
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                if token not in provider.tokens:
                    self._json(401, {"error": "invalid_token"})
                    return
                p = provider.person
                self._json(200, {"sub": p.sub, "email": p.email, "email_verified": p.email_verified, "name": p.name})
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self):
            if urlparse(self.path).path != "/token":
                self._json(404, {"error": "not_found"})
                return
            provider.token_requests += 1
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            grant = provider.codes.pop(form.get("code", ""), None)  # a code is good once
            if (form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET
                    or grant is None or form.get("redirect_uri") != grant["redirect_uri"]
                    or _s256(form.get("code_verifier", "")) != grant["challenge"]):
                self._json(400, {"error": "invalid_grant"})
                return
            access = secrets.token_urlsafe(16)
            provider.tokens[access] = provider.person.sub
            self._json(200, {"access_token": access, "token_type": "Bearer", "expires_in": 300,
                             "id_token": provider.id_token(grant["nonce"])})

    return Handler


class running:
    """`with running(Provider()) as provider:` serves it on 127.0.0.1 on a free port."""

    def __init__(self, provider: Provider):
        self.provider = provider
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
        provider.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Provider:
        self.thread.start()
        return self.provider

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
