"""A voice note: the recording, its machine transcript, and the person's confirmed text.

A voice note is not yet a submission: it becomes one (``consult.Submission`` with
source="voice") only when the participant, or the facilitator who collected it, confirms
the transcript. The machine transcript and every edit stay here for the record.
"""

from __future__ import annotations

import os
import uuid

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


def audio_upload_to(note: VoiceNote, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
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
        "cms.ConsultationPage", on_delete=models.PROTECT, related_name="voice_notes"
    )
    clause = models.ForeignKey(
        "cms.ClauseVersion",
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
    def machine_text(self) -> str:
        return (self.transcript or {}).get("text", "")

    @property
    def segments(self) -> list[dict]:
        return (self.transcript or {}).get("segments", [])
