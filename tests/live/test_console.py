"""The facilitators' console, the projector's screen and the order of the questions (issue
15, "Town hall"): the participants' page carries no facilitator control, the console is for
the town hall's facilitators only, the screen is public and read only."""

from __future__ import annotations

import re

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model

from consult.live.services import polls, questions, session, votes
from consult.live.services.checks import Actor
from tests.live.helpers import Client, participant, session_for, start

FACILITATOR_CONTROLS = ("fac-start", "fac-end", "fac-next", "announce-form", "poll-form")


def _board(hall, host):
    """A live session: two approved questions (the first with two votes), a pending one, a
    poll, an announcement and a caption."""
    session.start_session(hall, host)
    asker = Actor("a:asker")
    first = questions.post_question(hall, asker, "Who keeps the register?")["question_id"]
    second = questions.post_question(hall, asker, "Why thirty days?")["question_id"]
    questions.post_question(hall, asker, "Pending and private")
    questions.approve_question(hall, host, first)
    questions.approve_question(hall, host, second)
    votes.vote(hall, Actor("a:voter"), first)
    votes.vote(hall, Actor("a:other-voter"), first)
    polls.open_poll(hall, host, "Is thirty days right?", ["Yes", "No"])
    session.announce(hall, host, "Break at noon")
    session.caption(hall, host, "The minister is speaking")
    return first, second


def test_the_participants_page_has_no_facilitator_controls(service_hall, host, client):
    _board(service_hall, host)
    client.force_login(host.user)
    html = client.get(service_hall.url).content.decode()
    for control in FACILITATOR_CONTROLS:
        assert f'id="{control}"' not in html
    assert "Reason code" not in html and "Pending and private" not in html
    assert f'href="{service_hall.url}console/"' in html  # the facilitator's way in
    client.logout()
    assert "console/" not in client.get(service_hall.url).content.decode()


def test_no_prompt_in_the_client():
    from pathlib import Path

    source = (Path(__file__).parents[2] / "frontend/static/js/live.js").read_text()
    assert "prompt(" not in source and "window.confirm" not in source


def test_the_console_is_for_the_town_halls_facilitators_only(service_hall, host, client):
    url = f"{service_hall.url}console/"
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]
    other = get_user_model().objects.create_user("someone", password="pw-123456789")
    client.force_login(other)
    assert client.get(url).status_code == 403
    client.force_login(host.user)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    for control in FACILITATOR_CONTROLS:
        assert f'id="{control}"' in html
    assert "End the session for everyone?" in html  # the confirmation dialog's text
    assert 'id="confirm-dialog"' in html
    assert '"off_topic"' in html and "Contains personal data" in html  # the reasons' select
    assert f'href="{service_hall.url}screen/"' in html
    assert f'href="{service_hall.url}"' in html


def test_the_console_in_urdu_stays_in_urdu(service_hall, host, client):
    url = service_hall.url
    client.force_login(host.user)
    html = client.get(f"/ur{url}console/").content.decode()
    assert '<html lang="ur" dir="rtl">' in html
    assert f'href="/ur{url}screen/"' in html and f'href="/ur{url}"' in html


def test_the_screen_shows_the_hall_in_large_type_without_controls(service_hall, host, client):
    _board(service_hall, host)
    response = client.get(f"{service_hall.url}screen/")
    assert response.status_code == 200
    html = response.content.decode()
    current = re.search(r'<p id="screen-current"[^>]*>(.*?)</p>', html).group(1)
    assert current == "Who keeps the register?"  # the most-voted open question
    assert "Is thirty days right?" in html and "Break at noon" in html
    assert "The minister is speaking" in html
    assert "Pending and private" not in html
    main = html.split('id="main"')[1].split("</main>")[0]
    assert "<button" not in main and "<form" not in main and "<input" not in main
    assert f"/ws/townhall/{service_hall.pk}/screen/" in html
    urdu = client.get(f"/ur{service_hall.url}screen/").content.decode()
    assert '<html lang="ur" dir="rtl">' in urdu and 'id="screen-current" dir="auto"' in urdu


def test_questions_sort_by_votes_or_by_time_kept_in_the_address(service_hall, host, client):
    first, second = _board(service_hall, host)

    def order(query):
        html = client.get(f"{service_hall.url}{query}").content.decode()
        return [int(i) for i in re.findall(r'<li data-question-id="(\d+)"', html)], html

    assert order("")[0] == [first, second]  # most votes first
    assert order("?sort=votes")[0] == [first, second]
    ids, html = order("?sort=time")
    assert ids == [second, first]  # newest first
    assert '<a href="?sort=time" data-sort="time" aria-current="true">' in html
    ids, html = order("?sort=nonsense")
    assert ids == [first, second]
    assert client.get(f"{service_hall.url}?sort=%00").status_code < 500
    assert '<a href="?sort=votes" data-sort="votes" aria-current="true">' in html


@pytest.mark.django_db(transaction=True)
async def test_the_screen_connection_is_read_only(layer, hall, facilitator):
    fac = await participant(hall, facilitator)
    await start(hall, fac)
    asker = await participant(hall)
    await asker.act("post_question", text="Hidden until approved")
    screen = Client(hall, await database_sync_to_async(session_for)(facilitator), route="screen/")
    snapshot = await screen.connect()
    assert snapshot["facilitator"] is False
    assert all(q["text"] == "" for q in snapshot["questions"])  # nothing pending shows
    for action, args in [("start", {}), ("announce", {"text": "x"}), ("vote", {"question_id": 1})]:
        reply = await screen.act(action, **args)
        assert reply["type"] == "error" and reply["code"] == "read_only", reply
    # Events reach the screen as they reach everyone.
    await fac.act("caption", text="Now on clause 2")
    message = await screen.event("caption")
    assert message["payload"]["text"] == "Now on clause 2"
    for client in (screen, asker, fac):
        await client.close()


def test_the_screen_and_console_show_markup_as_text_and_no_personal_data(
    service_hall, host, client
):
    """The attacker's probe on the new views: a question and a poll with markup and a CNIC,
    approved and projected; the pending one stays off the screen."""
    session.start_session(service_hall, host)
    asker = Actor("a:probe")
    text = "<script>alert(1)</script> call 0300-1234567, CNIC 35202-1234567-1"
    asked = questions.post_question(service_hall, asker, text)["question_id"]
    questions.approve_question(service_hall, host, asked)
    questions.post_question(service_hall, asker, "<b>pending</b> 35202-7654321-1")
    polls.open_poll(service_hall, host, "<img src=x onerror=alert(1)>?", ["<i>yes</i>", "no"])
    client.force_login(host.user)
    for url in (f"{service_hall.url}screen/", f"{service_hall.url}console/"):
        for prefix in ("", "/ur"):
            html = client.get(prefix + url).content.decode()
            assert "<script>alert(1)" not in html and "<img src=x" not in html, url
            assert "<i>yes</i>" not in html and "35202-1234567-1" not in html, url
            assert "0300-1234567" not in html, url
    screen = client.get(f"{service_hall.url}screen/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in screen
    assert "pending" not in screen and "35202-7654321-1" not in screen
