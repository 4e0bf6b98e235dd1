"""Town-hall events framed once per process (config/websocket_broadcast.py has the server side).

daphne under config.serve offers, in each WebSocket scope's ``extensions``, a callable that
writes one prepared frame to that connection. Nothing here imports Django, so the server
side can use the name before Django is set up.
"""

from __future__ import annotations

PREPARED_SEND = "consult.prepared_send"


def prepared_frame(event: dict, send) -> object:
    """The event's frame, prepared by the first connection that sends it and kept on the
    event (the dict consult/live/fanout.py hands every connection of this process), so one
    tally is framed once however many connections get it."""
    frame = event.get("_prepared")
    if frame is None:
        frame = event["_prepared"] = send.prepare(event["text"])
    return frame
