"""What keeps voice notes from getting stuck or kept too long: notes whose task ended
without them are queued again, and raw audio is deleted after its retention period."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from consult.voice.models import VoiceNote
from consult.voice.models import VoiceNoteStatus as Status
from consult.voice.services.transcription import enqueue_transcription

logger = logging.getLogger(__name__)


def recover_stuck_notes(now=None, stuck_after: int | None = None) -> list[int]:
    """Re-queue notes left "transcribing" whose task is no longer queued or running.

    A worker that dies mid-transcription needs nothing from here: its task's lease runs out
    and another worker runs it again (workers/). This catches what a lease cannot: a note
    whose task result was pruned or ended without updating the note. A task still queued
    or running (under a live lease) is left to the workers; ``run_transcription`` is
    idempotent, so a late finisher does no harm.
    """
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    stuck_after = settings.VOICE_STUCK_AFTER_SECONDS if stuck_after is None else stuck_after
    cutoff = now - timedelta(seconds=stuck_after)
    stale = list(
        VoiceNote.objects.filter(status=Status.TRANSCRIBING, transcription_started_at__lte=cutoff)
    )
    leaders = dict(
        VoiceNote.objects.filter(
            pk__in={note.batch_leader_id for note in stale if note.batch_leader_id}
        ).values_list("pk", "task_id")
    )

    def holder(note: VoiceNote) -> str:
        """The task that has the note: its own, or its batch leader's."""
        if note.batch_leader_id and note.batch_leader_id != note.pk:
            return leaders.get(note.batch_leader_id, "")
        return note.task_id

    task_ids = [_uuid_str(holder(note)) for note in stale if holder(note)]
    in_hand = {
        str(pk)
        for pk in DBTaskResult.objects.filter(
            id__in=task_ids, status__in=["READY", "RUNNING"]
        ).values_list("id", flat=True)
    }
    recovered = []
    for note in stale:
        if holder(note) and _uuid_str(holder(note)) in in_hand:
            continue
        with transaction.atomic():
            changed = VoiceNote.objects.filter(pk=note.pk, status=Status.TRANSCRIBING).update(
                status=Status.QUEUED, batch_leader=None, updated_at=now
            )
            if not changed:
                continue
            transaction.on_commit(partial(enqueue_transcription, note.pk))
            recovered.append(note.pk)
    if recovered:
        logger.warning("Re-queued voice notes whose task ended without them: %s", recovered)
    return recovered


def _uuid_str(value: str) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return str(value)


def purge_expired_audio(now=None, days: int | None = None) -> list[int]:
    """Delete raw audio ``VOICE_RETENTION_DAYS`` after the transcript was confirmed."""
    now = now or timezone.now()
    days = settings.VOICE_RETENTION_DAYS if days is None else days
    cutoff = now - timedelta(days=days)
    purged = []
    notes = VoiceNote.objects.filter(
        confirmed_at__lte=cutoff, audio_deleted_at__isnull=True
    ).exclude(audio="")
    for note in notes:
        note.audio.delete(save=False)
        note.audio_deleted_at = now
        note.save(update_fields=["audio", "audio_deleted_at", "updated_at"])
        purged.append(note.pk)
    return purged
