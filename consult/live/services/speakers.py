"""The speaker queue: participants raise and lower hands; a facilitator calls the next."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import selectors
from ..events import append_event, lock_townhall
from ..identity import public_handle
from ..models import LiveEvent, SpeakerRequest, TownHall
from .checks import (
    Actor,
    LiveActionError,
    clean_text,
    public_text,
    require_facilitator,
    require_live,
    require_participant,
)


def _speakers_event(townhall: TownHall) -> LiveEvent:
    return append_event(townhall, "speakers", selectors.speakers_payload(townhall))


@transaction.atomic
def raise_hand(page, actor: Actor, name="") -> dict:
    participant = require_participant(actor)
    name = public_text(clean_text(name, _("Your name"), 80, required=False), 80)
    townhall = lock_townhall(page)
    require_live(townhall)
    if SpeakerRequest.objects.filter(
        townhall=townhall, participant=participant, status=SpeakerRequest.Status.WAITING
    ).exists():
        raise LiveActionError("already_raised", _("Your hand is already raised."))
    if not name:  # named after the handle: never after the participant id ("u:<pk>")
        handle = public_handle(townhall.pk, participant)
        name = _("Participant %(id)s") % {"id": (handle or "")[:4].upper()}
    SpeakerRequest.objects.create(townhall=townhall, participant=participant, display_name=name)
    return {"seq": _speakers_event(townhall).seq}


@transaction.atomic
def lower_hand(page, actor: Actor) -> dict:
    participant = require_participant(actor)
    townhall = lock_townhall(page)
    lowered = SpeakerRequest.objects.filter(
        townhall=townhall, participant=participant, status=SpeakerRequest.Status.WAITING
    ).update(status=SpeakerRequest.Status.LOWERED)
    if not lowered:
        raise LiveActionError("not_raised", _("Your hand is not raised."))
    return {"seq": _speakers_event(townhall).seq}


@transaction.atomic
def call_next_speaker(page, actor: Actor) -> dict:
    require_facilitator(actor)
    townhall = lock_townhall(page)
    require_live(townhall)
    nxt = SpeakerRequest.objects.filter(
        townhall=townhall, status=SpeakerRequest.Status.WAITING
    ).first()
    if nxt is None:
        raise LiveActionError("empty", _("Nobody has raised a hand."))
    nxt.status = SpeakerRequest.Status.CALLED
    nxt.called_at = timezone.now()
    nxt.save(update_fields=["status", "called_at"])
    townhall.current_speaker = nxt
    townhall.save(update_fields=["current_speaker"])
    speaker = selectors.speaker_for(selectors.speaker_dict(nxt), handle=None)
    return {"seq": _speakers_event(townhall).seq, "speaker": speaker}
