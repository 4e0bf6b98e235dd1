"""Analysis runs and their results, traceable to the submissions behind every figure."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel
from wagtail.models import Orderable

from text.public_fields import refuse_personal_data


class AnalysisRun(models.Model):
    """One run of steps 1-4 over a consultation's published submissions."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    consultation = models.ForeignKey(
        settings.CONSULTATION_MODEL, on_delete=models.CASCADE, related_name="analysis_runs"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=32, blank=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text=_("Percent done."))
    parameters = models.JSONField(default=dict, blank=True)
    stage_timings = models.JSONField(default=dict, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    results = models.JSONField(
        default=dict, blank=True, help_text=_("Method, per-clause figures, moderation figures.")
    )
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(
        _("attempts"), default=0, help_text=_("Times a worker started this run.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("analysis run")
        permissions = [
            ("view_analysis", "Can view analysis dashboards"),
            ("run_analysis", "Can run an analysis and draft the report"),
        ]

    def __str__(self):
        return f"Analysis {self.pk} of {self.consultation_id} ({self.status}, {self.progress}%)"


class Campaign(models.Model):
    """Near-identical submissions: one position with ``size`` supporters, never dropped."""

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="campaigns")
    number = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    representative = models.ForeignKey(
        "consult.Submission", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    representative_text = models.TextField()
    first_at = models.DateTimeField(null=True, blank=True)
    last_at = models.DateTimeField(null=True, blank=True)
    share_anonymous = models.FloatField(null=True, blank=True)
    stances = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["run", "number"]

    def __str__(self):
        return f"Campaign {self.number} ({self.size})"


class Theme(models.Model):
    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="themes")
    number = models.PositiveIntegerField()
    label = models.CharField(max_length=255)
    terms = models.JSONField(default=list)
    size = models.PositiveIntegerField()
    distinct_texts = models.PositiveIntegerField(default=0)
    stakeholders = models.JSONField(default=dict, blank=True)
    quotes = models.JSONField(
        default=list, help_text=_("Submission ids and texts near the centre.")
    )
    # Set by an analyst (analysis.workspace): shown apart in the report, still counted.
    out_of_scope = models.BooleanField(_("out of scope"), default=False)
    # What analysts decided about this theme that a later run should keep where the same
    # submissions are still together (analysis.workspace.carry_over): "renamed", "merged"
    # (true), "moved_in" (submission ids moved here), "split_from" (the theme it was split
    # from, shared by its pieces).
    decisions = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["run", "number"]

    def __str__(self):
        return f"{self.number}. {self.label}"


class ThemeMember(models.Model):
    """Which submission is behind which theme (and campaign): every summary point traces back."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="members")
    submission = models.ForeignKey(
        "consult.Submission", on_delete=models.CASCADE, related_name="theme_memberships"
    )
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="members"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["theme", "submission"], name="unique_theme_member")
        ]

    def __str__(self):
        return f"{self.submission_id} in {self.theme_id}"


class ThemeResponse(Orderable):
    """The ministry's answer to a theme: "you said, we did"."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Not yet answered")
        ACCEPTED = "accepted", _("Accepted")
        PARTLY = "partly", _("Partly accepted")
        NOT_ACCEPTED = "not_accepted", _("Not accepted")

    page = ParentalKey("cms.ReportPage", on_delete=models.CASCADE, related_name="responses")
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses"
    )
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING
    )
    reason = models.TextField(_("reason"), blank=True)
    changed_clause = models.ForeignKey(
        "drafts.ClauseVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("changed clause"),
        help_text=_("The clause as changed in the next draft version."),
    )

    panels = [
        FieldPanel("theme"),
        FieldPanel("outcome"),
        FieldPanel("reason"),
        FieldPanel("changed_clause"),
    ]

    def __str__(self):
        return f"{self.theme}: {self.get_outcome_display()}"

    def clean(self):
        super().clean()
        refuse_personal_data(self, ("reason",))  # public, as written (text.public_fields)


class Point(models.Model):
    """One point of a submission (a paragraph, an item of a numbered list, or a sentence of a
    long paragraph; ``text.points``), with the clause it is about and its theme in a run."""

    class MatchedBy(models.TextChoices):
        REFERENCE = "reference", _("It names the clause")
        WORDS = "words", _("Its words match the clause")
        ANCHOR = "anchor", _("The clause the submission was made on")
        NONE = "none", _("The whole draft")

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="points")
    submission = models.ForeignKey(
        "consult.Submission", on_delete=models.CASCADE, related_name="analysis_points"
    )
    position = models.PositiveIntegerField()
    number = models.CharField(max_length=8, blank=True)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField()
    clause_key = models.CharField(max_length=64, blank=True)
    matched_by = models.CharField(max_length=16, choices=MatchedBy.choices)
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.SET_NULL, related_name="points"
    )

    class Meta:
        ordering = ["run", "submission", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "submission", "position"], name="unique_point_position"
            )
        ]

    def __str__(self):
        return f"{self.submission_id}.{self.position}: {self.text[:40]}"
