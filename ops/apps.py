from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operating the whole site: backup and restore (no models, top layer beside config)."""

    name = "ops"
    verbose_name = "Operations"
