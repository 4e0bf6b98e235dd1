"""Write paths for voice notes: accept an upload, transcribe it, confirm it, forget the audio.

Every state change of a voice note happens here; views, tasks and commands only call these.
"""

from __future__ import annotations

import logging
import os
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from consult import roles
from consult.models import DisplayMode, Source, Submission
from consult.services import SubmissionInput, check_can_submit, submit, validate_details
from consult.voice.models import AUDIO_FORMATS, AudioFormat, VoiceNote
from consult.voice.models import VoiceNoteStatus as Status
from drafts.consultations import Consultation

logger = logging.getLogger(__name__)


@dataclass
class VoiceInput:
    """What comes with a recording: the same fields as a typed comment, minus the text."""

    stance: str
    stakeholder: str
    consent: bool
    language_hint: str = ""
    clause_id: int | None = None
    organisation: str = ""
    display_mode: str = DisplayMode.PSEUDONYMOUS
    name: str = ""
    consent_note: str = ""


# --- Audio validation -----------------------------------------------------------------------


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


@dataclass(frozen=True)
class ProbedAudio:
    """What decoding found: how long the recording is and which container it really is."""

    duration: float
    format: AudioFormat


def probe_audio(uploaded) -> ProbedAudio:
    """Check the upload really is audio we can decode; return its duration and format.

    The whole file is decoded (stopping past the limit): browsers' MediaRecorder webm files
    often carry no duration in the header, and a corrupt file may only fail half-way. The
    format comes from the demuxer PyAV chose, never from the file's name.
    """
    import av

    size = uploaded.size or 0
    limit_bytes = settings.VOICE_MAX_BYTES
    limit_seconds = settings.VOICE_MAX_SECONDS
    if size == 0:
        raise ValidationError(_("The file is empty (0 bytes). Choose a recording."), code="empty")
    if size > limit_bytes:
        raise ValidationError(
            _("The file is %(size).1f MB; the limit is %(limit).0f MB.")
            % {"size": size / 1e6, "limit": limit_bytes / 1e6},
            code="too_large",
        )
    uploaded.seek(0)
    try:
        container = av.open(uploaded, mode="r")
    except Exception as exc:
        raise ValidationError(
            _(
                "This file is not a recording we can read (%(error)s). Send audio such as ogg, "
                "opus, webm, m4a, mp3, wav or flac."
            )
            % {"error": type(exc).__name__},
            code="undecodable",
        ) from exc
    try:
        audio_format = AUDIO_FORMATS.get(container.format.name)
        if audio_format is None:
            raise ValidationError(
                _(
                    "Recordings of this kind (%(format)s) are not accepted. Send ogg, opus, "
                    "webm, m4a, mp3, wav or flac."
                )
                % {"format": container.format.name},
                code="unsupported_format",
            )
        if container.streams.video and any(
            s.frames != 1
            for s in container.streams.video  # one frame = mp3/m4a cover art
        ):
            raise ValidationError(
                _("This is a video file. Send only the sound: an audio recording."),
                code="video",
            )
        if not container.streams.audio:
            raise ValidationError(_("This file contains no sound track."), code="no_audio")
        stream = container.streams.audio[0]
        decoded = 0.0
        try:
            for frame in container.decode(stream):
                decoded += frame.samples / float(frame.sample_rate or 1)
                if decoded > limit_seconds:
                    break
        except Exception as exc:
            raise ValidationError(
                _("The recording is damaged: it stops being readable after %(at)s (%(error)s).")
                % {"at": _minutes(decoded), "error": type(exc).__name__},
                code="corrupt",
            ) from exc
        if decoded <= 0:
            raise ValidationError(_("The recording contains no sound."), code="no_audio")
        if decoded > limit_seconds:
            raise ValidationError(
                _(
                    "The recording is longer than the limit of %(limit)s minutes. Split it into "
                    "shorter notes."
                )
                % {"limit": _minutes(limit_seconds)},
                code="too_long",
            )
        return ProbedAudio(duration=decoded, format=audio_format)
    finally:
        container.close()
        uploaded.seek(0)


# --- Accepting an upload --------------------------------------------------------------------


def _validate_metadata(consultation: Consultation, data: VoiceInput) -> None:
    errors: dict[str, list[str]] = {}
    if not data.consent:
        errors["consent"] = [
            _("Tick the box to agree that we store your recording until it is transcribed.")
        ]
    if data.language_hint and data.language_hint not in settings.TRANSCRIPTION_LANGUAGES:
        errors["language_hint"] = [_("Choose one of the listed languages, or leave it open.")]
    # The same rules as a typed comment, checked now so the person hears them at once; the
    # words come later, from the transcript, and are checked when it is confirmed.
    try:
        validate_details(
            consultation,
            SubmissionInput(
                text="",
                stance=data.stance,
                stakeholder=data.stakeholder,
                organisation=data.organisation,
                clause_id=data.clause_id,
                display_mode=data.display_mode,
                language=consultation.language_codes()[0],
                source=Source.VOICE,
            ),
        )
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def accept_voice_note(
    consultation: Consultation, data: VoiceInput, audio, user=None, facilitator=False
) -> VoiceNote:
    """Validate everything, then store file and row durably, then (after commit) queue it.

    No file is written before the row is known to be valid, and a file whose row could not
    be written is removed: there is never audio on disk that no row points to. The file is
    named from the public id and the decoded format; the client's name is only recorded.
    """
    if facilitator and not roles.is_facilitator(user):
        raise PermissionDenied(_("Only facilitators can upload recordings for others."))
    check_can_submit(consultation)
    _validate_metadata(consultation, data)
    is_user = user is not None and user.is_authenticated
    now = timezone.now()
    note = VoiceNote(
        # The page model, reached by name (drafts.consultations): mypy sees only the protocol.
        consultation=consultation,  # type: ignore[misc]
        clause_id=data.clause_id,
        original_filename=os.path.basename(getattr(audio, "name", "") or "")[:255],
        size_bytes=audio.size,
        consent=True,
        consent_at=now,
        consent_note=data.consent_note,
        language_hint=data.language_hint,
        stance=data.stance,
        stakeholder=data.stakeholder,
        organisation=data.organisation.strip(),
        display_mode=data.display_mode,
        name=data.name,
        uploaded_by=user if is_user else None,
        via_facilitator=facilitator,
    )
    note.full_clean(exclude=["audio"])  # lengths and choices, before anything is written
    try:
        probed = probe_audio(audio)
    except ValidationError as exc:
        raise ValidationError({"audio": exc.messages}) from exc
    note.duration = round(probed.duration, 3)
    filename = f"{note.public_id.hex}.{probed.format.extension}"
    try:
        note.audio.save(filename, audio, save=False)
        with open(note.audio.path, "rb+") as handle:  # durable before we say "received"
            os.fsync(handle.fileno())
    except OSError as exc:
        # Folder missing or unwritable, disk full (at write, close or fsync): nothing is
        # kept, no row is written, and the caller tells the participant to try later.
        _remove_partial_audio(note, filename)
        logger.error("Voice audio could not be stored (%s): %s", type(exc).__name__, exc)
        raise StorageUnavailable(
            _(
                "We could not store your recording just now: the server's storage is not "
                "available. Nothing was saved and it does not count against your upload "
                "limit. Please try again later."
            )
        ) from exc
    try:
        with transaction.atomic():
            note.save()
            transaction.on_commit(lambda: enqueue_transcription(note.pk))
    except BaseException:
        note.audio.delete(save=False)
        raise
    return note


class StorageUnavailable(ValidationError):
    """The audio could not be written (unwritable folder, full disk): a temporary failure of
    the server, not of the participant's file."""

    def __init__(self, message: str):
        super().__init__({"audio": [message]}, code="storage_unavailable")


def _remove_partial_audio(note: VoiceNote, filename: str) -> None:
    """Delete what a failed write left behind. Django's FileSystemStorage leaves a partial
    file when a write fails (ENOSPC); its name is known (the public id is unique)."""
    storage = note.audio.storage
    name = note.audio.name or note.audio.field.generate_filename(note, filename)
    try:
        if storage.exists(name):
            storage.delete(name)
    except OSError:
        logger.exception("Could not remove the partial voice file %s", name)
    note.audio.name = None


def enqueue_transcription(note_id: int) -> None:
    from consult.voice.tasks import transcribe_voice_note

    result = transcribe_voice_note.enqueue(note_id)
    VoiceNote.objects.filter(pk=note_id).update(task_id=str(result.id))


# --- Transcription --------------------------------------------------------------------------


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


# --- Review and confirmation ----------------------------------------------------------------


def can_review(note: VoiceNote, user, session_note_ids=()) -> bool:
    """The person who recorded it (by account or this browser session) or its facilitator."""
    if str(note.public_id) in session_note_ids:
        return True
    if user is not None and user.is_authenticated:
        return note.uploaded_by_id == user.pk or roles.is_moderator(user)
    return False


def confirm_voice_note(note: VoiceNote, text: str, user=None, *, session_note_ids=()) -> Submission:
    """Turn the reviewed transcript into a Submission (source="voice"). Idempotent.

    Only the person who recorded it (``can_review``) may; the consultation must have been
    open when the note arrived, not necessarily now."""
    if not can_review(note, user, session_note_ids):
        raise PermissionDenied(_("Only the person who recorded this note can confirm it."))
    if note.submission is not None:
        return note.submission
    if note.status != Status.READY:
        raise ValidationError(
            _("The transcript is not ready yet (status: %(status)s).")
            % {"status": note.get_status_display()}
        )
    text = text.strip()
    consultation = note.consultation
    language = (
        note.language
        if note.language in consultation.language_codes()
        else (
            note.language_hint
            if note.language_hint in consultation.language_codes()
            else consultation.language_codes()[0]
        )
    )
    is_user = user is not None and user.is_authenticated
    with transaction.atomic():
        note = VoiceNote.objects.select_for_update().get(pk=note.pk)
        if note.submission is not None:
            return note.submission
        submission = submit(
            consultation,
            SubmissionInput(
                text=text,
                stance=note.stance,
                stakeholder=note.stakeholder,
                organisation=note.organisation,
                language=language,
                clause_id=note.clause_id,
                display_mode=note.display_mode,
                name=note.name,
                source=Source.VOICE,
                server_token=f"voice-{note.public_id}",
            ),
            user=note.uploaded_by if note.via_facilitator else user,
            received_at=note.created_at,
        )
        now = timezone.now()
        note.edit_history = [
            *note.edit_history,
            {
                "at": now.isoformat(),
                "by": user.pk if is_user else None,
                "machine_text": note.machine_text,
                "confirmed_text": text,
                "edited": text != note.machine_text.strip(),
            },
        ]
        note.confirmed_text = text
        note.submission = submission
        note.status = Status.CONFIRMED
        note.confirmed_at = now
        note.save()
    return submission


# --- Retention ------------------------------------------------------------------------------


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
