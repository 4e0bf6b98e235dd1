"""The session: its runtime row, start and end (into the record), announcements and
captions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.models import TownHallPage
from consult.live import selectors
from consult.live.models import Poll, Question, TownHall
from consult.live.services import polls, questions, session, speakers
from consult.live.services.checks import Actor, LiveActionError
from consult.models import Source, Submission
from tests.live.helpers import (
    capture_events,
    participant,
    per_vendor,
    start,
)


async def test_announcement_and_captions(layer, hall, facilitator):
    fac = await participant(hall, facilitator)
    alice = await participant(hall)
    assert (await fac.act("caption", text="early"))["code"] == "not_live"
    await start(hall, fac)
    assert (await fac.act("announce", text="We start in 2 minutes"))["type"] == "ack"
    assert (await alice.event("announcement"))["payload"]["text"] == "We start in 2 minutes"
    assert (await fac.act("caption", text="Good morning everyone"))["type"] == "ack"
    assert (await alice.event("caption"))["payload"]["text"] == "Good morning everyone"
    long = await fac.act("caption", text="x" * 501)
    assert long["code"] == "too_long" and "500" in long["message"]
    late = await participant(hall)
    assert late.snapshot["caption"] == "Good morning everyone"
    assert late.snapshot["announcement"] == "We start in 2 minutes"
    for client in (fac, alice, late):
        await client.close()


async def test_ending_records_questions_even_after_the_consultation_closed(
    layer, hall, facilitator
):
    fac = await participant(hall, facilitator)
    alice = await participant(hall)
    await start(hall, fac)
    key = hall.agenda_keys()[0]
    asked = (await alice.act("post_question", text="What about appeals?", clause_key=key))[
        "result"
    ]["question_id"]
    dropped = (await alice.act("post_question", text="Off topic"))["result"]["question_id"]
    pending = (await alice.act("post_question", text="Never reviewed"))["result"]["question_id"]
    await fac.act("approve", question_id=asked)
    await fac.act("reject", question_id=dropped, reason="off_topic")
    await alice.act("vote", question_id=asked)
    await fac.act("answered", question_id=asked, answer="Within 30 days.")
    poll = (await fac.act("open_poll", question="Useful?", options=["yes", "no"]))["result"]

    def close_consultation():
        consultation = hall.consultation
        consultation.phase = consultation.Phase.CLOSED
        consultation.closes_at = timezone.now() - timedelta(minutes=1)
        consultation.closes_at_reason = "Closed early for the test."  # a move needs a reason
        consultation.save()

    await database_sync_to_async(close_consultation)()
    ended = await fac.act("end")
    assert ended["type"] == "ack" and ended["result"]["recorded_questions"] == 1
    state = await alice.until(
        lambda m: m.get("event") == "state" and m["payload"]["state"] == "ended"
    )
    assert state["payload"]["recorded_questions"] == 1

    def check():
        submission = Submission.objects.get(source=Source.TOWN_HALL, town_hall_question__pk=asked)
        assert submission.comment == "What about appeals?"
        assert submission.stance == "question" and submission.stakeholder == "individual"
        assert submission.clause_key == key and submission.clause is not None
        question = submission.town_hall_question
        assert question.pk == asked and question.vote_count == 1
        assert question.answer == "Within 30 days."
        assert not Submission.objects.filter(comment__in=["Off topic", "Never reviewed"]).exists()
        assert Poll.objects.get(pk=poll["poll_id"]).status == "closed"
        assert Question.objects.get(pk=pending).submission is None

    await database_sync_to_async(check)()
    assert (await alice.act("post_question", text="late"))["code"] == "not_live"
    await fac.close()
    await alice.close()


def test_the_submit_door_stays_closed_without_the_bypass(service_hall):
    hall = service_hall
    from django.core.exceptions import ValidationError

    from consult.services import SubmissionInput, submit

    consultation = hall.consultation
    consultation.phase = consultation.Phase.CLOSED
    consultation.save()
    with pytest.raises(ValidationError):
        submit(consultation, SubmissionInput(text="x", stance="question", stakeholder="individual"))


# --- the runtime row: made when the page is published, never by a reader ------------------


def test_publishing_a_town_hall_makes_its_runtime_row(demo):
    now = timezone.now()
    page = TownHallPage(
        title="Another town hall",
        slug="another-town-hall",
        starts_at=now,
        ends_at=now + timedelta(hours=1),
        language="en",
    )
    demo.add_child(instance=page)
    assert not TownHall.objects.filter(page_id=page.pk).exists()  # a draft has none yet
    page.save_revision().publish()
    townhall = TownHall.objects.get(page_id=page.pk)
    TownHall.objects.filter(pk=townhall.pk).update(state=TownHall.State.LIVE, last_seq=7)
    page.save_revision().publish()  # publishing again leaves the running session alone
    assert list(TownHall.objects.filter(page_id=page.pk).values_list("state", "last_seq")) == [
        ("live", 7)
    ]


def test_reading_the_board_writes_nothing(service_hall):
    """A page without its runtime row (a draft's preview) reads as a scheduled, empty
    session; the reader does not make the row."""
    TownHall.objects.filter(page_id=service_hall.pk).delete()
    with CaptureQueriesContext(connection) as queries:
        board = selectors.board(service_hall, participant="a:reader")
    assert board["state"] == "scheduled" and board["seq"] == 0
    assert board["questions"] == [] and board["speakers"] == {"queue": [], "current": None}
    assert [q["sql"] for q in queries if not q["sql"].lstrip().startswith("SELECT")] == []
    assert not TownHall.objects.filter(page_id=service_hall.pk).exists()


# --- what each action sends and costs ----------------------------------------------------------


def test_starting_sends_one_state_event(service_hall, host, django_assert_num_queries):
    with (
        capture_events(expected=1) as sent,
        django_assert_num_queries(per_vendor(sqlite=7, postgresql=7)),
    ):
        session.start_session(service_hall, host)
    assert sent[0]["event"] == "state" and sent[0]["payload"] == {"state": "live"}


def test_ending_sends_one_state_event(service_hall, host, django_assert_num_queries):
    session.start_session(service_hall, host)
    asked = questions.post_question(service_hall, Actor("a:asker"), "Who audits?")
    questions.approve_question(service_hall, host, asked["question_id"])
    polls.open_poll(service_hall, host, "Useful?", ["yes", "no"])
    speakers.raise_hand(service_hall, Actor("a:speaker"), "Sana")
    with (
        capture_events(expected=1) as sent,
        django_assert_num_queries(per_vendor(sqlite=25, postgresql=25)),
    ):
        session.end_session(service_hall, host)
    assert sent[0]["payload"] == {"state": "ended", "recorded_questions": 1}


def test_a_refused_action_sends_nothing(service_hall, host):
    with capture_events(expected=0), pytest.raises(LiveActionError):
        session.end_session(service_hall, host)  # not started
    with capture_events(expected=0), pytest.raises(LiveActionError):
        session.start_session(service_hall, Actor("a:not-a-facilitator"))
