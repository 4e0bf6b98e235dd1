"""Runtime state of live town halls and their stored, sequenced event log.

The editorial part of a town hall (title, times, facilitators, agenda) is the Wagtail
``cms.TownHallPage``. What happens during the session lives here, outside page revisions,
so publishing the page never rewinds a running session.

Every change is appended to ``LiveEvent`` with a per-town-hall sequence number: the channel
layer may drop a message, the database does not, and clients catch up by sequence number.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TownHall(models.Model):
    """One per TownHallPage: session state and the event counter (locked to assign seq)."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        LIVE = "live", _("Live")
        ENDED = "ended", _("Ended")

    page = models.OneToOneField(
        "cms.TownHallPage", on_delete=models.CASCADE, related_name="runtime"
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.SCHEDULED)
    last_seq = models.PositiveBigIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    announcement = models.CharField(max_length=500, blank=True)
    caption = models.CharField(max_length=500, blank=True)
    current_speaker = models.ForeignKey(
        "SpeakerRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self):
        return f"Town hall {self.page_id} ({self.state})"


class Question(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a facilitator")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        ANSWERED = "answered", _("Answered")

    class RejectReason(models.TextChoices):
        OFF_TOPIC = "off_topic", _("Off topic")
        DUPLICATE = "duplicate", _("Duplicate of another question")
        ABUSIVE = "abusive", _("Abusive or hateful")
        PERSONAL_DATA = "personal_data", _("Contains personal data")
        SPAM = "spam", _("Spam or advertising")

    townhall = models.ForeignKey(TownHall, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField()
    clause_key = models.SlugField(max_length=64, blank=True)
    author = models.CharField(max_length=64, help_text=_("Participant id of the asker."))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    reject_reason = models.CharField(
        max_length=16, choices=RejectReason.choices, blank=True, default=""
    )
    answer = models.TextField(blank=True)
    vote_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    submission = models.OneToOneField(
        "consult.Submission",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="town_hall_question",
        help_text=_("The record entry made from this question when the session ended."),
    )

    class Meta:
        ordering = ["-vote_count", "created_at"]
        indexes = [models.Index(fields=["townhall", "status"])]

    def __str__(self):
        return self.text[:60]


class Vote(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="votes")
    participant = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["question", "participant"], name="one_vote_per_participant"
            )
        ]

    def __str__(self):
        return f"{self.participant} -> {self.question_id}"


class Poll(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    townhall = models.ForeignKey(TownHall, on_delete=models.CASCADE, related_name="polls")
    question = models.CharField(max_length=300)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.SINGLE)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    answer_count = models.PositiveIntegerField(default=0)
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["opened_at"]

    def __str__(self):
        return self.question


class PollOption(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=200)
    vote_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["poll", "position"]

    def __str__(self):
        return self.label


class PollAnswer(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="answers")
    participant = models.CharField(max_length=64)
    option_ids = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "participant"], name="one_answer_per_poll")
        ]

    def __str__(self):
        return f"{self.participant}: {self.option_ids}"


class SpeakerRequest(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        CALLED = "called", _("Called to speak")
        LOWERED = "lowered", _("Hand lowered")

    townhall = models.ForeignKey(TownHall, on_delete=models.CASCADE, related_name="speakers")
    participant = models.CharField(max_length=64)
    display_name = models.CharField(max_length=80)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.WAITING)
    raised_at = models.DateTimeField(default=timezone.now)
    called_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["raised_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["townhall", "participant"],
                condition=Q(status="waiting"),
                name="one_raised_hand_per_participant",
            )
        ]

    def __str__(self):
        return self.display_name


class LiveEvent(models.Model):
    """The stored event stream of one town hall; ``seq`` has no gaps and no duplicates."""

    townhall = models.ForeignKey(TownHall, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveBigIntegerField()
    type = models.CharField(max_length=32)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["townhall", "seq"]
        constraints = [models.UniqueConstraint(fields=["townhall", "seq"], name="unique_event_seq")]

    def __str__(self):
        return f"{self.townhall_id}#{self.seq} {self.type}"

    def as_message(self) -> dict:
        return {
            "type": "event",
            "seq": self.seq,
            "event": self.type,
            "payload": self.payload,
            "at": self.created_at.timestamp(),  # seconds since the epoch, as an ack's "at"
        }
