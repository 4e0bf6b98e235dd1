"""The town hall page: rendered without JavaScript, its stream URL, its Wagtail form."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consult.live.models import TownHall
from consult.live.services import questions, session
from consult.live.services.checks import Actor


def test_page_renders_the_board_without_javascript(service_hall, host, client):
    hall, actor = service_hall, host
    session.start_session(hall, actor)
    asker = Actor("a:someone")
    qid = questions.post_question(hall, asker, "Is the register public?")["question_id"]
    questions.post_question(hall, asker, "Not yet approved")
    questions.approve_question(hall, actor, qid)
    session.announce(hall, actor, "Welcome")
    response = client.get(hall.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert "Is the register public?" in html and "Not yet approved" not in html
    assert "Welcome" in html and "js/live.js" in html
    assert 'for="ask-text"' in html
    assert client.session.get("live_participant")
    session.end_session(hall, actor)
    html = client.get(hall.url).content.decode()
    assert "Session summary" in html and "Is the register public?" in html


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", True),
        ("https://youtu.be/dQw4w9WgXcQ", True),
        ("https://meet.jit.si/ai-rules-town-hall", True),
        ("http://meet.jit.si/plain-http", False),
        ("https://example.com/video", False),
        ("https://www.youtube.com/watch?v=", False),
    ],
)
def test_stream_url_validation(url, ok):
    from django.core.exceptions import ValidationError

    from cms.town_hall_pages import validate_stream_url

    if ok:
        validate_stream_url(url)
    else:
        with pytest.raises(ValidationError):
            validate_stream_url(url)


def test_editors_can_add_a_town_hall_in_wagtail(service_hall, admin_client):
    hall = service_hall
    """The page's panels render in Wagtail's add form under a consultation."""
    parent = hall.get_parent()
    response = admin_client.get(f"/admin/pages/add/cms/townhallpage/{parent.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    for field in ("starts_at", "facilitators", "agenda_clause_keys", "stream_url", "language"):
        assert f'name="{field}"' in html


def test_showing_the_page_writes_no_live_row(service_hall, client):
    """A GET reads: a page without its runtime row shows a scheduled, empty board."""
    TownHall.objects.filter(page_id=service_hall.pk).delete()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(service_hall.url)
    assert response.status_code == 200
    live_writes = [
        q["sql"]
        for q in queries
        if "live_" in q["sql"] and not q["sql"].lstrip().startswith("SELECT")
    ]
    assert live_writes == []
    assert not TownHall.objects.filter(page_id=service_hall.pk).exists()
