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
from django.utils.translation import gettext_lazy as _


def clause_key_for(identifier: str) -> str:
    """A slug for a clause number: '7(2)(a)' -> 'c-7-2-a'."""
    return "c-" + (slugify(identifier.replace("(", " ").replace(")", " ")) or "x")


class DraftVersionQuerySet(models.QuerySet):
    def live(self):
        """Versions readers see: their comments have been moved onto them."""
        return self.filter(anchoring=DraftVersion.Anchoring.DONE)


class DraftVersion(models.Model):
    """An immutable, published snapshot of a consultation's clauses.

    A new version's comments move onto it in a background job (``anchoring``): until the
    job has moved every one of them, readers keep seeing the previous version with its
    anchors; then they switch at once."""

    class Anchoring(models.TextChoices):
        PENDING = "pending", _("Moving comments")
        DONE = "done", _("Published")
        SUPERSEDED = "superseded", _("Superseded by a newer version")

    page = models.ForeignKey(
        settings.CONSULTATION_MODEL, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    anchoring = models.CharField(
        _("comments"), max_length=16, choices=Anchoring.choices, default=Anchoring.DONE
    )
    anchoring_source = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text=_("The version whose comments move onto this one."),
    )  # fmt: skip
    anchoring_done = models.PositiveIntegerField(_("comments moved"), default=0)
    anchoring_total = models.PositiveIntegerField(_("comments to move"), default=0)

    objects = DraftVersionQuerySet.as_manager()

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
    text_ur = models.TextField(blank=True)
    text_ur_behind = models.BooleanField(
        _("Urdu text behind the English"),
        default=False,
        help_text=_(
            "The English text was revised after this Urdu text was written, and the Urdu "
            "has not been revised since: it may not say what the clause now says."
        ),
    )

    class Meta:
        db_table = "cms_clauseversion"
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="unique_clause_key_per_version")
        ]

    def __str__(self):
        return f"{self.identifier} {self.heading}".strip()

    def text_in(self, language: str) -> str:
        """The clause's words in ``language`` ('' where there is no such text): comments
        anchor to the words of the language they were read in."""
        return self.text_ur if language == "ur" else self.text

    def languages(self) -> list[str]:
        """The languages this clause has text in, English (the original) first."""
        return ["en", "ur"] if self.text_ur else ["en"]
