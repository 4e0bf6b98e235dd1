"""The WebSocket protocol over a real connection (``WebsocketCommunicator`` against the
project's ASGI application, with its session and origin middleware), on the in-memory layer
and on channels_redis: snapshots, permissions, limits, identity."""

from __future__ import annotations

import threading

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model

from consult.live.identity import ensure_participant
from consult.live.models import LiveEvent, Question, TownHall
from tests.live.helpers import (
    Client,
    layer_config,
    participant,
    session_for,
    start,
)


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


async def test_message_size_limit(layer, hall):
    alice = await participant(hall)
    await alice.comm.send_to(text_data='{"type": "action", "pad": "' + "x" * 5000 + '"}')
    reply = await alice.until(lambda m: m["type"] == "error")
    assert reply["code"] == "too_large" and "4096" in reply["message"]
    await alice.comm.send_to(text_data="not json")
    assert (await alice.until(lambda m: m["type"] == "error"))["code"] == "bad_json"
    await alice.close()


async def test_rate_limits_on_posts_and_votes(layer, hall, facilitator, settings):
    # Hour-long windows: django-ratelimit's windows are fixed, so a slow run that crossed
    # a window's end would start counting again (likely why one loaded run failed).
    settings.MODERATION_RATE_LIMITS = {"question": (2, 3600), "vote": (3, 3600)}
    fac = await participant(hall, facilitator)
    alice = await participant(hall)
    await start(hall, fac)
    for n in range(2):
        assert (await alice.act("post_question", text=f"Question {n}"))["type"] == "ack"
    limited = await alice.act("post_question", text="One too many")
    assert limited["code"] == "rate_limited" and "limit is 2 every 60 minutes" in limited["message"]
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
    key = await database_sync_to_async(session_for)()
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


def test_anonymous_participant_id_is_signed():
    session = {}
    participant = ensure_participant(session)
    from consult.live.identity import participant_from_session

    assert participant_from_session(session) == participant
    session["live_participant"] = session["live_participant"][:-2] + "xx"
    assert participant_from_session(session) is None
    assert get_user_model  # the id for signed-in users is their pk, checked in the WS tests


async def test_a_page_without_its_runtime_row_is_not_open_to_connections(hall, settings):
    settings.CHANNEL_LAYERS = layer_config("memory")
    await database_sync_to_async(TownHall.objects.filter(page_id=hall.pk).delete)()
    client = Client(hall, await database_sync_to_async(session_for)())
    connected, code = await client.comm.connect(timeout=5)
    assert not connected and code == 4404


async def test_limits_are_checked_off_the_event_loop(layer, hall, facilitator, monkeypatch):
    """The rate limits ask Redis (blocking calls): on the event loop every connection of the
    process shares, each vote's checks held up every tally being written (bench-live found
    17 % of a daphne's loop there). They run in the action's own worker thread."""
    from consult import ratelimit

    loop_thread = threading.get_ident()
    checked_in: list[int] = []
    real_check = ratelimit.check

    def recording_check(*args, **kwargs):
        checked_in.append(threading.get_ident())
        return real_check(*args, **kwargs)

    monkeypatch.setattr(ratelimit, "check", recording_check)
    fac = await participant(hall, facilitator)
    alice = await participant(hall)
    await start(hall, fac)
    reply = await alice.act("post_question", text="Checked where?")
    assert reply["type"] == "ack"
    assert checked_in and loop_thread not in checked_in
    await fac.close()
    await alice.close()
