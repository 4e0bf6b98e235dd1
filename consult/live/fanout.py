"""One channel-layer subscription per process and town hall, shared by its connections.

With a group member per connection, the layer decodes every event once per connection and
puts it on that connection's queue, a task per connection wakes to take it off and dispatch
it, and each connection's subscription is one more Redis SUBSCRIBE at connect: at 2,000
connections and five tallies a second that is 10,000 wake-ups a second before any byte is
written. Here a process joins the town hall's group once, with a channel of its own, and
hands each event to its local connections in turn. The events still travel between
processes through the Channels layer (Redis pub/sub, the core Redis layer, or in memory),
and whatever it drops is recovered as before: the client sees a gap in ``seq``, or checks in,
and gets a replay from the stored log.

A connection registers *before* it reads its snapshot and holds the events that arrive
meanwhile, then sends them after the snapshot: nothing published between the two is lost,
and the client never sees an event before its snapshot.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from typing import Protocol

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from . import selectors
from .events import envelope_for, group_name

logger = logging.getLogger(__name__)

# How long an event that came before an earlier one waits for it before this process reads
# the missing ones from the database (clients themselves wait 0.3 s, then ask for a replay).
REORDER_WAIT_SECONDS = 0.1

# How many of a town hall's latest events a process keeps for resumes (consult/live/consumers.py).
RECENT_EVENTS = 512

# The core Redis layer forgets a group member after a day (its group_expiry); a town hall
# process re-joins at least this often while it has connections.
REJOIN_AFTER_SECONDS = 3600


class Listener(Protocol):
    async def live_event(self, event: dict) -> None: ...


class TownHallFanout:
    """This process's subscription to one town hall, and the connections that share it."""

    def __init__(self, townhall_id: int):
        self.townhall_id = townhall_id
        self.group = group_name(townhall_id)
        self.listeners: dict[Listener, list | None] = {}  # listener -> held events or None
        self.channel_name: str | None = None
        self.joined_at: float | None = None  # time.monotonic() of the last group_add
        self.pump: asyncio.Task | None = None
        self.lock = asyncio.Lock()
        # seq -> the event as it came (its "text", and "message" if personal), newest last.
        self.recent: dict[int, dict] = {}
        # Events go out in seq order: the last seq sent, and those that came early.
        self.sent_seq: int | None = None
        self.early: dict[int, dict] = {}
        self.repair: asyncio.TimerHandle | None = None
        self.order = asyncio.Lock()

    async def add(self, listener: Listener) -> None:
        """Subscribe (first listener) and start holding events for this listener."""
        async with self.lock:
            layer = get_channel_layer()
            if self.channel_name is None:
                self.channel_name = await layer.new_channel()
                self.pump = asyncio.ensure_future(self._pump(layer, self.channel_name))
            now = time.monotonic()
            if self.joined_at is None or now - self.joined_at > REJOIN_AFTER_SECONDS:
                await layer.group_add(self.group, self.channel_name)
                self.joined_at = now
            self.listeners[listener] = []

    async def release(self, listener: Listener) -> None:
        """Send what was held for this listener, then send it events as they come."""
        while held := self.listeners.get(listener):
            event = held.pop(0)
            await listener.live_event(event)
        if listener in self.listeners:
            self.listeners[listener] = None

    def discard(self, listener: Listener) -> None:
        """Stop sending to this listener (now, without waiting for the lock)."""
        self.listeners.pop(listener, None)

    async def remove(self, listener: Listener) -> None:
        """Stop sending to this listener; the last one out unsubscribes the process."""
        self.discard(listener)
        async with self.lock:
            if self.listeners or self.channel_name is None:
                return
            channel, self.channel_name, self.joined_at = self.channel_name, None, None
            self.pump.cancel()
            # Unsubscribed: whatever comes next starts a new stream (and a new memory).
            self.sent_seq, self.early, self.recent = None, {}, {}
            if self.repair is not None:
                self.repair.cancel()
                self.repair = None
            try:
                await get_channel_layer().group_discard(self.group, channel)
            except Exception:  # the layer forgets the channel in time anyway
                logger.exception("could not leave %s", self.group)

    async def _pump(self, layer, channel: str) -> None:
        while True:
            try:
                event = await layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis away: clients catch up by check-in
                logger.exception("receiving %s failed; retrying in 1 s", self.group)
                await asyncio.sleep(1)
                continue
            await self.deliver(event)

    def remember(self, event: dict) -> None:
        seq = event.get("seq")
        if not isinstance(seq, int):
            return
        self.recent[seq] = event
        if len(self.recent) > RECENT_EVENTS:  # _send goes in seq order: the first is oldest
            del self.recent[next(iter(self.recent))]

    def recent_after(self, last_seq: int, current: int) -> list[dict] | None:
        """Events ``last_seq + 1`` .. ``current`` as this process received them, or None when
        one of them is not here (dropped on the way, not arrived yet, or too old).

        A gap in one process's stream is a gap for every client it serves: under load they
        all asked the database for the same few events at once (a resume storm, 15 % of a
        daphne's CPU in bench-live). From here a resume costs no query."""
        if current <= last_seq or current - last_seq > len(self.recent):
            return None
        found = [self.recent.get(seq) for seq in range(last_seq + 1, current + 1)]
        return None if any(event is None for event in found) else found  # type: ignore[misc]

    async def deliver(self, event: dict) -> None:
        """Send an event to every connection, in seq order.

        Two processes publish their events after their own commits, so under load seq 8
        can reach the layer before seq 7. Every client would see the gap, wait and ask
        for a replay: thousands of requests for one late event (bench-live). Here the
        process holds seq 8 until 7 comes, or reads 7 from the database itself after
        ``REORDER_WAIT_SECONDS``; the clients see one ordered stream."""
        seq = event.get("seq")
        async with self.order:
            if not isinstance(seq, int) or self.sent_seq is None:
                await self._send(event)
                return
            if seq <= self.sent_seq or seq in self.early:
                return  # already sent (read from the database meanwhile)
            if seq > self.sent_seq + 1:
                self.early[seq] = event
                if self.repair is None:
                    loop = asyncio.get_running_loop()
                    self.repair = loop.call_later(
                        REORDER_WAIT_SECONDS, lambda: asyncio.ensure_future(self._fill_gap())
                    )
                return
            await self._send(event)
            await self._send_early()

    async def _send_early(self) -> None:
        while self.sent_seq is not None and self.sent_seq + 1 in self.early:
            await self._send(self.early.pop(self.sent_seq + 1))
        if not self.early and self.repair is not None:
            self.repair.cancel()
            self.repair = None

    async def _fill_gap(self) -> None:
        """The events still missing before the early ones, from the stored log, once for
        the whole process; whatever the log lacks is left to the clients' own replay."""
        self.repair = None
        if not self.early or self.sent_seq is None:
            return
        try:
            missing = await database_sync_to_async(selectors.events_after)(
                self.townhall_id, self.sent_seq, min(self.early) - self.sent_seq - 1
            )
        except Exception:
            logger.exception("reading the events missing in %s failed", self.group)
            missing = []
        async with self.order:
            for stored in missing:
                if self.sent_seq is not None and stored.seq == self.sent_seq + 1:
                    await self._send(envelope_for(stored.as_message()))
            await self._send_early()
            if self.early:  # still a hole: send on, the clients replay what is missing
                for seq in sorted(self.early):
                    await self._send(self.early.pop(seq))

    async def _send(self, event: dict) -> None:
        seq = event.get("seq")
        if isinstance(seq, int):
            self.sent_seq = seq if self.sent_seq is None else max(self.sent_seq, seq)
        self.remember(event)
        for listener, held in list(self.listeners.items()):
            if held is not None:
                held.append(event)
                continue
            try:
                # Under daphne a send only queues bytes for the socket; it never waits.
                await listener.live_event(event)
            except Exception:  # one broken connection must not stop the rest
                logger.exception("delivering to a connection of %s failed", self.group)


# Each event loop has its own (tests run one loop per test; a server has one).
_fanouts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def fanout_for(townhall_id: int) -> TownHallFanout:
    by_townhall = _fanouts.setdefault(asyncio.get_running_loop(), {})
    fanout = by_townhall.get(townhall_id)
    if fanout is None:
        fanout = by_townhall[townhall_id] = TownHallFanout(townhall_id)
    return fanout
