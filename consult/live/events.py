"""The live event log: every change to a town hall is stored, numbered, then sent.

Recording: an action locks the town hall row (``lock_townhall``) and ``append_event`` stores
a ``LiveEvent`` with the next sequence number, in the action's own transaction; only after
commit is it sent to the town hall's channel-layer group (``send_event``): nobody hears about
a change that rolled back.

Sending may lose a message (the Redis layer drops them, silently, past a channel's capacity):
that is fine, the event is already stored with its ``seq`` and the client asks for it again
when it sees a gap or on its periodic sync.

Vote, poll-answer and presence changes are *coalesced* into one ``tally`` event per interval
per town hall: 2,000 votes fanned out to 2,000 clients one by one would be 4 million frames.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import SyncToAsync, async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections, transaction
from django.db.models import F

from . import selectors
from .models import LiveEvent, TownHall

logger = logging.getLogger(__name__)


# --- recording ------------------------------------------------------------------------------


def lock_townhall(page) -> TownHall:
    """Lock the page's town hall row: serialises seq assignment (SQLite locks on BEGIN
    IMMEDIATE). The row exists from the page's publication (``session.open_town_hall``)."""
    return TownHall.objects.select_for_update().get(page_id=page.pk)


def append_event(townhall: TownHall, type_: str, payload: dict) -> LiveEvent:
    """Store the next event (caller holds the row lock) and send it after commit."""
    townhall.last_seq = F("last_seq") + 1
    townhall.save(update_fields=["last_seq"])
    townhall.refresh_from_db(fields=["last_seq"])
    event = LiveEvent.objects.create(
        townhall=townhall, seq=townhall.last_seq, type=type_, payload=payload
    )
    message = event.as_message()
    townhall_id = townhall.pk
    transaction.on_commit(lambda: send_event(townhall_id, message))
    return event


@transaction.atomic
def emit_tally(townhall_id: int) -> int:
    """Store and send a ``tally`` with the current counts; its seq."""
    townhall = TownHall.objects.select_for_update().get(pk=townhall_id)
    return append_event(townhall, "tally", selectors.tally_payload(townhall)).seq


# --- sending ---------------------------------------------------------------------------------


def group_name(townhall_id: int) -> str:
    return f"townhall.{townhall_id}"


def seq_cache_key(townhall_id: int) -> str:
    return f"live:seq:{townhall_id}"


def envelope_for(message: dict) -> dict:
    """The layer message for an event: its seq, and its JSON encoded once here rather than
    once per connection (2,000 json.dumps per event)."""
    envelope = {
        "type": "live.event",
        "seq": message["seq"],
        "text": json.dumps(message, ensure_ascii=False),
    }
    if message.get("event") in selectors.PERSONAL_EVENTS:
        # Each connection makes its own copy of a question or the speaker queue (handles
        # out, its "mine" flags in: consumers.for_me): it needs the object; everything
        # else goes out as the same text, decoded by nobody on the way.
        envelope["message"] = message
    return envelope


def send_event(townhall_id: int, message: dict) -> None:
    """Tell every connection; never raise: the stored event is the source of truth."""
    cache.set(seq_cache_key(townhall_id), message["seq"], 24 * 3600)
    layer = get_channel_layer()
    envelope = envelope_for(message)
    try:
        async_to_sync(layer.group_send)(group_name(townhall_id), envelope)
    except Exception:  # a lost broadcast is recovered by resume
        logger.exception("group_send failed for town hall %s seq %s", townhall_id, message["seq"])


# --- coalesced tallies -----------------------------------------------------------------------


def tally_interval() -> float:
    default = os.environ.get("LIVE_TALLY_INTERVAL", "0.1")
    return float(getattr(settings, "LIVE_TALLY_INTERVAL", default))


def _pending_key(townhall_id: int) -> str:
    return f"live:tally-pending:{townhall_id}"


def schedule_tally(townhall_id: int) -> None:
    """Emit a tally now (interval 0) or once at the end of the current window."""
    interval = tally_interval()
    loop = _server_loop()
    if interval <= 0 or loop is None:
        # A script, management command or task: no server loop to coalesce on, and a timer
        # thread could outlive the process (losing the tally) or write beside its caller.
        _emit(townhall_id)
        return
    # A window this process opened and has not emitted yet reads the counts after this
    # change committed: nothing to do, and no cache call for most votes.
    if _owned_windows.get(townhall_id, 0) > time.monotonic():
        return
    # The cache is shared by all daphne processes (Redis), so one window per town hall.
    if not cache.add(_pending_key(townhall_id), 1, timeout=max(2, int(interval * 10))):
        return
    # Held until the emit starts; should the emit never come (its loop stopped), the
    # process stops trusting it a few seconds after it was due.
    _owned_windows[townhall_id] = time.monotonic() + interval + 5
    loop.call_soon_threadsafe(loop.call_later, interval, _spawn_emit, townhall_id)


# town hall id -> monotonic deadline: this process's tally window is open and still to emit.
_owned_windows: dict[int, float] = {}


def _server_loop():
    """The server's event loop, when we run in it or in one of its sync_to_async threads.

    Emitting from that loop reuses the layer's open Redis connections; a timer thread would
    open a new loop and connection per tally and starve for the GIL under load. asgiref
    records the loop in this thread-local for its own async_to_sync.
    """
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        pass
    if getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) == os.getpid():
        loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
        # A loop left behind by an earlier async caller in this thread (one that has
        # stopped or closed) would never run the emit: emit synchronously instead.
        if loop is not None and loop.is_running():
            return loop
    return None


# Tallies get a thread of their own, so that a tally never waits in the shared pool behind
# the very votes it coalesces.
_tally_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="live-tally")


def _spawn_emit(townhall_id: int) -> None:
    task = asyncio.ensure_future(
        sync_to_async(_emit_in_thread, thread_sensitive=False, executor=_tally_executor)(
            townhall_id
        )
    )
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


_tasks: set = set()


def _emit(townhall_id: int) -> None:
    # Clear the flags before reading counts: a change committed after this line schedules a
    # new window; one committed before it is included in this tally.
    _owned_windows.pop(townhall_id, None)
    cache.delete(_pending_key(townhall_id))
    emit_tally(townhall_id)


def _emit_in_thread(townhall_id: int) -> None:
    try:
        _emit(townhall_id)
    except Exception:
        logger.exception("tally failed for town hall %s", townhall_id)
    finally:
        close_old_connections()
