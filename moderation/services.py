"""Write paths for moderation: decisions and appeals (screening on arrival is
``consult.screening``, part of the one submit path).

Each function checks permission, validates, writes the state change and an ``AuditLog``
entry (``consult.audit``) in one transaction, and tells the author only after commit.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consult import audit
from consult.models import Reason, normalise_receipt
from consult.roles import is_moderator
from moderation.models import Appeal, Decision
from text.checks import assess, redact

DECISION_REASONS = [r for r in Reason.values if r != Reason.MEETS_RULES]


def _require_moderator(user) -> None:
    if not is_moderator(user) and not (
        user is not None and user.has_perm("moderation.decide_submission")
    ):
        raise PermissionDenied(_("Only moderators can decide on submissions."))


def _validate_reason(reason: str, explanation: str, allowed: list[str]) -> None:
    if reason not in allowed:
        raise ValidationError(
            {"reason": _("Choose one of the published reasons: %(r)s.") % {"r": ", ".join(allowed)}}
        )
    if reason == Reason.OTHER and not explanation.strip():
        raise ValidationError({"explanation": _("'Other' needs an explanation for the author.")})


@transaction.atomic
def decide(
    submission,
    *,
    action: str,
    reason: str,
    moderator,
    explanation: str = "",
    redacted_text: str | None = None,
) -> Decision:
    """Approve, remove or edit-redact a submission, with a public reason."""
    _require_moderator(moderator)
    if action not in Decision.Action.values:
        raise ValidationError({"action": _("Unknown action: %(a)s.") % {"a": action}})
    allowed = [Reason.MEETS_RULES, *DECISION_REASONS] if action == "approve" else DECISION_REASONS
    _validate_reason(reason, explanation, allowed)
    submission = type(submission).objects.select_for_update(of=("self",)).get(pk=submission.pk)
    before = submission.comment
    if action == Decision.Action.APPROVE:
        submission.is_public, submission.is_removed = True, False
    elif action == Decision.Action.REMOVE:
        submission.is_removed = True
    else:
        if not redacted_text or not redacted_text.strip():
            raise ValidationError({"redacted_text": _("Give the text as it should be shown.")})
        submission.comment = redacted_text
        submission.is_public, submission.is_removed = True, False
    submission.save(update_fields=["is_public", "is_removed", "comment"])
    decision = Decision.objects.create(
        submission=submission,
        action=action,
        reason=reason,
        explanation=explanation,
        moderator=moderator,
    )
    audit.record(
        action,
        actor=moderator,
        submission=submission,
        reason=reason,
        explanation=explanation,
        before_text=before,
        after_text=submission.comment,
    )
    transaction.on_commit(lambda: notify_author(decision.pk))
    return decision


@transaction.atomic
def file_appeal(receipt_code: str, decision_id: int, text: str) -> Appeal:
    """The author (proved by the receipt code) appeals a decision, once."""
    decision = (
        Decision.objects.select_related("submission")
        .filter(pk=decision_id, submission__receipt_code=normalise_receipt(receipt_code))
        .first()
    )
    if decision is None:
        raise ValidationError(_("No decision matches that receipt code."))
    if decision.settles_appeal_id is not None:
        raise ValidationError(_("This decision settled an appeal; it cannot be appealed again."))
    if decision.action == Decision.Action.APPROVE:
        raise ValidationError(_("An approval cannot be appealed: the submission is published."))
    if Appeal.objects.filter(decision=decision).exists():
        raise ValidationError(_("This decision has already been appealed; one appeal is allowed."))
    if not text.strip():
        raise ValidationError({"text": _("Say why the decision should change.")})
    if len(text) > 2000:
        raise ValidationError({"text": _("An appeal is limited to 2000 characters.")})
    appeal = Appeal.objects.create(decision=decision, text=text.strip())
    audit.record(
        "appeal",
        submission=decision.submission,
        reason=decision.reason,
        explanation=text.strip(),
    )
    return appeal


@transaction.atomic
def decide_appeal(
    appeal: Appeal, *, moderator, overturn: bool, reason: str, explanation: str = ""
) -> Appeal:
    """A moderator other than the one who decided settles the appeal."""
    _require_moderator(moderator)
    appeal = (
        Appeal.objects.select_for_update(of=("self",)).select_related("decision").get(pk=appeal.pk)
    )
    if appeal.outcome != Appeal.Outcome.PENDING:
        raise ValidationError(_("This appeal has already been decided."))
    if appeal.decision.moderator_id == moderator.pk:
        raise PermissionDenied(_("A different moderator must decide an appeal."))
    submission = appeal.decision.submission
    if overturn:
        # Overturning restores the submission as submitted (personal data stays redacted).
        action: str = Decision.Action.APPROVE
        reason = reason or Reason.MEETS_RULES
        _validate_reason(reason, explanation, [Reason.MEETS_RULES, *DECISION_REASONS])
        before = submission.comment
        if appeal.decision.action == Decision.Action.REDACT:
            submission.comment = redact(
                submission.original_text, assess(submission.original_text)["findings"]
            )
        submission.is_public, submission.is_removed = True, False
        submission.save(update_fields=["is_public", "is_removed", "comment"])
    else:
        action = appeal.decision.action
        reason = reason or appeal.decision.reason
        _validate_reason(reason, explanation, DECISION_REASONS + [Reason.MEETS_RULES])
        before = submission.comment
    appeal.outcome = Appeal.Outcome.OVERTURNED if overturn else Appeal.Outcome.UPHELD
    appeal.decided_by = moderator
    appeal.decided_at = timezone.now()
    appeal.save()
    decision = Decision.objects.create(
        submission=submission,
        action=action,
        reason=reason,
        explanation=explanation,
        moderator=moderator,
        settles_appeal=appeal,
    )
    audit.record(
        f"appeal_{appeal.outcome}",
        actor=moderator,
        submission=submission,
        reason=reason,
        explanation=explanation,
        before_text=before,
        after_text=submission.comment,
    )
    transaction.on_commit(lambda: notify_author(decision.pk))
    return appeal


def notify_author(decision_id: int) -> None:
    """E-mail the author, if they gave an address; the receipt page shows the same."""
    decision = Decision.objects.select_related("submission").get(pk=decision_id)
    submission = decision.submission
    if not submission.user_email:
        return
    send_mail(
        subject=_("Your submission: %(action)s") % {"action": decision.get_action_display()},
        message=_(
            "Your submission %(code)s was %(action)s. Reason: %(reason)s. %(explanation)s\n"
            "You can see this and appeal once on the receipt page with your code."
        )
        % {
            "code": submission.receipt_code,
            "action": decision.get_action_display().lower(),
            "reason": decision.get_reason_display(),
            "explanation": decision.explanation,
        },
        from_email=None,
        recipient_list=[submission.user_email],
        fail_silently=True,
    )
