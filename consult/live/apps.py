from django.apps import AppConfig


class LiveConfig(AppConfig):
    """Runtime of live town halls: WebSocket consumers and their stored event log."""

    name = "consult.live"
    label = "live"
    verbose_name = "Live town halls"
