"""Thin adapter: after a consultation (a draft version) or its report is published, the
bulk files are rebuilt in the background once the transaction commits."""

from __future__ import annotations

from django.db import transaction
from wagtail.signals import page_published

from cms.models import ConsultationPage
from cms.report_pages import ReportPage


def enqueue_bulk_files(consultation_id: int) -> None:
    from .tasks import build_bulk_files

    transaction.on_commit(lambda: build_bulk_files.enqueue(consultation_id))


def _on_consultation_published(sender, instance, **kwargs):
    enqueue_bulk_files(instance.pk)


def _on_report_published(sender, instance, **kwargs):
    enqueue_bulk_files(instance.get_parent().pk)


page_published.connect(_on_consultation_published, sender=ConsultationPage, dispatch_uid="api-c")
page_published.connect(_on_report_published, sender=ReportPage, dispatch_uid="api-r")
