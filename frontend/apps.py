from django.apps import AppConfig


class FrontendConfig(AppConfig):
    """Templates, CSS, small JS modules and translations."""

    name = "frontend"
