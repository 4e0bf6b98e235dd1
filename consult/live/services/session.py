"""The session itself: its runtime row, start and end (which puts its questions into the
consultation's record), and the facilitator's announcement and caption lines."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consult.models import Source, Stakeholder, Stance
from consult.services import SubmissionInput, submit

from .. import selectors
from ..events import append_event, lock_townhall
from ..models import Poll, Question, SpeakerRequest, TownHall
from .checks import (
    Actor,
    LiveActionError,
    clean_text,
    public_text,
    require_facilitator,
    require_live,
)

LINE_MAX_CHARS = 500


def open_town_hall(page) -> TownHall:
    """The page's runtime row, made when the page is published (``cms.signals``).

    Idempotent: publishing again (a new revision, a copy) finds the row and leaves the
    running session alone. Readers never make it: a page without one reads as scheduled.
    """
    townhall, _created = TownHall.objects.get_or_create(page_id=page.pk)
    return townhall


@transaction.atomic
def start_session(page, actor: Actor) -> dict:
    require_facilitator(actor)
    townhall = lock_townhall(page)
    if townhall.state != TownHall.State.SCHEDULED:
        raise LiveActionError("invalid_state", _("This town hall has already started."))
    townhall.state = TownHall.State.LIVE
    townhall.started_at = timezone.now()
    townhall.save(update_fields=["state", "started_at"])
    event = append_event(townhall, "state", {"state": townhall.state})
    return {"seq": event.seq}


@transaction.atomic
def end_session(page, actor: Actor) -> dict:
    """End the session and put its approved questions into the consultation's record."""
    require_facilitator(actor)
    townhall = lock_townhall(page)
    if townhall.state != TownHall.State.LIVE:
        raise LiveActionError("invalid_state", _("Only a live town hall can be ended."))
    townhall.state = TownHall.State.ENDED
    townhall.ended_at = timezone.now()
    townhall.current_speaker = None
    # What was announced stays in the event log (the record); the page no longer shows it.
    townhall.announcement = townhall.caption = ""
    townhall.save(update_fields=["state", "ended_at", "current_speaker", "announcement", "caption"])
    for poll in Poll.objects.filter(townhall=townhall, status=Poll.Status.OPEN):
        poll.status = Poll.Status.CLOSED
        poll.closed_at = townhall.ended_at
        poll.save(update_fields=["status", "closed_at"])
    SpeakerRequest.objects.filter(townhall=townhall, status=SpeakerRequest.Status.WAITING).update(
        status=SpeakerRequest.Status.LOWERED
    )
    recorded = record_questions(page, townhall)
    event = append_event(
        townhall, "state", {"state": townhall.state, "recorded_questions": recorded}
    )
    return {"seq": event.seq, "recorded_questions": recorded}


def record_questions(page, townhall: TownHall) -> int:
    """Approved and answered questions become submissions (source: town hall).

    The consultation may have closed before the session ended; the town-hall door is
    allowed past the open-phase check explicitly (``check_open=False``). Idempotent through
    a server-made token, which no client can send.
    """
    consultation = page.consultation
    version = consultation.current_version()
    clause_ids = dict(version.clauses.values_list("key", "pk")) if version is not None else {}
    count = 0
    for question in Question.objects.filter(
        townhall=townhall, status__in=selectors.PUBLIC_QUESTION_STATUSES
    ).order_by("created_at"):
        submission = submit(
            consultation,
            SubmissionInput(
                text=question.text,
                stance=Stance.QUESTION,
                stakeholder=Stakeholder.INDIVIDUAL,
                language=page.language,
                clause_id=clause_ids.get(question.clause_key),
                source=Source.TOWN_HALL,
                server_token=f"townhall-question-{question.pk}",
            ),
            check_open=False,
        )
        Question.objects.filter(pk=question.pk).update(submission=submission)
        count += 1
    return count


@transaction.atomic
def announce(page, actor: Actor, text) -> dict:
    require_facilitator(actor)
    text = clean_text(text, _("The announcement"), LINE_MAX_CHARS, required=False)
    text = public_text(text, LINE_MAX_CHARS)
    townhall = lock_townhall(page)
    townhall.announcement = text
    townhall.save(update_fields=["announcement"])
    return {"seq": append_event(townhall, "announcement", {"text": text}).seq}


@transaction.atomic
def caption(page, actor: Actor, text) -> dict:
    require_facilitator(actor)
    text = clean_text(text, _("The caption"), LINE_MAX_CHARS, required=False)
    text = public_text(text, LINE_MAX_CHARS)
    townhall = lock_townhall(page)
    require_live(townhall)
    townhall.caption = text
    townhall.save(update_fields=["caption"])
    return {"seq": append_event(townhall, "caption", {"text": text}).seq}
