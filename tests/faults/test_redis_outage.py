"""Redis unreachable: pages, comment posts and receipt lookups keep working on the local
fallback cache, rate limits keep counting, one WARNING per outage, Redis used again after.

A private ``redis-server`` (module-scoped) is stopped and started under the test client;
the shared Redis is never touched."""

from __future__ import annotations

import logging
import time

import pytest
from django.core.cache import cache, caches

from consult.models import Submission
from tests.consult.test_comments import form_data, make_consultation, post
from tests.faults.servers import PrivateRedis

pytestmark = pytest.mark.fault


@pytest.fixture(scope="module")
def redis_server():
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_cache(redis_server, settings):
    if redis_server.proc is None:
        redis_server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "config.redis_cache.RedisCache",
            "LOCATION": redis_server.url,
            "KEY_PREFIX": "outage-test",
            "OPTIONS": {
                "socket_connect_timeout": 0.5,
                "socket_timeout": 0.5,
                "FALLBACK_RETRY_SECONDS": 0.3,
            },
        }
    }
    cache.clear()
    yield caches["default"]
    if redis_server.proc is None:
        redis_server.start()


def warnings_from_cache(caplog):
    return [
        r for r in caplog.records if r.name == "config.redis_cache" and r.levelno == logging.WARNING
    ]


def test_pages_comments_and_receipts_work_with_redis_down(
    client, db, redis_server, redis_cache, caplog
):
    page = make_consultation()
    assert client.get(page.url).status_code == 200  # Redis up: cache warmed
    redis_server.stop()
    caplog.set_level(logging.WARNING, logger="config.redis_cache")

    assert client.get(page.url).status_code == 200
    response = post(
        client, page, form_data(page, client_token="down-1"), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 201, response.content
    code = response.json()["receipt_code"]
    assert Submission.objects.filter(receipt_code=code).exists()
    lookup = client.get("/receipt/", {"code": code})
    assert lookup.status_code == 200 and 'data-status="published"' in lookup.content.decode()
    for _ in range(3):
        assert client.get(page.url).status_code == 200

    # One warning for the whole outage, not one per call.
    assert len(warnings_from_cache(caplog)) == 1
    assert "unreachable" in warnings_from_cache(caplog)[0].getMessage()
    assert not redis_cache.redis_available

    # Redis back: after the retry interval the cache uses it again.
    redis_server.start()
    time.sleep(0.4)
    assert client.get(page.url).status_code == 200
    assert redis_cache.redis_available
    redis_cache.set("back", 1)
    import redis

    assert redis.Redis(port=redis_server.port).exists(redis_cache.make_key("back"))


def test_rate_limits_keep_counting_on_the_fallback(client, db, redis_server, redis_cache, settings):
    settings.MODERATION_RATE_LIMITS = {"comment": (2, 600)}
    page = make_consultation()
    redis_server.stop()
    statuses = [
        post(
            client,
            page,
            form_data(page, client_token=f"rl-{n}", text=f"Comment {n}."),
            HTTP_ACCEPT="application/json",
        ).status_code
        for n in range(3)
    ]
    assert statuses == [201, 201, 429]
    assert Submission.objects.filter(consultation=page).count() == 2


def test_unreachable_redis_fails_fast(redis_server, redis_cache):
    """A refused connection costs milliseconds, and later calls inside the retry interval
    do not try Redis at all."""
    redis_server.stop()
    started = time.monotonic()
    assert redis_cache.get("x", "default") == "default"
    redis_cache.set("x", 1)
    assert redis_cache.get("x") == 1
    assert time.monotonic() - started < 2


def test_healthz_reports_redis_down_while_pages_work(
    client, db, redis_server, redis_cache, settings
):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "config.channel_layer.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [redis_server.url]},
        }
    }
    up = client.get("/healthz")
    assert up.status_code == 200, up.content
    assert up.json()["checks"]["cache"]["ok"] and up.json()["checks"]["channel_layer"]["ok"]
    redis_server.stop()
    started = time.monotonic()
    down = client.get("/healthz")
    assert time.monotonic() - started < 2
    assert down.status_code == 503 and down["Retry-After"]
    checks = down.json()["checks"]
    assert checks["cache"]["ok"] is False and checks["channel_layer"]["ok"] is False
    assert checks["database"]["ok"] is True


async def test_channel_layer_works_again_after_a_redis_restart(redis_server):
    """The pub/sub layer (production's, config/channel_layer.py) across a Redis restart: a
    send while Redis is down fails (consult.live.events.send_event logs it; clients catch
    up from the stored events); the first subscription after the restart works (it failed
    once with channels_redis's own layer), and the old group is delivered to again."""
    import asyncio

    from config.channel_layer import RedisPubSubChannelLayer

    if redis_server.proc is None:
        redis_server.start()
    layer = RedisPubSubChannelLayer(hosts=[redis_server.url], prefix="outage-layer")
    try:
        before = await layer.new_channel()
        await layer.group_add("townhall.1", before)
        await layer.group_send("townhall.1", {"type": "live.event", "n": 1})
        assert (await asyncio.wait_for(layer.receive(before), 2))["n"] == 1

        redis_server.stop()
        with pytest.raises(Exception):  # noqa: B017 - redis-py's or the timeout's error
            await asyncio.wait_for(
                layer.group_send("townhall.1", {"type": "live.event", "n": 2}), 3
            )

        redis_server.start()
        after = await asyncio.wait_for(layer.new_channel(), 5)
        await asyncio.wait_for(layer.group_add("townhall.2", after), 5)
        await asyncio.wait_for(layer.group_send("townhall.2", {"type": "live.event", "n": 3}), 5)
        assert (await asyncio.wait_for(layer.receive(after), 5))["n"] == 3
        await layer.group_send("townhall.1", {"type": "live.event", "n": 4})
        assert (await asyncio.wait_for(layer.receive(before), 5))["n"] == 4
    finally:
        await layer.flush()
