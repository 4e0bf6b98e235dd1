"""The event log: gapless seqs, one subscription per process, replay and recovery of
events the channel layer dropped."""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async
from django.core.cache import cache

from consult.live.models import LiveEvent, TownHall
from consult.live.services import session
from consult.live.services.checks import Actor
from tests.live.helpers import (
    REDIS_URL,
    Client,
    layer_config,
    participant,
    redis_available,
    run_in_threads,
    session_for,
    start,
)


def test_seq_is_gapless_under_concurrent_writers(hall, facilitator):
    """Eight threads append at once: every seq is used exactly once, no gaps."""
    from django.db import connection

    actor = Actor(f"u:{facilitator.pk}", facilitator, True)
    session.start_session(hall, actor)
    errors = []

    def worker(n):
        try:
            for i in range(10):
                session.announce(hall, actor, f"{n}-{i}")
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    run_in_threads(worker, 8)
    assert errors == []
    seqs = list(LiveEvent.objects.filter(townhall__page=hall).values_list("seq", flat=True))
    assert seqs == list(range(1, 82))
    assert TownHall.objects.get(page=hall).last_seq == 81


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


async def test_events_go_out_in_seq_order_and_a_missing_one_is_read_once(hall, facilitator):
    """Another process published seq 3 before this one got seq 2: the process holds 3 until
    2 comes. One that does not come in time is read from the stored log by the process,
    once, not asked for by every client."""
    from consult.live.events import envelope_for
    from consult.live.fanout import REORDER_WAIT_SECONDS, TownHallFanout

    def store_events():
        actor = Actor(f"u:{facilitator.pk}", facilitator, True)
        session.start_session(hall, actor)
        for i in range(4):
            session.announce(hall, actor, f"line {i}")
        townhall = TownHall.objects.get(page=hall)
        stored = LiveEvent.objects.filter(townhall=townhall).order_by("seq")
        return townhall.pk, [envelope_for(e.as_message()) for e in stored]

    townhall_id, stored = await database_sync_to_async(store_events)()
    assert len(stored) >= 5

    class Listener:
        def __init__(self):
            self.got = []

        async def live_event(self, event):
            self.got.append(event["seq"])

    fanout = TownHallFanout(townhall_id)
    listener = Listener()
    fanout.listeners[listener] = None
    first = stored[0]["seq"]
    await fanout.deliver(stored[0])
    await fanout.deliver(stored[2])  # early
    assert listener.got == [first]
    await fanout.deliver(stored[1])
    assert listener.got == [first, first + 1, first + 2]
    await fanout.deliver(stored[1])  # a copy of one sent: not again
    await fanout.deliver(stored[4])  # stored[3] never comes on the layer
    assert listener.got == [first, first + 1, first + 2]
    await asyncio.sleep(REORDER_WAIT_SECONDS + 0.5)
    assert listener.got == [first, first + 1, first + 2, first + 3, first + 4]
    await fanout.deliver(stored[3])  # late after all: already sent from the log
    assert listener.got[-1] == first + 4 and len(listener.got) == 5


async def test_reconnect_after_gap_replays_missed_events(layer, hall, facilitator):
    fac = await participant(hall, facilitator)
    alice = await participant(hall)
    await start(hall, fac)
    await alice.event("state")
    last_seen = alice.seq
    await alice.close()
    await fac.act("announce", text="You missed this")
    await fac.act("caption", text="and this")
    alice2 = Client(hall, await database_sync_to_async(session_for)())
    await alice2.connect()
    await alice2.comm.send_json_to({"type": "resume", "last_seq": last_seen})
    replay = await alice2.until(lambda m: m["type"] == "replay")
    events = replay["events"]
    assert [e["seq"] for e in events] == list(range(last_seen + 1, replay["seq"] + 1))
    kinds = [e["event"] for e in events]
    assert kinds.index("announcement") < kinds.index("caption")
    await fac.close()
    await alice2.close()


async def test_a_resume_is_answered_from_the_events_this_process_has(layer, hall, facilitator):
    """A gap in one process's stream is a gap for all of its clients, and under load they all
    asked the database for the same events at once. The process keeps its latest events and
    answers from them (shown by removing the stored rows: the replay still has them, a
    personal event in the resumer's own copy); what it lacks comes from the database."""
    from consult.live.fanout import fanout_for

    fac = await participant(hall, facilitator)
    alice = await participant(hall)
    bob = await participant(hall)
    await start(hall, fac)
    townhall_id = await database_sync_to_async(lambda: TownHall.objects.get(page=hall).pk)()

    async def replay_from(client, last_seq):
        await client.comm.send_json_to({"type": "resume", "last_seq": last_seq})
        return await client.until(lambda m: m["type"] == "replay")

    # Not in this process's memory: from the database.
    await bob.event("state")
    before = bob.seq
    await fac.act("announce", text="From the database")
    await bob.until(lambda m: m.get("event") == "announcement")
    fanout_for(townhall_id).recent.clear()
    replay = await replay_from(bob, before)
    assert [e["seq"] for e in replay["events"]] == list(range(before + 1, replay["seq"] + 1))
    assert "From the database" in [e["payload"].get("text") for e in replay["events"]]

    before = bob.seq = replay["seq"]
    await fac.act("announce", text="Held in memory")
    await alice.act("post_question", text="Alice's own pending question")
    await bob.until(lambda m: m.get("event") == "question")
    await database_sync_to_async(LiveEvent.objects.filter(townhall_id=townhall_id).delete)()
    replay = await replay_from(bob, before)
    events = replay["events"]
    assert [e["seq"] for e in events] == list(range(before + 1, replay["seq"] + 1))
    assert "Held in memory" in [e["payload"].get("text") for e in events]
    question = next(e for e in events if e["event"] == "question")["payload"]["question"]
    assert question["mine"] is False and question["text"] == ""  # Bob's copy: not his
    mine = (await replay_from(alice, before))["events"]
    question = next(e for e in mine if e["event"] == "question")["payload"]["question"]
    assert question["mine"] is True and question["text"] == "Alice's own pending question"
    for client in (fac, alice, bob):
        await client.close()


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


# test_dropped_messages_are_recovered on every layer
@pytest.fixture(params=["memory", "redis", "redis-pubsub"])
def layer_kind(request):
    if request.param.startswith("redis") and not redis_available():
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    cache.clear()
    return request.param


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


test_dropped_messages_are_recovered = pytest.mark.usefixtures("layer_kind")(
    test_dropped_messages_are_recovered
)
