"""Reads for the queue, the receipt page and the public transparency figures."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from statistics import median

from django.db.models import Count, Q

from consult.models import Reason, Submission, normalise_receipt
from moderation.models import Appeal, Decision


def queue(consultation=None):
    """Held (not public, not removed) submissions, oldest first, then pending appeals."""
    held = Submission.objects.held().select_related("consultation", "screening")
    if consultation is not None:
        held = held.filter(consultation=consultation)
    return held.order_by("submit_date")


SUBMISSION_STATES = ("published", "held", "removed")


def search_submissions(query: str = "", *, consultation=None, state: str = "", stance: str = ""):
    """Every submission, newest first, for moderators: the words of its public text, its
    organisation or shown name, or its receipt code (as people read one out); narrowed by
    consultation, state (``SUBMISSION_STATES``) and stance."""
    found = Submission.objects.select_related("consultation", "screening")
    if state:
        if state not in SUBMISSION_STATES:
            raise ValueError(f"unknown state {state!r}")
        found = getattr(Submission.objects, state)().select_related("consultation", "screening")
    if consultation is not None:
        found = found.filter(consultation=consultation)
    if stance:
        found = found.filter(stance=stance)
    query = query.strip()
    if query:
        matches = (
            Q(comment__icontains=query)
            | Q(organisation__icontains=query)
            | Q(user_name__icontains=query)
        )
        code = normalise_receipt(query)
        if code:
            matches |= Q(receipt_code=code)
        found = found.filter(matches)
    return found.order_by("-submit_date", "-pk")


def pending_appeals():
    return (
        Appeal.objects.filter(outcome=Appeal.Outcome.PENDING)
        .select_related("decision__submission", "decision__moderator")
        .order_by("created_at")
    )


def decisions_for_receipt(submission) -> list[Decision]:
    return list(
        Decision.objects.filter(submission=submission)
        .select_related("appeal")
        .order_by("created_at", "pk")
    )


def transparency_figures(consultation) -> dict:
    """Counts only, never content: what happened to the submissions on one consultation."""
    counts = Submission.objects.filter(consultation=consultation).state_counts()
    published, held, removed = counts["published"], counts["held"], counts["removed"]
    received = published + held + removed

    decisions = Decision.objects.filter(submission__consultation=consultation)
    last_removal_reason: dict[int, str] = {}
    for submission_id, reason in (
        decisions.filter(action=Decision.Action.REMOVE, submission__is_removed=True)
        .values_list("submission_id", "reason")
        .order_by("created_at", "pk")
    ):
        last_removal_reason[submission_id] = reason
    removed_by_reason = Counter(last_removal_reason.values())
    labels = dict(Reason.choices)

    first_decision: dict[int, timedelta] = {}
    for submission_id, created_at, submitted in decisions.values_list(
        "submission_id", "created_at", "submission__submit_date"
    ).order_by("created_at", "pk"):
        first_decision.setdefault(submission_id, created_at - submitted)
    median_hours = (
        round(median(d.total_seconds() for d in first_decision.values()) / 3600, 1)
        if first_decision
        else None
    )
    appeals = Appeal.objects.filter(decision__submission__consultation=consultation)
    appeal_outcomes = dict(appeals.values_list("outcome").annotate(n=Count("pk")))
    actions = dict(decisions.values_list("action").annotate(n=Count("pk")))
    return {
        "received": received,
        "published": published,
        "held": held,
        "removed": removed,
        "removed_by_reason": [
            {"reason": code, "label": labels[code], "count": removed_by_reason.get(code, 0)}
            for code in Reason.values
            if code != Reason.MEETS_RULES
        ],
        "decisions": {a: actions.get(a, 0) for a in Decision.Action.values},
        "decided_submissions": len(first_decision),
        "median_hours_to_decision": median_hours,
        "appeals": appeals.count(),
        "appeal_outcomes": {o: appeal_outcomes.get(o, 0) for o in Appeal.Outcome.values},
    }
