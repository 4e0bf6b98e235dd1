"""The one audit trail. Every write path that changes what someone submitted, or decides
about it, records who did it, what, why and the text before and after, here, inside its own
transaction (so an entry exists exactly when the change does)."""

from __future__ import annotations

from consult.models import AuditLog


def record(
    action: str,
    *,
    actor=None,
    submission=None,
    target=None,
    reason: str = "",
    explanation: str = "",
    before_text: str = "",
    after_text: str = "",
) -> AuditLog:
    """Append one entry. ``target`` names a record other than a submission (an analysis
    run, a draft version, an account) by its model label and primary key."""
    target_type = target_id = ""
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(target.pk)
    return AuditLog.objects.create(
        action=action,
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        submission=submission,
        target_type=target_type,
        target_id=target_id,
        reason=reason,
        explanation=explanation,
        before_text=before_text,
        after_text=after_text,
    )
