"""Review: only the person who recorded a note (or the facilitator who collected it) sees
and confirms its transcript, which then becomes a submission through the one submit service.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consult import roles
from consult.models import Source, Submission
from consult.services import SubmissionInput, submit
from consult.voice.models import VoiceNote
from consult.voice.models import VoiceNoteStatus as Status


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
