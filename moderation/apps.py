from django.apps import AppConfig


class ModerationConfig(AppConfig):
    """Queue, automatic checks, public decisions, appeals and the audit log."""

    name = "moderation"
