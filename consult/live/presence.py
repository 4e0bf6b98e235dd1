"""How many people are connected to a town hall, across daphne processes, even after one dies.

Each process counts its own connections in memory and publishes that count to the cache
(Redis in production; the local-memory cache in the embedded default, which is one process)
under a key of its own that expires after ``LEASE`` seconds. The total is the sum of the
counts still there. A process that crashes stops renewing its key, so its connections drop
out of the total within a lease instead of being counted for ever (a shared counter that
is incremented on connect and decremented on disconnect drifts when a process dies). Live
processes renew on every join and leave, and on clients' periodic check-ins.
"""

from __future__ import annotations

import threading
import time
import uuid

from django.conf import settings
from django.core.cache import cache

PROCESS = uuid.uuid4().hex[:12]
_counts: dict[int, int] = {}
_renewed: dict[int, float] = {}
_lock = threading.Lock()


def lease_seconds() -> int:
    return int(getattr(settings, "LIVE_PRESENCE_LEASE", 45))


def _count_key(townhall_id: int, process: str) -> str:
    return f"live:presence:{townhall_id}:{process}"


def _registry_key(townhall_id: int) -> str:
    return f"live:presence:{townhall_id}:processes"


def _publish(townhall_id: int, count: int) -> None:
    lease = lease_seconds()
    now = time.time()
    cache.set(_count_key(townhall_id, PROCESS), count, lease)
    registry = cache.get(_registry_key(townhall_id)) or {}
    if registry.get(PROCESS, 0) < now - lease / 3:
        # Read-modify-write: two processes registering at once may drop one entry; the
        # loser puts itself back at its next renewal, within a third of a lease.
        registry = {p: seen for p, seen in registry.items() if seen > now - lease}
        registry[PROCESS] = now
        cache.set(_registry_key(townhall_id), registry, 24 * 3600)
    _renewed[townhall_id] = now


def _change(townhall_id: int, delta: int) -> None:
    with _lock:
        count = max(0, _counts.get(townhall_id, 0) + delta)
        _counts[townhall_id] = count
    _publish(townhall_id, count)


def join(townhall_id: int) -> None:
    _change(townhall_id, +1)


def leave(townhall_id: int) -> None:
    _change(townhall_id, -1)


def renew(townhall_id: int) -> None:
    """Called on clients' check-ins: keeps this process's count alive, at most a few times
    per lease however many clients check in."""
    if time.time() - _renewed.get(townhall_id, 0) > lease_seconds() / 3:
        _publish(townhall_id, _counts.get(townhall_id, 0))


def presence_count(townhall_id: int) -> int:
    registry = cache.get(_registry_key(townhall_id)) or {}
    if not registry:
        return 0
    counts = cache.get_many([_count_key(townhall_id, p) for p in registry])
    return sum(max(0, int(n)) for n in counts.values())


def forget_local_counts() -> None:
    """For the test suite: each test starts with no connections counted in this process."""
    with _lock:
        _counts.clear()
        _renewed.clear()
