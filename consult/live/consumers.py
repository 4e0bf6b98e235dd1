"""WebSocket consumers for live sessions: thin adapters over ``consult.live.services``
(one module per aggregate) and the event log in ``consult.live.events``."""

from __future__ import annotations

import json
import time

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async as _db
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from consult import ratelimit

from . import events, presence, selectors
from .fanout import fanout_for
from .identity import participant_from_session, public_handle
from .models import TownHall
from .prepared import PREPARED_SEND, prepared_frame
from .services import polls, questions, session, speakers, votes
from .services.checks import Actor, LiveActionError, actor_for


def database_sync_to_async(function):
    """Each call in its own pool thread (own DB connection): with the default
    thread-sensitive mode every connection's reads and writes queue behind one thread."""
    return _db(function, thread_sensitive=False)


MAX_MESSAGE_BYTES = getattr(settings, "LIVE_MAX_MESSAGE_BYTES", 4096)

# action name -> (service function, argument names, rate limit action or None). The limits
# are consult.ratelimit's, per participant and town hall (so reconnecting does not reset
# them) and, looser, per address.
ACTIONS = {
    "post_question": (questions.post_question, ("text", "clause_key"), "question"),
    "approve": (questions.approve_question, ("question_id",), None),
    "reject": (questions.reject_question, ("question_id", "reason"), None),
    "answered": (questions.mark_answered, ("question_id", "answer"), None),
    "vote": (votes.vote, ("question_id",), "vote"),
    "unvote": (votes.unvote, ("question_id",), "vote"),
    "open_poll": (polls.open_poll, ("question", "options", "multiple"), None),
    "answer_poll": (polls.answer_poll, ("poll_id", "option_ids"), "vote"),
    "close_poll": (polls.close_poll, ("poll_id",), None),
    "raise_hand": (speakers.raise_hand, ("name",), "hand"),
    "lower_hand": (speakers.lower_hand, (), "hand"),
    "call_next": (speakers.call_next_speaker, (), None),
    "announce": (session.announce, ("text",), None),
    "caption": (session.caption, ("text",), None),
    "start": (session.start_session, (), None),
    "end": (session.end_session, (), None),
}


def _contains_nul(content) -> bool:
    """Whether any key or string anywhere in decoded JSON holds U+0000 (iterative: the
    nesting can be as deep as the decoder allows)."""
    pending = [content]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


class PingConsumer(AsyncJsonWebsocketConsumer):
    """Health check for the WebSocket stack: answers every message with a pong."""

    async def connect(self):
        await self.accept()

    async def receive_json(self, content, **kwargs):
        await self.send_json(
            {"type": "pong", "echo": content, "server_time": timezone.now().isoformat()}
        )


class TownHallConsumer(AsyncJsonWebsocketConsumer):
    """One connection to ``ws/townhall/<page_id>/``.

    Protocol (JSON): the server sends ``snapshot`` on connect, then ``event`` messages with
    a ``seq``. A client that sees a gap (or reconnects) sends ``{"type": "resume",
    "last_seq": n}`` and gets a ``replay`` of the stored events after ``n``. Actions are
    ``{"type": "action", "action": "...", "ref": "...", ...arguments}`` and are answered
    with ``ack`` or ``error`` carrying the same ``ref``.
    """

    joined = False
    # No channel of its own: this process's TownHallFanout receives the town hall's events
    # once and hands them to each connection (consult/live/fanout.py).
    channel_layer_alias = None

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            # However the connection ended (even by an error that skipped disconnect()),
            # nothing more is sent to it.
            if getattr(self, "fanout", None) is not None:
                self.fanout.discard(self)

    async def dispatch(self, message):
        """Channels' dispatch, without its ``aclose_old_connections()`` hop per message.

        That hop runs in the one thread-sensitive worker thread, once per message per
        connection: when tallies still reached each connection through its own channel, it
        was a quarter of the process's time at 1,000 connections (bench-live). This consumer
        never touches the database on the event loop; each of its database calls runs
        through ``database_sync_to_async``, which closes stale connections around itself.
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self):
        self.page_id = int(self.scope["url_route"]["kwargs"]["page_id"])
        loaded = await database_sync_to_async(self._load)()
        if not loaded:
            await self.close(code=4404)
            return
        self.address = ratelimit.client_ip_from_scope(self.scope)
        await self.accept()
        # Events published from here on are held until the snapshot has gone out.
        self.fanout = fanout_for(self.townhall_id)
        await self.fanout.add(self)
        self.joined = True
        await database_sync_to_async(self._join)()
        await self.send_snapshot()
        await self.fanout.release(self)

    def _load(self) -> bool:
        # The page model, through the runtime row's relation: the page app sits above this one.
        town_hall_pages = TownHall.page.field.related_model.objects
        page = town_hall_pages.live().filter(pk=self.page_id).first()
        if page is None:
            return False
        townhall_id = selectors.townhall_for_page(page).pk
        if townhall_id is None:  # its runtime row is made when the page is published
            return False
        self.page = page
        user = self.scope.get("user")
        self.participant = participant_from_session(self.scope.get("session"), user)
        self.actor = actor_for(page, self.participant, user)
        self.townhall_id = townhall_id
        self.handle = public_handle(self.townhall_id, self.participant)
        return True

    def _join(self):
        presence.join(self.townhall_id)
        events.schedule_tally(self.townhall_id)

    def _leave(self):
        presence.leave(self.townhall_id)
        events.schedule_tally(self.townhall_id)

    async def disconnect(self, code):
        if self.joined:
            self.joined = False
            await self.fanout.remove(self)
            await database_sync_to_async(self._leave)()

    async def send_snapshot(self):
        board = await database_sync_to_async(selectors.board)(
            self.page, participant=self.participant, facilitator=self.actor.facilitator
        )
        await self.send_json({"type": "snapshot", "facilitator": self.actor.facilitator, **board})

    async def error(self, code: str, message: str, ref=None):
        await self.send_json({"type": "error", "code": code, "message": message, "ref": ref})

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        size = len(text_data.encode()) if text_data is not None else len(bytes_data or b"")
        if size > MAX_MESSAGE_BYTES:
            await self.error(
                "too_large",
                _("Your message is %(size)d bytes; the limit is %(limit)d bytes.")
                % {"size": size, "limit": MAX_MESSAGE_BYTES},
            )
            return
        try:
            content = json.loads(text_data or bytes_data or b"")
        except (ValueError, RecursionError):
            # RecursionError: nesting ("[[[[..." within the size limit) deeper than the
            # decoder's recursion limit.
            await self.error("bad_json", _("Messages must be JSON objects."))
            return
        if not isinstance(content, dict):
            await self.error("bad_json", _("Messages must be JSON objects."))
            return
        if _contains_nul(content):
            # PostgreSQL cannot store text with NUL: refuse it here for every action.
            await self.error(
                "invalid", _("Messages cannot contain NUL characters."), content.get("ref")
            )
            return
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs):
        presence.renew(self.townhall_id)  # clients check in every 15 s: keep our count alive
        kind = content.get("type")
        if kind == "resume":
            await self.resume(content.get("last_seq"))
        elif kind == "snapshot":
            await self.send_snapshot()
        elif kind == "action":
            await self.act(content)
        else:
            await self.error("unknown_type", _("Unknown message type."))

    async def resume(self, last_seq):
        try:
            last_seq = max(0, int(last_seq))
        except (TypeError, ValueError):
            await self.error("invalid", _("resume needs last_seq, a whole number."))
            return
        cached = cache.get(events.seq_cache_key(self.townhall_id))
        current = int(cached) if cached is not None else None
        if current == last_seq:
            await self.send_json({"type": "replay", "events": [], "seq": last_seq})
            return
        fanout = getattr(self, "fanout", None)
        recent = fanout.recent_after(last_seq, current) if fanout and current else None
        if recent is not None:
            await self.send(text_data=self._replay_text(recent, current))
            return
        missed = await database_sync_to_async(selectors.events_after)(self.townhall_id, last_seq)
        if len(missed) >= selectors.REPLAY_LIMIT:
            await self.send_snapshot()  # too far behind: start over from the board
            return
        messages = [self.for_me(e.as_message()) for e in missed]
        seq = messages[-1]["seq"] if messages else last_seq
        await self.send_json({"type": "replay", "events": messages, "seq": seq})

    def _replay_text(self, recent: list[dict], seq: int) -> str:
        """A replay of events this process already has: shared ones as the text every
        connection got, personal ones as this connection's own copy."""
        parts = [
            json.dumps(self.for_me(e["message"]), ensure_ascii=False)
            if "message" in e
            else e["text"]
            for e in recent
        ]
        return '{"type": "replay", "events": [' + ", ".join(parts) + f'], "seq": {seq}}}'

    async def act(self, content):
        ref = content.get("ref")
        name = content.get("action")
        if name not in ACTIONS:
            await self.error("unknown_action", _("Unknown action."), ref)
            return
        function, arg_names, limit = ACTIONS[name]
        kwargs = {arg: content[arg] for arg in arg_names if arg in content}
        try:
            result = await database_sync_to_async(self._limited)(function, limit, content, kwargs)
        except LiveActionError as exc:
            await self.error(exc.code, exc.message, ref)
            return
        await self.send_json(
            {"type": "ack", "ref": ref, "action": name, "result": result, "at": time.time()}
        )

    def _limited(self, function, limit: str | None, content: dict, kwargs: dict):
        """The limits, then the action, in one trip to a worker thread: the limits ask Redis,
        and a blocking call on the event loop would hold up every connection's frames."""
        name = content["action"]
        refusal = limit and not self.actor.facilitator and self.over_limit(limit, name, content)
        if refusal:
            raise LiveActionError("rate_limited", refusal)
        return function(self.page, self.actor, **kwargs)

    def over_limit(self, limit: str, name: str, content: dict) -> str | None:
        """Why this action is refused by a limit, or None. Cache calls only (no database)."""
        try:
            ratelimit.check(
                limit, participant=self.participant, ip=self.address, within=self.townhall_id
            )
        except ratelimit.RateLimited as exc:
            return exc.messages[0]
        if (
            name == "vote"
            and self.participant
            and not ratelimit.allow_anonymous_vote(
                self.townhall_id, content.get("question_id"), self.participant, self.address
            )
        ):
            return _(
                "Many people on your network have already voted on this question; it "
                "cannot take more votes from there."
            )
        return None

    def for_me(self, message: dict) -> dict:
        """What this connection may see: no handles, its own ``mine`` flags, and no text of
        other people's pending questions."""
        return selectors.for_connection(
            message, facilitator=self.actor.facilitator, handle=self.handle
        )

    async def live_event(self, event):
        if "message" in event:  # names someone by handle: this connection's own copy
            await self.send_json(self.for_me(event["message"]))
            return
        # Under config.serve's daphne: the frame made once for every connection.
        prepared_send = self.scope.get("extensions", {}).get(PREPARED_SEND)
        if prepared_send is None or not prepared_send(prepared_frame(event, prepared_send)):
            await self.send(text_data=event["text"])


class TownHallScreenConsumer(TownHallConsumer):
    """``ws/townhall/<page_id>/screen/``: the projector's read-only connection. It sees what
    any participant sees and may only ask for the board or for missed events: no actions,
    whoever is signed in on the screen's browser."""

    def _load(self) -> bool:
        if not super()._load():
            return False
        self.participant = None
        self.actor = Actor(None)
        self.handle = None
        return True

    async def act(self, content):
        await self.error("read_only", _("This screen only shows the session."), content.get("ref"))
