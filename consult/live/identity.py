"""Who is a participant: a signed id kept in the Django session (one person, one vote).

Signed-in users are ``u:<pk>``. Anonymous visitors get a random id, signed and stored in
their session when they open the town hall page; the WebSocket reads the same session.
"""

from __future__ import annotations

import secrets

from django.core import signing

SESSION_KEY = "live_participant"
SALT = "consult.live.participant"


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
