"""The speaker queue."""

from __future__ import annotations

import pytest

from consult.live.services import session, speakers
from consult.live.services.checks import Actor, LiveActionError
from tests.live.helpers import (
    capture_events,
    participant,
    per_vendor,
    start,
)


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


def test_raising_a_hand_sends_one_speakers_event(service_hall, host, django_assert_num_queries):
    session.start_session(service_hall, host)
    with (
        capture_events(expected=1) as sent,
        django_assert_num_queries(per_vendor(sqlite=9, postgresql=9)),
    ):
        speakers.raise_hand(service_hall, Actor("a:alice"), "Alice")
    assert sent[0]["event"] == "speakers"
    assert [s["name"] for s in sent[0]["payload"]["queue"]] == ["Alice"]
    with capture_events(expected=0), pytest.raises(LiveActionError):
        speakers.raise_hand(service_hall, Actor("a:alice"), "Alice")
