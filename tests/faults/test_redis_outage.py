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


@pytest.mark.django_db(transaction=True)
async def test_a_live_town_hall_across_a_redis_restart(redis_server, settings):
    """Issue 13: WebSocket participants in a live town hall while Redis (channel layer and
    cache) stops and starts. While it is down, actions are still answered and stored (the
    record never loses a vote); afterwards live delivery resumes on the same connections,
    a participant who missed events catches up from the stored log, and one who joins
    then sees everything."""
    import asyncio

    from channels.db import database_sync_to_async

    from cms.demo import make_town_hall
    from tests.live.helpers import participant, start

    if redis_server.proc is None:
        redis_server.start()
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "config.channel_layer.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [redis_server.url], "prefix": "outage-hall"},
        }
    }
    settings.CACHES = {
        "default": {
            "BACKEND": "config.redis_cache.RedisCache",
            "LOCATION": redis_server.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.LIVE_TALLY_INTERVAL = 0
    hall = await database_sync_to_async(make_town_hall)()
    user = await database_sync_to_async(lambda: hall.facilitators.get())()
    fac = await participant(hall, user)
    alice = await participant(hall)
    bob = await participant(hall)
    try:
        await start(hall, fac)
        asked = await alice.act("post_question", text="Who keeps the register?")
        question = asked["result"]["question_id"]
        await fac.act("approve", question_id=question)
        await bob.until(
            lambda m: m.get("event") == "question"
            and m["payload"]["question"]["status"] == "approved"
        )

        redis_server.stop()
        voted = await asyncio.wait_for(alice.act("vote", question_id=question), 15)
        assert voted["type"] == "ack", voted  # answered and stored while Redis is down
        second = await asyncio.wait_for(alice.act("post_question", text="And who audits it?"), 15)
        assert second["type"] == "ack", second

        redis_server.start()
        await asyncio.sleep(1)
        approved = await asyncio.wait_for(
            fac.act("approve", question_id=second["result"]["question_id"]), 15
        )
        assert approved["type"] == "ack", approved
        # Bob's connection delivers again; the gap (what was sent while Redis was down) is
        # filled from the stored events when he asks, as live.js does.
        event = await bob.until(lambda m: m["type"] == "event", timeout=10)
        await bob.comm.send_json_to({"type": "resume", "last_seq": bob.snapshot["seq"]})
        replay = await bob.until(lambda m: m["type"] in ("replay", "snapshot"), timeout=10)
        assert replay["type"] == "replay", replay
        seqs = [e["seq"] for e in replay["events"]]
        assert seqs == list(range(bob.snapshot["seq"] + 1, replay["seq"] + 1))
        assert event["seq"] in seqs  # nothing between the snapshot and now is missing
        tallies = [e["payload"]["votes"] for e in replay["events"] if e["event"] == "tally"]
        assert any(votes.get(str(question)) == 1 for votes in tallies), tallies

        carol = await participant(hall)
        board = {q["id"]: q for q in carol.snapshot["questions"]}
        assert board[question]["votes"] == 1
        assert second["result"]["question_id"] in board
        await carol.close()
    finally:
        for client in (fac, alice, bob):
            await client.close()
