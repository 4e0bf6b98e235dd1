"""Forms for moderators' decisions and participants' appeals."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from consult.honeypot import HoneypotMixin
from consult.models import Reason
from moderation.models import Decision


class DecisionForm(forms.Form):
    action = forms.ChoiceField(label=_("Decision"), choices=Decision.Action.choices)
    reason = forms.ChoiceField(label=_("Reason (shown publicly)"), choices=Reason.choices)
    explanation = forms.CharField(
        label=_("Explanation for the author"), required=False, widget=forms.Textarea
    )
    redacted_text = forms.CharField(
        label=_("Text as it should be shown (for edit-redact)"),
        required=False,
        widget=forms.Textarea,
    )


class AppealDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("uphold", _("Uphold the decision")), ("overturn", _("Overturn: publish"))],
    )
    reason = forms.ChoiceField(label=_("Reason (shown publicly)"), choices=Reason.choices)
    explanation = forms.CharField(label=_("Explanation"), required=False, widget=forms.Textarea)


class AppealForm(HoneypotMixin):
    code = forms.CharField(label=_("Receipt code"), max_length=32)
    decision = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Why should the decision change?"), max_length=2000, widget=forms.Textarea
    )
