"""Moderation records: human decisions with public reasons, and appeals.

The screening on arrival, the public reasons and the one audit log belong to the
participation record (``consult.models``), which every door writes.

A submission's visible state stays on the library's own flags (``is_public``,
``is_removed``); these models say *why* it is in that state, who decided and when.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consult.models import Reason


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
        permissions = [("decide_submission", "Can approve, remove or redact submissions")]

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
