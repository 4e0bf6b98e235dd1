"""Participants' own data: export everything they submitted, and delete their account.

Deleting an account removes the name and contact details from every submission and the
text of submissions that were never published. Published submissions stay in the public
record (the consultation's evidence must not change after the fact) under a pseudonym.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from consult.models import DisplayMode, Submission
from moderation.models import Appeal, AuditLog, Decision

DELETED_TEXT = "[deleted by the participant]"


def export_submission(submission: Submission) -> dict:
    decisions = Decision.objects.filter(submission=submission).select_related("appeal")
    return {
        "receipt_code": submission.receipt_code,
        "consultation": submission.consultation.title,
        "clause": submission.clause.identifier if submission.clause_id else None,
        "submitted_at": submission.submit_date.isoformat(),
        "text_as_submitted": submission.original_text or submission.comment,
        "text_shown_publicly": submission.comment,
        "proposed_wording": submission.proposed_wording,
        "stance": submission.stance,
        "stakeholder": submission.stakeholder,
        "organisation": submission.organisation,
        "language": submission.language,
        "source": submission.source,
        "display_mode": submission.display_mode,
        "name": submission.user_name,
        "email": submission.user_email,
        "status": submission.status,
        "highlighted_passage": submission.anchor_exact,
        "decisions": [
            {
                "action": d.action,
                "reason": d.reason,
                "explanation": d.explanation,
                "at": d.created_at.isoformat(),
                "appeal": (
                    {"text": d.appeal.text, "outcome": d.appeal.outcome}
                    if hasattr(d, "appeal")
                    else None
                ),
            }
            for d in decisions
        ],
    }


def export_user(user) -> dict:
    submissions = Submission.objects.filter(user=user).select_related("consultation", "clause")
    return {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "username": user.get_username(),
            "name": user.get_full_name(),
            "email": user.email,
            "joined": user.date_joined.isoformat(),
        },
        "submissions": [export_submission(s) for s in submissions.order_by("submit_date")],
    }


@transaction.atomic
def delete_account(user) -> dict:
    """Scrub the participant from the record, then delete the account. Returns the counts."""
    submissions = list(Submission.objects.select_for_update(of=("self",)).filter(user=user))
    kept, erased = 0, 0
    for submission in submissions:
        published = submission.is_public and not submission.is_removed
        submission.user = None
        submission.user_name = ""
        submission.user_email = ""
        submission.user_url = ""
        submission.ip_address = None
        submission.display_mode = DisplayMode.PSEUDONYMOUS
        if published:
            kept += 1
        else:
            erased += 1
            submission.comment = DELETED_TEXT
            submission.original_text = ""
            submission.proposed_wording = ""
            submission.anchor_exact = ""
            AuditLog.objects.filter(submission=submission).update(
                before_text="", after_text="", explanation=""
            )
            Appeal.objects.filter(decision__submission=submission).update(text="")
        submission.save()
    user.delete()
    return {"published_kept_under_pseudonym": kept, "unpublished_erased": erased}
