"""Transcription: queued notes claimed in batches by the worker's task, each note's own
outcome recorded; a failed note retried by the person who recorded it."""

from __future__ import annotations

import logging
from functools import partial

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from consult.voice.models import VoiceNote
from consult.voice.models import VoiceNoteStatus as Status
from consult.voice.services.review import can_review

logger = logging.getLogger(__name__)


def enqueue_transcription(note_id: int) -> None:
    from consult.voice.tasks import transcribe_voice_note

    result = transcribe_voice_note.enqueue(note_id)
    VoiceNote.objects.filter(pk=note_id).update(task_id=str(result.id))


def run_transcription(note_id: int) -> str:
    """Transcribe a note, and other queued notes with it in one batch. Safe to run again.

    The task of note ``note_id`` leads the batch: it claims up to
    ``TRANSCRIPTION_BATCH_SIZE - 1`` other queued notes (oldest first), marks each one
    "transcribing" with ``batch_leader`` = this note, and writes each note's own result or
    failure. The claimed notes' own tasks then find them claimed and return "batched".
    Nothing is lost on a crash: a worker that dies mid-batch leaves its task's lease to run
    out; the task runs again, puts the other notes of the batch back in the queue (each
    with its own task) and transcribes its own note alone, so one note that kills the
    worker cannot take the others down. A finished note is left alone.
    """
    from consult.voice.transcription import get_transcriber
    from consult.voice.transcription.base import transcription_batch_size

    released: list[int] = []
    with transaction.atomic():
        note = VoiceNote.objects.select_for_update().filter(pk=note_id).first()
        if note is None:
            return "missing"
        if note.status in (Status.READY, Status.CONFIRMED) or note.submission_id:
            return note.status
        if note.status == Status.TRANSCRIBING and note.batch_leader_id not in (None, note.pk):
            return "batched"  # in another note's batch: that task finishes it
        if not note.has_audio:
            note.status = Status.FAILED
            note.failure_reason = _("The recording is no longer stored.")
            note.save(update_fields=["status", "failure_reason", "updated_at"])
            return note.status
        rerun = note.status == Status.TRANSCRIBING  # an earlier attempt stopped part-way
        if rerun:
            released = _release_batch(note)
        now = timezone.now()
        others: list[int] = []
        size = transcription_batch_size()
        if not rerun and size > 1:
            others = list(
                VoiceNote.objects.filter(
                    status=Status.QUEUED, submission__isnull=True, audio_deleted_at__isnull=True
                )
                .exclude(pk=note.pk)
                .exclude(audio="")
                .order_by("created_at", "pk")
                .values_list("pk", flat=True)[: size - 1]
            )
        claimed = _claim([note.pk], note.pk, now, statuses=None)
        claimed += _claim(others, note.pk, now, statuses=[Status.QUEUED])
        for pk in released:
            transaction.on_commit(partial(enqueue_transcription, pk))
    batch = list(VoiceNote.objects.filter(pk__in=claimed).order_by("created_at", "pk"))
    answers = get_transcriber().transcribe_many(
        [(n.audio.path, n.language_hint or None) for n in batch]
    )
    own_error, own_outcome = None, "superseded"
    for member, answer in zip(batch, answers, strict=True):
        outcome = _record_transcript(member, note.pk, answer)
        if member.pk == note.pk:
            if isinstance(answer, Exception) and outcome == Status.FAILED:
                own_error = answer
            own_outcome = outcome
    if own_error is not None and not _is_transcription_error(own_error):
        raise own_error  # the engine broke on this task's own note: the task fails loudly
    return own_outcome


def _is_transcription_error(exc: Exception) -> bool:
    from consult.voice.transcription import TranscriptionError

    return isinstance(exc, TranscriptionError)


def _claim(pks: list[int], leader: int, now, statuses) -> list[int]:
    """Mark notes as being transcribed in ``leader``'s batch; the ones this call got."""
    if not pks:
        return []
    rows = VoiceNote.objects.filter(pk__in=pks)
    if statuses is not None:
        rows = rows.filter(status__in=statuses)
    rows.update(
        status=Status.TRANSCRIBING,
        transcription_started_at=now,
        attempts=F("attempts") + 1,
        failure_reason="",
        batch_leader_id=leader,
        updated_at=now,
    )
    return list(
        VoiceNote.objects.filter(
            pk__in=pks, status=Status.TRANSCRIBING, batch_leader_id=leader
        ).values_list("pk", flat=True)
    )


def _release_batch(leader: VoiceNote) -> list[int]:
    """Put the other notes of a batch that stopped part-way back in the queue."""
    members = list(
        VoiceNote.objects.filter(batch_leader=leader, status=Status.TRANSCRIBING)
        .exclude(pk=leader.pk)
        .values_list("pk", flat=True)
    )
    VoiceNote.objects.filter(pk__in=members, status=Status.TRANSCRIBING).update(
        status=Status.QUEUED, batch_leader=None, updated_at=timezone.now()
    )
    if members:
        logger.warning(
            "Voice note %s: its batch stopped part-way; re-queued %s one by one", leader.pk, members
        )
    return members


def _record_transcript(note: VoiceNote, leader: int, answer) -> str:
    """Write one note's outcome of a batch: its transcript, or its own failure."""
    if isinstance(answer, Exception):
        if _is_transcription_error(answer):
            reason = str(answer)
        else:
            logger.error("Transcription of voice note %s failed", note.pk, exc_info=answer)
            reason = _("The transcription engine failed (%(error)s). A moderator can retry.") % {
                "error": type(answer).__name__
            }
        VoiceNote.objects.filter(
            pk=note.pk, status=Status.TRANSCRIBING, batch_leader_id=leader
        ).update(status=Status.FAILED, failure_reason=reason, updated_at=timezone.now())
        return Status.FAILED
    updated = VoiceNote.objects.filter(
        pk=note.pk, status=Status.TRANSCRIBING, batch_leader_id=leader
    ).update(
        status=Status.READY,
        transcript=answer.to_dict(),
        language=answer.language,
        engine=answer.engine,
        updated_at=timezone.now(),
    )
    return Status.READY if updated else "superseded"


def abandon_transcription(note_id: int, attempts: int) -> None:
    """Its worker died on every attempt (workers/ gave up): fail the note, and any note still
    held in its batch, each with a retry offered."""
    held = Q(pk=note_id, status__in=[Status.QUEUED, Status.TRANSCRIBING]) | Q(
        batch_leader_id=note_id, status=Status.TRANSCRIBING
    )
    VoiceNote.objects.filter(held).update(
        status=Status.FAILED,
        failure_reason=_("The transcription stopped %(n)s times. You can retry.") % {"n": attempts},
        updated_at=timezone.now(),
    )


def retry_transcription(note: VoiceNote, user=None, *, session_note_ids=()) -> None:
    """Put a failed note back in the queue (only for the person who recorded it)."""
    if not can_review(note, user, session_note_ids):
        raise PermissionDenied(_("Only the person who recorded this note can retry it."))
    with transaction.atomic():
        VoiceNote.objects.filter(pk=note.pk, status=Status.FAILED).update(status=Status.QUEUED)
        transaction.on_commit(lambda: enqueue_transcription(note.pk))
