"""Queued voice notes transcribed in batches: the same text as one by one, each note's own
failure, and nothing lost when a batch stops part-way (issue 17, "speech in batches")."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from consult.voice import services
from consult.voice.models import VoiceNote
from consult.voice.models import VoiceNoteStatus as Status
from consult.voice.transcription import TranscriptionError, get_transcriber
from tests.voice_helpers import espeak_urdu, ffmpeg, jfk_path, need

ENGLISH = [
    "We support the new data protection rules because they keep people safe.",
    "Please make the consent forms shorter and easier to read for older people.",
]


@pytest.fixture(autouse=True)
def private_audio_root(settings, tmp_path):
    settings.VOICE_AUDIO_ROOT = tmp_path / "voice-audio"
    settings.TRANSCRIPTION_BATCH_SIZE = 8


def espeak_english(target: Path, text: str) -> Path:
    subprocess.run(
        [need("espeak-ng"), "-v", "en-us", "-s", "150", "-w", str(target), text], check=True
    )
    return target


def tone(target: Path) -> Path:
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=1", str(target))
    return target


def accept(demo, path: Path, hint: str = "") -> VoiceNote:
    audio = SimpleUploadedFile(path.name, path.read_bytes())
    data = services.VoiceInput("support", "individual", True, language_hint=hint)
    note = services.accept_voice_note(demo, data, audio)
    services.enqueue_transcription(note.pk)
    note.refresh_from_db()
    return note


@pytest.mark.slow
def test_queued_notes_in_one_batch_get_the_one_by_one_text_and_their_own_failure(
    demo, tmp_path, settings
):
    jfk = jfk_path()  # skips, saying where it looked, when the shared clip is absent
    clips = [
        (jfk, ""),  # language detected among the platform's
        (espeak_english(tmp_path / "en0.wav", ENGLISH[0]), "en"),
        (espeak_english(tmp_path / "en1.wav", ENGLISH[1]), ""),
        (espeak_urdu(tmp_path / "ur.wav"), "ur"),
    ]
    notes = [accept(demo, path, hint) for path, hint in clips]
    broken = accept(demo, tone(tmp_path / "tone.wav"))
    Path(broken.audio.path).write_bytes(b"RIFF not really audio")  # damaged on disk

    assert services.run_transcription(notes[0].pk) == Status.READY
    for note in VoiceNote.objects.all():
        assert note.batch_leader_id == notes[0].pk and note.attempts == 1
    broken.refresh_from_db()
    assert broken.status == Status.FAILED and "could not be decoded" in broken.failure_reason
    # The same notes one by one (the path every note took before batches).
    one_by_one = get_transcriber()
    for note, (path, hint) in zip(notes, clips, strict=True):
        note.refresh_from_db()
        assert note.status == Status.READY
        alone = one_by_one.transcribe(path, language=hint or None)
        assert note.transcript["text"] == alone.text
        assert note.transcript["segments"] == alone.to_dict()["segments"]
        assert note.language == alone.language
    assert "my fellow americans" in notes[0].machine_text.lower()
    assert [n.language for n in notes] == ["en", "en", "en", "ur"]
    # The claimed notes' own tasks find them done; the failed one can be retried.
    assert services.run_transcription(notes[1].pk) == Status.READY
    with pytest.raises(Exception, match="Only the person"):
        services.retry_transcription(broken, None)
    services.retry_transcription(broken, None, session_note_ids=[str(broken.public_id)])
    broken.refresh_from_db()
    assert broken.status == Status.QUEUED


def _stopped_batch(demo, tmp_path, size=3) -> list[VoiceNote]:
    """What a worker killed mid-batch leaves: notes "transcribing" in the leader's batch,
    the leader's task RUNNING, the others' tasks done ("batched")."""
    notes = [accept(demo, tone(tmp_path / f"t{i}.wav")) for i in range(size)]
    leader = notes[0]
    VoiceNote.objects.filter(pk__in=[n.pk for n in notes]).update(
        status=Status.TRANSCRIBING,
        batch_leader=leader,
        attempts=1,
        transcription_started_at=timezone.now(),
    )
    DBTaskResult.objects.filter(id=leader.task_id).update(status="RUNNING")
    DBTaskResult.objects.filter(id__in=[n.task_id for n in notes[1:]]).update(status="SUCCESSFUL")
    return notes


def test_a_note_in_another_notes_batch_is_left_to_that_task(demo, tmp_path):
    leader, member, _ = _stopped_batch(demo, tmp_path)
    assert services.run_transcription(member.pk) == "batched"
    member.refresh_from_db()
    assert member.status == Status.TRANSCRIBING and member.attempts == 1


@pytest.mark.slow
def test_a_batch_that_stopped_part_way_is_requeued_note_by_note(
    demo, tmp_path, django_capture_on_commit_callbacks
):
    leader, *members = _stopped_batch(demo, tmp_path)
    old_tasks = {m.pk: m.task_id for m in members}
    Path(leader.audio.path).write_bytes(b"not audio")  # as if this note killed the worker
    with django_capture_on_commit_callbacks(execute=True):
        assert services.run_transcription(leader.pk) == Status.FAILED  # the lease's rerun
    leader.refresh_from_db()
    assert leader.attempts == 2 and "could not be decoded" in leader.failure_reason
    for member in members:
        member.refresh_from_db()
        assert member.status == Status.QUEUED and member.batch_leader_id is None
        assert member.task_id != old_tasks[member.pk]  # a task of its own again
        assert DBTaskResult.objects.get(id=member.task_id).status == "READY"


def test_stuck_batched_note_waits_for_its_leaders_task(demo, tmp_path):
    leader, member, _ = _stopped_batch(demo, tmp_path)
    later = timezone.now() + timedelta(hours=1)
    assert services.recover_stuck_notes(now=later) == []  # the leader's task is in hand
    DBTaskResult.objects.filter(id=leader.task_id).delete()
    recovered = services.recover_stuck_notes(now=later)
    assert sorted(recovered) == sorted(
        VoiceNote.objects.filter(batch_leader__isnull=True).values_list("pk", flat=True)
    )
    assert len(recovered) == 3


def test_batch_whose_workers_all_died_fails_every_held_note(demo, tmp_path):
    notes = _stopped_batch(demo, tmp_path)
    services.abandon_transcription(notes[0].pk, 5)
    for note in notes:
        note.refresh_from_db()
        assert note.status == Status.FAILED and "stopped 5 times" in note.failure_reason


@pytest.mark.slow
def test_a_batch_call_that_breaks_falls_back_to_each_note_alone(tmp_path, monkeypatch):
    from consult.voice.transcription.base import FasterWhisperTranscriber

    transcriber = get_transcriber("faster")
    clips = [espeak_english(tmp_path / f"en{i}.wav", text) for i, text in enumerate(ENGLISH)]
    items = [(clip, "en") for clip in clips] + [(tmp_path / "missing.wav", "en")]
    batched = transcriber.transcribe_many(items)

    def broken(self, notes, word_timestamps):
        raise RuntimeError("the batch call broke")

    monkeypatch.setattr(FasterWhisperTranscriber, "_decode_batch", broken)
    fallen_back = transcriber.transcribe_many(items)
    for a, b, clip in zip(batched[:2], fallen_back[:2], clips, strict=True):
        assert a.text == b.text == transcriber.transcribe(clip, language="en").text
    assert "data protection" in batched[0].text.lower()
    assert all(isinstance(r[-1], TranscriptionError) for r in (batched, fallen_back))
