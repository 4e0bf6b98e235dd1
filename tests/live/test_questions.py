"""Questions: asked, approved or rejected, answered."""

from __future__ import annotations

import pytest

from consult.live.services import questions, session
from consult.live.services.checks import Actor, LiveActionError
from tests.live.helpers import (
    capture_events,
    participant,
    per_vendor,
    start,
)


async def test_question_lifecycle(layer, hall, facilitator):
    fac = await participant(hall, facilitator)
    alice = await participant(hall)
    bob = await participant(hall)
    await start(hall, fac)

    ack = await alice.act("post_question", text="Who audits the AI systems?", clause_key="")
    assert ack["type"] == "ack"
    qid = ack["result"]["question_id"]
    # Bob sees that a question is waiting, not its text; the facilitator sees it in full.
    seen_by_bob = (await bob.event("question"))["payload"]["question"]
    assert seen_by_bob["status"] == "pending" and seen_by_bob["text"] == ""
    seen_by_fac = (await fac.event("question"))["payload"]["question"]
    assert seen_by_fac["text"] == "Who audits the AI systems?"
    assert "author" not in seen_by_fac

    assert (await fac.act("approve", question_id=qid))["type"] == "ack"
    approved = (await bob.event("question"))["payload"]["question"]
    assert approved == approved | {"status": "approved", "text": "Who audits the AI systems?"}

    assert (await bob.act("vote", question_id=qid))["result"]["votes"] == 1
    tally = await alice.until(
        lambda m: m.get("event") == "tally" and m["payload"]["votes"].get(str(qid)) == 1
    )
    assert tally["payload"]["votes"] == {str(qid): 1}
    again = await bob.act("vote", question_id=qid)
    assert again["type"] == "error" and again["code"] == "already_voted"
    assert (await alice.act("vote", question_id=qid))["result"]["votes"] == 2
    assert (await bob.act("unvote", question_id=qid))["result"]["votes"] == 1
    await alice.until(lambda m: m.get("event") == "tally" and m["payload"]["votes"][str(qid)] == 1)

    answered = await fac.act("answered", question_id=qid, answer="An independent authority.")
    assert answered["type"] == "ack"
    final = (await alice.event("question"))["payload"]["question"]
    assert final["status"] == "answered" and final["answer"] == "An independent authority."
    closed_vote = await bob.act("vote", question_id=qid)
    assert closed_vote["code"] == "invalid_state"
    for client in (fac, alice, bob):
        await client.close()


async def test_reject_needs_a_reason_code(layer, hall, facilitator):
    fac = await participant(hall, facilitator)
    alice = await participant(hall)
    await start(hall, fac)
    qid = (await alice.act("post_question", text="Buy cheap watches"))["result"]["question_id"]
    bad = await fac.act("reject", question_id=qid, reason="because")
    assert bad["type"] == "error" and "off_topic" in bad["message"]
    assert (await fac.act("reject", question_id=qid, reason="spam"))["type"] == "ack"
    rejected = (
        await alice.until(
            lambda m: m.get("event") == "question"
            and m["payload"]["question"]["status"] == "rejected"
        )
    )["payload"]["question"]
    assert rejected["reject_reason"] == "spam" and rejected["mine"] is True
    vote = await alice.act("vote", question_id=qid)
    assert vote["code"] == "invalid_state"
    await fac.close()
    await alice.close()


def test_asking_sends_one_question_event(service_hall, host, django_assert_num_queries):
    session.start_session(service_hall, host)
    with (
        capture_events(expected=1) as sent,
        django_assert_num_queries(per_vendor(sqlite=7, postgresql=7)),
    ):
        asked = questions.post_question(service_hall, Actor("a:asker"), "Who audits the AI?")
    assert sent[0]["event"] == "question" and sent[0]["seq"] == asked["seq"]
    assert sent[0]["payload"]["question"]["text"] == "Who audits the AI?"
    with capture_events(expected=0), pytest.raises(LiveActionError):
        questions.post_question(service_hall, Actor("a:asker"), "")
