"""The points of the report in the API, and Last-Modified on every answer.

Last-Modified must never be too early: a client that sends ``If-Modified-Since`` alone (no
ETag) gets a 304 and keeps its copy, so every change that alters an answer, including ones
that no row records (the comment period closing by the clock, a live vote), must move it
forward, or the answer must carry no Last-Modified at all.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.http import parse_http_date

from analysis.models import Point
from consult.models import Submission

pytestmark = pytest.mark.django_db
API = "/api/v1"
SLUG = "ai-rules-2026"
C = f"/consultations/{SLUG}"


def get(client, path, **headers):
    return client.get(API + path, headers=headers)


def test_points_of_the_published_report_page_by_page(client, api_data):
    run = api_data.report.run
    published = set(
        Submission.objects.filter(is_public=True, is_removed=False).values_list("pk", flat=True)
    )
    expected = run.points.filter(submission_id__in=published).count()
    assert expected and run.points.exclude(submission_id__in=published).exists()
    seen, url = [], f"{API}{C}/points/?page_size=7"
    while url:
        page = client.get(url).json()
        seen += page["results"]
        url = page["next"]
    assert len(seen) == expected
    assert {p["submission"] for p in seen} <= published
    assert api_data.removed_quote not in {p["submission"] for p in seen}
    first = seen[0]
    assert {"submission", "position", "number", "clause", "matched_by", "theme", "text"} <= set(
        first
    )
    theme = next(p["theme"] for p in seen if p["theme"] is not None)
    by_theme = get(client, f"{C}/points/?theme={theme}&page_size=500").json()["results"]
    assert by_theme and {p["theme"] for p in by_theme} == {theme}
    clause = next(p["clause"] for p in seen if p["clause"])
    by_clause = get(client, f"{C}/points/?clause={clause}&page_size=500").json()["results"]
    assert by_clause and {p["clause"] for p in by_clause} == {clause}
    assert get(client, f"{C}/points/?theme=x").status_code == 400


def test_a_point_redacted_later_loses_its_words_in_the_api(client, api_data):
    point = (
        Point.objects.filter(run=api_data.report.run, submission__is_removed=False)
        .filter(submission__is_public=True)
        .exclude(text="")
        .first()
    )
    Submission.objects.filter(pk=point.submission_id).update(comment="[redacted by a moderator]")
    rows = get(client, f"{C}/points/?page_size=500").json()["results"]
    row = next(
        r
        for r in rows
        if r["submission"] == point.submission_id and r["position"] == point.position
    )
    assert row["text"] == "" and point.text not in str(rows)


def test_no_report_no_points(client, demo):
    response = get(client, f"{C}/points/")
    assert response.status_code == 404 and response.json()["detail"]


PATHS = [
    "/consultations/",
    f"{C}/",
    f"{C}/versions/",
    f"{C}/versions/1/",
    f"{C}/redline/?from_version=1&to_version=2",
    f"{C}/themes/",
    f"{C}/points/",
    f"{C}/report/",
    f"{C}/transparency/",
    f"{C}/record/",
    f"{C}/bulk/",
    "/submissions/",
    "/annotations/",
]


def test_every_answer_has_last_modified_and_honours_if_modified_since(client, api_data):
    for path in PATHS:
        first = get(client, path)
        assert first.status_code == 200, path
        assert first["Last-Modified"], path
        again = get(client, path, if_modified_since=first["Last-Modified"])
        assert again.status_code == 304, path


def test_the_comment_period_closing_moves_last_modified(client, demo):
    """``is_open`` turns false at the closing time with no write to any row."""
    first = get(client, f"{C}/")
    assert first.json()["is_open"] is True
    since = first["Last-Modified"]
    time.sleep(1.1)  # HTTP dates have whole seconds: the close must fall in a later one
    type(demo).objects.filter(pk=demo.pk).update(
        closes_at=timezone.now(),
        last_published_at=timezone.now() - timedelta(days=1),
    )
    for path in ("/consultations/", f"{C}/"):
        later = get(client, path, if_modified_since=since)
        assert later.status_code == 200, path


def test_unpublishing_a_consultation_moves_the_list(client, demo):
    since = get(client, "/consultations/")["Last-Modified"]
    demo.unpublish()
    later = get(client, "/consultations/", if_modified_since=since)
    assert later.status_code == 200 and later.json()["results"] == []


def test_a_live_town_hall_answer_is_never_a_stale_304(client, demo):
    """Votes move counts without a timestamp: while a town hall is live its answer carries
    no Last-Modified (the ETag still works)."""
    from cms.town_hall_pages import TownHallPage
    from consult.live.models import TownHall

    hall = TownHallPage.objects.child_of(demo).first()
    if hall is None:
        pytest.skip("the demo has no town hall")
    runtime, _ = TownHall.objects.get_or_create(page_id=hall.pk)
    TownHall.objects.filter(pk=runtime.pk).update(state="live", started_at=timezone.now())
    response = get(client, f"{C}/town-halls/")
    assert response.status_code == 200 and response["ETag"]
    assert "Last-Modified" not in response
    TownHall.objects.filter(pk=runtime.pk).update(state="ended", ended_at=timezone.now())
    ended = get(client, f"{C}/town-halls/")
    ended_at = TownHall.objects.get(pk=runtime.pk).ended_at
    assert parse_http_date(ended["Last-Modified"]) >= int(ended_at.timestamp())
