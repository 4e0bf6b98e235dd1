"""Reads: the bounded snapshot and the presence count."""

from __future__ import annotations

from django.core.cache import cache

from consult.live.models import Question
from consult.live.selectors import board, townhall_for_page


def test_the_snapshot_is_bounded_with_the_most_voted_questions_first(service_hall, settings):
    hall = service_hall
    settings.LIVE_SNAPSHOT_QUESTIONS = 25
    townhall = townhall_for_page(hall)
    Question.objects.bulk_create(
        Question(
            townhall=townhall,
            text=f"Question {n}?",
            author=f"a:asker{n}",
            status=Question.Status.APPROVED,
            vote_count=n,
        )
        for n in range(60)
    )
    questions = board(hall)["questions"]
    assert len(questions) == 25
    assert [q["text"] for q in questions[:2]] == ["Question 59?", "Question 58?"]


def test_presence_forgets_a_process_that_died(settings):
    """Each process renews a lease on its own count; a crashed one drops out of the total
    within a lease instead of being counted for ever."""
    import time

    from consult.live import presence

    settings.LIVE_PRESENCE_LEASE = 1
    townhall_id = 424242
    presence.join(townhall_id)
    presence.join(townhall_id)
    # Another process published five connections and then died: nobody renews its key.
    cache.set(presence._count_key(townhall_id, "dead-process"), 5, 1)
    registry = cache.get(presence._registry_key(townhall_id))
    cache.set(presence._registry_key(townhall_id), registry | {"dead-process": time.time()})
    assert presence.presence_count(townhall_id) == 7
    time.sleep(1.3)
    presence.renew(townhall_id)  # this process is alive: its clients check in
    assert presence.presence_count(townhall_id) == 2
    presence.leave(townhall_id)
    assert presence.presence_count(townhall_id) == 1
