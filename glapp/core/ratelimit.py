"""Request limits counted in Django's cache: no database write per request.

A limit is a list of windows, each "N/period" (`"3000/min,100/s"`: 3,000 a minute, at most 100
of them in any one second, the burst). Each window is a fixed window counted with the cache's
atomic `incr` (one cache call per window and request; `add` starts a window). A request over any
window is refused until that window ends, which is what `Retry-After` says.

The counters live in the `default` cache. The built-in local-memory cache is per process, so
with several gunicorn workers each counts on its own (the effective limit is the limit times
the workers); a deployment with more than one process points `GLAPP_REDIS_URL` at Redis, whose
counters every process shares (docs/security.md)."""

import functools
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600,
           "d": 86400, "day": 86400}


@dataclass(frozen=True)
class Window:
    requests: int
    seconds: int


@functools.lru_cache(maxsize=32)
def parse(text: str) -> tuple[Window, ...]:
    """`"3000/min,100/s"` → its windows; "" or "off" → none (no limit)."""
    text = (text or "").strip().lower()
    if text in ("", "off", "none", "0"):
        return ()
    windows = []
    for part in text.split(","):
        count, _, period = part.strip().partition("/")
        number, unit = "".join(c for c in period if c.isdigit()), period.lstrip("0123456789")
        if not count.strip().isdigit() or unit not in PERIODS or int(count) < 1:
            raise ValueError(f"a rate limit is 'N/period' (s, min, h, day), e.g. '3000/min,100/s'; not {part!r}")
        windows.append(Window(int(count), PERIODS[unit] * (int(number) if number else 1)))
    return tuple(windows)


def _count(key: str, seconds: int) -> int:
    try:
        return cache.incr(key)
    except ValueError:  # the window's first request
        if cache.add(key, 1, timeout=seconds + 1):
            return 1
        return cache.incr(key)


clock = time.time  # tests set a fixed time, so a window never turns mid-test


def hit(scope: str, ident: str, windows: tuple[Window, ...]) -> float | None:
    """Count one request of `ident` in `scope`: None when it is within every window, else the
    seconds until the fullest window it broke ends."""
    now = clock()
    wait = None
    for window in windows:
        number = int(now // window.seconds)
        if _count(f"rl:{scope}:{ident}:{window.seconds}:{number}", window.seconds) > window.requests:
            wait = max(wait or 0.0, (number + 1) * window.seconds - now)
    return wait


def client_ip(request: HttpRequest) -> str:
    """The caller's address, for every limit (API calls, widget tokens, sign-in attempts):
    REMOTE_ADDR, or with `GLAPP_PROXY_COUNT` reverse proxies in front, the address the outermost
    of them saw. X-Forwarded-For is read from the right, as only the proxies append to it; the
    entries before theirs the client could have made up."""
    proxies = settings.GLAPP_PROXY_COUNT
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"

