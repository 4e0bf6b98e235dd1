"""One WebSocket frame per town-hall event, written to every connection of a daphne process.

A tally goes to every connection in the town hall. Through Channels and daphne each copy
was a consumer send, daphne's reply hop and autobahn framing the same payload again: about
90 µs of the event loop per connection, so one tally to 1,000 connections held the loop for
90 ms and the last connection got it that much later (bench-live, bench/RESULTS.md).
Autobahn, under daphne, has the tool for this: ``prepareMessage`` frames a payload once and
``sendPreparedMessage`` writes the same bytes to each connection (a server's frames are not
masked, so they are the same bytes for everyone).

``install()`` (run by config/serve.py before daphne starts) puts a ``PreparedSend`` for the
connection in each WebSocket scope's ``extensions``, as ASGI lets a server offer what the
spec does not have. A consumer without it (Channels' test communicator, another server)
sends as before.
"""

from __future__ import annotations

from autobahn.websocket.protocol import PreparedMessage

from consult.live.prepared import PREPARED_SEND as EXTENSION


class PreparedSend:
    """Writes a prepared frame to one daphne WebSocket connection, if it is still open."""

    __slots__ = ("server", "protocol")

    def __init__(self, server, protocol):
        self.server, self.protocol = server, protocol

    @staticmethod
    def prepare(text: str) -> PreparedMessage:
        """The frame for ``text``, made once and sent on any number of connections."""
        return PreparedMessage(text.encode("utf-8"), False, False, False)

    def __call__(self, prepared: PreparedMessage) -> bool:
        """Send; False (nothing sent) if the connection is closing or gone, as daphne's own
        reply path would drop it."""
        protocol = self.protocol
        details = self.server.connections.get(protocol)
        if details is None or details.get("disconnected") or protocol.state != protocol.STATE_OPEN:
            return False
        if protocol._perMessageCompress is None and not protocol.send_queue:
            write_now(protocol.transport, prepared.payloadHybi)
        else:  # compressed per connection, or autobahn has its own queue: its own path
            protocol.sendPreparedMessage(prepared)
        return True


def write_now(transport, data: bytes) -> None:
    """Write ``data`` to a Twisted TCP transport's socket now, when nothing waits before it.

    ``transport.write`` only buffers: the bytes go at the reactor's next turn, after it has
    registered the socket as a writer and before it removes it again, two epoll calls and a
    callback per frame (a tenth of a daphne's CPU in bench-live, and every connection of a
    tally waiting for the loop to come round). asyncio's own transports try the socket
    first; this does the same. Whatever the socket does not take, a TLS connection, one
    closing or with bytes already buffered goes through ``transport.write``, in order.
    """
    if (
        getattr(transport, "TLS", True)
        or not transport.connected
        or transport.disconnecting
        or transport._writeDisconnected
        or transport._tempDataLen
        or len(transport.dataBuffer) > transport.offset
    ):
        transport.write(data)
        return
    try:
        sent = transport.socket.send(data)
    except OSError:  # full (EAGAIN) or gone: Twisted's own write waits, or finds the loss
        sent = 0
    if sent < len(data):
        transport.write(data[sent:])


def install() -> None:
    """Offer ``PreparedSend`` in every WebSocket scope daphne makes from now on."""
    from daphne.server import Server

    original = Server.create_application
    if getattr(original, "offers_prepared_send", False):
        return

    def create_application(self, protocol, scope):
        if scope.get("type") == "websocket":
            scope.setdefault("extensions", {})[EXTENSION] = PreparedSend(self, protocol)
        return original(self, protocol, scope)

    create_application.offers_prepared_send = True  # type: ignore[attr-defined]
    Server.create_application = create_application  # type: ignore[method-assign]
