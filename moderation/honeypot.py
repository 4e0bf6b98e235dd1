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


class HoneypotMixin(forms.Form):
    """Adds the hidden trap field; a filled trap is a form error, not a silent drop."""

    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "tabindex": "-1", "class": "hp-field"}
        ),
    )

    def clean_website(self):
        value = self.cleaned_data.get(HONEYPOT_FIELD, "")
        if value.strip():
            raise forms.ValidationError(
                _("This form looked automated (a hidden field was filled). Please try again.")
            )
        return value
