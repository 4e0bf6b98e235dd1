"""Reads for the analysis and the report: published submissions, moderation figures, open data."""

from __future__ import annotations

from consult.models import Submission

# Public columns of the open data: never original_text, names, e-mails or IP addresses.
OPEN_DATA_FIELDS = [
    "id",
    "submitted",
    "clause",
    "stance",
    "stakeholder",
    "organisation",
    "language",
    "source",
    "text",
    "theme",
    "campaign",
]


def published_submissions(consultation):
    """Published = is_public and not is_removed; the public text is ``comment`` (redacted)."""
    return Submission.objects.published().filter(consultation=consultation)


def moderation_figures(consultation) -> dict:
    figures = Submission.objects.filter(consultation=consultation).state_counts()
    return {"total": sum(figures.values()), **figures}


def open_data_rows(run):
    """One row per published submission, with its theme and campaign in this run."""
    membership = {}
    from analysis.models import ThemeMember

    for submission_id, theme_number, campaign_number in ThemeMember.objects.filter(
        theme__run=run
    ).values_list("submission_id", "theme__number", "campaign__number"):
        membership[submission_id] = (theme_number, campaign_number)
    rows = published_submissions(run.consultation).order_by("pk")
    for s in rows.values_list(
        "pk",
        "submit_date",
        "clause_key",
        "stance",
        "stakeholder",
        "organisation",
        "language",
        "source",
        "comment",
    ).iterator(chunk_size=2000):
        pk, submitted, clause, stance, stakeholder, organisation, language, source, text = s
        theme, campaign = membership.get(pk, (None, None))
        yield {
            "id": pk,
            "submitted": submitted.isoformat() if submitted else "",
            "clause": clause,
            "stance": stance,
            "stakeholder": stakeholder,
            # Organisations are disclosed publicly; individuals' names never are.
            "organisation": organisation if stakeholder != "individual" else "",
            "language": language,
            "source": source,
            "text": text,
            "theme": theme if theme is not None else "",
            "campaign": campaign if campaign is not None else "",
        }


TOWN_HALL_QUESTION_FIELDS = [
    "town_hall",
    "asked",
    "clause",
    "question",
    "status",
    "votes",
    "answer",
    "answered",
]
POLL_FIELDS = ["town_hall", "opened", "poll", "kind", "status", "answers", "option", "votes"]


def town_hall_questions(consultation):
    """The questions the public saw (approved or answered) with their answers and votes;
    never who asked them."""
    from consult.live.models import Question
    from consult.live.selectors import PUBLIC_QUESTION_STATUSES, town_halls_of

    rows = (
        Question.objects.filter(
            townhall__in=town_halls_of(consultation), status__in=PUBLIC_QUESTION_STATUSES
        )
        .select_related("townhall__page")
        .order_by("townhall_id", "created_at", "pk")
    )
    for q in rows.iterator(chunk_size=2000):
        yield {
            "town_hall": q.townhall.page.title,
            "asked": q.created_at.isoformat(),
            "clause": q.clause_key,
            "question": q.text,
            "status": q.status,
            "votes": q.vote_count,
            "answer": q.answer,
            "answered": q.answered_at.isoformat() if q.answered_at else "",
        }


def poll_results(consultation):
    """One row per poll option with its votes (polls of the consultation's town halls)."""
    from consult.live.models import PollOption
    from consult.live.selectors import town_halls_of

    options = (
        PollOption.objects.filter(poll__townhall__in=town_halls_of(consultation))
        .select_related("poll__townhall__page")
        .order_by("poll__townhall_id", "poll__opened_at", "poll_id", "position")
    )
    for option in options:
        poll = option.poll
        yield {
            "town_hall": poll.townhall.page.title,
            "opened": poll.opened_at.isoformat(),
            "poll": poll.question,
            "kind": poll.kind,
            "status": poll.status,
            "answers": poll.answer_count,
            "option": option.label,
            "votes": option.vote_count,
        }
