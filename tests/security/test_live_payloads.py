"""Live town-hall payloads name nobody: no user's database id, no participant id.

A whole session is played over real WebSockets by a facilitator, an anonymous participant
and a signed-in one, using every action; everything the three receive (snapshots, every
event type, replays, acknowledgements) and every stored event is searched for their ids.
"""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from django.contrib.sessions.backends.db import SessionStore

from cms.demo import make_town_hall
from consult.live.identity import participant_from_session
from consult.live.models import LiveEvent
from tests.live.helpers import Client, layer_config, session_for

EVENT_TYPES = {"state", "question", "tally", "poll", "speakers", "announcement", "caption"}
PERSON_KEYS = {"participant", "author", "user", "user_id", "handle"}


@pytest.fixture
def hall(transactional_db, settings):
    settings.LIVE_TALLY_INTERVAL = 0
    settings.CHANNEL_LAYERS = layer_config("memory")
    return make_town_hall()


def _walk(value, path=""):
    """Every (path, key, value) in a JSON document."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield f"{path}.{key}", key, item
            yield from _walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield f"{path}[{n}]", None, item
            yield from _walk(item, f"{path}[{n}]")


def assert_names_nobody(document, ids: list[str], where: str) -> None:
    text = json.dumps(document, ensure_ascii=False)
    leaked = [i for i in ids if i in text]
    assert not leaked, f"{leaked} in {where}: {text[:400]}"
    for path, key, value in _walk(document):
        assert key not in PERSON_KEYS, f"{where}{path} names a person"
        if isinstance(value, str):
            assert not value.startswith(("u:", "a:")), f"{where}{path} = {value!r}"


async def connect(page, session_key=None) -> Client:
    client = Client(page, session_key)
    await client.connect()
    return client


def _participant_of(session_key: str) -> str:
    return participant_from_session(SessionStore(session_key=session_key))


async def test_no_live_payload_carries_a_user_or_participant_id(hall, django_user_model):
    host = await database_sync_to_async(hall.facilitators.get)()
    member = await database_sync_to_async(django_user_model.objects.create_user)(
        "member", password="a-long-password-1"
    )
    anonymous_key = await database_sync_to_async(session_for)()
    anonymous_id = await database_sync_to_async(_participant_of)(anonymous_key)
    assert anonymous_id and anonymous_id.startswith("a:")
    ids = [anonymous_id, f"u:{host.pk}", f"u:{member.pk}"]

    member_key = await database_sync_to_async(session_for)(member)
    fac = await connect(hall, await database_sync_to_async(session_for)(host))
    alice = await connect(hall, anonymous_key)
    bob = await connect(hall, member_key)
    clients = (fac, alice, bob)
    acks = []

    async def act(client, action, **args):
        reply = await client.act(action, **args)
        assert reply["type"] == "ack", (action, reply)
        acks.append(reply)
        return reply["result"]

    await act(fac, "start")
    kept = (await act(alice, "post_question", text="Who audits the systems?"))["question_id"]
    dropped = (await act(bob, "post_question", text="Buy cheap watches"))["question_id"]
    waiting = (await act(bob, "post_question", text="Still waiting"))["question_id"]
    await act(fac, "approve", question_id=kept)
    await act(fac, "reject", question_id=dropped, reason="spam")
    await act(bob, "vote", question_id=kept)
    await act(alice, "vote", question_id=kept)
    await act(alice, "unvote", question_id=kept)
    await act(fac, "answered", question_id=kept, answer="An independent authority.")
    poll = (await act(fac, "open_poll", question="Useful?", options=["yes", "no"]))["poll_id"]
    options = await database_sync_to_async(
        lambda: list(LiveEvent.objects.filter(type="poll").latest("seq").payload["poll"]["options"])
    )()
    await act(alice, "answer_poll", poll_id=poll, option_ids=[options[0]["id"]])
    await act(fac, "close_poll", poll_id=poll)
    await act(alice, "raise_hand", name="Alice")
    await act(bob, "raise_hand")  # no name given: a stand-in name, not "Participant u:<pk>"
    # A snapshot while hands are up: each connection is told which raised hand is its own.
    late_bob = await connect(hall, member_key)
    queue = late_bob.snapshot["speakers"]["queue"]
    assert [s["mine"] for s in queue] == [False, True]
    assert queue[1]["name"].startswith("Participant ")
    await late_bob.close()
    await act(fac, "call_next")
    await act(bob, "lower_hand")  # Alice was called first; Bob gives up
    await act(fac, "announce", text="Five minutes left")
    await act(fac, "caption", text="We are closing soon")
    await act(fac, "end")

    def ended(message):
        return message.get("event") == "state" and message["payload"]["state"] == "ended"

    for client in clients:
        if not any(ended(m) for m in client.log):
            await client.until(ended)

    # Bob sees his own waiting question as his (and its text); Alice does not see its text.
    bob_view = await connect(hall, member_key)
    mine = {q["id"]: q for q in bob_view.snapshot["questions"]}
    assert mine[waiting]["mine"] is True and mine[waiting]["text"] == "Still waiting"
    alice_view = await connect(hall, anonymous_key)
    theirs = {q["id"]: q for q in alice_view.snapshot["questions"]}
    assert waiting not in theirs and theirs[kept]["mine"] is True

    received = [m for client in clients for m in client.log]
    seen_types = {m["event"] for m in received if m["type"] == "event"}
    assert seen_types == EVENT_TYPES
    for client in (*clients, bob_view, alice_view):
        assert_names_nobody(client.snapshot, ids, "a snapshot")
        await client.comm.send_json_to({"type": "resume", "last_seq": 0})
        replay = await client.until(lambda m: m["type"] == "replay")
        assert {e["event"] for e in replay["events"]} == EVENT_TYPES
        assert_names_nobody(replay, ids, "a replay")
    for message in received:
        assert_names_nobody(message, ids, f"a {message.get('event', message['type'])} message")
    assert_names_nobody(acks, ids, "the acknowledgements")
    stored = await database_sync_to_async(
        lambda: [(e.type, e.payload) for e in LiveEvent.objects.filter(townhall__page=hall)]
    )()
    assert {kind for kind, _ in stored} == EVENT_TYPES
    for kind, payload in stored:
        # The log keeps handles (to tell each connection what is its own), never ids.
        text = json.dumps(payload)
        assert not [i for i in ids if i in text], f"an id in the stored {kind} event: {text}"
        for path, key, value in _walk(payload):
            assert key not in PERSON_KEYS - {"handle"}, f"stored {kind}{path} names a person"
            assert not (isinstance(value, str) and value.startswith(("u:", "a:"))), path
    for client in (*clients, bob_view, alice_view):
        await client.close()


def test_events_stored_before_handles_lose_their_ids(db, settings):
    """The data migration rewrites an event log written with participant ids."""
    import importlib

    from django.apps import apps

    from consult.live.identity import public_handle
    from consult.live.models import TownHall

    migration = importlib.import_module(
        "consult.live.migrations.0002_payloads_name_people_by_handle"
    )
    townhall = TownHall.objects.get(page=make_town_hall())
    question = {"id": 1, "text": "Call 0333-1112223", "author": "u:3", "status": "approved"}
    speaker = {"id": 2, "name": "Ali 0333-1112223", "participant": "a:abc"}
    LiveEvent.objects.create(
        townhall=townhall, seq=1, type="question", payload={"question": question}
    )
    LiveEvent.objects.create(
        townhall=townhall, seq=2, type="speakers", payload={"queue": [speaker], "current": speaker}
    )
    migration.forwards(apps, None)
    stored = [e.payload for e in LiveEvent.objects.filter(townhall=townhall).order_by("seq")]
    text = json.dumps(stored)
    assert "u:3" not in text and "a:abc" not in text
    assert '"author"' not in text and '"participant"' not in text
    assert stored[0]["question"]["handle"] == public_handle(townhall.pk, "u:3")
    assert stored[0]["question"]["text"] == "Call [phone removed]"
    assert stored[1]["queue"][0]["handle"] == public_handle(townhall.pk, "a:abc")
    assert stored[1]["current"]["name"] == "Ali [phone removed]"
