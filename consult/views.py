"""Thin HTTP adapters over consult.services and consult.selectors."""

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from consult.models import Submission


@require_GET
def healthz(request):
    """Liveness for load balancers: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})


@require_GET
def receipt_lookup(request):
    """Anyone with a receipt code can see what happened to that submission."""
    code = request.GET.get("code", "").strip().upper()
    submission = None
    if code:
        submission = (
            Submission.objects.select_related("consultation").filter(receipt_code=code).first()
        )
    # issue 8: the moderation decisions and their public reasons, with the appeal form
    from moderation.selectors import decisions_for_receipt

    decisions = decisions_for_receipt(submission) if submission else []
    return render(
        request,
        "consult/receipt.html",
        {"code": code, "submission": submission, "looked_up": bool(code), "decisions": decisions},
    )
