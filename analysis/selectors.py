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
