from django.apps import AppConfig


class CmsConfig(AppConfig):
    """Wagtail pages a ministry edits and publishes: consultations, clauses, versions."""

    name = "cms"
    verbose_name = "Consultation pages"

    def ready(self):
        from . import signals  # noqa: F401
