"""Accepting a recording: its details checked like a typed comment's, the audio decoded to
learn what it really is and how long, then file and row stored durably and the note queued.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consult import roles
from consult.models import DisplayMode, Source
from consult.services import SubmissionInput, check_can_submit, validate_details
from consult.voice.models import AUDIO_FORMATS, AudioFormat, VoiceNote
from consult.voice.services.transcription import enqueue_transcription
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
