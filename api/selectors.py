"""What the public API may read. Every rule comes from the project's own selectors:
"published" is ``consult.selectors.published`` (``is_public and not is_removed``), a
consultation is public when its Wagtail page is live and not privacy-restricted, and a
report (with its themes) is public once its page is published."""

from __future__ import annotations

from django.db.models import Max

from cms.models import ConsultationPage
from cms.report_pages import ReportPage
from consult.selectors import published
from drafts.models import DraftVersion


def public_consultations():
    return ConsultationPage.objects.live().public()


def public_consultation_ids(**filters) -> list[int]:
    """Ids, read first: a join to the page tables in every submission query cost PostgreSQL
    more time planning than running the query."""
    return list(public_consultations().filter(**filters).values_list("pk", flat=True))


def published_submissions():
    """Published submissions on public consultations, with what the API shows of them."""
    return (
        published()
        .filter(consultation_id__in=public_consultation_ids())
        .select_related(None)  # the comments library's manager joins its content types
        .select_related("clause__version")
        .only(*SUBMISSION_FIELDS)
    )


SUBMISSION_FIELDS = [
    "id",
    "consultation_id",
    "comment",
    "submit_date",
    "user_name",
    "display_mode",
    "public_alias",
    "stance",
    "stakeholder",
    "organisation",
    "language",
    "source",
    "proposed_wording",
    "anchor_language",
    "anchor_exact",
    "anchor_prefix",
    "anchor_suffix",
    "anchor_start",
    "anchor_end",
    "clause__key",
    "clause__identifier",
    "clause__version__number",
    "clause__version__page_id",
]


def published_reports(consultation=None):
    reports = ReportPage.objects.live().public().exclude(run=None)
    if consultation is not None:
        reports = reports.child_of(consultation)
    return reports


def published_report(consultation) -> ReportPage | None:
    return published_reports(consultation).order_by("-last_published_at").first()


def published_run_ids():
    return published_reports().values("run_id")


def published_ids(ids) -> set[int]:
    """Which of these submission ids are published now (a report's quotes were picked when
    it ran; one removed since must not be shown)."""
    return set(published().filter(pk__in=list(ids)).values_list("pk", flat=True))


def versions(consultation):
    return DraftVersion.objects.live().filter(page=consultation).order_by("number")


def last_version_at(consultation):
    return versions(consultation).aggregate(at=Max("created_at"))["at"]
