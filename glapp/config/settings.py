"""Django settings for glapp, read from the environment.

Defaults are safe for production (DEBUG off, secret key required); `GLAPP_DEMO=1`
(set by `glapp demo` / the start script) relaxes them for a local evaluation.
"""

import contextlib
import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from glapp.config.logging import build_logging
from glapp.core import task_queues
from glapp.core.ratelimit import parse as parse_rate_limit


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


BASE_DIR = Path(__file__).resolve().parent.parent  # the glapp package
DATA_DIR = Path(os.environ.get("GLAPP_DATA_DIR", Path.cwd() / "var")).resolve()

DEMO = env_bool("GLAPP_DEMO")
DEBUG = env_bool("GLAPP_DEBUG", default=False)
TESTING = env_bool("GLAPP_TESTING")


def _secret_key() -> str:
    key = os.environ.get("GLAPP_SECRET_KEY")
    if key:
        return key
    if not (DEMO or DEBUG or TESTING):
        raise ImproperlyConfigured("Set GLAPP_SECRET_KEY (or GLAPP_DEMO=1 for a local demo).")
    # Demo/dev: keep one random key per data dir so sessions survive restarts.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("GLAPP_ALLOWED_HOSTS", "").split(",") if h.strip()]
if not ALLOWED_HOSTS and (DEMO or DEBUG or TESTING):
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("GLAPP_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django.contrib.humanize",
    "django_htmx",
    "csp",  # Content-Security-Policy header (CONTENT_SECURITY_POLICY below)
    "ninja",  # serves Swagger UI from its own static files; without it the docs page pulls a CDN
    "django_tasks",
    "django_tasks_db",
    "axes",  # login throttling: failed attempts counted in the cache, never a database write
    "django_otp",  # second factor: TOTP apps and one-time backup codes
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # glapp's apps, lowest layer first (docs/architecture.md: an app imports only apps listed above it)
    "glapp.core",
    "glapp.accounts",
    "glapp.journeys",
    "glapp.contacts",
    "glapp.surveys",
    "glapp.responses",
    "glapp.analytics",
    "glapp.textanalytics",
    "glapp.distribution",
    "glapp.respond",
    "glapp.cases",
    "glapp.webhooks",
    "glapp.notifications",
    "glapp.privacy",
    "glapp.web",
    "glapp.api",
    "glapp.cli",
    "glapp.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "glapp.core.middleware.PolicyMiddleware",  # django-csp's; a fixed policy for API calls
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "glapp.web.middleware.UserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "glapp.core.middleware.PageMessagesMiddleware",  # Django's, passed over by API calls
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "glapp.core.middleware.RequestLogMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out sign-in into the lockout page
]

ROOT_URLCONF = "glapp.config.urls"
WSGI_APPLICATION = "glapp.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "glapp.web.context.glapp_context",
            ],
        },
    }
]


def _databases() -> dict:
    url = os.environ.get("DATABASE_URL")
    if url:
        db = dj_database_url.parse(url, conn_max_age=600, conn_health_checks=True)
    else:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA_DIR / "glapp.sqlite3")}
    if db["ENGINE"].endswith("sqlite3"):
        # WAL lets readers run beside the single writer; IMMEDIATE takes the write lock at
        # BEGIN so two writers queue on busy_timeout instead of failing with "database is locked".
        db.setdefault("OPTIONS", {}).update(
            {
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                    "PRAGMA busy_timeout=10000;PRAGMA foreign_keys=ON;"
                    "PRAGMA cache_size=-64000;PRAGMA temp_store=MEMORY;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            }
        )
        db["CONN_MAX_AGE"] = 600
        db.pop("CONN_HEALTH_CHECKS", None)
    db.setdefault("TEST", {})
    return {"default": db}


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# At least 12 characters, not a common password, not like the person's name or e-mail, not only
# digits: checked wherever a password is set (`glapp createuser`, the password page, the admin).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Tests create many users; the default PBKDF2 cost would dominate the suite.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Sign-in (docs/security.md, "Sign-in"). Axes checks every sign-in before the password is
# looked at; the OpenID Connect backend is there only when single sign-on is configured.
AUTHENTICATION_BACKENDS = [
    "glapp.accounts.signin.ThrottledLogins",  # axes.backends.AxesStandaloneBackend
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling: after GLAPP_LOGIN_FAILURE_LIMIT wrong passwords for one username from one
# address, that pair is refused for GLAPP_LOGIN_COOLOFF_MINUTES (every further try restarts
# the wait). Counted in the cache, so a failed attempt costs no database write; the pair (not the
# username alone) so nobody can lock a colleague out from everywhere by typing their name.
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_CACHE = "default"
AXES_FAILURE_LIMIT = int(os.environ.get("GLAPP_LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=float(os.environ.get("GLAPP_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "glapp.accounts.signin_views.locked_out"
AXES_CLIENT_IP_CALLABLE = "glapp.core.ratelimit.client_ip"
AXES_VERBOSE = False
# How many reverse proxies in front of glapp append to X-Forwarded-For (0: clients connect
# directly). With any, their X-Forwarded-Proto says whether the request is HTTPS and the client's
# address is the one the outermost proxy appended (core/ratelimit.py: client_ip, for sign-in
# attempts, API and widget limits). Only set it when every request comes through the proxies,
# which must overwrite X-Forwarded-Proto and append to X-Forwarded-For; else clients forge them.
GLAPP_PROXY_COUNT = int(os.environ.get("GLAPP_PROXY_COUNT", "0"))
if GLAPP_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Sign-in attempts and rate limits (core/ratelimit.py) are counted in the cache, never in the
# database: per process by default (each gunicorn process counts on its own, so a limit holds per
# process), or shared by all with GLAPP_REDIS_URL=redis://… (needs the `redis` package).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "glapp"}}
if os.environ.get("GLAPP_REDIS_URL"):
    CACHES["default"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                         "LOCATION": os.environ["GLAPP_REDIS_URL"]}
else:
    # axes warns that a per-process cache counts per process: known and documented (security.md).
    SILENCED_SYSTEM_CHECKS = ["axes.W001"]

# Two-factor sign-in: owners and admins (and staff of the admin site) enrol a TOTP app and give a
# code at every sign-in; anyone else may opt in. In a local demo (GLAPP_DEMO=1) nobody is forced.
GLAPP_REQUIRE_2FA = env_bool("GLAPP_REQUIRE_2FA", default=not DEMO)
OTP_TOTP_ISSUER = os.environ.get("GLAPP_OTP_ISSUER", "glapp")

# Single sign-on through OpenID Connect, off unless an issuer's endpoints and a client are set.
# Users are matched by verified e-mail to existing people only; glapp creates no one.
GLAPP_OIDC_PROVIDER_NAME = os.environ.get("GLAPP_OIDC_PROVIDER_NAME", "")
OIDC_RP_CLIENT_ID = os.environ.get("GLAPP_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("GLAPP_OIDC_CLIENT_SECRET", "")
GLAPP_OIDC_ISSUER = os.environ.get("GLAPP_OIDC_ISSUER", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("GLAPP_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("GLAPP_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("GLAPP_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("GLAPP_OIDC_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = os.environ.get("GLAPP_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = "openid email profile"
OIDC_CREATE_USER = False
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10
OIDC_CALLBACK_CLASS = "glapp.accounts.signin_views.OIDCCallback"
OIDC_AUTHENTICATE_CLASS = "glapp.accounts.signin_views.OIDCStart"
# An owner's or admin's sign-in through the provider skips glapp's own code only when the
# provider is trusted to have asked for a second factor.
GLAPP_OIDC_TRUST_MFA = env_bool("GLAPP_OIDC_TRUST_MFA")
GLAPP_OIDC_ENABLED = all((GLAPP_OIDC_ISSUER, OIDC_RP_CLIENT_ID, OIDC_OP_AUTHORIZATION_ENDPOINT,
                          OIDC_OP_TOKEN_ENDPOINT, OIDC_OP_USER_ENDPOINT, OIDC_OP_JWKS_ENDPOINT))
if GLAPP_OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("glapp.accounts.oidc.OIDCBackend")

LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:overview"
LOGOUT_REDIRECT_URL = "web:login"

# The demo company is Swedish, so Swedish is the default; each user may pick English.
LANGUAGE_CODE = os.environ.get("GLAPP_LANGUAGE", "sv")
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date and time format in both languages (ISO dates, 24-hour times): config/formats/.
FORMAT_MODULE_PATH = ["glapp.config.formats"]
TIME_ZONE = os.environ.get("GLAPP_TIME_ZONE", "Europe/Stockholm")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("GLAPP_STATIC_ROOT", DATA_DIR / "static"))
# WhiteNoise warns on every start if STATIC_ROOT is missing; a read-only deployment may pre-create it.
with contextlib.suppress(OSError):
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve straight from installed packages without collectstatic
MEDIA_ROOT = DATA_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# Transport security outside demo, debug and tests (docs/security.md): HTTPS only (plain HTTP is
# redirected, browsers remember it for a year through HSTS) and cookies never sent over plain HTTP.
LOCAL = DEMO or DEBUG or TESTING
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("GLAPP_SECURE_COOKIES", default=not LOCAL)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_SSL_REDIRECT = env_bool("GLAPP_SSL_REDIRECT", default=not LOCAL)
# A load balancer's health probe may use plain HTTP inside the private network.
SECURE_REDIRECT_EXEMPT = [r"^api/v1/health$"]
SECURE_HSTS_SECONDS = int(os.environ.get("GLAPP_HSTS_SECONDS", "0" if LOCAL else str(365 * 86400)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("GLAPP_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("GLAPP_HSTS_PRELOAD")
# No page may be framed, except the widget's survey pages, which send their own frame-ancestors
# (the organization's widget origins) and drop X-Frame-Options (respond/views.py).
X_FRAME_OPTIONS = "DENY"
# Scripts only from glapp itself: no inline script, no event handler attributes, no eval. Styles
# may be inline: the respondent pages inline theirs (one request on a weak connection), server-drawn
# bars size themselves with style attributes, and htmx adds its indicator style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Background work: the database backend needs no broker; `glapp worker` runs the queue. Swap
# TASKS["default"] for a distributed backend (e.g. django-tasks-rq) without touching task code.
# Tests keep the database backend too, so enqueueing is exercised for real: a test that needs a
# task's effect runs the queue (`call_command("worker", batch=True)`) or overrides TASKS with
# django_tasks.backends.immediate.ImmediateBackend for that test.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("GLAPP_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": task_queues.ALL,
    }
}
# A worker holds a lease on each task it runs and renews it every third of this; a task whose
# lease ran out (its worker was killed or lost the machine) is queued again, at most
# GLAPP_TASK_MAX_ATTEMPTS runs in all, then failed with the reason (see core/task_leases.py).
GLAPP_TASK_LEASE_SECONDS = float(os.environ.get("GLAPP_TASK_LEASE_SECONDS", "300"))
GLAPP_TASK_MAX_ATTEMPTS = int(os.environ.get("GLAPP_TASK_MAX_ATTEMPTS", "3"))

LOGGING = build_logging(json=env_bool("GLAPP_LOG_JSON", default=not (DEBUG or DEMO or TESTING)),
                        level=os.environ.get("GLAPP_LOG_LEVEL", "INFO"))

# "N/period,…" windows (s, min, h, day). Per API key (and per signed-in user reading the API):
GLAPP_API_RATE_LIMIT = os.environ.get("GLAPP_API_RATE_LIMIT", "3000/min,100/s")
# Per client address, for API calls without credentials and failed authentications:
GLAPP_API_ANON_RATE_LIMIT = os.environ.get("GLAPP_API_ANON_RATE_LIMIT", "120/min,20/s")
# Widget display tokens per client address and survey (respond/display_tokens.py):
GLAPP_WIDGET_DISPLAY_LIMIT = os.environ.get("GLAPP_WIDGET_DISPLAY_LIMIT", "60/h")
for _limit in (GLAPP_API_RATE_LIMIT, GLAPP_API_ANON_RATE_LIMIT, GLAPP_WIDGET_DISPLAY_LIMIT):
    try:
        parse_rate_limit(_limit)
    except ValueError as exc:
        raise ImproperlyConfigured(str(exc)) from None

GLAPP_API_PAGE_SIZE = 100
GLAPP_API_MAX_PAGE_SIZE = 1000
GLAPP_BULK_MAX = 1000
# A text search of comments (no index narrows it) reads at most this many responses a page; the
# page's cursor continues the search below them.
GLAPP_SEARCH_WINDOW = int(os.environ.get("GLAPP_SEARCH_WINDOW", "20000"))
GLAPP_IDEMPOTENCY_TTL_HOURS = 24
# An XLSX workbook is refused, before it is parsed, when a part the reader holds in memory (shared
# strings, styles: about 14 bytes of memory per byte) or the whole unpacked workbook is larger.
GLAPP_XLSX_MAX_PART_MB = int(os.environ.get("GLAPP_XLSX_MAX_PART_MB", "50"))
GLAPP_XLSX_MAX_TOTAL_MB = int(os.environ.get("GLAPP_XLSX_MAX_TOTAL_MB", "2000"))

# Survey invitations (glapp.distribution). E-mail goes through Django's SMTP backend when
# EMAIL_HOST is set; without it, the demo writes each mail as a file under the data dir.
# The address customers reach glapp at: every link that leaves the server (invitations, reminders,
# the public survey link) is built on it (core/links.py). Unset outside demo mode, `glapp serve`
# and `glapp manage check --deploy` warn.
GLAPP_BASE_URL = os.environ.get("GLAPP_BASE_URL", "").strip().rstrip("/")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=bool(EMAIL_HOST))
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "glapp <no-reply@localhost>")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(DATA_DIR / "outbox")
# SMS: "local" writes messages to a JSONL outbox in the data dir; "46elks" sends through 46elks.
GLAPP_SMS_PROVIDER = os.environ.get("GLAPP_SMS_PROVIDER", "local")
GLAPP_SMS_URL = os.environ.get("GLAPP_SMS_URL", "https://api.46elks.com/a1/sms")
GLAPP_SMS_USERNAME = os.environ.get("GLAPP_SMS_USERNAME", "")
GLAPP_SMS_PASSWORD = os.environ.get("GLAPP_SMS_PASSWORD", "")
GLAPP_SMS_SENDER = os.environ.get("GLAPP_SMS_SENDER", "glapp")
GLAPP_SMS_OUTBOX = os.environ.get("GLAPP_SMS_OUTBOX", str(DATA_DIR / "sms-outbox.jsonl"))
# Invitations are sent by a task `glapp worker` queues this often (seconds).
GLAPP_DISPATCH_EVERY = float(os.environ.get("GLAPP_DISPATCH_EVERY", "30"))

# Outbound webhooks (docs/webhooks.md). An endpoint's URL must be https and resolve only to
# public addresses, unless GLAPP_WEBHOOKS_ALLOW_PRIVATE=1 (tests, an intranet installation).
GLAPP_WEBHOOKS_ALLOW_PRIVATE = env_bool("GLAPP_WEBHOOKS_ALLOW_PRIVATE")
GLAPP_WEBHOOK_TIMEOUT = float(os.environ.get("GLAPP_WEBHOOK_TIMEOUT", "10"))  # seconds per request
GLAPP_WEBHOOK_BATCH = int(os.environ.get("GLAPP_WEBHOOK_BATCH", "100"))  # deliveries one task run claims
# A delivery claimed by a run that has not recorded it for this long is claimed again (its worker
# is presumed dead); longer than a batch can take (it stops sending after a third of it).
GLAPP_WEBHOOK_CLAIM_SECONDS = float(os.environ.get("GLAPP_WEBHOOK_CLAIM_SECONDS", "90"))
