"""Polls: opened and closed by a facilitator, answered once by each participant.

An answer is the busy write of a poll (2,000 in ten seconds in bench-live): like a vote it
takes no town hall lock, makes no event of its own (the counts go out in the next ``tally``)
and is written in hand-made SQL, all of it in the storage section at the end of this module.
"""

from __future__ import annotations

from typing import NoReturn

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import selectors
from ..events import append_event, lock_townhall, schedule_tally
from ..models import Poll, PollAnswer, PollOption, TownHall
from .checks import (
    Actor,
    LiveActionError,
    clean_text,
    public_text,
    require_facilitator,
    require_live,
    require_participant,
)

POLL_MAX_OPTIONS = 10


def _poll(townhall: TownHall, poll_id) -> Poll:
    try:
        return Poll.objects.get(townhall=townhall, pk=int(poll_id))
    except (Poll.DoesNotExist, TypeError, ValueError):
        raise LiveActionError("not_found", _("There is no such poll.")) from None


@transaction.atomic
def open_poll(page, actor: Actor, question, options, multiple=False) -> dict:
    require_facilitator(actor)
    question = public_text(clean_text(question, _("The poll question"), 300), 300)
    if not isinstance(options, list) or not 2 <= len(options) <= POLL_MAX_OPTIONS:
        raise LiveActionError(
            "invalid",
            _("A poll needs between 2 and %(max)d options.") % {"max": POLL_MAX_OPTIONS},
        )
    labels = [public_text(clean_text(o, _("An option"), 200), 200) for o in options]
    townhall = lock_townhall(page)
    require_live(townhall)
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
    """One answer per participant and poll (a unique constraint); only a refused answer
    asks why."""
    participant = require_participant(actor)
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
    townhall_id = _store_answer(page.pk, poll_id, participant, chosen)
    if townhall_id is None:
        _explain_refused_answer(page, poll_id, chosen, option_ids)
    transaction.on_commit(lambda: schedule_tally(townhall_id))
    return {"poll_id": poll_id, "options": chosen}


def _explain_refused_answer(page, poll_id: int, chosen: list[int], option_ids: list) -> NoReturn:
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


@transaction.atomic
def close_poll(page, actor: Actor, poll_id) -> dict:
    require_facilitator(actor)
    townhall = lock_townhall(page)
    poll = _poll(townhall, poll_id)
    if poll.status != Poll.Status.OPEN:
        raise LiveActionError("closed", _("This poll is already closed."))
    poll.status = Poll.Status.CLOSED
    poll.closed_at = timezone.now()
    poll.save(update_fields=["status", "closed_at"])
    event = append_event(townhall, "poll", {"poll": selectors.poll_dict(poll)})
    return {"seq": event.seq}


# --- storage: the answer's SQL --------------------------------------------------------------


def _store_answer(page_id: int, poll_id: int, participant: str, chosen: list[int]) -> int | None:
    """Record the answer and count it: the poll's town hall id, or None when refused.

    Three statements in a transaction, the same on PostgreSQL and SQLite: an insert whose
    own SELECT checks the poll is open, in this town hall, and offers every chosen option,
    then the two counts.
    """
    with transaction.atomic():
        if not _insert_poll_answer(page_id, poll_id, participant, chosen):
            return None
        return _add_poll_answer_counts(poll_id, chosen)


def _tables() -> dict[str, str]:
    """Quoted table names for the hand-written statements."""
    quote = connection.ops.quote_name
    models = {"answer": PollAnswer, "option": PollOption, "poll": Poll, "townhall": TownHall}
    return {name: quote(model._meta.db_table) for name, model in models.items()}


def _insert_poll_answer(page_id: int, poll_id: int, participant: str, chosen: list[int]) -> bool:
    """Whether the answer was recorded: not if the poll is closed, elsewhere, takes one
    option and got several, or lacks one of them, or this participant had answered."""
    names = _tables()
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


def _add_poll_answer_counts(poll_id: int, chosen: list[int]) -> int:
    """Count the answer and its options; the poll's town hall id."""
    names = _tables()
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
