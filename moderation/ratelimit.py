"""Fixed-window rate limits in the Django cache, per participant and per IP address.

``cache.add`` creates the window's counter only if absent and ``cache.incr`` is atomic in
Redis, so the limit holds across web processes and machines when the cache is Redis (it is
whenever REDIS_URL is set). With the local-memory cache it holds per process only.
"""

from __future__ import annotations

import functools
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _

# action -> (max requests, window in seconds); override with settings.MODERATION_RATE_LIMITS.
DEFAULT_LIMITS = {
    "comment": (10, 600),
    "vote": (60, 600),
    "upload": (5, 3600),
    "signup": (3, 3600),
    "appeal": (5, 3600),
}


class RateLimited(ValidationError):
    def __init__(self, action: str, limit: int, window: int, retry_after: int):
        self.action, self.limit, self.window, self.retry_after = action, limit, window, retry_after
        minutes = max(1, window // 60)
        super().__init__(
            _(
                "Too many %(action)s requests: the limit is %(limit)d every %(minutes)d minutes. "
                "Please try again in %(retry)d seconds."
            )
            % {"action": action, "limit": limit, "minutes": minutes, "retry": retry_after},
            code="rate_limited",
        )


def limits() -> dict[str, tuple[int, int]]:
    return {**DEFAULT_LIMITS, **getattr(settings, "MODERATION_RATE_LIMITS", {})}


def hit(action: str, identity: str, *, limit: int, window: int, now: float | None = None) -> int:
    """Count one request for ``identity`` in the current window; returns the count so far."""
    now = time.time() if now is None else now
    key = f"rl:{action}:{identity}:{int(now // window)}"
    cache.add(key, 0, timeout=window + 5)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window + 5)
        return 1


def check(action: str, *, user=None, ip: str | None = None, now: float | None = None) -> None:
    """Raise ``RateLimited`` if the participant or the address is over the action's limit."""
    limit, window = limits()[action]
    now = time.time() if now is None else now
    identities = []
    if user is not None and getattr(user, "is_authenticated", False):
        identities.append(f"user:{user.pk}")
    if ip:
        identities.append(f"ip:{ip}")
    for identity in identities:
        if hit(action, identity, limit=limit, window=window, now=now) > limit:
            raise RateLimited(action, limit, window, retry_after=int(window - now % window) + 1)


def client_ip(request) -> str:
    """REMOTE_ADDR; behind the production proxy that is set from X-Forwarded-For by daphne's
    --proxy-headers, so it is never read from a header a client could forge here."""
    return request.META.get("REMOTE_ADDR", "")


def rate_limited(action: str):
    """View decorator: POSTs over the limit get 429 with a message saying the limit."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST":
                try:
                    check(action, user=request.user, ip=client_ip(request))
                except RateLimited as exc:
                    response = HttpResponse(
                        exc.messages[0], status=429, content_type="text/plain; charset=utf-8"
                    )
                    response["Retry-After"] = str(exc.retry_after)
                    return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
