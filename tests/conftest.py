import datetime as dt
import os

import django.utils.timezone
import pytest
from django.core.cache import caches

from tests.factories import make_org

if os.environ.get("GLAPP_TEST_CLOCK"):
    # Run the suite as if the clock read GLAPP_TEST_CLOCK (ISO 8601 with offset) and ran on from
    # there: tests must not depend on the hour, the day or a clock change (quiet hours at night,
    # the day UTC and Stockholm disagree, the last Sunday of March and October).
    _started = dt.datetime.now(dt.UTC)
    _clock = dt.datetime.fromisoformat(os.environ["GLAPP_TEST_CLOCK"])
    if _clock.utcoffset() is None:
        raise pytest.UsageError("GLAPP_TEST_CLOCK needs an offset, e.g. 2027-03-28T00:30:00+00:00")
    _clock = _clock.astimezone(dt.UTC)  # Django's now() is UTC, whatever offset the moment is written in
    django.utils.timezone.now = lambda: _clock + (dt.datetime.now(dt.UTC) - _started)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Failed sign-ins and rate-limit counters live in the (per-process) cache, and rolled-back
    tests reuse ids: each test starts with nothing counted."""
    caches["default"].clear()
    yield
    caches["default"].clear()


REDIS_URL = os.environ.get("GLAPP_TEST_REDIS_URL")  # scripts/test starts one and sets it


@pytest.fixture(params=["memory", "redis"])
def cache_backend(request, settings):
    """Run a test on the built-in per-process cache and on Redis, the cache a deployment with
    several processes uses (GLAPP_REDIS_URL): counters that work in one may fail in the other."""
    if request.param == "redis":
        if not REDIS_URL:
            pytest.skip("GLAPP_TEST_REDIS_URL is not set (scripts/test starts a Redis and sets it)")
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                       "LOCATION": REDIS_URL}}
    caches["default"].clear()
    yield request.param
    caches["default"].clear()


@pytest.fixture
def org(db):
    return make_org("acme")


@pytest.fixture
def other_org(db):
    return make_org("rival")
