from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    """Transcription, normalisation, campaigns, themes, stance figures and reports."""

    name = "analysis"
