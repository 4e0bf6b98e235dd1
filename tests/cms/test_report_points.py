"""Points in the report: a long letter counted as its points, each with its clause and
theme, on the page and in the open data."""

from __future__ import annotations

import csv
import io
import json

import pytest

from analysis.models import Point, ThemeMember
from analysis.points import build_points
from consult.models import Stakeholder, Stance
from consult.services import SubmissionInput, submit
from tests.cms.test_report import report  # noqa: F401 - the published report of a real analysis
from tests.text.test_points import LETTER


@pytest.fixture
def letter(report):  # noqa: F811
    demo = report.get_parent().specific
    clause = demo.current_version().clauses.get(key="c-18")
    submission = submit(
        demo,
        SubmissionInput(
            text=LETTER,
            stance=Stance.AMEND,
            stakeholder=Stakeholder.CIVIL_SOCIETY,
            organisation="Digital Rights Network",
            language="en",
            clause_id=clause.pk,
        ),
    )
    ThemeMember.objects.create(theme=report.run.themes.first(), submission=submission)
    build_points(report.run)
    return submission


def test_a_run_stores_its_points_and_reading_the_report_writes_nothing(client, report):  # noqa: F811
    """Runs build their points; runs saved before points existed got them from a migration
    (analysis 0010), not from a page read."""
    import importlib

    assert report.run.points.exists()  # built by the run itself
    total = report.run.points.count()
    report.run.points.all().delete()  # as a run saved before points existed
    client.get(report.url)
    assert not report.run.points.exists()  # a GET does not write
    backfill = importlib.import_module("analysis.migrations.0010_points_for_earlier_runs")
    from django.apps import apps

    backfill.build_missing_points(apps, None)
    assert report.run.points.count() == total
    from consult.reading_cache import comments_changed

    comments_changed(report.get_parent().pk)
    html = client.get(report.url).content.decode()
    assert f"{total} points in all" in html


def test_a_point_redacted_after_the_run_is_not_in_the_open_data(client, report, letter):  # noqa: F811
    """A moderator edit-redacts a letter after its points were stored: the open data must
    not go on publishing the words the moderator took out."""
    from django.contrib.auth.models import Group, User

    from consult import roles
    from moderation import services as moderation

    moderator = User.objects.create_user("pointmod", "pointmod@example.org", "pw-123456789")
    moderator.groups.add(Group.objects.get(name=roles.MODERATOR))
    redacted = letter.comment.replace("The Digital Rights Network welcomes", "[removed]")
    assert redacted != letter.comment
    moderation.decide(
        letter, action="redact", reason="personal_data", moderator=moderator,
        redacted_text=redacted,
    )  # fmt: skip
    data = json.loads(client.get(report.url + "open-data/json/").content)
    texts = " ".join(p["text"] for p in data["points"] if p["submission"] == letter.pk)
    assert "Digital Rights Network welcomes" not in texts
    body = b"".join(client.get(report.url + "open-data/points/csv/").streaming_content).decode(
        "utf-8-sig"
    )
    assert "Digital Rights Network welcomes" not in body


def test_a_letter_counted_as_its_points_with_clauses_and_themes(client, report, letter):  # noqa: F811
    points = Point.objects.filter(run=report.run, submission=letter).order_by("position")
    numbered = {p.number: p for p in points if p.number}
    assert {n: p.clause_key for n, p in numbered.items()} == {
        "1": "c-7",
        "2": "c-21",
        "3": "c-14",
        "4": "c-4",
    }
    assert numbered["1"].matched_by == "reference" and numbered["3"].matched_by == "words"
    assert all(p.theme_id for p in points)
    html = client.get(report.url).content.decode()
    assert 'class="point-count"' in html
    data = json.loads(client.get(report.url + "open-data/json/").content)
    mine = [p for p in data["points"] if p["submission"] == letter.pk]
    assert [p["clause"] for p in mine if p["number"]] == ["c-7", "c-21", "c-14", "c-4"]
    assert all(p["theme"] for p in mine)
    body = b"".join(client.get(report.url + "open-data/points/csv/").streaming_content).decode(
        "utf-8-sig"
    )
    rows = [r for r in csv.DictReader(io.StringIO(body)) if r["submission"] == str(letter.pk)]
    assert len(rows) == len(mine) == points.count()
    assert "The Digital Rights Network welcomes" in rows[0]["text"]
