"""One frame per town-hall event for every connection of a process (config/websocket_broadcast.py):
under config.serve's daphne each WebSocket scope offers a ``PreparedSend``; the consumer sends
the event's frame, prepared once, through it. Events that name someone still go to each
connection as its own copy, and a connection without the offer sends as before."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from channels.db import database_sync_to_async

from config.websocket_broadcast import EXTENSION, PreparedSend
from tests.live.helpers import Client, participant, session_for, start

ROOT = Path(__file__).resolve().parents[2]


class RecordingSend:
    """``PreparedSend``'s interface over Channels' test communicator: records each prepared
    frame it is handed and gives its payload to the client as daphne's socket would."""

    prepare = staticmethod(PreparedSend.prepare)

    def __init__(self, comm, *, open_: bool = True):
        self.comm, self.open, self.frames = comm, open_, []

    def __call__(self, prepared) -> bool:
        if not self.open:
            return False
        self.frames.append(prepared)
        self.comm.output_queue.put_nowait(
            {"type": "websocket.send", "text": prepared.payload.decode("utf-8")}
        )
        return True


async def _offered(hall, *, open_: bool = True) -> tuple[Client, RecordingSend]:
    client = Client(hall, await database_sync_to_async(session_for)())
    sender = RecordingSend(client.comm, open_=open_)
    client.comm.scope["extensions"] = {EXTENSION: sender}
    await client.connect()
    return client, sender


async def test_a_tally_is_framed_once_for_every_connection(layer, hall, facilitator):
    fac = await participant(hall, facilitator)
    await start(hall, fac)
    (alice, alice_send), (bob, bob_send) = await _offered(hall), await _offered(hall)
    closing, closing_send = await _offered(hall, open_=False)  # sends the old way
    qid = (await alice.act("post_question", text="One frame for all?"))["result"]["question_id"]
    await fac.act("approve", question_id=qid)
    assert (await bob.act("vote", question_id=qid))["type"] == "ack"

    def counted(m):
        return m.get("event") == "tally" and m["payload"]["votes"].get(str(qid)) == 1

    for client in (alice, bob, closing):
        # Bob's tally may have come before his ack (the reply to act() was read past it).
        if not any(counted(m) for m in client.log):
            await client.until(counted)
    tally_frames = [
        [f for f in sender.frames if counted(json.loads(f.payload))]
        for sender in (alice_send, bob_send)
    ]
    assert tally_frames[0] and tally_frames[1]
    # The same prepared frame object on both connections: framed once.
    assert tally_frames[0][-1] is tally_frames[1][-1]
    assert closing_send.frames == []
    # Alice's own question reached her as her own copy ("mine"), not as a shared frame.
    assert not any(b"One frame for all?" in f.payload for f in alice_send.frames)
    for client in (fac, alice, bob, closing):
        await client.close()


INSTALL_CHECK = """
import asyncio
from daphne.cli import CommandLineInterface
CommandLineInterface.entrypoint = classmethod(lambda cls: None)  # set up, do not serve
from config import serve, websocket_broadcast as wb
serve.main()
from daphne.server import Server
installed = Server.create_application
wb.install()  # a second call changes nothing
assert Server.create_application is installed
seen = {}
async def app(scope, receive, send):
    seen[scope["type"]] = scope.get("extensions", {}).get(wb.EXTENSION)
loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
server = Server(app, endpoints=["tcp:port=0:interface=127.0.0.1"])
server.connections = {}  # run() makes it
for kind in ("websocket", "http"):
    protocol = object()
    server.connections[protocol] = {}
    server.create_application(protocol, {"type": kind})
    loop.run_until_complete(server.connections[protocol]["application_instance"])
print(type(seen["websocket"]).__name__, seen["http"])
"""


def test_config_serve_has_daphne_offer_prepared_send_on_websocket_scopes():
    """As ``make run`` and production start daphne (config.serve), in a process of its own
    (importing daphne.server installs Twisted's reactor): a WebSocket scope carries the
    offer, an HTTP one does not."""
    result = subprocess.run(
        [sys.executable, "-c", INSTALL_CHECK],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["PreparedSend", "None"]
