"""Per-address (or per-key) request limits for the API, counted by the project's limiter.

``consult.ratelimit`` already decides who a request is (the client address behind our
own proxies) and counts with django-ratelimit in the shared cache; the API only adds its
action ``api`` with two scopes: ``address`` and ``api_key`` (``RATE_LIMITS`` overrides
both). Over the limit: 429 with ``Retry-After`` and a JSON body ``{"error", "retry_after"}``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.throttling import BaseThrottle

from consult import ratelimit


class ApiThrottled(exceptions.Throttled):
    def __init__(self, message: str, retry_after: int):
        super().__init__(wait=retry_after)
        self.detail = {"error": message, "retry_after": retry_after}


class AddressOrKeyThrottle(BaseThrottle):
    """A request with a valid key counts against the key only, else against its address."""

    def allow_request(self, request, view):
        key = request.auth
        if key is not None:
            scope, identity = "api_key", {"api_key": key.prefix}
        else:
            scope, identity = "address", {"ip": ratelimit.client_ip(request)}
        try:
            ratelimit.check("api", **identity)
        except ratelimit.RateLimited as exc:
            limit, window = ratelimit.limits()["api"][scope]
            message = _(
                "Too many requests: the limit is %(limit)d every %(seconds)d seconds. Please "
                "try again in %(retry)d seconds. An API key gives a higher limit."
            ) % {"limit": limit, "seconds": window, "retry": exc.retry_after}
            raise ApiThrottled(message, exc.retry_after) from exc
        return True
