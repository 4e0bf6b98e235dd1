"""Names of the languages people write and speak in, translated for the page's language."""

from django.utils.translation import gettext_lazy as _

LANGUAGE_NAMES = {
    "en": _("English"),
    "ur": _("Urdu"),
    "pa": _("Punjabi"),
    "ps": _("Pashto"),
    "sd": _("Sindhi"),
}


def language_name(code: str) -> str:
    """The language's name, or its code when it has none here."""
    return str(LANGUAGE_NAMES.get(code, code))
