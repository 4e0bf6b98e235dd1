from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The public read-only API: JSON, W3C Web Annotations and bulk files."""

    name = "api"
    verbose_name = "Public API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals  # noqa: F401
