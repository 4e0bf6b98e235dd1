"""Thin adapters: publishing a consultation page in Wagtail publishes a draft version;
publishing a town hall page opens its live runtime; a finished analysis run drafts the
consultation's report page."""

import logging

from wagtail.signals import page_published

from analysis.models import AnalysisRun
from analysis.signals import run_done
from consult.live.services.session import open_town_hall

from .models import ConsultationPage, TownHallPage
from .process_record import audit_closing_date_change
from .reports import draft_report
from .services import publish_draft_version

logger = logging.getLogger(__name__)


def _on_consultation_published(sender, instance, revision=None, **kwargs):
    user = getattr(revision, "user", None) if revision is not None else None
    publish_draft_version(instance, user=user)
    audit_closing_date_change(instance, revision)


page_published.connect(_on_consultation_published, sender=ConsultationPage)


def _on_town_hall_published(sender, instance, **kwargs):
    open_town_hall(instance)


page_published.connect(_on_town_hall_published, sender=TownHallPage)


def _on_analysis_run_done(sender, run, **kwargs):
    report = draft_report(run)
    logger.info("analysis run %s: report draft %s", run.pk, report.pk)


run_done.connect(_on_analysis_run_done, sender=AnalysisRun)
