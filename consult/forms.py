"""The public comment form: one per clause, a plain POST that works without JavaScript.

The form's fields map one to one onto ``consult.services.SubmissionInput``; validation that
needs the consultation (open? anchor inside the clause? organisation named?) is the
service's job, so every door gets the same rules and the same messages.
"""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from consult.models import DisplayMode, Stakeholder, Stance
from consult.services import SubmissionInput
from text.languages import LANGUAGE_NAMES


class CommentForm(forms.Form):
    clause_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    parent_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    client_token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    anchor_exact = forms.CharField(required=False, widget=forms.HiddenInput, strip=False)
    anchor_start = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    anchor_end = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    # Which of the clause's texts (English original, Urdu) the words were selected in.
    anchor_language = forms.CharField(required=False, max_length=8, widget=forms.HiddenInput)
    stance = forms.ChoiceField(label=_("Your position"), choices=Stance.choices)
    # No max_length here: the service states the limit in its own message.
    text = forms.CharField(label=_("Your comment"), widget=forms.Textarea, strip=False)
    proposed_wording = forms.CharField(
        label=_("Proposed wording (optional)"), required=False, widget=forms.Textarea
    )
    stakeholder = forms.ChoiceField(label=_("You comment as"), choices=Stakeholder.choices)
    organisation = forms.CharField(label=_("Organisation"), required=False, max_length=255)
    language = forms.CharField(label=_("Language"), max_length=8)
    display_mode = forms.ChoiceField(
        label=_("Display"), choices=DisplayMode.choices, initial=DisplayMode.PSEUDONYMOUS
    )
    name = forms.CharField(label=_("Name"), required=False, max_length=50)

    def clean_anchor_exact(self):
        """Browsers send every line break in form data as CRLF; the page's text (and the
        offsets the script counted in it) has LF, so a passage across lines must too."""
        return self.cleaned_data["anchor_exact"].replace("\r\n", "\n")

    def to_input(self, ip_address: str | None = None) -> SubmissionInput:
        data = self.cleaned_data
        anchor = None
        if data.get("anchor_exact") and data.get("anchor_start") is not None:
            anchor = {
                "exact": data["anchor_exact"],
                "start": data["anchor_start"],
                "end": data.get("anchor_end"),
                "language": data.get("anchor_language") or "en",
            }
        return SubmissionInput(
            text=data["text"],
            stance=data["stance"],
            stakeholder=data["stakeholder"],
            language=data["language"],
            clause_id=data.get("clause_id"),
            proposed_wording=data.get("proposed_wording") or "",
            organisation=data.get("organisation") or "",
            display_mode=data["display_mode"],
            name=data.get("name") or "",
            client_token=data.get("client_token") or None,
            parent_id=data.get("parent_id"),
            anchor=anchor,
            ip_address=ip_address,
        )


def new_client_token() -> str:
    return uuid.uuid4().hex


def comment_form_context(page) -> dict:
    """Choices for the hand-written per-clause form (rendering 200 Django forms is slow)."""
    return {
        "stance_choices": Stance.choices,
        "stakeholder_choices": Stakeholder.choices,
        "organisation_values": sorted(Stakeholder.organisations()),
        "display_choices": DisplayMode.choices,
        "language_choices": [
            (code, LANGUAGE_NAMES.get(code, code)) for code in page.language_codes()
        ],
        "text_limit": settings.SUBMISSION_MAX_CHARS,
    }


def reply_context(request, version, clause_key: str) -> dict:
    """``?reply=ID`` on a clause's page: the form answers that published comment (the
    service checks again when it arrives)."""
    from consult.models import Submission

    try:
        parent_id = int(request.GET.get("reply", ""))
    except ValueError:
        return {}
    if version is None or not 0 < parent_id < 2**63:
        return {}
    parent = Submission.objects.filter(
        pk=parent_id,
        clause__version=version,
        clause__key=clause_key,
        is_public=True,
        is_removed=False,
        level__lt=settings.COMMENTS_XTD_MAX_THREAD_LEVEL,
    ).first()
    if parent is None:
        return {}
    return {"reply_to": parent, "values": {"parent_id": parent.pk}}
