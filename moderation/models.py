"""Moderation records: automatic screening, human decisions, appeals and the audit log.

A submission's visible state stays on the library's own flags (``is_public``,
``is_removed``); these models say *why* it is in that state, who decided and when.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Reason(models.TextChoices):
    """The fixed, public list of reasons. Every decision names one."""

    PERSONAL_DATA = "personal_data", _("Personal data")
    SPAM = "spam", _("Spam")
    ABUSE = "abuse", _("Abuse or threats")
    OFF_TOPIC = "off_topic", _("Off topic")
    DUPLICATE = "duplicate", _("Duplicate")
    OTHER = "other", _("Other (explained)")
    MEETS_RULES = "meets_rules", _("Meets the participation rules")


class Screening(models.Model):
    """What the automatic checks found when a submission arrived."""

    submission = models.OneToOneField(
        "consult.Submission", on_delete=models.CASCADE, related_name="screening"
    )
    created_at = models.DateTimeField(default=timezone.now)
    pii_kinds = models.JSONField(default=list, blank=True)
    flags = models.JSONField(default=list, blank=True)
    spam_score = models.FloatField(default=0.0)
    abuse_score = models.FloatField(default=0.0)
    hold_reasons = models.JSONField(default=list, blank=True)
    held = models.BooleanField(default=False)
    pre_moderated = models.BooleanField(default=False)

    def __str__(self):
        return f"screening of {self.submission_id}"


class Decision(models.Model):
    class Action(models.TextChoices):
        APPROVE = "approve", _("Approved")
        REMOVE = "remove", _("Removed")
        REDACT = "redact", _("Edited to redact")

    submission = models.ForeignKey(
        "consult.Submission", on_delete=models.CASCADE, related_name="decisions"
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    reason = models.CharField(max_length=24, choices=Reason.choices)
    explanation = models.TextField(blank=True)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Set when this decision settles an appeal against an earlier one.
    settles_appeal = models.OneToOneField(
        "Appeal", null=True, blank=True, on_delete=models.SET_NULL, related_name="settling_decision"
    )

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} ({self.get_reason_display()})"


class Appeal(models.Model):
    """The author's one appeal against one decision; a different moderator decides it."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        UPHELD = "upheld", _("Decision upheld")
        OVERTURNED = "overturned", _("Decision overturned")

    decision = models.OneToOneField(Decision, on_delete=models.CASCADE, related_name="appeal")
    text = models.TextField(_("why the decision should change"))
    created_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"appeal against {self.decision_id} ({self.outcome})"


class AuditLog(models.Model):
    """Append-only: who did what to which submission, when, why, and the text before/after."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=32)
    submission = models.ForeignKey(
        "consult.Submission", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=24, blank=True)
    explanation = models.TextField(blank=True)
    before_text = models.TextField(blank=True)
    after_text = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("decide_submission", "Can approve, remove or redact submissions"),
            ("view_analysis", "Can view analysis dashboards"),
            ("enter_submission", "Can enter submissions for participants and run town halls"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.submission_id}"
