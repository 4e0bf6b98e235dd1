"""Thin HTTP adapters: public transparency, appeals, privacy; moderators' queue (Wagtail)."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from consult.models import AuditLog, Reason, Submission, normalise_receipt
from consult.pagination import page_of
from consult.ratelimit import limit_receipt_guesses, rate_limited
from consult.receipts import secret_matches
from consult.roles import is_moderator
from drafts.consultations import consultation_model
from frontend.form_errors import add_service_errors
from moderation import privacy, selectors, services
from moderation.forms import AppealDecisionForm, AppealForm, DecisionForm, SubmissionSearchForm
from moderation.models import Appeal, Decision
from moderation.selectors import decisions_for_receipt


@never_cache
@require_GET
@limit_receipt_guesses
def receipt_lookup(request):
    """Anyone with a receipt code can see what happened to that submission: its status, the
    decisions and the public text; never the original, the name or the contact details."""
    code = normalise_receipt(request.GET.get("code", ""))
    looked_up = bool(request.GET.get("code", "").strip())
    submission = None
    if code:
        submission = (
            Submission.objects.select_related("consultation").filter(receipt_code=code).first()
        )
    # The moderation decisions and their public reasons, with the appeal form.
    decisions = decisions_for_receipt(submission) if submission else []
    return render(
        request,
        "consult/receipt.html",
        {
            "code": code or request.GET.get("code", "")[:32],
            "submission": submission,
            "looked_up": looked_up,
            "decisions": decisions,
        },
        # The guess limiter counts a 404 as a wrong guess (consult.ratelimit).
        status=404 if looked_up and submission is None else 200,
    )


# --- public --------------------------------------------------------------------------------
@require_GET
def transparency(request, page_id: int):
    consultation = get_object_or_404(consultation_model().objects.live(), pk=page_id)
    return render(
        request,
        "moderation/transparency.html",
        {
            "consultation": consultation,
            "figures": selectors.transparency_figures(consultation),
            "reasons": [(code, label) for code, label in Reason.choices],
        },
    )


@require_GET
def transparency_json(request, page_id: int):
    consultation = get_object_or_404(consultation_model().objects.live(), pk=page_id)
    return JsonResponse(selectors.transparency_figures(consultation))


@require_POST
@rate_limited("appeal")
def appeal(request):
    form = AppealForm(request.POST)
    code = normalise_receipt(request.POST.get("code", ""))
    back = reverse("moderation:receipt") + "?" + urlencode({"code": code})
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    try:
        services.file_appeal(code, form.cleaned_data["decision"], form.cleaned_data["text"])
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Your appeal was received. A different moderator decides."))
    return redirect(back)


@require_GET
def privacy_page(request):
    return render(request, "moderation/privacy.html", {"deleted_text": privacy.DELETED_TEXT})


@never_cache
@login_required
@require_GET
def my_data(request):
    """The signed-in participant's own page: what they sent and what became of it, the
    download of everything, and the way to delete the account."""
    submissions = (
        Submission.objects.filter(user=request.user)
        .select_related("consultation")
        .order_by("-submit_date", "-pk")
    )
    return render(
        request,
        "moderation/my_data.html",
        {"submissions": page_of(request, submissions, 50), "deleted_text": privacy.DELETED_TEXT},
    )


@never_cache
@login_required
@require_GET
def my_data_download(request):
    response = HttpResponse(
        json.dumps(privacy.export_user(request.user), ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="my-submissions.json"'
    return response


def _json_download(data: dict, filename: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
        status=status,
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@limit_receipt_guesses
def receipt_data(request):
    """One submission behind a receipt code, as JSON.

    GET with the code: what the receipt page shows (status, decisions, public text). POST
    with the code and the second secret from the confirmation page: the author's full
    export, original text and contact details included. A POST keeps the secret out of
    URLs and logs.
    """
    params = request.POST if request.method == "POST" else request.GET
    code = normalise_receipt(params.get("code", ""))
    submission = Submission.objects.filter(receipt_code=code).first() if code else None
    if submission is None:
        return JsonResponse(
            {"error": _("No submission has that receipt code. Check the code and try again.")},
            status=404,
        )
    if request.method == "GET":
        return _json_download(privacy.receipt_record(submission), f"receipt-{code}.json")
    if not secret_matches(submission, params.get("secret", "")):
        return JsonResponse(
            {
                "error": _(
                    "The code and the secret do not match. The secret was shown once, "
                    "with the code, when you sent your submission."
                )
            },
            status=404,  # counted as a wrong guess, like an unknown code
        )
    return _json_download(privacy.export_submission(submission), f"submission-{code}.json")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("Tick the box to confirm that you want to delete it."))
            return redirect("moderation:delete_account")
        counts = privacy.delete_account(request.user)
        logout(request)
        return render(request, "moderation/account_deleted.html", {"counts": counts})
    return render(request, "moderation/delete_account.html")


# --- moderators (Wagtail admin; Wagtail already requires admin access) ----------------------
def _moderator_only(request):
    if not is_moderator(request.user):
        raise PermissionDenied(_("Only moderators can see the moderation queue."))


def queue(request):
    """Held submissions and pending appeals, oldest first, a page at a time (``?p=``,
    ``?ap=``): every one of them can be reached, however many there are."""
    _moderator_only(request)
    size = getattr(settings, "MODERATION_QUEUE_PAGE_SIZE", 50)
    held = page_of(request, selectors.queue().order_by("submit_date", "pk"), size, "p")
    appeals = page_of(request, selectors.pending_appeals().order_by("created_at", "pk"), size, "ap")
    return render(
        request,
        "moderation/admin/queue.html",
        {
            "held": held,
            "appeals": appeals,
            "recent": AuditLog.objects.select_related("actor")[:50],
        },
    )


def submissions(request):
    """Every submission, searchable and filtered, a page at a time: how a moderator finds a
    published comment that should not be public (the queue shows only held ones)."""
    _moderator_only(request)
    form = SubmissionSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    found = selectors.search_submissions(
        filters.get("q", ""),
        consultation=filters.get("consultation"),
        state=filters.get("state", ""),
        stance=filters.get("stance", ""),
    )
    size = getattr(settings, "MODERATION_QUEUE_PAGE_SIZE", 50)
    return render(
        request,
        "moderation/admin/submissions.html",
        {"form": form, "found": page_of(request, found, size, "p")},
    )


def submission_detail(request, pk: int):
    _moderator_only(request)
    submission = get_object_or_404(Submission.objects.select_related("consultation"), pk=pk)
    form = DecisionForm(request.POST or None, initial={"redacted_text": submission.comment})
    if request.method == "POST" and form.is_valid():
        try:
            services.decide(submission, moderator=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Decision recorded; the author is told."))
            return redirect("moderation_admin:queue")
    return render(
        request,
        "moderation/admin/submission.html",
        {
            "submission": submission,
            "form": form,
            "decisions": Decision.objects.filter(submission=submission),
            "screening": getattr(submission, "screening", None),
        },
    )


def appeal_detail(request, pk: int):
    _moderator_only(request)
    appeal_obj = get_object_or_404(Appeal.objects.select_related("decision__submission"), pk=pk)
    form = AppealDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_appeal(
                appeal_obj,
                moderator=request.user,
                overturn=form.cleaned_data["outcome"] == "overturn",
                reason=form.cleaned_data["reason"],
                explanation=form.cleaned_data["explanation"],
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Appeal decided; the author is told."))
            return redirect("moderation_admin:queue")
    return render(request, "moderation/admin/appeal.html", {"appeal": appeal_obj, "form": form})
