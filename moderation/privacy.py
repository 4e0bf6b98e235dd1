"""Participants' own data: export everything they submitted, and delete their account.

Deleting an account removes the name and contact details from every submission and the
text of submissions that were never published. Published submissions stay in the public
record (the consultation's evidence must not change after the fact) under a pseudonym.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from consult import audit
from consult.models import AuditLog, DisplayMode, Submission
from moderation.models import Appeal, Decision

DELETED_TEXT = "[deleted by the participant]"


def _decisions(submission: Submission, *, with_appeal_text: bool) -> list[dict]:
    rows = []
    for d in Decision.objects.filter(submission=submission).select_related("appeal"):
        appeal = None
        if hasattr(d, "appeal"):
            appeal = {"outcome": d.appeal.outcome}
            if with_appeal_text:
                appeal["text"] = d.appeal.text
        rows.append(
            {
                "action": d.action,
                "reason": d.reason,
                "explanation": d.explanation,
                "at": d.created_at.isoformat(),
                "appeal": appeal,
            }
        )
    return rows


def receipt_record(submission: Submission) -> dict:
    """What a receipt code alone shows: the status, the decisions and the public text.

    Anyone holding the code sees this, so it holds nothing the author did not make public:
    no original text, no name, no contact details, no appeal text.
    """
    return {
        "receipt_code": submission.receipt_code,
        "consultation": submission.consultation.title,
        "clause": submission.clause.identifier if submission.clause_id else None,
        "submitted_at": submission.submit_date.isoformat(),
        "status": submission.status,
        "text_shown_publicly": submission.comment,
        "proposed_wording": submission.proposed_wording,
        "stance": submission.stance,
        "stakeholder": submission.stakeholder,
        "organisation": submission.organisation,
        "language": submission.language,
        "source": submission.source,
        "highlighted_passage": submission.anchor_exact,
        "decisions": _decisions(submission, with_appeal_text=False),
    }


def export_submission(submission: Submission) -> dict:
    """Everything about one submission, for its author only (their account, or the receipt
    code with its second secret): the original text and contact details too."""
    return {
        **receipt_record(submission),
        "decisions": _decisions(submission, with_appeal_text=True),
        "text_as_submitted": submission.original_text or submission.comment,
        "display_mode": submission.display_mode,
        "name": submission.user_name,
        "email": submission.user_email,
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
    # Counts only: the entry must not say who the account was.
    audit.record(
        "account_deleted",
        explanation=f"published kept under a pseudonym: {kept}; unpublished erased: {erased}",
    )
    return {"published_kept_under_pseudonym": kept, "unpublished_erased": erased}
