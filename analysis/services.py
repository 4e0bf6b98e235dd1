"""Write paths of the analysis: start a run (enqueue after commit), execute it and save its
results. When a run is done it sends ``analysis.signals.run_done`` inside the same
transaction; cms drafts the report page from it (cms/reports.py), so a failed draft fails
the run."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from analysis.models import AnalysisRun, Campaign, Theme, ThemeMember
from analysis.pipeline import PipelineParams, run_pipeline
from analysis.points import build_points
from analysis.records import Corpus
from analysis.selectors import draft_clause_texts, moderation_figures, published_submissions
from analysis.signals import run_done
from consult.models import AuditLog

logger = logging.getLogger(__name__)


RUN_PERMISSION = "analysis.run_analysis"
# A run queued or running for longer than this is taken to be lost (its worker died).
STALE_AFTER = timedelta(hours=2)


def check_can_run_analysis(user) -> None:
    """Analysts (the ``analysis.run_analysis`` permission); ``None`` is the system."""
    if user is not None and not user.has_perm(RUN_PERMISSION):
        raise PermissionDenied(_("Only analysts can run an analysis."))


def active_run(consultation) -> AnalysisRun | None:
    """The run of this consultation still queued or running, unless it is stale."""
    return (
        AnalysisRun.objects.filter(
            consultation=consultation,
            status__in=[AnalysisRun.Status.QUEUED, AnalysisRun.Status.RUNNING],
            created_at__gte=timezone.now() - STALE_AFTER,
        )
        .order_by("-created_at")
        .first()
    )


def start_analysis(
    consultation, user=None, parameters: dict | None = None, *, enqueue: bool = True
) -> AnalysisRun:
    """Create a queued run and enqueue its task once the transaction commits.

    ``user=None`` is the system (a management command or a scheduled job); ``enqueue=False``
    lets a command call :func:`execute_run` itself. One run at a time per consultation: a
    second would race the first for the one draft report."""
    check_can_run_analysis(user)
    params = PipelineParams.from_dict(parameters)  # raises TypeError on unknown parameters
    with transaction.atomic():
        # Lock the consultation's row so two clicks cannot both find no active run.
        type(consultation).objects.select_for_update().filter(pk=consultation.pk).first()
        if active_run(consultation) is not None:
            raise ValidationError(
                _("An analysis of this consultation is already running; wait for it to finish.")
            )
        actor = user if user is not None and user.is_authenticated else None
        run = AnalysisRun.objects.create(
            consultation=consultation, parameters=params.as_dict(), created_by=actor
        )
        AuditLog.objects.create(
            actor=actor,
            action="analysis_started",
            explanation=f"analysis run {run.pk} of consultation {consultation.pk}",
        )
        if enqueue:
            from analysis.tasks import run_analysis

            transaction.on_commit(lambda: run_analysis.enqueue(run.pk))
    return run


def _set_progress(run_id: int, stage: str, percent: int) -> None:
    AnalysisRun.objects.filter(pk=run_id).update(stage=stage, progress=percent)


def _pipeline_progress(run_id: int, stage: str, percent: int) -> None:
    """The pipeline's stages fill the bar to 90%; drafting the report is the rest."""
    if stage != "done":
        _set_progress(run_id, stage, min(percent, 90))


def load_corpus(consultation, pk_range: tuple[int, int] | None = None) -> Corpus:
    """The published submissions, in id order; ``pk_range``: only ids in [low, high) (a
    Dask worker's share, analysis/distributed.py)."""
    corpus = Corpus()
    submissions = published_submissions(consultation)
    if pk_range is not None:
        submissions = submissions.filter(pk__gte=pk_range[0], pk__lt=pk_range[1])
    rows = (
        submissions
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


def execute_run(run_id: int, dask: str | None = None) -> AnalysisRun:
    """Run steps 1-4 and save themes, campaigns and memberships; then draft the report.

    With a Dask scheduler (``dask``, else ``DASK_SCHEDULER_ADDRESS``) the steps run on its
    workers, which read the submissions themselves (analysis/distributed.py); the progress
    moves as their partitions finish."""
    from analysis.distributed import DatabaseSource, scheduler_address
    from analysis.workspace import carry_over  # it builds on this module's permission check

    dask = dask or scheduler_address()
    run = AnalysisRun.objects.select_related("consultation").get(pk=run_id)
    if run.status == AnalysisRun.Status.DONE:
        return run  # a worker died after saving: the task ran again, nothing to redo
    # A run whose worker died starts again from the beginning (its lease ran out and
    # another worker took it): _save_results replaces whatever the first attempt saved.
    AnalysisRun.objects.filter(pk=run_id).update(
        status=AnalysisRun.Status.RUNNING, started_at=timezone.now(), stage="load", progress=1,
        error="", attempts=F("attempts") + 1,
    )  # fmt: skip
    try:
        params = PipelineParams.from_dict(run.parameters)
        source = DatabaseSource(run.consultation) if dask else load_corpus(run.consultation)
        result = run_pipeline(
            source,
            params,
            progress=lambda s, p: _pipeline_progress(run_id, s, p),
            dask=dask,
            draft=draft_clause_texts(run.consultation),
        )
        _set_progress(run_id, "report", 95)
        with transaction.atomic():
            _save_results(run, result)
            carry_over(run)  # the analysts' changes to the previous run, where they still fit
            build_points(run)  # the long submissions' points, with their clauses and themes
            run_done.send(sender=AnalysisRun, run=run)
    except Exception as error:
        logger.exception("analysis run %s failed", run_id)
        AnalysisRun.objects.filter(pk=run_id).update(
            status=AnalysisRun.Status.FAILED, error=f"{type(error).__name__}: {error}",
            finished_at=timezone.now(),
        )  # fmt: skip
        raise
    run.refresh_from_db()
    logger.info("analysis run %s done", run_id)
    return run


def abandon_run(run_id: int, attempts: int) -> None:
    """Its worker died on every attempt: the run fails with a reason instead of running."""
    AnalysisRun.objects.filter(
        pk=run_id, status__in=[AnalysisRun.Status.QUEUED, AnalysisRun.Status.RUNNING]
    ).update(
        status=AnalysisRun.Status.FAILED,
        error=_("The worker running this analysis stopped %(n)s times; start it again.")
        % {"n": attempts},
        finished_at=timezone.now(),
    )


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
