"""What the live tests share: WebSocket clients with real sessions, channel layers (lossy
ones too), threads, and ``capture_events``, which counts the events an action sends."""

from __future__ import annotations

import json
import os
import threading
from contextlib import contextmanager
from unittest import mock

from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer
from channels.testing import WebsocketCommunicator
from channels_redis.core import RedisChannelLayer
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import TestCase

from config.asgi import application
from config.channel_layer import RedisPubSubChannelLayer
from consult.live import events
from consult.live.identity import ensure_participant

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/7")
DROP_EVERY = 2


# --- counting events -------------------------------------------------------------------------


@contextmanager
def capture_events(expected: int | None = None):
    """Record the live events sent while the block runs, as they leave (after commit), and
    assert there were ``expected`` of them. Yields the list of messages.

    Works in both kinds of database test: in a transactional one the action commits and its
    events leave at once; in one on the ``db`` fixture the test's transaction never commits,
    so the callbacks queued for commit run when the block ends, as at a commit. An event
    sent from inside an open transaction before that fails the test: nobody may hear about
    a write that could still roll back.
    """
    sent: list[dict] = []
    state = {"committing": False}
    send = events.send_event

    def record(townhall_id: int, message: dict) -> None:
        assert state["committing"] or not connection.in_atomic_block, (
            f"the {message['event']} event was sent before its transaction committed"
        )
        sent.append(message)
        send(townhall_id, message)

    with (
        mock.patch.object(events, "send_event", record),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        try:
            yield sent
        finally:
            state["committing"] = True
    if expected is not None:
        kinds = [message["event"] for message in sent]
        assert len(sent) == expected, f"expected {expected} events, got {len(sent)}: {kinds}"


# --- channel layers --------------------------------------------------------------------------


def _dropped(message: dict) -> bool:
    """Every second event is lost, silently, like a full Redis channel or a pub/sub message
    sent while a subscriber reconnects."""
    seq = json.loads(message["text"])["seq"] if "text" in message else None
    return seq is not None and seq % DROP_EVERY == 0


class LossyMixin:
    async def group_send(self, group, message):
        if not _dropped(message):
            await super().group_send(group, message)


class LossyMemoryLayer(LossyMixin, InMemoryChannelLayer):
    pass


class LossyRedisLayer(LossyMixin, RedisChannelLayer):
    pass


class LossyPubSubLayer(RedisPubSubChannelLayer):
    # This layer proxies its methods to a per-event-loop layer through __getattr__.
    async def group_send(self, group, message):
        if not _dropped(message):
            await self._get_layer().group_send(group, message)


def redis_available() -> bool:
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def layer_config(kind: str, lossy: bool = False) -> dict:
    here = "tests.live.helpers"
    if kind == "memory":
        backend = f"{here}.LossyMemoryLayer" if lossy else "channels.layers.InMemoryChannelLayer"
        return {"default": {"BACKEND": backend}}
    backend = {
        ("redis", False): "channels_redis.core.RedisChannelLayer",
        ("redis", True): f"{here}.LossyRedisLayer",
        ("redis-pubsub", False): "config.channel_layer.RedisPubSubChannelLayer",
        ("redis-pubsub", True): f"{here}.LossyPubSubLayer",
    }[kind, lossy]
    return {
        "default": {
            "BACKEND": backend,
            "CONFIG": {"hosts": [REDIS_URL], "prefix": f"livetest{os.getpid()}"},
        }
    }


# --- participants ----------------------------------------------------------------------------


def session_for(user=None) -> str:
    session = SessionStore()
    if user is not None:
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    else:
        ensure_participant(session)
    session.save()
    return session.session_key


class Client:
    """A WebSocket participant with a real session cookie; tracks seq like live.js does."""

    def __init__(
        self,
        page,
        session_key: str | None,
        origin: bytes = b"http://testserver",
        route: str = "",
    ):
        headers = [(b"origin", origin), (b"host", b"testserver")]
        if session_key:
            headers.append((b"cookie", f"sessionid={session_key}".encode()))
        self.comm = WebsocketCommunicator(application, f"/ws/townhall/{page.pk}/{route}", headers)
        self.seq = 0
        self.snapshot = None
        self.log: list[dict] = []

    async def connect(self):
        connected, _ = await self.comm.connect(timeout=5)
        assert connected
        self.snapshot = await self.comm.receive_json_from(timeout=5)
        assert self.snapshot["type"] == "snapshot"
        self.seq = self.snapshot["seq"]
        return self.snapshot

    async def receive(self, timeout=5):
        message = await self.comm.receive_json_from(timeout=timeout)
        self.log.append(message)
        if message["type"] == "event":
            self.seq = max(self.seq, message["seq"])
        return message

    async def until(self, predicate, timeout=5):
        while True:
            message = await self.receive(timeout)
            if predicate(message):
                return message

    async def event(self, name, timeout=5):
        return await self.until(lambda m: m["type"] == "event" and m["event"] == name, timeout)

    async def act(self, action, **args):
        ref = f"r{len(self.log)}-{action}"
        await self.comm.send_json_to({"type": "action", "action": action, "ref": ref, **args})
        return await self.until(lambda m: m.get("ref") == ref and m["type"] in ("ack", "error"))

    async def close(self):
        # Time for the consumer's own disconnect (presence, tally) to finish rather than be
        # cancelled halfway by the test's end.
        await self.comm.disconnect(timeout=10)


async def participant(page, user=None) -> Client:
    client = Client(page, await database_sync_to_async(session_for)(user))
    await client.connect()
    return client


async def start(page, fac: Client):
    reply = await fac.act("start")
    assert reply["type"] == "ack", reply


def run_in_threads(worker, count: int) -> None:
    """worker(0) ... worker(count - 1), all at once, each in its own thread."""
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def per_vendor(**counts: int) -> int:
    """The query count for this database: PostgreSQL and SQLite differ where the SQL does
    (a vote is one statement on PostgreSQL) or where SQLite's transaction needs a BEGIN."""
    return counts[connection.vendor]
