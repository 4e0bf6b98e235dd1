"""The process record: a public timeline on the consultation and in the report, with the
ministry's meetings with stakeholders and their minutes, also in the open data."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from wagtail.documents.models import Document

from cms.process_record import StakeholderMeeting
from tests.cms.test_report import report  # noqa: F401 - the published report of a real analysis


@pytest.fixture
def meeting(demo):
    minutes = Document.objects.create(
        title="Minutes", file=ContentFile(b"%PDF-1.4 minutes", name="minutes.pdf")
    )
    return StakeholderMeeting.objects.create(
        consultation=demo,
        held_at=demo.opens_at + timedelta(days=3),
        who="Digital Rights Foundation; Pakistan Software Houses Association",
        topic="the complaints clause",
        minutes=minutes,
    )


def test_timeline_on_the_consultation_and_in_the_report(client, report, meeting):  # noqa: F811
    demo = report.get_parent().specific
    page = client.get(demo.url).content.decode()
    assert 'id="process-record"' in page
    for kind in ("opened", "version", "meeting"):
        assert f'data-kind="{kind}"' in page, kind
    assert "Digital Rights Foundation" in page and meeting.minutes.url in page
    assert 'data-kind="report"' in page  # the published report is part of the record
    html = client.get(report.url).content.decode()
    assert 'id="process-record"' in html and "Digital Rights Foundation" in html
    urdu = client.get(f"/ur{demo.url}").content.decode()
    assert 'id="process-record"' in urdu and "How this consultation was run" not in urdu


def test_process_record_in_the_open_data(client, report, meeting):  # noqa: F811
    data = json.loads(client.get(report.url + "open-data/json/").content)
    kinds = [e["kind"] for e in data["process_record"]]
    assert {"opened", "version", "meeting", "report"} <= set(kinds)
    body = b"".join(
        client.get(report.url + "open-data/process-record/csv/").streaming_content
    ).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [r["kind"] for r in rows] == kinds
    meeting_row = next(r for r in rows if r["kind"] == "meeting")
    assert "Digital Rights Foundation" in meeting_row["text"]
    assert meeting_row["url"] == meeting.minutes.url


@pytest.mark.django_db
def test_a_moved_closing_date_is_in_the_record(client, demo):
    demo.closes_at = demo.closes_at + timedelta(days=30)
    demo.save_revision().publish()
    html = client.get(demo.url).content.decode()
    assert 'data-kind="extended"' in html


def test_town_hall_questions_answers_votes_and_polls_in_the_open_data(client, report):  # noqa: F811
    data = json.loads(client.get(report.url + "open-data/json/").content)
    questions = {q["question"]: q for q in data["town_hall_questions"]}
    answered = questions["Will the Authority publish its decisions in Urdu?"]
    assert answered["answer"] == "Yes: every decision will be published in both languages."
    assert questions["Can a farmer complain by phone if an AI system refuses a loan?"]["votes"] == 3
    assert all("demo-p" not in json.dumps(q) for q in data["town_hall_questions"])  # no askers
    options = [p["option"] for p in data["poll_results"]]
    assert options == ["Yes", "No", "Not sure"]
    body = b"".join(
        client.get(report.url + "open-data/town-hall-questions/csv/").streaming_content
    ).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == len(questions) and "author" not in rows[0]
    body = b"".join(client.get(report.url + "open-data/polls/csv/").streaming_content).decode(
        "utf-8-sig"
    )
    assert [r["option"] for r in csv.DictReader(io.StringIO(body))] == options
