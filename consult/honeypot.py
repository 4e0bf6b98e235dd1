"""A honeypot field instead of a CAPTCHA: hidden from people, filled in by bots.

Forms: inherit ``HoneypotMixin``. Hand-written templates: ``{% include
"moderation/_honeypot.html" %}`` and call ``honeypot_tripped(request.POST)`` in the view.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

HONEYPOT_FIELD = "website"


def honeypot_tripped(data) -> bool:
    return bool((data.get(HONEYPOT_FIELD) or "").strip())


REFUSED = _("We could not accept this form. Please send it again.")


class HoneypotMixin(forms.Form):
    """Adds the hidden trap field; a filled trap refuses the form with a message that does
    not say why (a bot learns nothing to adjust; a person can send it again)."""

    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "tabindex": "-1", "class": "hp-field"}
        ),
    )

    def clean(self):
        cleaned = super().clean()
        if honeypot_tripped(self.data):
            raise forms.ValidationError(REFUSED, code="refused")
        return cleaned
