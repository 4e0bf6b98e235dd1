"""Who is a participant: a signed id kept in the Django session (one person, one vote).

Signed-in users are ``u:<pk>``. Anonymous visitors get a random id, signed and stored in
their session when they open the town hall page; the WebSocket reads the same session.

The id stays on the server (votes, answers, raised hands, "is this question mine"). What
leaves it, in live payloads and the stored event log, is at most a ``public_handle``: a keyed
hash of the id and the town hall, which names nobody, cannot be turned back into a user's
database id without the server's secret key, and differs from one town hall to the next.
"""

from __future__ import annotations

import secrets

from django.core import signing
from django.utils.crypto import salted_hmac

SESSION_KEY = "live_participant"
SALT = "consult.live.participant"
HANDLE_SALT = "consult.live.public-handle"
HANDLE_CHARS = 16  # 64 bits: no two people of one town hall share one


def _user_id(user) -> str | None:
    if user is not None and getattr(user, "is_authenticated", False):
        return f"u:{user.pk}"
    return None


def participant_from_session(session, user=None) -> str | None:
    """The participant id stored in ``session``, or None if absent or tampered with."""
    user_id = _user_id(user)
    if user_id:
        return user_id
    if session is None:
        return None
    signed = session.get(SESSION_KEY)
    if not signed:
        return None
    try:
        return signing.loads(signed, salt=SALT)
    except signing.BadSignature:
        return None


def ensure_participant(session, user=None) -> str:
    """Create the id on first visit; called while rendering the page."""
    existing = participant_from_session(session, user)
    if existing:
        return existing
    participant = "a:" + secrets.token_urlsafe(12)
    session[SESSION_KEY] = signing.dumps(participant, salt=SALT)
    return participant


def participant_for_request(request) -> str:
    return ensure_participant(request.session, getattr(request, "user", None))


def public_handle(townhall_id: int, participant: str | None) -> str | None:
    """The opaque name of ``participant`` in this town hall (keyed with ``SECRET_KEY``)."""
    if not participant:
        return None
    digest = salted_hmac(HANDLE_SALT, f"{townhall_id}:{participant}", algorithm="sha256")
    return digest.hexdigest()[:HANDLE_CHARS]
