"""Thin adapters: publishing a consultation page in Wagtail publishes a draft version;
publishing a town hall page opens its live runtime."""

from wagtail.signals import page_published

from consult.live.services.session import open_town_hall

from .models import ConsultationPage, TownHallPage
from .process_record import audit_closing_date_change
from .services import publish_draft_version


def _on_consultation_published(sender, instance, revision=None, **kwargs):
    user = getattr(revision, "user", None) if revision is not None else None
    publish_draft_version(instance, user=user)
    audit_closing_date_change(instance, revision)


page_published.connect(_on_consultation_published, sender=ConsultationPage)


def _on_town_hall_published(sender, instance, **kwargs):
    open_town_hall(instance)


page_published.connect(_on_town_hall_published, sender=TownHallPage)
