"""A voice note: the recording, its machine transcript, and the person's confirmed text.

A voice note is not yet a submission: it becomes one (``consult.Submission`` with
source="voice") only when the participant, or the facilitator who collected it, confirms
the transcript. The machine transcript and every edit stay here for the record.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _

from consult.models import DisplayMode, Stakeholder, Stance


class PrivateVoiceStorage(FileSystemStorage):
    """Raw audio lives outside MEDIA_ROOT and has no URL: only an auth-checked view reads it.

    The location is read from settings on each use, so VOICE_AUDIO_ROOT can change per test
    or deployment without a migration.
    """

    @property
    def base_location(self):
        return str(settings.VOICE_AUDIO_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


def private_voice_storage() -> FileSystemStorage:
    return PrivateVoiceStorage()


@dataclass(frozen=True)
class AudioFormat:
    """How a decoded container is stored and served: our extension, our content type."""

    extension: str
    content_type: str


# PyAV's demuxer name (``container.format.name``) -> how we store and serve it. Only these
# are accepted: the name the client gave a file never decides how it is stored or served.
AUDIO_FORMATS: dict[str, AudioFormat] = {
    "ogg": AudioFormat("ogg", "audio/ogg"),  # WhatsApp voice notes (Opus), Vorbis
    "matroska,webm": AudioFormat("webm", "audio/webm"),  # browsers' MediaRecorder
    "mov,mp4,m4a,3gp,3g2,mj2": AudioFormat("m4a", "audio/mp4"),  # iPhone memos, m4a
    "mp3": AudioFormat("mp3", "audio/mpeg"),
    "wav": AudioFormat("wav", "audio/wav"),
    "flac": AudioFormat("flac", "audio/flac"),
    "aac": AudioFormat("aac", "audio/aac"),
    "amr": AudioFormat("amr", "audio/amr"),  # older phones' voice recorders
}
CONTENT_TYPE_BY_EXTENSION = {f.extension: f.content_type for f in AUDIO_FORMATS.values()}


def audio_upload_to(note: VoiceNote, filename: str) -> str:
    """``<2 hex>/<public id>.<ext>``: the extension is one of ours, or ``bin``."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in CONTENT_TYPE_BY_EXTENSION:
        suffix = "bin"
    return f"{note.public_id.hex[:2]}/{note.public_id.hex}.{suffix}"


class VoiceNoteStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be transcribed")
    TRANSCRIBING = "transcribing", _("Being transcribed")
    READY = "ready", _("Transcript ready for your review")
    FAILED = "failed", _("Transcription failed")
    CONFIRMED = "confirmed", _("Confirmed as a submission")


class VoiceNote(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    consultation = models.ForeignKey(
        settings.CONSULTATION_MODEL, on_delete=models.PROTECT, related_name="voice_notes"
    )
    clause = models.ForeignKey(
        "drafts.ClauseVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="voice_notes",
    )
    audio = models.FileField(
        upload_to=audio_upload_to, storage=private_voice_storage, max_length=200, blank=True
    )
    original_filename = models.CharField(max_length=255, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    duration = models.FloatField(_("duration (seconds)"), default=0)
    consent = models.BooleanField(_("consent to store the recording"), default=False)
    consent_at = models.DateTimeField(null=True, blank=True)
    consent_note = models.CharField(
        _("how consent was recorded"),
        max_length=255,
        blank=True,
        help_text=_("For facilitator intake: e.g. 'verbal consent at the start of the note'."),
    )
    language_hint = models.CharField(max_length=8, blank=True)
    language = models.CharField(max_length=8, blank=True)
    stance = models.CharField(max_length=16, choices=Stance.choices)
    stakeholder = models.CharField(max_length=24, choices=Stakeholder.choices)
    organisation = models.CharField(max_length=255, blank=True)
    display_mode = models.CharField(
        max_length=16, choices=DisplayMode.choices, default=DisplayMode.PSEUDONYMOUS
    )
    name = models.CharField(max_length=50, blank=True)
    status = models.CharField(
        max_length=16, choices=VoiceNoteStatus.choices, default=VoiceNoteStatus.QUEUED
    )
    failure_reason = models.TextField(blank=True)
    transcript = models.JSONField(
        null=True, blank=True, help_text=_("The machine transcript with segments and timing.")
    )
    confirmed_text = models.TextField(blank=True)
    edit_history = models.JSONField(default=list, blank=True)
    submission = models.OneToOneField(
        "consult.Submission",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="voice_note",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="voice_notes",
    )
    via_facilitator = models.BooleanField(default=False)
    engine = models.CharField(max_length=16, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)
    batch_leader = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The note whose task is transcribing this one in a batch."),
    )
    transcription_started_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    audio_deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("voice note")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "transcription_started_at"])]

    def __str__(self):
        return f"Voice note {self.public_id} ({self.status})"

    @property
    def has_audio(self) -> bool:
        return bool(self.audio) and self.audio_deleted_at is None

    @property
    def audio_extension(self) -> str:
        return self.audio.name.rsplit(".", 1)[-1].lower() if "." in self.audio.name else ""

    @property
    def audio_content_type(self) -> str:
        """From the extension we chose when storing it; a file stored under a client's
        extension (before names were ours) is served as opaque bytes."""
        return CONTENT_TYPE_BY_EXTENSION.get(self.audio_extension, "application/octet-stream")

    @property
    def machine_text(self) -> str:
        return (self.transcript or {}).get("text", "")

    @property
    def segments(self) -> list[dict]:
        return (self.transcript or {}).get("segments", [])
