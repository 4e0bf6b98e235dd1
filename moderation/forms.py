"""Forms for moderators' decisions and participants' appeals."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from consult.honeypot import HoneypotMixin
from consult.models import Reason, Stance
from drafts.consultations import consultation_model
from moderation.models import Decision


def _unselected(choices, prompt):
    """A required choice that starts empty: one careless click must not approve a threat."""
    return [("", prompt), *choices]


class DecisionForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Decision"), choices=_unselected(Decision.Action.choices, _("Choose a decision"))
    )
    reason = forms.ChoiceField(
        label=_("Reason (shown publicly)"),
        choices=_unselected(Reason.choices, _("Choose a reason")),
    )
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
        choices=_unselected(
            [("uphold", _("Uphold the decision")), ("overturn", _("Overturn: publish"))],
            _("Choose an outcome"),
        ),
    )
    reason = forms.ChoiceField(
        label=_("Reason (shown publicly)"),
        choices=_unselected(Reason.choices, _("Choose a reason")),
    )
    explanation = forms.CharField(label=_("Explanation"), required=False, widget=forms.Textarea)


class AppealForm(HoneypotMixin):
    code = forms.CharField(label=_("Receipt code"), max_length=32)
    decision = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Why should the decision change?"), max_length=2000, widget=forms.Textarea
    )


class SubmissionSearchForm(forms.Form):
    """The filters of the moderators' list of every submission (all optional)."""

    q = forms.CharField(
        label=_("Words or receipt code"), required=False, max_length=200, strip=True
    )
    consultation = forms.ModelChoiceField(
        label=_("Consultation"), queryset=None, required=False, empty_label=_("All consultations")
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("", _("Any state")),
            ("published", _("Published")),
            ("held", _("Held for review")),
            ("removed", _("Removed")),
        ],
    )
    stance = forms.ChoiceField(
        label=_("Stance"), required=False, choices=[("", _("Any stance")), *Stance.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultation"].queryset = consultation_model().objects.order_by("title")
