"""Published draft versions and their clauses: immutable text that comments anchor to.

A consultation's working draft is edited as a page one layer up; publishing it snapshots
its clauses into a ``DraftVersion``. The tables keep the names they had when these models
lived in the page app (``cms_draftversion``, ``cms_clauseversion``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.text import slugify


def clause_key_for(identifier: str) -> str:
    """A slug for a clause number: '7(2)(a)' -> 'c-7-2-a'."""
    return "c-" + (slugify(identifier.replace("(", " ").replace(")", " ")) or "x")


class DraftVersion(models.Model):
    """An immutable, published snapshot of a consultation's clauses."""

    page = models.ForeignKey(
        settings.CONSULTATION_MODEL, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "cms_draftversion"
        ordering = ["page", "number"]
        constraints = [
            models.UniqueConstraint(fields=["page", "number"], name="unique_version_number")
        ]

    def __str__(self):
        return f"{self.page.title}, version {self.number}"


# django-stubs cannot type the reverse manager of Submission.clause (a manager built with
# from_queryset on the comments library's manager).
class ClauseVersion(models.Model):  # type: ignore[django-manager-missing]
    """A clause's text as published in one draft version. Comments anchor here."""

    version = models.ForeignKey(DraftVersion, on_delete=models.CASCADE, related_name="clauses")
    key = models.SlugField(max_length=64)
    position = models.PositiveIntegerField()
    identifier = models.CharField(max_length=32)
    heading = models.CharField(max_length=255, blank=True)
    heading_ur = models.CharField(max_length=255, blank=True)
    text = models.TextField()

    class Meta:
        db_table = "cms_clauseversion"
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="unique_clause_key_per_version")
        ]

    def __str__(self):
        return f"{self.identifier} {self.heading}".strip()
