from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoiceConfig(AppConfig):
    name = "consult.voice"
    label = "voice"
    verbose_name = _("Voice submissions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django_tasks.signals import task_finished

        from consult.voice.tasks import record_abandoned_note

        task_finished.connect(record_abandoned_note, dispatch_uid="voice-abandoned-note")
