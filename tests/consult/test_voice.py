"""Voice notes: validation of real audio files, storage, roles, retention, recovery, and the
full upload → transcribe → review → confirm path with the real Whisper model."""

from __future__ import annotations

import io
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from consult import roles
from consult.models import Source, Submission
from consult.voice import services
from consult.voice.models import VoiceNote
from consult.voice.models import VoiceNoteStatus as Status
from tests.servers import copy_migrated_sqlite
from tests.voice_helpers import ffmpeg, jfk_path

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def private_audio_root(settings, tmp_path):
    settings.VOICE_AUDIO_ROOT = tmp_path / "voice-audio"
    return settings.VOICE_AUDIO_ROOT


@pytest.fixture
def jfk() -> Path:
    return jfk_path()


@pytest.fixture
def short_ogg(tmp_path) -> Path:
    """Two seconds of a tone, Ogg/Opus: a small valid recording."""
    target = tmp_path / "tone.ogg"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-c:a", "libopus", str(target))
    return target


def upload(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes())


def form_data(audio, **overrides):
    data = {
        "audio": audio,
        "stance": "support",
        "stakeholder": "individual",
        "display_mode": "pseudonymous",
        "language_hint": "",
        "consent": "on",
    }
    data.update(overrides)
    return data


def record_url(demo):
    return reverse("consult:voice:record", kwargs={"slug": demo.slug})


def user_with_role(django_user_model, username, role=None):
    user = django_user_model.objects.create_user(username, password="pw-for-tests-only")
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


# --- Validation: each bad file gets its own clear message -----------------------------------


def test_empty_file_is_refused(client, demo, tmp_path):
    response = client.post(record_url(demo), form_data(SimpleUploadedFile("empty.ogg", b"")))
    assert response.status_code == 400
    assert VoiceNote.objects.count() == 0
    # Django's own FileField rejects an empty upload before our probe; either message is clear.
    assert "empty" in response.content.decode()


def test_empty_file_message_from_service(demo):
    with pytest.raises(ValidationError) as error:
        services.probe_audio(SimpleUploadedFile("empty.ogg", b""))
    assert "0 bytes" in str(error.value)


def noise(size: int, seed: int = 0) -> bytes:
    """The same bytes every run: about one random 5 kB file in 300 happens to look like a
    format PyAV knows, and a test with fresh random bytes then fails once in a while."""
    return random.Random(seed).randbytes(size)


def test_corrupt_file_is_refused(client, demo, jfk):
    intact = jfk.read_bytes()
    response = client.post(record_url(demo), form_data(upload(jfk, "intact.flac")))
    assert response.status_code == 302  # the intact file is fine
    broken_header = noise(64) + intact[64:]
    cut_off = intact[: len(intact) // 2]  # an upload that stopped half-way
    for damaged, readable_until in ((broken_header, "0:00"), (cut_off, "0:05")):
        response = client.post(
            record_url(demo), form_data(SimpleUploadedFile("broken.flac", damaged))
        )
        assert response.status_code == 400
        assert (
            f"The recording is damaged: it stops being readable after {readable_until}"
            in response.content.decode()
        )
    response = client.post(
        record_url(demo), form_data(SimpleUploadedFile("noise.ogg", noise(5000)))
    )
    assert response.status_code == 400
    assert "not a recording we can read" in response.content.decode()
    assert VoiceNote.objects.count() == 1


def test_video_is_refused(client, demo, tmp_path):
    video = tmp_path / "clip.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc=duration=2:size=64x64:rate=10",
        "-f", "lavfi", "-i", "sine=duration=2",
        "-c:v", "mpeg4", "-c:a", "aac", "-shortest", str(video),
    )  # fmt: skip
    response = client.post(record_url(demo), form_data(upload(video)))
    assert response.status_code == 400
    assert "This is a video file" in response.content.decode()
    assert VoiceNote.objects.count() == 0


def test_over_long_recording_is_refused(client, demo, tmp_path, settings):
    """The limit lowered to two minutes: the same check as at ten, on 2.5 minutes of audio."""
    settings.VOICE_MAX_SECONDS = 120
    long_file = tmp_path / "long.ogg"
    minutes = settings.VOICE_MAX_SECONDS / 60
    ffmpeg(
        "-f", "lavfi", "-i", f"anullsrc=r=8000:cl=mono:d={settings.VOICE_MAX_SECONDS + 30}",
        "-c:a", "libopus", "-b:a", "6k", str(long_file),
    )  # fmt: skip
    response = client.post(record_url(demo), form_data(upload(long_file)))
    assert response.status_code == 400
    body = response.content.decode()
    assert "longer than the limit" in body and f"{int(minutes)}:00" in body
    assert VoiceNote.objects.count() == 0


def test_too_large_file_is_refused(client, demo, short_ogg, settings):
    settings.VOICE_MAX_BYTES = 1000
    response = client.post(record_url(demo), form_data(upload(short_ogg)))
    assert response.status_code == 400
    assert "the limit is 0 MB" in response.content.decode() or "limit" in response.content.decode()


def test_consent_is_required(client, demo, short_ogg):
    data = form_data(upload(short_ogg))
    del data["consent"]
    response = client.post(record_url(demo), data)
    assert response.status_code == 400
    assert "Tick the box" in response.content.decode()
    assert VoiceNote.objects.count() == 0


# --- Accepting: stored durably, then queued ------------------------------------------------


def test_upload_is_stored_then_queued(
    client, demo, short_ogg, private_audio_root, django_capture_on_commit_callbacks
):
    clause = demo.current_version().clauses.all()[3]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            record_url(demo), form_data(upload(short_ogg), clause=clause.pk, language_hint="ur")
        )
    assert response.status_code == 302
    note = VoiceNote.objects.get()
    assert len(callbacks) == 1
    assert note.status == Status.QUEUED and note.consent and note.consent_at
    assert note.clause == clause and note.language_hint == "ur"
    assert 1.9 < note.duration < 2.2
    stored = Path(note.audio.path)
    assert stored.is_file() and stored.is_relative_to(private_audio_root)
    task = DBTaskResult.objects.get(id=note.task_id)
    assert task.queue_name == "transcription" and task.args_kwargs["args"] == [note.pk]
    # The review page is this browser's; another visitor gets 404.
    assert client.get(response["Location"]).status_code == 200
    from django.test import Client

    assert Client().get(response["Location"]).status_code == 404


def test_audio_is_only_for_moderators(client, demo, short_ogg, django_user_model, settings):
    client.post(record_url(demo), form_data(upload(short_ogg)))
    note = VoiceNote.objects.get()
    url = reverse("consult:voice:audio", kwargs={"public_id": note.public_id})
    assert client.get(url).status_code == 403  # not even the uploader
    client.force_login(user_with_role(django_user_model, "fac", roles.FACILITATOR))
    assert client.get(url).status_code == 403
    client.force_login(user_with_role(django_user_model, "mod", roles.MODERATOR))
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == short_ogg.read_bytes()
    assert not Path(note.audio.path).is_relative_to(settings.MEDIA_ROOT)


def test_facilitator_bulk_intake(client, demo, short_ogg, jfk, django_user_model):
    url = reverse("consult:voice:intake", kwargs={"slug": demo.slug})
    assert client.get(url).status_code == 302  # to sign in
    client.force_login(user_with_role(django_user_model, "participant"))
    assert client.get(url).status_code == 403
    facilitator = user_with_role(django_user_model, "fac", roles.FACILITATOR)
    client.force_login(facilitator)
    assert client.get(url).status_code == 200
    clauses = list(demo.current_version().clauses.all()[:2])
    data = {
        "notes-TOTAL_FORMS": "3",
        "notes-INITIAL_FORMS": "0",
        "notes-MIN_NUM_FORMS": "0",
        "notes-MAX_NUM_FORMS": "50",
        "notes-0-audio": upload(short_ogg),
        "notes-0-clause": clauses[0].pk,
        "notes-0-language_hint": "ur",
        "notes-0-stance": "oppose",
        "notes-0-stakeholder": "individual",
        "notes-0-consent": "on",
        "notes-0-consent_note": "verbal consent at start of recording",
        "notes-1-audio": upload(jfk),
        "notes-1-clause": clauses[1].pk,
        "notes-1-language_hint": "en",
        "notes-1-stance": "support",
        "notes-1-stakeholder": "individual",
        "notes-1-consent": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 200, response.context["formset"].errors
    notes = VoiceNote.objects.order_by("pk")
    assert [n.clause for n in notes] == clauses
    assert [n.language_hint for n in notes] == ["ur", "en"]
    assert all(n.via_facilitator and n.uploaded_by == facilitator for n in notes)
    assert notes[0].consent_note == "verbal consent at start of recording"
    # A row without consent is refused with its own message; nothing else is lost.
    data = {k: v for k, v in data.items() if not k.startswith("notes-1")}
    data["notes-0-audio"] = upload(short_ogg)
    del data["notes-0-consent"]
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Record the speaker" in response.content.decode()
    assert VoiceNote.objects.count() == 2


def _intake_row(index: int, audio, stance: str = "oppose") -> dict:
    return {
        f"notes-{index}-audio": audio,
        f"notes-{index}-stance": stance,
        f"notes-{index}-stakeholder": "individual",
        f"notes-{index}-consent": "on",
        f"notes-{index}-consent_note": f"consent for row {index + 1}",
    }


def test_bulk_intake_with_one_bad_file_links_the_accepted_and_cannot_duplicate_them(
    client, demo, short_ogg, django_user_model
):
    """Two good recordings and a damaged one: the two are accepted and linked to their pages;
    only the damaged row is offered again (with its details), so sending the form again
    cannot upload the accepted ones twice."""
    url = reverse("consult:voice:intake", kwargs={"slug": demo.slug})
    client.force_login(user_with_role(django_user_model, "fac", roles.FACILITATOR))
    management = {"notes-TOTAL_FORMS": "3", "notes-INITIAL_FORMS": "0"}
    data = (
        management
        | _intake_row(0, upload(short_ogg, "first.ogg"))
        | _intake_row(1, SimpleUploadedFile("damaged.ogg", noise(5000)), stance="support")
        | _intake_row(2, upload(short_ogg, "third.ogg"))
    )
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 400
    notes = list(VoiceNote.objects.order_by("pk"))
    assert [n.original_filename for n in notes] == ["first.ogg", "third.ogg"]
    for note in notes:
        assert reverse("consult:voice:review", kwargs={"public_id": note.public_id}) in page
    assert "not a recording we can read" in page
    # The accepted rows are no longer inputs; the damaged row keeps its details.
    assert 'name="notes-0-audio"' not in page and 'name="notes-2-audio"' not in page
    assert 'name="notes-1-audio"' in page and "consent for row 2" in page
    # The facilitator fixes the damaged row and sends the form again as it is.
    fixed = management | _intake_row(1, upload(short_ogg, "fixed.ogg"), stance="support")
    response = client.post(url, fixed)
    assert response.status_code == 200
    assert [n.original_filename for n in VoiceNote.objects.order_by("pk")] == [
        "first.ogg",
        "third.ogg",
        "fixed.ogg",
    ]


def test_bulk_intake_sends_a_visitor_to_sign_in_and_tells_a_participant_why(
    client, demo, django_user_model
):
    url = reverse("consult:voice:intake", kwargs={"slug": demo.slug})
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(user_with_role(django_user_model, "participant"))
    response = client.get("/ur" + url)
    assert response.status_code == 403
    page = response.content.decode()
    assert '<html lang="ur" dir="rtl">' in page and "<h1>" in page


# --- Recovery and retention -----------------------------------------------------------------


def test_stuck_note_is_requeued_only_when_its_task_ended(
    client, demo, short_ogg, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(record_url(demo), form_data(upload(short_ogg)))
    note = VoiceNote.objects.get()
    first_task = DBTaskResult.objects.get(id=note.task_id)
    # A worker killed mid-transcription: the task is RUNNING and its lease will run out;
    # the workers requeue it themselves (tests/workers), so this leaves it alone.
    DBTaskResult.objects.filter(id=first_task.id).update(status="RUNNING")
    VoiceNote.objects.filter(pk=note.pk).update(
        status=Status.TRANSCRIBING, transcription_started_at=timezone.now()
    )
    later = timezone.now() + timedelta(hours=1)
    assert services.recover_stuck_notes(now=later) == []
    # Its task result pruned (or ended) while the note still says "transcribing":
    DBTaskResult.objects.filter(id=first_task.id).delete()
    assert services.recover_stuck_notes() == []  # not stuck yet
    with django_capture_on_commit_callbacks(execute=True):
        assert services.recover_stuck_notes(now=later) == [note.pk]
    note.refresh_from_db()
    assert note.status == Status.QUEUED
    new_task = DBTaskResult.objects.get(id=note.task_id)
    assert new_task.id != first_task.id and new_task.status == "READY"


def test_note_whose_workers_all_died_fails_with_a_retry(demo, short_ogg):
    from workers import leases
    from workers.models import TaskLease

    note = services.accept_voice_note(
        demo, services.VoiceInput("support", "individual", True), upload(short_ogg)
    )
    services.enqueue_transcription(note.pk)
    note.refresh_from_db()
    result = DBTaskResult.objects.get(id=note.task_id)
    result.claim("dead-worker")
    VoiceNote.objects.filter(pk=note.pk).update(status=Status.TRANSCRIBING)
    TaskLease.objects.create(task_result=result, attempts=5, lease_expires_at=timezone.now())
    leases.requeue_expired(now=timezone.now() + timedelta(seconds=1), max_attempts=5)
    note.refresh_from_db()
    assert note.status == Status.FAILED and "stopped" in note.failure_reason


def test_audio_deleted_after_retention(demo, short_ogg, settings, django_user_model):
    note = services.accept_voice_note(
        demo, services.VoiceInput("support", "individual", True), upload(short_ogg)
    )
    path = Path(note.audio.path)
    VoiceNote.objects.filter(pk=note.pk).update(
        status=Status.CONFIRMED, confirmed_at=timezone.now() - timedelta(days=29)
    )
    assert services.purge_expired_audio() == []
    assert path.is_file()
    call_command("voice_maintenance", stdout=io.StringIO())
    assert path.is_file()
    later = timezone.now() + timedelta(days=2)
    assert services.purge_expired_audio(now=later) == [note.pk]
    note.refresh_from_db()
    assert not path.exists() and note.audio_deleted_at and not note.has_audio


# --- The whole path with the real model ------------------------------------------------------


def run_worker():
    call_command(
        "db_worker",
        batch=True,
        queue_name="transcription",
        reload=False,
        startup_delay=False,
        verbosity=0,
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)  # the in-process worker closes the test's connection
def test_jfk_voice_note_becomes_a_submission(client, demo, jfk, django_capture_on_commit_callbacks):
    clause = demo.current_version().clauses.first()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(record_url(demo), form_data(upload(jfk), clause=clause.pk))
    review_url = response["Location"]
    note = VoiceNote.objects.get()
    status_url = reverse("consult:voice:status", kwargs={"public_id": note.public_id})
    assert client.get(status_url).json()["status"] == "queued"
    run_worker()
    data = client.get(status_url).json()
    assert data["status"] == "ready", data
    text = data["text"].lower()
    for phrase in ("my fellow americans", "your country", "do for you"):
        assert phrase in text
    assert data["language"] == "en"  # detected among en, ur, pa, ps, sd
    assert all(0 < s["confidence"] <= 1 for s in data["segments"])
    note.refresh_from_db()
    words = [w for s in note.segments for w in s["words"]]
    americans = next(w for w in words if w["word"].strip(" ,") == "Americans")
    assert americans["start"] <= 1.8 <= americans["end"] + 0.3

    page = client.get(review_url).content.decode()
    assert "What we heard" in page and "%" in page
    corrected = data["text"].replace("And so", "And so,")
    response = client.post(review_url, {"text": corrected})
    assert response.status_code == 302
    submission = Submission.objects.get(voice_note=note)
    assert submission.source == Source.VOICE and submission.comment == corrected
    assert submission.clause == clause
    note.refresh_from_db()
    assert note.status == Status.CONFIRMED and note.confirmed_text == corrected
    assert note.machine_text == data["text"]
    assert note.edit_history[-1]["edited"] is True
    # Re-running the task or re-confirming changes nothing.
    assert services.run_transcription(note.pk) == Status.CONFIRMED
    assert client.post(review_url, {"text": "again"}).status_code == 302
    assert Submission.objects.filter(voice_note__isnull=False).count() == 1


def _sqlite_row(db: Path, sql: str, *params):
    with sqlite3.connect(db, timeout=20) as conn:
        return conn.execute(sql, params).fetchone()


@pytest.mark.slow
def test_killed_worker_task_runs_again_and_submission_is_not_lost(tmp_path, jfk):
    """A real db_worker process is SIGKILLed mid-transcription. Its task's lease (3 s here)
    runs out and a second worker, started with nobody running any command, finishes it."""
    db = tmp_path / "worker.sqlite3"
    env = dict(
        os.environ,
        CONSULT_INSECURE_DEFAULTS="1",
        DATABASE_URL=f"sqlite:///{db}",
        VOICE_AUDIO_ROOT=str(tmp_path / "audio"),
        LOG_LEVEL="WARNING",
        TASK_LEASE_SECONDS="3",
    )

    def manage(*args, **kwargs):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True, **kwargs,
        )  # fmt: skip

    copy_migrated_sqlite(db)  # the shared migrated file, not a migrate of its own
    created = manage(
        "shell",
        "-c",
        "from django.core.files import File\n"
        "from cms.demo import load_demo\n"
        "from consult.voice import services\n"
        "page, _ = load_demo()\n"
        f"with open({str(jfk)!r}, 'rb') as f:\n"
        "    note = services.accept_voice_note(page, services.VoiceInput("
        "'support', 'individual', True, language_hint='en'), File(f, name='jfk.flac'))\n"
        "print(note.pk)\n",
    )
    note_id = int(created.stdout.strip().splitlines()[-1])

    def start_worker():
        return subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--queue-name", "transcription",
             "--no-startup-delay", "--no-reload", "--interval", "0.2"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def note_status():
        return _sqlite_row(db, "SELECT status FROM voice_voicenote WHERE id=?", note_id)[0]

    worker = start_worker()
    try:
        deadline = time.monotonic() + 120
        while note_status() != "transcribing":
            assert time.monotonic() < deadline and worker.poll() is None
            time.sleep(0.1)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    status, task_id, attempts = _sqlite_row(
        db, "SELECT status, task_id, attempts FROM voice_voicenote WHERE id=?", note_id
    )
    assert (status, attempts) == ("transcribing", 1)

    worker = start_worker()
    try:
        deadline = time.monotonic() + 180
        while note_status() == "transcribing" or note_status() == "queued":
            assert time.monotonic() < deadline and worker.poll() is None
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    status, transcript, attempts = _sqlite_row(
        db, "SELECT status, transcript, attempts FROM voice_voicenote WHERE id=?", note_id
    )
    assert (status, attempts) == ("ready", 2)
    assert "my fellow americans" in json.loads(transcript)["text"].lower()
    assert _sqlite_row(
        db, "SELECT attempts FROM workers_tasklease WHERE task_result_id=?",
        task_id.replace("-", ""),
    ) == (2,)  # fmt: skip

    confirmed = manage(
        "shell",
        "-c",
        "from consult.voice.models import VoiceNote\n"
        "from consult.voice import services\n"
        f"note = VoiceNote.objects.get(pk={note_id})\n"
        "print(services.confirm_voice_note(\n"
        "    note, note.machine_text, session_note_ids=[str(note.public_id)]\n"
        ").receipt_code)\n",
    )
    receipt = confirmed.stdout.strip().splitlines()[-1]
    assert _sqlite_row(
        db, "SELECT source FROM consult_submission WHERE receipt_code=?", receipt
    ) == ("voice",)


def _ready_note(page) -> VoiceNote:
    return VoiceNote.objects.create(
        consultation=page,
        stance="oppose",
        stakeholder="individual",
        consent=True,
        status=Status.READY,
        language="en",
        transcript={"text": "the deadline is too short", "segments": []},
    )


def test_a_note_recorded_before_the_deadline_can_be_confirmed_after_it(demo):
    """The participant spoke in time; confirming the transcript later is not a late comment."""
    note = _ready_note(demo)
    demo.closes_at = timezone.now() - timedelta(minutes=5)
    demo.closes_at_reason = "Closed early for the test."  # a move needs a reason
    demo.save(update_fields=["closes_at", "closes_at_reason"])
    VoiceNote.objects.filter(pk=note.pk).update(created_at=demo.closes_at - timedelta(hours=1))
    note.refresh_from_db()
    mine = [str(note.public_id)]
    submission = services.confirm_voice_note(note, note.machine_text, session_note_ids=mine)
    assert submission.source == Source.VOICE

    late = _ready_note(demo)  # arrived after the deadline (created now)
    with pytest.raises(ValidationError, match="not open"):
        services.confirm_voice_note(late, late.machine_text, session_note_ids=[str(late.public_id)])


def test_only_the_person_who_recorded_a_note_confirms_or_retries_it(demo, django_user_model):
    note = _ready_note(demo)
    stranger = django_user_model.objects.create_user("stranger", password="pw-123456789")
    with pytest.raises(PermissionDenied):
        services.confirm_voice_note(note, "Someone else's words.", stranger)
    with pytest.raises(PermissionDenied):
        services.retry_transcription(note, stranger)
    assert not Submission.objects.filter(source=Source.VOICE, comment="Someone else's words.")


def test_the_urdu_recorder_assumes_urdu_speech(client, demo):
    """Whisper's language detection takes Urdu for Hindi or English on short notes: a
    participant on the Urdu page is taken to speak Urdu unless they choose otherwise."""
    urdu = client.get(f"/ur/voice/{demo.slug}/record/").content.decode()
    assert '<option value="ur" selected>' in urdu
    english = client.get(f"/voice/{demo.slug}/record/").content.decode()
    assert '<option value="" selected>' in english  # "Detect it for me"


def test_the_review_page_marks_the_text_and_leads_back_to_the_consultation(client, demo):
    note = _ready_note(demo)
    note.language = "ur"
    note.save(update_fields=["language"])
    session = client.session
    session["voice_notes"] = [str(note.public_id)]
    session.save()
    path = demo.url  # English, before a request makes Urdu the thread's language
    page = client.get(f"/ur/voice/note/{note.public_id}/").content.decode()
    assert f'href="/ur{path}"' in page
    services.confirm_voice_note(note, "رجسٹری کھلی ہو", session_note_ids=[str(note.public_id)])
    page = client.get(f"/ur/voice/note/{note.public_id}/").content.decode()
    assert '<blockquote lang="ur" dir="rtl"' in page
    assert f'href="/ur{path}"' in page


def test_a_file_name_with_markup_is_shown_as_text_on_the_intake_pages(
    client, demo, short_ogg, django_user_model
):
    url = reverse("consult:voice:intake", kwargs={"slug": demo.slug})
    client.force_login(user_with_role(django_user_model, "fac", roles.FACILITATOR))
    probe = "<img src=x onerror=alert(1)>.ogg"
    management = {"notes-TOTAL_FORMS": "2", "notes-INITIAL_FORMS": "0"}
    data = (
        management
        | _intake_row(0, upload(short_ogg, probe))
        | _intake_row(1, SimpleUploadedFile("damaged.ogg", noise(5000)))
    )
    page = client.post(url, data).content.decode()
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;.ogg" in page
    done = client.post(url, management | _intake_row(0, upload(short_ogg, probe)))
    assert "<img src=x" not in done.content.decode()
