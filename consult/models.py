"""The one record: every contribution, whichever door it came through, is a Submission.

``Submission`` extends django-comments-xtd's threaded comment, so replies, flagging and the
comment moderator come from that library. Its state is the library's own pair of flags:
published = ``is_public and not is_removed``; held = ``not is_public``; removed =
``is_removed``.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_comments_xtd.models import XtdComment, XtdCommentManager

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud on a phone
# 12 letters of a 32-letter alphabet: 60 bits, so a code cannot be guessed, in three groups
# of four so it can still be written down or read out over the phone.
RECEIPT_GROUPS = 3


def _random_groups(groups: int) -> str:
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(4 * groups))
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def new_receipt_code() -> str:
    """The code a participant keeps to follow their submission: 'K7QX-M3PA-W8RT'."""
    return _random_groups(RECEIPT_GROUPS)


def new_receipt_secret() -> str:
    """The second secret, shown once on the confirmation page: with the code it opens the
    participant's full export (their original text and contact details)."""
    return _random_groups(RECEIPT_GROUPS)


def normalise_receipt(value: str) -> str:
    """A code as people write it ('k7qx m3pa w8rt', with or without dashes) in its stored
    form; anything that cannot be a code becomes ''."""
    letters = "".join(ch for ch in value.upper() if ch in RECEIPT_ALPHABET)
    if len(letters) not in (8, 4 * RECEIPT_GROUPS):  # 8: codes issued before 60-bit codes
        return ""
    return "-".join(letters[i : i + 4] for i in range(0, len(letters), 4))


def new_public_alias() -> str:
    """The pseudonym's suffix ('Participant 7KQ2'): random, unrelated to the receipt code,
    so the name shown in public says nothing about the code."""
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(4))


class Stance(models.TextChoices):
    SUPPORT = "support", _("Support")
    OPPOSE = "oppose", _("Oppose")
    AMEND = "amend", _("Amend")
    QUESTION = "question", _("Question")
    OTHER = "other", _("Other")


class Stakeholder(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    CIVIL_SOCIETY = "civil_society", _("Civil-society organisation")
    BUSINESS = "business", _("Business")
    ACADEMIA = "academia", _("Academia")
    GOVERNMENT = "government", _("Government body")
    MEDIA = "media", _("Media")
    OTHER = "other", _("Other")

    @classmethod
    def organisations(cls) -> set[str]:
        return {cls.CIVIL_SOCIETY, cls.BUSINESS, cls.ACADEMIA, cls.GOVERNMENT, cls.MEDIA}


class Source(models.TextChoices):
    TYPED = "typed", _("Typed online")
    VOICE = "voice", _("Voice note")
    TOWN_HALL = "town_hall", _("Town hall")
    PAPER = "paper", _("Paper form (entered by a facilitator)")
    PHONE = "phone", _("Phone call (entered by a facilitator)")


class DisplayMode(models.TextChoices):
    NAMED = "named", _("Show my name")
    PSEUDONYMOUS = "pseudonymous", _("Show a pseudonym")


class AnchorStatus(models.TextChoices):
    EXACT = "exact", _("Exact")
    MOVED = "moved", _("Moved")
    CHANGED = "changed", _("Changed")
    ORPHANED = "orphaned", _("Orphaned: needs review")
    KEPT = "kept", _("Kept on its original version by a moderator")


class SubmissionQuerySet(models.QuerySet):
    """The one definition of a submission's state, for every reader.

    The state is the comments library's own pair of flags: published is public and not
    removed; held is not public and not removed; removed is removed, whatever else.
    """

    def published(self):
        return self.filter(is_public=True, is_removed=False)

    def held(self):
        return self.filter(is_public=False, is_removed=False)

    def removed(self):
        return self.filter(is_removed=True)

    def state_counts(self) -> dict[str, int]:
        """How many are published, held and removed, in one query."""
        from django.db.models import Count, Q

        return self.aggregate(
            published=Count("pk", filter=Q(is_public=True, is_removed=False)),
            held=Count("pk", filter=Q(is_public=False, is_removed=False)),
            removed=Count("pk", filter=Q(is_removed=True)),
        )


# The library's manager (its ordering and joins), with the state filters on top.
SubmissionManager = XtdCommentManager.from_queryset(SubmissionQuerySet)


class Submission(XtdComment):
    """A comment, voice note, town-hall question or paper form about a draft or a clause."""

    consultation = models.ForeignKey(
        settings.CONSULTATION_MODEL, on_delete=models.PROTECT, related_name="submissions"
    )
    clause = models.ForeignKey(
        "drafts.ClauseVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submissions",
        help_text=_("The clause (as published in one version); empty for the whole draft."),
    )
    clause_key = models.SlugField(max_length=64, blank=True, db_index=True)
    stance = models.CharField(_("stance"), max_length=16, choices=Stance.choices)
    stakeholder = models.CharField(
        _("stakeholder category"), max_length=24, choices=Stakeholder.choices
    )
    organisation = models.CharField(
        _("organisation"),
        max_length=255,
        blank=True,
        help_text=_("Shown publicly for organisations, as a lobbying disclosure."),
    )
    language = models.CharField(_("language"), max_length=8, default="en")
    display_mode = models.CharField(
        max_length=16, choices=DisplayMode.choices, default=DisplayMode.PSEUDONYMOUS
    )
    proposed_wording = models.TextField(_("proposed wording"), blank=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.TYPED)
    original_text = models.TextField(
        blank=True,
        help_text=_("The text as submitted, before redaction. Visible to moderators only."),
    )
    receipt_code = models.CharField(max_length=19, unique=True, default=new_receipt_code)
    # salted_hmac of the second secret (consult.receipts); the secret itself is never stored.
    receipt_secret_hash = models.CharField(max_length=64, blank=True, editable=False)
    public_alias = models.CharField(max_length=8, default=new_public_alias, editable=False)
    client_token = models.CharField(
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        help_text=_(
            "A digest of the idempotency token with its consultation and participant "
            "(consult.receipts.scoped_token): a resend by the same person is the same "
            "submission."
        ),
    )
    # W3C TextQuoteSelector + TextPositionSelector into the clause's text in
    # ``anchor_language`` (clause.text_in(anchor_language)), or empty.
    anchor_language = models.CharField(
        _("language of the commented words"),
        max_length=8,
        default="en",
        help_text=_("The clause's text the quote is in: the English original or the Urdu."),
    )
    anchor_exact = models.TextField(blank=True)
    anchor_prefix = models.CharField(max_length=64, blank=True)
    anchor_suffix = models.CharField(max_length=64, blank=True)
    anchor_start = models.PositiveIntegerField(null=True, blank=True)
    anchor_end = models.PositiveIntegerField(null=True, blank=True)
    anchor_status = models.CharField(
        max_length=16, choices=AnchorStatus.choices, blank=True, default=""
    )
    anchor_confidence = models.FloatField(null=True, blank=True)
    # The words as the participant selected them and the version they read: re-anchoring
    # moves the anchor above onto newer wording, never these.
    written_on_exact = models.TextField(blank=True)
    written_on_version = models.PositiveIntegerField(null=True, blank=True)

    objects = SubmissionManager()

    class Meta:
        verbose_name = _("submission")
        indexes = [models.Index(fields=["consultation", "clause_key"])]
        permissions = [
            ("enter_submission", "Can enter submissions for participants and run town halls")
        ]

    def save(self, *args, **kwargs):
        if self.pk is None and not self.parent_id and not kwargs.get("update_fields"):
            # A new thread. The comments library inserts the row and then saves all of it
            # again (three UPDATEs, and its pre_save receiver's queries for replies that a
            # new comment cannot have) only to make the comment its own parent and thread:
            # one narrow UPDATE in the same transaction does the same.
            with transaction.atomic(savepoint=False):
                super(XtdComment, self).save(*args, **kwargs)
                XtdComment.norel_objects.filter(pk=self.pk).update(
                    parent_id=self.pk, thread_id=self.pk
                )
            self.parent_id = self.thread_id = self.pk
            return
        super().save(*args, **kwargs)

    @property
    def status(self) -> str:
        if self.is_removed:
            return "removed"
        return "published" if self.is_public else "held"

    @property
    def has_anchor(self) -> bool:
        return bool(self.anchor_exact)

    def selector(self) -> dict | None:
        if not self.anchor_exact:
            return None
        return {
            "exact": self.anchor_exact,
            "prefix": self.anchor_prefix,
            "suffix": self.anchor_suffix,
            "start": self.anchor_start,
            "end": self.anchor_end,
        }

    @property
    def public_name(self) -> str:
        if self.stakeholder in Stakeholder.organisations() and self.organisation:
            return self.organisation
        if self.display_mode == DisplayMode.NAMED and self.user_name:
            return self.user_name
        return f"Participant {self.public_alias}"


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
        "Submission", on_delete=models.CASCADE, related_name="screening"
    )
    created_at = models.DateTimeField(default=timezone.now)
    pii_kinds = models.JSONField(default=list, blank=True)
    flags = models.JSONField(default=list, blank=True)
    spam_score = models.FloatField(default=0.0)
    abuse_score = models.FloatField(default=0.0)
    hold_reasons = models.JSONField(default=list, blank=True)
    held = models.BooleanField(default=False)
    pre_moderated = models.BooleanField(default=False)

    class Meta:
        db_table = "moderation_screening"

    def __str__(self):
        return f"screening of {self.submission_id}"


class AuditLog(models.Model):
    """Append-only: who did what to which submission (or record), when, why, and the text
    before and after. The one audit trail: moderation, facilitation, anchoring, privacy and
    analysis all write it through ``consult.audit.record``."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=32)
    submission = models.ForeignKey(
        "Submission", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What else the entry is about, when it is not a submission ("analysis.run", "7").
    target_type = models.CharField(max_length=32, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=24, blank=True)
    explanation = models.TextField(blank=True)
    before_text = models.TextField(blank=True)
    after_text = models.TextField(blank=True)

    class Meta:
        db_table = "moderation_auditlog"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.submission_id}"
