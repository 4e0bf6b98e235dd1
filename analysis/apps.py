from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    """Transcription, normalisation, campaigns, themes, stance figures and reports."""

    name = "analysis"

    def ready(self):
        from django_tasks.signals import task_finished

        from analysis.tasks import record_abandoned_run

        task_finished.connect(record_abandoned_run, dispatch_uid="analysis-abandoned-run")
