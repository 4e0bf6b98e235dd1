"""What every live action checks before it writes: who acts, whether the session is live,
and the text it was given. A refusal is a ``LiveActionError`` whose message the participant
reads as is."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from text.checks import redact_personal_data

from .. import selectors
from ..models import TownHall


class LiveActionError(Exception):
    """A refused action; ``message`` is shown to the participant as is."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Actor:
    """Who acts: their participant id, the Django user (may be anonymous), facilitator?"""

    participant: str | None
    user: object = None
    facilitator: bool = False


def actor_for(page, participant: str | None, user=None) -> Actor:
    return Actor(participant, user, selectors.can_facilitate(page, user))


def require_facilitator(actor: Actor) -> None:
    if not actor.facilitator:
        raise LiveActionError("forbidden", _("Only a facilitator of this town hall can do that."))


def require_participant(actor: Actor) -> str:
    if not actor.participant:
        raise LiveActionError(
            "no_participant",
            _("Open the town hall page in this browser first, so your votes can be counted."),
        )
    return actor.participant


def require_live(townhall: TownHall) -> None:
    if townhall.state != TownHall.State.LIVE:
        raise LiveActionError(
            "not_live",
            _("The town hall is not live (it is %(state)s).")
            % {"state": townhall.get_state_display().lower()},
        )


def clean_text(value, field: str, limit: int, required: bool = True) -> str:
    text = (value or "").strip() if isinstance(value, str | type(None)) else None
    if text is None:
        raise LiveActionError("invalid", _("%(field)s must be text.") % {"field": field})
    if required and not text:
        raise LiveActionError("invalid", _("%(field)s cannot be empty.") % {"field": field})
    if len(text) > limit:
        raise LiveActionError(
            "too_long",
            _("%(field)s is %(length)d characters long; the limit is %(limit)d.")
            % {"field": field, "length": len(text), "limit": limit},
        )
    return text


def public_text(text: str, limit: int | None = None) -> str:
    """A line everyone in the session will see, with personal data redacted as in a comment
    (no original is kept: the asker knows what they typed, and nobody else needs it), cut to
    ``limit`` should the labels have made it longer than its column."""
    text = redact_personal_data(text)
    return text[:limit] if limit else text
