"""Personal data typed into any field that others can see is redacted before anyone sees it.

A CNIC, a mobile number and an e-mail address go into every public field of every door
(typed comment, facilitator entry, voice note, town hall) and are looked for on every public
page that shows the field: the clause page, the whole draft, the receipt, the town hall's
snapshot, events and page, the report and its open data. Each check asserts that the raw
values are absent and that the redaction labels are there instead.
"""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth.models import Group

from cms.demo import make_town_hall
from consult import roles
from consult.live import selectors as live_selectors
from consult.live.models import LiveEvent, Question
from consult.live.services import polls, questions, session, speakers
from consult.live.services.checks import Actor, actor_for
from consult.models import Submission
from consult.voice import services as voice_services
from consult.voice.models import VoiceNote, VoiceNoteStatus
from tests.security.reports import build_report, open_data_csv

CNIC = "35202-7654321-3"
PHONE = "0333-1112223"
EMAIL = "ali@example.pk"
RAW = (CNIC, PHONE, EMAIL)
LABELS = ("[CNIC removed]", "[phone removed]", "[e-mail removed]")
PII = f"{CNIC} {PHONE} {EMAIL}"  # 43 characters: fits a 50-character name field


def assert_redacted(text: str, where: str) -> None:
    leaked = [raw for raw in RAW if raw in text]
    assert not leaked, f"{leaked} shown in {where}"
    missing = [label for label in LABELS if label not in text]
    assert not missing, f"{missing} not shown in {where}"


def assert_no_raw(text: str, where: str) -> None:
    leaked = [raw for raw in RAW if raw in text]
    assert not leaked, f"{leaked} shown in {where}"


@pytest.fixture
def facilitator(django_user_model, demo):
    user = django_user_model.objects.create_user("fatima", password="a-long-password-1")
    user.groups.add(Group.objects.get_or_create(name=roles.FACILITATOR)[0])
    return user


def clause_number(page, n: int):
    return list(page.current_version().clauses.order_by("position"))[n]


# --- the doors, each with personal data in every field it has ------------------------------


def typed(client, page, clause, *, organisation: bool) -> Submission:
    token = f"pii-typed-{clause.key}"
    response = client.post(
        f"/consultations/{page.pk}/comment/",
        {
            "clause_id": clause.pk,
            "stance": "amend",
            "text": f"Complaints take far too long to be decided. Reach me: {PII}.",
            "proposed_wording": f"within ten days, or write to {PII}",
            "stakeholder": "civil_society" if organisation else "individual",
            "organisation": f"Rights Forum {PII}" if organisation else "",
            "language": "en",
            "display_mode": "pseudonymous" if organisation else "named",
            "name": "" if organisation else PII,
            "client_token": token,
        },
    )
    assert response.status_code == 302, response.content.decode()[:1000]
    return Submission.objects.filter(consultation=page, clause=clause).latest("pk")


def facilitated(client, page, clause, facilitator, *, organisation: bool) -> Submission:
    token = f"pii-paper-{clause.key}"
    client.force_login(facilitator)
    response = client.post(
        f"/{page.slug}/facilitate/",
        {
            "source": "paper",
            "clause": str(clause.pk),
            "stance": "amend",
            "stakeholder": "business" if organisation else "individual",
            "organisation": f"Traders Association {PII}" if organisation else "",
            "language": "en",
            "text": f"The paper form says the deadline is too long. Contact: {PII}",
            "proposed_wording": f"thirty days; call {PII}",
            "name": PII,
            "display_mode": "named",
            "client_token": token,
        },
    )
    client.logout()
    assert response.status_code == 302, response.content.decode()[:1000]
    return Submission.objects.filter(consultation=page, clause=clause).latest("pk")


def voiced(page, clause, *, organisation: bool) -> Submission:
    note = VoiceNote.objects.create(
        consultation=page,
        clause=clause,
        stance="amend",
        stakeholder="media" if organisation else "individual",
        organisation=f"City Radio {PII}" if organisation else "",
        display_mode="named",
        name=PII,
        consent=True,
        status=VoiceNoteStatus.READY,
        language="en",
        transcript={"text": "the deadline is too long", "segments": []},
    )
    corrected = f"The deadline is too long. I corrected the transcript: {PII}"
    return voice_services.confirm_voice_note(
        note, corrected, session_note_ids=[str(note.public_id)]
    )


DOORS = [
    "typed, organisation",
    "typed, named",
    "facilitator, organisation",
    "facilitator, named",
    "voice, organisation",
    "voice, named",
]


def enter(door: str, n: int, client, page, facilitator) -> Submission:
    clause = clause_number(page, n)
    kind, shown_as = door.split(", ")
    organisation = shown_as == "organisation"
    if kind == "typed":
        return typed(client, page, clause, organisation=organisation)
    if kind == "facilitator":
        return facilitated(client, page, clause, facilitator, organisation=organisation)
    return voiced(page, clause, organisation=organisation)


def comment_html(body: str, submission: Submission) -> str:
    match = re.search(rf'<article [^>]*id="comment-{submission.pk}".*?</article>', body, re.S)
    assert match, f"comment {submission.pk} is not on the page"
    return match.group()


def assert_comment_redacted(body: str, submission: Submission, where: str) -> None:
    """Every field the comment shows (name or organisation, text, proposed wording) carries
    the labels, and nothing on the page carries the raw values."""
    assert_no_raw(body, where)
    html = comment_html(body, submission)
    shown = {
        "name": re.search(r"<strong>(.*?)</strong>", html, re.S).group(1),
        "text": re.search(r'<div class="comment-text"[^>]*>(.*?)</div>', html, re.S).group(1),
    }
    if submission.proposed_wording:  # a voice note has none
        shown["proposed wording"] = re.search(r'<p class="proposed">(.*?)</p>', html, re.S)[1]
    for field, value in shown.items():
        assert_redacted(value, f"the {field} of comment {submission.pk} on {where}")
    if submission.stakeholder != "individual":
        disclosure = re.search(r'<span class="disclosure">(.*?)</span>', html, re.S).group(1)
        assert_redacted(disclosure, f"the organisation of comment {submission.pk} on {where}")


@pytest.mark.parametrize("door", DOORS)
def test_personal_data_is_redacted_on_the_clause_draft_and_receipt_pages(
    client, demo, facilitator, door
):
    submission = enter(door, 3, client, demo, facilitator)
    assert submission.is_public, submission.status
    clause_page = f"{demo.url}?clause={submission.clause_key}"
    assert_comment_redacted(client.get(clause_page).content.decode(), submission, clause_page)
    assert_comment_redacted(client.get(demo.url).content.decode(), submission, demo.url)
    receipt = client.get(f"/receipt/?code={submission.receipt_code}")
    assert receipt.status_code == 200
    assert_no_raw(receipt.content.decode(), "the receipt page")
    # The stored row holds the redacted text in every public field, once, on the way in.
    stored = Submission.objects.get(pk=submission.pk)
    for field in ("comment", "organisation", "user_name", "proposed_wording"):
        assert_no_raw(getattr(stored, field), f"Submission.{field}")
    # Moderators keep the comment as written (the design's one original).
    assert CNIC in stored.original_text


# --- the town hall ---------------------------------------------------------------------------


def run_town_hall(page) -> tuple:
    """A session where a participant and the facilitator put personal data into every
    line that others see."""
    hall = make_town_hall(page)
    host = hall.facilitators.get()
    facilitator = actor_for(hall, f"u:{host.pk}", host)
    asker = Actor("a:asker-one")
    session.start_session(hall, facilitator)
    asked = questions.post_question(
        hall, asker, f"Who will see my complaint? {PII}", clause_key=hall.agenda_keys()[0]
    )["question_id"]
    pending = questions.post_question(hall, asker, f"Still waiting: {PII}")["question_id"]
    questions.approve_question(hall, facilitator, asked)
    questions.mark_answered(hall, facilitator, asked, f"Only the Authority, never {PII}")
    speakers.raise_hand(hall, asker, name=PII)
    session.announce(hall, facilitator, f"Questions by phone: {PII}")
    session.caption(hall, facilitator, f"The speaker gave her number, {PII}")
    polls.open_poll(hall, facilitator, f"Is {PII} yours?", [f"Yes, {PII}", "No"])
    return hall, facilitator, asker, asked, pending


def test_town_hall_lines_are_redacted_in_board_events_and_page(client, demo):
    hall, facilitator, asker, asked, pending = run_town_hall(demo)
    boards = {
        "a stranger's snapshot": live_selectors.board(hall, participant="a:someone-else"),
        "the asker's snapshot": live_selectors.board(hall, participant=asker.participant),
        "the facilitator's snapshot": live_selectors.board(hall, facilitator=True),
    }
    for where, board in boards.items():
        assert_redacted(json.dumps(board, ensure_ascii=False), where)
    own = next(q for q in boards["the asker's snapshot"]["questions"] if q["id"] == pending)
    assert_redacted(own["text"], "the asker's own waiting question")
    for event in LiveEvent.objects.filter(townhall__page=hall):
        assert_no_raw(json.dumps(event.payload, ensure_ascii=False), f"the {event.type} event")
    events = json.dumps(
        [e.payload for e in LiveEvent.objects.filter(townhall__page=hall)], ensure_ascii=False
    )
    assert_redacted(events, "the stored events")
    for question in Question.objects.filter(townhall__page=hall):
        assert_no_raw(question.text + question.answer, f"question {question.pk}")
    assert_redacted(client.get(hall.url).content.decode(), "the town hall page")

    session.end_session(hall, facilitator)
    submission = Question.objects.get(pk=asked).submission
    assert submission is not None and submission.is_public
    assert_redacted(submission.comment, "the town hall question in the record")
    body = client.get(f"{demo.url}?clause={submission.clause_key}").content.decode()
    assert_no_raw(body, "the clause page")
    assert_redacted(comment_html(body, submission), "the town hall question on its clause")


# --- the report and open data ----------------------------------------------------------------


def test_report_and_open_data_show_only_redacted_fields(
    client, demo, facilitator, django_capture_on_commit_callbacks
):
    entered = [enter(door, n, client, demo, facilitator) for n, door in enumerate(DOORS, 3)]
    hall, host, *_ = run_town_hall(demo)
    session.end_session(hall, host)
    town_hall = Submission.objects.filter(source="town_hall", comment__contains=LABELS[0])
    entered += list(town_hall)
    assert len(entered) == len(DOORS) + 1 and all(s.is_public for s in entered)

    report = build_report(demo, django_capture_on_commit_callbacks)
    assert_no_raw(client.get(report.url).content.decode(), "the report page")
    body, rows = open_data_csv(client, report)
    assert_no_raw(body, "the open-data CSV")
    by_id = {int(row["id"]): row for row in rows}
    data = client.get(report.url + "open-data/json/")
    assert data.status_code == 200
    assert_no_raw(data.content.decode(), "the open-data JSON")
    json_rows = {row["id"]: row for row in data.json()["submissions"]}
    for submission in entered:
        for name, row in (("CSV", by_id[submission.pk]), ("JSON", json_rows[submission.pk])):
            assert_redacted(row["text"], f"the {name} text of {submission.pk}")
            if submission.stakeholder != "individual":
                assert_redacted(row["organisation"], f"the {name} organisation of {submission.pk}")


def test_submissions_stored_before_screening_every_field_are_redacted(demo):
    """The data migration redacts the public fields of submissions already in the record."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "consult.migrations.0004_redact_personal_data_in_public_fields"
    )
    old = Submission.objects.filter(is_public=True).first()
    Submission.objects.filter(pk=old.pk).update(
        organisation=f"Forum {PII}", user_name=PII, proposed_wording=f"see {PII}"
    )
    migration.forwards(apps, None)
    old.refresh_from_db()
    for field in ("organisation", "user_name", "proposed_wording"):
        assert_redacted(getattr(old, field), f"the migrated {field}")


def test_a_slur_in_the_organisation_holds_the_submission_like_one_in_the_comment(demo):
    """Every public field is screened like the comment, not only redacted."""
    from consult.services import SubmissionInput, submit

    submission = submit(
        demo,
        SubmissionInput(
            text="Thirty days is too long for a complaint.",
            stance="oppose",
            stakeholder="business",
            organisation="Harami Traders",
            language="en",
            clause_id=clause_number(demo, 2).pk,
        ),
    )
    assert submission.status == "held"
    assert "abuse" in submission.screening.hold_reasons
