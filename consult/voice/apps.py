from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoiceConfig(AppConfig):
    name = "consult.voice"
    label = "voice"
    verbose_name = _("Voice submissions")
    default_auto_field = "django.db.models.BigAutoField"
