"""Votes: one per person and question, refusals that say why, counts that stay true."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from consult.live.models import Question
from consult.live.services import questions, session, votes
from consult.live.services.checks import Actor, LiveActionError
from tests.live.helpers import (
    Client,
    capture_events,
    participant,
    per_vendor,
    run_in_threads,
    session_for,
    start,
)


async def test_one_person_one_vote_across_connections(layer, hall, facilitator):
    fac = await participant(hall, facilitator)
    await start(hall, fac)
    key = await database_sync_to_async(session_for)()
    tab1, tab2 = Client(hall, key), Client(hall, key)
    await tab1.connect()
    await tab2.connect()
    qid = (await tab1.act("post_question", text="Same person?"))["result"]["question_id"]
    # The other tab is the same participant: it sees the waiting question as its own.
    seen = (await tab2.event("question"))["payload"]["question"]
    assert seen["mine"] is True and seen["text"] == "Same person?"
    await fac.act("approve", question_id=qid)
    assert (await tab1.act("vote", question_id=qid))["type"] == "ack"
    assert (await tab2.act("vote", question_id=qid))["code"] == "already_voted"
    for client in (fac, tab1, tab2):
        await client.close()


def test_vote_refusals_say_why_and_counts_stay_true(service_hall, host):
    """The vote's fast path (one INSERT ... SELECT) refuses what the checks refused, each
    with its own reason, and the stored count always equals the stored votes."""
    from consult.live.models import Vote

    hall, fac = service_hall, host
    alice = Actor("a:alice")

    def refused(function, question_id):
        with pytest.raises(LiveActionError) as error:
            function(hall, alice, question_id)
        return error.value.code

    session.start_session(hall, fac)
    qid = questions.post_question(hall, alice, "Why thirty days?")["question_id"]
    assert refused(votes.vote, qid) == "invalid_state"  # still waiting for approval
    questions.approve_question(hall, fac, qid)
    assert refused(votes.vote, 999_999) == "not_found"
    assert refused(votes.vote, "not a number") == "not_found"
    assert refused(votes.unvote, qid) == "not_voted"
    assert votes.vote(hall, alice, qid)["votes"] == 1
    assert refused(votes.vote, qid) == "already_voted"
    assert votes.unvote(hall, alice, qid)["votes"] == 0
    assert votes.vote(hall, alice, qid)["votes"] == 1
    session.end_session(hall, fac)
    assert refused(votes.unvote, qid) == "not_live"
    question = Question.objects.get(pk=qid)
    assert question.vote_count == Vote.objects.filter(question=question).count() == 1


def test_concurrent_votes_are_all_counted(hall, facilitator):
    """Eight threads vote on one question at once (each vote a single statement on
    PostgreSQL): the stored count equals the stored votes, and a second vote by the same
    person is refused however the two race."""
    from django.db import connection

    from consult.live.models import Vote

    fac = Actor(f"u:{facilitator.pk}", facilitator, True)
    session.start_session(hall, fac)
    qid = questions.post_question(hall, Actor("a:asker"), "Why?")["question_id"]
    questions.approve_question(hall, fac, qid)
    results, errors = [], []

    def worker(n):
        try:
            for name in (f"a:crowd{n}", f"a:crowd{n}", "a:everyone"):
                try:
                    results.append(votes.vote(hall, Actor(name), qid)["votes"])
                except LiveActionError as refused:
                    errors.append(refused.code)
        finally:
            connection.close()

    run_in_threads(worker, 8)
    assert sorted(errors) == ["already_voted"] * 15  # each crowd member's second, 7 of 8 "everyone"
    assert sorted(results) == list(range(1, 10))  # every accepted vote saw its own new count
    question = Question.objects.get(pk=qid)
    assert question.vote_count == Vote.objects.filter(question=question).count() == 9


def test_a_vote_sends_one_tally_and_no_event_of_its_own(
    service_hall, host, django_assert_num_queries
):
    session.start_session(service_hall, host)
    qid = questions.post_question(service_hall, Actor("a:asker"), "Why?")["question_id"]
    questions.approve_question(service_hall, host, qid)
    voter = Actor("a:voter")
    with (
        capture_events(expected=1) as sent,
        django_assert_num_queries(per_vendor(sqlite=4, postgresql=1)),
    ):
        votes.vote(service_hall, voter, qid)
    assert sent[0]["event"] == "tally" and sent[0]["payload"]["votes"] == {str(qid): 1}
    with capture_events(expected=0), pytest.raises(LiveActionError):
        votes.vote(service_hall, voter, qid)  # a second vote is refused and sends nothing
