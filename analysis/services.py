"""Write paths of the analysis: start a run (enqueue after commit), execute it, save results,
and generate the report as a *draft* page for the ministry to review and answer."""

from __future__ import annotations

import logging
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from analysis.models import AnalysisRun, Campaign, Theme, ThemeMember, ThemeResponse
from analysis.pipeline import PipelineParams, run_pipeline
from analysis.records import Corpus
from analysis.selectors import moderation_figures, published_submissions
from consult.roles import is_analyst, is_ministry_editor

logger = logging.getLogger(__name__)


def start_analysis(
    consultation, user=None, parameters: dict | None = None, *, enqueue: bool = True
) -> AnalysisRun:
    """Create a queued run and enqueue its task once the transaction commits.

    ``user=None`` is the system (a management command or a scheduled job); ``enqueue=False``
    lets a command call :func:`execute_run` itself."""
    if user is not None and not (is_analyst(user) or is_ministry_editor(user)):
        raise PermissionDenied(_("Only analysts and ministry editors can start an analysis."))
    params = PipelineParams.from_dict(parameters)  # raises TypeError on unknown parameters
    run = AnalysisRun.objects.create(
        consultation=consultation,
        parameters=params.as_dict(),
        created_by=user if user is not None and user.is_authenticated else None,
    )
    if enqueue:
        from analysis.tasks import run_analysis

        transaction.on_commit(lambda: run_analysis.enqueue(run.pk))
    return run


def _set_progress(run_id: int, stage: str, percent: int) -> None:
    AnalysisRun.objects.filter(pk=run_id).update(stage=stage, progress=percent)


def load_corpus(consultation) -> Corpus:
    corpus = Corpus()
    rows = (
        published_submissions(consultation)
        .order_by("pk")
        .values_list(
            "pk", "comment", "clause_key", "stance", "stakeholder", "language", "submit_date",
            "user_id",
        )
    )  # fmt: skip
    for pk, text, clause, stance, stakeholder, language, submitted, user_id in rows.iterator(
        chunk_size=5000
    ):
        corpus.add(
            {
                "id": pk,
                "text": text or "",
                "clause": clause,
                "stance": stance,
                "stakeholder": stakeholder,
                "language": language,
                "created": submitted.isoformat() if submitted else None,
                "anonymous": user_id is None,
            }
        )
    return corpus


def execute_run(run_id: int) -> AnalysisRun:
    """Run steps 1-4 and save themes, campaigns and memberships; then draft the report."""
    run = AnalysisRun.objects.select_related("consultation").get(pk=run_id)
    AnalysisRun.objects.filter(pk=run_id).update(
        status=AnalysisRun.Status.RUNNING, started_at=timezone.now(), stage="load", progress=1
    )
    try:
        corpus = load_corpus(run.consultation)
        params = PipelineParams.from_dict(run.parameters)
        result = run_pipeline(corpus, params, progress=lambda s, p: _set_progress(run_id, s, p))
        with transaction.atomic():
            _save_results(run, result)
            report = create_report_draft(run)
    except Exception as error:
        logger.exception("analysis run %s failed", run_id)
        AnalysisRun.objects.filter(pk=run_id).update(
            status=AnalysisRun.Status.FAILED, error=f"{type(error).__name__}: {error}",
            finished_at=timezone.now(),
        )  # fmt: skip
        raise
    run.refresh_from_db()
    logger.info("analysis run %s done; report draft %s", run_id, report.pk)
    return run


def _aware(value: str | None) -> datetime | None:
    return parse_datetime(value) if value else None


def _save_results(run: AnalysisRun, result: dict) -> None:
    run.themes.all().delete()
    run.campaigns.all().delete()
    campaign_of: dict[int, Campaign] = {}
    for number, c in enumerate(result["campaigns"], start=1):
        campaign = Campaign.objects.create(
            run=run,
            number=number,
            size=c["size"],
            representative_id=c["representative"],
            representative_text=c["representative_text"],
            first_at=_aware(c["first"]),
            last_at=_aware(c["last"]),
            share_anonymous=c["share_anonymous"],
            stances=c["stances"],
        )
        for member in c["members"]:
            campaign_of[member] = campaign
    members: list[ThemeMember] = []
    for t in result["themes"]:
        theme = Theme.objects.create(
            run=run,
            number=t["number"],
            label=t["label"][:255],
            terms=t["terms"],
            size=t["size"],
            distinct_texts=t["distinct_texts"],
            stakeholders=t["stakeholders"],
            quotes=t["quotes"],
        )
        members.extend(
            ThemeMember(theme=theme, submission_id=sid, campaign=campaign_of.get(sid))
            for sid in t["members"]
        )
    ThemeMember.objects.bulk_create(members, batch_size=5000)
    method = result["method"]
    run.status = AnalysisRun.Status.DONE
    run.stage = "done"
    run.progress = 100
    run.stage_timings = method["timings"]
    run.counts = method["counts"]
    run.results = {
        "method": method,
        "clauses": result["clauses"],
        "moderation": moderation_figures(run.consultation),
    }
    run.finished_at = timezone.now()
    run.save()


def create_report_draft(run: AnalysisRun):
    """A draft ReportPage under the consultation, with one (unanswered) response per theme.

    Never published here: the ministry reviews it, writes its responses, then publishes."""
    from cms.report_pages import ReportPage

    consultation = run.consultation
    number = ReportPage.objects.child_of(consultation).count() + 1
    page = ReportPage(
        title=_("Consultation report: %(title)s") % {"title": consultation.title},
        slug=f"report-{run.pk}" if number > 1 else "report",
        run=run,
        live=False,
    )
    page.responses = [ThemeResponse(theme=theme) for theme in run.themes.all()]
    consultation.add_child(instance=page)
    page.save_revision()
    return page
