"""What the lower apps may know of a consultation without importing the page that edits it.

The consultation is a Wagtail page (``cms.ConsultationPage``); participation, moderation and
analysis need its phase, dates, languages and moderation mode, not Wagtail. They reach the
model through ``consultation_model()``, the way Django apps reach the user model through
``get_user_model()``, and use the choices defined here, which the page uses too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Phase(models.TextChoices):
    UPCOMING = "upcoming", _("Upcoming")
    OPEN = "open", _("Open for comments")
    CLOSED = "closed", _("Closed")
    REPORT_PUBLISHED = "report", _("Report published")


class ModerationMode(models.TextChoices):
    PRE = "pre", _("Pre-moderation: nothing public until approved")
    POST = "post", _("Post-moderation: public at once, can be removed")


def consultation_model():
    """The consultation page model named by ``settings.CONSULTATION_MODEL``."""
    return apps.get_model(settings.CONSULTATION_MODEL, require_ready=False)


class Consultation(Protocol):
    """What the lower apps use of a consultation page (for type hints)."""

    pk: int
    title: str
    slug: str
    phase: str
    moderation_mode: str
    opens_at: datetime
    closes_at: datetime

    def language_codes(self) -> list[str]: ...

    def is_open(self, at: datetime | None = None) -> bool: ...

    def get_phase_display(self) -> str: ...
