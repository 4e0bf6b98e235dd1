"""Live town halls: every action, permission and limit over a real WebSocket
(``WebsocketCommunicator`` against the project's ASGI application, with its session and
origin middleware), on the in-memory layer and on channels_redis."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer
from channels.testing import WebsocketCommunicator
from channels_redis.core import RedisChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.utils import timezone

from cms.demo import make_town_hall
from config.asgi import application
from consult.live import services
from consult.live.identity import ensure_participant
from consult.live.models import LiveEvent, Poll, Question, TownHall
from consult.models import Source, Submission

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/7")
DROP_EVERY = 2


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


def _redis_available() -> bool:
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def layer_config(kind: str, lossy: bool = False) -> dict:
    if kind == "memory":
        backend = (
            "tests.test_live.LossyMemoryLayer" if lossy else "channels.layers.InMemoryChannelLayer"
        )
        return {"default": {"BACKEND": backend}}
    backend = {
        ("redis", False): "channels_redis.core.RedisChannelLayer",
        ("redis", True): "tests.test_live.LossyRedisLayer",
        ("redis-pubsub", False): "channels_redis.pubsub.RedisPubSubChannelLayer",
        ("redis-pubsub", True): "tests.test_live.LossyPubSubLayer",
    }[kind, lossy]
    return {
        "default": {
            "BACKEND": backend,
            "CONFIG": {"hosts": [REDIS_URL], "prefix": f"issue7test{os.getpid()}"},
        }
    }


@pytest.fixture(params=["memory", "redis", "redis-pubsub"])
def layer(request, settings):
    """The in-memory layer (embedded default), channels_redis's pub/sub layer (production
    default) and its core layer (CHANNEL_LAYER=core)."""
    if request.param.startswith("redis") and not _redis_available():
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    settings.CHANNEL_LAYERS = layer_config(request.param)
    settings.LIVE_TALLY_INTERVAL = 0
    cache.clear()
    return request.param


@pytest.fixture
def hall(transactional_db, settings):
    settings.LIVE_TALLY_INTERVAL = 0
    page = make_town_hall()
    return page


@pytest.fixture
def facilitator(hall):
    return hall.facilitators.get()


def _session_for(user=None) -> str:
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

    def __init__(self, page, session_key: str | None, origin: bytes = b"http://testserver"):
        headers = [(b"origin", origin), (b"host", b"testserver")]
        if session_key:
            headers.append((b"cookie", f"sessionid={session_key}".encode()))
        self.comm = WebsocketCommunicator(application, f"/ws/townhall/{page.pk}/", headers)
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
        await self.comm.disconnect()


async def participant(page, user=None) -> Client:
    client = Client(page, await database_sync_to_async(_session_for)(user))
    await client.connect()
    return client


async def start(page, fac: Client):
    reply = await fac.act("start")
    assert reply["type"] == "ack", reply


# --- actions ---------------------------------------------------------------------------------


async def test_snapshot_has_seq_and_presence(layer, hall):
    alice = await participant(hall)
    bob = await participant(hall)
    assert bob.snapshot["presence"] == 2
    assert bob.snapshot["state"] == "scheduled"
    assert "participant" not in bob.snapshot  # ids stay on the server (test_live_payloads)
    # Presence reaches connected clients through the coalesced tally event.
    await alice.until(lambda m: m.get("event") == "tally" and m["payload"]["presence"] == 2)
    await alice.close()
    await bob.close()


async def test_question_lifecycle(layer, hall, facilitator):
    fac = await participant(hall, facilitator)
    alice = await participant(hall)
    bob = await participant(hall)
    await start(hall, fac)

    ack = await alice.act("post_question", text="Who audits the AI systems?", clause_key="")
    assert ack["type"] == "ack"
    qid = ack["result"]["question_id"]
    # Bob sees that a question is waiting, not its text; the facilitator sees it in full.
    seen_by_bob = (await bob.event("question"))["payload"]["question"]
    assert seen_by_bob["status"] == "pending" and seen_by_bob["text"] == ""
    seen_by_fac = (await fac.event("question"))["payload"]["question"]
    assert seen_by_fac["text"] == "Who audits the AI systems?"
    assert "author" not in seen_by_fac

    assert (await fac.act("approve", question_id=qid))["type"] == "ack"
    approved = (await bob.event("question"))["payload"]["question"]
    assert approved == approved | {"status": "approved", "text": "Who audits the AI systems?"}

    assert (await bob.act("vote", question_id=qid))["result"]["votes"] == 1
    tally = await alice.until(
        lambda m: m.get("event") == "tally" and m["payload"]["votes"].get(str(qid)) == 1
    )
    assert tally["payload"]["votes"] == {str(qid): 1}
    again = await bob.act("vote", question_id=qid)
    assert again["type"] == "error" and again["code"] == "already_voted"
    assert (await alice.act("vote", question_id=qid))["result"]["votes"] == 2
    assert (await bob.act("unvote", question_id=qid))["result"]["votes"] == 1
    await alice.until(lambda m: m.get("event") == "tally" and m["payload"]["votes"][str(qid)] == 1)

    answered = await fac.act("answered", question_id=qid, answer="An independent authority.")
    assert answered["type"] == "ack"
    final = (await alice.event("question"))["payload"]["question"]
    assert final["status"] == "answered" and final["answer"] == "An independent authority."
    closed_vote = await bob.act("vote", question_id=qid)
    assert closed_vote["code"] == "invalid_state"
    for client in (fac, alice, bob):
        await client.close()


async def test_reject_needs_a_reason_code(layer, hall, facilitator):
    fac = await participant(hall, facilitator)
    alice = await participant(hall)
    await start(hall, fac)
    qid = (await alice.act("post_question", text="Buy cheap watches"))["result"]["question_id"]
    bad = await fac.act("reject", question_id=qid, reason="because")
    assert bad["type"] == "error" and "off_topic" in bad["message"]
    assert (await fac.act("reject", question_id=qid, reason="spam"))["type"] == "ack"
    rejected = (
        await alice.until(
            lambda m: m.get("event") == "question"
            and m["payload"]["question"]["status"] == "rejected"
        )
    )["payload"]["question"]
    assert rejected["reject_reason"] == "spam" and rejected["mine"] is True
    vote = await alice.act("vote", question_id=qid)
    assert vote["code"] == "invalid_state"
    await fac.close()
    await alice.close()


FACILITATOR_ONLY = [
    ("start", {}),
    ("end", {}),
    ("approve", {"question_id": 1}),
    ("reject", {"question_id": 1, "reason": "spam"}),
    ("answered", {"question_id": 1}),
    ("open_poll", {"question": "Q?", "options": ["a", "b"]}),
    ("close_poll", {"poll_id": 1}),
    ("call_next", {}),
    ("announce", {"text": "hi"}),
    ("caption", {"text": "hi"}),
]


@pytest.mark.parametrize(("action", "args"), FACILITATOR_ONLY)
async def test_facilitator_actions_are_refused_to_participants(layer, hall, action, args):
    alice = await participant(hall)
    reply = await alice.act(action, **args)
    assert reply["type"] == "error" and reply["code"] == "forbidden"
    assert "facilitator" in reply["message"]
    assert (
        await database_sync_to_async(
            LiveEvent.objects.filter(
                townhall__page=hall,
                type__in=["state", "question", "poll", "speakers", "announcement", "caption"],
            ).count
        )()
        == 0
    )
    await alice.close()


async def test_polls_single_and_multiple(layer, hall, facilitator):
    fac = await participant(hall, facilitator)
    alice = await participant(hall)
    bob = await participant(hall)
    await start(hall, fac)
    too_few = await fac.act("open_poll", question="Agree?", options=["yes"])
    assert too_few["code"] == "invalid" and "2 and 10" in too_few["message"]
    poll_id = (await fac.act("open_poll", question="Agree?", options=["yes", "no"]))["result"][
        "poll_id"
    ]
    poll = (await alice.event("poll"))["payload"]["poll"]
    yes, no = (o["id"] for o in poll["options"])
    two = await alice.act("answer_poll", poll_id=poll_id, option_ids=[yes, no])
    assert two["code"] == "invalid"
    assert (await alice.act("answer_poll", poll_id=poll_id, option_ids=[yes]))["type"] == "ack"
    assert (await alice.act("answer_poll", poll_id=poll_id, option_ids=[no]))[
        "code"
    ] == "already_answered"
    assert (await bob.act("answer_poll", poll_id=poll_id, option_ids=[no]))["type"] == "ack"
    tally = await alice.until(
        lambda m: m.get("event") == "tally"
        and m["payload"]["polls"]
        and m["payload"]["polls"][0]["answers"] == 2
    )
    assert [o["votes"] for o in tally["payload"]["polls"][0]["options"]] == [1, 1]

    multi = (await fac.act("open_poll", question="Which?", options=["a", "b", "c"], multiple=True))[
        "result"
    ]["poll_id"]
    options = await database_sync_to_async(
        lambda: list(Poll.objects.get(pk=multi).options.values_list("pk", flat=True))
    )()
    assert (await bob.act("answer_poll", poll_id=multi, option_ids=options[:2]))["type"] == "ack"
    assert (await fac.act("close_poll", poll_id=poll_id))["type"] == "ack"
    closed = await bob.until(
        lambda m: m.get("event") == "poll" and m["payload"]["poll"]["status"] == "closed"
    )
    assert closed["payload"]["poll"]["id"] == poll_id
    late = await fac.act("answer_poll", poll_id=poll_id, option_ids=[yes])
    assert late["code"] == "closed"
    for client in (fac, alice, bob):
        await client.close()


async def test_speaker_queue(layer, hall, facilitator):
    fac = await participant(hall, facilitator)
    alice = await participant(hall)
    bob = await participant(hall)
    await start(hall, fac)
    assert (await fac.act("call_next"))["code"] == "empty"
    assert (await alice.act("raise_hand", name="Alice"))["type"] == "ack"
    assert (await alice.act("raise_hand", name="Alice"))["code"] == "already_raised"
    assert (await bob.act("raise_hand", name="Bob"))["type"] == "ack"
    queue = (
        await fac.until(lambda m: m.get("event") == "speakers" and len(m["payload"]["queue"]) == 2)
    )["payload"]
    assert [s["name"] for s in queue["queue"]] == ["Alice", "Bob"]
    assert (await alice.act("lower_hand"))["type"] == "ack"
    assert (await alice.act("lower_hand"))["code"] == "not_raised"
    called = await fac.act("call_next")
    assert called["result"]["speaker"]["name"] == "Bob"
    speakers = (
        await alice.until(lambda m: m.get("event") == "speakers" and m["payload"]["current"])
    )["payload"]
    assert speakers["current"]["name"] == "Bob" and speakers["queue"] == []
    for client in (fac, alice, bob):
        await client.close()


async def test_announcement_and_captions(layer, hall, facilitator):
    fac = await participant(hall, facilitator)
    alice = await participant(hall)
    assert (await fac.act("caption", text="early"))["code"] == "not_live"
    await start(hall, fac)
    assert (await fac.act("announce", text="We start in 2 minutes"))["type"] == "ack"
    assert (await alice.event("announcement"))["payload"]["text"] == "We start in 2 minutes"
    assert (await fac.act("caption", text="Good morning everyone"))["type"] == "ack"
    assert (await alice.event("caption"))["payload"]["text"] == "Good morning everyone"
    long = await fac.act("caption", text="x" * 501)
    assert long["code"] == "too_long" and "500" in long["message"]
    late = await participant(hall)
    assert late.snapshot["caption"] == "Good morning everyone"
    assert late.snapshot["announcement"] == "We start in 2 minutes"
    for client in (fac, alice, late):
        await client.close()


# --- limits ----------------------------------------------------------------------------------


async def test_message_size_limit(layer, hall):
    alice = await participant(hall)
    await alice.comm.send_to(text_data='{"type": "action", "pad": "' + "x" * 5000 + '"}')
    reply = await alice.until(lambda m: m["type"] == "error")
    assert reply["code"] == "too_large" and "4096" in reply["message"]
    await alice.comm.send_to(text_data="not json")
    assert (await alice.until(lambda m: m["type"] == "error"))["code"] == "bad_json"
    await alice.close()


async def test_rate_limits_on_posts_and_votes(layer, hall, facilitator, settings):
    settings.MODERATION_RATE_LIMITS = {"question": (2, 60), "vote": (3, 60)}
    fac = await participant(hall, facilitator)
    alice = await participant(hall)
    await start(hall, fac)
    for n in range(2):
        assert (await alice.act("post_question", text=f"Question {n}"))["type"] == "ack"
    limited = await alice.act("post_question", text="One too many")
    assert limited["code"] == "rate_limited" and "limit is 2 every 60 seconds" in limited["message"]
    qids = await database_sync_to_async(
        lambda: list(Question.objects.filter(townhall__page=hall).values_list("pk", flat=True))
    )()
    for qid in qids:
        await fac.act("approve", question_id=qid)
    assert (await alice.act("vote", question_id=qids[0]))["type"] == "ack"
    assert (await alice.act("unvote", question_id=qids[0]))["type"] == "ack"
    assert (await alice.act("vote", question_id=qids[1]))["type"] == "ack"
    assert (await alice.act("vote", question_id=qids[0]))["code"] == "rate_limited"
    # The limit is per participant (tests/security: across reconnects); facilitators are
    # not limited.
    await fac.close()
    await alice.close()


async def test_origin_is_checked(layer, hall):
    key = await database_sync_to_async(_session_for)()
    evil = Client(hall, key, origin=b"http://evil.example")
    connected, _ = await evil.comm.connect(timeout=5)
    assert not connected


async def test_no_session_means_read_only(layer, hall, facilitator):
    fac = await participant(hall, facilitator)
    await start(hall, fac)
    stranger = Client(hall, None)
    await stranger.connect()
    reply = await stranger.act("post_question", text="hello")
    assert reply["code"] == "no_participant"
    await fac.close()
    await stranger.close()


async def test_one_person_one_vote_across_connections(layer, hall, facilitator):
    fac = await participant(hall, facilitator)
    await start(hall, fac)
    key = await database_sync_to_async(_session_for)()
    tab1, tab2 = Client(hall, key), Client(hall, key)
    await tab1.connect()
    await tab2.connect()
    qid = (await tab1.act("post_question", text="Same person?"))["result"]["question_id"]
    # The other tab is the same participant: it sees the waiting question as its own.
    seen = (await tab2.event("question"))["payload"]["question"]
    assert seen["mine"] is True and seen["text"] == "Same person?"
    await fac.act("approve", question_id=qid)
    assert (await tab1.act("vote", question_id=qid))["type"] == "ack"
    assert (await tab2.act("vote", question_id=qid))["code"] == "already_voted"
    for client in (fac, tab1, tab2):
        await client.close()


# --- delivery --------------------------------------------------------------------------------


async def test_one_subscription_per_process_shared_by_its_connections(layer, hall, facilitator):
    """Each process joins the town hall's group once; every local connection gets each event;
    the last one out leaves the group."""
    from channels.layers import get_channel_layer

    from consult.live.fanout import fanout_for

    fac = await participant(hall, facilitator)
    others = [await participant(hall) for _ in range(3)]
    townhall = await database_sync_to_async(TownHall.objects.get)(page_id=hall.pk)
    fanout = fanout_for(townhall.pk)
    assert len(fanout.listeners) == 4
    if layer == "memory":
        assert set(get_channel_layer().groups[fanout.group]) == {fanout.channel_name}
    await start(hall, fac)
    for client in others:
        assert (await client.event("state"))["payload"]["state"] == "live"
    for client in (fac, *others):
        await client.close()
    assert not fanout.listeners and fanout.channel_name is None
    if layer == "memory":
        assert not get_channel_layer().groups.get(fanout.group)


async def test_events_during_the_snapshot_are_held_until_it_is_sent():
    """An event published while a connection reads its snapshot reaches it after the
    snapshot, never before and never lost."""
    from consult.live.fanout import TownHallFanout

    class Listener:
        def __init__(self):
            self.got = []

        async def live_event(self, event):
            self.got.append(event["text"])

    fanout = TownHallFanout(999_999)
    early, late = Listener(), Listener()
    fanout.listeners[early] = None  # already released
    fanout.listeners[late] = []  # still reading its snapshot
    await fanout.deliver({"type": "live.event", "text": "1"})
    assert early.got == ["1"] and late.got == []
    late.got.append("snapshot")
    await fanout.release(late)
    await fanout.deliver({"type": "live.event", "text": "2"})
    assert early.got == ["1", "2"]
    assert late.got == ["snapshot", "1", "2"]


async def test_reconnect_after_gap_replays_missed_events(layer, hall, facilitator):
    fac = await participant(hall, facilitator)
    alice = await participant(hall)
    await start(hall, fac)
    await alice.event("state")
    last_seen = alice.seq
    await alice.close()
    await fac.act("announce", text="You missed this")
    await fac.act("caption", text="and this")
    alice2 = Client(hall, await database_sync_to_async(_session_for)())
    await alice2.connect()
    await alice2.comm.send_json_to({"type": "resume", "last_seq": last_seen})
    replay = await alice2.until(lambda m: m["type"] == "replay")
    events = replay["events"]
    assert [e["seq"] for e in events] == list(range(last_seen + 1, replay["seq"] + 1))
    kinds = [e["event"] for e in events]
    assert kinds.index("announcement") < kinds.index("caption")
    await fac.close()
    await alice2.close()


async def _apply_until_complete(client: Client, target_seq: int, timeout=10):
    """What live.js does: apply in order, on a gap ask for a replay."""
    applied: list[int] = [client.snapshot["seq"]] if client.snapshot["seq"] else []
    current = client.snapshot["seq"]
    resuming = False
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while current < target_seq:
        message = await client.comm.receive_json_from(timeout=max(0.1, deadline - loop.time()))
        if message["type"] == "event":
            if message["seq"] <= current:
                continue
            if message["seq"] > current + 1:
                if not resuming:
                    resuming = True
                    await client.comm.send_json_to({"type": "resume", "last_seq": current})
                continue
            current = message["seq"]
            applied.append(current)
        elif message["type"] == "replay":
            resuming = False
            for event in message["events"]:
                if event["seq"] == current + 1:
                    current = event["seq"]
                    applied.append(current)
    return applied


async def test_dropped_messages_are_recovered(hall, facilitator, settings, request):
    """The layer silently drops every second event; clients still end with all of them."""
    kind = (
        request.node.callspec.params.get("layer_kind")
        if hasattr(request.node, "callspec")
        else "memory"
    )
    settings.CHANNEL_LAYERS = layer_config(kind, lossy=True)
    fac = await participant(hall, facilitator)
    watchers = [await participant(hall) for _ in range(3)]
    await start(hall, fac)
    for n in range(9):
        await fac.act("announce", text=f"line {n}")
    target = await database_sync_to_async(lambda: TownHall.objects.get(page=hall).last_seq)()
    for watcher in watchers:
        dropped_once = watcher.snapshot["seq"]
        applied = await _apply_until_complete(watcher, target)
        assert applied[-1] == target
        assert applied == list(range(applied[0], target + 1))
        assert dropped_once < target
    # And the live path really was lossy: even seqs never arrived as live events.
    stored = await database_sync_to_async(
        lambda: list(LiveEvent.objects.filter(townhall__page=hall).values_list("seq", flat=True))
    )()
    assert stored == list(range(1, target + 1))
    for client in [fac, *watchers]:
        await client.close()


# test_dropped_messages_are_recovered on every layer
@pytest.fixture(params=["memory", "redis", "redis-pubsub"])
def layer_kind(request):
    if request.param.startswith("redis") and not _redis_available():
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    cache.clear()
    return request.param


test_dropped_messages_are_recovered = pytest.mark.usefixtures("layer_kind")(
    test_dropped_messages_are_recovered
)


def test_vote_refusals_say_why_and_counts_stay_true(hall, facilitator):
    """The vote's fast path (one INSERT ... SELECT) refuses what the checks refused, each
    with its own reason, and the stored count always equals the stored votes."""
    from consult.live.models import Vote

    fac = services.Actor(f"u:{facilitator.pk}", facilitator, True)
    alice = services.Actor("a:alice")

    def refused(function, question_id):
        with pytest.raises(services.LiveActionError) as error:
            function(hall, alice, question_id)
        return error.value.code

    services.start_session(hall, fac)
    qid = services.post_question(hall, alice, "Why thirty days?")["question_id"]
    assert refused(services.vote, qid) == "invalid_state"  # still waiting for approval
    services.approve_question(hall, fac, qid)
    assert refused(services.vote, 999_999) == "not_found"
    assert refused(services.vote, "not a number") == "not_found"
    assert refused(services.unvote, qid) == "not_voted"
    assert services.vote(hall, alice, qid)["votes"] == 1
    assert refused(services.vote, qid) == "already_voted"
    assert services.unvote(hall, alice, qid)["votes"] == 0
    assert services.vote(hall, alice, qid)["votes"] == 1
    services.end_session(hall, fac)
    assert refused(services.unvote, qid) == "not_live"
    question = Question.objects.get(pk=qid)
    assert question.vote_count == Vote.objects.filter(question=question).count() == 1


def test_poll_answer_refusals_say_why_and_counts_stay_true(hall, facilitator):
    """The answer's fast path refuses what the checks refused, each with its own reason,
    and the stored counts always equal the stored answers."""
    from consult.live.models import PollAnswer

    fac = services.Actor(f"u:{facilitator.pk}", facilitator, True)
    alice, bob = services.Actor("a:alice"), services.Actor("a:bob")

    def refused(actor, poll_id, option_ids):
        with pytest.raises(services.LiveActionError) as error:
            services.answer_poll(hall, actor, poll_id, option_ids)
        return error.value.code

    services.start_session(hall, fac)
    single = services.open_poll(hall, fac, "Agree?", ["yes", "no"])["poll_id"]
    multi = services.open_poll(hall, fac, "Which?", ["a", "b", "c"], multiple=True)["poll_id"]
    yes, no = Poll.objects.get(pk=single).options.values_list("pk", flat=True)
    a, b, c = Poll.objects.get(pk=multi).options.values_list("pk", flat=True)
    assert refused(alice, 999_999, [yes]) == "not_found"
    assert refused(alice, "not a number", [yes]) == "not_found"
    assert refused(alice, single, []) == "invalid"
    assert refused(alice, single, "yes") == "invalid"
    assert refused(alice, single, ["x"]) == "invalid"
    assert refused(alice, single, [yes, no]) == "invalid"  # one choice only
    assert refused(alice, single, [a]) == "invalid"  # an option of another poll
    assert refused(services.Actor(""), single, [yes]) == "no_participant"
    assert services.answer_poll(hall, alice, single, [yes]) == {"poll_id": single, "options": [yes]}
    assert refused(alice, single, [no]) == "already_answered"
    assert services.answer_poll(hall, bob, single, [yes])["options"] == [yes]
    assert services.answer_poll(hall, alice, multi, [c, a, a])["options"] == [a, c]
    services.close_poll(hall, fac, single)
    assert refused(services.Actor("a:carol"), single, [no]) == "closed"
    for poll_id in (single, multi):
        poll = Poll.objects.get(pk=poll_id)
        assert poll.answer_count == PollAnswer.objects.filter(poll=poll).count()
        for option in poll.options.all():
            chosen = [o for ids in poll.answers.values_list("option_ids", flat=True) for o in ids]
            assert option.vote_count == chosen.count(option.pk)
    assert [o.vote_count for o in Poll.objects.get(pk=single).options.all()] == [2, 0]
    assert [o.vote_count for o in Poll.objects.get(pk=multi).options.all()] == [1, 0, 1]


def run_in_threads(worker, count: int) -> None:
    """worker(0) ... worker(count - 1), all at once, each in its own thread."""
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_seq_is_gapless_under_concurrent_writers(hall, facilitator):
    """Eight threads append at once: every seq is used exactly once, no gaps."""
    from django.db import connection

    actor = services.Actor(f"u:{facilitator.pk}", facilitator, True)
    services.start_session(hall, actor)
    errors = []

    def worker(n):
        try:
            for i in range(10):
                services.announce(hall, actor, f"{n}-{i}")
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    run_in_threads(worker, 8)
    assert errors == []
    seqs = list(LiveEvent.objects.filter(townhall__page=hall).values_list("seq", flat=True))
    assert seqs == list(range(1, 82))
    assert TownHall.objects.get(page=hall).last_seq == 81


def test_concurrent_votes_are_all_counted(hall, facilitator):
    """Eight threads vote on one question at once (each vote a single statement on
    PostgreSQL): the stored count equals the stored votes, and a second vote by the same
    person is refused however the two race."""
    from django.db import connection

    from consult.live.models import Vote

    fac = services.Actor(f"u:{facilitator.pk}", facilitator, True)
    services.start_session(hall, fac)
    qid = services.post_question(hall, services.Actor("a:asker"), "Why?")["question_id"]
    services.approve_question(hall, fac, qid)
    results, errors = [], []

    def worker(n):
        try:
            for name in (f"a:crowd{n}", f"a:crowd{n}", "a:everyone"):
                try:
                    results.append(services.vote(hall, services.Actor(name), qid)["votes"])
                except services.LiveActionError as refused:
                    errors.append(refused.code)
        finally:
            connection.close()

    run_in_threads(worker, 8)
    assert sorted(errors) == ["already_voted"] * 15  # each crowd member's second, 7 of 8 "everyone"
    assert sorted(results) == list(range(1, 10))  # every accepted vote saw its own new count
    question = Question.objects.get(pk=qid)
    assert question.vote_count == Vote.objects.filter(question=question).count() == 9


# --- into the record -------------------------------------------------------------------------


async def test_ending_records_questions_even_after_the_consultation_closed(
    layer, hall, facilitator
):
    fac = await participant(hall, facilitator)
    alice = await participant(hall)
    await start(hall, fac)
    key = hall.agenda_keys()[0]
    asked = (await alice.act("post_question", text="What about appeals?", clause_key=key))[
        "result"
    ]["question_id"]
    dropped = (await alice.act("post_question", text="Off topic"))["result"]["question_id"]
    pending = (await alice.act("post_question", text="Never reviewed"))["result"]["question_id"]
    await fac.act("approve", question_id=asked)
    await fac.act("reject", question_id=dropped, reason="off_topic")
    await alice.act("vote", question_id=asked)
    await fac.act("answered", question_id=asked, answer="Within 30 days.")
    poll = (await fac.act("open_poll", question="Useful?", options=["yes", "no"]))["result"]

    def close_consultation():
        consultation = hall.consultation
        consultation.phase = consultation.Phase.CLOSED
        consultation.closes_at = timezone.now() - timedelta(minutes=1)
        consultation.save()

    await database_sync_to_async(close_consultation)()
    ended = await fac.act("end")
    assert ended["type"] == "ack" and ended["result"]["recorded_questions"] == 1
    state = await alice.until(
        lambda m: m.get("event") == "state" and m["payload"]["state"] == "ended"
    )
    assert state["payload"]["recorded_questions"] == 1

    def check():
        submission = Submission.objects.get(source=Source.TOWN_HALL, town_hall_question__pk=asked)
        assert submission.comment == "What about appeals?"
        assert submission.stance == "question" and submission.stakeholder == "individual"
        assert submission.clause_key == key and submission.clause is not None
        question = submission.town_hall_question
        assert question.pk == asked and question.vote_count == 1
        assert question.answer == "Within 30 days."
        assert not Submission.objects.filter(comment__in=["Off topic", "Never reviewed"]).exists()
        assert Poll.objects.get(pk=poll["poll_id"]).status == "closed"
        assert Question.objects.get(pk=pending).submission is None

    await database_sync_to_async(check)()
    assert (await alice.act("post_question", text="late"))["code"] == "not_live"
    await fac.close()
    await alice.close()


def test_the_submit_door_stays_closed_without_the_bypass(hall):
    from django.core.exceptions import ValidationError

    from consult.services import SubmissionInput, submit

    consultation = hall.consultation
    consultation.phase = consultation.Phase.CLOSED
    consultation.save()
    with pytest.raises(ValidationError):
        submit(consultation, SubmissionInput(text="x", stance="question", stakeholder="individual"))


# --- the page --------------------------------------------------------------------------------


def test_page_renders_the_board_without_javascript(hall, facilitator, client):
    actor = services.Actor(f"u:{facilitator.pk}", facilitator, True)
    services.start_session(hall, actor)
    asker = services.Actor("a:someone")
    qid = services.post_question(hall, asker, "Is the register public?")["question_id"]
    services.post_question(hall, asker, "Not yet approved")
    services.approve_question(hall, actor, qid)
    services.announce(hall, actor, "Welcome")
    response = client.get(hall.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert "Is the register public?" in html and "Not yet approved" not in html
    assert "Welcome" in html and "js/live.js" in html
    assert 'for="ask-text"' in html
    assert client.session.get("live_participant")
    services.end_session(hall, actor)
    html = client.get(hall.url).content.decode()
    assert "Session summary" in html and "Is the register public?" in html


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", True),
        ("https://youtu.be/dQw4w9WgXcQ", True),
        ("https://meet.jit.si/ai-rules-town-hall", True),
        ("http://meet.jit.si/plain-http", False),
        ("https://example.com/video", False),
        ("https://www.youtube.com/watch?v=", False),
    ],
)
def test_stream_url_validation(url, ok):
    from django.core.exceptions import ValidationError

    from cms.town_hall_pages import validate_stream_url

    if ok:
        validate_stream_url(url)
    else:
        with pytest.raises(ValidationError):
            validate_stream_url(url)


def test_anonymous_participant_id_is_signed():
    session = {}
    participant = ensure_participant(session)
    from consult.live.identity import participant_from_session

    assert participant_from_session(session) == participant
    session["live_participant"] = session["live_participant"][:-2] + "xx"
    assert participant_from_session(session) is None
    assert get_user_model  # the id for signed-in users is their pk, checked in the WS tests


def test_editors_can_add_a_town_hall_in_wagtail(hall, admin_client):
    """The page's panels render in Wagtail's add form under a consultation."""
    parent = hall.get_parent()
    response = admin_client.get(f"/admin/pages/add/cms/townhallpage/{parent.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    for field in ("starts_at", "facilitators", "agenda_clause_keys", "stream_url", "language"):
        assert f'name="{field}"' in html


def test_presence_forgets_a_process_that_died(settings):
    """Each process renews a lease on its own count; a crashed one drops out of the total
    within a lease instead of being counted for ever."""
    import time

    from consult.live import presence

    settings.LIVE_PRESENCE_LEASE = 1
    townhall_id = 424242
    presence.join(townhall_id)
    presence.join(townhall_id)
    # Another process published five connections and then died: nobody renews its key.
    cache.set(presence._count_key(townhall_id, "dead-process"), 5, 1)
    registry = cache.get(presence._registry_key(townhall_id))
    cache.set(presence._registry_key(townhall_id), registry | {"dead-process": time.time()})
    assert presence.presence_count(townhall_id) == 7
    time.sleep(1.3)
    presence.renew(townhall_id)  # this process is alive: its clients check in
    assert presence.presence_count(townhall_id) == 2
    presence.leave(townhall_id)
    assert presence.presence_count(townhall_id) == 1


def test_the_snapshot_is_bounded_with_the_most_voted_questions_first(hall, settings):
    from consult.live.selectors import board, townhall_for_page

    settings.LIVE_SNAPSHOT_QUESTIONS = 25
    townhall = townhall_for_page(hall)
    Question.objects.bulk_create(
        Question(
            townhall=townhall,
            text=f"Question {n}?",
            author=f"a:asker{n}",
            status=Question.Status.APPROVED,
            vote_count=n,
        )
        for n in range(60)
    )
    questions = board(hall)["questions"]
    assert len(questions) == 25
    assert [q["text"] for q in questions[:2]] == ["Question 59?", "Question 58?"]
