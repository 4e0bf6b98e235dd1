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


def test_an_ended_town_hall_keeps_no_old_announcement_or_live_promise(service_hall, host, client):
    """Issue 15: after the end, "Break at noon" and "Connected: updates appear live" stayed."""
    session.start_session(service_hall, host)
    session.announce(service_hall, host, "Break at noon")
    session.caption(service_hall, host, "The minister is speaking")
    session.end_session(service_hall, host)
    runtime = TownHall.objects.get(page_id=service_hall.pk)
    assert runtime.announcement == "" and runtime.caption == ""
    english = client.get(service_hall.url).content.decode()
    assert "This town hall has ended" in english and "reload to refresh" not in english
    for url in (service_hall.url, f"{service_hall.url}screen/", f"/ur{service_hall.url}"):
        html = client.get(url).content.decode()
        assert "Break at noon" not in html and "The minister is speaking" not in html, url
        assert 'data-state="ended"' in html
    # The record keeps what was announced.
    from consult.live.models import LiveEvent

    kinds = list(LiveEvent.objects.filter(townhall=runtime).values_list("type", flat=True))
    assert "announcement" in kinds


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


def test_the_town_hall_title_in_urdu_and_english_marked_with_its_direction(service_hall, client):
    """Issue 15: the Urdu page showed the English title, its full stop on the wrong side."""
    url = service_hall.url  # the English address (``.url`` follows the active language)
    hall = service_hall.get_latest_revision_as_object()
    hall.title = "Town hall on the complaints clause."
    hall.save_revision().publish()
    urdu = client.get(f"/ur{url}").content.decode()
    assert '<h1 lang="en" dir="ltr">Town hall on the complaints clause.</h1>' in urdu
    hall = service_hall.get_latest_revision_as_object()
    hall.title_ur = "شکایات کی شق پر ٹاؤن ہال۔"
    hall.save_revision().publish()
    for path in ("", "screen/"):
        urdu = client.get(f"/ur{url}{path}").content.decode()
        assert 'lang="ur" dir="rtl">شکایات کی شق پر ٹاؤن ہال۔<' in urdu, path
        assert "Town hall on the complaints clause." not in urdu.split("</head>")[1], path
    consultation = service_hall.get_parent().specific
    ways = client.get(f"/ur/{consultation.slug}/").content.decode()
    assert "شکایات کی شق پر ٹاؤن ہال۔" in ways
    english = client.get(url).content.decode()
    assert "Town hall on the complaints clause." in english and "شکایات" not in english
    api = client.get(f"/api/v1/consultations/{consultation.slug}/town-halls/").json()
    assert {h["title_ur"] for h in api} >= {"شکایات کی شق پر ٹاؤن ہال۔"}
