"""Thin adapter: publishing a consultation page in Wagtail publishes a draft version."""

from wagtail.signals import page_published

from .models import ConsultationPage
from .services import publish_draft_version


def _on_consultation_published(sender, instance, revision=None, **kwargs):
    user = getattr(revision, "user", None) if revision is not None else None
    publish_draft_version(instance, user=user)


page_published.connect(_on_consultation_published, sender=ConsultationPage)
