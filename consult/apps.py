from django.apps import AppConfig


class ConsultConfig(AppConfig):
    """The participation domain: submissions, participants, receipts, live sessions."""

    name = "consult"
    verbose_name = "Participation"
