"""Polls: single and multiple choice, one answer per person, counts that stay true."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from consult.live.models import Poll
from consult.live.services import polls, session
from consult.live.services.checks import Actor, LiveActionError
from tests.live.helpers import (
    capture_events,
    participant,
    per_vendor,
    start,
)


async def test_polls_single_and_multiple(layer, hall, facilitator):
    fac = await participant(hall, facilitator)
    alice = await participant(hall)
    bob = await participant(hall)
    await start(hall, fac)
    too_few = await fac.act("open_poll", question="Agree?", options=["yes"])
    assert too_few["code"] == "invalid" and "2 and 10" in too_few["message"]
    poll_id = (await fac.act("open_poll", question="Agree?", options=["yes", "no"]))["result"][
        "poll_id"
    ]
    poll = (await alice.event("poll"))["payload"]["poll"]
    yes, no = (o["id"] for o in poll["options"])
    two = await alice.act("answer_poll", poll_id=poll_id, option_ids=[yes, no])
    assert two["code"] == "invalid"
    assert (await alice.act("answer_poll", poll_id=poll_id, option_ids=[yes]))["type"] == "ack"
    assert (await alice.act("answer_poll", poll_id=poll_id, option_ids=[no]))[
        "code"
    ] == "already_answered"
    assert (await bob.act("answer_poll", poll_id=poll_id, option_ids=[no]))["type"] == "ack"
    tally = await alice.until(
        lambda m: m.get("event") == "tally"
        and m["payload"]["polls"]
        and m["payload"]["polls"][0]["answers"] == 2
    )
    assert [o["votes"] for o in tally["payload"]["polls"][0]["options"]] == [1, 1]

    multi = (await fac.act("open_poll", question="Which?", options=["a", "b", "c"], multiple=True))[
        "result"
    ]["poll_id"]
    options = await database_sync_to_async(
        lambda: list(Poll.objects.get(pk=multi).options.values_list("pk", flat=True))
    )()
    assert (await bob.act("answer_poll", poll_id=multi, option_ids=options[:2]))["type"] == "ack"
    assert (await fac.act("close_poll", poll_id=poll_id))["type"] == "ack"
    closed = await bob.until(
        lambda m: m.get("event") == "poll" and m["payload"]["poll"]["status"] == "closed"
    )
    assert closed["payload"]["poll"]["id"] == poll_id
    late = await fac.act("answer_poll", poll_id=poll_id, option_ids=[yes])
    assert late["code"] == "closed"
    for client in (fac, alice, bob):
        await client.close()


def test_poll_answer_refusals_say_why_and_counts_stay_true(service_hall, host):
    """The answer's fast path refuses what the checks refused, each with its own reason,
    and the stored counts always equal the stored answers."""
    from consult.live.models import PollAnswer

    hall, fac = service_hall, host
    alice, bob = Actor("a:alice"), Actor("a:bob")

    def refused(actor, poll_id, option_ids):
        with pytest.raises(LiveActionError) as error:
            polls.answer_poll(hall, actor, poll_id, option_ids)
        return error.value.code

    session.start_session(hall, fac)
    single = polls.open_poll(hall, fac, "Agree?", ["yes", "no"])["poll_id"]
    multi = polls.open_poll(hall, fac, "Which?", ["a", "b", "c"], multiple=True)["poll_id"]
    yes, no = Poll.objects.get(pk=single).options.values_list("pk", flat=True)
    a, b, c = Poll.objects.get(pk=multi).options.values_list("pk", flat=True)
    assert refused(alice, 999_999, [yes]) == "not_found"
    assert refused(alice, "not a number", [yes]) == "not_found"
    assert refused(alice, single, []) == "invalid"
    assert refused(alice, single, "yes") == "invalid"
    assert refused(alice, single, ["x"]) == "invalid"
    assert refused(alice, single, [yes, no]) == "invalid"  # one choice only
    assert refused(alice, single, [a]) == "invalid"  # an option of another poll
    assert refused(Actor(""), single, [yes]) == "no_participant"
    assert polls.answer_poll(hall, alice, single, [yes]) == {"poll_id": single, "options": [yes]}
    assert refused(alice, single, [no]) == "already_answered"
    assert polls.answer_poll(hall, bob, single, [yes])["options"] == [yes]
    assert polls.answer_poll(hall, alice, multi, [c, a, a])["options"] == [a, c]
    polls.close_poll(hall, fac, single)
    assert refused(Actor("a:carol"), single, [no]) == "closed"
    for poll_id in (single, multi):
        poll = Poll.objects.get(pk=poll_id)
        assert poll.answer_count == PollAnswer.objects.filter(poll=poll).count()
        for option in poll.options.all():
            chosen = [o for ids in poll.answers.values_list("option_ids", flat=True) for o in ids]
            assert option.vote_count == chosen.count(option.pk)
    assert [o.vote_count for o in Poll.objects.get(pk=single).options.all()] == [2, 0]
    assert [o.vote_count for o in Poll.objects.get(pk=multi).options.all()] == [1, 0, 1]


def test_an_answer_sends_one_tally(service_hall, host, django_assert_num_queries):
    session.start_session(service_hall, host)
    poll_id = polls.open_poll(service_hall, host, "Agree?", ["yes", "no"])["poll_id"]
    yes, _no = Poll.objects.get(pk=poll_id).options.values_list("pk", flat=True)
    with (
        capture_events(expected=1) as sent,
        django_assert_num_queries(per_vendor(sqlite=5, postgresql=5)),
    ):
        polls.answer_poll(service_hall, Actor("a:alice"), poll_id, [yes])
    assert sent[0]["event"] == "tally"
    assert [o["votes"] for o in sent[0]["payload"]["polls"][0]["options"]] == [1, 0]
