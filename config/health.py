"""``/healthz``: is each dependency of this process up? For load balancers and monitors.

Fast and read-only: one ``SELECT 1``, one Redis ``PING`` per distinct Redis server (the
cache's and the channel layer's, bypassing the cache's local fallback so an outage shows
here even while pages keep working), and the task backlog counted on the ready-tasks
partial index, capped. No session, no cache write, no template. 200 when every check
passes, 503 when one fails; the body says which:

    {"ok": false, "checks": {"database": {"ok": true, "ms": 0.4},
                             "cache": {"ok": false, "error": "ConnectionError"}, ...}}

The task backlog is information, not a failure: a deadline flood may queue work for a while.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

PING_TIMEOUT = 1.0  # seconds: a load balancer's own check is usually 2-5 s
BACKLOG_CAP = 10_000

_redis_clients: dict[str, object] = {}


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        result = check() or {}
    except Exception as exc:  # any failure of a dependency is a failed check, not a 500
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1), **result}


def _database() -> None:
    # With a connection pool, ask it directly with a short timeout: Django's own checkout
    # waits DATABASE_POOL_TIMEOUT (30 s) while PostgreSQL is down, too long for a balancer.
    pool = getattr(connection, "pool", None)
    if pool is not None and not pool.closed and connection.connection is None:
        with pool.connection(timeout=PING_TIMEOUT) as conn:
            conn.execute("SELECT 1")
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _redis_ping(url: str) -> None:
    import redis

    client = _redis_clients.get(url)
    if client is None:
        client = _redis_clients[url] = redis.Redis.from_url(
            url, socket_connect_timeout=PING_TIMEOUT, socket_timeout=PING_TIMEOUT
        )
    client.ping()


def _redis_url_of_cache() -> str | None:
    config = settings.CACHES.get("default", {})
    if "redis" not in config.get("BACKEND", "").lower():
        return None
    location = config.get("LOCATION")
    return location[0] if isinstance(location, (list, tuple)) else location


def _redis_url_of_channel_layer() -> str | None:
    config = settings.CHANNEL_LAYERS.get("default", {})
    if "redis" not in config.get("BACKEND", "").lower():
        return None
    host = (config.get("CONFIG", {}).get("hosts") or [None])[0]
    if isinstance(host, dict):
        host = host.get("address")
    return host if isinstance(host, str) else None


def _task_backlog() -> dict:
    if not settings.TASKS.get("default", {}).get("BACKEND", "").startswith("django_tasks_db"):
        return {"backend": settings.TASKS.get("default", {}).get("BACKEND", "")}
    from django_tasks_db.models import DBTaskResult

    ready = DBTaskResult.objects.ready().order_by()[: BACKLOG_CAP + 1].count()
    return {"ready": ready, "capped": ready > BACKLOG_CAP}


def checks() -> dict[str, dict]:
    results = {"database": _timed(_database)}
    cache_url = _redis_url_of_cache()
    if cache_url:
        results["cache"] = _timed(lambda: _redis_ping(cache_url))
    layer_url = _redis_url_of_channel_layer()
    if layer_url:
        results["channel_layer"] = (
            results["cache"] if layer_url == cache_url else _timed(lambda: _redis_ping(layer_url))
        )
    if results["database"]["ok"]:
        backlog = _timed(_task_backlog)
        backlog["ok"] = True  # information: a backlog is not an outage
        results["tasks"] = backlog
    return results


@never_cache
@require_GET
def healthz(request):
    """Each dependency's state; 503 when one is down."""
    results = checks()
    ok = all(result["ok"] for result in results.values())
    response = JsonResponse({"ok": ok, "checks": results}, status=200 if ok else 503)
    if not ok:
        response["Retry-After"] = "5"
    return response
