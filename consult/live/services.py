"""Every action in a live town hall is one function here.

Each checks permission, validates, writes, appends a ``LiveEvent`` with the next sequence
number (the town hall row is locked to assign it, on SQLite and PostgreSQL alike), and only
after commit sends the event to the channel-layer group. Consumers are thin adapters.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from consult.models import Source, Stakeholder, Stance
from consult.services import SubmissionInput, submit
from text.checks import redact_personal_data

from . import broadcast, selectors
from .identity import public_handle
from .models import LiveEvent, Poll, PollAnswer, PollOption, Question, SpeakerRequest, TownHall
from .models import Vote as VoteRow

QUESTION_MAX_CHARS = getattr(settings, "LIVE_QUESTION_MAX_CHARS", 500)
ANSWER_MAX_CHARS = getattr(settings, "LIVE_ANSWER_MAX_CHARS", 2000)
LINE_MAX_CHARS = 500
POLL_MAX_OPTIONS = 10


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


# --- plumbing ------------------------------------------------------------------------------


def _lock(page) -> TownHall:
    """Lock the town hall row: serialises seq assignment (SQLite locks on BEGIN IMMEDIATE)."""
    selectors.townhall_for_page(page)
    return TownHall.objects.select_for_update().get(page_id=page.pk)


def append_event(townhall: TownHall, type_: str, payload: dict) -> LiveEvent:
    """Store the next event (caller holds the row lock) and broadcast it after commit."""
    townhall.last_seq = F("last_seq") + 1
    townhall.save(update_fields=["last_seq"])
    townhall.refresh_from_db(fields=["last_seq"])
    event = LiveEvent.objects.create(
        townhall=townhall, seq=townhall.last_seq, type=type_, payload=payload
    )
    message = event.as_message()
    townhall_id = townhall.pk
    transaction.on_commit(lambda: broadcast.send_event(townhall_id, message))
    return event


def _require_facilitator(actor: Actor) -> None:
    if not actor.facilitator:
        raise LiveActionError("forbidden", _("Only a facilitator of this town hall can do that."))


def _require_participant(actor: Actor) -> str:
    if not actor.participant:
        raise LiveActionError(
            "no_participant",
            _("Open the town hall page in this browser first, so your votes can be counted."),
        )
    return actor.participant


def _require_live(townhall: TownHall) -> None:
    if townhall.state != TownHall.State.LIVE:
        raise LiveActionError(
            "not_live",
            _("The town hall is not live (it is %(state)s).")
            % {"state": townhall.get_state_display().lower()},
        )


def _text(value, field: str, limit: int, required: bool = True) -> str:
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


def _public(text: str, limit: int | None = None) -> str:
    """A line everyone in the session will see, with personal data redacted as in a comment
    (no original is kept: the asker knows what they typed, and nobody else needs it), cut to
    ``limit`` should the labels have made it longer than its column."""
    text = redact_personal_data(text)
    return text[:limit] if limit else text


def _question(townhall: TownHall, question_id) -> Question:
    try:
        return Question.objects.get(townhall=townhall, pk=int(question_id))
    except (Question.DoesNotExist, TypeError, ValueError):
        raise LiveActionError("not_found", _("There is no such question.")) from None


def _poll(townhall: TownHall, poll_id) -> Poll:
    try:
        return Poll.objects.get(townhall=townhall, pk=int(poll_id))
    except (Poll.DoesNotExist, TypeError, ValueError):
        raise LiveActionError("not_found", _("There is no such poll.")) from None


def _question_event(townhall, type_, question) -> LiveEvent:
    return append_event(townhall, type_, {"question": selectors.question_dict(question)})


# --- session ---------------------------------------------------------------------------------


@transaction.atomic
def start_session(page, actor: Actor) -> dict:
    _require_facilitator(actor)
    townhall = _lock(page)
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
    _require_facilitator(actor)
    townhall = _lock(page)
    if townhall.state != TownHall.State.LIVE:
        raise LiveActionError("invalid_state", _("Only a live town hall can be ended."))
    townhall.state = TownHall.State.ENDED
    townhall.ended_at = timezone.now()
    townhall.current_speaker = None
    townhall.save(update_fields=["state", "ended_at", "current_speaker"])
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


# --- questions -------------------------------------------------------------------------------


@transaction.atomic
def post_question(page, actor: Actor, text, clause_key="") -> dict:
    participant = _require_participant(actor)
    text = _public(_text(text, _("Your question"), QUESTION_MAX_CHARS))
    clause_key = (clause_key or "").strip() if isinstance(clause_key, str) else ""
    if clause_key and clause_key not in page.agenda_keys():
        valid = set(page.consultation.clauses.values_list("key", flat=True))
        if clause_key not in valid:
            raise LiveActionError("invalid", _("That clause is not part of this consultation."))
    townhall = _lock(page)
    _require_live(townhall)
    question = Question.objects.create(
        townhall=townhall, text=text, clause_key=clause_key, author=participant
    )
    event = _question_event(townhall, "question", question)
    return {"seq": event.seq, "question_id": question.pk}


@transaction.atomic
def approve_question(page, actor: Actor, question_id) -> dict:
    _require_facilitator(actor)
    townhall = _lock(page)
    question = _question(townhall, question_id)
    if question.status != Question.Status.PENDING:
        raise LiveActionError("invalid_state", _("Only a waiting question can be approved."))
    question.status = Question.Status.APPROVED
    question.save(update_fields=["status"])
    return {"seq": _question_event(townhall, "question", question).seq}


@transaction.atomic
def reject_question(page, actor: Actor, question_id, reason) -> dict:
    _require_facilitator(actor)
    if reason not in Question.RejectReason.values:
        raise LiveActionError(
            "invalid",
            _("Choose a reason code: %(codes)s.")
            % {"codes": ", ".join(Question.RejectReason.values)},
        )
    townhall = _lock(page)
    question = _question(townhall, question_id)
    if question.status not in (Question.Status.PENDING, Question.Status.APPROVED):
        raise LiveActionError("invalid_state", _("This question can no longer be rejected."))
    question.status = Question.Status.REJECTED
    question.reject_reason = reason
    question.save(update_fields=["status", "reject_reason"])
    return {"seq": _question_event(townhall, "question", question).seq}


@transaction.atomic
def mark_answered(page, actor: Actor, question_id, answer="") -> dict:
    _require_facilitator(actor)
    answer = _public(_text(answer, _("The answer"), ANSWER_MAX_CHARS, required=False))
    townhall = _lock(page)
    question = _question(townhall, question_id)
    if question.status not in (Question.Status.APPROVED, Question.Status.ANSWERED):
        raise LiveActionError("invalid_state", _("Only an approved question can be answered."))
    question.status = Question.Status.ANSWERED
    question.answer = answer
    question.answered_at = timezone.now()
    question.save(update_fields=["status", "answer", "answered_at"])
    return {"seq": _question_event(townhall, "question", question).seq}


def vote(page, actor: Actor, question_id) -> dict:
    return _set_vote(page, actor, question_id, on=True)


def unvote(page, actor: Actor, question_id) -> dict:
    return _set_vote(page, actor, question_id, on=False)


def _set_vote(page, actor: Actor, question_id, on: bool) -> dict:
    """One vote per participant (a unique constraint, not a check-then-insert race).

    Votes do not take the town hall lock and make no event of their own: the count is
    published in the next coalesced ``tally`` event. This is the busiest write of a town
    hall (2,000 votes in ten seconds in bench-live), so a vote is two statements: an insert
    that checks the question and the session in its own SELECT and skips a duplicate, and
    an update that returns the new count. On PostgreSQL the two are one statement, in
    autocommit: no BEGIN and COMMIT round trips. Only a refused vote asks why.
    """
    participant = _require_participant(actor)
    try:
        question_id = int(question_id)
    except (TypeError, ValueError):
        raise LiveActionError("not_found", _("There is no such question.")) from None
    if on and connection.vendor == "postgresql":
        counted = _vote_in_one_statement(page.pk, question_id, participant)
        if counted is None:
            _explain_refused_vote(page, question_id, on)
        count, townhall_id = counted
        transaction.on_commit(lambda: broadcast.schedule_tally(townhall_id))
        return {"question_id": question_id, "votes": count, "voted": on}
    with transaction.atomic():
        if on:
            changed = _insert_vote(page.pk, question_id, participant)
        else:
            changed = _delete_vote(page.pk, question_id, participant)
        if not changed:
            _explain_refused_vote(page, question_id, on)
        count, townhall_id = _add_to_vote_count(question_id, 1 if on else -1)
        transaction.on_commit(lambda: broadcast.schedule_tally(townhall_id))
    return {"question_id": question_id, "votes": count, "voted": on}


def _sql_names() -> dict[str, str]:
    """Quoted table names for the hand-written statements of votes and poll answers."""
    quote = connection.ops.quote_name
    models = {
        "vote": VoteRow,
        "question": Question,
        "townhall": TownHall,
        "answer": PollAnswer,
        "option": PollOption,
        "poll": Poll,
    }
    return {name: quote(model._meta.db_table) for name, model in models.items()}


def _insert_vote_statement(page_id: int, question_id: int, participant: str):
    """INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING question_id (PostgreSQL and
    SQLite >= 3.35): a row only if the question is open for votes and this participant has
    not voted. The SQL and its parameters."""
    names = _sql_names()
    sql = (
        f"INSERT INTO {names['vote']} (question_id, participant, created_at) "
        f"SELECT q.id, %s, %s FROM {names['question']} q "
        f"JOIN {names['townhall']} t ON t.id = q.townhall_id "
        "WHERE q.id = %s AND t.page_id = %s AND q.status = %s AND t.state = %s "
        "ON CONFLICT (question_id, participant) DO NOTHING RETURNING question_id"
    )
    params = [
        participant,
        timezone.now(),
        question_id,
        page_id,
        Question.Status.APPROVED,
        TownHall.State.LIVE,
    ]
    return sql, params


def _vote_in_one_statement(
    page_id: int, question_id: int, participant: str
) -> tuple[int, int] | None:
    """PostgreSQL: record the vote and count it in one statement (a data-modifying WITH);
    the new count and the town hall's id, or None when the vote was refused."""
    insert, params = _insert_vote_statement(page_id, question_id, participant)
    question = _sql_names()["question"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH inserted AS ({insert}) "
            f"UPDATE {question} SET vote_count = vote_count + 1 "
            "WHERE id IN (SELECT question_id FROM inserted) RETURNING vote_count, townhall_id",
            params,
        )
        return cursor.fetchone()


def _insert_vote(page_id: int, question_id: int, participant: str) -> bool:
    """Whether the vote was recorded."""
    with connection.cursor() as cursor:
        cursor.execute(*_insert_vote_statement(page_id, question_id, participant))
        return cursor.fetchone() is not None


def _delete_vote(page_id: int, question_id: int, participant: str) -> bool:
    open_question = Question.objects.filter(
        pk=question_id,
        townhall__page_id=page_id,
        status=Question.Status.APPROVED,
        townhall__state=TownHall.State.LIVE,
    )
    if not open_question.exists():
        return False
    deleted, _rows = VoteRow.objects.filter(
        question_id=question_id, participant=participant
    ).delete()
    return bool(deleted)


def _explain_refused_vote(page, question_id: int, on: bool) -> None:
    """Raise the error that says why a vote was not recorded."""
    question = (
        Question.objects.select_related("townhall")
        .filter(pk=question_id, townhall__page_id=page.pk)
        .first()
    )
    if question is None:
        raise LiveActionError("not_found", _("There is no such question."))
    _require_live(question.townhall)
    if question.status != Question.Status.APPROVED:
        raise LiveActionError("invalid_state", _("You can vote only on open questions."))
    if on:
        raise LiveActionError("already_voted", _("You have already voted for this question."))
    raise LiveActionError("not_voted", _("You have not voted for this question."))


def _add_to_vote_count(question_id: int, change: int) -> tuple[int, int]:
    """The question's new vote count and its town hall's id."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE {question} SET vote_count = vote_count + %s WHERE id = %s "
            "RETURNING vote_count, townhall_id".format(**_sql_names()),
            [change, question_id],
        )
        count, townhall_id = cursor.fetchone()
        return count, townhall_id


@transaction.atomic
def emit_tally(townhall_id: int) -> int:
    townhall = TownHall.objects.select_for_update().get(pk=townhall_id)
    return append_event(townhall, "tally", selectors.tally_payload(townhall)).seq


# --- polls -----------------------------------------------------------------------------------


@transaction.atomic
def open_poll(page, actor: Actor, question, options, multiple=False) -> dict:
    _require_facilitator(actor)
    question = _public(_text(question, _("The poll question"), 300), 300)
    if not isinstance(options, list) or not 2 <= len(options) <= POLL_MAX_OPTIONS:
        raise LiveActionError(
            "invalid",
            _("A poll needs between 2 and %(max)d options.") % {"max": POLL_MAX_OPTIONS},
        )
    labels = [_public(_text(o, _("An option"), 200), 200) for o in options]
    townhall = _lock(page)
    _require_live(townhall)
    poll = Poll.objects.create(
        townhall=townhall,
        question=question,
        kind=Poll.Kind.MULTIPLE if multiple else Poll.Kind.SINGLE,
    )
    PollOption.objects.bulk_create(
        PollOption(poll=poll, position=i, label=label) for i, label in enumerate(labels)
    )
    event = append_event(townhall, "poll", {"poll": selectors.poll_dict(poll)})
    return {"seq": event.seq, "poll_id": poll.pk}


def answer_poll(page, actor: Actor, poll_id, option_ids) -> dict:
    """One answer per participant and poll (a unique constraint).

    Like a vote, an answer is the busy write of a poll (2,000 in ten seconds in bench-live):
    three statements, an insert whose own SELECT checks the poll is open, in this town
    hall, and offers every chosen option, then the two counts. Only a refused answer asks
    why; the count is published in the next coalesced ``tally``.
    """
    participant = _require_participant(actor)
    try:
        poll_id = int(poll_id)
    except (TypeError, ValueError):
        raise LiveActionError("not_found", _("There is no such poll.")) from None
    if not isinstance(option_ids, list) or not option_ids:
        raise LiveActionError("invalid", _("Choose at least one option."))
    try:
        chosen = sorted({int(o) for o in option_ids})
    except (TypeError, ValueError):
        raise LiveActionError("invalid", _("Unknown option.")) from None
    with transaction.atomic():
        if not _insert_poll_answer(page.pk, poll_id, participant, chosen):
            _explain_refused_answer(page, poll_id, chosen, option_ids)
        townhall_id = _add_poll_answer_counts(poll_id, chosen)
        transaction.on_commit(lambda: broadcast.schedule_tally(townhall_id))
    return {"poll_id": poll_id, "options": chosen}


def _insert_poll_answer(page_id: int, poll_id: int, participant: str, chosen: list[int]) -> bool:
    """Whether the answer was recorded: not if the poll is closed, elsewhere, takes one
    option and got several, or lacks one of them, or this participant had answered."""
    names = _sql_names()
    placeholders = ", ".join(["%s"] * len(chosen))
    stored_options = PollAnswer._meta.get_field("option_ids").get_db_prep_save(chosen, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {names['answer']} (poll_id, participant, option_ids, created_at) "
            f"SELECT p.id, %s, %s, %s FROM {names['poll']} p "
            f"JOIN {names['townhall']} t ON t.id = p.townhall_id "
            "WHERE p.id = %s AND t.page_id = %s AND p.status = %s AND (p.kind = %s OR %s = 1) "
            f"AND (SELECT COUNT(*) FROM {names['option']} o "
            f"WHERE o.poll_id = p.id AND o.id IN ({placeholders})) = %s "
            "ON CONFLICT (poll_id, participant) DO NOTHING RETURNING poll_id",
            [
                participant,
                stored_options,
                timezone.now(),
                poll_id,
                page_id,
                Poll.Status.OPEN,
                Poll.Kind.MULTIPLE,
                len(chosen),
                *chosen,
                len(chosen),
            ],
        )
        return cursor.fetchone() is not None


def _explain_refused_answer(page, poll_id: int, chosen: list[int], option_ids: list) -> None:
    """Raise the error that says why an answer was not recorded."""
    poll = Poll.objects.filter(pk=poll_id, townhall__page_id=page.pk).first()
    if poll is None:
        raise LiveActionError("not_found", _("There is no such poll."))
    if poll.status != Poll.Status.OPEN:
        raise LiveActionError("closed", _("This poll is closed."))
    if poll.kind == Poll.Kind.SINGLE and len(option_ids) != 1:
        raise LiveActionError("invalid", _("Choose exactly one option in this poll."))
    if not set(chosen) <= set(poll.options.values_list("pk", flat=True)):
        raise LiveActionError("invalid", _("Unknown option."))
    raise LiveActionError("already_answered", _("You have already answered this poll."))


def _add_poll_answer_counts(poll_id: int, chosen: list[int]) -> int:
    """Count the answer and its options; the poll's town hall id."""
    names = _sql_names()
    placeholders = ", ".join(["%s"] * len(chosen))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {names['option']} SET vote_count = vote_count + 1 "
            f"WHERE id IN ({placeholders})",
            chosen,
        )
        cursor.execute(
            f"UPDATE {names['poll']} SET answer_count = answer_count + 1 WHERE id = %s "
            "RETURNING townhall_id",
            [poll_id],
        )
        return cursor.fetchone()[0]


@transaction.atomic
def close_poll(page, actor: Actor, poll_id) -> dict:
    _require_facilitator(actor)
    townhall = _lock(page)
    poll = _poll(townhall, poll_id)
    if poll.status != Poll.Status.OPEN:
        raise LiveActionError("closed", _("This poll is already closed."))
    poll.status = Poll.Status.CLOSED
    poll.closed_at = timezone.now()
    poll.save(update_fields=["status", "closed_at"])
    event = append_event(townhall, "poll", {"poll": selectors.poll_dict(poll)})
    return {"seq": event.seq}


# --- speaker queue ---------------------------------------------------------------------------


def _speakers_event(townhall) -> LiveEvent:
    return append_event(townhall, "speakers", selectors.speakers_payload(townhall))


@transaction.atomic
def raise_hand(page, actor: Actor, name="") -> dict:
    participant = _require_participant(actor)
    name = _public(_text(name, _("Your name"), 80, required=False), 80)
    townhall = _lock(page)
    _require_live(townhall)
    if SpeakerRequest.objects.filter(
        townhall=townhall, participant=participant, status=SpeakerRequest.Status.WAITING
    ).exists():
        raise LiveActionError("already_raised", _("Your hand is already raised."))
    if not name:  # named after the handle: never after the participant id ("u:<pk>")
        handle = public_handle(townhall.pk, participant)
        name = _("Participant %(id)s") % {"id": handle[:4].upper()}
    SpeakerRequest.objects.create(townhall=townhall, participant=participant, display_name=name)
    return {"seq": _speakers_event(townhall).seq}


@transaction.atomic
def lower_hand(page, actor: Actor) -> dict:
    participant = _require_participant(actor)
    townhall = _lock(page)
    lowered = SpeakerRequest.objects.filter(
        townhall=townhall, participant=participant, status=SpeakerRequest.Status.WAITING
    ).update(status=SpeakerRequest.Status.LOWERED)
    if not lowered:
        raise LiveActionError("not_raised", _("Your hand is not raised."))
    return {"seq": _speakers_event(townhall).seq}


@transaction.atomic
def call_next_speaker(page, actor: Actor) -> dict:
    _require_facilitator(actor)
    townhall = _lock(page)
    _require_live(townhall)
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


# --- announcements and captions --------------------------------------------------------------


@transaction.atomic
def announce(page, actor: Actor, text) -> dict:
    _require_facilitator(actor)
    text = _text(text, _("The announcement"), LINE_MAX_CHARS, required=False)
    text = _public(text, LINE_MAX_CHARS)
    townhall = _lock(page)
    townhall.announcement = text
    townhall.save(update_fields=["announcement"])
    return {"seq": append_event(townhall, "announcement", {"text": text}).seq}


@transaction.atomic
def caption(page, actor: Actor, text) -> dict:
    _require_facilitator(actor)
    text = _text(text, _("The caption"), LINE_MAX_CHARS, required=False)
    text = _public(text, LINE_MAX_CHARS)
    townhall = _lock(page)
    _require_live(townhall)
    townhall.caption = text
    townhall.save(update_fields=["caption"])
    return {"seq": append_event(townhall, "caption", {"text": text}).seq}
