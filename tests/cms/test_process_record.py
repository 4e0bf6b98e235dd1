"""The process record: a public timeline on the consultation and in the report, with the
ministry's meetings with stakeholders and their minutes, also in the open data."""

from __future__ import annotations

import csv
import html as html_lib
import io
import json
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
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
    demo.closes_at_reason = "More time for the provinces."
    demo.save_revision().publish()
    html = client.get(demo.url).content.decode()
    assert 'data-kind="extended"' in html


REASON = "Town halls in Quetta and Gilgit were postponed by floods."
REASON_UR = "کوئٹہ اور گلگت کے ٹاؤن ہال سیلاب کی وجہ سے ملتوی ہوئے۔"


def _extend(page, days=14, reason=REASON, reason_ur=""):
    page = page.get_latest_revision_as_object()
    old = page.closes_at
    page.closes_at = old + timedelta(days=days)
    page.closes_at_reason = reason
    page.closes_at_reason_ur = reason_ur
    page.save_revision().publish()
    return old, page.closes_at


@pytest.mark.django_db
def test_extending_the_closing_date_needs_a_reason(demo):
    from django.core.exceptions import ValidationError

    page = demo.get_latest_revision_as_object()
    page.closes_at = page.closes_at + timedelta(days=14)
    with pytest.raises(ValidationError) as raised:
        page.full_clean()
    assert "closes_at_reason" in raised.value.message_dict
    page.closes_at_reason = REASON
    page.full_clean()
    # A later extension needs its own reason: the last one does not count again.
    _extend(demo)
    page = demo.get_latest_revision_as_object()
    page.closes_at = page.closes_at + timedelta(days=7)
    with pytest.raises(ValidationError):
        page.full_clean()
    # Editing anything else needs no reason.
    page = demo.get_latest_revision_as_object()
    page.summary = "A clearer summary."
    page.closes_at_reason = ""
    page.full_clean()


@pytest.mark.django_db
def test_an_extension_shows_its_reason_in_both_languages_and_is_audited(client, demo):
    from consult.models import AuditLog

    old, new = _extend(demo, reason_ur=REASON_UR)
    expected = f"The closing date was extended from {old:%Y-%m-%d} to {new:%Y-%m-%d}: {REASON}"
    html = client.get(demo.url).content.decode()
    item = next(li for li in html.split("<li ") if 'data-kind="extended"' in li)
    assert expected in html_lib.unescape(item)
    urdu = html_lib.unescape(client.get(f"/ur{demo.url}").content.decode())
    item = next(li for li in urdu.split("<li ") if 'data-kind="extended"' in li)
    assert REASON_UR in item and "کی آخری تاریخ" in item and "extended" not in item.split(">", 1)[1]
    entry = AuditLog.objects.get(action="consultation.closing_date")
    assert entry.reason == "extended" and entry.explanation == f"{REASON}\n{REASON_UR}"
    assert entry.target_id == str(demo.pk)
    assert entry.before_text[:19] == old.isoformat()[:19]
    assert entry.after_text[:19] == new.isoformat()[:19]
    # Publishing again without a change adds nothing to the record or the audit trail.
    page = demo.get_latest_revision_as_object()
    page.summary = "A clearer summary."
    page.save_revision().publish()
    assert AuditLog.objects.filter(action="consultation.closing_date").count() == 1
    html = client.get(demo.url).content.decode()
    assert html.count('data-kind="extended"') == 1


def test_the_extension_and_its_reason_in_the_open_data(client, report):  # noqa: F811
    demo = report.get_parent().specific
    _extend(demo)
    data = json.loads(client.get(report.url + "open-data/json/").content)
    extended = [e for e in data["process_record"] if e["kind"] == "extended"]
    assert len(extended) == 1 and extended[0]["text"].endswith(f": {REASON}")
    body = b"".join(
        client.get(report.url + "open-data/process-record/csv/").streaming_content
    ).decode("utf-8-sig")
    rows = [r for r in csv.DictReader(io.StringIO(body)) if r["kind"] == "extended"]
    assert rows[0]["text"] == extended[0]["text"]


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


@pytest.mark.django_db
def test_saving_from_the_admin_without_moving_the_date_needs_no_reason(demo):
    """The admin's date widget keeps minutes only: a closing time with seconds came back
    "moved" and every publish asked why (found by the editor's journey)."""
    from django.core.exceptions import ValidationError

    type(demo).objects.filter(pk=demo.pk).update(
        closes_at=demo.closes_at.replace(second=37, microsecond=123456)
    )
    page = type(demo).objects.get(pk=demo.pk).get_latest_revision_as_object()
    live = type(demo).objects.get(pk=demo.pk).closes_at
    page.closes_at = live.replace(second=0, microsecond=0)  # as the form sends it back
    page.full_clean()
    page.closes_at = live.replace(second=0, microsecond=0) + timedelta(minutes=1)
    with pytest.raises(ValidationError):
        page.full_clean()


# --- the cached record: built once, rebuilt by what changes it ---------------------------------


@pytest.fixture
def timeline_builds(monkeypatch):
    """How many times the record was built (not taken from the cache)."""
    from cms import process_record

    built = []
    original = process_record.process_timeline

    def counted(consultation):
        built.append(consultation.pk)
        return original(consultation)

    monkeypatch.setattr(process_record, "process_timeline", counted)
    return built


@pytest.mark.django_db
def test_the_record_is_built_once_and_again_after_each_change_that_shows(client, timeline_builds):
    from tests.cms.test_bilingual_drafts import make_page, revise

    page = make_page("cached-record")
    assert 'data-kind="opened"' in client.get(page.url).content.decode()
    client.get(page.url)
    client.get(page.url)
    assert len(timeline_builds) == 1  # three readers, one build

    # A meeting entered, renamed and deleted: each shows on the next read.
    meeting = StakeholderMeeting.objects.create(
        consultation=page, held_at=page.opens_at + timedelta(hours=2), who="Bolo Bhi",
        topic="the fees clause",
    )  # fmt: skip
    assert "Bolo Bhi" in client.get(page.url).content.decode()
    meeting.who = "Media Matters for Democracy"
    meeting.save()
    html = client.get(page.url).content.decode()
    assert "Media Matters for Democracy" in html and "Bolo Bhi" not in html
    meeting.delete()
    assert "Media Matters for Democracy" not in client.get(page.url).content.decode()

    # A new version counts once its comments have moved onto it.
    first = page.current_version().clauses.first()
    revise(page, **{first.identifier: {"text": first.text + " Amended."}})
    assert page.versions.filter(anchoring="pending").count() == 0
    html = client.get(page.url).content.decode()
    assert html.count('data-kind="version"') == 2

    # A town hall published under it.
    from cms.demo.town_hall import make_town_hall

    hall = make_town_hall(page, slug="record-town-hall")
    html = client.get(page.url).content.decode()
    assert 'data-kind="town_hall"' in html
    assert "town-halls" in html and hall.url in html  # also among the ways to take part
    hall.unpublish()
    html = client.get(page.url).content.decode()
    assert 'data-kind="town_hall"' not in html and hall.url not in html

    # Its own language: the Urdu record is not the English one.
    urdu = client.get(f"/ur{page.url}").content.decode()
    assert 'id="process-record"' in urdu and "The consultation opened." not in urdu

    # The closing time passing adds "closed", though nothing it watches was written.
    assert 'data-kind="closed"' not in client.get(page.url).content.decode()
    closes_at = timezone.now() - timedelta(minutes=1)
    type(page).objects.filter(pk=page.pk).update(closes_at=closes_at)
    assert 'data-kind="closed"' in client.get(page.url).content.decode()
