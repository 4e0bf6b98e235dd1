"""Django's Redis cache, with one ``redis.Redis`` client per connection pool.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache call,
and redis-py's constructor sets up its whole table of response callbacks each time: about
200 µs of CPU, twice the cost of the Redis round trip itself. Town halls make a few cache
calls per vote (the tally window, presence), so this was measurable in bench-live. A
``redis.Redis`` is safe to share between threads (each command borrows a connection from
the pool), so one per pool is enough.
"""

from __future__ import annotations

import functools
import logging
import threading
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What "Redis is unreachable" looks like from redis-py (refused, reset, timed out, DNS).
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    """Redis, and while Redis is unreachable a local in-process cache in its place.

    Pages, comment posts and receipt lookups only use the cache for speed and for counting
    (rate limits), so an outage must not turn them into 500s. The first failed call logs one
    WARNING and switches every call of this process to a ``LocMemCache``; after
    ``RETRY_SECONDS`` (option ``FALLBACK_RETRY_SECONDS``) the next call tries Redis again, and
    the first one that works logs that Redis is back. Rate limits keep counting on the local
    cache: per process instead of across processes, looser by the number of processes, never
    off. What was counted locally is not carried back to Redis.
    """

    RETRY_SECONDS = 5.0

    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self.retry_seconds = float(options.pop("FALLBACK_RETRY_SECONDS", self.RETRY_SECONDS))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
        self._fallback = LocMemCache(f"redis-fallback-{id(self)}", params)
        self._down_until = 0.0  # monotonic time before which Redis is not tried again
        self._in_outage = False
        self._lock = threading.Lock()

    @property
    def redis_available(self) -> bool:
        """False while this process is serving from the local fallback."""
        return not self._in_outage

    def _failed(self, exc: BaseException) -> None:
        with self._lock:
            self._down_until = time.monotonic() + self.retry_seconds
            first = not self._in_outage
            self._in_outage = True
        if first:
            logger.warning(
                "Redis cache unreachable (%s: %s); using a local in-process cache, "
                "retrying Redis every %.0f s",
                type(exc).__name__,
                exc,
                self.retry_seconds,
            )

    def _recovered(self) -> None:
        with self._lock:
            was_down = self._in_outage
            self._in_outage = False
        if was_down:
            logger.warning("Redis cache reachable again; leaving the local fallback")


def _falls_back(name):
    redis_method = getattr(DjangoRedisCache, name)
    local_method = getattr(LocMemCache, name)

    @functools.wraps(redis_method)
    def method(self, *args, **kwargs):
        if self._in_outage and time.monotonic() < self._down_until:
            return local_method(self._fallback, *args, **kwargs)
        try:
            result = redis_method(self, *args, **kwargs)
        except UNREACHABLE as exc:
            self._failed(exc)
            return local_method(self._fallback, *args, **kwargs)
        if self._in_outage:
            self._recovered()
        return result

    return method


for _name in (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
):
    setattr(RedisCache, _name, _falls_back(_name))
