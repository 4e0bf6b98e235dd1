"""Write paths for moderation: screening on arrival, decisions, appeals.

Each function checks permission, validates, writes the state change and an ``AuditLog``
row in one transaction, and tells the author only after commit.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consult.models import Submission, normalise_receipt
from consult.roles import is_moderator
from moderation.checks import assess, assess_texts, redact
from moderation.models import Appeal, AuditLog, Decision, Reason, Screening
from moderation.ratelimit import text_repeated_too_often

DECISION_REASONS = [r for r in Reason.values if r != Reason.MEETS_RULES]


# Besides the comment, what anyone else may see of a submission: the organisation (shown as a
# lobbying disclosure), the name (shown when the author chose to be named) and the proposed
# wording. Each is screened like the comment and redacted in place, once, on the way in.
SCREENED_FIELDS = ("organisation", "user_name", "proposed_wording")


def screen_new_submission(submission) -> dict:
    """Redact personal data into the public fields and decide visibility, before the insert.

    ``consult.services.submit`` calls it on the unsaved submission, so a submission is
    written once, already redacted; it then records the returned result with
    ``record_screening`` once the row exists. Pre-moderation holds everything;
    post-moderation publishes unless a check holds it (in any public field). Nothing is
    deleted. Only the comment keeps its original, in ``original_text``, for moderators: it
    is what they judge and may need to re-redact by hand. The other fields are short, and
    their personal data is no use to anyone: contact details have their own private field
    (``user_email``), so keeping a second copy would only be more to leak.
    """
    original = submission.original_text or submission.comment
    submission.original_text = original
    others = [(name, getattr(submission, name) or "") for name in SCREENED_FIELDS]
    others = [(name, value) for name, value in others if value.strip()]
    results = assess_texts([original, *(value for _name, value in others)])
    if results[0]["findings"]:
        submission.comment = redact(original, results[0]["findings"])
    for (name, value), result in zip(others, results[1:], strict=True):
        # Redacted before it is cut to the column, so a cut never splits a phone number
        # into something the patterns no longer see.
        redacted = redact(value, result["findings"]) if result["findings"] else value
        setattr(submission, name, redacted[: Submission._meta.get_field(name).max_length])
    result = _combined(["comment", *(name for name, _value in others)], results)
    if text_repeated_too_often(submission.consultation_id, original):
        # A pasted campaign arriving faster than people type: held for a moderator, not
        # refused, so every copy still counts as a supporter once reviewed.
        result["hold_reasons"] = [*result["hold_reasons"], Reason.DUPLICATE.value]
        result["flags"] = [*result["flags"], "same_text_flood"]
    pre = submission.consultation.moderation_mode == "pre"
    submission.is_public = not (pre or bool(result["hold_reasons"]))
    return result


def _combined(fields: list[str], results: list[dict]) -> dict:
    """One screening for the whole submission: what any field found, the highest scores,
    every reason to hold; ``fields`` names where personal data was found."""
    named = list(zip(fields, results, strict=True))
    return {
        "findings": [f | {"field": name} for name, r in named for f in r["findings"]],
        "fields": [name for name, r in named if r["findings"]],
        "flags": list(dict.fromkeys(flag for r in results for flag in r["flags"])),
        "spam_score": max(r["spam_score"] for r in results),
        "abuse_score": max(r["abuse_score"] for r in results),
        "hold_reasons": list(dict.fromkeys(code for r in results for code in r["hold_reasons"])),
    }


def record_screening(submission, result: dict) -> Screening:
    pre = submission.consultation.moderation_mode == "pre"
    screening, _created = Screening.objects.update_or_create(
        submission=submission,
        defaults={
            "pii_kinds": sorted({f["kind"] for f in result["findings"]}),
            "flags": result["flags"],
            "spam_score": result["spam_score"],
            "abuse_score": result["abuse_score"],
            "hold_reasons": result["hold_reasons"],
            "held": not submission.is_public,
            "pre_moderated": pre,
        },
    )
    if result["findings"]:
        AuditLog.objects.create(
            actor=None,
            action="auto_redact",
            submission=submission,
            reason=Reason.PERSONAL_DATA,
            before_text="",  # the original stays in Submission.original_text, moderators only
            after_text=submission.comment,
            explanation=", ".join(screening.pii_kinds)
            + (f" ({', '.join(result['fields'])})" if result.get("fields") else ""),
        )
    if screening.held:
        AuditLog.objects.create(
            actor=None,
            action="auto_hold",
            submission=submission,
            reason=(result["hold_reasons"] or ["pre_moderation"])[0],
            explanation=", ".join(result["flags"]),
        )
    return screening


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
    AuditLog.objects.create(
        actor=moderator,
        action=action,
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
    if Appeal.objects.filter(decision=decision).exists():
        raise ValidationError(_("This decision has already been appealed; one appeal is allowed."))
    if not text.strip():
        raise ValidationError({"text": _("Say why the decision should change.")})
    if len(text) > 2000:
        raise ValidationError({"text": _("An appeal is limited to 2000 characters.")})
    appeal = Appeal.objects.create(decision=decision, text=text.strip())
    AuditLog.objects.create(
        actor=None,
        action="appeal",
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
        action = Decision.Action.APPROVE
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
    AuditLog.objects.create(
        actor=moderator,
        action=f"appeal_{appeal.outcome}",
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
