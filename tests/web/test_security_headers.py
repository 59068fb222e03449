"""Security headers (docs/security.md, "Security headers"): a Content-Security-Policy without
inline script on every page, no page framed but the widget's (by the organization's sites only),
and outside demo, debug and tests: HTTPS redirect, HSTS and the proxy header when asked for."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from glapp.accounts.models import Role
from tests.factories import make_user
from tests.web.helpers import add_responses, login

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
PAGES = ["/", "/responses/", "/journey/", "/trends/", "/verbatims/", "/topics/", "/topics/new/",
         "/topics/themes/", "/surveys/", "/surveys/new/", "/invitations/", "/invitations/policy/",
         "/settings/api-keys/", "/data/import/", "/api/v1/docs"]


def script_sources(csp: str) -> list[str]:
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if " " in part.strip())
    return directives["script-src"].split()


def test_every_page_has_a_policy_without_inline_script(org):
    add_responses(org, {"nps": 3, "comment": "Långsamt"})
    client = login(Client(), make_user(org, "olga", role=Role.OWNER))
    created = client.post("/settings/api-keys/", {"name": "kassan", "scopes": ["responses:read"]})
    pages = [*PAGES, created.url if created.status_code == 302 else "/settings/api-keys/", "/login/"]
    for url in pages:
        resp = client.get(url, follow=True)
        assert resp.status_code == 200, url
        csp = resp["Content-Security-Policy"]
        assert script_sources(csp) == ["'self'"], url
        assert "frame-ancestors 'none'" in csp and resp["X-Frame-Options"] == "DENY", url
        html = resp.content.decode()
        assert not INLINE_SCRIPT.search(html), f"inline script on {url}: {INLINE_SCRIPT.search(html).group()}"
        assert not EVENT_HANDLER.search(html), f"event handler attribute on {url}: {EVENT_HANDLER.search(html)}"


def test_no_template_carries_inline_script_or_event_handlers():
    for template in (ROOT / "glapp").rglob("templates/**/*.html"):
        if "/email/" in str(template):
            continue  # e-mail bodies run in mail clients, never under the site's policy
        text = template.read_text()
        assert not INLINE_SCRIPT.search(text), template
        assert not EVENT_HANDLER.search(text), template


def production(tmp_path, code: str, **env) -> dict:
    """Run `code` in a fresh interpreter with production settings (no demo, debug or test mode);
    it prints a JSON result."""
    clean = {k: v for k, v in os.environ.items()
             if k not in ("GLAPP_TESTING", "GLAPP_DEMO", "GLAPP_DEBUG", "GLAPP_SSL_REDIRECT", "GLAPP_HSTS_SECONDS",
                          "GLAPP_PROXY_COUNT", "DATABASE_URL")}
    clean.update({"GLAPP_SECRET_KEY": "x" * 50, "GLAPP_ALLOWED_HOSTS": "testserver", "GLAPP_DATA_DIR": str(tmp_path),
                  "DJANGO_SETTINGS_MODULE": "glapp.config.settings", **env})
    script = "import django, json\ndjango.setup()\nfrom django.test import Client\n" + code
    out = subprocess.run([sys.executable, "-c", script], env=clean, cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


FETCH = """
c = Client()
plain = c.get("/w/widget.js")  # a page that reads no table: the data dir has an empty database
secure = c.get("/w/widget.js", secure=True)
proxied = c.get("/w/widget.js", HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({"plain": [plain.status_code, plain.get("Location", "")],
                  "hsts": secure.get("Strict-Transport-Security", ""),
                  "csp": secure.get("Content-Security-Policy", ""), "xfo": secure.get("X-Frame-Options", ""),
                  "proxied": [proxied.status_code, proxied.get("Strict-Transport-Security", "")],
                  "cookie_secure": __import__("django.conf").conf.settings.SESSION_COOKIE_SECURE}))
"""


def test_production_redirects_to_https_and_sends_hsts(tmp_path):
    result = production(tmp_path, FETCH)
    assert result["plain"] == [301, "https://testserver/w/widget.js"]
    assert result["hsts"] == "max-age=31536000"
    assert "script-src 'self'" in result["csp"] and result["xfo"] == "DENY"
    assert result["cookie_secure"] is True
    # Without the proxy setting a forged X-Forwarded-Proto is not believed: still redirected.
    assert result["proxied"][0] == 301


def test_behind_a_proxy_its_forwarded_scheme_is_trusted(tmp_path):
    result = production(tmp_path, FETCH, GLAPP_PROXY_COUNT="1")
    assert result["proxied"] == [200, "max-age=31536000"]


def test_demo_mode_stays_on_plain_http(tmp_path):
    result = production(tmp_path, FETCH, GLAPP_DEMO="1")
    assert result["plain"][0] == 200 and result["hsts"] == ""
    assert "script-src 'self'" in result["csp"]  # the policy holds in every mode
