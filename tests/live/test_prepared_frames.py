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


def _output_in_own_process(script: str) -> list[str]:
    """What ``script`` prints, split into words; run in a process of its own, since
    importing daphne.server installs Twisted's reactor for the whole process."""
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.split()


def test_config_serve_has_daphne_offer_prepared_send_on_websocket_scopes():
    """As ``make run`` and production start daphne (config.serve), in a process of its own
    (importing daphne.server installs Twisted's reactor): a WebSocket scope carries the
    offer, an HTTP one does not."""
    assert _output_in_own_process(INSTALL_CHECK) == ["PreparedSend", "None"]


WRITE_NOW_CHECK = r"""
import socket, threading
import daphne.server  # noqa: F401  installs Twisted's asyncio reactor, as config.serve does
from twisted.internet import protocol, reactor
from config.websocket_broadcast import write_now

seen = {}

def read(sock, size):
    try:
        return sock.recv(size)
    except TimeoutError:
        return b""

def check(transport):
    # In a reactor callback: the reactor takes no turn until this returns, so whatever
    # the client reads here was written to the socket by the call itself.
    client.settimeout(1)
    write_now(transport, b"now")
    seen["at_once"] = read(client, 100)
    transport.write(b"buffered-")  # Twisted holds it for the reactor's next turn
    write_now(transport, b"after")
    seen["overtook"] = read(client, 100)
    big = b"x" * 3_000_000  # more than the socket takes at once: the rest is buffered
    write_now(transport, big)
    write_now(transport, b"END")
    got = []
    def drain():
        client.settimeout(10)
        want = len(b"buffered-after") + len(big) + 3
        while sum(map(len, got)) < want and (chunk := client.recv(1 << 20)):
            got.append(chunk)
        reactor.callFromThread(reactor.stop)
    threading.Thread(target=drain).start()
    seen["rest"] = got

class Server(protocol.Protocol):
    def connectionMade(self):
        reactor.callLater(0, check, self.transport)

port = reactor.listenTCP(0, protocol.Factory.forProtocol(Server), interface="127.0.0.1")
client = socket.create_connection(("127.0.0.1", port.getHost().port))
reactor.run()
rest = b"".join(seen["rest"])
print(seen["at_once"].decode(), repr(seen["overtook"]), rest[:14].decode(), len(rest),
      rest.endswith(b"xEND"))
"""


def test_a_prepared_frame_is_written_to_the_socket_at_once_and_in_order():
    """Twisted buffers every write until the reactor's next turn and registers a writer
    for it, then removes it: two epoll calls and a callback per frame, 2,000 per tally
    (bench-live's profile). ``write_now`` writes to the socket straight away when nothing is
    waiting before it, as asyncio's own transports do; behind buffered bytes, or for what
    the socket does not take at once, it leaves the bytes to Twisted, in order. A real
    reactor and a real socket, in a process of their own."""
    assert _output_in_own_process(WRITE_NOW_CHECK) == [
        "now",
        "b''",
        "buffered-after",
        str(14 + 3_000_003),
        "True",
    ]
