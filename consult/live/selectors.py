"""Reads for live town halls: the board (snapshot) and event replay.

Payloads name people only by their ``public_handle`` (see ``identity``), and that handle
travels no further than the server's own event log and channel layer: ``for_connection``
replaces it with a ``mine`` flag for the one connection a payload is sent to.
"""

from __future__ import annotations

from django.conf import settings

from consult.roles import is_facilitator

from .identity import public_handle
from .models import LiveEvent, Poll, PollAnswer, Question, SpeakerRequest, TownHall, Vote

PUBLIC_QUESTION_STATUSES = (Question.Status.APPROVED, Question.Status.ANSWERED)
REPLAY_LIMIT = getattr(settings, "LIVE_REPLAY_LIMIT", 1000)


def town_halls_of(consultation):
    """The runtime rows of a consultation's published town halls (its live child pages, as
    Wagtail's ``child_of`` finds them: one level below it in the page tree)."""
    return TownHall.objects.filter(
        page__live=True,
        page__depth=consultation.depth + 1,
        page__path__startswith=consultation.path,
    )


def townhall_for_page(page) -> TownHall:
    """The page's runtime row; an unsaved, scheduled one for a page that has none yet (a
    draft, a preview): reading never makes it (``services.session.open_town_hall`` does)."""
    return TownHall.objects.filter(page_id=page.pk).first() or TownHall(page_id=page.pk)


def can_facilitate(page, user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return is_facilitator(user) or page.facilitators.filter(pk=user.pk).exists()


# Events whose payload names someone by handle, so each connection gets its own copy.
PERSONAL_EVENTS = frozenset({"question", "speakers"})


def question_dict(question: Question) -> dict:
    """The stored form of a question: its asker by handle only."""
    return {
        "id": question.pk,
        "text": question.text,
        "clause_key": question.clause_key,
        "handle": public_handle(question.townhall_id, question.author),
        "status": question.status,
        "reject_reason": question.reject_reason,
        "answer": question.answer,
        "votes": question.vote_count,
    }


def redact_question(data: dict, *, facilitator: bool, handle: str | None) -> dict:
    """What one connection sees of a question: no handle, a ``mine`` flag; pending and
    rejected questions in full only to facilitators and the asker."""
    mine = handle is not None and data.get("handle") == handle
    public = {k: v for k, v in data.items() if k != "handle"} | {"mine": mine}
    if data.get("status") in PUBLIC_QUESTION_STATUSES or facilitator or mine:
        return public
    return public | {"text": "", "clause_key": ""}


def poll_dict(poll: Poll) -> dict:
    return {
        "id": poll.pk,
        "question": poll.question,
        "kind": poll.kind,
        "status": poll.status,
        "answers": poll.answer_count,
        "options": [
            {"id": o.pk, "label": o.label, "votes": o.vote_count} for o in poll.options.all()
        ],
    }


def speaker_dict(request: SpeakerRequest) -> dict:
    """The stored form of a raised hand: its owner by handle only."""
    return {
        "id": request.pk,
        "name": request.display_name,
        "handle": public_handle(request.townhall_id, request.participant),
    }


def speaker_for(data: dict | None, handle: str | None) -> dict | None:
    """What one connection sees of a raised hand: no handle, a ``mine`` flag."""
    if data is None:
        return None
    mine = handle is not None and data.get("handle") == handle
    return {k: v for k, v in data.items() if k != "handle"} | {"mine": mine}


def speakers_payload(townhall: TownHall) -> dict:
    waiting = SpeakerRequest.objects.filter(townhall=townhall, status=SpeakerRequest.Status.WAITING)
    current = townhall.current_speaker
    return {
        "queue": [speaker_dict(s) for s in waiting],
        "current": speaker_dict(current) if current else None,
    }


def speakers_for(payload: dict, handle: str | None) -> dict:
    return {
        "queue": [speaker_for(s, handle) for s in payload["queue"]],
        "current": speaker_for(payload["current"], handle),
    }


def for_connection(message: dict, *, facilitator: bool, handle: str | None) -> dict:
    """An event message as one connection may see it (see ``PERSONAL_EVENTS``)."""
    payload = message.get("payload") or {}
    if message.get("event") == "question" and "question" in payload:
        question = redact_question(payload["question"], facilitator=facilitator, handle=handle)
        return message | {"payload": payload | {"question": question}}
    if message.get("event") == "speakers":
        return message | {"payload": speakers_for(payload, handle)}
    return message


def tally_payload(townhall: TownHall) -> dict:
    """Absolute counts (idempotent to apply): votes per public question, open poll results."""
    votes = dict(
        Question.objects.filter(townhall=townhall, status__in=PUBLIC_QUESTION_STATUSES)
        .values_list("pk", "vote_count")
        .order_by()
    )
    polls = [
        poll_dict(p)
        for p in Poll.objects.filter(townhall=townhall, status=Poll.Status.OPEN).prefetch_related(
            "options"
        )
    ]
    from .presence import presence_count

    return {
        "votes": {str(k): v for k, v in votes.items()},
        "polls": polls,
        "presence": presence_count(townhall.pk),
    }


def snapshot_question_limit() -> int:
    return int(getattr(settings, "LIVE_SNAPSHOT_QUESTIONS", 500))


def board(page, participant: str | None = None, facilitator: bool = False) -> dict:
    """Everything a client needs to draw the session, as of ``seq``.

    ``seq`` is read first: events after it may already be reflected here, which is harmless
    because every event carries absolute state and applying it twice changes nothing.
    """
    townhall = townhall_for_page(page)
    if townhall.pk is None:
        return _empty_board(townhall)
    handle = public_handle(townhall.pk, participant)
    seq = TownHall.objects.filter(pk=townhall.pk).values_list("last_seq", flat=True).get()
    townhall.refresh_from_db()
    questions = Question.objects.filter(townhall=townhall)
    if not facilitator:
        statuses = list(PUBLIC_QUESTION_STATUSES)
        questions = questions.filter(status__in=statuses) | questions.filter(
            author=participant or "-"
        )
    polls = Poll.objects.filter(townhall=townhall).prefetch_related("options")
    my_votes = (
        list(
            Vote.objects.filter(question__townhall=townhall, participant=participant).values_list(
                "question_id", flat=True
            )
        )
        if participant
        else []
    )
    my_answers = (
        {
            str(a.poll_id): a.option_ids
            for a in PollAnswer.objects.filter(poll__townhall=townhall, participant=participant)
        }
        if participant
        else {}
    )
    from .presence import presence_count

    return {
        "seq": seq,
        "state": townhall.state,
        "announcement": townhall.announcement,
        "caption": townhall.caption,
        # The most-voted first (the model's order), at most LIVE_SNAPSHOT_QUESTIONS: a
        # session with thousands of questions must not send each joiner megabytes.
        "questions": [
            redact_question(question_dict(q), facilitator=facilitator, handle=handle)
            for q in questions.distinct()[: snapshot_question_limit()]
        ],
        "polls": [poll_dict(p) for p in polls],
        "speakers": speakers_for(speakers_payload(townhall), handle),
        "presence": presence_count(townhall.pk),
        "my_votes": my_votes,
        "my_answers": my_answers,
    }


def _empty_board(townhall: TownHall) -> dict:
    """The board of a town hall whose runtime row does not exist yet: scheduled, empty."""
    return {
        "seq": 0,
        "state": townhall.state,
        "announcement": "",
        "caption": "",
        "questions": [],
        "polls": [],
        "speakers": {"queue": [], "current": None},
        "presence": 0,
        "my_votes": [],
        "my_answers": {},
    }


def events_after(townhall_id: int, last_seq: int, limit: int = REPLAY_LIMIT) -> list[LiveEvent]:
    return list(
        LiveEvent.objects.filter(townhall_id=townhall_id, seq__gt=last_seq).order_by("seq")[:limit]
    )


def sorted_questions(questions: list[dict], sort: str = "votes") -> list[dict]:
    """Questions as a list shows them: ``votes`` (most first, then oldest) or ``time``
    (newest first; ids grow in the order questions were asked)."""
    if sort == "time":
        return sorted(questions, key=lambda q: -q["id"])
    return sorted(questions, key=lambda q: (-q["votes"], q["id"]))


def current_question(questions: list[dict]) -> dict | None:
    """The question the hall is on: the most-voted approved one not yet answered."""
    waiting = [q for q in questions if q["status"] == Question.Status.APPROVED]
    return sorted_questions(waiting)[0] if waiting else None


def reject_reasons() -> list[tuple[str, str]]:
    """The reasons a facilitator chooses from when rejecting a question (labels in the
    active language)."""
    return [(value, str(label)) for value, label in Question.RejectReason.choices]
