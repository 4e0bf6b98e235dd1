"""Thin adapters: publishing a consultation page in Wagtail publishes a draft version;
publishing a town hall page opens its live runtime; a finished analysis run drafts the
consultation's report page."""

import logging

from django.db.models.signals import post_delete, post_save
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished

from analysis.models import AnalysisRun
from analysis.signals import run_done
from consult.live.services.session import open_town_hall
from consult.reading_cache import process_changed
from drafts.models import DraftVersion

from .models import ConsultationPage, TownHallPage
from .process_record import StakeholderMeeting, audit_closing_date_change
from .report_pages import ReportPage
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


# The process record (cms/process_record.py) lists what these change: its cached copy goes.


def _page_changed(sender, instance, **kwargs):
    """A consultation, or a town hall or report under one, was published, unpublished or
    deleted."""
    process_changed(instance.pk)
    parent_path = instance.path[: -Page.steplen] if instance.path else ""
    parent_id = Page.objects.filter(path=parent_path).values_list("pk", flat=True).first()
    if parent_id is not None:
        process_changed(parent_id)


page_published.connect(_page_changed, dispatch_uid="process-record-published")
page_unpublished.connect(_page_changed, dispatch_uid="process-record-unpublished")
# Saved too: a page added live (add_child) is published without the signal.
for _page_model in (TownHallPage, ReportPage):
    post_save.connect(_page_changed, sender=_page_model, dispatch_uid=f"pr-save-{_page_model}")
    post_delete.connect(_page_changed, sender=_page_model, dispatch_uid=f"pr-del-{_page_model}")


def _version_or_meeting_changed(sender, instance, **kwargs):
    # A version counts once its comments have moved onto it (its final save).
    process_changed(instance.page_id if sender is DraftVersion else instance.consultation_id)


for _model in (DraftVersion, StakeholderMeeting):
    post_save.connect(_version_or_meeting_changed, sender=_model, dispatch_uid=f"pr-{_model}")
    post_delete.connect(_version_or_meeting_changed, sender=_model, dispatch_uid=f"pr-d-{_model}")
