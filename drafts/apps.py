from django.apps import AppConfig


class DraftsConfig(AppConfig):
    """Published draft versions and their clauses: the text every comment anchors to."""

    name = "drafts"
    verbose_name = "Draft record"
