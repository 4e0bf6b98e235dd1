"""Votes on questions: one per participant and question, counted in the next ``tally``.

This is the busiest write of a town hall (2,000 votes in ten seconds in bench-live), so a
vote takes no town hall lock and makes no event of its own, and it is written in hand-made
SQL: all of it, and the one switch on the database vendor, are in the storage section at
the end of this module.
"""

from __future__ import annotations

from typing import NoReturn

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..events import schedule_tally
from ..models import Question, TownHall
from ..models import Vote as VoteRow
from .checks import Actor, LiveActionError, require_live, require_participant


def vote(page, actor: Actor, question_id) -> dict:
    return _set_vote(page, actor, question_id, on=True)


def unvote(page, actor: Actor, question_id) -> dict:
    return _set_vote(page, actor, question_id, on=False)


def _set_vote(page, actor: Actor, question_id, on: bool) -> dict:
    """One vote per participant (a unique constraint, not a check-then-insert race); only a
    refused vote asks why."""
    participant = require_participant(actor)
    try:
        question_id = int(question_id)
    except (TypeError, ValueError):
        raise LiveActionError("not_found", _("There is no such question.")) from None
    counted = _store_vote(page.pk, question_id, participant, on)
    if counted is None:
        _explain_refused_vote(page, question_id, on)
    count, townhall_id = counted
    transaction.on_commit(lambda: schedule_tally(townhall_id))
    return {"question_id": question_id, "votes": count, "voted": on}


def _explain_refused_vote(page, question_id: int, on: bool) -> NoReturn:
    """Raise the error that says why a vote was not recorded."""
    question = (
        Question.objects.select_related("townhall")
        .filter(pk=question_id, townhall__page_id=page.pk)
        .first()
    )
    if question is None:
        raise LiveActionError("not_found", _("There is no such question."))
    require_live(question.townhall)
    if question.status != Question.Status.APPROVED:
        raise LiveActionError("invalid_state", _("You can vote only on open questions."))
    if on:
        raise LiveActionError("already_voted", _("You have already voted for this question."))
    raise LiveActionError("not_voted", _("You have not voted for this question."))


# --- storage: the vote's SQL ----------------------------------------------------------------


def _store_vote(
    page_id: int, question_id: int, participant: str, on: bool
) -> tuple[int, int] | None:
    """Record (or withdraw) the vote and count it: the question's new count and its town
    hall's id, or None when refused (the question is not open for votes in a live session
    of this page, or the participant had already voted, or had not).

    Two statements in a transaction: an insert that checks the question and the session in
    its own SELECT and skips a duplicate, and an update that returns the new count. On
    PostgreSQL a vote is one statement, in autocommit: no BEGIN and COMMIT round trips.
    """
    if on and connection.vendor == "postgresql":
        return _vote_in_one_statement(page_id, question_id, participant)
    with transaction.atomic():
        if on:
            changed = _insert_vote(page_id, question_id, participant)
        else:
            changed = _delete_vote(page_id, question_id, participant)
        if not changed:
            return None
        return _add_to_vote_count(question_id, 1 if on else -1)


def _tables() -> dict[str, str]:
    """Quoted table names for the hand-written statements."""
    quote = connection.ops.quote_name
    models = {"vote": VoteRow, "question": Question, "townhall": TownHall}
    return {name: quote(model._meta.db_table) for name, model in models.items()}


def _insert_vote_statement(page_id: int, question_id: int, participant: str):
    """INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING question_id (PostgreSQL and
    SQLite >= 3.35): a row only if the question is open for votes and this participant has
    not voted. The SQL and its parameters."""
    names = _tables()
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
    question = _tables()["question"]
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


def _add_to_vote_count(question_id: int, change: int) -> tuple[int, int]:
    """The question's new vote count and its town hall's id."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE {question} SET vote_count = vote_count + %s WHERE id = %s "
            "RETURNING vote_count, townhall_id".format(**_tables()),
            [change, question_id],
        )
        count, townhall_id = cursor.fetchone()
        return count, townhall_id
