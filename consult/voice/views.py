"""Thin HTTP adapters for voice notes; the rules are in consult.voice.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from consult import roles
from consult.ratelimit import rate_limited
from consult.receipts import pop_confirmation, remember_confirmation
from consult.voice import services
from consult.voice.forms import ConfirmForm, IntakeFormSet, VoiceNoteForm
from consult.voice.models import VoiceNote
from drafts.consultations import Consultation, consultation_model
from frontend.form_errors import add_service_errors
from frontend.security_headers import permissions_allowed

SESSION_KEY = "voice_notes"


def _consultation(slug: str) -> Consultation:
    return get_object_or_404(consultation_model().objects.live(), slug=slug)


def _remember(request, note: VoiceNote) -> None:
    ids = list(request.session.get(SESSION_KEY, []))
    ids.append(str(note.public_id))
    request.session[SESSION_KEY] = ids[-50:]


def _note_for_reviewer(request, public_id) -> VoiceNote:
    note = get_object_or_404(
        VoiceNote.objects.select_related("consultation", "clause"), public_id=public_id
    )
    if not services.can_review(note, request.user, request.session.get(SESSION_KEY, [])):
        raise Http404
    return note


def _voice_input(data: dict) -> services.VoiceInput:
    clause = data.get("clause")
    return services.VoiceInput(
        stance=data["stance"],
        stakeholder=data["stakeholder"],
        consent=data["consent"],
        language_hint=data.get("language_hint") or "",
        clause_id=clause.pk if clause else None,
        organisation=data.get("organisation", ""),
        display_mode=data.get("display_mode") or "pseudonymous",
        name=data.get("name", ""),
        consent_note=data.get("consent_note", ""),
    )


@require_http_methods(["GET", "POST"])
@permissions_allowed(microphone=["self"])  # the only page that records
@rate_limited("upload", counts=lambda response: response.status_code < 400)
def record(request, slug):
    consultation = _consultation(slug)
    form = VoiceNoteForm(request.POST or None, request.FILES or None, consultation=consultation)
    if request.method == "GET" and request.GET.get("clause"):
        form.initial["clause"] = request.GET["clause"]
    if request.method == "GET" and get_language() == "ur":
        # Whisper's detection takes short Urdu notes for Hindi or English.
        form.initial["language_hint"] = "ur"
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            note = services.accept_voice_note(
                consultation,
                _voice_input(form.cleaned_data),
                form.cleaned_data["audio"],
                user=request.user,
            )
        except services.StorageUnavailable as exc:
            add_service_errors(form, exc)
            status = 503  # the server's fault, and not counted against the upload limit
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            _remember(request, note)
            messages.success(
                request, _("Your recording is saved. We are writing it down for you to check.")
            )
            return redirect("consult:voice:review", public_id=note.public_id)
    response = render(
        request, "voice/record.html", {"form": form, "consultation": consultation}, status=status
    )
    if status == 503:
        response["Retry-After"] = "60"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def review(request, public_id):
    note = _note_for_reviewer(request, public_id)
    form = ConfirmForm(request.POST or None, initial={"text": note.machine_text})
    if request.method == "POST" and form.is_valid():
        try:
            submission = services.confirm_voice_note(
                note,
                form.cleaned_data["text"],
                request.user,
                session_note_ids=request.session.get(SESSION_KEY, []),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            remember_confirmation(request, submission)
            messages.success(request, _("Thank you. Your voice note is now a submission."))
            return redirect("consult:voice:review", public_id=note.public_id)
    confirmation = pop_confirmation(request)
    return render(
        request,
        "voice/review.html",
        {
            "note": note,
            "form": form,
            "status_url": reverse("consult:voice:status", kwargs={"public_id": note.public_id}),
            "can_listen": roles.is_moderator(request.user) and note.has_audio,
            # The second secret, once, on the page right after confirming.
            "receipt_secret": (confirmation or {}).get("secret", ""),
        },
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@require_GET
def status(request, public_id):
    """Polled by the review page every few seconds."""
    note = _note_for_reviewer(request, public_id)
    data = {
        "status": note.status,
        "status_label": note.get_status_display(),
        "failure_reason": note.failure_reason,
    }
    if note.transcript:
        data["text"] = note.machine_text
        data["language"] = note.language
        data["segments"] = [
            {
                "start": s["start"],
                "end": s["end"],
                "text": s["text"],
                "confidence": s.get("confidence"),
            }
            for s in note.segments
        ]
    if note.submission_id:
        data["receipt_code"] = note.submission.receipt_code
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@require_GET
def audio(request, public_id):
    """Raw audio, for moderators only, until the retention period ends."""
    if not roles.is_moderator(request.user):
        raise PermissionDenied(_("Only moderators can listen to recordings."))
    note = get_object_or_404(VoiceNote, public_id=public_id)
    if not note.has_audio:
        raise Http404(_("This recording has been deleted."))
    # Only ever audio, as a download, never sniffed: an upload must not become a page. An
    # <audio> element still plays it (Content-Disposition applies to navigation only).
    response = FileResponse(
        note.audio.open("rb"),
        as_attachment=True,
        filename=f"{note.public_id.hex}.{note.audio_extension or 'bin'}",
        content_type=note.audio_content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def intake(request, slug):
    """A facilitator uploads many recordings at once, each with its own details and consent.

    Rows are accepted one by one: after a refused row the accepted ones are shown as done,
    with their links, and are no longer inputs, so sending the form again cannot upload
    them twice."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not roles.is_facilitator(request.user):
        raise PermissionDenied(_("Only facilitators can use the bulk intake page."))
    consultation = _consultation(slug)
    formset = IntakeFormSet(
        request.POST or None,
        request.FILES or None,
        form_kwargs={"consultation": consultation},
        prefix="notes",
    )
    accepted: list[VoiceNote] = []
    if request.method == "POST" and formset.is_valid():
        for row in formset:
            if not row.has_changed():
                continue
            try:
                row.accepted_note = services.accept_voice_note(
                    consultation,
                    _voice_input(row.cleaned_data),
                    row.cleaned_data["audio"],
                    user=request.user,
                    facilitator=True,
                )
            except ValidationError as exc:
                add_service_errors(row, exc)
            else:
                accepted.append(row.accepted_note)
        if accepted and not any(row.errors for row in formset):
            return render(
                request, "voice/intake_done.html", {"notes": accepted, "consultation": consultation}
            )
    return render(
        request,
        "voice/intake.html",
        {"formset": formset, "consultation": consultation, "accepted": accepted},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def retry(request, public_id):
    note = _note_for_reviewer(request, public_id)
    services.retry_transcription(
        note, request.user, session_note_ids=request.session.get(SESSION_KEY, [])
    )
    return redirect("consult:voice:review", public_id=note.public_id)
