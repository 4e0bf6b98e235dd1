"""Thin HTTP adapters over consult.services and consult.selectors."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from consult.forms import CommentForm, comment_form_context
from consult.honeypot import REFUSED, honeypot_tripped
from consult.live.identity import participant_for_request
from consult.ratelimit import client_ip, rate_limited
from consult.receipts import remember_confirmation
from consult.services import TokenConflict, participant_key_for, submit
from drafts.consultations import consultation_model
from frontend.form_errors import error_messages


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _consultation_url(request, page_id: int) -> str:
    page = consultation_model().objects.live().filter(pk=page_id).first()
    return page.url if page else "/"


def _comment_refused(request, message: str, retry_after: int, page_id: int):
    """Over the limit: the comment page again, with what was typed and when to send it."""
    if _wants_json(request):
        return None
    page = consultation_model().objects.live().filter(pk=page_id).first()
    if page is None:
        return None
    return _comment_error_page(
        request, page.specific, {"__all__": [message]}, 429, retry_after=retry_after
    )


def _comment_error_page(request, page, errors, status, retry_after=None):
    context = {
        "page": page,
        "errors": errors,
        "values": request.POST,
        "clause_id": request.POST.get("clause_id", "")[:20],
        "retry_after": retry_after,
        **comment_form_context(page),
    }
    return render(request, "consult/comment_error.html", context, status=status)


@never_cache
@require_POST
@rate_limited("comment", back=_consultation_url, refuse=_comment_refused)
def post_comment(request, page_id: int):
    """Submit a comment from the per-clause form (HTML or, with Accept: JSON, for scripts)."""
    page = get_object_or_404(consultation_model().objects.live(), pk=page_id).specific
    form = CommentForm(request.POST)
    status, errors, submission = 400, {}, None
    if honeypot_tripped(request.POST):
        # Refused without saying why: a bot learns nothing it could adjust to.
        errors = {"__all__": [str(REFUSED)]}
    elif form.is_valid():
        participant = participant_key_for(request.user, participant_for_request(request))
        try:
            submission = submit(
                page,
                form.to_input(client_ip(request)),
                request.user,
                participant_key=participant,
            )
        except TokenConflict as error:
            errors, status = error_messages(error), 409
        except ValidationError as error:
            errors = error_messages(error)
            if getattr(error, "code", None) == "closed":
                status = 403
    else:
        errors = {field: list(messages) for field, messages in form.errors.items()}
    if submission is not None:
        if _wants_json(request):
            return JsonResponse(
                {
                    "receipt_code": submission.receipt_code,
                    "receipt_secret": submission.receipt_secret,
                    "status": submission.status,
                    "id": submission.pk,
                },
                status=201,
            )
        remember_confirmation(request, submission)
        anchor = (
            f"#comment-{submission.pk}"
            if submission.is_public
            else (f"#clause-{submission.clause_key}" if submission.clause_key else "")
        )
        return redirect(f"{page.url}{anchor}")
    if _wants_json(request):
        return JsonResponse({"errors": errors}, status=status)
    return _comment_error_page(request, page, errors, status)
