"""Connected-participant counts in the cache (Redis in production: shared by all daphne
processes; the local-memory cache in the embedded default, which is one process anyway)."""

from __future__ import annotations

from django.core.cache import cache

TTL = 24 * 3600


def _key(townhall_id: int) -> str:
    return f"live:presence:{townhall_id}"


def presence_count(townhall_id: int) -> int:
    return max(0, int(cache.get(_key(townhall_id)) or 0))


def join(townhall_id: int) -> int:
    cache.add(_key(townhall_id), 0, TTL)
    try:
        return cache.incr(_key(townhall_id))
    except ValueError:  # expired between add and incr
        cache.set(_key(townhall_id), 1, TTL)
        return 1


def leave(townhall_id: int) -> int:
    try:
        return max(0, cache.decr(_key(townhall_id)))
    except ValueError:
        return 0
